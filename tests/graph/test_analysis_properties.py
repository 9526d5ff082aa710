"""The engine equals the naive reference on random small chains (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain
from obligraph.graph.checks import chain_warnings
from obligraph.graph.evidence import INTERNAL, ISSUED_LATER, OUT_OF_SCOPE, UNDATED, assess
from obligraph.graph.lattice import Status
from tests.reference import naive_analysis
from tests.strategies import AS_OF, AS_OF_DAYS, CONTROLS, chains


def assert_delegating_path(chain, path, start, end, length, control):
    assert path[0] == start and path[-1] == end
    assert len(path) - 1 == length, "path is not a shortest one"
    for u, v in zip(path, path[1:]):
        assert chain.graph.has_edge(u, v)
        assert chain.responsibility(u, v, control).delegates


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains(), requirement=st.sampled_from(list(Status)), as_of=st.sampled_from(AS_OF_DAYS))
def test_engine_matches_naive_reference(document, requirement, as_of):
    chain = Chain.from_dict(document)
    result = analyze(chain, requirement=requirement, as_of=as_of, controls=CONTROLS)
    expected = naive_analysis(chain, requirement, as_of, CONTROLS)

    for (node, control), cell in expected.items():
        assert result.effective_status(node, control) is cell["effective"], (node, control)
        gap = result.gap(node, control)
        assert (gap is not None) == cell["gap"], (node, control)
        if gap is None:
            continue
        assert gap.kind == cell["kind"], (node, control)
        assert gap.orphaned == cell["orphaned"], (node, control)
        causes = result.root_causes(node, control)
        assert {c.node for c in causes} == set(cell["roots"]), (node, control)
        for cause in causes:
            assert cause.status == result.own_status(cause.node, control).value
            assert_delegating_path(chain, cause.path, cause.node, node, cell["roots"][cause.node], control)
        blockers = result.blockers(node, control)
        assert {b.node for b in blockers} == set(cell["blockers"]), (node, control)
        assert {c.node for c in causes} <= {b.node for b in blockers}
        for blocker in blockers:
            status, distance = cell["blockers"][blocker.node]
            assert blocker.status == status.value, (node, control, blocker.node)
            assert_delegating_path(chain, blocker.path, blocker.node, node, distance, control)
            declared = chain.declarations(blocker.node).get(control)
            if declared is not None and declared.status is not status:
                assert blocker.note, "a status counted lower than declared says why"


@settings(max_examples=100, deadline=None)
@given(document=chains(max_nodes=12))
def test_effective_never_above_own_part(document):
    """A node that needs its own part is never assured better than its own declaration."""
    chain = Chain.from_dict(document)
    result = analyze(chain, as_of=AS_OF, controls=CONTROLS)
    k = result.needs_own & (result.effective > result.own)
    assert not k.any()


@settings(max_examples=100, deadline=None)
@given(document=chains())
def test_round_trip_is_lossless(document):
    chain = Chain.from_dict(document)
    again = Chain.from_dict(chain.to_dict())
    assert again.to_dict() == chain.to_dict()
    assert list(again.graph.nodes) == list(chain.graph.nodes)
    assert again.edges() == chain.edges()


CASES = {
    "expired evidence": lambda chain: _any_check(chain, lambda check: check.reason.startswith("expired")),
    "evidence issued after the analysis date": lambda chain: _any_check(chain, lambda c: c.reason == ISSUED_LATER),
    "internal audit": lambda chain: _any_check(chain, lambda check: check.reason == INTERNAL),
    "evidence scoped out": lambda chain: _any_check(chain, lambda check: check.reason == OUT_OF_SCOPE),
    "evidence scoped in that assures": lambda chain: _any_item(
        chain, lambda item, control: item.scope is not None and assess(item, control, AS_OF).assures
    ),
    "undated evidence": lambda chain: _any_check(chain, lambda check: check.reason == UNDATED),
    "not_applicable relied on": lambda chain: bool(chain_warnings(chain)),
    "a gap with several blockers": lambda chain: any(
        len(result.blockers(g.node, g.control)) >= 2
        for result in [analyze(chain, as_of=AS_OF, controls=CONTROLS)]
        for g in result.gaps()
    ),
}


def _any_item(chain, predicate) -> bool:
    return any(
        predicate(item, control)
        for node in chain.graph.nodes
        for control, declaration in chain.declarations(node).items()
        for item in declaration.evidence
    )


def _any_check(chain, predicate) -> bool:
    return _any_item(chain, lambda item, control: predicate(assess(item, control, AS_OF)))


@pytest.mark.parametrize("case", list(CASES))
def test_generated_chains_contain_every_case(case):
    """The strategy reaches each case the contract names, so the comparison above covers it."""
    found = find(
        chains(),
        lambda document: CASES[case](Chain.from_dict(document)),
        settings=settings(max_examples=2000, database=None, derandomize=True, deadline=None, phases=[Phase.generate]),
    )
    assert CASES[case](Chain.from_dict(found))
