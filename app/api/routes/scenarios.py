"""What would change: what-if and impact (gap diffs), single points of failure, fix ranking."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from obligraph.app.api.deps import AnalysisDep, ServiceDep, WorkspaceId
from obligraph.app.core.json_encoding import dump_json
from obligraph.app.schemas.analysis import DIFF_EXAMPLE, WhatIfRequest
from obligraph.app.schemas.common import ERROR_RESPONSES
from obligraph.app.services.workspace import View
from obligraph.graph import analysis as chain_analysis

router = APIRouter(prefix="/workspaces/{ws}", tags=["scenarios"], responses=ERROR_RESPONSES)
JSON = "application/json"

SPOF_EXAMPLE = {
    "revision": 7,
    "dominators": {"hr-saas": ["acme-paas", "acme-compute"]},
    "concentration": [{"provider": "acme-compute", "dependents": 3, "customers": 1, "share": 1.0}],
}
FIXES_EXAMPLE = {
    "revision": 7,
    "requirement": "declared",
    "as_of": "2026-11-26",
    "fixes": [{"node": "acme-compute", "control": "10.5.1", "status": "unknown", "gaps_closed": 3, "gaps_blocked": 4}],
}


@router.post(
    "/what-if",
    summary="Gap diff of hypothetical changes",
    responses={200: {"content": {JSON: {"example": DIFF_EXAMPLE}}}},
)
def what_if(ws: WorkspaceId, body: WhatIfRequest, service: ServiceDep) -> Response:
    """Apply the changes to a copy of the chain (nothing is stored) and return the gaps opened,
    closed and changed, and the nodes affected. Ops: ``set_status`` (a node's declarations for
    some or all controls), ``remove_node``, ``remove_edge``, ``apply_incident`` (see GET /incidents)."""
    changes = [change.model_dump(mode="json") for change in body.changes]
    with service.view(ws) as view:
        result = chain_analysis.what_if(
            view.chain,
            changes,
            requirement=body.requirement.value if body.requirement else None,
            as_of=body.as_of,
            controls=body.controls,
            cloud_guidance_only=body.cloud_guidance_only,
        )
    return Response(dump_json({"revision": view.revision, **result}), media_type=JSON)


@router.get(
    "/impact",
    summary="Gap diff of a provider failing or an incident hitting it",
    responses={200: {"content": {JSON: {"example": DIFF_EXAMPLE}}}},
)
async def impact(
    ws: WorkspaceId,
    service: ServiceDep,
    params: AnalysisDep,
    provider: Annotated[str, Query(max_length=128, description="The node hit.", examples=["acme-paas"])],
    incident: Annotated[
        str | None,
        Query(max_length=128, description="An incident id from GET /incidents; none: the provider fails outright."),
    ] = None,
) -> Response:
    def compute(view: View) -> dict[str, Any]:
        view.require_node(provider)
        requirement, as_of, controls = params.arguments(view.chain)
        diff = chain_analysis.impact(
            view.chain,
            provider=provider,
            incident=incident,
            requirement=requirement,
            as_of=as_of,
            controls=list(controls) if controls else None,
        )
        return {"revision": view.revision, **diff}

    body = await service.respond_async(ws, ("impact", provider, incident, params.key_today()), compute)
    return Response(body, media_type=JSON)


@router.get(
    "/spof",
    summary="Single points of failure",
    responses={200: {"content": {JSON: {"example": SPOF_EXAMPLE}}}},
)
async def spof(ws: WorkspaceId, service: ServiceDep) -> Response:
    """For each node, the providers every one of its dependency paths passes through; and each
    provider's concentration (the share of customers that depend on it)."""
    body = await service.respond_async(
        ws, ("spof",), lambda view: {"revision": view.revision, **chain_analysis.single_points_of_failure(view.chain)}
    )
    return Response(body, media_type=JSON)


@router.get(
    "/fixes",
    summary="Root causes ranked by the gaps they cause",
    responses={200: {"content": {JSON: {"example": FIXES_EXAMPLE}}}},
)
async def fixes(
    ws: WorkspaceId,
    service: ServiceDep,
    params: AnalysisDep,
    limit: Annotated[int, Query(ge=1, le=10_000, description="How many to return.")] = 50,
) -> Response:

    def compute(view: View) -> dict[str, Any]:
        analysis = view.analysis(*params.arguments(view.chain))
        return {
            "revision": view.revision,
            "requirement": analysis.requirement.value,
            "as_of": analysis.as_of.isoformat(),
            "fixes": chain_analysis.fix_ranking(analysis, limit=limit),
        }

    body = await service.respond_async(ws, ("fixes", limit, params.key_today()), compute)
    return Response(body, media_type=JSON)
