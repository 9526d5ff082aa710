"""How a chain holds its data: two plain dicts, a networkx graph built on demand and kept in step,
plain edges and declarations checked as columns, the compile done over all declarations at once."""

from __future__ import annotations

import copy
import gc

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obligraph.graph import chain as chain_module
from obligraph.graph import collector
from obligraph.graph.chain import Chain
from obligraph.graph.compiled import SparseCells, _declared_cells, _fill_node
from obligraph.graph.errors import ChainError
from obligraph.graph.schema import DECLARATION_FIELDS, EVIDENCE_FIELDS, dump_item, parse_declaration
from tests.graph.formats.strategies import rich_chains
from tests.graph.test_chain_fork import edits
from tests.strategies import CONTROLS, chains


def _graph_facts(chain: Chain) -> tuple[list, list]:
    graph = chain.graph
    nodes = [(node, dict(attrs)) for node, attrs in graph.nodes(data=True)]
    edges = sorted((u, v, repr(sorted(attrs.items()))) for u, v, attrs in graph.edges(data=True))
    return nodes, edges


def _model_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``from_dict`` validate every edge and declaration as a model, the way a malformed document is."""
    monkeypatch.setattr(chain_module, "split_plain_edges", lambda edges: None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), document=chains(), built_first=st.booleans())
def test_the_graph_agrees_with_the_chain_whether_built_before_or_after_edits(data, document, built_first):
    chain = Chain.from_dict({**document, "controls": CONTROLS})
    if built_first:
        assert chain.graph.number_of_nodes() == len(chain)
    for step in range(data.draw(st.integers(1, 5))):
        if not len(chain):
            break
        data.draw(edits(chain.copy(), step))(chain)  # drawn on a copy: drawing builds the copy's graph
    assert (chain._graph is not None) == built_first
    rebuilt = Chain.from_dict(chain.to_dict())
    assert _graph_facts(chain) == _graph_facts(rebuilt)
    assert chain.graph.number_of_edges() == chain.number_of_edges() == len(chain.edges())
    assert list(chain.graph.nodes) == chain.node_ids()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains())
def test_a_fork_of_a_chain_with_its_graph_built_keeps_its_own_graph(document):
    chain = Chain.from_dict(document)
    chain.graph  # noqa: B018 - built on purpose
    fork = chain.fork()
    node = chain.node_ids()[0]
    fork.add_node({"id": "added", "layer": "saas"})
    fork.add_edge({"provider": node, "consumer": "added"})
    assert "added" not in chain.graph and "added" not in chain
    assert fork.graph.has_edge(node, "added") and not chain.graph.has_edge(node, "added")
    assert fork.graph.nodes["added"] is fork.node_attributes()["added"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains())
def test_column_checks_build_the_same_chain_as_models_one_by_one(document):
    quick = Chain.from_dict(document)
    with pytest.MonkeyPatch.context() as patch:
        _model_path(patch)
        thorough = Chain.from_dict(document)
    assert quick.to_dict() == thorough.to_dict()
    for name in ("own", "declared", "src", "dst", "window_first", "assign_value", "override_value"):
        assert np.array_equal(getattr(quick.compiled(), name), getattr(thorough.compiled(), name)), name


def _document(nodes: list, edges: list) -> dict:
    return {"format": "obligraph/chain@1", "name": "t", "nodes": nodes, "edges": edges}


_NODES = [
    {"id": "infra", "layer": "infra"},
    {"id": "cloud", "layer": "iaas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
    {"id": "app", "layer": "saas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
    {"id": "org", "layer": "customer"},
]
_EDGES = [
    {"provider": "infra", "consumer": "cloud"},
    {"provider": "cloud", "consumer": "app", "criticality": "high"},
    {"provider": "app", "consumer": "org"},
]

MALFORMED = {
    "plain edge to an unknown node": _document(_NODES, [*_EDGES, {"provider": "app", "consumer": "orgg"}]),
    "plain edge repeating a richer one": _document(_NODES, [*_EDGES, {"provider": "cloud", "consumer": "app"}]),
    "plain edge to itself": _document(_NODES, [*_EDGES, {"provider": "org", "consumer": "org"}]),
    "plain edge with a number for an end": _document(_NODES, [*_EDGES, {"provider": 7, "consumer": "org"}]),
    "plain edge with a list for an end": _document(_NODES, [*_EDGES, {"provider": ["app"], "consumer": "org"}]),
    "two-key edge without a consumer": _document(_NODES, [*_EDGES, {"provider": "app", "notes": "x"}]),
    "edge that is a string": _document(_NODES, [*_EDGES, "ab"]),
    "richer edge with an unknown control": _document(
        _NODES, [*_EDGES, {"provider": "infra", "consumer": "app", "responsibility": {"99.9": "customer"}}]
    ),
    "plain declaration with a bad status": _document(
        [*_NODES, {"id": "x", "layer": "saas", "declarations": [{"control": "10.5.1", "status": "done"}]}], _EDGES
    ),
    "plain declaration of an unknown control": _document(
        [*_NODES, {"id": "x", "layer": "saas", "declarations": [{"control": "99.9", "status": "declared"}]}], _EDGES
    ),
    "plain declaration with a list for a control": _document(
        [*_NODES, {"id": "x", "layer": "saas", "declarations": [{"control": ["10.5.1"], "status": "declared"}]}],
        _EDGES,
    ),
    "control declared twice": _document(
        [
            *_NODES,
            {
                "id": "x",
                "layer": "saas",
                "declarations": [
                    {"control": "10.5.1", "status": "declared"},
                    {"control": "10.5.1", "status": "partial"},
                ],
            },
        ],
        _EDGES,
    ),
    "node id repeated": _document([*_NODES, {"id": "app", "layer": "paas"}], _EDGES),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_document_gets_the_messages_of_the_item_by_item_checks(case, monkeypatch):
    with pytest.raises(ChainError) as quick:
        Chain.from_dict(MALFORMED[case])
    _model_path(monkeypatch)
    with pytest.raises(ChainError) as thorough:
        Chain.from_dict(MALFORMED[case])
    assert str(quick.value) == str(thorough.value)
    assert "item by item" not in str(quick.value)


def test_the_unknown_end_of_the_fourth_edge_is_named_at_its_place():
    with pytest.raises(ChainError) as caught:
        Chain.from_dict(MALFORMED["plain edge to an unknown node"])
    assert "edges[3].consumer" in str(caught.value) and "did you mean 'org'?" in str(caught.value)


def test_identical_plain_declarations_are_one_object_and_edits_stay_with_their_node():
    chain = Chain.from_dict(_document(_NODES, _EDGES))
    assert chain.declarations("cloud")["10.5.1"] is chain.declarations("app")["10.5.1"]
    chain.declare("app", {"control": "10.5.1", "status": "partial"})
    assert chain.declarations("cloud")["10.5.1"].status.value == "declared"
    assert chain.declarations("app")["10.5.1"].status.value == "partial"


def test_loading_and_compiling_do_not_build_the_graph():
    chain = Chain.from_dict(_document(_NODES, _EDGES))
    chain.compiled()
    chain.to_dict()
    assert chain._graph is None
    assert chain.graph.has_edge("infra", "cloud")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains())
def test_declarations_compiled_at_once_match_node_by_node(document):
    chain = Chain.from_dict(document)
    catalog = chain.catalog
    n, c = len(chain), len(catalog)
    attributes = list(chain.node_attributes().values())
    own_all, declared_all = np.zeros((n, c), np.uint8), np.zeros((n, c), bool)
    together = _declared_cells(attributes, catalog.index, own_all, declared_all)
    own_each, declared_each, apart = np.zeros((n, c), np.uint8), np.zeros((n, c), bool), SparseCells()
    for i, attrs in enumerate(attributes):
        _fill_node(i, attrs["declarations"], catalog.index, own_each, declared_each, apart)
    assert np.array_equal(own_all, own_each) and np.array_equal(declared_all, declared_each)
    assert vars(together) == vars(apart)


def test_a_large_paused_block_is_frozen_out_of_the_collectors_reach(monkeypatch):
    monkeypatch.setattr(collector, "FREEZE_ABOVE", 0)
    assert gc.isenabled()
    before = gc.get_freeze_count()
    try:
        with collector.collector_paused():
            held = [[i] for i in range(1000)]
            assert not gc.isenabled()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before + len(held)
    finally:
        gc.unfreeze()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains())
def test_node_and_edge_documents_are_the_models_dumps_key_for_key(document):
    chain = Chain.from_dict(document)
    for node_document in chain.node_documents():
        expected = chain_module._dump(chain.node(node_document["id"]))
        assert orjson.dumps(node_document) == orjson.dumps(expected)
    for edge_document in chain.edge_documents():
        expected = chain_module._dump(chain.edge(edge_document["provider"], edge_document["consumer"]))
        assert orjson.dumps(edge_document) == orjson.dumps(expected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=rich_chains())
def testdeclaration_documents_are_the_models_dumps_key_for_key(document):
    chain = Chain.from_dict(document)
    for node_id in chain.node_ids():
        for declaration in chain.declarations(node_id).values():
            expected = dump_item(declaration)
            if not expected["evidence"]:
                del expected["evidence"]
            assert orjson.dumps(chain_module.declaration_document(declaration)) == orjson.dumps(expected)


def test_every_evidence_field_is_written():
    item = {
        "kind": "certification",
        "ref": "ISO 27001 cert 42",
        "issued": "2026-01-01",
        "expires": "2028-12-31",
        "independence": "third_party",
        "scope": ["10.5", "6.1.3"],
        "url": "https://example.org/cert/42",
        "notes": "surveillance audit passed",
    }
    declaration = parse_declaration({"control": "10.5.1", "status": "verified", "evidence": [item]})
    assert list(EVIDENCE_FIELDS) == list(item)  # a new field must be added to _evidence_document too
    assert list(DECLARATION_FIELDS) == ["control", "status", "evidence", "assigns", "notes"]
    written = chain_module.declaration_document(declaration)
    assert orjson.dumps(written) == orjson.dumps(dump_item(declaration))


def test_node_documents_share_no_declaration_dict():
    chain = Chain.from_dict(_document(_NODES, _EDGES))
    cloud, app = (doc for doc in chain.node_documents() if doc["id"] in ("cloud", "app"))
    cloud["declarations"][0]["status"] = "partial"
    assert app["declarations"][0]["status"] == "declared"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains())
def test_a_consumed_document_gives_the_same_chain_and_an_unconsumed_one_is_left_alone(document):
    before = copy.deepcopy(document)
    kept = Chain.from_dict(document)
    assert document == before
    consumed = Chain.from_dict(copy.deepcopy(document), consume=True)
    assert consumed.to_dict() == kept.to_dict()


def test_a_consumed_malformed_document_gets_the_same_messages():
    case = MALFORMED["plain edge to an unknown node"]
    with pytest.raises(ChainError) as kept:
        Chain.from_dict(copy.deepcopy(case))
    with pytest.raises(ChainError) as consumed:
        Chain.from_dict(copy.deepcopy(case), consume=True)
    assert str(kept.value) == str(consumed.value)
