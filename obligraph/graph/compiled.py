"""The chain as flat numpy arrays, for the vectorised analysis engine.

Nothing here depends on the analysis parameters (``as_of``, ``requirement``, ``controls``), so a
chain is compiled once and analysed many times. Statuses are stored as ranks (see ``lattice``);
responsibilities as codes 0 = provider, 1 = shared, 2 = customer.

``sweep.py`` orders the work (components, levels, reduction plans); this module fills the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from obligraph.graph.lattice import PROVIDER_LAYERS, Layer, Responsibility, Status
from obligraph.graph.sweep import Structure, build_structure

if TYPE_CHECKING:
    from obligraph.graph.chain import Chain

PROVIDER, SHARED, CUSTOMER = (r.code for r in Responsibility)
UNKNOWN_RANK = Status.UNKNOWN.rank
VERIFIED_RANK = Status.VERIFIED.rank
DECLARED_RANK = Status.DECLARED.rank
NEVER_EXPIRES = date.max.toordinal()


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
