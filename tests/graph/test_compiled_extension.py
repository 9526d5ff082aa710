"""Added nodes and edges are compiled on top of the arrays a chain already has (``extend_compiled``):
the result is the whole chain compiled from scratch, whatever edits came between."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obligraph.graph import compiled as compiled_module
from obligraph.graph.analysis import AnalysisCache, analyze
from obligraph.graph.analysis.result import RESULT_ARRAYS
from obligraph.graph.chain import Chain
from obligraph.graph.compiled import CompiledChain, compile_chain, extend_compiled
from obligraph.graph.lattice import Layer
from tests.strategies import AS_OF, CONTROLS, chains, declarations, responsibilities

SPARSE_GROUPS = {
    "verified": ("verified_node", "verified_col"),
    "window": ("window_node", "window_col", "window_first", "window_last"),
    "not_applicable": ("not_applicable_node", "not_applicable_col"),
    "assign": ("assign_node", "assign_col", "assign_value"),
    "override": ("override_edge", "override_col", "override_value"),
}
SPARSE_FIELDS = {name for group in SPARSE_GROUPS.values() for name in group}


def assert_same_compiled(got: CompiledChain, want: CompiledChain) -> None:
    """Field by field; the sparse lists as sets of rows (a declaration patch moves its node's rows to the end)."""
    for field in dataclasses.fields(CompiledChain):
        if field.name in SPARSE_FIELDS or field.name in ("sweep", "_src_layer"):
            continue
        _assert_same(getattr(got, field.name), getattr(want, field.name), field.name)
    # The sweep order is built on demand, from the one extended when that one was built.
    _assert_same(got.structure, want.structure, "structure")
    _assert_same(got.src_layer, want.src_layer, "src_layer")
    for group, names in SPARSE_GROUPS.items():
        rows = [sorted(zip(*(getattr(c, name).tolist() for name in names))) for c in (got, want)]
        assert rows[0] == rows[1], group
        for name in names:
            assert getattr(got, name).dtype == getattr(want, name).dtype, name


def _assert_same(got, want, where: str) -> None:
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want), where
    elif dataclasses.is_dataclass(want):
        for field in dataclasses.fields(want):
            _assert_same(getattr(got, field.name), getattr(want, field.name), f"{where}.{field.name}")
    elif isinstance(want, list) and want and dataclasses.is_dataclass(want[0]):
        assert len(got) == len(want), where
        for i, (a, b) in enumerate(zip(got, want)):
            _assert_same(a, b, f"{where}[{i}]")
    else:
        assert got == want, where


@st.composite
def edits(draw, chain: Chain, step: int):
    """Mostly additions (the extended path), with every other kind of edit among them."""
    nodes = chain.node_ids()
    node = draw(st.sampled_from(nodes))
    kind = draw(
        st.sampled_from(
            ["add_node", "add_node", "add_edge", "add_edge", "declare", "undeclare", "update_node", "other"]
        )
    )
    if kind == "add_node":
        layer = draw(st.sampled_from(list(Layer)))
        decls = draw(st.lists(declarations(), max_size=3, unique_by=lambda d: d["control"]))
        return lambda c: c.add_node({"id": f"added{step}", "layer": layer, "declarations": decls})
    if kind == "declare":
        declaration = draw(declarations())
        return lambda c: c.declare(node, declaration)
    if kind == "undeclare":
        control = draw(st.sampled_from(CONTROLS))
        return lambda c: c.undeclare(node, control) if control in c.declarations(node) else None
    if kind == "update_node":
        layer = draw(st.sampled_from([None, *Layer]))
        return lambda c: c.update_node(
            {**c.node(node).model_dump(), "name": "changed", **({"layer": layer} if layer else {})}
        )
    other = draw(st.sampled_from(nodes))
    if kind == "add_edge":
        override = draw(st.dictionaries(st.sampled_from(CONTROLS), responsibilities.map(lambda r: r.value), max_size=2))
        if other == node or (node, other) in chain.edge_attributes():
            return lambda c: None
        return lambda c: c.add_edge({"provider": node, "consumer": other, "responsibility": override})
    if (node, other) in chain.edge_attributes():
        return draw(
            st.sampled_from(
                [lambda c: c.remove_edge(node, other), lambda c: c.update_edge({"provider": node, "consumer": other})]
            )
        )
    return lambda c: c.remove_node(node) if len(c) > 1 else None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), document=chains())
