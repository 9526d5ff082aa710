"""Exports of a workspace (live, or one of its snapshots) in every format, and CAIQ answers in."""

from __future__ import annotations

import tempfile
from typing import Annotated, Any, Iterator, Optional

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from obligraph.app.api.deps import NodePath, RawBody, ServiceDep, WorkspaceId
from obligraph.app.schemas.common import ERROR_RESPONSES
from obligraph.app.schemas.transfer import CAIQ_EXAMPLE, XLSX, CaiqResult
from obligraph.app.services import snapshotting as snapshots
from obligraph.app.services.caiq import apply_caiq
from obligraph.app.services.transfer import export_filename, export_format, writable_names, write_export
from obligraph.graph.chain import Chain
from obligraph.graph.formats import FORMATS

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


@router.post(
    "/nodes/{node}/caiq",
    response_model=CaiqResult,
    summary="Set a provider's declarations from its CAIQ answers",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}, "example": CAIQ_EXAMPLE},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def import_caiq(ws: WorkspaceId, node: NodePath, service: ServiceDep, body: RawBody) -> Any:
    """CSA's CAIQ v4 workbook (XLSX) or a CSV of it, with the answers of the provider ``node``.

    Rows name CCM v4 questions (``A&A-02.1``) or controls, mapped to catalog controls through the
    CCM crosswalk (catalog and typed ids work too). The questions of one catalog control combine
    into one declaration (the worst answer; the SSRM ownership as ``assigns``; descriptions and CSC
    responsibilities as notes) that replaces that control's declaration on the node, keeping its
    evidence. ``unmapped`` lists the CCM controls with no catalog counterpart and ``unanswered`` the
    questions left blank. All rows are checked first and stored in one transaction; ``details``
    names the row and column of each problem.
    """
    return apply_caiq(service, ws, node, body)
