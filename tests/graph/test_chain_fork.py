"""``Chain.fork``: edits of the fork never reach the chain it was forked from, and an analysis of
that chain lends its results to the fork's analysis after declaration edits."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obligraph.graph.analysis import AnalysisCache, analyze
from obligraph.graph.analysis.result import RESULT_ARRAYS
from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Layer
from tests.strategies import AS_OF, CONTROLS, chains, declarations


@st.composite
def edits(draw, chain: Chain, step: int):
    nodes = list(chain.graph.nodes)
    node = draw(st.sampled_from(nodes))
    kind = draw(st.sampled_from(["declare", "undeclare", "update_node", "add_node", "remove_node", "edge"]))
    declaration = draw(declarations())
    if kind == "declare":
        return lambda c: c.declare(node, declaration)
    if kind == "undeclare":
        control = draw(st.sampled_from(CONTROLS))
        return lambda c: c.undeclare(node, control) if control in c.declarations(node) else None
    if kind == "update_node":
        layer = draw(st.sampled_from(list(Layer)))
        return lambda c: c.update_node({**c.node(node).model_dump(), "name": "changed", "layer": layer})
    if kind == "add_node":
        return lambda c: c.add_node({"id": f"extra{step}", "layer": "saas", "declarations": [declaration]})
    if kind == "remove_node":
        return lambda c: c.remove_node(node)
    other = draw(st.sampled_from(nodes))
    if other == node:
        return lambda c: None
    if chain.graph.has_edge(node, other):
        return lambda c: c.update_edge({"provider": node, "consumer": other, "responsibility": {"10.5.1": "customer"}})
    return lambda c: c.add_edge({"provider": node, "consumer": other, "notes": "new"})


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), document=chains())
def test_a_fork_is_edited_alone_and_borrows_the_analysis_of_its_origin(data, document):
    chain = Chain.from_dict({**document, "controls": CONTROLS})
    cache = AnalysisCache()
    cache.analyze(chain, as_of=AS_OF)
    before = chain.to_dict()
    fork, copy = chain.fork(), chain.copy()
    for step in range(data.draw(st.integers(1, 5))):
        if not len(fork):
            break
        edit = data.draw(edits(fork, step))
        edit(fork)
        edit(copy)
    assert chain.to_dict() == before
    assert fork.to_dict() == copy.to_dict()
    served = cache.analyze(fork, as_of=AS_OF)
    fresh = analyze(Chain.from_dict(fork.to_dict()), as_of=AS_OF)
    for name in RESULT_ARRAYS:
        assert np.array_equal(getattr(served, name), getattr(fresh, name)), name


def test_two_forks_edited_differently_never_lend_to_each_other():
    chain = Chain.from_dict(
        {
            "format": "obligraph/chain@1",
            "name": "x",
            "controls": ["10.5.1"],
            "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "app", "layer": "saas"}],
            "edges": [{"provider": "iaas", "consumer": "app"}],
        }
    )
    first, second = chain.fork(), chain.fork()
    first.declare("iaas", {"control": "10.5.1", "status": "verified", "evidence": [{"kind": "contract", "ref": "x"}]})
    second.declare("iaas", {"control": "10.5.1", "status": "partial"})
    assert first.revision != second.revision
    assert second.changes_since(first.revision) is None
    assert sorted(second.changes_since(chain.revision)) == ["10.5.1"]
