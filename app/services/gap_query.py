"""Filtered, paged gap listings over an ``Analysis``, without walking every gap in Python.

Filters become boolean masks over the analysis arrays ([node, control column]); the row-major
order of the mask is the order ``Analysis.gaps()`` uses (document node order, then control), so a
page here lists the same gaps in the same order as ``obligraph analyze``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from obligraph.app.core.exceptions import BadRequest, InvalidInput, NotFound
from obligraph.app.core.paging import decode_cursor, encode_cursor
from obligraph.graph.analysis import ANALYSIS_FORMAT, Analysis, Gap
from obligraph.graph.analysis.engine import KIND_NAMES
from obligraph.graph.analysis.rootcause import reachable_over_delegation
from obligraph.graph.crosswalk import ControlIdError, resolve_control_id
from obligraph.graph.lattice import Layer

KINDS = ("origin", "inherited", "mixed", "circular")
_KIND_BY_CODE = np.array([KIND_NAMES.get(code, "") for code in range(max(KIND_NAMES) + 1)])


@dataclass(frozen=True)
class GapFilters:
    nodes: tuple[str, ...] | None = None
    controls: tuple[str, ...] | None = None
    clauses: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    layers: tuple[str, ...] | None = None
    root_cause: str | None = None
    orphaned: bool | None = None


def gap_page(
    workspace_id: str,
    revision: int,
    analysis: Analysis,
    filters: GapFilters,
    *,
    limit: int,
    cursor: str | None,
    root_causes: bool = True,
) -> dict[str, Any]:
    flat = gap_mask(workspace_id, analysis, filters).ravel()
    after = decode_cursor(cursor, list)
    begin = 0 if after is None else _cursor_position(analysis, after) + 1
    chosen = first_cells(flat, begin, limit)
    if root_causes:
        analysis.prefetch_responsibility(np.unique(chosen % len(analysis.controls)).tolist())
    gaps = [analysis.gap_dict(gap_at(analysis, int(cell)), root_causes=root_causes) for cell in chosen]
    rest = int(chosen[-1]) + 1 if chosen.size else begin
    more = chosen.size == limit and bool(flat[rest:].any())
    return {
        "format": ANALYSIS_FORMAT,
        "requirement": analysis.requirement.value,
        "as_of": analysis.as_of.isoformat(),
        "summary": analysis.summary(),
        "revision": revision,
        "matched": int(np.count_nonzero(flat)),
        "gaps": gaps,
        "next": encode_cursor([gaps[-1]["node"], gaps[-1]["control"]]) if more and gaps else None,
    }


def first_cells(flat: np.ndarray, begin: int, limit: int) -> np.ndarray:
    """Positions of the first ``limit`` true cells of ``flat`` at ``begin`` or after, read a stretch at a
    time: a page near the start of millions of gaps need not list them all.

    >>> first_cells(np.array([True, False, True, True, False, True]), 1, 2).tolist()
    [2, 3]
    """
    found: list[np.ndarray] = []
    wanted, stretch = limit, max(4096, 64 * limit)
    while wanted > 0 and begin < flat.size:
        hits = np.flatnonzero(flat[begin : begin + stretch])[:wanted] + begin
        found.append(hits)
        wanted -= hits.size
        begin += stretch
        stretch *= 4
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def gap_at(analysis: Analysis, cell: int) -> Gap:
    """The gap in flat cell ``cell`` (node row * controls + column) of a mask drawn from ``analysis.gap_mask``."""
    width = len(analysis.controls)
    node, control = analysis.compiled.node_ids[cell // width], analysis.controls[cell % width]
    gap = analysis.gap(node, control)
    if gap is None:
        raise RuntimeError(f"({node}, {control}) is no gap of this analysis: the mask came from another one")
    return gap


def gap_mask(workspace_id: str, analysis: Analysis, filters: GapFilters) -> np.ndarray:
    compiled = analysis.compiled
    mask = analysis.gap_mask.copy()
    if filters.nodes is not None:
        rows = np.zeros(compiled.n, dtype=bool)
        rows[[_node_index(workspace_id, analysis, node) for node in filters.nodes]] = True
        mask &= rows[:, None]
    if filters.layers is not None:
        codes = [Layer(layer).code for layer in filters.layers]
        mask &= np.isin(compiled.layer, codes)[:, None]
    if filters.controls is not None:
        cols = np.zeros(len(analysis.controls), dtype=bool)
        for control in filters.controls:
            cols[_columns(analysis, control)] = True
        mask &= cols[None, :]
    if filters.clauses is not None:
        catalog = analysis.chain.catalog
        known = list(catalog.document.clauses)
        for clause in filters.clauses:
            if clause not in catalog.document.clauses:
                raise _bad_filter(
                    "clause", f"'{clause}' is not a clause of catalog '{catalog.id}' (clauses: {', '.join(known)})"
                )
        cols = np.array([catalog[c].clause in filters.clauses for c in analysis.controls], dtype=bool)
        mask &= cols[None, :]
    if filters.kinds is not None:
        mask &= np.isin(_KIND_BY_CODE[analysis.kind], list(filters.kinds))
    if filters.orphaned is not None:
        mask &= analysis.orphaned == filters.orphaned
    if filters.root_cause is not None:
        mask &= root_cause_mask(analysis, _node_index(workspace_id, analysis, filters.root_cause))
    return mask


def root_cause_mask(analysis: Analysis, x: int) -> np.ndarray:
    """Cells whose root causes include node ``x``: the gaps ``x`` reaches over delegating edges
    (itself included) whose effective status is ``x``'s own, when ``x`` does its own part."""
    mask = np.zeros_like(analysis.gap_mask)
    for k, control in enumerate(analysis.controls):
        if not analysis.needs_own[x, k]:
            continue
        own = analysis.own[x, k]
        if not (analysis.gap_mask[:, k] & (analysis.effective[:, k] == own)).any():
            continue
        reached = np.array(
            [x, *reachable_over_delegation(analysis.compiled, analysis.responsibility_column(control), x)],
            dtype=np.int64,
        )
        hit = reached[(analysis.effective[reached, k] == own) & ~analysis.circular[reached, k]]
        mask[hit, k] = True
    return mask & analysis.gap_mask


