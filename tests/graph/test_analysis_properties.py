"""The engine equals the naive reference on random small chains (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Status
from tests.reference import naive_analysis
from tests.strategies import AS_OF, CONTROLS, chains


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains(), requirement=st.sampled_from(list(Status)))
def test_engine_matches_naive_reference(document, requirement):
    chain = Chain.from_dict(document)
    result = analyze(chain, requirement=requirement, as_of=AS_OF, controls=CONTROLS)
    expected = naive_analysis(chain, requirement, AS_OF, CONTROLS)

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
            assert cause.path[0] == cause.node and cause.path[-1] == node
            assert len(cause.path) - 1 == cell["roots"][cause.node], "path is not a shortest one"
            for u, v in zip(cause.path, cause.path[1:]):
                assert chain.graph.has_edge(u, v)
                assert chain.responsibility(u, v, control).delegates


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
