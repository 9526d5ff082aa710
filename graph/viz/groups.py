"""The aggregated map: one node per (layer, organisation) group, with counts, for chains too big
to draw node by node; named groups can be expanded into their member nodes (``_aggregated``)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from pyvis.network import Network

from obligraph.graph import palette
from obligraph.graph.analysis import Analysis
from obligraph.graph.analysis.engine import KIND_NAMES
from obligraph.graph.chain import Chain
from obligraph.graph.palette import LAYER_ORDER
from obligraph.graph.viz.draw import (
    _add_edge,
    _add_node,
    _gap_counts,
    _look,
    _network_dicts,
    _options,
    node_label,
    node_size,
)
from obligraph.graph.viz.layout import LABEL_MAX_WIDTH, Placement, band_layout

#: The aggregated map draws at most this many groups (see ``groups_of``).
GROUP_LIMIT = 200


class UnknownGroup(ValueError):
    """``expand`` named a group the aggregated map does not have."""


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
    layout: nx.DiGraph[str] = nx.DiGraph()
    layout.add_nodes_from(drawn)
    layout.add_nodes_from(left)
    layout.add_edges_from(links)
    layout.add_edges_from(real_edges)
    layer_of = {**{g: groups.layer[g] for g in left}, **{n: chain.layer(n).value for n in drawn}}
    labels = {**{g: _group_name(groups, g) for g in left}, **{n: node_label(chain, n) for n in drawn}}
    # Members of an expanded group sit together: the group stands in as their organisation.
    orgs = {**{g: g for g in left}, **{n: groups.of[n] for n in drawn}}
    placement = band_layout(layout, layer_of, labels, orgs, widths={g: LABEL_MAX_WIDTH + 50 for g in left})
    states = _group_states(analysis, groups, index, left)
    net = Network(directed=True, cdn_resources="local")
    for group, size in left.items():
        _add_group(net, groups, group, size, left_with_gaps[group], placement, states[group],
                   partial=len(groups.members[group]) - size)  # fmt: skip
    for node in drawn:
        consumers = chain.graph.out_degree(node)
        _add_node(net, chain, analysis, counts, node, placement, consumers, group=groups.of[node])
    for provider, consumer in real_edges:
        _add_edge(net, chain, provider, consumer, same_band=layer_of[provider] == layer_of[consumer])
    for (a, b), count in links.items():
        net.add_edge(a, b, id=group_edge_id(a, b), title=f"{count} dependenc{'y' if count == 1 else 'ies'}",
                     width=min(8.0, 1 + float(np.log2(count))), color={"color": palette.EDGE},
                     **({"smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.45}}
                        if layer_of[a] == layer_of[b] else {}))  # fmt: skip
    net.options = _options()
    return {"groups": len(groups.members), "expanded": expand, "cut": cut, **_network_dicts(net),
            "bands": placement.bands}  # fmt: skip


def _group_states(analysis: Analysis, groups: Groups, index: dict[str, int], shown: Counter[str]) -> dict[str, str]:
    """A group's gap state from the kinds of all its members' gaps (one pass over the kind array)."""
    present = {name: (analysis.kind == code) & analysis.gap_mask for code, name in KIND_NAMES.items()}
    by_node = {name: mask.any(axis=1) for name, mask in present.items()}
    states = {}
    for group in shown:
        rows = np.fromiter((index[n] for n in groups.members[group]), dtype=np.int64)
        states[group] = palette.gap_state(name for name, hit in by_node.items() if hit[rows].any())
    return states


def _group_name(groups: Groups, group: str) -> str:
    layer = groups.layer[group]
    if groups.org[group] is None and group == rest_group(layer):
        return f"{groups.orgs[group]} other organisations [{layer}]"
    return f"{groups.org[group] or '(no organisation)'} [{layer}]"


def _add_group(
    net: Network,
    groups: Groups,
    group: str,
    size: int,
    with_gaps: int,
    placement: Placement,
    state: str,
    partial: int,
) -> None:
    """A group node standing for ``size`` members (``partial`` more of them are drawn on their own)."""
    layer = groups.layer[group]
    name = _group_name(groups, group)
    more = f"{size} more nodes" if partial else f"{size} nodes"
    x, y = placement.positions[group]
    net.add_node(
        group,
        label=name,
        title=f"{name}\nnodes: {size}" + (f" (and {partial} drawn)" if partial else "") + f"\nwith gaps: {with_gaps}",
        x=x,
        y=y,
        **_look(state, node_size(size)),
        fixed=True,
        label_width=placement.label_width[group],
        counts_line=f"{more}, {with_gaps} with gaps",  # fits the wider slot groups get
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


def group_edge_id(a: str, b: str) -> str:
    """An organisation's name may hold '>', so an edge with a group end is named by its JSON pair."""
    return json.dumps([a, b], ensure_ascii=False)
