"""The gap table over every gap: filtered, sorted and paged on the server, as masks and one
``numpy.lexsort`` over the analysis arrays (no per-gap Python objects but the page's rows), so the
page never claims fewer gaps than there are; the CSV is exactly the filtered set, in the same order.

Filters (all in the URL): ``node`` (id or name, substring, any case), ``layer``, ``control`` (a
control id, or a clause number), ``kind``, ``orphaned`` (yes/no), ``effective`` (a status),
``root_cause`` (a node id); ``sort`` one of ``SORT_KEYS``, ``dir`` asc/desc, ``page``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np

from obligraph.app.core.exceptions import InvalidInput
from obligraph.app.services.gap_query import GapFilters, gap_at, gap_mask
from obligraph.graph.analysis import Analysis
from obligraph.graph.analysis.engine import KIND_NAMES
from obligraph.graph.lattice import Layer, Status

PAGE_SIZE = 100
SORT_KEYS = ("node", "layer", "control", "kind", "effective", "orphaned")
COLUMNS = ("node", "layer", "control", "kind", "effective", "orphaned", "root_cause")
CSV_FIELDS = ["node", "name", "layer", "org", "control", "clause", "title", "kind", "effective", "required", "orphaned"]
#: Kinds as the table sorts them: worst first when descending is what a reader expects of "kind".
_KIND_ORDER = {"inherited": 0, "mixed": 1, "origin": 2, "circular": 3}
_ORPHANED: dict[str, bool | None] = {"": None, "yes": True, "no": False}


@dataclass(frozen=True)
class TableQuery:
    node: str = ""
    layer: str = ""
    control: str = ""
    kind: str = ""
    orphaned: str = ""
    effective: str = ""
    root_cause: str = ""
    sort: str = ""
    dir: str = "asc"
    page: int = 1

    def filters(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in COLUMNS if getattr(self, name)}

    def url(self, **changes: Any) -> str:
        """This query's URL parameters with ``changes`` (sorting or paging), empty ones left out."""
        values = {**self.filters(), "sort": self.sort, "dir": self.dir, "page": self.page, **changes}
        if not values.get("sort"):
            values.pop("dir", None)
        if values.get("page") == 1:
            values.pop("page")
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _bad(name: str, message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"location": f"query.{name}", "message": message}])


def matching_cells(workspace_id: str, analysis: Analysis, query: TableQuery) -> np.ndarray:
    """Flat indices (node row * controls + column) of the gaps that pass every filter, in the
    requested order (ties in document order)."""
    catalog = analysis.chain.catalog
    layers = kinds = controls = clauses = None
    if query.layer:
        if query.layer not in {layer.value for layer in Layer}:
            raise _bad("layer", f"'{query.layer}' is not a layer (infra, iaas, paas, saas, customer)")
        layers = (query.layer,)
    if query.kind:
        if query.kind not in _KIND_ORDER:
            raise _bad("kind", f"'{query.kind}' is not a gap kind (origin, inherited, mixed, circular)")
        kinds = (query.kind,)
    if query.control:
        if query.control in catalog.document.clauses:
            clauses = (query.control,)
        else:
            controls = (query.control,)
    if query.orphaned not in _ORPHANED:
        raise _bad("orphaned", f"orphaned is yes or no, not '{query.orphaned}'")
    orphaned = _ORPHANED[query.orphaned]
    filters = GapFilters(controls=controls, clauses=clauses, kinds=kinds, layers=layers,
                         root_cause=query.root_cause or None, orphaned=orphaned)  # fmt: skip
    mask = gap_mask(workspace_id, analysis, filters)
    if query.effective:
        try:
            rank = Status(query.effective).rank
        except ValueError:
            raise _bad("effective", f"'{query.effective}' is not a status") from None
        mask &= analysis.effective == rank
    if query.node:
        mask &= _node_rows(analysis, query.node)[:, None]
    flat = np.flatnonzero(mask.ravel())
    if not query.sort:
        return flat
    if query.sort not in SORT_KEYS:
        raise _bad("sort", f"sort by one of {', '.join(SORT_KEYS)}, not '{query.sort}'")
    key = _sort_key(analysis, query.sort, flat).astype(np.int64)
    order = np.lexsort((flat, -key if query.dir == "desc" else key))
    return flat[order]


def _node_rows(analysis: Analysis, text: str) -> np.ndarray:
    wanted = text.casefold()
    nodes = analysis.chain.node_attributes()
    ids = analysis.compiled.node_ids
    return np.fromiter(
        (wanted in node.casefold() or wanted in (nodes[node]["name"] or "").casefold() for node in ids),
        dtype=bool,
        count=len(ids),
    )


def _sort_key(analysis: Analysis, column: str, flat: np.ndarray) -> np.ndarray:
    width = len(analysis.controls)
    rows, cols = flat // width, flat % width
    if column == "node":
        nodes = analysis.chain.node_attributes()
        ids = analysis.compiled.node_ids
        by_name = sorted(range(len(ids)), key=lambda v: ((nodes[ids[v]]["name"] or ids[v]).casefold(), v))
        rank = np.empty(len(ids), dtype=np.int64)
        rank[np.array(by_name, dtype=np.int64)] = np.arange(len(ids))
        return rank[rows]
    if column == "layer":
        return analysis.compiled.layer[rows]
    if column == "control":
        return cols
    if column == "kind":
        table = np.zeros(max(KIND_NAMES) + 1, dtype=np.int64)
        for code, name in KIND_NAMES.items():
            table[code] = _KIND_ORDER.get(name, 0)
        return table[analysis.kind.ravel()[flat]]
    if column == "effective":
        return analysis.effective.ravel()[flat]
    return analysis.orphaned[rows, cols]


def rows_for(analysis: Analysis, cells: np.ndarray, *, root_causes: bool) -> list[dict[str, Any]]:
    chain, catalog = analysis.chain, analysis.chain.catalog
    rows = []
    for cell in cells:
        gap = gap_at(analysis, int(cell))
        node, control = gap.node, gap.control
        attrs = chain.node(node)
        causes = [c.node for c in analysis.root_causes(node, control)] if root_causes else []
        rows.append({
            "node": node,
            "name": attrs.name or node,
            "layer": attrs.layer.value,
            "org": attrs.org or "",
            "control": control,
            "clause": catalog[control].clause,
            "title": catalog[control].title,
            "title_ja": catalog[control].title_ja,
            "kind": gap.kind,
            "effective": gap.effective.value,
            "required": gap.required.value,
            "orphaned": gap.orphaned,
            "root_causes": causes,
        })  # fmt: skip
    return rows


def csv_text(analysis: Analysis, cells: np.ndarray) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for start in range(0, len(cells), 10_000):
        for row in rows_for(analysis, cells[start : start + 10_000], root_causes=False):
            writer.writerow({key: _cell(row[key]) for key in CSV_FIELDS})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Spreadsheets run a cell that starts with = + - @ as a formula; a leading quote keeps it text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