def _node_index(workspace_id: str, analysis: Analysis, node: str) -> int:
    index = analysis.compiled.node_index.get(node)
    if index is None:
        raise NotFound(f"workspace '{workspace_id}' has no node '{node}'")
    return index


def _columns(analysis: Analysis, control: str) -> list[int]:
    """The analysis columns of ``control``: one for a catalog id, one per mapped control for a typed id."""
    try:
        catalog_ids = resolve_control_id(control, analysis.chain.catalog)
    except ControlIdError as exc:
        raise _bad_filter("control", str(exc)) from None
    found = [analysis.column.get(catalog_id) for catalog_id in catalog_ids]
    columns = [column for column in found if column is not None]
    if len(columns) < len(found):
        missing = catalog_ids[found.index(None)]
        named = f"'{missing}'" if missing == control else f"'{missing}' (from '{control}')"
        raise _bad_filter("control", f"control {named} is not analysed here; add it to `controls` to include it")
    return columns


def _cursor_position(analysis: Analysis, after: list) -> int:
    if len(after) == 2 and after[0] in analysis.compiled.node_index and after[1] in analysis.column:
        return analysis.compiled.node_index[after[0]] * len(analysis.controls) + analysis.column[after[1]]
    raise BadRequest(
        "the cursor points at a node or control this analysis no longer has (the workspace changed); "
        "start again without cursor",
        code="invalid_cursor",
        details=[{"location": "query.cursor", "message": "stale cursor"}],
    )


def _bad_filter(name: str, message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"location": f"query.{name}", "message": message}])
