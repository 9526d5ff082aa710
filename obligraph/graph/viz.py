"""The map's data: a pyvis ``Network`` built from a chain and its analysis, handed out as plain dicts.

pyvis is used to assemble the vis-network node, edge and option data only. Its HTML output is
never used: ``heading``, ``select_menu`` and HTML titles are injected unescaped into its template,
and its "local" resources still pull from CDNs. The page embeds ``map_data()`` as JSON and draws
it with a locally served vis-network; tooltips are plain text (vis-network shows string titles
as text).

Above ``AGGREGATE_ABOVE`` nodes the graph is never drawn node by node: ``map_data`` returns one
node per (layer, organisation) group, with counts, so the browser never lays out an unbounded graph.

>>> from obligraph.graph.chain import Chain
>>> from obligraph.graph.analysis import analyze
>>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo", "controls": ["10.5.1"],
...     "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "app", "layer": "saas",
...               "declarations": [{"control": "10.5.1", "status": "declared"}]}],
...     "edges": [{"provider": "iaas", "consumer": "app"}]})
>>> data = map_data(chain, analyze(chain, as_of="2026-01-01"))
>>> [(n["id"], n["gap_state"]) for n in data["nodes"]]
[('iaas', 'origin'), ('app', 'inherited')]
>>> data["nodes"][0]["y"] > data["nodes"][1]["y"]  # screen y grows downwards: iaas below the app
True
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
import numpy as np
from pyvis.network import Network

from obligraph.graph.analysis import Analysis
from obligraph.graph.analysis.engine import KIND_NAMES
from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Layer

#: Above this many nodes the map shows one node per (layer, org) group instead.
AGGREGATE_ABOVE = 1500
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
LAYER_ORDER = [layer.value for layer in Layer]  # infra ... customer, bottom to top
ROW_HEIGHT = 220.0
COLUMN_WIDTH = 90.0


def map_data(
    chain: Chain,
    analysis: Analysis,
    *,
    aggregate_above: int = AGGREGATE_ABOVE,
    focus: str | None = None,
    depth: int = 1,
) -> dict[str, Any]:
    """``{"mode", "nodes", "edges", "options", "controls", "kinds", "layers", "colours"}`` for the map page.

    ``mode`` is ``full``; ``aggregated`` above the limit; or, with ``focus``, ``focus``: that node's
    neighbourhood up to ``depth`` edges away either way (cut at the limit, nearest first).
    """
    controls = [
        {"id": c, "clause": chain.catalog[c].clause, "title": chain.catalog[c].title} for c in analysis.controls
    ]
    common = {"controls": controls, "kinds": KIND_LIST, "layers": LAYER_ORDER, "colours": LAYER_COLOURS}
    if focus is not None:
        keep, truncated = neighbourhood(chain.graph, focus, depth, aggregate_above)
        extra = {"focus": focus, "depth": depth, "truncated": truncated}
        return {"mode": "focus", **extra, **common, **_full(chain, analysis, keep)}
    if len(chain) > aggregate_above:
        return {"mode": "aggregated", **common, **_aggregated(chain, analysis)}
    return {"mode": "full", **common, **_full(chain, analysis)}


def layered_positions(graph: nx.DiGraph, layer_of: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Screen positions: one row per layer (infra at the bottom, customers on top), computed with
    ``networkx.multipartite_layout`` and stretched so a wide row keeps its nodes apart."""
    rows: dict[int, list[str]] = {}
    for node in graph.nodes:
        rows.setdefault(LAYER_ORDER.index(layer_of[node]), []).append(node)
    if not rows:
        return {}
    if len(rows) == 1:  # multipartite_layout needs two subsets to spread the rows; one row is a line
        (only,) = rows.values()
        return {node: ((i - (len(only) - 1) / 2) * COLUMN_WIDTH, 0.0) for i, node in enumerate(only)}
    layout = nx.multipartite_layout(graph, subset_key=rows, align="horizontal", scale=1.0)
    widest = max(len(nodes) for nodes in rows.values())
    xs = [float(x) for x, _ in layout.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    width = max(1.0, widest - 1) * COLUMN_WIDTH
    # Rows by rank, not by multipartite's y, so the spacing is the same with any number of rows;
    # a wide chain gets taller rows, or fitting it to the screen would flatten it into lines.
    row_height = max(ROW_HEIGHT, width / 5)
    return {
        node: (float(layout[node][0]) / span_x * width, -rank * row_height)
        for rank, nodes in rows.items()
        for node in nodes
    }


def neighbourhood(graph: nx.DiGraph, start: str, depth: int, limit: int) -> tuple[list[str], bool]:
    """Nodes within ``depth`` edges of ``start`` (providers and consumers alike), breadth first, at most ``limit``."""
    seen = {start: 0}
    queue = [start]
    for node in queue:  # the list grows while it is walked: a breadth-first search
        if seen[node] == depth:
            continue
        for other in list(graph.predecessors(node)) + list(graph.successors(node)):
            if other not in seen:
                if len(seen) >= limit:
                    return list(seen), True
                seen[other] = seen[node] + 1
                queue.append(other)
    return list(seen), False


def _gap_summary(analysis: Analysis) -> tuple[np.ndarray, list[list[list[int]]]]:
    """Per node: gap count, and its gaps as ``[control index, kind index]`` pairs (for the page's filters)."""
    counts = analysis.gap_mask.sum(axis=1)
    kind_index = {code: i for i, code in enumerate(sorted(KIND_NAMES))}
    per_node: list[list[list[int]]] = [[] for _ in range(analysis.compiled.n)]
    for v, k in zip(*np.nonzero(analysis.gap_mask)):
        per_node[int(v)].append([int(k), kind_index[int(analysis.kind[v, k])]])
    return counts, per_node


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
    counts, gaps = _gap_summary(analysis)
    index = analysis.compiled.node_index
    physics = len(graph) <= PHYSICS_UP_TO
    net = Network(directed=True, cdn_resources="local")
    for node, attrs in graph.nodes(data=True):
        v = index[node]
        kinds = {KIND_LIST[kind] for _, kind in gaps[v]}
        state = _gap_state(kinds)
        x, y = positions[node]
        label = attrs["name"] or node
        tooltip = f"{label} ({node})\nlayer: {layer_of[node]}\norg: {attrs['org'] or '-'}\ngaps: {int(counts[v])}"
        net.add_node(
            node,
            label=label,
            title=tooltip,  # plain text: vis-network renders a string title as text
            x=x,
            y=y,
            size=12 + 4 * float(np.sqrt(dependents[node])),
            color={"background": LAYER_COLOURS[layer_of[node]], "border": GAP_BORDERS[state]},
            borderWidth=1 if state == "none" else 4,
            shape="dot",
            fixed={"x": False, "y": True} if physics else True,
            # Extra fields the page reads (vis-network ignores them).
            layer=layer_of[node],
            org=attrs["org"],
            gap_state=state,
            gap_count=int(counts[v]),
            gaps=gaps[v],
            dependents=dependents[node],
        )
    edges = chain.edges() if keep is None else [(u, v) for u, v in chain.edges() if graph.has_edge(u, v)]
    for provider, consumer in edges:
        criticality = graph.edges[provider, consumer]["criticality"]
        net.add_edge(
            provider,
            consumer,
            id=edge_id(provider, consumer),
            title=f"{provider} \u2192 {consumer}" + (f" (criticality: {criticality.value})" if criticality else ""),
            color={"color": "#9e9e9e"},
            width=2 if criticality is not None and criticality.value == "high" else 1,
        )
    net.options = _options(physics)
    return _network_dicts(net)


def _aggregated(chain: Chain, analysis: Analysis) -> dict[str, Any]:
    """One node per (layer, org); edges between groups carry how many chain edges they stand for."""
    counts, _ = _gap_summary(analysis)
    index = analysis.compiled.node_index
    group_of: dict[str, str] = {}
    members: Counter[str] = Counter()
    with_gaps: Counter[str] = Counter()
    layer_of_group: dict[str, str] = {}
    org_of_group: dict[str, str | None] = {}
    for node, attrs in chain.graph.nodes(data=True):
        layer = chain.layer(node).value
        group = f"{layer}|{attrs['org'] or ''}"
        group_of[node] = group
        members[group] += 1
        with_gaps[group] += int(counts[index[node]] > 0)
        layer_of_group[group] = layer
        org_of_group[group] = attrs["org"]
    links: Counter[tuple[str, str]] = Counter(
        (group_of[u], group_of[v]) for u, v in chain.edges() if group_of[u] != group_of[v]
    )
    groups = nx.DiGraph()
    groups.add_nodes_from(members)
    groups.add_edges_from(links)
    positions = layered_positions(groups, layer_of_group)
    net = Network(directed=True, cdn_resources="local")
    for group, size in members.items():
        org = org_of_group[group] or "(no organisation)"
        state = "none" if not with_gaps[group] else "origin"
        x, y = positions[group]
        net.add_node(
            group,
            label=f"{org} [{layer_of_group[group]}]\n{size} nodes, {with_gaps[group]} with gaps",
            title=f"{org}\nlayer: {layer_of_group[group]}\nnodes: {size}\nnodes with gaps: {with_gaps[group]}",
            x=x,
            y=y,
            size=12 + 4 * float(np.sqrt(size)),
            color={"background": LAYER_COLOURS[layer_of_group[group]], "border": GAP_BORDERS[state]},
            borderWidth=1 if state == "none" else 4,
            shape="dot",
            fixed=True,
            layer=layer_of_group[group],
            org=org_of_group[group],
            gap_state=state,
            gap_count=with_gaps[group],
            members=size,
            group_node=True,
        )
    for (a, b), count in links.items():
        net.add_edge(a, b, id=edge_id(a, b), title=f"{count} dependencies", width=min(8.0, 1 + float(np.log2(count))))
    net.options = _options(False)
    return _network_dicts(net)


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
