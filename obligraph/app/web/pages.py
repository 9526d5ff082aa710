"""Pages: the workspace list, the map, and a node's audit page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from obligraph.app.api.workspaces import workspace_out
from obligraph.app.models import Workspace
from obligraph.app.report import node_report
from obligraph.app.security import visible_only
from obligraph.app.web.render import PageNotFound, json_text, page_view, render, service_of
from obligraph.graph.analysis import obligations
from obligraph.graph.lattice import EvidenceKind, Layer, Status
from obligraph.graph.viz import map_data

router = APIRouter(include_in_schema=False)
#: The list page shows this many workspaces; the API pages through all of them.
LIST_LIMIT = 500
#: Deepest neighbourhood the focused map shows.
MAX_DEPTH = 5
#: Node pickers of the edit forms list at most this many ids.
SELECT_LIMIT = 2000


@router.get("/", response_class=HTMLResponse)
def workspace_list(request: Request) -> HTMLResponse:
    service = service_of(request)
    with service.db.read() as session:
        query = select(Workspace).order_by(Workspace.id).limit(LIST_LIMIT)
        if (only := visible_only(request)) is not None:  # with auth on: the token's workspace only
            query = query.where(Workspace.id == only)
        rows = list(session.execute(query).scalars())
        items = workspace_out(session, rows)
    return render("index.html", title="Workspaces", workspaces=items, statuses=[s.value for s in Status])


@router.get("/w/{ws}", response_class=HTMLResponse)
def map_page(
    request: Request,
    ws: str,
    focus: Annotated[str | None, Query(max_length=128)] = None,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 1,
) -> HTMLResponse:
    service = service_of(request)
    focus = focus or None
    with page_view(request, ws) as view:
        workspace = view.workspace
        if focus is not None and focus not in view.chain:
            raise PageNotFound(f"workspace '{ws}' has no node '{focus}' to focus on")
        # The edit forms list node ids; a huge chain gets a text field instead (see _edit_forms.html).
        nodes = sorted(view.chain.graph.nodes) if len(view.chain) <= SELECT_LIMIT else None
    # The map data is rendered once per revision and kept in the service's response cache.
    body = service.respond(
        ws, ("web-map", focus, depth), lambda v: map_data(v.chain, v.analysis(), focus=focus, depth=depth)
    )
    return render(
        "map.html",
        title=workspace.name,
        ws=ws,
        workspace=workspace,
        map_json=json_text(body.decode()),
        focus=focus,
        depth=depth,
        max_depth=MAX_DEPTH,
        node_ids=nodes,
        layers=[layer.value for layer in Layer],
        statuses=[s.value for s in Status],
        evidence_kinds=[k.value for k in EvidenceKind],
    )


@router.get("/w/{ws}/nodes/{node}", response_class=HTMLResponse)
def node_page(request: Request, ws: str, node: str) -> HTMLResponse:
    with page_view(request, ws) as view:
        if node not in view.chain:
            raise PageNotFound(f"workspace '{ws}' has no node '{node}'")
        analysis = view.analysis()
        report = node_report(analysis, node, view.revision)
        owed = obligations(analysis, node)
        attrs = view.chain.node(node)
        consumers = list(view.chain.graph.successors(node))
        workspace = view.workspace
    return render(
        "node.html",
        title=f"{report['node']['name'] or node}",
        ws=ws,
        workspace=workspace,
        node=attrs,
        report=report,
        controls=[_row(item) for item in report["controls"] if item["in_scope"] or item["declaration"]],
        obligations=owed,
        consumers=consumers,
        layers=[layer.value for layer in Layer],
    )


def _row(item: dict[str, Any]) -> dict[str, Any]:
    """A checklist row with the evidence flattened for the template."""
    declaration = item["declaration"] or {}
    return {**item, "evidence": declaration.get("evidence", []), "notes": declaration.get("notes")}
