"""Pages: the workspace list, the map (and its data as JSON, for expanding groups), a node's audit page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from obligraph.app.core.exceptions import NotFound
from obligraph.app.repository import workspace_rows
from obligraph.app.repository.workspace_rows import workspace_summaries
from obligraph.app.security import visible_only
from obligraph.app.services.report import node_report
from obligraph.app.web.i18n import control_title, localized
from obligraph.app.web.i18n import gettext as _
from obligraph.app.web.pages.evidence_pages import evidence_mark
from obligraph.app.web.params import PageAnalysis, PageAnalysisDep, analysis_context
from obligraph.app.web.render import (
    PageNotFound,
    json_text,
    page_view,
    pages_not_found,
    render,
    service_of,
)
from obligraph.app.web.spreadsheets import Sheet, xlsx_response
from obligraph.app.web.warnings_view import warning_items
from obligraph.graph.analysis import obligations
from obligraph.graph.lattice import Layer
from obligraph.graph.schema import dump_item
from obligraph.graph.viz import UnknownGroup, map_data

router = APIRouter(include_in_schema=False)
#: The list page shows this many workspaces; the API pages through all of them.
LIST_LIMIT = 500
#: Deepest neighbourhood the focused map shows.
MAX_DEPTH = 5
#: Node pickers of the edit forms list at most this many ids.
SELECT_LIMIT = 2000
#: Edit forms for at most this many of a node's providers, and as many consumers, on its page.
EDGE_FORMS = 100
#: Groups one map can expand at once.
MAX_EXPAND = 50


@router.get("/", response_class=HTMLResponse)
def workspace_list(request: Request) -> HTMLResponse:
    service = service_of(request)
    with service.db.read() as session:
        # with auth on: the token's workspace only
        rows, _more = workspace_rows.workspace_page(session, LIST_LIMIT, None, visible_only(request))
        items = workspace_summaries(session, rows)
    return render("index.html", title=_("Workspaces"), workspaces=items,
                  keep_days=service.settings.deleted_workspaces_keep_days)  # fmt: skip


FocusQuery = Annotated[str | None, Query(max_length=128)]
DepthQuery = Annotated[int, Query(ge=1, le=MAX_DEPTH)]
#: Groups of the aggregated map drawn node by node (see ``obligraph.graph.viz``).
ExpandQuery = Annotated[list[str], Query(max_length=MAX_EXPAND)]


@router.get("/w/{ws}", response_class=HTMLResponse)
def map_page(
    request: Request,
    ws: str,
    choice: PageAnalysisDep,
    focus: FocusQuery = None,
    depth: DepthQuery = 1,
    expand: ExpandQuery = [],  # noqa: B006  (FastAPI copies the default)
) -> HTMLResponse:
    focus_query = focus or None
    focus_error = None
    with page_view(request, ws) as view:
        workspace = view.workspace
        focus, focus_error = resolve_focus(view.chain, focus_query)
        completion = completions(view.chain)
        chosen = analysis_context(view.analysis(*choice.args()), choice)
        names = (
            sorted({view.chain.graph.nodes[n]["name"] or n for n in view.chain.graph.nodes})
            if len(view.chain) <= SELECT_LIMIT
            else None
        )
    body = _map_json(request, ws, focus, depth, expand, choice)
    return render(
        "map.html",
        title=workspace.name,
        ws=ws,
        workspace=workspace,
        map_json=json_text(body.decode()),
        focus=focus,
        focus_query=focus_query,
        focus_error=focus_error,
        node_names=names,
        depth=depth,
        max_depth=MAX_DEPTH,
        layers=[layer.value for layer in Layer],
        keep_params={"focus": focus, "depth": depth if focus else None},
        **completion,
        **chosen,
    )


@router.get("/w/{ws}/map.json")
def map_json(
    request: Request,
    ws: str,
    choice: PageAnalysisDep,
    focus: FocusQuery = None,
    depth: DepthQuery = 1,
    expand: ExpandQuery = [],  # noqa: B006  (FastAPI copies the default)
) -> Response:
    """The map's data as the page embeds it; the page fetches it again to expand a group in place."""
    focus = focus or None
    try:
        if focus is not None:
            with page_view(request, ws) as view:
                if focus not in view.chain:
                    raise PageNotFound(f"workspace '{ws}' has no node '{focus}' to focus on")
        body = _map_json(request, ws, focus, depth, expand, choice)
    except PageNotFound as exc:  # the JSON route answers in the API's error shape
        raise NotFound(exc.message) from None
    return Response(body, media_type="application/json")


