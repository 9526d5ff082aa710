"""Compiling a freshly loaded chain takes the edge ends ``from_dict`` found; after any edit it looks
them up again. Either way the arrays are the ones a chain without them compiles to."""

from __future__ import annotations

from pathlib import Path

import pytest

from obligraph.graph.chain import Chain
from obligraph.graph.document import read_document
from obligraph.graph.errors import ChainError

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "seed_data" / "examples").glob("*.yaml"))


def compiled_ends(chain: Chain) -> tuple[list[int], list[int]]:
    compiled = chain.compiled()
    return compiled.src.tolist(), compiled.dst.tolist()


def looked_up(chain: Chain) -> tuple[list[int], list[int]]:
    """The ends as a chain that never had loaded ones compiles them (a copy starts without)."""
    copy = chain.copy()
    assert copy.loaded_edge_ends() is None
    return compiled_ends(copy)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_a_loaded_chain_compiles_the_ends_it_was_loaded_with(path):
    chain = Chain.from_dict(read_document(path))
    loaded = chain.loaded_edge_ends()
    assert loaded is not None and loaded[0].size == chain.number_of_edges()
    expected = looked_up(chain)
    assert (loaded[0].tolist(), loaded[1].tolist()) == expected
    assert compiled_ends(chain) == expected
    assert chain.loaded_edge_ends() is None  # handed over to the compiled arrays


def test_a_fork_before_any_edit_shares_them_and_an_edit_drops_them():
    chain = Chain.from_dict(read_document(EXAMPLES[0]))
    fork = chain.fork()
    assert fork.loaded_edge_ends() is not None
    provider, consumer = next(iter(fork.edge_attributes()))
    fork.remove_edge(provider, consumer)
    assert fork.loaded_edge_ends() is None
    assert compiled_ends(fork) == looked_up(fork)
    assert chain.loaded_edge_ends() is not None  # the original is unchanged
    assert compiled_ends(chain) == looked_up(chain)


@pytest.mark.parametrize("edit", ["remove node", "add node and edge", "declare"])
def test_after_an_edit_the_ends_match_the_chain_as_it_is_now(edit):
    chain = Chain.from_dict(read_document(EXAMPLES[0]))
    first, second = list(chain.node_attributes())[:2]
    if edit == "remove node":
        chain.remove_node(first)
    elif edit == "add node and edge":
        chain.add_node({"id": "new-saas", "layer": "saas"})
        chain.add_edge({"provider": second, "consumer": "new-saas"})
    else:
        chain.declare(first, {"control": "10.5.1", "status": "declared"})
    assert chain.loaded_edge_ends() is None
    src, dst = compiled_ends(chain)
    assert (src, dst) == looked_up(chain)
    ids = list(chain.node_attributes())
    assert [(ids[u], ids[v]) for u, v in zip(src, dst)] == list(chain.edge_attributes())


def test_a_document_with_an_edge_to_a_missing_node_still_names_it():
    document = {
        "format": "obligraph/chain@1",
        "name": "demo",
        "nodes": [{"id": "iaas", "layer": "iaas"}],
        "edges": [{"provider": "iaas", "consumer": "nowhere"}, {"provider": "iaas", "consumer": "iaas"}],
    }
    with pytest.raises(ChainError, match=r"edges\[0\].*nowhere") as error:
        Chain.from_dict(document)
    assert "edges[1]" in str(error.value)  # the self-loop too, from the item-by-item check
