"""The evidence page: what stops assuring within the chosen days, what already does not, and the
gaps each lapse opens (the same list as ``GET /api/v1/workspaces/{ws}/evidence``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from obligraph.app.services.evidence_watch import MAX_EXPIRING_DAYS, evidence_watch
from obligraph.app.web.i18n import gettext as _
from obligraph.app.web.params import PageAnalysis, PageAnalysisDep, PageBadRequest, analysis_context
from obligraph.app.web.render import control_title, page_view, render
from obligraph.app.web.warnings_view import evidence_reason
from obligraph.graph.evidence import SOON_DAYS

router = APIRouter(include_in_schema=False)
#: Look-aheads offered next to the free number field.
DAY_CHOICES = (30, 60, 90, 180, 365)


def page_days(text: str | None) -> int:
    """``?days=``: a whole number of days, 0 to MAX_EXPIRING_DAYS (a bad one is a 400 page that says so)."""
    if text is None or not text.strip():
        return SOON_DAYS
    try:
        days = int(text.strip())
    except ValueError:
        days = -1
    if not 0 <= days <= MAX_EXPIRING_DAYS:
        raise PageBadRequest(f"days: '{text}' is not a whole number from 0 to {MAX_EXPIRING_DAYS}; write e.g. 90")
    return days


@router.get("/w/{ws}/evidence", response_class=HTMLResponse)
def evidence_page(
    request: Request, ws: str, choice: PageAnalysisDep, days: Annotated[str | None, Query(max_length=16)] = None
) -> HTMLResponse:
    within = page_days(days)
    with page_view(request, ws) as view:
        analysis = view.analysis(*choice.args())
        watch = evidence_watch(analysis, view.revision, within)
        catalog, names = view.chain.catalog, {n: view.chain.node(n).name or n for n in view.chain.graph.nodes}
        rows = [_row(item, catalog[item["control"]], names, analysis.as_of, within) for item in watch["items"]]
        workspace = view.workspace
    return render(
        "evidence.html",
        title=_("Evidence: %(name)s") % {"name": workspace.name},
        ws=ws,
        workspace=workspace,
        rows=rows,
        days=within,
        day_choices=sorted({*DAY_CHOICES, within}),
        day_links=[(d, _days_query(choice, d)) for d in DAY_CHOICES if d != within],
        max_days=MAX_EXPIRING_DAYS,
        lapsing=sum(1 for row in rows if row["assures"]),
        opening=sum(len(row["gaps_opened"]) for row in rows),
        keep_params={"days": str(within)},
        **analysis_context(analysis, choice),
    )


def evidence_mark(item: dict[str, Any], as_of: date, soon_days: int = SOON_DAYS) -> dict[str, Any]:
    """How a page marks an assessed evidence item: ``lapsed`` (not assuring), ``soon`` (its last day
    in force is at most ``soon_days`` away) or ``ok``, with the reason in the page's language."""
    last = item.get("in_force_until")
    days_left = (date.fromisoformat(last) - as_of).days if item["assures"] and last else None
    state = "lapsed" if not item["assures"] else ("soon" if days_left is not None and days_left <= soon_days else "ok")
    return {"state": state, "days_left": days_left, "reason_words": evidence_reason(item["reason"])}


def _days_query(choice: PageAnalysis, days: int) -> str:
    guided = "1" if choice.cloud_guidance_only else None
    pairs = [("days", str(days)), ("require", choice.requirement), ("as_of", choice.as_of), ("guided", guided)]
    return "?" + urlencode([(key, str(value)) for key, value in pairs if value])


def _row(item: dict[str, Any], control: Any, names: dict[str, str], as_of: date, within: int) -> dict[str, Any]:
    return {
        **item,
        **evidence_mark(item, as_of, within),
        "name": names[item["node"]],
        "title": control_title(control),
        "gaps_opened": [{**gap, "name": names[gap["node"]]} for gap in item["gaps_opened"]],
    }
