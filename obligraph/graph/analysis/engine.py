"""The vectorised core of the analysis (DESIGN.md section 3), over ``CompiledChain`` arrays.

For a block of controls at once, one sweep over the components of the graph in topological order
computes, for every node v and control c:

* ``needs_own``: v declared c, or v has no provider, or some incoming edge has r in {shared, customer};
* ``val``: the minimum own status over the contributors (nodes that need their own part and reach v
  through delegating edges), or ``NO_CONTRIBUTOR`` when there are none;
* ``up``: the same minimum over v's delegating providers only, which tells whether a root cause sits
  upstream.

A component with a cycle is relaxed until it stops changing; statuses are a lattice of six values, so
this ends after at most as many rounds as the component's longest delegating path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from obligraph.graph.compiled import CUSTOMER, PROVIDER, CompiledChain
from obligraph.graph.lattice import NO_CONTRIBUTOR, Status

BLOCKED = np.uint8(255)  # rank of a value that does not travel over a non-delegating edge
UNKNOWN_RANK = Status.UNKNOWN.rank

KIND_NONE, KIND_ORIGIN, KIND_INHERITED, KIND_MIXED, KIND_CIRCULAR = range(5)
KIND_NAMES = {KIND_ORIGIN: "origin", KIND_INHERITED: "inherited", KIND_MIXED: "mixed", KIND_CIRCULAR: "circular"}


@dataclass
class BlockResult:
    own: np.ndarray  # [n, K] uint8 own status rank on the analysis date
    needs_own: np.ndarray  # [n, K] bool
    effective: np.ndarray  # [n, K] uint8 effective status rank (unknown where circular)
    kind: np.ndarray  # [n, K] int8, KIND_NONE where there is no gap
    orphaned: np.ndarray  # [n, K] bool
    in_scope: np.ndarray  # [n, K] bool
    circular: np.ndarray  # [n, K] bool: no contributor at all (a pure delegation loop)
    ambiguous: np.ndarray  # [n, K] bool: root cause itself and in a cycle; kind settled by a search


def analyse_block(compiled: CompiledChain, cols: np.ndarray, own: np.ndarray, requirement: int) -> BlockResult:
    s = compiled.structure
    n, k = own.shape
    r, patched_pos, patched_col = compiled.responsibility_block(cols)
    blocked = (r == CUSTOMER).view(np.uint8) * BLOCKED  # 255 where the edge does not delegate, else 0

    needs_own = compiled.declared[:, cols] | (s.indegree == 0)[:, None]
    if len(s.seg_starts):
        not_provider = (r != PROVIDER).view(np.uint8)
        needs_own[s.seg_dst] |= np.maximum.reduceat(not_provider, s.seg_starts, axis=0).astype(bool)
        del not_provider

    val = np.where(needs_own, own, np.uint8(NO_CONTRIBUTOR)).astype(np.uint8)
    up = np.full((n, k), BLOCKED, dtype=np.uint8)
    for edge_a, edge_b, seg_a, seg_b, has_cycle in s.level_edges:
        sources = s.order_src[edge_a:edge_b]
        block_blocked = blocked[edge_a:edge_b]
        starts = s.seg_starts[seg_a:seg_b] - edge_a
        consumers = s.seg_dst[seg_a:seg_b]
        while True:
            candidate = val[sources]
            np.bitwise_or(candidate, block_blocked, out=candidate)
            reduced = np.minimum.reduceat(candidate, starts, axis=0)
            current = val[consumers]
            updated = np.minimum(current, reduced)
            if not has_cycle or np.array_equal(updated, current):
                val[consumers] = updated
                up[consumers] = reduced
                break
            val[consumers] = updated

    circular = val == NO_CONTRIBUTOR
    effective = np.where(circular, np.uint8(UNKNOWN_RANK), val)

    in_scope = np.repeat((s.indegree > 0)[:, None], k, axis=1)
    roots = np.flatnonzero(s.indegree == 0)
    if roots.size:
        counts = s.out_ptr[roots + 1] - s.out_ptr[roots]
        has_out = counts > 0
        if has_out.any():
            rs, cs = roots[has_out], counts[has_out]
            starts = np.repeat(s.out_ptr[rs], cs)
            offsets = np.arange(cs.sum()) - np.repeat(np.cumsum(cs) - cs, cs)
            positions = s.out_pos[starts + offsets]
            delegates = (blocked[positions] == 0).view(np.uint8)
            seg = np.concatenate(([0], np.cumsum(cs)[:-1]))
            in_scope[rs] |= np.maximum.reduceat(delegates, seg, axis=0).astype(bool)

    gap = in_scope & (effective < requirement)
    root_self = needs_own & (own == val)
    root_up = up == val
    kind = np.full((n, k), KIND_NONE, dtype=np.int8)
    kind[gap & root_self & ~root_up] = KIND_ORIGIN
    kind[gap & ~root_self & root_up] = KIND_INHERITED
    kind[gap & root_self & root_up] = KIND_MIXED
    kind[gap & circular] = KIND_CIRCULAR
    ambiguous = gap & root_self & root_up & s.in_cycle[:, None] & ~circular

    orphaned = np.zeros((n, k), dtype=bool)
    if patched_pos.size:
        layer_default = compiled.default[:, cols][compiled.layer[s.order_src[patched_pos]], patched_col]
        handed_down = (r[patched_pos, patched_col] == CUSTOMER) & (layer_default != CUSTOMER)
        consumers = np.searchsorted(s.seg_starts, patched_pos[handed_down], side="right") - 1
        orphaned[s.seg_dst[consumers], patched_col[handed_down]] = True
        orphaned &= gap & root_self & ~compiled.declared[:, cols]
    return BlockResult(own, needs_own, effective, kind, orphaned, in_scope, circular, ambiguous)
