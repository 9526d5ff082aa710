"""The chain as flat numpy arrays, for the vectorised analysis engine.

Nothing here depends on the analysis parameters (``as_of``, ``requirement``, ``controls``), so a
chain is compiled once and analysed many times. Statuses are stored as ranks (see ``lattice``);
responsibilities as codes 0 = provider, 1 = shared, 2 = customer.

``sweep.py`` orders the work (components, levels, reduction plans); this module fills the arrays.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict, cast

import numpy as np
from numpy.typing import NDArray

from obligraph.graph.evidence import assurance_window
from obligraph.graph.lattice import PROVIDER_LAYERS, Layer, Responsibility, Status
from obligraph.graph.sweep import Structure, StructureOnDemand

if TYPE_CHECKING:
    from obligraph.graph.catalog import Catalog
    from obligraph.graph.chain import Chain
    from obligraph.graph.schema import Declaration

PROVIDER, SHARED, CUSTOMER = (r.code for r in Responsibility)
UNKNOWN_RANK = Status.UNKNOWN.rank
VERIFIED_RANK = Status.VERIFIED.rank
DECLARED_RANK = Status.DECLARED.rank
NOT_APPLICABLE_RANK = Status.NOT_APPLICABLE.rank


@dataclass
class Patches:
    """Cells (edge position in sweep order, column) whose r differs from the catalog's layer default."""

    position: np.ndarray
    column: np.ndarray
    value: np.ndarray  # r after assigns and overrides
    default: np.ndarray  # the catalog default for the provider's layer


