"""The evidence watch list: what stops assuring soon, what already does not, and the gaps each lapse opens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from obligraph.app.api.deps import AnalysisDep, ExpiringWithin, ServiceDep, WorkspaceId
from obligraph.app.schemas.common import ERROR_RESPONSES
from obligraph.app.schemas.evidence import EVIDENCE_EXAMPLE, EvidenceWatch
from obligraph.app.services.evidence_watch import evidence_watch
from obligraph.app.services.workspace import View
from obligraph.graph.evidence import SOON_DAYS

router = APIRouter(prefix="/workspaces/{ws}", tags=["analysis"], responses=ERROR_RESPONSES)

JSON = "application/json"


@router.get(
    "/evidence",
    response_model=EvidenceWatch,
    summary="Evidence lapsing soon or not assuring",
    responses={200: {"content": {JSON: {"example": EVIDENCE_EXAMPLE}}}},
)
async def list_lapsing_evidence(
    ws: WorkspaceId, service: ServiceDep, params: AnalysisDep, expiring_within: ExpiringWithin = SOON_DAYS
) -> Response:
    """Every evidence item (of the analysed controls) whose last day in force is at most
    ``expiring_within`` days after ``as_of``, and every item of a ``verified`` declaration that does
    not assure on ``as_of``, with the reason. ``gaps_opened``: the gaps the analysis has the day after
    the item lapses and not on ``as_of``, of which the item's node is a blocker."""

    def compute(view: View) -> dict[str, Any]:
        return evidence_watch(view.analysis(*params.arguments(view.chain)), view.revision, expiring_within)

    body = await service.respond_async(ws, ("evidence", params.key_today(), expiring_within), compute)
    return Response(body, media_type=JSON)
