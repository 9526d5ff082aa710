"""Drawing the map node by node (the whole chain, or a focus node's neighbourhood) through pyvis:
node and edge attributes, gap states and the vis-network options, handed out as plain dicts.

A node's fill and shape say its gap state (``graph.palette``), its band says its layer; the page
draws labels and gap-count badges itself (``static/map.js``) so it can wrap them to the slot the
layout gave them and hide the lower-priority one of two that would collide when zoomed out.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from pyvis.network import Network

from obligraph.graph import palette
from obligraph.graph.analysis import Analysis
from obligraph.graph.analysis.engine import KIND_NAMES
from obligraph.graph.chain import Chain
from obligraph.graph.viz.layout import MARKER_MAX, Placement, band_layout

#: Kept for callers of the old API: the map never runs physics now (positions are the layout's).
PHYSICS_UP_TO = 0

LAYER_COLOURS = {layer: palette.layer_hex(layer) for layer in palette.LAYERS}
#: Fill colour by gap state (the same as ``palette.GAP_STATE_COLOURS``).
GAP_BORDERS = dict(palette.GAP_STATE_COLOURS)
#: Kinds that make a node an origin of gaps (its own part is missing, or it sits in a delegation loop).
ORIGIN_KINDS = frozenset({"origin", "mixed", "circular"})
KIND_LIST = [KIND_NAMES[code] for code in sorted(KIND_NAMES)]


def _gap_counts(analysis: Analysis) -> NDArray[np.int64]:
    # numpy's stubs type an axis reduction as Any; a boolean mask sums to int64 counts.
    counts: NDArray[np.int64] = analysis.gap_mask.sum(axis=1)
    return counts


def _node_gaps(analysis: Analysis, v: int) -> list[list[int]]:
    """One node's gaps as ``[control index, kind index]`` pairs (for the page's filters).

    Per drawn node only: at 100k nodes the chain has millions of gaps, and listing them all for
    an aggregated map of a few hundred groups was most of its time."""
    ks = np.flatnonzero(analysis.gap_mask[v])
    return [[int(k), _KIND_INDEX[int(analysis.kind[v, k])]] for k in ks]


_KIND_INDEX = {code: i for i, code in enumerate(sorted(KIND_NAMES))}


def _gap_state(kinds: set[str]) -> str:
    return palette.gap_state(kinds)


def node_size(weight: int) -> float:
    """Marker radius from how many depend on the node, capped so rows keep their height."""
    return min(MARKER_MAX, 8 + 1.2 * float(np.sqrt(weight)))


def _dependents(graph: nx.DiGraph[str]) -> dict[str, int]:
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
    return {node: sum(size[d] for d in below[members[node]]) + size[members[node]] - 1 for node in graph.nodes}


def node_label(chain: Chain, node: str) -> str:
    return chain.graph.nodes[node]["name"] or node


def _full(chain: Chain, analysis: Analysis, keep: list[str] | None = None) -> dict[str, Any]:
    graph = chain.graph if keep is None else chain.graph.subgraph(keep)
    layer_of = {node: chain.layer(node).value for node in graph.nodes}
    placement = band_layout(
        graph,
        layer_of,
        {node: node_label(chain, node) for node in graph.nodes},
        {node: chain.graph.nodes[node]["org"] for node in graph.nodes},
    )
    dependents = _dependents(graph) if len(graph) else {}
    counts = _gap_counts(analysis)
    net = Network(directed=True, cdn_resources="local")
    for node in graph.nodes:
        _add_node(net, chain, analysis, counts, node, placement, dependents[node], dependents=dependents[node])
    edges = chain.edges() if keep is None else [(u, v) for u, v in chain.edges() if graph.has_edge(u, v)]
    for provider, consumer in edges:
        _add_edge(net, chain, provider, consumer, same_band=layer_of[provider] == layer_of[consumer])
    net.options = _options()
    return {**_network_dicts(net), "bands": placement.bands}


def _add_node(
    net: Network,
    chain: Chain,
    analysis: Analysis,
    counts: np.ndarray,
    node: str,
    placement: Placement,
    weight: int,
    **extra: Any,
) -> None:
    """One chain node; ``weight`` (how many depend on it) sets its size."""
    attrs = chain.graph.nodes[node]
    v = analysis.compiled.node_index[node]
    gaps = _node_gaps(analysis, v)
    state = _gap_state({KIND_LIST[kind] for _, kind in gaps})
    layer = chain.layer(node).value
    name = node_label(chain, node)
    x, y = placement.positions[node]
    net.add_node(
        node,
        label=name,  # dropped by _plain: the page draws the labels (see the module docstring)
        title=f"{name} ({node})\nlayer: {layer}\norg: {attrs['org'] or '-'}\n"
        f"gaps: {int(counts[v])} ({palette.GAP_STATE_TEXT[state]})",
        x=x,
        y=y,
        **_look(state, node_size(weight)),
        fixed=True,
        # Extra fields the page reads (vis-network ignores them).
        name=name,
        label_width=placement.label_width[node],
        layer=layer,
        org=attrs["org"],
        gap_state=state,
        gap_count=int(counts[v]),
        gaps=gaps,
        **extra,
    )


def _look(state: str, size: float) -> dict[str, Any]:
    """Shape, size and colours of a marker in ``state``: the fill is the state's colour, the
    selection ring the palette's highlight (which no state uses)."""
    fill = palette.GAP_STATE_COLOURS[state]
    return {
        "shape": palette.GAP_STATE_SHAPES[state],
        "size": size,
        "color": {
            "background": fill,
            "border": palette.INK,
            "highlight": {"background": fill, "border": palette.HIGHLIGHT},
            "hover": {"background": fill, "border": palette.HIGHLIGHT},
        },
        "borderWidth": 1,
        "borderWidthSelected": 4,
    }


def _add_edge(net: Network, chain: Chain, provider: str, consumer: str, *, same_band: bool) -> None:
    criticality = chain.graph.edges[provider, consumer]["criticality"]
    net.add_edge(
        provider,
        consumer,
        id=edge_id(provider, consumer),
        title=f"{provider} \u2192 {consumer}" + (f" (criticality: {criticality.value})" if criticality else ""),
        color={"color": palette.EDGE, "highlight": palette.HIGHLIGHT},
        width=2.5 if criticality is not None and criticality.value == "high" else 1,
        **_curve(same_band),
    )


def _curve(same_band: bool) -> dict[str, Any]:
    """An edge inside a band bows out of its row, so it does not run through its neighbours."""
    return {"smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.45}} if same_band else {}


def edge_id(provider: str, consumer: str) -> str:
    """Node ids cannot contain '>', so this is unique per edge."""
    return f"{provider}>{consumer}"


def _options() -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        # No connected-edge selection or hover: a selected node would paint its edges in the highlight colour
        # and muddle a highlighted blocker path.
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": True,
            "selectConnectedEdges": False,
            "hoverConnectedEdges": False,
        },
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.6}}, "smooth": False, "selectionWidth": 2},
        "layout": {"improvedLayout": False},  # positions come from the server
    }


def _network_dicts(net: Network) -> dict[str, Any]:
    nodes, edges, _heading, _height, _width, _options_json = net.get_network_data()
    return {"nodes": [_plain(n) for n in nodes], "edges": [_plain(e) for e in edges], "options": net.options}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars to Python numbers, so the data is JSON; no ``label`` (the page draws names itself)."""
    return {key: (value.item() if isinstance(value, np.generic) else value) for key, value in item.items()
            if key != "label"}  # fmt: skip
