"""Drawing the map node by node (the whole chain, or a focus node's neighbourhood) through pyvis:
node and edge attributes, layer colours, gap states and the vis-network options, handed out as plain dicts."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
from pyvis.network import Network

from obligraph.graph.analysis import Analysis
from obligraph.graph.analysis.engine import KIND_NAMES
from obligraph.graph.chain import Chain
from obligraph.graph.viz.layout import layered_positions

#: Up to this many nodes physics stays on (with each node's layer row pinned); above, positions are final.
PHYSICS_UP_TO = 60

LAYER_COLOURS = {
    "infra": "#8d6e63",
    "iaas": "#1e88e5",
    "paas": "#43a047",
    "saas": "#fb8c00",
    "customer": "#8e24aa",
}
#: Border colour by gap state, so the fill keeps the layer colour.
GAP_BORDERS = {"none": "#2e7d32", "inherited": "#f9a825", "origin": "#c62828"}
#: Kinds that make a node an origin of gaps (its own part is missing, or it sits in a delegation loop).
ORIGIN_KINDS = frozenset({"origin", "mixed", "circular"})
KIND_LIST = [KIND_NAMES[code] for code in sorted(KIND_NAMES)]


def _gap_counts(analysis: Analysis) -> np.ndarray:
    return analysis.gap_mask.sum(axis=1)


def _node_gaps(analysis: Analysis, v: int) -> list[list[int]]:
    """One node's gaps as ``[control index, kind index]`` pairs (for the page's filters).

    Per drawn node only: at 100k nodes the chain has millions of gaps, and listing them all for
    an aggregated map of a few hundred groups was most of its time."""
    ks = np.flatnonzero(analysis.gap_mask[v])
    return [[int(k), _KIND_INDEX[int(analysis.kind[v, k])]] for k in ks]


_KIND_INDEX = {code: i for i, code in enumerate(sorted(KIND_NAMES))}


def _gap_state(kinds: set[str]) -> str:
    if not kinds:
        return "none"
    return "origin" if kinds & ORIGIN_KINDS else "inherited"


def _dependents(graph: nx.DiGraph) -> dict[str, int]:
    """How many nodes depend on each node, directly or not (its descendants: edges run provider -> consumer)."""
    condensed = nx.condensation(graph)  # cycles collapse, so the count is a sum over a DAG
    members = condensed.graph["mapping"]
    below: dict[int, set[int]] = {}
    for c in reversed(list(nx.topological_sort(condensed))):
        reach: set[int] = set()
        for d in condensed.successors(c):
            reach |= below[d] | {d}
        below[c] = reach
    size = {c: len(condensed.nodes[c]["members"]) for c in condensed.nodes}
    return {
        node: sum(size[d] for d in below[members[node]]) + size[members[node]] - 1 for node in graph.nodes
    }


def _full(chain: Chain, analysis: Analysis, keep: list[str] | None = None) -> dict[str, Any]:
    graph = chain.graph if keep is None else chain.graph.subgraph(keep)
    layer_of = {node: chain.layer(node).value for node in graph.nodes}
    positions = layered_positions(graph, layer_of)
    dependents = _dependents(graph) if len(graph) else {}
    counts = _gap_counts(analysis)
    physics = len(graph) <= PHYSICS_UP_TO
    net = Network(directed=True, cdn_resources="local")
    for node in graph.nodes:
        _add_node(net, chain, analysis, counts, node, positions[node], dependents[node], physics=physics,
                  dependents=dependents[node])  # fmt: skip
    edges = chain.edges() if keep is None else [(u, v) for u, v in chain.edges() if graph.has_edge(u, v)]
    for provider, consumer in edges:
        _add_edge(net, chain, provider, consumer)
    net.options = _options(physics)
    return _network_dicts(net)


def _add_node(
    net: Network,
    chain: Chain,
    analysis: Analysis,
    counts: np.ndarray,
    node: str,
    position: tuple[float, float],
    weight: int,
    *,
    physics: bool,
    **extra: Any,
) -> None:
    """One chain node; ``weight`` (how many depend on it) sets its size."""
    attrs = chain.graph.nodes[node]
    v = analysis.compiled.node_index[node]
    gaps = _node_gaps(analysis, v)
    state = _gap_state({KIND_LIST[kind] for _, kind in gaps})
    layer = chain.layer(node).value
    label = attrs["name"] or node
    net.add_node(
        node,
        label=label,
        title=f"{label} ({node})\nlayer: {layer}\norg: {attrs['org'] or '-'}\ngaps: {int(counts[v])}",
        x=position[0],
        y=position[1],
        size=12 + 4 * float(np.sqrt(weight)),
        color={"background": LAYER_COLOURS[layer], "border": GAP_BORDERS[state]},
        borderWidth=1 if state == "none" else 4,
        shape="dot",
        fixed={"x": False, "y": True} if physics else True,
        # Extra fields the page reads (vis-network ignores them).
        layer=layer,
        org=attrs["org"],
        gap_state=state,
        gap_count=int(counts[v]),
        gaps=gaps,
        **extra,
    )


def _add_edge(net: Network, chain: Chain, provider: str, consumer: str) -> None:
    criticality = chain.graph.edges[provider, consumer]["criticality"]
    net.add_edge(
        provider,
        consumer,
        id=edge_id(provider, consumer),
        title=f"{provider} \u2192 {consumer}" + (f" (criticality: {criticality.value})" if criticality else ""),
        color={"color": "#9e9e9e"},
        width=2 if criticality is not None and criticality.value == "high" else 1,
    )


def edge_id(provider: str, consumer: str) -> str:
    """Node ids cannot contain '>', so this is unique per edge."""
    return f"{provider}>{consumer}"


def _options(physics: bool) -> dict[str, Any]:
    return {
        "physics": {"enabled": physics, "stabilization": {"iterations": 150}},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "smooth": False},
        "nodes": {"font": {"size": 14}},
        "layout": {"improvedLayout": False},  # positions come from the server
    }


def _network_dicts(net: Network) -> dict[str, Any]:
    nodes, edges, _heading, _height, _width, _options_json = net.get_network_data()
    return {"nodes": [_plain(n) for n in nodes], "edges": [_plain(e) for e in edges], "options": net.options}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars to Python numbers, so the data is JSON."""
    return {key: (value.item() if isinstance(value, np.generic) else value) for key, value in item.items()}
