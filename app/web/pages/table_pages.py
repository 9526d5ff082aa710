"""Table pages: the gap table (and its CSV), the responsibility heat map."""

from __future__ import annotations

import dataclasses
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from obligraph.app.core.exceptions import DomainError
from obligraph.app.services.gap_table import (
    CSV_FIELDS,
    PAGE_SIZE,
    SORT_KEYS,
    TableQuery,
    csv_text,
    matching_cells,
    rows_for,
)
from obligraph.app.web.params import PageAnalysis, PageAnalysisDep, analysis_context
from obligraph.app.web.render import page_view, render
from obligraph.app.web.spreadsheets import BOM, STATUS_FILLS, Sheet, xlsx_response
from obligraph.graph.analysis import Analysis
from obligraph.graph.lattice import Layer, Status

router = APIRouter(include_in_schema=False)
#: Rows of the heat map; a bigger chain shows its nodes with the most gaps first.
HEAT_ROWS = 300


def table_query(
    node: Annotated[str, Query(max_length=128)] = "",
    layer: Annotated[str, Query(max_length=16)] = "",
    control: Annotated[str, Query(max_length=32)] = "",
    kind: Annotated[str, Query(max_length=16)] = "",
    orphaned: Annotated[str, Query(max_length=3)] = "",
    effective: Annotated[str, Query(max_length=16)] = "",
    root_cause: Annotated[str, Query(max_length=128)] = "",
    sort: Annotated[str, Query(max_length=16)] = "",
    dir: Annotated[Literal["asc", "desc"], Query()] = "asc",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> TableQuery:
    return TableQuery(node.strip(), layer, control.strip(), kind, orphaned, effective, root_cause.strip(), sort, dir,
                      page)  # fmt: skip


@router.get("/w/{ws}/gaps", response_class=HTMLResponse)
def gaps_page(
    request: Request, ws: str, query: Annotated[TableQuery, Depends(table_query)], choice: PageAnalysisDep
) -> HTMLResponse:
    error, rows, matched = None, [], 0
    with page_view(request, ws) as view:
        analysis = view.analysis(*choice.args())
        workspace, total = view.workspace, analysis.gap_count
        try:
            started = time.perf_counter()
            cells = matching_cells(ws, analysis, query)
            matched = len(cells)
            last = max(1, -(-matched // PAGE_SIZE))
            if query.page > last:  # past the end (the filters narrowed): the last page, not an empty one
                query = dataclasses.replace(query, page=last)
            start = (query.page - 1) * PAGE_SIZE
            rows = rows_for(analysis, cells[start : start + PAGE_SIZE], root_causes=True)
            elapsed = time.perf_counter() - started
        except DomainError as exc:  # an unknown root-cause node too: a filter error here (422), not a missing page
            error, elapsed = exc.message, 0.0
        catalog = analysis.chain.catalog
        clauses = sorted(catalog.document.clauses, key=lambda c: [int(p) if p.isdigit() else p for p in c.split(".")])
        controls = list(analysis.controls)
    pages = max(1, -(-matched // PAGE_SIZE))
    return render(
        "gaps.html",
        status=422 if error else 200,
        title=f"Gaps: {workspace.name}",
        ws=ws,
        workspace=workspace,
        rows=rows,
        total=total,
        matched=matched,
        query=_WithAnalysis(query, choice),
        keep_params=query.filters(),
        pages=pages,
        page_size=PAGE_SIZE,
        error=error,
        elapsed_ms=round(elapsed * 1000),
        layers=[layer.value for layer in Layer],
        kinds=["origin", "inherited", "mixed", "circular"],
        statuses=[s.value for s in Status],
        clauses=clauses,
        controls=controls,
        sort_keys=SORT_KEYS,
        **analysis_context(analysis, choice),
    )


class _WithAnalysis:
    """The table query for the template: its links also carry the chosen requirement and date."""

    def __init__(self, query: TableQuery, choice: PageAnalysis):
        self._query, self._extra = query, choice.query.lstrip("?")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._query, name)

    def url(self, **changes: Any) -> str:
        return "&".join(part for part in (self._query.url(**changes), self._extra) if part)


@router.get("/w/{ws}/gaps.csv")
def gaps_csv(
    request: Request, ws: str, query: Annotated[TableQuery, Depends(table_query)], choice: PageAnalysisDep
) -> Response:
    """Exactly the gaps the table's filters select, in its order (every page, not only the one shown).

    With a byte-order mark: Excel on a non-UTF-8 Windows (Japanese, say) reads the file right only with it.
    """
    with page_view(request, ws) as view:
        analysis = view.analysis(*choice.args())
        cells = matching_cells(ws, analysis, query)
        text = csv_text(analysis, cells)
    return Response(
        (BOM + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{ws}-gaps.csv"'},
    )


@router.get("/w/{ws}/gaps.xlsx")
def gaps_xlsx(
    request: Request, ws: str, query: Annotated[TableQuery, Depends(table_query)], choice: PageAnalysisDep
) -> Response:
    """The gaps of the CSV (the table's filters, its order) as a sheet."""
    with page_view(request, ws) as view:
        analysis = view.analysis(*choice.args())
        cells = matching_cells(ws, analysis, query)
        rows = [[row[key] for key in CSV_FIELDS] for row in rows_for(analysis, cells, root_causes=False)]
    return xlsx_response(f"{ws}-gaps.xlsx", [Sheet("gaps", list(CSV_FIELDS), rows)])


@router.get("/w/{ws}/heatmap", response_class=HTMLResponse)
def heatmap_page(request: Request, ws: str, choice: PageAnalysisDep) -> HTMLResponse:
    with page_view(request, ws) as view:
        analysis = view.analysis(*choice.args())
        clauses, rows = heat_rows(analysis)
        total = len(view.chain)
        workspace = view.workspace
    catalog = analysis.chain.catalog
    return render(
        "heatmap.html",
        title=f"Heat map: {workspace.name}",
        ws=ws,
        workspace=workspace,
        clauses=[{"id": c, "title": catalog.clause_title(c)} for c in clauses],
        rows=rows,
        total=total,
        statuses=[s.value for s in Status],
        **analysis_context(analysis, choice),
    )


@router.get("/w/{ws}/heatmap.xlsx")
def heatmap_xlsx(request: Request, ws: str, choice: PageAnalysisDep) -> Response:
    """The heat map as a sheet: one row per node shown on the page, a coloured status per clause."""
    with page_view(request, ws) as view:
        clauses, rows = heat_rows(view.analysis(*choice.args()))
    headers = ["node", "name", "layer", "gaps", *clauses]
    table, fills = [], {}
    for r, row in enumerate(rows):
        table.append([row["node"], row["name"], row["layer"], row["gaps"], *(cell or "" for cell in row["cells"])])
        for c, cell in enumerate(row["cells"]):
            if cell:
                fills[(r, 4 + c)] = STATUS_FILLS[cell]
    return xlsx_response(f"{ws}-heatmap.xlsx", [Sheet("heat map", headers, table, fills)])


def heat_rows(analysis: Analysis) -> tuple[list[str], list[dict[str, Any]]]:
    """Per node and clause, the worst effective status over the node's in-scope controls of that clause."""
    catalog = analysis.chain.catalog
    clause_of = [catalog[c].clause for c in analysis.controls]
    clauses = list(dict.fromkeys(clause_of))
    columns = {clause: [k for k, c in enumerate(clause_of) if c == clause] for clause in clauses}
    ids = analysis.compiled.node_ids
    gaps_per_node = analysis.gap_mask.sum(axis=1)
    order = sorted(range(len(ids)), key=lambda v: -int(gaps_per_node[v]))[:HEAT_ROWS]
    order.sort()  # keep document order among the rows shown
    rows = []
    for v in order:
        cells = []
        for clause in clauses:
            ranks = [int(analysis.effective[v, k]) for k in columns[clause] if analysis.in_scope[v, k]]
            cells.append(Status.from_rank(min(ranks)).value if ranks else None)
        attrs = analysis.chain.node(ids[v])
        rows.append(
            {
                "node": ids[v],
                "name": attrs.name or ids[v],
                "layer": attrs.layer.value,
                "cells": cells,
                "gaps": int(gaps_per_node[v]),
            }
        )
    return clauses, rows