def resolve_focus(chain, text: str | None) -> tuple[str | None, str | None]:
    """The node a typed focus means: an id, else a name (case and spacing ignored), else the one
    node whose id or name contains it. Anything else gives the whole map and a message saying why."""
    if text is None:
        return None, None
    if text in chain:
        return text, None
    wanted = " ".join(text.split()).casefold()
    named = [
        n for n in chain.graph.nodes if " ".join((chain.graph.nodes[n]["name"] or "").split()).casefold() == wanted
    ]
    if len(named) == 1:
        return named[0], None
    if not named:
        named = [
            n
            for n in chain.graph.nodes
            if wanted in n.casefold() or wanted in (chain.graph.nodes[n]["name"] or "").casefold()
        ]
        if len(named) == 1:
            return named[0], None
    if not named:
        return None, f"No node has the id or name '{text}'; the whole map is shown. Pick a name from the list."
    shown = ", ".join(f"{chain.graph.nodes[n]['name'] or n} ({n})" for n in named[:8])
    more = f" and {len(named) - 8} more" if len(named) > 8 else ""
    return None, f"'{text}' matches {len(named)} nodes: {shown}{more}; type one of their ids to focus."


def _map_json(
    request: Request, ws: str, focus: str | None, depth: int, expand: list[str], choice: PageAnalysis
) -> bytes:
    """Rendered once per revision and view, and kept in the service's response cache."""
    expand = [group for group in expand if group] if focus is None else []
    key = ("web-map", focus, depth, tuple(expand), choice.cache_key())
    try:
        with pages_not_found():
            return service_of(request).respond(
                ws,
                key,
                lambda v: map_data(v.chain, v.analysis(*choice.args()), focus=focus, depth=depth, expand=expand),
            )
    except UnknownGroup as exc:
        raise PageNotFound(f"{exc}; open the map again without it") from None


@router.get("/w/{ws}/nodes/{node}", response_class=HTMLResponse)
def node_page(request: Request, ws: str, node: str, choice: PageAnalysisDep) -> HTMLResponse:
    with page_view(request, ws) as view:
        if node not in view.chain:
            raise PageNotFound(f"workspace '{ws}' has no node '{node}'")
        analysis = view.analysis(*choice.args())
        report = node_report(analysis, node, view.revision)
        owed = obligations(analysis, node)
        attrs = view.chain.node(node)
        consumers = list(view.chain.graph.successors(node))
        workspace = view.workspace
        edges = {
            "providers": [
                _edge_row(view.chain, p, node) for p in list(view.chain.graph.predecessors(node))[:EDGE_FORMS]
            ],
            "consumers": [_edge_row(view.chain, node, c) for c in consumers[:EDGE_FORMS]],
        }
        provider_count = view.chain.graph.in_degree(node)
        declarations = [_plain(dump_item(d, mode="python")) for d in view.chain.declarations(node).values()]
        catalog = view.chain.catalog
        warnings = warning_items(view.chain, ws, analysis.as_of, [node])
        completion = completions(view.chain)
        titles = {c.id: control_title(c) for c in catalog.controls}
    return render(
        "node.html",
        title=f"{report['node']['name'] or node}",
        ws=ws,
        workspace=workspace,
        node=attrs,
        report=report,
        controls=[
            _row(item, catalog[item["control"]], analysis.as_of)
            for item in report["controls"]
            if item["in_scope"] or item["declaration"]
        ],
        warnings=warnings,
        titles=titles,
        **completion,
        obligations=owed,
        consumers=consumers,
        edges=edges,
        provider_count=provider_count,
        edge_forms=EDGE_FORMS,
        declarations=declarations,
        **analysis_context(analysis, choice),
    )


