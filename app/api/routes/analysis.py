"""Gaps (filtered, paged, as ``obligraph/analysis@1``), and per node: gaps, obligations, audit report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from obligraph.app.api.deps import AnalysisDep, AnalysisParams, NodePath, ServiceDep, WorkspaceId, split_list
from obligraph.app.schemas.analysis import GAPS_EXAMPLE, GapQuery, GapsPage
from obligraph.app.schemas.common import ERROR_RESPONSES
from obligraph.app.services.gap_query import GapFilters, gap_page
from obligraph.app.services.report import node_report
from obligraph.app.services.workspace import View
from obligraph.graph.analysis import obligations

router = APIRouter(prefix="/workspaces/{ws}", tags=["analysis"], responses=ERROR_RESPONSES)

JSON = "application/json"


def _tupled(values: list[str] | None) -> tuple[str, ...] | None:
    items = split_list(values)
    return tuple(items) if items is not None else None


async def _gaps(service, ws: str, query: GapQuery, nodes: tuple[str, ...] | None) -> Response:
    params = AnalysisParams(
        query.require.value if query.require else None,
        query.as_of,
        _tupled(query.controls.split(",")) if query.controls else None,
        query.cloud_guidance_only,
    )
    filters = GapFilters(
        nodes=nodes,
        controls=_tupled(query.control),
        clauses=_tupled(query.clause),
        kinds=tuple(query.kind) if query.kind else None,
        layers=tuple(item.value for item in query.layer) if query.layer else None,
        root_cause=query.root_cause,
        orphaned=query.orphaned,
    )
    body = await service.respond_async(
        ws,
        ("gaps", params.key_today(), filters, query.limit, query.cursor, query.root_causes),
        lambda view: gap_page(
            ws,
            view.revision,
            view.analysis(*params.arguments(view.chain)),
            filters,
            limit=query.limit,
            cursor=query.cursor,
            root_causes=query.root_causes,
        ),
    )
    return Response(body, media_type=JSON)


@router.get(
    "/gaps",
    response_model=GapsPage,
    summary="Gaps, filtered and paged",
    responses={200: {"content": {JSON: {"example": GAPS_EXAMPLE}}}},
)
async def list_gaps(ws: WorkspaceId, service: ServiceDep, query: Annotated[GapQuery, Query()]) -> Response:
    """The analysis as ``obligraph/analysis@1`` (the same gaps, in the same order, as ``obligraph
    analyze``), one page at a time. ``summary`` covers the whole analysis, ``matched`` the gaps
    that pass the filters; pass ``next`` as ``cursor`` for the following page."""
    return await _gaps(service, ws, query, _tupled(query.node))


@router.get(
    "/nodes/{node}/gaps",
    response_model=GapsPage,
    summary="A node's gaps",
    responses={200: {"content": {JSON: {"example": GAPS_EXAMPLE}}}},
)
async def node_gaps(
    ws: WorkspaceId, node: NodePath, service: ServiceDep, query: Annotated[GapQuery, Query()]
) -> Response:
    """As GET .../gaps with ``node`` set to this node."""
    return await _gaps(service, ws, query, (node,))


OBLIGATIONS_EXAMPLE = {
    "node": "acme-compute",
    "requirement": "declared",
    "as_of": "2026-11-26",
    "revision": 7,
    "obligations": [
        {
            "control": "10.5.1",
            "title": "Information back-up",
            "own": "declared",
            "effective": "declared",
            "direct_consumers": ["acme-paas"],
            "transitive_consumers": 2,
            "expectation": "Take back-ups as agreed and tell the customer how to restore them.",
        }
    ],
}


@router.get(
    "/nodes/{node}/obligations",
    summary="What a provider owes, and to whom",
    responses={200: {"content": {JSON: {"example": OBLIGATIONS_EXAMPLE}}}},
)
async def node_obligations(ws: WorkspaceId, node: NodePath, service: ServiceDep, params: AnalysisDep) -> Response:
    """Per control: the consumers that rely on the node directly, how many rely on it over a
    delegating path, its own and effective status, and the catalog's provider expectation."""

    def compute(view: View) -> dict[str, Any]:
        view.require_node(node)
        analysis = view.analysis(*params.arguments(view.chain))
        return {
            "node": node,
            "requirement": analysis.requirement.value,
            "as_of": analysis.as_of.isoformat(),
            "revision": view.revision,
            "obligations": obligations(analysis, node),
        }

    body = await service.respond_async(ws, ("obligations", node, params.key_today()), compute)
    return Response(body, media_type=JSON)


REPORT_EXAMPLE = {
    "format": "obligraph/node-report@1",
    "node": {"id": "hr-saas", "name": "HR SaaS", "layer": "saas", "org": "HR Inc"},
    "requirement": "declared",
    "as_of": "2026-11-26",
    "revision": 7,
    "summary": {"controls": 133, "in_scope": 133, "declared": 10, "gaps": 12, "providers": 1},
    "controls": [
        {
            "control": "10.5.1",
            "title": "Information back-up",
            "clause": "10",
            "in_scope": True,
            "own": "unknown",
            "effective": "unknown",
            "declaration": None,
            "gap": {
                "node": "hr-saas",
                "control": "10.5.1",
                "effective": "unknown",
                "required": "declared",
                "kind": "mixed",
                "orphaned": False,
                "root_causes": [],
            },
            "needs_own_part": True,
            "you_do": "Back up what you keep in the service, or check that the provider does.",
            "demand": "Take back-ups as agreed and tell the customer how to restore them.",
            "providers": [
                {"provider": "acme-paas", "responsibility": "shared", "own": "declared", "effective": "unknown"}
            ],
        }
    ],
}


@router.get(
    "/nodes/{node}/report",
    summary="A node's audit checklist",
    responses={200: {"content": {JSON: {"example": REPORT_EXAMPLE}}}},
)
async def node_audit_report(ws: WorkspaceId, node: NodePath, service: ServiceDep, params: AnalysisDep) -> Response:
    """For each analysed control: status, declaration and evidence, the gap, what the node must do
    itself and what to demand from which provider."""

    def compute(view: View) -> dict[str, Any]:
        view.require_node(node)
        return node_report(view.analysis(*params.arguments(view.chain)), node, view.revision)

    body = await service.respond_async(ws, ("report", node, params.key_today()), compute)
    return Response(body, media_type=JSON)
