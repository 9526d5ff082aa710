"""The chain as flat numpy arrays, for the vectorised analysis engine.

Nothing here depends on the analysis parameters (``as_of``, ``requirement``, ``controls``), so a
chain is compiled once and analysed many times. Statuses are stored as ranks (see ``lattice``);
responsibilities as codes 0 = provider, 1 = shared, 2 = customer.

The structure part orders the work: strongly connected components of the whole graph, their
topological levels, and the edges sorted by the level of their consumer, so that the engine can
sweep level by level with one ``reduceat`` per level instead of one Python step per node.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from obligraph.graph.lattice import Layer, PROVIDER_LAYERS, Responsibility, Status

if TYPE_CHECKING:
    from obligraph.graph.chain import Chain

PROVIDER, SHARED, CUSTOMER = (r.code for r in Responsibility)
UNKNOWN_RANK = Status.UNKNOWN.rank
VERIFIED_RANK = Status.VERIFIED.rank
DECLARED_RANK = Status.DECLARED.rank
NEVER_EXPIRES = date.max.toordinal()


@dataclass
class Structure:
    """Control-independent ordering of the graph for the level sweep."""

    indegree: np.ndarray  # [n] int64
    in_cycle: np.ndarray  # [n] bool: member of a strongly connected component with more than one node
    order: np.ndarray  # [E] edge indices sorted by (level of consumer, consumer)
    order_src: np.ndarray  # [E] provider of each edge in `order`
    seg_starts: np.ndarray  # start (in `order`) of each run of edges with the same consumer
    seg_dst: np.ndarray  # the consumer of each run
    level_edges: list[tuple[int, int, int, int, bool]]  # (edge start, edge end, seg start, seg end, has cycle)
    position: np.ndarray  # [E] position of each edge (document order) inside `order`
    out_ptr: np.ndarray  # CSR over providers: positions (in `order`) of each node's outgoing edges
    out_pos: np.ndarray
    in_ptr: np.ndarray  # CSR over consumers: edge indices (document order) of each node's incoming edges
    in_edges: np.ndarray


@dataclass
class CompiledChain:
    node_ids: list[str]
    node_index: dict[str, int]
    layer: np.ndarray  # [n] int8 layer codes
    src: np.ndarray  # [E] int64 provider index, document order
    dst: np.ndarray  # [E] int64 consumer index
    own: np.ndarray  # [n, C] uint8 declared status rank (unknown where undeclared)
    declared: np.ndarray  # [n, C] bool
    verified_node: np.ndarray  # sparse list of `verified` declarations and the last day they hold
    verified_col: np.ndarray
    verified_until: np.ndarray  # int64 proleptic ordinals
    assign_node: np.ndarray  # sparse list of `assigns`
    assign_col: np.ndarray
    assign_value: np.ndarray
    override_edge: np.ndarray  # sparse list of per-edge responsibility overrides
    override_col: np.ndarray
    override_value: np.ndarray
    default: np.ndarray  # [len(Layer), C] uint8 catalog default responsibility per provider layer
    structure: Structure

    @property
    def n(self) -> int:
        return len(self.node_ids)

    def own_on(self, day: date, cols: np.ndarray) -> np.ndarray:
        """Own status ranks for the given control columns on ``day``: lapsed ``verified`` counts as declared."""
        own = self.own[:, cols]
        if self.verified_node.size:
            lookup = np.full(self.own.shape[1], -1, dtype=np.int64)
            lookup[cols] = np.arange(len(cols))
            k = lookup[self.verified_col]
            lapsed = (k >= 0) & (self.verified_until < day.toordinal())
            own[self.verified_node[lapsed], k[lapsed]] = DECLARED_RANK
        return own

    def responsibility_block(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """r for every edge (in sweep order) and the given columns, plus the patched (position, column) cells."""
        s = self.structure
        default_block = self.default[:, cols]
        r = default_block[self.layer[s.order_src]]
        lookup = np.full(self.default.shape[1], -1, dtype=np.int64)
        lookup[cols] = np.arange(len(cols))
        patched_pos: list[np.ndarray] = []
        patched_col: list[np.ndarray] = []
        k = lookup[self.assign_col]
        keep = k >= 0
        if keep.any():
            nodes, ks, values = self.assign_node[keep], k[keep], self.assign_value[keep]
            counts = s.out_ptr[nodes + 1] - s.out_ptr[nodes]
            starts = np.repeat(s.out_ptr[nodes], counts)
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            pos = s.out_pos[starts + offsets]
            kk = np.repeat(ks, counts)
            r[pos, kk] = np.repeat(values, counts)
            patched_pos.append(pos)
            patched_col.append(kk)
        k = lookup[self.override_col]
        keep = k >= 0
        if keep.any():
            pos = s.position[self.override_edge[keep]]
            r[pos, k[keep]] = self.override_value[keep]
            patched_pos.append(pos)
            patched_col.append(k[keep])
        if patched_pos:
            return r, np.concatenate(patched_pos), np.concatenate(patched_col)
        empty = np.zeros(0, dtype=np.int64)
        return r, empty, empty

    def responsibility_column(self, col: int) -> np.ndarray:
        """r for every edge in document order, for one control column."""
        r_sorted, _, _ = self.responsibility_block(np.array([col]))
        r = np.empty(len(self.src), dtype=np.uint8)
        r[self.structure.order] = r_sorted[:, 0]
        return r


def compile_chain(chain: "Chain") -> CompiledChain:
    catalog = chain.catalog
    node_ids = list(chain.graph.nodes)
    node_index = {node_id: i for i, node_id in enumerate(node_ids)}
    n, c = len(node_ids), len(catalog)
    col = catalog.index

    layer = np.empty(n, dtype=np.int8)
    own = np.full((n, c), UNKNOWN_RANK, dtype=np.uint8)
    declared = np.zeros((n, c), dtype=bool)
    verified: list[tuple[int, int, int]] = []
    assigns: list[tuple[int, int, int]] = []
    for i, (node_id, attrs) in enumerate(chain.graph.nodes(data=True)):
        layer[i] = attrs["layer"].code
        for control, declaration in attrs["declarations"].items():
            j = col[control]
            own[i, j] = declaration.status.rank
            declared[i, j] = True
            if declaration.status is Status.VERIFIED:
                until = declaration.verified_until()
                verified.append((i, j, until.toordinal() if until else -1))
            if declaration.assigns is not None:
                assigns.append((i, j, declaration.assigns.code))

    pairs = chain.edges()
    src = np.fromiter((node_index[u] for u, _ in pairs), dtype=np.int64, count=len(pairs))
    dst = np.fromiter((node_index[v] for _, v in pairs), dtype=np.int64, count=len(pairs))
    overrides: list[tuple[int, int, int]] = []
    for e, (u, v) in enumerate(pairs):
        for control, value in chain.graph.edges[u, v]["responsibility"].items():
            overrides.append((e, col[control], value.code))

    default = np.full((len(Layer), c), CUSTOMER, dtype=np.uint8)
    for provider_layer in PROVIDER_LAYERS:
        for j, control in enumerate(catalog.controls):
            default[provider_layer.code, j] = control.responsibility[provider_layer].code

    def columns(rows: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        array = np.array(rows, dtype=np.int64).reshape(-1, 3)
        return array[:, 0].copy(), array[:, 1].copy(), array[:, 2].copy()

    vn, vc, vu = columns(verified)
    an, ac, av = columns(assigns)
    oe, oc, ov = columns(overrides)
    return CompiledChain(
        node_ids=node_ids,
        node_index=node_index,
        layer=layer,
        src=src,
        dst=dst,
        own=own,
        declared=declared,
        verified_node=vn,
        verified_col=vc,
        verified_until=vu,
        assign_node=an,
        assign_col=ac,
        assign_value=av.astype(np.uint8),
        override_edge=oe,
        override_col=oc,
        override_value=ov.astype(np.uint8),
        default=default,
        structure=build_structure(n, src, dst),
    )


def build_structure(n: int, src: np.ndarray, dst: np.ndarray) -> Structure:
    """Order nodes by the topological level of their strongly connected component, edges by consumer."""
    e = len(src)
    adjacency = csr_matrix((np.ones(e, dtype=np.int8), (src, dst)), shape=(n, n))
    n_comp, comp = connected_components(adjacency, directed=True, connection="strong")
    comp_size = np.bincount(comp, minlength=n_comp)
    in_cycle = comp_size[comp] > 1

    level = _component_levels(n_comp, comp[src], comp[dst])[comp]
    node_rank = np.empty(n, dtype=np.int64)
    node_rank[np.lexsort((np.arange(n), level))] = np.arange(n)

    order = np.argsort(node_rank[dst], kind="stable")
    order_src, order_dst = src[order], dst[order]
    position = np.empty(e, dtype=np.int64)
    position[order] = np.arange(e)

    if e:
        change = np.flatnonzero(np.diff(order_dst)) + 1
        seg_starts = np.concatenate(([0], change)).astype(np.int64)
    else:
        seg_starts = np.zeros(0, dtype=np.int64)
    seg_dst = order_dst[seg_starts]
    seg_level = level[seg_dst]
    internal = comp[order_src] == comp[order_dst]

    level_edges: list[tuple[int, int, int, int, bool]] = []
    if e:
        bounds = np.flatnonzero(np.diff(seg_level)) + 1
        seg_bounds = np.concatenate(([0], bounds, [len(seg_starts)]))
        for a, b in zip(seg_bounds[:-1], seg_bounds[1:]):
            edge_a = int(seg_starts[a])
            edge_b = int(seg_starts[b]) if b < len(seg_starts) else e
            level_edges.append((edge_a, edge_b, int(a), int(b), bool(internal[edge_a:edge_b].any())))

    out_sorted = np.argsort(order_src, kind="stable")
    out_ptr = np.concatenate(([0], np.cumsum(np.bincount(order_src, minlength=n)))).astype(np.int64)
    in_sorted = np.argsort(dst, kind="stable")
    in_ptr = np.concatenate(([0], np.cumsum(np.bincount(dst, minlength=n)))).astype(np.int64)
    return Structure(
        indegree=np.bincount(dst, minlength=n),
        in_cycle=in_cycle,
        order=order,
        order_src=order_src,
        seg_starts=seg_starts,
        seg_dst=seg_dst,
        level_edges=level_edges,
        position=position,
        out_ptr=out_ptr,
        out_pos=out_sorted,
        in_ptr=in_ptr,
        in_edges=in_sorted,
    )


def _component_levels(n_comp: int, csrc: np.ndarray, cdst: np.ndarray) -> np.ndarray:
    """Longest-path depth of each component in the condensation (Kahn's algorithm, one frontier at a time)."""
    keep = csrc != cdst
    csrc, cdst = csrc[keep], cdst[keep]
    order = np.argsort(csrc, kind="stable")
    targets = cdst[order]
    ptr = np.concatenate(([0], np.cumsum(np.bincount(csrc, minlength=n_comp)))).astype(np.int64)
    remaining = np.bincount(cdst, minlength=n_comp)
    level = np.zeros(n_comp, dtype=np.int64)
    frontier = np.flatnonzero(remaining == 0)
    depth = 0
    while frontier.size:
        level[frontier] = depth
        counts = ptr[frontier + 1] - ptr[frontier]
        if not counts.sum():
            break
        starts = np.repeat(ptr[frontier], counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        hit = targets[starts + offsets]
        remaining -= np.bincount(hit, minlength=n_comp)
        candidates = np.unique(hit)
        frontier = candidates[remaining[candidates] == 0]
        depth += 1
    return level
