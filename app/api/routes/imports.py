"""Bulk import: a whole chain (JSON, YAML, GraphML or a CSV bundle) in one transaction, all or nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from obligraph.app.api.deps import RawBody, ServiceDep, WorkspaceId
from obligraph.app.core.exceptions import NotFound
from obligraph.app.schemas.common import ERROR_RESPONSES, ErrorDetail, ErrorResponse
from obligraph.app.schemas.transfer import CHAIN_EXAMPLE, ImportMode, ImportResult
from obligraph.app.services.import_preview import ImportPreview, preview
from obligraph.app.services.importing import (
    IDEMPOTENCY_KEY_MAX,
    IDEMPOTENCY_KEY_PATTERN,
    check_caps,
    check_catalog,
    check_idempotency_key,
    claim_key,
    record_key,
    request_hash,
    stored_outcome,
)
from obligraph.app.services.merge import store_merge
from obligraph.app.services.transfer import import_format, parse_import, readable_names, replacement_chain
from obligraph.app.services.undo import UNDO_HEADER, snapshot_before, undo_headers
from obligraph.graph.chain import Chain
from obligraph.graph.checks import chain_warnings
from obligraph.graph.document_checks import validate_document

router = APIRouter(prefix="/workspaces/{ws}", tags=["import"], responses=ERROR_RESPONSES)


# The import and its preview read the same bodies and formats, so they declare them once.
IMPORT_BODY: dict[str, Any] = {
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
            "application/xml": {"schema": {"type": "string"}},
            "text/xml": {"schema": {"type": "string"}},
        },
    }
}
ImportFormat = Annotated[
    str | None,
    Query(
        max_length=32,
        description=f"One of {', '.join(readable_names())} (csv: a CSV bundle zip); default: by Content-Type "
        "(application/zip selects csv; application/graphml+xml, application/xml and text/xml select graphml).",
        json_schema_extra={"enum": readable_names()},
    ),
]


#: From this size on, an import sent with an Idempotency-Key looks its key up before parsing (JSON
#: parses and checks at about 0.03 ms per KiB; the read costs about 1 ms of CPU on PostgreSQL).
REPLAY_BEFORE_PARSING_BYTES = 32 * 1024


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Import a chain document (replace or merge)",
    responses={
        200: {
            "headers": {
                UNDO_HEADER: {
                    "description": "replace: the automatic snapshot of the state before; restore it to undo.",
                    "schema": {"type": "string"},
                }
            }
        },
        413: {"model": ErrorResponse, "description": "The body or the document is over this server's limits."},
        415: {
            "model": ErrorResponse,
            "description": "The Content-Type is none of those listed for the body (JSON, YAML, GraphML as "
            "application/graphml+xml, application/xml or text/xml, a CSV bundle as application/zip); the "
            "message lists them.",
        },
        422: {
            "model": ErrorResponse,
            "description": "The document is invalid, or the Idempotency-Key is malformed or was used for a "
            "different request (code `idempotency_key_reused`).",
        },
        503: {
            "model": ErrorResponse,
            "description": "The workspace stayed locked by another write for too long; retry after "
            "`Retry-After` seconds (with the same Idempotency-Key, the retry cannot import twice).",
        },
    },
    openapi_extra=IMPORT_BODY,
)
def import_chain(
    ws: WorkspaceId,
    request: Request,
    body: RawBody,
    service: ServiceDep,
    mode: Annotated[
        ImportMode, Query(description="replace: the document becomes the chain; merge: upsert into it.")
    ] = ImportMode.REPLACE,
    rename: Annotated[
        bool,
        Query(
            description="replace only: take the document's name as the workspace's name too (by default the "
            "workspace keeps its name)."
        ),
    ] = False,
    format: ImportFormat = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description=f"Makes a retry safe: 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters, no "
            "spaces (a UUID, say), new for each import. A request with a key already used in this workspace "
            "for the same request (same body, mode, format and Content-Type) is not imported again: it gets "
            "the first answer back (header `Idempotent-Replayed: true`) and the revision stays. The same key "
            "with a different request is refused with 422. The key is stored in the import's own "
            "transaction, so either both are stored or neither; a request that failed stored nothing and "
            "may be retried. Keys are kept for OBLIGRAPH_IDEMPOTENCY_KEY_TTL_S seconds (default 24 h) "
            "and deleted with the workspace.",
            json_schema_extra={"maxLength": IDEMPOTENCY_KEY_MAX, "pattern": IDEMPOTENCY_KEY_PATTERN},
        ),
    ] = None,
    response: Response = None,  # type: ignore[assignment]  # FastAPI passes the response to set headers on
) -> Any:
    """``replace`` makes the document the workspace's whole chain (settings, nodes, edges; the name
    too with ``rename=true``). The state before is kept as an automatic snapshot whose id the
    ``X-Undo-Snapshot`` header gives: restoring it undoes the import. ``POST .../import/preview``
    says what an import would remove before it is sent.

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
        raise NotFound(f"there is no workspace '{ws}'; create it with POST /api/v1/workspaces")
    content_type = request.headers.get("content-type")
    key: str | None = None
    fingerprint = ""  # read only when there is a key
    if idempotency_key is not None:
        key = check_idempotency_key(idempotency_key)
        fingerprint = request_hash(body, mode, format, content_type)
        if len(body) >= REPLAY_BEFORE_PARSING_BYTES:
            # A retried large import stops here, without parsing the body again. A small one is
            # parsed again in less time than this read takes; the check under the lock below decides.
            with service.db.read() as session:
                outcome = stored_outcome(session, ws, key, fingerprint, service.settings)
            if outcome is not None:
                return replayed(*outcome)
    spec = import_format(format, content_type)
    if mode is ImportMode.REPLACE:
        chain = replacement_chain(body, spec, content_type, service.settings)
        counts = {"nodes_added": len(chain), "nodes_updated": 0, "edges_added": len(chain.edges()), "edges_updated": 0}
        # Before the lock: this compiles the chain, whose arrays then go into the cache with it, and
        # the sweep order is built here too rather than by the first analysis after the import.
        warnings = chain_warnings(chain)
        chain.compiled().sweep.get()
    else:
        document = parse_import(body, spec, content_type)
        check_caps(document, service.settings)
        check_catalog(document)
    outcome = undo = None
    # Without automatic snapshots a replace need not load the chain it throws away.
    replacing = mode is ImportMode.REPLACE and service.settings.auto_snapshots_keep == 0
    with service.edit(ws, replacing=replacing) as edit:
        if key is not None:
            outcome = claim_key(edit, key, fingerprint, service.settings)
            if outcome is not None:
                edit.cancel()
        if outcome is None:
            if mode is ImportMode.MERGE:
                chain, counts = store_merge(edit, document)
                warnings = chain_warnings(chain)
            else:
                undo = snapshot_before(service, edit, "replacing the chain with an import")
                edit.store_whole_chain(chain, keep_name=not rename)

            def result_at(revision: int) -> ImportResult:
                return ImportResult(
                    workspace=ws,
                    mode=mode,
                    revision=revision,
                    nodes=len(chain),
                    edges=len(chain.edges()),
                    warnings=[ErrorDetail(location=w.location, message=w.message) for w in warnings],
                    **counts,
                )

            if key is not None:
                edit.before_commit(
                    lambda workspace: record_key(
                        edit.rows, key, fingerprint, 200, result_at(workspace.revision).model_dump(mode="json")
                    )
                )
            workspace = edit.workspace
    if outcome is not None:
        return replayed(*outcome)
    undo_headers(response, undo)
    return result_at(workspace.revision)


@router.post(
    "/import/preview",
    response_model=ImportPreview,
    summary="What an import would remove, without importing",
    openapi_extra=IMPORT_BODY,
)
def preview_import(
    ws: WorkspaceId,
    request: Request,
    body: RawBody,
    service: ServiceDep,
    mode: Annotated[ImportMode, Query(description="As for the import.")] = ImportMode.REPLACE,
    format: ImportFormat = None,
) -> Any:
    """The same body, mode and format as ``POST .../import``, checked the same way; nothing is stored.

    For a replace: the nodes, edges and declarations of the workspace the document lacks (they
    would be removed) and both names. The browser shows this in the import's confirmation.
    """
    content_type = request.headers.get("content-type")
    document = parse_import(body, import_format(format, content_type), content_type)
    check_caps(document, service.settings)
    check_catalog(document)
    # The import would refuse an invalid document; so does its preview, whichever the mode.
    if mode is ImportMode.REPLACE:
        Chain.from_dict(document, source="request body")
    else:
        validate_document(document, source="request body")
    with service.view(ws) as view:
        return preview(view.chain, document, mode)


def replayed(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"Idempotent-Replayed": "true"})
