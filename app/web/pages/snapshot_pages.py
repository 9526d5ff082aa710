"""Snapshot pages: a workspace's snapshots (take one, download one) and the diff of two of them.

The diff is ``obligraph.app.services.snapshotting.diff``, the one the API serves; either side may be the live
workspace (``live``), which is compared as the unsaved snapshot it would make.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from obligraph.app.core.exceptions import DomainError
from obligraph.app.core.http_errors import status_of
from obligraph.app.models import SnapshotRow
from obligraph.app.services import snapshotting as snapshots
from obligraph.app.services.snapshotting import SnapshotEntry
from obligraph.app.web.i18n import gettext
from obligraph.app.web.render import page_view, pages_not_found, render, service_of
from obligraph.app.web.words import N_
from obligraph.graph.formats import FORMATS

router = APIRouter(include_in_schema=False)
#: The list page shows the newest this many; the API pages through all of them.
LIST_LIMIT = 500
#: Rows per section of the diff page; the API's JSON diff has them all.
DIFF_ROWS = 500
LIVE = "live"
#: Formats a snapshot can be downloaded in: every written one that is about the whole chain.
EXPORTS = [(name, spec.description) for name, spec in FORMATS.items() if spec.can_write and not spec.needs_node]


@router.get("/w/{ws}/snapshots", response_class=HTMLResponse)
def snapshots_page(request: Request, ws: str) -> HTMLResponse:
    service = service_of(request)
    with page_view(request, ws) as view:
        workspace, revision = view.workspace, view.revision
    with pages_not_found():
        rows = snapshots.list_rows(service, ws)
    total = len(rows)
    shown = [_row(r) for r in reversed(rows[-LIST_LIMIT:])]  # newest first
    for newer, older in zip(shown, shown[1:]):
        newer["previous"] = older["id"]
    return render(
        "snapshots.html",
        title=f"Snapshots: {workspace.name}",
        ws=ws,
        workspace=workspace,
        revision=revision,
        snapshots=shown,
        total=total,
        exports=EXPORTS,
    )


@router.get("/w/{ws}/snapshots/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    ws: str,
    before: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    after: Annotated[str, Query(alias="to", max_length=64)] = LIVE,
) -> HTMLResponse:
    service = service_of(request)
    with page_view(request, ws) as view:
        workspace = view.workspace
    with pages_not_found():
        choices = [_row(r) for r in reversed(snapshots.list_rows(service, ws)[-LIST_LIMIT:])]
    context: dict[str, Any] = {
        "title": f"Snapshot diff: {workspace.name}",
        "ws": ws,
        "workspace": workspace,
        "choices": choices,
        "before": (before or "").strip().lower(),
        "after": (after or LIVE).strip().lower(),
        "diff": None,
        "limit": DIFF_ROWS,
    }
    if not before:  # only the chooser
        return render("snapshot_diff.html", **context)
    try:
        with pages_not_found():
            old, new = _side(service, ws, context["before"]), _side(service, ws, context["after"])
    except DomainError as exc:  # a damaged snapshot or an ambiguous prefix: say so on a page
        return render(
            "error.html", status=status_of(exc), title="Cannot compare", message=exc.message, ws=ws, workspace=workspace
        )
    result = snapshots.diff(old, new)
    context.update(
        diff=result,
        sides=[_side_label(old, context["before"]), _side_label(new, context["after"])],
        sections=_sections(result),
    )
    return render("snapshot_diff.html", **context)


def _side(service, ws: str, ref: str) -> SnapshotRow:
    return snapshots.current(service, ws) if ref == LIVE else snapshots.get(service, ws, ref)


def _side_label(row: SnapshotRow, ref: str) -> dict[str, Any]:
    live = ref == LIVE
    return {"live": live, "id": row.digest, "label": row.label, "revision": row.revision}


def _row(row: SnapshotRow | SnapshotEntry) -> dict[str, Any]:
    return {
        "id": row.digest,
        "short": row.digest[:12],
        "label": row.label,
        "created": row.created_at.strftime("%Y-%m-%d %H:%M:%S") + " UTC",
        "created_iso": row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "revision": row.revision,
        "summary": snapshots.summary_of(row),
        "previous": None,
    }


#: Each diff table's title, by (what, how): written out so the message extractor finds them.
SECTION_TITLES = {
    ("nodes", "added"): N_("Nodes added"),
    ("nodes", "removed"): N_("Nodes removed"),
    ("nodes", "changed"): N_("Nodes changed"),
    ("edges", "added"): N_("Edges added"),
    ("edges", "removed"): N_("Edges removed"),
    ("edges", "changed"): N_("Edges changed"),
    ("declarations", "added"): N_("Declarations added"),
    ("declarations", "removed"): N_("Declarations removed"),
    ("declarations", "changed"): N_("Declarations changed"),
    ("gaps", "opened"): N_("Gaps opened"),
    ("gaps", "closed"): N_("Gaps closed"),
    ("gaps", "changed"): N_("Gaps changed"),
}


def _sections(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The diff as titled tables: one per (what, how), each row a key and its changed fields."""
    out = []
    for what, key in (("nodes", _node_key), ("edges", _edge_key), ("declarations", _declaration_key)):
        for how in ("added", "removed", "changed"):
            items = result[what][how]
            out.append(
                _section(gettext(SECTION_TITLES[what, how]), f"{what}-{how}", items, key, changed=how == "changed")
            )
    for how in ("opened", "closed", "changed"):
        items = result["gaps"][how]
        out.append(
            _section(gettext(SECTION_TITLES["gaps", how]), f"gaps-{how}", items, _gap_key, changed=how == "changed")
        )
    return out


def _section(title: str, anchor: str, items: list[dict], key, *, changed: bool) -> dict[str, Any]:
    rows = []
    for item in items[:DIFF_ROWS]:
        if changed:
            before = item.get("before") or {}
            after = {f: v for f, v in item.items() if f != "before"}
            fields = sorted(f for f in set(before) | set(after) if before.get(f) != after.get(f))
            detail = [{"field": f, "before": _text(before.get(f)), "after": _text(after.get(f))} for f in fields]
        else:
            detail = [{"field": f, "before": "", "after": _text(v)} for f, v in item.items() if v not in (None, [], {})]
        rows.append({"key": key(item), "fields": detail})
    return {"title": title, "anchor": anchor, "count": len(items), "rows": rows, "changed": changed}


def _node_key(item: dict) -> str:
    return item["id"]


def _edge_key(item: dict) -> str:
    return f"{item['provider']} \u2192 {item['consumer']}"


def _declaration_key(item: dict) -> str:
    return f"{item['node']} \u00b7 {item['control']}"


def _gap_key(item: dict) -> str:
    return f"{item['node']} \u00b7 {item['control']}"


def _text(value: Any) -> str:
    """A field's value as plain text for a table cell (the template escapes it)."""
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    return str(value)
