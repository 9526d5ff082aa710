"""Fix ranking: the (node, control) blockers ordered by how many gaps fixing each would close.

A node w *blocks* the gap at v for control c when w is one of its contributors (it needs its own
part and reaches v over delegating edges, or is v) and its own status is below the requirement.
Raising every blocker of a gap closes it; raising w alone closes the gaps where w is the only
blocker (``gaps_closed``) and helps with the others it blocks (``gaps_blocked`` counts them all).

>>> from obligraph.graph.chain import Chain
>>> from obligraph.graph.analysis import analyze
>>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo", "controls": ["10.5.1"],
...     "nodes": [{"id": "iaas", "layer": "iaas"},
...               {"id": "app", "layer": "saas", "declarations": [{"control": "10.5.1", "status": "partial"}]}],
...     "edges": [{"provider": "iaas", "consumer": "app"}]})
>>> [(f["node"], f["gaps_closed"], f["gaps_blocked"]) for f in fix_ranking(analyze(chain, as_of="2026-01-01"))]
[('iaas', 1, 2), ('app', 0, 1)]
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np

from obligraph.graph.analysis.result import Analysis
from obligraph.graph.analysis.rootcause import reachable_over_delegation
from obligraph.graph.lattice import Status

#: Gap nodes listed per entry (the counts are always complete).
LISTED_NODES = 50


class Fix(TypedDict):
    """One blocker (a node's own status on a control) and the gaps raising it would close or help close."""

    node: str
    control: str
    status: str
    gaps_closed: int
    gaps_blocked: int
    closes: list[str]  # at most LISTED_NODES of the gaps it alone closes
    nodes: list[str]  # at most LISTED_NODES of the gaps it blocks


def fix_ranking(analysis: Analysis, limit: int | None = None) -> list[Fix]:
    """Blockers with the gaps each alone closes and the gaps each blocks, most closed first."""
    compiled = analysis.compiled
    ids = compiled.node_ids
    candidates = analysis.needs_own & (analysis.own < analysis.requirement.rank)
    ranking: list[Fix] = []
    for k, control in enumerate(analysis.controls):
        rows = np.flatnonzero(candidates[:, k])
        if not rows.size:
            continue
        gap_column = analysis.gap_mask[:, k]
        r = analysis._r(k)
        blocked_by: dict[int, list[int]] = {}
        for w in rows.tolist():
            reached = [w] + reachable_over_delegation(compiled, r, w)
            hit = [v for v in reached if gap_column[v]]
            if hit:
                blocked_by[w] = hit
        blocker_count = np.zeros(compiled.n, dtype=np.int64)
        for hit in blocked_by.values():
            blocker_count[hit] += 1
        for w, hit in blocked_by.items():
            closes = [v for v in hit if blocker_count[v] == 1]
            ranking.append(
                {
                    "node": ids[w],
                    "control": control,
                    "status": Status.from_rank(analysis.own[w, k]).value,
                    "gaps_closed": len(closes),
                    "gaps_blocked": len(hit),
                    "closes": [ids[v] for v in closes[:LISTED_NODES]],
                    "nodes": [ids[v] for v in hit[:LISTED_NODES]],
                }
            )
    index = compiled.node_index
    ranking.sort(key=lambda item: (-item["gaps_closed"], -item["gaps_blocked"], index[item["node"]], item["control"]))
    return ranking[:limit] if limit is not None else ranking
