"""Table pages: the gap table (and its CSV), the responsibility heat map."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterator

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from obligraph.app.web.render import page_view, render
from obligraph.graph.analysis import Analysis
from obligraph.graph.lattice import Status

router = APIRouter(include_in_schema=False)
#: Rows drawn in the HTML table; the CSV always has every gap.
GAP_ROWS = 2000
#: Rows of the heat map; a bigger chain shows its nodes with the most gaps first.
HEAT_ROWS = 300


def gap_rows(analysis: Analysis, limit: int | None, *, root_causes: bool) -> Iterator[dict[str, Any]]:
    chain, catalog = analysis.chain, analysis.chain.catalog
    for n, gap in enumerate(analysis.gaps()):
        if limit is not None and n >= limit:
            return
        attrs = chain.node(gap.node)
        causes = [c.node for c in analysis.root_causes(gap.node, gap.control)] if root_causes else []
        yield {
            "node": gap.node,
            "name": attrs.name or gap.node,
            "layer": attrs.layer.value,
            "org": attrs.org or "",
            "control": gap.control,
            "clause": catalog[gap.control].clause,
            "title": catalog[gap.control].title,
            "kind": gap.kind,
            "effective": gap.effective.value,
            "required": gap.required.value,
            "orphaned": gap.orphaned,
            "root_causes": causes,
        }


@router.get("/w/{ws}/gaps", response_class=HTMLResponse)
def gaps_page(request: Request, ws: str) -> HTMLResponse:
    with page_view(request, ws) as view:
        analysis = view.analysis()
        rows = list(gap_rows(analysis, GAP_ROWS, root_causes=True))
        total = analysis.gap_count
        workspace = view.workspace
    return render("gaps.html", title=f"Gaps: {workspace.name}", ws=ws, workspace=workspace, rows=rows, total=total)


@router.get("/w/{ws}/gaps.csv")
def gaps_csv(request: Request, ws: str) -> Response:
    with page_view(request, ws) as view:
        rows = list(gap_rows(view.analysis(), None, root_causes=False))
    out = io.StringIO()
    fields = ["node", "name", "layer", "org", "control", "clause", "title", "kind", "effective", "required", "orphaned"]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row[key]) for key in fields})
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{ws}-gaps.csv"'},
    )


def _cell(value: Any) -> Any:
    """Spreadsheets run a cell that starts with = + - @ as a formula; a leading quote keeps it text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@router.get("/w/{ws}/heatmap", response_class=HTMLResponse)
def heatmap_page(request: Request, ws: str) -> HTMLResponse:
    with page_view(request, ws) as view:
        analysis = view.analysis()
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
    )


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
        rows.append({"node": ids[v], "name": attrs.name or ids[v], "layer": attrs.layer.value, "cells": cells,
                     "gaps": int(gaps_per_node[v])})
    return clauses, rows
