"""The chain as flat attributes for graph tools (GraphML, GEXF, node-link, Cytoscape).

Graph tools hold scalars only, so lists and mappings (declarations, per-control responsibility,
the controls list) become compact JSON strings, every key keeps one type (strings, except the gap
counts, which are ints) and a missing value is left out rather than written as None. With an
analysis, each node also carries its gap counts, total and by kind (derived data: readers ignore it).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterator

import networkx as nx

from obligraph.graph.chain import Chain
from obligraph.graph.formats._common import GAP_KINDS, gap_counts

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis

#: (node id, attributes) in document order.
FlatNodes = Iterator[tuple[str, dict[str, Any]]]
#: (provider, consumer, attributes) in document order.
FlatEdges = Iterator[tuple[str, str, dict[str, Any]]]

GRAPH_KEYS = ("format", "name", "description", "catalog", "requirement", "controls")
NODE_KEYS = ("name", "layer", "org", "description", "declarations")
EDGE_KEYS = ("responsibility", "criticality", "notes")
COUNT_KEYS = ("gaps",) + tuple(f"gaps_{kind}" for kind in GAP_KINDS)
#: Keys whose value is JSON text inside the graph file.
JSON_KEYS = frozenset({"controls", "declarations", "responsibility"})


def flatten(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def graph_attributes(chain: Chain) -> dict[str, Any]:
    return {key: flatten(value) for key, value in chain.head_document().items()}


def node_attributes(document: dict[str, Any], counts: dict[str, int] | None = None) -> dict[str, Any]:
    """Flat attributes of one node document (its id excluded), plus its gap counts when given."""
    attrs = {key: flatten(document[key]) for key in NODE_KEYS if key in document}
    if counts:
        attrs.update(counts)
    return attrs


def edge_attributes(document: dict[str, Any]) -> dict[str, Any]:
    return {key: flatten(document[key]) for key in EDGE_KEYS if key in document}


def flat_items(chain: Chain, analysis: Analysis | None = None) -> tuple[FlatNodes, FlatEdges]:
    """(node id, attrs) pairs and (provider, consumer, attrs) triples, in document order, one at a time."""
    counts = gap_counts(analysis) if analysis is not None else {}
    nodes = ((doc["id"], node_attributes(doc, counts.get(doc["id"]))) for doc in chain.node_documents())
    edges = ((doc["provider"], doc["consumer"], edge_attributes(doc)) for doc in chain.edge_documents())
    return nodes, edges


def flat_graph(chain: Chain, analysis: Analysis | None = None) -> nx.DiGraph[str]:
    """A ``networkx.DiGraph`` with only scalar attributes, ready for networkx's writers."""
    graph: nx.DiGraph[str] = nx.DiGraph(**graph_attributes(chain))
    nodes, edges = flat_items(chain, analysis)
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return graph
