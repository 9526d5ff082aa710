"""The vectorised core of the analysis (the definitions of docs/analysis.md), over ``CompiledChain`` arrays.

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
from numpy.typing import NDArray

from obligraph.graph.compiled import CUSTOMER, CompiledChain
from obligraph.graph.lattice import NO_CONTRIBUTOR, Status
from obligraph.graph.sweep import Plan, reduce_plan

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


def analyse_block(compiled: CompiledChain, cols: np.ndarray, own: np.ndarray, requirement: int) -> BlockResult:
    s = compiled.structure
    n, k = own.shape
    patches = compiled.patches(cols)
    blocked = compiled.blocked_block(cols, patches)
    _not_applicable_relied_on(compiled, cols, blocked, own)
    needs_own = compiled.declared_columns(cols) | (s.indegree == 0)[:, None] | compiled.rely_on_own_part(cols, patches)
    val = np.where(needs_own, own, np.uint8(NO_CONTRIBUTOR))  # uint8, a fresh array the sweep may write
    up = np.full((n, k), BLOCKED, dtype=np.uint8)
    for level in s.levels:
        span = slice(level.start, level.end)
        consumers = level.plan.targets
        # np.take is about twice as fast as fancy indexing for gathering whole rows.
        candidate = np.take(val, s.order_src[span], axis=0)
        np.bitwise_or(candidate, blocked[span], out=candidate)
        reduced = reduce_plan(candidate, level.plan, np.minimum)
        val[consumers] = np.minimum(np.take(val, consumers, axis=0), reduced)
        up[consumers] = reduced
        if level.cycle_plan is not None:
            _relax_cycles(val, up, blocked, s.order_src, level.cycle_plan)

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
    # origin = 1 (root itself only), inherited = 2 (upstream only), mixed = 3 (both), circular = 4.
    kind = root_self.view(np.int8) | (root_up.view(np.int8) << 1)
    np.copyto(kind, np.int8(KIND_CIRCULAR), where=circular)
    kind *= gap  # KIND_NONE where there is no gap
    cycle_nodes = np.flatnonzero(s.in_cycle)
    if cycle_nodes.size:
        ambiguous = (kind[cycle_nodes] == KIND_MIXED) & root_self[cycle_nodes]
        if ambiguous.any():
            _settle_cycle_roots(compiled, blocked, val, own, needs_own, cycle_nodes, ambiguous, kind)

    orphaned = np.zeros((n, k), dtype=bool)
    if patches.position.size:
        handed_down = (patches.value == CUSTOMER) & (patches.default != CUSTOMER)
        v = s.order_dst[patches.position[handed_down]]
        kk = patches.column[handed_down]
        picked = gap[v, kk] & root_self[v, kk] & ~compiled.declared_at(v, cols[kk])
        orphaned[v[picked], kk[picked]] = True
    return BlockResult(own, needs_own, effective, kind, orphaned, in_scope, circular)


def _not_applicable_relied_on(compiled: CompiledChain, cols: np.ndarray, blocked: np.ndarray, own: np.ndarray) -> None:
    """``not_applicable`` counts as unknown where the node delegates the control to some consumer.

    Only the (sparse) not_applicable declarations are looked at: their nodes' outgoing edges in
    the blocked matrix, one gather for all of them.
    """
    nodes, k = compiled.not_applicable_cells(cols)
    if not nodes.size:
        return
    cell, position = compiled.structure.outgoing(nodes)
    if not cell.size:
        return
    delegates = blocked[position, k[cell]] == 0
    relied = np.bincount(cell[delegates], minlength=nodes.size) > 0
    own[nodes[relied], k[relied]] = UNKNOWN_RANK


def _relax_cycles(
    val: NDArray[np.uint8],
    up: NDArray[np.uint8],
    blocked: NDArray[np.uint8],
    order_src: np.ndarray,
    plan: Plan,
) -> None:
    """Propagate minima around the cycles of one level until nothing changes.

    Only the edges inside components move values now; the level's other inputs are final. ``up``
    of a node in a cycle is refreshed from its in-cycle providers (its outside providers' part is
    already in it).
    """
    positions = plan.positions
    if positions is None:
        raise ValueError("a cycle plan names its positions")
    sources = order_src[positions]
    mask = blocked[positions]
    targets = plan.targets
    while True:
        candidate = np.take(val, sources, axis=0)
        np.bitwise_or(candidate, mask, out=candidate)
        reduced = reduce_plan(candidate, plan, np.minimum)
        current = val[targets]
        updated = np.minimum(current, reduced)
        up[targets] = np.minimum(up[targets], reduced)
        if np.array_equal(updated, current):
            return
        val[targets] = updated


def _settle_cycle_roots(
    compiled: CompiledChain,
    blocked: NDArray[np.uint8],
    val: NDArray[np.uint8],
    own: np.ndarray,
    needs_own: NDArray[np.bool_],
    cycle_nodes: NDArray[np.intp],
    ambiguous: NDArray[np.bool_],
    kind: NDArray[np.int8],
) -> None:
    """Origin or mixed, for a root cause that sits on a delegating cycle.

    There ``up == val`` may only echo the node's own status coming back round the cycle. Every
    member of a delegating cycle has the same contributors, so another root cause exists exactly
    when the node's delegating component is a single node (no echo), holds a second root, or takes
    the same status in from outside. All affected controls are solved in one graph: control j's
    copy of cycle node i is vertex ``j * m + i``. ``ambiguous`` has one row per cycle node.
    """
    # Only a chain with a delegating cycle gets here: the others need not import scipy at all.
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    s = compiled.structure
    m = cycle_nodes.size
    local = np.full(compiled.n, -1, dtype=np.int64)
    local[cycle_nodes] = np.arange(m)
    columns = np.flatnonzero(ambiguous.any(axis=0))
    copies = columns.size

    positions = s.cycle_positions
    edge_i, col_j = np.nonzero(blocked[positions][:, columns] == 0)
    p = positions[edge_i]
    graph = csr_matrix(
        (np.ones(p.size, dtype=np.int8), (col_j * m + local[s.order_src[p]], col_j * m + local[s.order_dst[p]])),
        shape=(copies * m, copies * m),
    )
    _, label = connected_components(graph, directed=True, connection="strong")
    size = np.bincount(label)
    cycle_val = val[cycle_nodes][:, columns]  # [m, copies]
    is_root = needs_own[cycle_nodes][:, columns] & (own[cycle_nodes][:, columns] == cycle_val)
    flat_root = is_root.T.reshape(-1)  # vertex order j * m + i
    roots_in = np.bincount(label, weights=flat_root, minlength=size.size)

    into = np.flatnonzero(s.in_cycle[s.order_dst])
    edge_i, col_j = np.nonzero(blocked[into][:, columns] == 0)
    q = into[edge_i]
    dst_label = label[col_j * m + local[s.order_dst[q]]]
    src_local = local[s.order_src[q]]
    src_label = np.where(src_local >= 0, label[col_j * m + np.maximum(src_local, 0)], -1)
    k_of = columns[col_j]
    entering = (src_label != dst_label) & (val[s.order_src[q], k_of] == val[s.order_dst[q], k_of])
    fed = np.zeros(size.size, dtype=bool)
    fed[dst_label[entering]] = True

    where_j = np.full(ambiguous.shape[1], -1, dtype=np.int64)
    where_j[columns] = np.arange(copies)
    i, kk = np.nonzero(ambiguous)
    component = label[where_j[kk] * m + i]
    others = (size[component] == 1) | (roots_in[component] >= 2) | fed[component]
    kind[cycle_nodes[i], kk] = np.where(others, KIND_MIXED, KIND_ORIGIN)