@dataclass
class CompiledChain:
    node_ids: list[str]
    node_index: dict[str, int]
    layer: np.ndarray  # [n] int8 layer codes
    src: np.ndarray  # [E] int64 provider index, document order
    dst: np.ndarray  # [E] int64 consumer index
    own: np.ndarray  # [n, C] uint8 declared status rank (unknown where undeclared)
    declared: np.ndarray  # [n, ceil(C / 8)] uint8: control column j is bit j % 8 of byte j // 8
    verified_node: np.ndarray  # sparse list of `verified` declarations
    verified_col: np.ndarray
    window_node: np.ndarray  # sparse list of the day ranges on which evidence assures a `verified` declaration
    window_col: np.ndarray
    window_first: np.ndarray  # int64 proleptic ordinals, both days included
    window_last: np.ndarray
    not_applicable_node: np.ndarray  # sparse list of `not_applicable` declarations
    not_applicable_col: np.ndarray
    assign_node: np.ndarray  # sparse list of `assigns`
    assign_col: np.ndarray
    assign_value: np.ndarray
    override_edge: np.ndarray  # sparse list of per-edge responsibility overrides
    override_col: np.ndarray
    override_value: np.ndarray
    default: np.ndarray  # [len(Layer), C] uint8 catalog default responsibility per provider layer
    in_layer_counts: np.ndarray  # [n, len(Layer)] float32: incoming edges per provider layer
    in_layer_set: np.ndarray  # [n] uint8: bit l set when some incoming edge comes from layer l
    sweep: StructureOnDemand  # the sweep order, built when an analysis first needs it

    @property
    def n(self) -> int:
        return len(self.node_ids)

    @property
    def structure(self) -> Structure:
        """The sweep order of the graph (components, levels, plans), built on first use."""
        return self.sweep.get()

    @property
    def src_layer(self) -> np.ndarray:
        """[E] layer code of each edge's provider, in sweep order."""
        structure = self.structure
        cached = self._src_layer
        if cached is None or cached[0] is not structure:
            cached = self._src_layer = (structure, self.layer[structure.order_src])
        return cached[1]

    _src_layer: tuple[Structure, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def own_on(self, day: date, cols: np.ndarray) -> np.ndarray:
        """Own status ranks for the given control columns on ``day``.

        A ``verified`` declaration counts as declared unless one of its evidence windows holds ``day``.
        (The not_applicable rule needs the edges' responsibilities: ``not_applicable_cells`` and the engine.)
        """
        own = np.take(self.own, cols, axis=1)  # row-major: the sweep gathers whole rows
        if self.verified_node.size:
            lookup = self._column_lookup(cols)
            k = lookup[self.verified_col]
            chosen = k >= 0
            own[self.verified_node[chosen], k[chosen]] = DECLARED_RANK
            k = lookup[self.window_col]
            ordinal = day.toordinal()
            live = (k >= 0) & (self.window_first <= ordinal) & (self.window_last >= ordinal)
            own[self.window_node[live], k[live]] = VERIFIED_RANK
        return own

    def declared_columns(self, cols: np.ndarray) -> NDArray[np.bool_]:
        """Whether each node declared each of the control columns ``cols`` (any status): [n, len(cols)]."""
        picked = np.take(self.declared, cols >> 3, axis=1)
        np.right_shift(picked, (cols & 7).astype(np.uint8), out=picked)
        np.bitwise_and(picked, 1, out=picked)
        return picked.view(np.bool_)

    def declared_at(self, nodes: np.ndarray, cols: np.ndarray) -> NDArray[np.bool_]:
        """Whether node ``nodes[i]`` declared control column ``cols[i]``, for each i."""
        picked: NDArray[np.uint8] = self.declared[nodes, cols >> 3] >> (cols & 7).astype(np.uint8)
        return (picked & 1).view(np.bool_)

    def not_applicable_cells(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(node, column among ``cols``) of every ``not_applicable`` declaration of those controls."""
        k = self._column_lookup(cols)[self.not_applicable_col]
        chosen = k >= 0
        return self.not_applicable_node[chosen], k[chosen]

    def _column_lookup(self, cols: np.ndarray) -> np.ndarray:
        lookup = np.full(self.own.shape[1], -1, dtype=np.int64)
        lookup[cols] = np.arange(len(cols))
        return lookup

    def patches(self, cols: np.ndarray) -> Patches:
        """The (edge, column) cells where ``assigns`` or an edge override replace the catalog default.

        An edge override wins over the provider's ``assigns``; ``value`` is the resulting r.
        """
        s = self.structure
        lookup = np.full(self.default.shape[1], -1, dtype=np.int64)
        lookup[cols] = np.arange(len(cols))
        positions, columns, values = [], [], []
        k = lookup[self.assign_col]
        keep = k >= 0
        if keep.any():
            owner, position = s.outgoing(self.assign_node[keep])
            positions.append(position)
            columns.append(k[keep][owner])
            values.append(self.assign_value[keep][owner])
        k = lookup[self.override_col]
        keep = k >= 0
        if keep.any():
            positions.append(s.position[self.override_edge[keep]])
            columns.append(k[keep])
            values.append(self.override_value[keep])
        if not positions:
            empty = np.zeros(0, dtype=np.int64)
            return Patches(empty, empty, empty.astype(np.uint8), empty.astype(np.uint8))
        if len(positions) == 2:
            # Cells of one provider's assigns are distinct, and so are the overrides' cells; only an
            # assign under an override can repeat a cell, and the override wins there.
            k = len(cols)
            overridden = np.sort(positions[1] * k + columns[1])
            assigned = positions[0] * k + columns[0]
            found = np.searchsorted(overridden, assigned).clip(max=overridden.size - 1)
            keep = overridden[found] != assigned
            positions[0], columns[0], values[0] = positions[0][keep], columns[0][keep], values[0][keep]
        position, column, value = np.concatenate(positions), np.concatenate(columns), np.concatenate(values)
        default = np.take(self.default, cols, axis=1)[self.src_layer[position], column]
        return Patches(position, column, value.astype(np.uint8), default)

    def blocked_block(self, cols: np.ndarray, patches: Patches) -> np.ndarray:
        """Per edge (sweep order) and column: 255 where the edge does not delegate (r = customer), else 0."""
        table = (np.take(self.default, cols, axis=1) == CUSTOMER).view(np.uint8) * np.uint8(255)
        blocked = np.take(table, self.src_layer, axis=0)
        if patches.position.size:
            blocked[patches.position, patches.column] = (patches.value == CUSTOMER).view(np.uint8) * np.uint8(255)
        return blocked

    def rely_on_own_part(self, cols: np.ndarray, patches: Patches) -> np.ndarray:
        """Per node and column: some incoming edge has r in {shared, customer}.

        Without patches that depends only on which provider layers a node uses: one lookup per
        node in a table over the 32 sets of layers. The patched cells are then counted exactly
        (edges per provider layer, plus the patches' changes), so no pass over edges x columns is needed.
        """
        not_provider = (np.take(self.default, cols, axis=1) != PROVIDER).astype(np.float32)  # [layers, K]
        layer_sets = (np.arange(1 << len(Layer))[:, None] >> np.arange(len(Layer))) & 1  # [32, layers]
        table = (layer_sets.astype(np.float32) @ not_provider) > 0.5
        result = np.take(table, self.in_layer_set, axis=0)
        if not patches.position.size:
            return result
        delta = (patches.value != PROVIDER).astype(np.int64) - (patches.default != PROVIDER)
        moved = np.flatnonzero(delta)
        if moved.size:
            k = len(cols)
            cell, inverse = np.unique(
                self.structure.order_dst[patches.position[moved]] * k + patches.column[moved], return_inverse=True
            )
            change = np.bincount(inverse, weights=delta[moved])
            v, j = np.divmod(cell, k)
            before = np.einsum("ij,ij->i", self.in_layer_counts[v], not_provider.T[j])
            result[v, j] = before + change > 0.5
        return result

    def responsibility_column(self, col: int) -> NDArray[np.uint8]:
        """r for every edge in document order, for one control column."""
        column: NDArray[np.uint8] = self.responsibility_by_column(np.array([col]))[0]
        return column

    def responsibility_by_column(self, cols: np.ndarray) -> NDArray[np.uint8]:
        """r for each control column of ``cols`` (rows) and every edge in document order, in one
        pass over the assigns and overrides; each row is contiguous, one control's r per edge."""
        # A copy (fancy indexing), patched below.
        r: NDArray[np.uint8] = np.take(self.default[:, cols].T, self.layer[self.src], axis=1)
        patches = self.patches(cols)
        r[patches.column, self.structure.order[patches.position]] = patches.value
        return r

    def restricted(self, nodes: np.ndarray, edges: np.ndarray) -> "CompiledChain":
        """The chain made of ``nodes`` (sorted node indices) and ``edges`` (edge indices, in document
        order, both ends among ``nodes``), renumbered in that order, with their declarations,
        assigns and overrides; it has its own sweep order.

        >>> from obligraph.graph.chain import Chain
        >>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo",
        ...     "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "paas", "layer": "paas"},
        ...               {"id": "hr", "layer": "saas"}],
        ...     "edges": [{"provider": "iaas", "consumer": "paas"}, {"provider": "paas", "consumer": "hr"}]})
        >>> part = chain.compiled().restricted(np.array([1, 2]), np.array([1]))
        >>> part.node_ids, part.src.tolist(), part.dst.tolist()
        (['paas', 'hr'], [0], [1])
        """
        renumber = np.full(self.n, -1, dtype=np.int64)
        renumber[nodes] = np.arange(nodes.size)
        edge_renumber = np.full(self.src.size, -1, dtype=np.int64)
        edge_renumber[edges] = np.arange(edges.size)
        sparse: dict[str, np.ndarray] = {}
        for group, fields in _SPARSE_GROUPS.items():
            keep = renumber[getattr(self, f"{group}_node")] >= 0
            for name in fields:
                values = getattr(self, name)[keep]
                sparse[name] = renumber[values] if name == f"{group}_node" else values
        overridden = edge_renumber[self.override_edge] >= 0
        node_ids = [self.node_ids[i] for i in nodes.tolist()]
        rows = _NodeRows(
            layer=self.layer[nodes],
            own=self.own[nodes],
            declared=self.declared[nodes],
            sparse=cast(SparseArrays, sparse),
        )
        edge_rows = _EdgeRows(
            src=renumber[self.src[edges]],
            dst=renumber[self.dst[edges]],
            override_edge=edge_renumber[self.override_edge[overridden]],
            override_col=self.override_col[overridden],
            override_value=self.override_value[overridden],
        )
        return _assembled(self.default, node_ids, dict(zip(node_ids, range(len(node_ids)))), rows, edge_rows)

    def responsibility_at(self, edges: np.ndarray, cols: np.ndarray) -> NDArray[np.uint8]:
        """r of each ``edges[i]`` (document order) for catalog column ``cols[i]``: the catalog's
        default for the provider's layer, replaced by the provider's ``assigns``, replaced in turn
        by the edge's override. For a few cells; ``responsibility_by_column`` does whole columns.

        >>> from obligraph.graph.chain import Chain
        >>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo",
        ...     "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "hr", "layer": "saas"}],
        ...     "edges": [{"provider": "iaas", "consumer": "hr", "responsibility": {"9.1.1": "customer"}}]})
        >>> compiled = chain.compiled()
        >>> column = chain.catalog.index
        >>> compiled.responsibility_at(np.array([0, 0]), np.array([column["9.1.1"], column["10.5.1"]])).tolist()
        [2, 1]
        """
        width = self.default.shape[1]
        providers = self.src[edges]
        r: NDArray[np.uint8] = self.default[self.layer[providers], cols]  # fancy indexing: a copy, patched below
        _patch(r, providers * width + cols, self.assign_node * width + self.assign_col, self.assign_value)
        _patch(r, edges * width + cols, self.override_edge * width + self.override_col, self.override_value)
        return r

    def delegations(self, nodes: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every outgoing edge of each ``nodes[i]``, and whether it hands control ``cols[i]`` (a catalog
        column) on to its consumer (r is not customer): (i, edge in document order, delegates).
        What the ``not_applicable`` rule looks at, for a few (node, control) cells."""
        s = self.sweep.ready
        if s is not None:
            cell, position = s.outgoing(nodes)
            edge = s.order[position]
        else:  # a few cells do not warrant ordering the whole graph (an import's warnings, under its lock)
            cell, edge = _outgoing_edges(self.src, nodes)
        return cell, edge, self.responsibility_at(edge, cols[cell]) != CUSTOMER

    def with_declarations(
        self, node: int, declarations: Mapping[str, "Declaration"], column: Mapping[str, int]
    ) -> "CompiledChain":
        """A copy with node ``node``'s declarations replaced; the graph's shape is unchanged.

        Copy on write: an analysis made from this object keeps seeing the arrays it was made from.
        An edit of one declaration then costs a copy of the status matrix, not a recompile.
        """
        own, declared = self.own.copy(), self.declared.copy()
        own[node] = UNKNOWN_RANK
        declared[node] = 0
        cells = SparseCells()
        _fill_node(node, declarations, column, own, declared, cells)
        fresh = cells.arrays()
        # Each sparse group keeps the other nodes' rows and takes this node's fresh ones.
        merged: dict[str, np.ndarray] = {}
        for group, fields in _SPARSE_GROUPS.items():
            others = getattr(self, f"{group}_node") != node
            for name in fields:
                merged[name] = np.concatenate((getattr(self, name)[others], fresh[name]))  # type: ignore[literal-required]
        return replace(self, own=own, declared=declared, **cast(SparseArrays, merged))


def declaration_cells(
    declarations: Mapping[str, "Declaration"], column: Mapping[str, int]
) -> Iterator[tuple[int, int, list[tuple[int, int]] | None, int | None]]:
    """Per declaration: (catalog column, status rank, evidence windows or None, assigns code or None).

    The windows (first and last day as ordinals) are given for ``verified`` declarations only: the
    days on which some evidence item assures the control. The evidence rule runs here, once per
    declaration, so an analysis only compares its day with these ordinals.
    """
    for control, declaration in declarations.items():
        windows = None
        if declaration.status is Status.VERIFIED:
            windows = [(first.toordinal(), last.toordinal()) for first, last in declaration.assurance_windows()]
        assign = declaration.assigns.code if declaration.assigns is not None else None
        yield column[control], declaration.status.rank, windows, assign


class SparseArrays(TypedDict):
    """The sparse lists as ``CompiledChain`` fields of the same names, by group: each group's rows
    belong to the node in its ``<group>_node`` array."""

    verified_node: NDArray[np.int64]
    verified_col: NDArray[np.int64]
    window_node: NDArray[np.int64]
    window_col: NDArray[np.int64]
    window_first: NDArray[np.int64]
    window_last: NDArray[np.int64]
    not_applicable_node: NDArray[np.int64]
    not_applicable_col: NDArray[np.int64]
    assign_node: NDArray[np.int64]
    assign_col: NDArray[np.int64]
    assign_value: NDArray[np.uint8]


#: The sparse lists' fields by group, the ``<group>_node`` field first.
_SPARSE_GROUPS = {
    "verified": ("verified_node", "verified_col"),
    "window": ("window_node", "window_col", "window_first", "window_last"),
    "not_applicable": ("not_applicable_node", "not_applicable_col"),
    "assign": ("assign_node", "assign_col", "assign_value"),
}


class SparseCells:
    """The sparse per-declaration lists a compile (or a patch of one node) collects."""

    def __init__(self) -> None:
        self.verified: list[tuple[int, int]] = []
        self.window: list[tuple[int, int, int, int]] = []
        self.not_applicable: list[tuple[int, int]] = []
        self.assign: list[tuple[int, int, int]] = []

    def arrays(self) -> SparseArrays:
        """The lists as the ``CompiledChain`` fields of the same names."""
        verified = _columns(self.verified, 2)
        window = _columns(self.window, 4)
        not_applicable = _columns(self.not_applicable, 2)
        assign = _columns(self.assign, 3)
        return {
            "verified_node": verified[0],
            "verified_col": verified[1],
            "window_node": window[0],
            "window_col": window[1],
            "window_first": window[2],
            "window_last": window[3],
            "not_applicable_node": not_applicable[0],
            "not_applicable_col": not_applicable[1],
            "assign_node": assign[0],
            "assign_col": assign[1],
            "assign_value": assign[2].astype(np.uint8),
        }


def _fill_node(
    node: int,
    declarations: Mapping[str, Declaration],
    column: Mapping[str, int],
    own: NDArray[np.uint8],
    declared: NDArray[np.uint8],
    cells: SparseCells,
) -> None:
    """Write one node's declarations into the status matrices and the sparse lists."""
    for j, rank, windows, assign in declaration_cells(declarations, column):
        own[node, j] = rank
        declared[node, j >> 3] |= np.uint8(1 << (j & 7))
        if windows is not None:
            cells.verified.append((node, j))
            cells.window.extend((node, j, first, last) for first, last in windows)
        elif rank == NOT_APPLICABLE_RANK:
            cells.not_applicable.append((node, j))
        if assign is not None:
            cells.assign.append((node, j, assign))


def no_declarations(n: int, c: int) -> NDArray[np.uint8]:
    """The bits of ``CompiledChain.declared`` for ``n`` nodes and ``c`` controls, all clear.

    Eight controls to a byte: at a million nodes a bool per cell held 133 MB, and a copy-on-write
    edit of one declaration copied all of it.
    """
    return np.zeros((n, (c + 7) // 8), dtype=np.uint8)


def mark_declared(declared: NDArray[np.uint8], rows: np.ndarray, cols: np.ndarray) -> None:
    """Set the bits of the (``rows[i]``, ``cols[i]``) cells.

    >>> declared = no_declarations(2, 10)
    >>> mark_declared(declared, np.array([0, 0, 1]), np.array([1, 9, 3]))
    >>> declared.tolist()
    [[2, 2], [8, 0]]
    """
    # Cells sharing a byte must all land: ``at`` applies repeated indices one by one.
    np.bitwise_or.at(declared, (rows, cols >> 3), np.left_shift(1, cols & 7).astype(np.uint8))


def _declared_cells(
    node_attributes: Sequence[Mapping[str, Any]],
    column: Mapping[str, int],
    own: NDArray[np.uint8],
    declared: NDArray[np.uint8],
    first: int = 0,
) -> SparseCells:
    """Every node's declarations into the status matrices at once, and the sparse lists.

    What ``_fill_node`` does node by node, done over the flat list of all declarations: the
    matrices are written with one fancy-indexed assignment and only the declarations the sparse
    lists need (verified ones, for their evidence windows; not_applicable; assigns) are visited.
    The walks over every declaration are ``map`` chains of C functions (itemgetter, attrgetter,
    dict lookups), which at millions of declarations is several times faster than generators.
    Row i of the matrices is node ``first + i`` of the chain, the number the sparse lists record.
    """
    per_node: list[dict[str, Declaration]] = list(map(operator.itemgetter("declarations"), node_attributes))
    counts = np.fromiter(map(len, per_node), dtype=np.int64, count=len(per_node))
    total = int(counts.sum())
    cell_row = np.repeat(np.arange(len(per_node), dtype=np.int64), counts)
    cell_col = np.fromiter(
        map(column.__getitem__, itertools.chain.from_iterable(per_node)), dtype=np.int64, count=total
    )
    flat = list(itertools.chain.from_iterable(map(dict.values, per_node)))
    ranks = np.fromiter(map(_RANKS.__getitem__, map(_VALUE, map(_STATUS, flat))), dtype=np.uint8, count=total)
    own[cell_row, cell_col] = ranks
    mark_declared(declared, cell_row, cell_col)
    cell_node = cell_row + first

    cells = SparseCells()
    verified = np.flatnonzero(ranks == VERIFIED_RANK)
    verified_node, verified_col = cell_node[verified].tolist(), cell_col[verified].tolist()
    cells.verified.extend(zip(verified_node, verified_col))
    window = cells.window.append
    for node, j, declaration in zip(verified_node, verified_col, map(flat.__getitem__, verified.tolist())):
        control = declaration.control
        for item in declaration.evidence:
            days = assurance_window(item, control)
            if days is not None:
                window((node, j, days[0].toordinal(), days[1].toordinal()))
    not_applicable = np.flatnonzero(ranks == NOT_APPLICABLE_RANK)
    cells.not_applicable.extend(zip(cell_node[not_applicable].tolist(), cell_col[not_applicable].tolist()))
    assigning = np.fromiter(map(operator.is_not, map(_ASSIGNS, flat), itertools.repeat(None)), dtype=bool, count=total)
    for k in np.flatnonzero(assigning).tolist():
        assigns = flat[k].assigns
        if assigns is not None:  # always, by ``assigning``; says so to the type checker
            cells.assign.append((int(cell_node[k]), int(cell_col[k]), assigns.code))
    return cells


# Keyed by the members' values: an Enum member hashes in Python code, a str in C.
_RANKS = {status.value: status.rank for status in Status}
_LAYER_CODES = {layer.value: layer.code for layer in Layer}
_VALUE = operator.attrgetter("_value_")
_STATUS, _ASSIGNS = operator.attrgetter("status"), operator.attrgetter("assigns")


def _patch(values: np.ndarray, keys: np.ndarray, patch_keys: np.ndarray, patch_values: np.ndarray) -> None:
    """Replace, in place, the ``values`` whose key is among ``patch_keys`` (distinct) by the patch's value."""
    if not patch_keys.size or not keys.size:
        return
    order = np.argsort(patch_keys)
    found = np.searchsorted(patch_keys, keys, sorter=order).clip(max=patch_keys.size - 1)
    hit = patch_keys[order[found]] == keys
    values[hit] = patch_values[order[found[hit]]]


def _columns(rows: Sequence[tuple[int, ...]], width: int) -> list[NDArray[np.int64]]:
    """The rows (each ``width`` integers) as one array per column.

    >>> [column.tolist() for column in _columns([(1, 2), (3, 4)], 2)]
    [[1, 3], [2, 4]]
    """
    # From the flattened values: twice as fast as np.array on a list of tuples.
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width)
    array = flat.reshape(-1, width)
    return [array[:, i].copy() for i in range(width)]


_DEFAULTS: dict[int, tuple[Catalog, NDArray[np.uint8]]] = {}


def _layer_defaults(catalog: Catalog) -> NDArray[np.uint8]:
    """r by (provider layer, control) as the catalog sets it; the same read-only array for every
    compile with this catalog (the catalog object is kept with it, so its id is not reused)."""
    cached = _DEFAULTS.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    default = np.full((len(Layer), len(catalog)), CUSTOMER, dtype=np.uint8)
    for provider_layer in PROVIDER_LAYERS:
        for j, control in enumerate(catalog.controls):
            default[provider_layer.code, j] = control.responsibility[provider_layer].code
    default.flags.writeable = False
    _DEFAULTS[id(catalog)] = (catalog, default)
    return default


def edge_ends(
    node_index: Mapping[str, int], pairs: Collection[tuple[str, str]]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The row number of each (provider, consumer)'s provider and of its consumer; KeyError for an
    end that is not in ``node_index``.

    >>> src, dst = edge_ends({"iaas": 0, "paas": 1, "hr": 2}, [("iaas", "paas"), ("paas", "hr")])
    >>> src.tolist(), dst.tolist()
    ([0, 1], [1, 2])
    """
    providers, consumers = zip(*pairs) if pairs else ((), ())
    return _rows(node_index, providers), _rows(node_index, consumers)


def _rows(node_index: Mapping[str, int], ids: tuple[str, ...]) -> NDArray[np.int64]:
    if len(ids) < 2:  # itemgetter of one key gives the value alone, not a tuple
        return np.array([node_index[i] for i in ids], dtype=np.int64)
    # One itemgetter call looks every id up in C: a quarter faster than a map into np.fromiter.
    return np.array(operator.itemgetter(*ids)(node_index), dtype=np.int64)


def compile_chain(chain: "Chain") -> CompiledChain:
    """The whole chain as arrays."""
    nodes = chain.node_attributes()
    node_ids = list(nodes)
    node_index = dict(zip(node_ids, range(len(node_ids))))
    rows = _node_rows(list(nodes.values()), chain.catalog, first=0)
    edges = chain.edge_attributes()
    edge_rows = _edge_rows(edges, node_index, chain.catalog, 0, chain.loaded_edge_ends())
    return _assembled(_layer_defaults(chain.catalog), node_ids, node_index, rows, edge_rows)


def extend_compiled(compiled: CompiledChain, chain: "Chain") -> CompiledChain:
    """``compiled`` with the nodes and edges added to ``chain`` since it was compiled.

    Only the new nodes' declarations are read: the rows of the others, and their sparse lists, are
    carried over (a copy, so an analysis made from ``compiled`` keeps its arrays). The sweep order
    is extended too when the new edges lead only into nodes with no edge out (``extend_structure``:
    new customers, say), and rebuilt otherwise, since a new edge can join components or move
    levels. ``chain`` must hold ``compiled``'s nodes and edges first and in the same order, with the same layers, declarations and overrides: what
    adding nodes and edges (``Chain.add_node``, ``Chain.add_edge``) leaves behind.

    >>> from obligraph.graph.chain import Chain
    >>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo",
    ...     "nodes": [{"id": "iaas", "layer": "iaas"}]})
    >>> before = chain.compiled()
    >>> chain.add_node({"id": "hr", "layer": "saas"})
    >>> chain.add_edge({"provider": "iaas", "consumer": "hr"})
    >>> after = extend_compiled(before, chain)
    >>> after.node_ids, after.src.tolist(), after.dst.tolist()
    (['iaas', 'hr'], [0], [1])
    """
    nodes = chain.node_attributes()
    node_ids = list(nodes)
    known = compiled.n
    if node_ids[:known] != compiled.node_ids:
        raise ValueError("the chain no longer starts with the compiled nodes: compile it again")
    added = node_ids[known:]
    node_index = {**compiled.node_index, **dict(zip(added, range(known, len(node_ids))))}
    fresh = _node_rows([nodes[node_id] for node_id in added], chain.catalog, first=known)
    rows = _NodeRows(
        layer=np.concatenate((compiled.layer, fresh.layer)),
        own=np.concatenate((compiled.own, fresh.own)),
        declared=np.concatenate((compiled.declared, fresh.declared)),
        sparse=cast(
            SparseArrays,
            {key: np.concatenate((getattr(compiled, key), fresh.sparse[key])) for key in fresh.sparse},  # type: ignore[literal-required]
        ),
    )
    edges = chain.edge_attributes()
    kept = compiled.src.size
    new_edges = dict(itertools.islice(edges.items(), kept, None))
    extra = _edge_rows(new_edges, node_index, chain.catalog, kept)
    edge_rows = _EdgeRows(
        src=np.concatenate((compiled.src, extra.src)),
        dst=np.concatenate((compiled.dst, extra.dst)),
        override_edge=np.concatenate((compiled.override_edge, extra.override_edge)),
        override_col=np.concatenate((compiled.override_col, extra.override_col)),
        override_value=np.concatenate((compiled.override_value, extra.override_value)),
    )
    return _assembled(_layer_defaults(chain.catalog), node_ids, node_index, rows, edge_rows, before=compiled)


@dataclass
class _NodeRows:
    layer: NDArray[np.int8]
    own: NDArray[np.uint8]
    declared: NDArray[np.uint8]  # bits, as CompiledChain.declared
    sparse: SparseArrays


@dataclass
class _EdgeRows:
    src: NDArray[np.int64]
    dst: NDArray[np.int64]
    override_edge: NDArray[np.int64]
    override_col: NDArray[np.int64]
    override_value: NDArray[np.uint8]


def _node_rows(node_attributes: Sequence[Mapping[str, Any]], catalog: Catalog, first: int) -> _NodeRows:
    """The rows of these nodes, which are nodes ``first``, ``first + 1``, ... of the chain."""
    n, c = len(node_attributes), len(catalog)
    layers = map(operator.itemgetter("layer"), node_attributes)
    layer = np.fromiter(map(_LAYER_CODES.__getitem__, map(_VALUE, layers)), dtype=np.int8, count=n)
    own = np.full((n, c), UNKNOWN_RANK, dtype=np.uint8)
    declared = no_declarations(n, c)
    cells = _declared_cells(node_attributes, catalog.index, own, declared, first)
    return _NodeRows(layer, own, declared, cells.arrays())


def _edge_rows(
    edges: Mapping[tuple[str, str], Mapping[str, Any]],
    node_index: Mapping[str, int],
    catalog: Catalog,
    first: int,
    ends: tuple[NDArray[np.int64], NDArray[np.int64]] | None = None,
) -> _EdgeRows:
    """The ends and overrides of these edges, which are edges ``first``, ``first + 1``, ... of the
    chain; ``ends``: their ends as row numbers already (``Chain.loaded_edge_ends``)."""
    col = catalog.index
    src, dst = ends if ends is not None else edge_ends(node_index, edges.keys())
    overrides: list[tuple[int, int, int]] = []
    responsibilities = list(map(operator.itemgetter("responsibility"), edges.values()))
    overriding = np.fromiter(map(bool, responsibilities), dtype=bool, count=len(responsibilities))
    for e in np.flatnonzero(overriding).tolist():
        for control, value in responsibilities[e].items():
            overrides.append((first + e, col[control], value.code))
    oe, oc, ov = _columns(overrides, 3)
    return _EdgeRows(src, dst, oe, oc, ov.astype(np.uint8))


def _assembled(
    default: NDArray[np.uint8],
    node_ids: list[str],
    node_index: dict[str, int],
    rows: _NodeRows,
    edges: _EdgeRows,
    before: CompiledChain | None = None,
) -> CompiledChain:
    """The compiled chain from its node and edge rows: the sweep order and the per-node edge counts.

    ``before``: the compiled chain this one extends (its nodes and edges come first here), whose
    sweep order and edge counts are carried over where they can be."""
    n, layer, src, dst = len(node_ids), rows.layer, edges.src, edges.dst
    sweep = StructureOnDemand(n, src, dst, before.sweep.ready if before is not None else None)
    if before is None:
        in_layer_counts = (
            np.bincount(dst * len(Layer) + layer[src], minlength=n * len(Layer))
            .reshape(n, len(Layer))
            .astype(np.float32)
        )
    else:
        in_layer_counts = np.zeros((n, len(Layer)), dtype=np.float32)
        in_layer_counts[: before.n] = before.in_layer_counts
        e0 = before.src.size
        np.add.at(in_layer_counts, (dst[e0:], layer[src[e0:]]), 1)
    return CompiledChain(
        node_ids=node_ids,
        node_index=node_index,
        layer=layer,
        src=src,
        dst=dst,
        own=rows.own,
        declared=rows.declared,
        **rows.sparse,
        override_edge=edges.override_edge,
        override_col=edges.override_col,
        override_value=edges.override_value,
        default=default,
        in_layer_counts=in_layer_counts,
        in_layer_set=((in_layer_counts > 0) @ (1 << np.arange(len(Layer)))).astype(np.uint8),
        sweep=sweep,
    )


def _outgoing_edges(src: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every edge out of each ``nodes[i]`` (repeats allowed), found by a scan of the providers
    ``src``: (i, edge in document order) pairs as two arrays, as ``Structure.outgoing`` gives them.

    >>> cell, edge = _outgoing_edges(np.array([0, 1, 0]), np.array([0, 2, 0]))
    >>> cell.tolist(), edge.tolist()
    ([0, 0, 2, 2], [0, 2, 0, 2])
    """
    picked = np.flatnonzero(np.isin(src, nodes))
    by_provider = picked[np.argsort(src[picked], kind="stable")]
    providers = src[by_provider]
    first = np.searchsorted(providers, nodes, side="left")
    counts = np.searchsorted(providers, nodes, side="right") - first
    cell = np.repeat(np.arange(nodes.size), counts)
    offsets = np.arange(cell.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return cell, by_provider[np.repeat(first, counts) + offsets]
