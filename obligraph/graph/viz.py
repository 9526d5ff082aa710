"""The map's data: a pyvis ``Network`` built from a chain and its analysis, handed out as plain dicts.

pyvis is used to assemble the vis-network node, edge and option data only. Its HTML output is
never used: ``heading``, ``select_menu`` and HTML titles are injected unescaped into its template,
and its "local" resources still pull from CDNs. The page embeds ``map_data()`` as JSON and draws
it with a locally served vis-network; tooltips are plain text (vis-network shows string titles
as text).

Above ``AGGREGATE_ABOVE`` nodes the graph is never drawn node by node: ``map_data`` returns one
node per (layer, organisation) group, with counts (at most ``GROUP_LIMIT`` groups: the smallest
organisations of a layer share one), so the browser never lays out an unbounded graph. Named
groups can be expanded into their member nodes, within the same limit (``_aggregated``).

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

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence

import networkx as nx
import numpy as np
from pyvis.network import Network

from obligraph.graph.analysis import Analysis
from obligraph.graph.analysis.engine import KIND_NAMES
from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Layer

#: Above this many nodes the map shows one node per (layer, org) group instead.
AGGREGATE_ABOVE = 1500
#: The aggregated map draws at most this many groups (see ``groups_of``).
GROUP_LIMIT = 200
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
    expand: Sequence[str] = (),
) -> dict[str, Any]:
    """``{"mode", "nodes", "edges", "options", "controls", "kinds", "layers", "colours"}`` for the map page.

    ``mode`` is ``full``; ``aggregated`` above the limit; or, with ``focus``, ``focus``: that node's
    neighbourhood up to ``depth`` edges away either way (cut at the limit, nearest first). In the
    aggregated view, ``expand`` names groups to draw node by node instead (see ``_aggregated``);
    an unknown group raises ``UnknownGroup``.
    """
    controls = [
        {"id": c, "clause": chain.catalog[c].clause, "title": chain.catalog[c].title} for c in analysis.controls
    ]
    common = {"controls": controls, "kinds": KIND_LIST, "layers": LAYER_ORDER, "colours": LAYER_COLOURS,
              "limit": aggregate_above}  # fmt: skip
    if focus is not None:
        keep, truncated = neighbourhood(chain.graph, focus, depth, aggregate_above)
        extra = {"focus": focus, "depth": depth, "truncated": truncated}
        return {"mode": "focus", **extra, **common, **_full(chain, analysis, keep)}
    if len(chain) > aggregate_above:
        return {"mode": "aggregated", **common, **_aggregated(chain, analysis, list(expand), aggregate_above)}
    return {"mode": "full", **common, **_full(chain, analysis)}


class UnknownGroup(ValueError):
    """``expand`` named a group the aggregated map does not have."""


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


@dataclass
class Groups:
    """The aggregated map's groups: one per (layer, organisation); above ``GROUP_LIMIT`` the smallest
    organisations of each layer share one "other organisations" group."""

    of: dict[str, str] = field(default_factory=dict)  # node -> group id
    members: dict[str, list[str]] = field(default_factory=dict)  # group id -> its nodes, document order
    layer: dict[str, str] = field(default_factory=dict)
    org: dict[str, str | None] = field(default_factory=dict)  # None for a folded group
    orgs: dict[str, int] = field(default_factory=dict)  # organisations a group stands for


def org_group(layer: str, org: str | None) -> str:
    """A group's id. Node ids cannot contain '|', so no group id is ever a node id; the prefix keeps
    an organisation named like a folded group apart from it."""
    return f"org|{layer}|{org or ''}"


def rest_group(layer: str) -> str:
    return f"rest|{layer}"


def groups_of(chain: Chain, limit: int = GROUP_LIMIT) -> Groups:
    by_key: dict[tuple[str, str | None], list[str]] = {}
    for node, attrs in chain.graph.nodes(data=True):
        by_key.setdefault((attrs["layer"].value, attrs["org"] or None), []).append(node)
    keys = list(by_key)
    if len(keys) > limit:
        # Keep the biggest organisations; room is left for one folded group per layer.
        keys.sort(key=lambda key: (-len(by_key[key]), LAYER_ORDER.index(key[0]), key[1] or ""))
        kept = set(keys[: max(0, limit - len(LAYER_ORDER))])
    else:
        kept = set(keys)
    groups = Groups()
    for (layer, org), nodes in by_key.items():
        group = org_group(layer, org) if (layer, org) in kept else rest_group(layer)
        groups.members.setdefault(group, []).extend(nodes)
        groups.layer[group] = layer
        groups.org[group] = org if (layer, org) in kept else None
        groups.orgs[group] = groups.orgs.get(group, 0) + 1
        for node in nodes:
            groups.of[node] = group
    return groups


def _aggregated(chain: Chain, analysis: Analysis, expand: list[str], limit: int) -> dict[str, Any]:
    """One node per group; edges between groups carry how many chain edges they stand for.

    Each group in ``expand`` is drawn as its member nodes instead, most gaps first, while the total
    drawn (groups plus members) stays within ``limit``; a group that does not fit whole keeps a
    group node for the members left out, and ``cut`` says how many were drawn of how many.
    Edges between two drawn members are the chain's own; any other edge is folded into the
    group-level edge between the two ends' groups.
    """
    groups = groups_of(chain)
    expand = list(dict.fromkeys(expand))
    for group in expand:
        if group not in groups.members:
            raise UnknownGroup(f"the aggregated map has no group '{group}'")
    counts = _gap_counts(analysis)
    index = analysis.compiled.node_index
    budget = limit - len(groups.members)
    drawn: list[str] = []
    cut = []
    for group in expand:
        members = sorted(groups.members[group], key=lambda n: -int(counts[index[n]]))  # stable: ties keep order
        if len(members) <= budget + 1:  # the whole group: its own group node goes, which frees one place
            take, budget = members, budget - len(members) + 1
        else:
            take, budget = members[: max(0, budget)], 0
            cut.append({"group": group, "label": _group_name(groups, group), "shown": len(take),
                        "members": len(members)})  # fmt: skip
        drawn.extend(take)
    drawn_set = set(drawn)
    left: Counter[str] = Counter()
    left_with_gaps: Counter[str] = Counter()
    for node, group in groups.of.items():
        if node not in drawn_set:
            left[group] += 1
            left_with_gaps[group] += int(counts[index[node]] > 0)

    shown_as = {**groups.of, **{node: node for node in drawn}}  # a lookup, not a call: 1M of them at 100k
    links: Counter[tuple[str, str]] = Counter()
    real_edges = []
    for u, v in chain.edges():
        a, b = shown_as[u], shown_as[v]
        if a == b:
            continue
        if a == u and b == v:
            real_edges.append((u, v))
        else:
            links[(a, b)] += 1
    layout = nx.DiGraph()
    layout.add_nodes_from(drawn)
    layout.add_nodes_from(left)
    layout.add_edges_from(links)
    layout.add_edges_from(real_edges)
    layer_of = {**{g: groups.layer[g] for g in left}, **{n: chain.layer(n).value for n in drawn}}
    positions = layered_positions(layout, layer_of)
    net = Network(directed=True, cdn_resources="local")
    for group, size in left.items():
        _add_group(net, groups, group, size, left_with_gaps[group], positions[group],
                   partial=len(groups.members[group]) - size)  # fmt: skip
    for node in drawn:
        consumers = chain.graph.out_degree(node)
        _add_node(net, chain, analysis, counts, node, positions[node], consumers, physics=False,
                  group=groups.of[node])  # fmt: skip
    for provider, consumer in real_edges:
        _add_edge(net, chain, provider, consumer)
    for (a, b), count in links.items():
        net.add_edge(a, b, id=group_edge_id(a, b), title=f"{count} dependenc{'y' if count == 1 else 'ies'}",
                     width=min(8.0, 1 + float(np.log2(count))))  # fmt: skip
    net.options = _options(False)
    return {"groups": len(groups.members), "expanded": expand, "cut": cut, **_network_dicts(net)}


def _group_name(groups: Groups, group: str) -> str:
    layer = groups.layer[group]
    if groups.org[group] is None and group == rest_group(layer):
        return f"{groups.orgs[group]} other organisations [{layer}]"
    return f"{groups.org[group] or '(no organisation)'} [{layer}]"


def _add_group(
    net: Network, groups: Groups, group: str, size: int, with_gaps: int, position: tuple[float, float], partial: int
) -> None:
    """A group node standing for ``size`` members (``partial`` more of them are drawn on their own)."""
    layer = groups.layer[group]
    name = _group_name(groups, group)
    more = f"{size} more nodes" if partial else f"{size} nodes"
    state = "none" if not with_gaps else "origin"
    net.add_node(
        group,
        label=f"{name}\n{more}, {with_gaps} with gaps",
        title=f"{name}\nnodes: {size}" + (f" (and {partial} drawn)" if partial else "") + f"\nwith gaps: {with_gaps}",
        x=position[0],
        y=position[1],
        size=12 + 4 * float(np.sqrt(size)),
        color={"background": LAYER_COLOURS[layer], "border": GAP_BORDERS[state]},
        borderWidth=1 if state == "none" else 4,
        shape="dot",
        fixed=True,
        layer=layer,
        org=groups.org[group],
        name=name,
        organisations=groups.orgs[group],
        gap_state=state,
        gap_count=with_gaps,
        members=size,
        drawn_members=partial,
        group_node=True,
    )


def edge_id(provider: str, consumer: str) -> str:
    """Node ids cannot contain '>', so this is unique per edge."""
    return f"{provider}>{consumer}"


def group_edge_id(a: str, b: str) -> str:
    """An organisation's name may hold '>', so an edge with a group end is named by its JSON pair."""
    return json.dumps([a, b], ensure_ascii=False)


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
