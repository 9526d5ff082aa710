"""After nodes and edges are added, an analysis recomputes only the rows they can change
(``analysis/appended.py``); its results must be a fresh analysis's, cell for cell."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obligraph.graph.analysis import AnalysisCache, analyze
from obligraph.graph.analysis import appended as appended_module
from obligraph.graph.analysis import result as result_module
from obligraph.graph.analysis.result import RESULT_ARRAYS, Analysis
from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Layer, Status
from tests.strategies import AS_OF, CONTROLS, chains, declarations, responsibilities


def assert_same_as_fresh(served: Analysis, chain: Chain, requirement: Status) -> None:
    fresh = analyze(Chain.from_dict(chain.to_dict()), requirement=requirement, as_of=AS_OF, controls=CONTROLS)
    for name in RESULT_ARRAYS:
        assert np.array_equal(getattr(served, name), getattr(fresh, name)), name
    for gap in fresh.gaps():
        assert served.root_causes(gap.node, gap.control) == fresh.root_causes(gap.node, gap.control)
        assert served.blockers(gap.node, gap.control) == fresh.blockers(gap.node, gap.control)


@st.composite
def additions(draw, chain: Chain, step: int):
    """An added node (any layer, any declarations) or an added edge between any two nodes (into a
    new node, from a root, closing a cycle, with overrides), now and then a declaration edit."""
    nodes = chain.node_ids()
    kind = draw(st.sampled_from(["node", "edge", "edge", "edge", "declare"]))
    if kind == "node":
        layer = draw(st.sampled_from(list(Layer)))
        decls = draw(st.lists(declarations(), max_size=3, unique_by=lambda d: d["control"]))
        return lambda c: c.add_node({"id": f"added{step}", "layer": layer, "declarations": decls})
    provider = draw(st.sampled_from(nodes))
    if kind == "declare":
        declaration = draw(declarations())
        return lambda c: c.declare(provider, declaration)
    consumer = draw(st.sampled_from(nodes))
    if provider == consumer or (provider, consumer) in chain.edge_attributes():
        return lambda c: None
    override = draw(st.dictionaries(st.sampled_from(CONTROLS), responsibilities.map(lambda r: r.value), max_size=2))
    return lambda c: c.add_edge({"provider": provider, "consumer": consumer, "responsibility": override})


@pytest.fixture
def taken(monkeypatch):
    """How many analyses took the appended path (every one may: no share is too large here)."""
    monkeypatch.setattr(appended_module, "AFFECTED_SHARE", 1.0)
    calls = []
    original = appended_module.analyse_appended
    monkeypatch.setattr(result_module, "analyse_appended", lambda *a: calls.append(1) or original(*a))
    return calls


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), document=chains(), requirement=st.sampled_from(list(Status)))
def test_analysis_after_additions_equals_a_fresh_one(taken, data, document, requirement):
    chain = Chain.from_dict({**document, "controls": CONTROLS})
    cache = AnalysisCache()
    cache.analyze(chain, requirement=requirement, as_of=AS_OF)
    for step in range(data.draw(st.integers(1, 6))):
        data.draw(additions(chain, step))(chain)
        if data.draw(st.booleans()):
            served = cache.analyze(chain, requirement=requirement, as_of=AS_OF)
            assert_same_as_fresh(served, chain, requirement)
    served = cache.analyze(chain, requirement=requirement, as_of=AS_OF)
    assert_same_as_fresh(served, chain, requirement)


def _layered() -> Chain:
    """A root IaaS, a PaaS on it, two SaaS on that, one customer each, and a root that provides nothing."""
    nodes = [
        {"id": "iaas", "layer": "iaas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
        {"id": "paas", "layer": "paas", "declarations": [{"control": "10.5.1", "status": "not_applicable"}]},
        {"id": "crm", "layer": "saas"},
        {"id": "hr", "layer": "saas"},
        {"id": "shop", "layer": "customer"},
        {"id": "bank", "layer": "customer"},
        {"id": "spare", "layer": "iaas"},
    ]
    edges = [("iaas", "paas"), ("paas", "crm"), ("paas", "hr"), ("crm", "shop"), ("hr", "bank")]
    return Chain.from_dict(
        {
            "format": "obligraph/chain@1",
            "name": "layered",
            "controls": CONTROLS,
            "nodes": nodes,
            "edges": [{"provider": p, "consumer": c} for p, c in edges],
        }
    )


def _recomputed_nodes(monkeypatch) -> list[list[str]]:
    """The nodes of each part the appended path hands to the engine."""
    seen: list[list[str]] = []
    original = appended_module.analyse_block
    monkeypatch.setattr(
        appended_module, "analyse_block", lambda part, *a: seen.append(part.node_ids) or original(part, *a)
    )
    return seen


def test_a_new_consumer_is_recomputed_with_its_providers_values(monkeypatch, taken):
    chain = _layered()
    cache = AnalysisCache()
    cache.analyze(chain, as_of=AS_OF)
    seen = _recomputed_nodes(monkeypatch)
    chain.add_node({"id": "new", "layer": "customer"})
    chain.add_edge({"provider": "crm", "consumer": "new"})
    assert_same_as_fresh(cache.analyze(chain, as_of=AS_OF), chain, Status.DECLARED)
    assert seen == [["crm", "new"]] and taken == [1]


def test_an_edge_into_a_node_with_consumers_recomputes_everything_downstream(monkeypatch, taken):
    chain = _layered()
    cache = AnalysisCache()
    cache.analyze(chain, as_of=AS_OF)
    seen = _recomputed_nodes(monkeypatch)
    chain.add_edge({"provider": "spare", "consumer": "hr", "responsibility": {"10.5.1": "customer"}})
    assert_same_as_fresh(cache.analyze(chain, as_of=AS_OF), chain, Status.DECLARED)
    assert sorted(seen[0]) == ["bank", "hr", "paas", "spare"]


def test_a_root_that_gains_a_consumer_comes_into_scope(taken):
    chain = _layered()
    cache = AnalysisCache()
    before = cache.analyze(chain, as_of=AS_OF)
    assert before.gap("spare", "10.5.1") is None  # provides nothing: out of scope
    chain.add_node({"id": "new", "layer": "saas"})
    chain.add_edge({"provider": "spare", "consumer": "new"})
    after = cache.analyze(chain, as_of=AS_OF)
    assert after.gap("spare", "10.5.1") is not None
    assert_same_as_fresh(after, chain, Status.DECLARED)
    assert taken == [1]


def test_not_applicable_relied_on_by_a_new_consumer(taken):
    # crm declares 10.5.1 not applicable and hands it down to its one consumer: it counts as is.
    chain = Chain.from_dict(
        {
            "format": "obligraph/chain@1",
            "name": "na",
            "controls": CONTROLS,
            "nodes": [
                {"id": "crm", "layer": "saas", "declarations": [{"control": "10.5.1", "status": "not_applicable"}]},
                {"id": "shop", "layer": "customer"},
                {"id": "old", "layer": "customer"},
            ],
            "edges": [{"provider": "crm", "consumer": "old", "responsibility": {"10.5.1": "customer"}}],
        }
    )
    cache = AnalysisCache()
    before = cache.analyze(chain, as_of=AS_OF)
    assert before.own_status("crm", "10.5.1") is Status.NOT_APPLICABLE
    chain.add_edge({"provider": "crm", "consumer": "shop", "responsibility": {"10.5.1": "provider"}})
    after = cache.analyze(chain, as_of=AS_OF)
    assert after.own_status("crm", "10.5.1") is Status.UNKNOWN  # now relied on
    assert_same_as_fresh(after, chain, Status.DECLARED)
    assert taken == [1]


def test_an_edge_that_closes_a_cycle(taken):
    chain = _layered()
    cache = AnalysisCache()
    cache.analyze(chain, as_of=AS_OF)
    chain.add_edge({"provider": "shop", "consumer": "paas"})
    assert_same_as_fresh(cache.analyze(chain, as_of=AS_OF), chain, Status.DECLARED)
    assert taken == [1]


def test_additions_and_declaration_edits_together(taken):
    chain = _layered()
    cache = AnalysisCache()
    cache.analyze(chain, as_of=AS_OF)
    chain.add_node({"id": "new", "layer": "customer", "declarations": [{"control": "9.1.1", "status": "partial"}]})
    chain.declare("iaas", {"control": "9.1.1", "status": "declared"})
    chain.add_edge({"provider": "hr", "consumer": "new"})
    chain.declare("new", {"control": "10.5.1", "status": "declared"})
    assert_same_as_fresh(cache.analyze(chain, as_of=AS_OF), chain, Status.DECLARED)
    assert taken == [1]


def test_a_large_share_affected_is_analysed_whole(monkeypatch):
    chain = _layered()
    cache = AnalysisCache()
    cache.analyze(chain, as_of=AS_OF)
    monkeypatch.setattr(appended_module, "AFFECTED_ALWAYS", 0)
    seen = _recomputed_nodes(monkeypatch)
    chain.add_edge({"provider": "spare", "consumer": "iaas"})  # everything but spare is downstream
    assert_same_as_fresh(cache.analyze(chain, as_of=AS_OF), chain, Status.DECLARED)
    assert seen == []


def _chain(nodes: list[dict], edges: list[tuple[str, str]]) -> Chain:
    return Chain.from_dict(
        {
            "format": "obligraph/chain@1",
            "name": "small",
            "controls": CONTROLS,
            "nodes": nodes,
            "edges": [{"provider": p, "consumer": c} for p, c in edges],
        }
    )


def test_a_provider_in_a_pure_delegation_loop_passes_on_no_contributor(taken):
    # 9.1.1 is the provider's part on every layer: a and b hand it to each other and nobody does it.
    chain = _chain([{"id": "a", "layer": "paas"}, {"id": "b", "layer": "paas"}], [("a", "b"), ("b", "a")])
    cache = AnalysisCache()
    assert cache.analyze(chain, as_of=AS_OF).circular.any()
    chain.add_node({"id": "c", "layer": "saas", "declarations": [{"control": "9.1.1", "status": "declared"}]})
    chain.add_edge({"provider": "a", "consumer": "c"})
    after = cache.analyze(chain, as_of=AS_OF)
    assert after.effective_status("c", "9.1.1") is Status.DECLARED  # the loop contributes nothing
    assert_same_as_fresh(after, chain, Status.DECLARED)
    assert taken == [1]


def test_an_unaffected_providers_not_applicable_is_already_in_its_value(taken):
    # b's not_applicable is relied on by d, so it counts as unknown, and b passes on a's not_implemented.
    chain = _chain(
        [
            {"id": "a", "layer": "iaas", "declarations": [{"control": "9.1.1", "status": "not_implemented"}]},
            {"id": "b", "layer": "paas", "declarations": [{"control": "9.1.1", "status": "not_applicable"}]},
            {"id": "d", "layer": "saas"},
        ],
        [("a", "b"), ("b", "d")],
    )
    cache = AnalysisCache()
    cache.analyze(chain, as_of=AS_OF)
    chain.add_node({"id": "x", "layer": "iaas", "declarations": [{"control": "9.1.1", "status": "declared"}]})
    chain.add_edge({"provider": "x", "consumer": "d"})
    after = cache.analyze(chain, as_of=AS_OF)
    assert after.effective_status("d", "9.1.1") is Status.NOT_IMPLEMENTED
    assert_same_as_fresh(after, chain, Status.DECLARED)
    assert taken == [1]
