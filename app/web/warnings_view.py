"""Edit warnings in words, with their fixes as the API requests one click sends.

``obligraph.graph.warnings`` finds them; this module says them in the page's language and turns
each fix into requests (a reversed edge: add the reverse with the same fields, then remove the
original). ``GET /w/{ws}/warnings.json?node=...`` serves them to the edit forms after a save;
the node page embeds its own.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from obligraph.app.web.i18n import gettext as _
from obligraph.app.web.params import PageAnalysisDep
from obligraph.app.web.render import page_view
from obligraph.app.web.words import word
from obligraph.graph.chain import Chain
from obligraph.graph.evidence import INTERNAL, ISSUED_LATER, OUT_OF_SCOPE, UNDATED
from obligraph.graph.warnings import EditWarning, Fix, edit_warnings

router = APIRouter(include_in_schema=False)
MAX_NODES = 50


@router.get("/w/{ws}/warnings.json")
def warnings_json(
    request: Request,
    ws: str,
    choice: PageAnalysisDep,
    node: Annotated[list[str], Query(max_length=MAX_NODES)] = [],  # noqa: B006  (FastAPI copies the default)
) -> JSONResponse:
    with page_view(request, ws) as view:
        items = warning_items(view.chain, ws, choice.as_of or date.today(), node)
    return JSONResponse({"warnings": items})


def warning_items(chain: Chain, ws: str, as_of: date, nodes: list[str] | None) -> list[dict[str, Any]]:
    return [_item(chain, ws, w, as_of) for w in edit_warnings(chain, as_of, nodes=nodes)]


def _item(chain: Chain, ws: str, warning: EditWarning, as_of: date) -> dict[str, Any]:
    return {
        **warning.to_dict(),
        "message": _message(warning, as_of),
        "fixes": [_fix(chain, ws, fix) for fix in warning.fixes],
    }


def evidence_reason(reason: str) -> str:
    """One of ``obligraph.graph.evidence.assess``'s reasons in the page's language."""
    fixed = {
        INTERNAL: _("internal audit"),
        OUT_OF_SCOPE: _("outside the evidence's scope"),
        UNDATED: _("no issue or expiry date"),
        ISSUED_LATER: _("issued after the analysis date"),
    }
    if reason in fixed:
        return fixed[reason]
    for prefix, words in (("expired ", _("expired %(day)s")), ("in force until ", _("in force until %(day)s"))):
        if reason.startswith(prefix):
            return words % {"day": reason.removeprefix(prefix)}
    kind, sep, _rest = reason.partition(" is not an audit report or certification")
    if sep:
        return _("%(kind)s is not an audit report or certification") % {
            "kind": word(kind.replace(" ", "_"), "evidence")
        }
    return reason


def _message(w: EditWarning, as_of: date) -> str:
    f = w.facts
    if w.kind == "upside_down":
        return _(
            "%(provider)s (%(provider_layer)s) provides to %(consumer)s (%(consumer_layer)s): dependencies "
            "usually run from a lower layer up to a higher one. Was it meant the other way round?"
        ) % {
            "provider": f["provider"],
            "consumer": f["consumer"],
            "provider_layer": word(f["provider_layer"], "layer"),
            "consumer_layer": word(f["consumer_layer"], "layer"),
        }
    if w.kind == "cycle":
        return _("The dependency %(provider)s → %(consumer)s closes a loop: %(loop)s.") % {
            "provider": f["provider"],
            "consumer": f["consumer"],
            "loop": " → ".join(f["loop"]),
        }
    if w.kind == "verified_unassured":
        reasons = "; ".join(evidence_reason(r) for r in f["reasons"]) or _("no evidence")
        return _(
            "%(node)s declares %(control)s verified, but no evidence assures it on %(day)s (%(reasons)s): "
            "it counts as declared."
        ) % {"node": w.node, "control": f["control"], "day": as_of.isoformat(), "reasons": reasons}
    return _("The evidence “%(ref)s” of %(node)s for %(control)s lapses on %(day)s, in %(days)d days.") % {
        "ref": f["ref"],
        "node": w.node,
        "control": f["control"],
        "day": f["lapses"],
        "days": f["days"],
    }


def _fix(chain: Chain, ws: str, fix: Fix) -> dict[str, Any]:
    base = f"/api/v1/workspaces/{quote(ws, safe='')}"
    a = fix.args
    if fix.op in ("remove_edge", "reverse_edge"):
        edge_url = f"{base}/edges/{quote(a['provider'], safe='')}/{quote(a['consumer'], safe='')}"
        remove = {"method": "DELETE", "url": edge_url}
        if fix.op == "remove_edge":
            return {"op": fix.op, "label": _("Remove this dependency"), "requests": [remove]}
        edge = chain.edge(a["provider"], a["consumer"]).model_dump(mode="json", exclude_none=True)
        edge.update(provider=a["consumer"], consumer=a["provider"])
        if (a["consumer"], a["provider"]) in chain.graph.edges:  # the reverse exists: removing is the fix
            return {"op": "remove_edge", "label": _("Remove this dependency"), "requests": [remove]}
        add = {"method": "POST", "url": f"{base}/edges", "body": edge}
        return {"op": fix.op, "label": _("Reverse it"), "requests": [add, remove]}
    node, control = a["node"], a["control"]
    declaration_url = f"{base}/nodes/{quote(node, safe='')}/declarations/{quote(control, safe='')}"
    if fix.op == "set_status":
        return {
            "op": fix.op,
            "label": _("Declare it “%(status)s”") % {"status": word(a["status"], "status")},
            "requests": [{"method": "PATCH", "url": declaration_url, "body": {"status": a["status"]}}],
        }
    anchor = f"/w/{quote(ws, safe='')}/nodes/{quote(node, safe='')}#declaration-{quote(control, safe='')}"
    return {"op": fix.op, "label": _("Edit the evidence"), "href": anchor}
