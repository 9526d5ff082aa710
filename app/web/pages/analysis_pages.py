"""Pages for the analyses built on the gaps: the fix ranking, single points of failure, what-if
(the impact page is its preset), and the control lens the map colours itself by."""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Mapping, Sequence

import networkx as nx
import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from obligraph.app.core.exceptions import InvalidInput, NotFound
from obligraph.app.web.params import PageAnalysis, PageAnalysisDep, analysis_context
from obligraph.app.web.render import PageNotFound, page_view, pages_not_found, render, service_of
from obligraph.graph.analysis import fix_ranking, load_incidents, single_points_of_failure, what_if
from obligraph.graph.analysis.whatif import GapDiff
from obligraph.graph.catalog import Catalog
from obligraph.graph.errors import ChainError
from obligraph.graph.lattice import Status

router = APIRouter(include_in_schema=False)
#: Rows of the fix ranking and of the concentration table a page shows.
FIX_ROWS = 100
SPOF_ROWS = 200
#: Changes one what-if may compose, and nodes one "see on the map" link marks.
MAX_CHANGES = 20
MARK_LIMIT = 300
SEPARATOR = "|"  # node ids cannot contain it
OPS = ("set_status", "remove_node", "remove_edge", "apply_incident")


@router.get("/w/{ws}/lens.json")
def lens_json(
    request: Request,
    ws: str,
    choice: PageAnalysisDep,
    control: Annotated[str | None, Query(max_length=32)] = None,
    clause: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """Per in-scope node, the effective status at ``control`` (or the worst over ``clause``'s
    controls): what the map's control lens colours by. Out-of-scope nodes are left out."""
    if (control is None) == (clause is None):
        raise InvalidInput("give exactly one of control or clause, e.g. ?control=10.5.1")

    def compute(view) -> dict[str, Any]:
        analysis = view.analysis(*choice.args())
        catalog = analysis.chain.catalog
        if control is not None:
            if control not in analysis.column:
                raise InvalidInput(f"control '{control}' is not analysed in this workspace")
            columns = [analysis.column[control]]
        else:
            columns = [k for k, c in enumerate(analysis.controls) if catalog[c].clause == clause]
            if not columns:
                raise InvalidInput(f"clause '{clause}' has no analysed control in this workspace")
        scope = analysis.in_scope[:, columns]
        ranks = np.where(scope, analysis.effective[:, columns], np.iinfo(analysis.effective.dtype).max)
        worst = ranks.min(axis=1)
        ids = analysis.compiled.node_ids
        rows = np.flatnonzero(scope.any(axis=1))
        return {"status": {ids[v]: Status.from_rank(int(worst[v])).value for v in rows}}

    with pages_not_found():
        try:
            body = service_of(request).respond(ws, ("web-lens", control, clause, choice.cache_key()), compute)
        except PageNotFound as exc:
            raise NotFound(exc.message) from None
    return Response(body, media_type="application/json")


def _names(chain) -> dict[str, str]:
    return {node: chain.graph.nodes[node]["name"] or node for node in chain.graph.nodes}


@router.get("/w/{ws}/fixes", response_class=HTMLResponse)
def fixes_page(
    request: Request, ws: str, choice: PageAnalysisDep, limit: Annotated[int, Query(ge=1, le=1000)] = FIX_ROWS
) -> HTMLResponse:
    with page_view(request, ws) as view:
        analysis = view.analysis(*choice.args())
        ranking = fix_ranking(analysis, limit=limit)
        catalog, names = view.chain.catalog, _names(view.chain)
        rows = []
        for item in ranking:
            gaps = item.get("nodes", [])
            rows.append({
                **item,
                "name": names[item["node"]],
                "layer": view.chain.layer(item["node"]).value,
                "title": catalog[item["control"]].title,
                "title_ja": catalog[item["control"]].title_ja,
                "closes": item.get("gaps_closed", item.get("gaps_caused", 0)),
                "blocks": item.get("gaps_blocked", item.get("gaps_caused", 0)),
                "mark": ",".join(dict.fromkeys([item["node"], *gaps]))[:4000],
            })  # fmt: skip
        workspace, total = view.workspace, analysis.gap_count
    return render("fixes.html", title=f"Fixes: {workspace.name}", ws=ws, workspace=workspace, rows=rows,
                  total=total, limit=limit, keep_params={"limit": limit if limit != FIX_ROWS else None},
                  **analysis_context(analysis, choice))  # fmt: skip


@router.get("/w/{ws}/spof", response_class=HTMLResponse)
def spof_page(
    request: Request, ws: str, choice: PageAnalysisDep, node: Annotated[str | None, Query(max_length=128)] = None
) -> HTMLResponse:
    """The dependency structure does not depend on the requirement; each provider's gaps do: a
    single point of failure that falls short of the chosen requirement is the one to look at first."""
    error = None
    with page_view(request, ws) as view:
        result = single_points_of_failure(view.chain)
        analysis = view.analysis(*choice.args())
        gaps_of = _gaps_per_node(analysis)
        names = _names(view.chain)
        chosen = None
        if node:
            if node not in view.chain:
                error = f"there is no node '{node}' in this workspace; pick one from the list"
            else:
                dominators = result["dominators"][node]
                chosen = {"node": node, "name": names[node], "dominators": dominators, "gaps": gaps_of,
                          "path": dominator_path(view.chain.graph, dominators, node)}  # fmt: skip
        # Through which paths: each provider's direct consumers, the first hops of every path through it.
        rows = [
            {**row, "name": names[row["provider"]], "via": list(view.chain.graph.successors(row["provider"]))[:8],
             "gaps": gaps_of[row["provider"]]}
            for row in result["concentration"][:SPOF_ROWS]
        ]  # fmt: skip
        dominated = sum(1 for items in result["dominators"].values() if items)
        short = sum(1 for row in result["concentration"] if gaps_of[row["provider"]])
        workspace = view.workspace
        choices = sorted(names.items(), key=lambda item: item[1].casefold()) if len(names) <= 5000 else []
    status = 200 if error is None else 404
    return render("spof.html", status=status, title=f"Single points of failure: {workspace.name}", ws=ws,
                  workspace=workspace, rows=rows, chosen=chosen, names=names, error=error, node_choices=choices,
                  dominated=dominated, short=short, total=len(result["concentration"]),
                  keep_params={"node": node}, **analysis_context(analysis, choice))  # fmt: skip


def _gaps_per_node(analysis) -> dict[str, int]:
    counts = analysis.gap_mask.sum(axis=1)
    return {node: int(counts[v]) for v, node in enumerate(analysis.compiled.node_ids)}


def dominator_path(graph, dominators: list[str], node: str) -> list[str]:
    """A dependency path from the farthest dominator down to ``node`` through every dominator in
    turn (each lies on every path, so each hop exists): what the map draws for the chosen node."""
    stops = [*reversed(dominators), node]
    path = [stops[0]]
    for a, b in itertools.pairwise(stops):
        path += nx.shortest_path(graph, a, b)[1:]
    return path


def parse_change(text: str, index: int) -> dict[str, Any]:
    """``op|node|...`` from the URL to a what-if change; a malformed one names its place and the fix."""
    parts = text.split(SEPARATOR)
    op, args = parts[0], parts[1:]
    shapes = {"set_status": (2, 3), "remove_node": (1, 1), "remove_edge": (2, 2), "apply_incident": (2, 2)}
    if op not in shapes or not shapes[op][0] <= len(args) <= shapes[op][1] or not all(args[: shapes[op][0]]):
        raise ChainError(
            f"change {index + 1} ('{text}') is not a change: write set_status|node|status[|controls], "
            "remove_node|node, remove_edge|provider|consumer or apply_incident|node|incident"
        )
    if op == "set_status":
        change: dict[str, Any] = {"op": op, "node": args[0], "status": args[1]}
        if len(args) == 3 and args[2]:
            change["controls"] = [c.strip() for c in args[2].split(",") if c.strip()]
        return change
    if op == "remove_edge":
        return {"op": op, "provider": args[0], "consumer": args[1]}
    if op == "apply_incident":
        return {"op": op, "node": args[0], "incident": args[1]}
    return {"op": op, "node": args[0]}


def _form_change(form: dict[str, str | None]) -> str | None:
    """The change the add-a-change form describes, as its URL text (None when the form is empty)."""
    op, node = form.get("op") or "", (form.get("node") or "").strip()
    if not op or not node:
        return None
    if op == "set_status":
        return SEPARATOR.join([op, node, form.get("status") or "", (form.get("controls") or "").replace(" ", "")])
    if op == "remove_edge":
        return SEPARATOR.join([op, node, (form.get("consumer") or "").strip()])
    if op == "apply_incident":
        return SEPARATOR.join([op, node, form.get("incident") or ""])
    return SEPARATOR.join([op, node])


@router.get("/w/{ws}/what-if", response_class=HTMLResponse)
def what_if_page(
    request: Request,
    ws: str,
    choice: PageAnalysisDep,
    change: Annotated[list[str] | None, Query(max_length=MAX_CHANGES)] = None,
    op: Annotated[str | None, Query(max_length=32)] = None,
    node: Annotated[str | None, Query(max_length=128)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    controls: Annotated[str | None, Query(max_length=2000)] = None,
    consumer: Annotated[str | None, Query(max_length=128)] = None,
    incident: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    texts = [c for c in change or [] if c]
    added = _form_change({"op": op, "node": node, "status": status, "controls": controls, "consumer": consumer,
                          "incident": incident})  # fmt: skip
    if added is not None:  # the form adds one change to those the URL already holds: show the new URL
        return RedirectResponse(f"/w/{_quote(ws)}/what-if?{changes_query([*texts, added], choice)}", status_code=303)
    incidents = load_incidents()
    result: GapDiff | None = None
    rows: dict[str, Any] | None = None
    error: str | None = None
    with page_view(request, ws) as view:
        names = _names(view.chain)
        workspace = view.workspace
        try:
            changes = [parse_change(text, i) for i, text in enumerate(texts)]
            if changes:
                result = what_if(view.chain, changes, before=view.analysis(*choice.args()))
        except ChainError as exc:
            changes, error = [], str(exc)
        described = [_describe(view.chain, c, names) for c in changes]
        catalog = view.chain.catalog
        if result is not None:
            rows = _result_rows(result, names, catalog)
        choices = sorted(names.items(), key=lambda item: item[1].casefold()) if len(names) <= 5000 else []
        # Without a change nothing is computed but the chooser still shows the analysis it would use.
        chosen = analysis_context(view.analysis(*choice.args()), choice)
    return render(
        "what_if.html",
        status=200 if error is None else 422,
        title=f"What if: {workspace.name}",
        ws=ws,
        workspace=workspace,
        texts=texts,
        described=described,
        result=rows,
        error=error,
        incidents=incidents,
        statuses=[s.value for s in Status],
        ops=OPS,
        node_choices=choices,
        mark_limit=MARK_LIMIT,
        quote=_quote,
        changes_query=lambda kept: changes_query(kept, choice),
        keep_pairs=[("change", text) for text in texts],
        **chosen,
    )


def changes_query(texts: list[str], choice: PageAnalysis) -> str:
    """The what-if URL's query: its changes, then the chosen requirement and date."""
    query = "&".join(f"change={_quote(t)}" for t in texts)
    return "&".join(part for part in (query, choice.query.lstrip("?")) if part)


@router.get("/w/{ws}/impact")
def impact_page(request: Request, ws: str, provider: str | None = None, incident: str | None = None) -> Response:
    """The impact page is a what-if preset: an incident from the library applied to one provider
    (without an incident, the provider disappears)."""
    with page_view(request, ws):
        pass  # an unknown workspace is a 404 here, not after the redirect
    target = f"/w/{_quote(ws)}/what-if"
    if provider:
        text = SEPARATOR.join(["apply_incident", provider, incident] if incident else ["remove_node", provider])
        target += f"?change={_quote(text)}"
    return RedirectResponse(target, status_code=303)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _describe(chain, change: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A change in words; an incident with its story, and a warning when it hits another layer than the one it happened to."""
    op = change["op"]
    item: dict[str, Any] = {"op": op, "change": change, "warning": None, "incident": None}

    def name(node: str) -> str:
        return names.get(node, node)

    if op == "set_status":
        scope = ", ".join(change["controls"]) if change.get("controls") else "every analysed control"
        item["text"] = f"{name(change['node'])} declares {change['status']} for {scope}"
    elif op == "remove_node":
        item["text"] = f"{name(change['node'])} disappears (with its dependencies)"
    elif op == "remove_edge":
        item["text"] = f"{name(change['consumer'])} stops using {name(change['provider'])}"
    else:
        incident = next((i for i in load_incidents() if i.id == change["incident"]), None)
        item["text"] = f"{name(change['node'])} suffers: {incident.title if incident else change['incident']}"
        item["incident"] = incident
        if incident is not None and change["node"] in chain:
            item["warning"] = incident.layer_warning(chain.layer(change["node"]).value)
    return item


def _result_rows(result: GapDiff, names: dict[str, str], catalog: Catalog) -> dict[str, Any]:
    """Gaps opened, changed and closed grouped by node, each with the control's title."""

    def grouped(gaps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        by_node: dict[str, list[dict[str, Any]]] = {}
        for gap in gaps:
            control = catalog[gap["control"]] if gap["control"] in catalog else None  # noqa: SIM401 (no .get)
            by_node.setdefault(gap["node"], []).append(
                {**gap, "title": control.title if control else "", "title_ja": control.title_ja if control else None}
            )
        return [{"node": node, "name": names.get(node, node), "gaps": items} for node, items in by_node.items()]

    affected = result["affected_nodes"]
    return {
        **result,
        "opened_by_node": grouped(result["opened"]),
        "changed_by_node": grouped(result["changed"]),
        "closed_by_node": grouped(result["closed"]),
        "mark": ",".join(affected[:MARK_LIMIT]),
        "names": names,
    }
