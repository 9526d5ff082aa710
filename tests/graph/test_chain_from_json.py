"""``Chain.from_json`` decodes a document's nodes, then its edges, a batch at a time: whatever the
batch size, it builds the chain ``from_dict`` builds, and refuses what ``from_dict`` refuses with the
same message."""

from __future__ import annotations

import functools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import obligraph.graph.chain as chain_module
from obligraph.graph.chain import Chain
from obligraph.graph.document import decoded_batches, split_json
from obligraph.graph.errors import ChainError
from tests.graph.formats.strategies import rich_chains
from tests.graph.test_typed_control_ids import doc as typed_doc


def facts(chain: Chain) -> tuple:
    ends = chain.loaded_edge_ends()
    return (
        chain.to_dict(),
        chain.node_ids(),
        chain.edges(),
        None if ends is None else (ends[0].tolist(), ends[1].tolist()),
    )


def batches_of(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain_module, "decoded_batches", functools.partial(decoded_batches, size=size))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=rich_chains(), batch=st.integers(1, 4))
def test_any_batch_size_builds_the_chain_from_dict_builds(document, batch):
    text = json.dumps(document)
    with pytest.MonkeyPatch.context() as monkeypatch:
        batches_of(batch, monkeypatch)
        parts = split_json(text.encode())
        assert parts is not None
        chain = Chain.from_json_parts(parts)
    assert chain is not None  # a valid document loads by its batches, never by the whole parse
    assert facts(chain) == facts(Chain.from_dict(json.loads(text)))


@pytest.mark.parametrize(
    "document",
    [
        typed_doc([{"control": "27002:2013/A.12.3.1", "status": "declared"}]),
        typed_doc(responsibility={"27002:2013/A.12.3.1": "customer"}, controls=["27002:2022/5.1"]),
    ],
    ids=["typed declaration", "typed override and controls"],
)
def test_typed_control_ids_become_catalog_ids_in_batches_too(monkeypatch, document):
    batches_of(1, monkeypatch)
    parts = split_json(json.dumps(document))
    assert parts is not None
    chain = Chain.from_json_parts(parts)
    assert chain is not None  # loaded by the batches, not by the whole document's checks
    assert facts(chain) == facts(Chain.from_dict(document))


def test_edges_are_keyed_by_the_nodes_own_id_strings():
    """No edge holds a string of its own: the edges' JSON objects are freed whole."""
    document = {
        "format": "obligraph/chain@1",
        "name": "t",
        "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "saas", "layer": "saas"}, {"id": "org", "layer": "customer"}],
        "edges": [
            {"provider": "iaas", "consumer": "saas"},
            {"provider": "saas", "consumer": "org", "responsibility": {"9.1.1": "customer"}},
        ],
    }
    chain = Chain.from_json(json.dumps(document))
    ids = {node_id: node_id for node_id in chain.node_ids()}
    for provider, consumer in chain.edges():
        assert provider is ids[provider] and consumer is ids[consumer]


def test_the_counts_are_heard_before_anything_is_checked():
    heard = []
    text = json.dumps(
        {
            "format": "obligraph/chain@1",
            "name": "t",
            "nodes": [{"id": "a", "layer": "iaas"}, {"id": "b", "layer": "saas"}],
            "edges": [{"provider": "a", "consumer": "b"}],
        }
    )
    parts = split_json(text)
    assert parts is not None
    assert Chain.from_json_parts(parts, on_count=lambda key, n: heard.append((key, n))) is not None
    assert heard == [("nodes", 2), ("edges", 1)]


def test_what_the_count_callback_raises_stops_the_load():
    class TooMany(Exception):
        pass

    def refuse(key: str, n: int) -> None:
        if key == "edges":
            raise TooMany(n)

    parts = split_json(b'{"format": "obligraph/chain@1", "name": "t", "nodes": [], "edges": [{"provider": 1}]}')
    assert parts is not None
    with pytest.raises(TooMany):
        Chain.from_json_parts(parts, on_count=refuse)


@pytest.mark.parametrize(
    "text",
    [
        "[1, 2]",
        '{"format": "obligraph/chain@1", "name": "t", "nodes": {"a": 1}}',
        '{"format": "obligraph/chain@1", "name": "t", "nodes": null}',
        '{"format": "obligraph/chain@1", "name": "t", "nodes": [{"id": "a", "layer": "iaas", "x": 1e999}]}',
        '{"format": "obligraph/chain@1", "name": "t", "nodes": [{"id": "a", "layer": "iaas"}], "edges": [[1]]}',
        '{"format": "obligraph/chain@1", "name": "t", "nodes": [{"id": "a", "layer": "iaas"}, {"id": "a",'
        ' "layer": "saas"}]}',
        '{"format": "obligraph/chain@1", "name": "t", "nodes": [{"id": "a", "layer": "iaas"}],'
        ' "edges": [{"provider": "a", "consumer": "b"}]}',
        '{"format": "obligraph/chain@1", "name": "t", "nodes": [{"id": "a", "layer": "iaas"}, {"id": "b",'
        ' "layer": "saas"}], "edges": [{"provider": "a", "consumer": "b"}, {"provider": "a", "consumer": "b"}]}',
        '{"format": "obligraph/chain@1", "name": "t", "nodes": [{"id": "a", "layer": "iaas", "declarations":'
        ' [{"control": "9.1.1", "status": "declared"}, {"control": "9.1.1", "status": "partial"}]}]}',
        '{"format": "obligraph/chain@1", "name": "t", "nodes": [{"id": "a", "layer": "iaas"}], "edges": [1]}',
        '{"format": "obligraph/chain@1", "name": "t", "nodes": [{"id": "a"',
        b'{"format": "obligraph/chain@1", "name": "t", "nodes": [{"id": "a", "layer": "iaas", "name": "\xff"}]}',
        b'{"format": "obligraph/chain@1", "name": "t", "nodes": [], "edges": [{"provider": "\xc3"}]}',
    ],
    ids=[
        "not an object",
        "nodes not a list",
        "nodes null",
        "a number out of range",
        "an edge that is a list",
        "a node id twice",
        "an edge to no node",
        "an edge twice",
        "a control twice in a node",
        "an edge that is a number",
        "cut short",
        "a node's text not UTF-8",
        "an edge's text not UTF-8",
    ],
)
def test_a_bad_document_gets_the_message_the_whole_parse_gives(text):
    with pytest.raises(ChainError) as whole:
        Chain.from_dict(chain_module.parse_document(text, "json"))
    with pytest.raises(ChainError) as batched:
        Chain.from_json(text)
    assert str(batched.value) == str(whole.value)
