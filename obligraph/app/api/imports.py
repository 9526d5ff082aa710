"""Bulk import: a whole chain@1 document (JSON or YAML) in one transaction, all or nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from obligraph.app.api.deps import ServiceDep, WorkspaceId
from obligraph.app.errors import not_found
from obligraph.app.imports import ImportMode, check_caps, check_catalog, merged_chain
from obligraph.app.schemas.common import ERROR_RESPONSES, ErrorResponse
from obligraph.app.transfer import import_format, parse_import
from obligraph.graph.chain import Chain

router = APIRouter(prefix="/workspaces/{ws}", tags=["import"], responses=ERROR_RESPONSES)

CHAIN_EXAMPLE = {
    "format": "obligraph/chain@1",
    "name": "HR platform",
    "catalog": "meti-2011",
    "requirement": "declared",
    "nodes": [
        {"id": "acme-compute", "layer": "iaas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
        {"id": "hr-saas", "layer": "saas"},
    ],
    "edges": [{"provider": "acme-compute", "consumer": "hr-saas"}],
}


class ImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "workspace": "demo",
                    "mode": "replace",
                    "revision": 3,
                    "nodes": 2,
                    "edges": 1,
                    "nodes_added": 2,
                    "nodes_updated": 0,
                    "edges_added": 1,
                    "edges_updated": 0,
                }
            ]
        }
    )

    workspace: str
    mode: ImportMode
    revision: int
    nodes: int
    edges: int
    nodes_added: int
    nodes_updated: int
    edges_added: int
    edges_updated: int


async def raw_body(request: Request) -> bytes:
    # BodyLimitMiddleware stops this read with a 413 once the body passes the cap.
    return await request.body()


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Import a chain document (replace or merge)",
    responses={
        413: {"model": ErrorResponse, "description": "The body or the document is over this server's limits."},
        415: {"model": ErrorResponse, "description": "The body is neither JSON nor YAML."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/ChainDocument"},
                    "example": CHAIN_EXAMPLE,
                },
                "application/yaml": {
                    "schema": {"type": "string"},
                    "example": "format: obligraph/chain@1\nname: HR platform\n",
                },
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                "application/graphml+xml": {"schema": {"type": "string"}},
            },
        }
    },
)
def import_chain(
    ws: WorkspaceId,
    request: Request,
    body: Annotated[bytes, Depends(raw_body)],
    service: ServiceDep,
    mode: Annotated[
        ImportMode, Query(description="replace: the document becomes the chain; merge: upsert into it.")
    ] = ImportMode.replace,
    format: Annotated[
        str | None,
        Query(
            max_length=32,
            description="json, yaml, graphml or csv (a CSV bundle zip); default: by Content-Type "
            "(application/zip, application/graphml+xml or application/xml select csv and graphml).",
        ),
    ] = None,
) -> Any:
    """``replace`` makes the document the workspace's whole chain (name, settings, nodes, edges).

    ``merge`` keeps the workspace and upserts: a node or edge of the document that exists has the
    fields the document gives replaced (declarations per control, overrides per control) and keeps
    the rest; new ones are appended; top-level ``description``, ``requirement`` and ``controls``
    replace the workspace's when present. The document must use the workspace's catalog.

    Either way the whole document is checked first and stored in one transaction: when anything is
    wrong, nothing changes, and ``details`` lists every problem with its place in the document.

    Besides chain JSON and YAML, ``format=graphml`` (or ``Content-Type: application/graphml+xml``)
    reads GraphML and ``format=csv`` (or ``application/zip``) a CSV bundle; errors name the element
    or the file, row and column. A provider's CAIQ answers go to ``POST .../nodes/{node}/caiq``.
    """
    if service.db.revision_of(ws) is None:  # before the (possibly long) parse and check
        raise not_found(f"there is no workspace '{ws}'; create it with POST /api/v1/workspaces")
    content_type = request.headers.get("content-type")
    document = parse_import(body, import_format(format, content_type), content_type)
    check_caps(document, service.settings)
    check_catalog(document)
    if mode is ImportMode.replace:
        chain = Chain.from_dict(document, source="request body")
        counts = {"nodes_added": len(chain), "nodes_updated": 0, "edges_added": len(chain.edges()), "edges_updated": 0}
    with service.edit(ws, replacing=mode is ImportMode.replace) as edit:
        if mode is ImportMode.merge:
            chain, counts = merged_chain(document, edit.chain)
        edit.store_whole_chain(chain)
        workspace = edit.workspace
    return ImportResult(
        workspace=ws, mode=mode, revision=workspace.revision, nodes=len(chain), edges=len(chain.edges()), **counts
    )
