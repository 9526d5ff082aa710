"""Snapshots: take, list, get, delete, diff two, restore one as the workspace's new state."""

from __future__ import annotations

from typing import Annotated, Any, Optional

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse

from obligraph.app.api.deps import PageDep, ServiceDep, WorkspaceId
from obligraph.app.core.paging import decode_cursor, encode_cursor
from obligraph.app.models import SnapshotRow
from obligraph.app.schemas.common import ERROR_RESPONSES, ErrorResponse, Page, links, page_example
from obligraph.app.schemas.snapshot import (
    DIFF_EXAMPLE,
    SNAPSHOT_EXAMPLE,
    RestoreResult,
    SnapshotCreate,
    SnapshotDetail,
    SnapshotOut,
)
from obligraph.app.services import snapshotting as snapshots
from obligraph.app.services.snapshotting import SnapshotEntry

router = APIRouter(prefix="/workspaces/{ws}/snapshots", tags=["snapshots"], responses=ERROR_RESPONSES)

SnapshotPath = Annotated[
    str,
    Path(
        description="Snapshot id (its sha256), or a unique prefix of 6+ characters.",
        max_length=64,
        examples=["b2424df768c3"],
    ),
]
CORRUPT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorResponse, "description": "snapshot_corrupt: the stored content fails its sha256."}
}


def snapshot_out(row: SnapshotRow | SnapshotEntry) -> SnapshotOut:
    return SnapshotOut(
        id=row.digest,
        workspace=row.workspace_id,
        revision=row.revision,
        label=row.label,
        created_at=row.created_at,
        summary=snapshots.summary_of(row),
    )


_SNAPSHOT = {"ws": "$request.path.ws", "snapshot": "$response.body#/id"}
SNAPSHOT_LINKS = {
    **links("/api/v1/workspaces/{ws}/snapshots/{snapshot}", {"Get": "get", "Delete": "delete"}, _SNAPSHOT),
    **links("/api/v1/workspaces/{ws}/snapshots/{snapshot}/restore", {"Restore": "post"}, _SNAPSHOT),
    **links(
        "/api/v1/workspaces/{ws}/snapshots/{a}/diff/{b}",
        {"DiffWithItself": "get"},
        {"ws": "$request.path.ws", "a": "$response.body#/id", "b": "$response.body#/id"},
    ),
}


@router.post(
    "",
    status_code=201,
    response_model=SnapshotOut,
    summary="Take a snapshot of the workspace",
    responses={
        200: {
            "model": SnapshotOut,
            "description": "The content is snapshotted already: that snapshot.",
            "links": SNAPSHOT_LINKS,
        },
        201: {"links": SNAPSHOT_LINKS},
    },
)
def create_snapshot(ws: WorkspaceId, service: ServiceDep, body: Optional[SnapshotCreate] = None) -> Any:
    """An immutable copy of the chain and its analysis at the current revision, addressed by its sha256.

    Taking a snapshot of content that is already snapshotted returns that snapshot (200, not 201).
    """
    row, created = snapshots.create(service, ws, body.label if body else None)
    out = snapshot_out(row)
    if created:
        return out
    return JSONResponse(out.model_dump(mode="json"), status_code=200)


@router.get(
    "",
    response_model=Page[SnapshotOut],
    summary="List snapshots, oldest first",
    responses=page_example(SNAPSHOT_EXAMPLE),
)
def list_snapshots(ws: WorkspaceId, service: ServiceDep, page: PageDep) -> Any:
    offset = decode_cursor(page.cursor, int) or 0
    rows = snapshots.list_rows(service, ws, offset, page.limit + 1)
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    return Page(items=[snapshot_out(r) for r in rows], next=encode_cursor(offset + len(rows)) if more else None)


@router.get("/{snapshot}", response_model=SnapshotDetail, summary="Get a snapshot", responses=CORRUPT)
def get_snapshot(ws: WorkspaceId, snapshot: SnapshotPath, service: ServiceDep) -> Any:
    row = snapshots.get(service, ws, snapshot)
    return SnapshotDetail(**snapshot_out(row).model_dump(), chain=row.chain, analysis=row.analysis)


@router.delete("/{snapshot}", status_code=204, response_class=Response, summary="Delete a snapshot")
def delete_snapshot(ws: WorkspaceId, snapshot: SnapshotPath, service: ServiceDep) -> Response:
    snapshots.delete(service, ws, snapshot)
    return Response(status_code=204)


@router.get(
    "/{a}/diff/{b}",
    summary="What changed from snapshot a to snapshot b",
    responses={**CORRUPT, 200: {"content": {"application/json": {"example": DIFF_EXAMPLE}}}},
)
def diff_snapshots(ws: WorkspaceId, a: SnapshotPath, b: SnapshotPath, service: ServiceDep) -> Any:
    """Nodes, edges and declarations added, removed and changed; gaps opened, closed and changed."""
    return snapshots.diff(snapshots.get(service, ws, a), snapshots.get(service, ws, b))


@router.post(
    "/{snapshot}/restore",
    response_model=RestoreResult,
    summary="Make a snapshot the workspace's state",
    responses=CORRUPT,
)
def restore_snapshot(ws: WorkspaceId, snapshot: SnapshotPath, service: ServiceDep) -> Any:
    """The snapshot's chain replaces the workspace's as a new revision; every snapshot is kept."""
    row, revision = snapshots.restore(service, ws, snapshot)
    return RestoreResult(workspace=ws, snapshot=row.digest, revision=revision)