CHECKLIST_FIELDS = ["control", "title", "clause", "own", "effective", "gap", "root causes", "evidence", "you do",
                    "demand", "providers"]  # fmt: skip


@router.get("/w/{ws}/nodes/{node}/checklist.xlsx")
def checklist_xlsx(request: Request, ws: str, node: str, choice: PageAnalysisDep) -> Response:
    """The node's audit checklist (the rows of its page) as a sheet."""
    with page_view(request, ws) as view:
        if node not in view.chain:
            raise PageNotFound(f"workspace '{ws}' has no node '{node}'")
        report = node_report(view.analysis(*choice.args()), node, view.revision)
    rows = []
    for item in (_row(item) for item in report["controls"] if item["in_scope"] or item["declaration"]):
        gap = item["gap"]
        rows.append([
            item["control"], item["title"], item["clause"], item["own"], item["effective"],
            (gap["kind"] + (" (orphaned)" if gap["orphaned"] else "")) if gap else "",
            ", ".join(f"{rc['node']} ({rc['status']})" for rc in gap["root_causes"]) if gap else "",
            "; ".join(f"{e['kind']}: {e.get('ref', '')}" + (f" (expires {e['expires']})" if e.get("expires") else "")
                      for e in item["evidence"]),
            item["you_do"] or "",
            item["demand"] or "",
            ", ".join(f"{p['provider']} ({p['responsibility']}, {p['effective']})" for p in item["providers"]),
        ])  # fmt: skip
    return xlsx_response(f"{ws}-{node}-checklist.xlsx", [Sheet("checklist", CHECKLIST_FIELDS, rows)])


def _edge_row(chain, provider: str, consumer: str) -> dict[str, Any]:
    return _plain(chain.edge(provider, consumer).model_dump())


def _plain(value: Any) -> Any:
    """Enums to their values, dates to ISO text: what the form fields show and send back."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return getattr(value, "value", value)


def _row(item: dict[str, Any], control: Any = None, as_of: date | None = None) -> dict[str, Any]:
    """A checklist row with the evidence flattened, and the catalog's texts in the page's language.

    On the page (``as_of`` given) each evidence item carries its mark, and ``demand_from`` names the
    providers that block this node's gap for the control (the gap's blockers other than the node).
    """
    declaration = item["declaration"] or {}
    row = {**item, "evidence": declaration.get("evidence", []), "notes": declaration.get("notes")}
    if as_of is not None:
        row["evidence"] = [{**e, "mark": evidence_mark(e, as_of)} for e in row["evidence"]]
        gap = item["gap"] or {}
        row["demand_from"] = [b for b in gap.get("blockers", []) if b["node"] != item["gap"]["node"]] if gap else []
    if control is not None:
        row["title"] = control_title(control)
        if item["you_do"]:
            row["you_do"] = localized(control, "user_guidance")
        if item["demand"]:
            row["demand"] = localized(control, "provider_expectation")
    return row


def completions(chain) -> dict[str, Any]:
    """What the edit forms complete: every control (id, both titles) and, up to a size, every node."""
    controls = [{"id": c.id, "title": c.title, "title_ja": c.title_ja} for c in chain.catalog.controls]
    nodes = None
    if len(chain) <= SELECT_LIMIT:  # a huge chain gets plain text fields
        nodes = [{"id": n, "name": chain.node(n).name or ""} for n in chain.graph.nodes]
    return {"control_options": controls, "node_options": nodes}