def test_arrays_kept_through_edits_equal_a_compile_from_scratch(data, document):
    chain = Chain.from_dict({**document, "controls": CONTROLS})
    cache = AnalysisCache()
    for step in range(data.draw(st.integers(1, 8))):
        if data.draw(st.booleans()):
            chain.compiled()
            cache.analyze(chain, as_of=AS_OF)
        data.draw(edits(chain, step))(chain)
    assert_same_compiled(chain.compiled(), compile_chain(chain))
    served = cache.analyze(chain, as_of=AS_OF)
    fresh = analyze(Chain.from_dict(chain.to_dict()), as_of=AS_OF)
    for name in RESULT_ARRAYS:
        assert np.array_equal(getattr(served, name), getattr(fresh, name)), name


def _demo() -> Chain:
    return Chain.from_dict(
        {
            "format": "obligraph/chain@1",
            "name": "demo",
            "nodes": [
                {"id": "iaas", "layer": "iaas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
                {"id": "app", "layer": "saas"},
            ],
            "edges": [{"provider": "iaas", "consumer": "app"}],
        }
    )


def test_added_nodes_and_edges_read_only_the_new_rows(monkeypatch):
    chain = _demo()
    before = chain.compiled()
    read: list[int] = []
    node_rows = compiled_module._node_rows
    monkeypatch.setattr(
        compiled_module,
        "_node_rows",
        lambda attrs, catalog, first: read.append(len(attrs)) or node_rows(attrs, catalog, first),
    )
    monkeypatch.setattr(compiled_module, "compile_chain", lambda chain: pytest.fail("compiled the whole chain"))
    chain.add_node({"id": "crm", "layer": "saas", "declarations": [{"control": "9.1.1", "status": "verified"}]})
    chain.add_edge({"provider": "iaas", "consumer": "crm", "responsibility": {"10.5.1": "customer"}})
    chain.add_edge({"provider": "app", "consumer": "crm"})
    after = chain.compiled()
    assert read == [1]
    assert after is not before and before.n == 2 and before.src.size == 1, "the arrays before are left as they were"
    assert after.node_ids == ["iaas", "app", "crm"]
    assert after.override_edge.tolist() == [1]


def test_a_declaration_of_a_node_added_since_is_compiled_with_its_row():
    chain = _demo()
    chain.compiled()
    chain.add_node({"id": "crm", "layer": "saas"})
    chain.declare("crm", {"control": "9.1.1", "status": "partial"})
    assert_same_compiled(chain.compiled(), compile_chain(chain))


def test_a_chain_that_no_longer_starts_with_the_compiled_nodes_is_refused():
    chain = _demo()
    before = chain.compiled()
    other = Chain.from_dict({**chain.to_dict(), "nodes": chain.to_dict()["nodes"][::-1]})
    other.add_node({"id": "crm", "layer": "saas"})
    with pytest.raises(ValueError, match="compile it again"):
        extend_compiled(before, other)


def test_compiling_after_additions_leaves_the_sweep_order_to_the_first_analysis(monkeypatch):
    """An import's warnings read the compiled arrays under the workspace's write lock: ordering the
    whole graph for the sweep waits for the first analysis, outside it."""
    from obligraph.graph import sweep
    from obligraph.graph.checks import chain_warnings

    chain = _demo()
    chain.declare("iaas", {"control": "9.1.1", "status": "not_applicable"})
    analyze(chain, as_of=AS_OF)
    built: list[str] = []
    for name in ("build_structure", "extend_structure"):
        original = getattr(sweep, name)
        monkeypatch.setattr(sweep, name, lambda *args, _name=name, _f=original: built.append(_name) or _f(*args))
    chain.add_node({"id": "crm", "layer": "saas"})
    chain.add_edge({"provider": "iaas", "consumer": "crm"})
    chain.add_edge({"provider": "crm", "consumer": "app"})  # crm gets an edge out: the order is rebuilt
    warnings = chain_warnings(chain)
    assert built == []
    assert [w.location for w in warnings] == ["nodes[0].declarations[1].status"]
    assert_same_compiled(chain.compiled(), compile_chain(chain))
    assert built.count("build_structure") >= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains(), data=st.data())
def test_delegations_found_by_a_scan_are_those_the_sweep_order_gives(document, data):
    compiled = compile_chain(Chain.from_dict({**document, "controls": CONTROLS}))
    nodes = np.array(data.draw(st.lists(st.integers(0, compiled.n - 1), max_size=12)), dtype=np.int64)
    columns = st.integers(0, compiled.default.shape[1] - 1)  # catalog columns
    cols = np.array(data.draw(st.lists(columns, min_size=nodes.size, max_size=nodes.size)), dtype=np.int64)
    scanned = compiled.delegations(nodes, cols)
    compiled.structure  # built now: delegations walk it from here on
    walked = compiled.delegations(nodes, cols)
    assert sorted(zip(*(a.tolist() for a in scanned))) == sorted(zip(*(a.tolist() for a in walked)))
