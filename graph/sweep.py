"""The order in which the engine sweeps a graph: components, levels and reduction plans.

Nodes are grouped by the topological level of their strongly connected component; the edges into
one level are swept together. A minimum over each consumer's incoming edges is done with a
*plan*: the edges sorted by (rank of the edge among its consumer's incoming edges, consumer), so
that rank block r holds at most one edge per consumer and the whole reduction is a few numpy
operations per rank instead of one Python step (or one ``reduceat`` segment) per consumer.

>>> import numpy as np
>>> plan = make_plan(np.arange(4), np.array([7, 7, 8, 7]))
>>> values = np.array([[3], [1], [5], [2]])  # one row per edge position
>>> plan.targets.tolist(), reduce_plan(values[plan.positions], plan, np.minimum).ravel().tolist()
([7, 8], [1, 5])
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np


@dataclass
class Plan:
    """A per-target reduction over a set of edge positions."""

    targets: np.ndarray  # unique consumer node indices; row i of the result belongs to targets[i]
    # Edge positions (in sweep order), sorted by (rank, consumer). None in a level's own plan, whose
    # edges are already in plan order at positions start..end-1: at 5 million edges the array held 40 MB.
    positions: np.ndarray | None
    slots: np.ndarray  # for each entry, the row of its target
    rank_bounds: list[tuple[int, int]]  # entry ranges of rank blocks 1, 2, ... (block 0 is targets' first edges)


def stable_argsort(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for non-negative integers, several times faster.

    numpy sorts 16-bit integers stably with a radix sort (linear time) but wider ones with a merge
    sort; the keys here (node, level and rank numbers) are sorted 16 bits at a time, least
    significant first, each pass stable, which is the same order.

    >>> stable_argsort(np.array([70000, 3, 70000, 3, 5])).tolist()
    [1, 3, 4, 0, 2]
    """
    keys = np.asarray(keys)
    if keys.size == 0:
        return np.zeros(0, dtype=np.intp)
    if int(keys.min()) < 0:
        raise ValueError("stable_argsort sorts non-negative integers only")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    shift = 16
    while int(keys.max()) >> shift:
        digit = ((keys[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


def make_plan(positions: np.ndarray, consumers: np.ndarray) -> Plan:
    """Plan a reduction of the edges at ``positions`` (whose consumers are ``consumers``) per consumer."""
    if positions.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Plan(empty, empty, empty, [])
    by_consumer = stable_argsort(consumers)
    sorted_consumers = consumers[by_consumer]
    first = np.concatenate(([True], sorted_consumers[1:] != sorted_consumers[:-1]))
    run_start = np.maximum.accumulate(np.where(first, np.arange(first.size), 0))
    rank = np.empty(first.size, dtype=np.int64)
    rank[by_consumer] = np.arange(first.size) - run_start
    # By (rank, consumer): a stable sort by rank of the entries already in consumer order.
    entry_order = by_consumer[stable_argsort(rank[by_consumer])]
    ranks = rank[entry_order]
    cuts = np.concatenate(([0], np.flatnonzero(np.diff(ranks)) + 1, [ranks.size]))
    targets = consumers[entry_order[: int(cuts[1])]]
    lookup = np.empty(int(consumers.max()) + 1, dtype=np.int64)
    lookup[targets] = np.arange(targets.size)
    slots = lookup[consumers[entry_order]]
    return Plan(
        targets=targets,
        positions=positions[entry_order],
        slots=slots,
        rank_bounds=list(zip(cuts[1:-1].tolist(), cuts[2:].tolist())),
    )


def reduce_plan(values: np.ndarray, plan: Plan, ufunc: np.ufunc) -> np.ndarray:
    """``ufunc``-reduce rows of ``values`` (one row per plan entry, in plan order) per target."""
    out = values[: plan.targets.size].copy()
    for start, end in plan.rank_bounds:
        slots = plan.slots[start:end]
        out[slots] = ufunc(np.take(out, slots, axis=0), values[start:end])
    return out


@dataclass
class Level:
    """The edges into one topological level; positions [start, end) are already in plan order."""

    start: int
    end: int
    plan: Plan  # over positions start..end-1 (contiguous)
    cycle_plan: Plan | None  # over the level's edges inside a strongly connected component


@dataclass
class Structure:
    """Control-independent ordering of the graph for the level sweep."""

    indegree: np.ndarray  # [n] int64
    in_cycle: np.ndarray  # [n] bool: member of a strongly connected component with more than one node
    component: np.ndarray  # [n] label of each node's strongly connected component, numbered in the
    # order of their first node (so that labels do not depend on how the components were found)
    level: np.ndarray  # [n] topological level of each node's component
    order: np.ndarray  # [E] edge indices (document order) in sweep order
    order_src: np.ndarray  # [E] provider of each edge in `order`
    order_dst: np.ndarray  # [E] consumer of each edge in `order`
    levels: list[Level]
    position: np.ndarray  # [E] position of each edge (document order) inside `order`
    out_ptr: np.ndarray  # CSR over providers: positions (in `order`) of each node's outgoing edges
    out_pos: np.ndarray
    in_ptr: np.ndarray  # CSR over consumers: edge indices (document order) of each node's incoming edges
    in_edges: np.ndarray
    cycle_positions: np.ndarray  # positions (in `order`) of edges inside a strongly connected component

    def outgoing(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every outgoing edge of ``nodes`` (repeats allowed): (i, position) pairs as two arrays, where
        ``nodes[i]`` is the edge's provider and ``position`` its place in ``order``.

        >>> s = build_structure(3, np.array([0, 0, 1]), np.array([1, 2, 2]))
        >>> owner, position = s.outgoing(np.array([1, 0]))
        >>> owner.tolist(), s.order_dst[position].tolist()
        ([0, 1, 1], [2, 1, 2])
        """
        counts = self.out_ptr[nodes + 1] - self.out_ptr[nodes]
        owner = np.repeat(np.arange(nodes.size), counts)
        offsets = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
        return owner, self.out_pos[np.repeat(self.out_ptr[nodes], counts) + offsets]


class StructureOnDemand:
    """A graph's ``Structure``, built the first time someone asks for it (``get``), once.

    Compiling a chain under a workspace's write lock (an import reports its warnings, which read
    the compiled arrays) need not order the whole graph for the sweep: the first analysis does it,
    outside the lock. ``before``: the structure of the graph this one extends with nodes and edges
    appended, tried first (``extend_structure``).

    >>> lazy = StructureOnDemand(2, np.array([0]), np.array([1]))
    >>> lazy.ready is None
    True
    >>> lazy.get().level.tolist(), lazy.ready is lazy.get()
    ([0, 1], True)
    """

    def __init__(self, n: int, src: np.ndarray, dst: np.ndarray, before: Structure | None = None):
        self._n, self._src, self._dst, self._before = n, src, dst, before
        self._value: Structure | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, structure: Structure) -> "StructureOnDemand":
        """One that is ready already."""
        ready = cls(structure.indegree.size, structure.order_src, structure.order_dst)
        ready._value, ready._before = structure, None
        return ready

    @property
    def ready(self) -> Structure | None:
        """The structure if it was built already, else None (nothing is built)."""
        return self._value

    def get(self) -> Structure:
        if self._value is None:
            with self._lock:  # two readers asking at once build it once
                if self._value is None:
                    extended = None
                    if self._before is not None:
                        extended = extend_structure(self._before, self._n, self._src, self._dst)
                    self._value = extended if extended is not None else build_structure(self._n, self._src, self._dst)
                    self._before = None
        return self._value


def build_structure(n: int, src: np.ndarray, dst: np.ndarray) -> Structure:
    """Order nodes by the topological level of their strongly connected component, edges by consumer."""
    e = len(src)
    # Most chains have no cycle: then every node is its own component, and the levels come from
    # peeling the graph itself, which also tells whether it is acyclic. Only a graph with a cycle
    # pays for scipy's strongly connected components (and for importing scipy, a quarter second).
    level, acyclic = _peeled_levels(n, src, dst)
    if acyclic:
        comp = np.arange(n, dtype=np.int64)
    else:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        adjacency = csr_matrix((np.ones(e, dtype=np.int8), (src, dst)), shape=(n, n))
        n_comp, comp = connected_components(adjacency, directed=True, connection="strong")
        comp = _labels_by_first_node(n_comp, comp)
        level = _component_levels(n_comp, comp[src], comp[dst])[comp]

    # Sweep order: by consumer level, then as a plan (rank, consumer) inside each level.
    by_level = stable_argsort(level[dst])
    blocks = []
    if e:
        edge_level = level[dst[by_level]]
        cuts = np.concatenate(([0], np.flatnonzero(np.diff(edge_level)) + 1, [e]))
        blocks = [by_level[start:end] for start, end in zip(cuts[:-1].tolist(), cuts[1:].tolist())]
    return _assembled(n, src, dst, comp, level, [_planned_block(members, src, dst, comp) for members in blocks])


def extend_structure(before: Structure, n: int, src: np.ndarray, dst: np.ndarray) -> Structure | None:
    """``build_structure(n, src, dst)`` for a graph that is ``before``'s with nodes and edges appended,
    worked out from ``before`` when every new edge's consumer has no outgoing edge; else None.

    Then no cycle forms and only those consumers can change level, so the sweep order keeps every
    level's block but the few their edges leave or join, which are planned again.

    >>> before = build_structure(2, np.array([0]), np.array([1]))
    >>> after = extend_structure(before, 3, np.array([0, 1]), np.array([1, 2]))
    >>> after.level.tolist(), after.order.tolist()
    ([0, 1, 2], [0, 1])
    >>> extend_structure(before, 3, np.array([0, 1, 2]), np.array([1, 2, 0])) is None  # 2 -> 0: 2 has an edge out
    True
    """
    n0, e0 = before.indegree.size, before.order.size
    new_src, new_dst = src[e0:], dst[e0:]
    consumers = np.unique(new_dst)
    out_degree = np.bincount(new_src, minlength=n)
    out_degree[:n0] += np.diff(before.out_ptr)
    if out_degree[consumers].any():
        return None
    level = np.zeros(n, dtype=np.int64)
    level[:n0] = before.level
    moved_from = level[consumers]
    # A consumer of a new edge is nobody's provider: every provider's level is final.
    np.maximum.at(level, new_dst, level[new_src] + 1)
    moved = level[consumers] != moved_from
    replanned = set(level[consumers].tolist()) | set(moved_from[moved].tolist())
    comp = np.concatenate((before.component, np.arange(n - n0) + int(before.component.max(initial=-1)) + 1))

    old_blocks = {int(before.level[before.order_dst[lvl.start]]): lvl for lvl in before.levels}
    edge_level = level[dst] if replanned else None
    blocks: list[_Block] = []
    for value in sorted(old_blocks.keys() | replanned):
        if value in replanned:
            members = np.flatnonzero(edge_level == value)  # document order, as a stable sort leaves them
            if members.size:
                blocks.append(_planned_block(members, src, dst, comp))
        else:
            blocks.append(_kept_block(before, old_blocks[value]))
    return _assembled(n, src, dst, comp, level, blocks)


@dataclass
class _Block:
    """The edges into one level, in plan order, with plans over positions counted from the block's start."""

    edges: np.ndarray
    plan: Plan
    cycle_plan: Plan | None


def _planned_block(members: np.ndarray, src: np.ndarray, dst: np.ndarray, comp: np.ndarray) -> _Block:
    """The edges into one level (``members``, in document order) as a block."""
    plan = make_plan(np.arange(members.size), dst[members])
    ordered = members[plan.positions]
    plan.positions = None
    inside = np.flatnonzero(comp[src[ordered]] == comp[dst[ordered]])
    return _Block(ordered, plan, make_plan(inside, dst[ordered][inside]) if inside.size else None)


def _shifted(plan: Plan, by: int) -> Plan:
    positions = None if plan.positions is None else plan.positions + by
    return Plan(plan.targets, positions, plan.slots, plan.rank_bounds)


def _kept_block(before: Structure, level: Level) -> _Block:
    """A level of ``before`` as a block, unchanged."""
    cycle = _shifted(level.cycle_plan, -level.start) if level.cycle_plan is not None else None
    return _Block(before.order[level.start : level.end], _shifted(level.plan, -level.start), cycle)


def _assembled(
    n: int, src: np.ndarray, dst: np.ndarray, comp: np.ndarray, level: np.ndarray, blocks: list[_Block]
) -> Structure:
    """The structure from its level blocks, in level order."""
    levels: list[Level] = []
    start = 0
    for block in blocks:
        cycle = _shifted(block.cycle_plan, start) if block.cycle_plan is not None else None
        levels.append(Level(start, start + block.edges.size, _shifted(block.plan, start), cycle))
        start += block.edges.size
    order = np.concatenate([block.edges for block in blocks]) if blocks else np.zeros(0, dtype=np.int64)
    e = order.size
    order_src, order_dst = src[order], dst[order]
    position = np.empty(e, dtype=np.int64)
    position[order] = np.arange(e)
    out_ptr = np.concatenate(([0], np.cumsum(np.bincount(order_src, minlength=n)))).astype(np.int64)
    in_ptr = np.concatenate(([0], np.cumsum(np.bincount(dst, minlength=n)))).astype(np.int64)
    return Structure(
        indegree=np.bincount(dst, minlength=n),
        in_cycle=np.bincount(comp, minlength=int(comp.max(initial=-1)) + 1)[comp] > 1,
        component=comp,
        level=level,
        order=order,
        order_src=order_src,
        order_dst=order_dst,
        levels=levels,
        position=position,
        out_ptr=out_ptr,
        out_pos=stable_argsort(order_src),
        in_ptr=in_ptr,
        in_edges=stable_argsort(dst),
        cycle_positions=np.flatnonzero(comp[order_src] == comp[order_dst]),
    )


def _labels_by_first_node(n_comp: int, comp: np.ndarray) -> np.ndarray:
    """Component labels renumbered in the order of each component's first (lowest) node."""
    first = np.full(n_comp, comp.size, dtype=np.int64)
    np.minimum.at(first, comp, np.arange(comp.size))
    renumber = np.empty(n_comp, dtype=np.int64)
    renumber[np.argsort(first)] = np.arange(n_comp)
    labels: np.ndarray = renumber[comp]
    return labels


def _component_levels(n_comp: int, csrc: np.ndarray, cdst: np.ndarray) -> np.ndarray:
    """Longest-path depth of each component in the condensation (Kahn's algorithm, one frontier at a time)."""
    keep = csrc != cdst
    level, _ = _peeled_levels(n_comp, csrc[keep], cdst[keep])
    return level


def _peeled_levels(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, bool]:
    """Longest-path depth of each node, peeling the graph one frontier of sources at a time (Kahn's
    algorithm), and whether every node was peeled, which is whether the graph has no cycle (a
    self-loop counts as one). Nodes on or after a cycle keep the depth 0.

    >>> levels, acyclic = _peeled_levels(4, np.array([0, 1, 0]), np.array([1, 2, 2]))
    >>> levels.tolist(), acyclic
    ([0, 1, 2, 0], True)
    >>> _peeled_levels(3, np.array([0, 1, 2]), np.array([1, 2, 1]))[1]
    False
    """
    order = stable_argsort(src)
    targets = dst[order]
    ptr = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=n)))).astype(np.int64)
    remaining = np.bincount(dst, minlength=n)
    level = np.zeros(n, dtype=np.int64)
    frontier = np.flatnonzero(remaining == 0)
    slot = np.empty(n, dtype=np.int64)  # scratch; only entries written in the same round are read
    depth = 0
    peeled = 0
    while frontier.size:
        level[frontier] = depth
        peeled += frontier.size
        counts = ptr[frontier + 1] - ptr[frontier]
        if not counts.sum():
            break
        starts = np.repeat(ptr[frontier], counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        hit = targets[starts + offsets]
        remaining -= np.bincount(hit, minlength=n)
        # Each component once, without np.unique's sort: whichever of the writes to ``slot[hit]``
        # survives, exactly one occurrence of each component reads its own index back.
        slot[hit] = np.arange(hit.size)
        once = slot[hit] == np.arange(hit.size)
        frontier = hit[once & (remaining[hit] == 0)]
        depth += 1
    return level, peeled == n
