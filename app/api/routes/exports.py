"""Exports of a workspace (live, or one of its snapshots) in every format, and CAIQ answers in."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import date
from typing import Annotated, Any, Iterator

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response, StreamingResponse

from obligraph.app.api.deps import NodePath, RawBody, ServiceDep, WorkspaceId
from obligraph.app.api.negotiation import negotiate, offered
from obligraph.app.schemas.common import ERROR_RESPONSES, ErrorResponse
from obligraph.app.schemas.transfer import CAIQ_EXAMPLE, XLSX, CaiqResult
from obligraph.app.services import snapshotting as snapshots
from obligraph.app.services.caiq import apply_caiq
from obligraph.app.services.transfer import (
    EXPORT_OPTIONS,
    export_filename,
    export_format,
    format_options,
    writable_names,
    write_export,
)
from obligraph.graph.chain import Chain
from obligraph.graph.formats import FORMATS, FormatSpec

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


EXPORT_HEADERS = {
    "ETag": {
        "description": "Names this export: the workspace revision (or snapshot), the format, its options and"
        " the analysis date. Send it back in If-None-Match to get 304 while it holds.",
        "schema": {"type": "string"},
    },
    "Content-Disposition": {"description": "attachment; filename=...", "schema": {"type": "string"}},
}
NOT_MODIFIED = {
    "description": "Not modified: If-None-Match named this export's ETag. No body.",
    "headers": {"ETag": EXPORT_HEADERS["ETag"]},
}
NOT_ACCEPTABLE = {
    "model": ErrorResponse,
    "description": "not_acceptable: no format has a media type the Accept header allows (and no format= was"
    " given); the message lists the media types on offer.",
}
OPTION_QUERY = {
    name: Query(description=f"{help}. Only for that format; refused with 422 for the others.")
    for name, help in EXPORT_OPTIONS.items()
}


@router.get(
    "/export",
    summary="Export the workspace or a snapshot of it",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                media_type: {"example": EXPORT_EXAMPLES.get(media_type, "(the export)")} for media_type in offered()
            },
            "headers": EXPORT_HEADERS,
        },
        304: NOT_MODIFIED,
        406: NOT_ACCEPTABLE,
    },
)
def export(
    ws: WorkspaceId,
    service: ServiceDep,
    format: Annotated[
        str | None,
        # The schema lists the formats (a client, and schemathesis, knows them); export_format
        # refuses any other with the code `unknown_format` and the list.
        Query(
            max_length=32,
            description=f"The export format; without it the Accept header chooses (chain JSON for */*). {FORMAT_HELP}.",
            json_schema_extra={"enum": writable_names()},
        ),
    ] = None,
    snapshot: Annotated[
        str | None, Query(max_length=64, description="Export this snapshot (id or 6+ character prefix).")
    ] = None,
    node: Annotated[
        str | None, Query(max_length=128, description="For audit-md, audit-html (required) and oscal: one node.")
    ] = None,
    gaps: Annotated[bool | None, OPTION_QUERY["gaps"]] = None,
    causes: Annotated[bool | None, OPTION_QUERY["causes"]] = None,
    links: Annotated[bool | None, OPTION_QUERY["links"]] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    if_none_match: Annotated[
        str | None, Header(description="An ETag of an earlier answer: 304 with no body while it still holds.")
    ] = None,
) -> Any:
    """The export as a download (``Content-Disposition: attachment``) with the format's media type.

    Without ``format=``, the ``Accept`` header chooses among the formats' media types
    (``application/json``: chain JSON, ``text/html``: the standalone map, ``*/*``: chain JSON); 406
    when none is acceptable. Every answer has an ``ETag``; ``If-None-Match`` with it gives 304.
    """
    return _export(ws, service, format, snapshot, node, {"gaps": gaps, "causes": causes, "links": links},
                   accept, if_none_match, with_body=True)  # fmt: skip


@router.head(
    "/export",
    summary="The headers of an export, without its body",
    response_class=Response,
    responses={200: {"description": "The headers GET would send.", "headers": EXPORT_HEADERS}, 304: NOT_MODIFIED,
               406: NOT_ACCEPTABLE},
)  # fmt: skip
def export_head(
    ws: WorkspaceId,
    service: ServiceDep,
    format: Annotated[str | None, Query(max_length=32, json_schema_extra={"enum": writable_names()})] = None,
    snapshot: Annotated[str | None, Query(max_length=64)] = None,
    node: Annotated[str | None, Query(max_length=128)] = None,
    gaps: Annotated[bool | None, OPTION_QUERY["gaps"]] = None,
    causes: Annotated[bool | None, OPTION_QUERY["causes"]] = None,
    links: Annotated[bool | None, OPTION_QUERY["links"]] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    if_none_match: Annotated[str | None, Header(description="As for GET.")] = None,
) -> Any:
    """What ``GET .../export`` with the same parameters answers, headers only (the length included)."""
    return _export(ws, service, format, snapshot, node, {"gaps": gaps, "causes": causes, "links": links},
                   accept, if_none_match, with_body=False)  # fmt: skip


def _export(
    ws: str,
    service,
    format: str | None,
    snapshot: str | None,
    node: str | None,
    given: dict[str, bool | None],
    accept: str | None,
    if_none_match: str | None,
    *,
    with_body: bool,
) -> Response:
    spec = export_format(format) if format is not None else negotiate(accept)
    options = format_options(spec, given)
    headers = {"Vary": "Accept"} if format is None else {}
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        if snapshot is not None:
            row = snapshots.get(service, ws, snapshot)
            headers["ETag"] = export_etag(f"snapshot {row.digest}", spec, node, options)
            if _matches(if_none_match, headers["ETag"]):
                spool.close()
                return Response(status_code=304, headers=headers)
            chain = Chain.from_dict(row.chain, source=f"snapshot {row.digest[:12]}")
            write_export(chain, spec, spool, None, node, options)
            name = export_filename(ws, spec, row.digest, node)
        else:
            with service.view(ws) as view:
                headers["ETag"] = export_etag(f"{view.workspace.uid} {view.revision}", spec, node, options)
                if _matches(if_none_match, headers["ETag"]):
                    spool.close()
                    return Response(status_code=304, headers=headers)
                # The chain is valid only while the view is open: write the whole export inside it.
                write_export(view.chain, spec, spool, view.analysis(), node, options)
            name = export_filename(ws, spec, None, node)
    except BaseException:
        spool.close()
        raise
    media_type = spec.media_type + ("; charset=utf-8" if spec.media_type.startswith("text/") else "")
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    size = spool.tell()
    if not with_body:
        spool.close()
        return Response(media_type=media_type, headers={**headers, "Content-Length": str(size)})
    return StreamingResponse(_chunks(spool), media_type=media_type, headers={**headers, "Content-Length": str(size)})


def export_etag(state: str, spec: FormatSpec, node: str | None, options: dict[str, bool]) -> str:
    """A weak validator: the same state, format, node, options and analysis date give the same export."""
    basis = "|".join([state, spec.name, node or "", repr(sorted(options.items())), date.today().isoformat()])
    return 'W/"' + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110, section 13.1.2): ``*`` or any listed tag, W/ ignored."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))


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
