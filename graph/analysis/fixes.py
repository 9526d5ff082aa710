"""Fix ranking: the (node, control) root causes ordered by how many gaps they cause downstream.

A node w is a root cause of the gap at v for control c when w needs its own part, reaches v over
delegating edges (or is v) and its own status equals v's effective status. Fixing the top of this
list closes the most gaps at once.
"""

from __future__ import annotations

import numpy as np

from obligraph.graph.analysis.result import Analysis
from obligraph.graph.analysis.rootcause import reachable_over_delegation
from obligraph.graph.lattice import Status


def fix_ranking(analysis: Analysis, limit: int | None = None) -> list[dict]:
    """Root causes with the number of gaps (and nodes) each causes, most first."""
    compiled = analysis.compiled
    ids = compiled.node_ids
    candidates = analysis.needs_own & (analysis.own < analysis.requirement.rank)
    ranking = []
    for k, control in enumerate(analysis.controls):
        rows = np.flatnonzero(candidates[:, k])
        if not rows.size:
            continue
        gap_column = analysis.gap_mask[:, k] & ~analysis.circular[:, k]
        effective = analysis.effective[:, k]
        r = analysis._r(k)
        for w in rows:
            own = analysis.own[w, k]
            reached = [int(w)] + reachable_over_delegation(compiled, r, int(w))
            hit = [v for v in reached if gap_column[v] and effective[v] == own]
            if hit:
                ranking.append(
                    {
                        "node": ids[w],
                        "control": control,
                        "status": Status.from_rank(own).value,
                        "gaps_caused": len(hit),
                        "nodes": [ids[v] for v in hit[:50]],
                    }
                )
    ranking.sort(key=lambda item: (-item["gaps_caused"], analysis.compiled.node_index[item["node"]], item["control"]))
    return ranking[:limit] if limit is not None else ranking
