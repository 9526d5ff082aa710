"""Exports of a workspace (live, or one of its snapshots) in every format, and CAIQ answers in."""

from __future__ import annotations

import tempfile
from typing import Annotated, Any, Iterator, Optional

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from obligraph.app import snapshots
from obligraph.app.api.deps import NodePath, ServiceDep, WorkspaceId
from obligraph.app.api.imports import raw_body
from obligraph.app.errors import not_found
from obligraph.app.schemas.common import ERROR_RESPONSES
from obligraph.app.transfer import export_filename, export_format, writable_names, write_export
from obligraph.graph.chain import Chain
from obligraph.graph.formats import FORMATS, read_caiq

router = APIRouter(prefix="/workspaces/{ws}", tags=["export"], responses=ERROR_RESPONSES)

SPOOL_BYTES = 8 * 1024 * 1024
CHUNK = 256 * 1024
EXPORT_EXAMPLES = {
    "application/json": {"format": "obligraph/chain@1", "name": "HR platform", "nodes": [], "edges": []},
    "application/yaml": "format: obligraph/chain@1\nname: HR platform\n",
    "text/vnd.graphviz": 'digraph "HR platform" { "acme-compute" -> "hr-saas"; }',
}
FORMAT_HELP = "; ".join(f"{name}: {spec.description}" for name, spec in FORMATS.items() if spec.can_write)


def _chunks(spool) -> Iterator[bytes]:
    try:
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk
    finally:
        spool.close()


@router.get(
    "/export",
    summary="Export the workspace or a snapshot of it",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                spec.media_type: {"example": EXPORT_EXAMPLES.get(spec.media_type, "(the export)")}
                for spec in FORMATS.values()
                if spec.can_write
            }
        }
    },
)
def export(
    ws: WorkspaceId,
    service: ServiceDep,
    format: Annotated[
        str,
        # The schema lists the formats (a client, and schemathesis, knows them); export_format
        # refuses any other with the code `unknown_format` and the list.
        Query(
            max_length=32,
            description=f"The export format. {FORMAT_HELP}.",
            json_schema_extra={"enum": writable_names()},
        ),
    ] = "json",
    snapshot: Annotated[
        Optional[str], Query(max_length=64, description="Export this snapshot (id or 6+ character prefix).")
    ] = None,
    node: Annotated[
        Optional[str], Query(max_length=128, description="For audit-md, audit-html (required) and oscal: one node.")
    ] = None,
) -> Any:
    """The export as a download (``Content-Disposition: attachment``) with the format's media type."""
    spec = export_format(format)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        if snapshot is not None:
            row = snapshots.get(service, ws, snapshot)
            chain = Chain.from_dict(row.chain, source=f"snapshot {row.digest[:12]}")
            write_export(chain, spec, spool, None, node)
            name = export_filename(ws, spec, row.digest, node)
        else:
            with service.view(ws) as view:
                # The chain is valid only while the view is open: write the whole export inside it.
                write_export(view.chain, spec, spool, view.analysis(), node)
            name = export_filename(ws, spec, None, node)
    except BaseException:
        spool.close()
        raise
    media_type = spec.media_type + ("; charset=utf-8" if spec.media_type.startswith("text/") else "")
    return StreamingResponse(
        _chunks(spool),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


CAIQ_EXAMPLE = (
    "Control ID,SSRM Control Ownership,CSP CAIQ Answer,CSP Implementation Description\n"
    "10.5.1,CSP-owned,Yes,Daily snapshots kept 35 days\n"
    "9.1.1,CSC-owned,NA,Customers run their own premises\n"
)


class CaiqResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "workspace": "demo",
                    "node": "acme-compute",
                    "revision": 4,
                    "declarations": 12,
                    "added": 9,
                    "updated": 3,
                }
            ]
        }
    )

    workspace: str
    node: str
    revision: int
    declarations: int
    added: int
    updated: int


@router.post(
    "/nodes/{node}/caiq",
    response_model=CaiqResult,
    summary="Set a provider's declarations from its CAIQ answers",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}, "example": CAIQ_EXAMPLE}},
        }
    },
)
def import_caiq(ws: WorkspaceId, node: NodePath, service: ServiceDep, body: Annotated[bytes, Depends(raw_body)]) -> Any:
    """A CAIQ-style CSV (control id, SSRM Control Ownership, answer, description) of the provider ``node``.

    Each answered row sets that control's declaration (status, ``assigns``, notes) on the node; the
    node's evidence for that control is kept, its other declarations stay as they are. All rows are
    checked first and stored in one transaction; ``details`` names the row and column of each problem.
    """
    with service.view(ws) as view:
        view.require_node(node)
        catalog = view.chain.catalog.id
    declarations = read_caiq(body, node_id=node, catalog=catalog)
    with service.edit(ws) as edit:
        if node not in edit.chain:
            raise not_found(f"workspace '{ws}' has no node '{node}'")
        document = edit.chain.to_dict()
        target = next(n for n in document["nodes"] if n["id"] == node)
        current = {d["control"]: d for d in target.get("declarations") or []}
        added = sum(1 for d in declarations if d["control"] not in current)
        for declaration in declarations:
            before = current.get(declaration["control"])
            evidence = before.get("evidence") if before else None
            current[declaration["control"]] = {**declaration, **({"evidence": evidence} if evidence else {})}
        target["declarations"] = list(current.values())
        chain = Chain.from_dict(document, source="the CAIQ file")
        edit.store_whole_chain(chain)
        workspace = edit.workspace
    return CaiqResult(
        workspace=ws,
        node=node,
        revision=workspace.revision,
        declarations=len(declarations),
        added=added,
        updated=len(declarations) - added,
    )
