"""Workspaces: create, list, get, rename (and change analysis settings), delete."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from obligraph.app.api.deps import PageDep, ServiceDep, WorkspaceId
from obligraph.app.core.exceptions import Conflict
from obligraph.app.core.paging import decode_cursor, encode_cursor
from obligraph.app.models import Workspace
from obligraph.app.repository import workspace_rows
from obligraph.app.repository.workspace_rows import workspace_summaries
from obligraph.app.schemas.common import CRUD, ERROR_RESPONSES, Page, links, page_example
from obligraph.app.schemas.workspaces import WORKSPACE_OUT_EXAMPLE, WorkspaceCreate, WorkspaceOut, WorkspaceUpdate
from obligraph.app.security import visible_only
from obligraph.app.services import trash
from obligraph.app.services.importing import check_catalog
from obligraph.app.services.trash import UNDO_RESTORE_HEADER
from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Status
from obligraph.graph.schema import CHAIN_FORMAT

router = APIRouter(prefix="/workspaces", tags=["workspaces"], responses=ERROR_RESPONSES)


@router.post(
    "",
    status_code=201,
    response_model=WorkspaceOut,
    summary="Create a workspace",
    responses={
        201: {
            "links": {
                **links("/api/v1/workspaces/{ws}", CRUD, {"ws": "$response.body#/id"}),
                **links("/api/v1/workspaces/{ws}/import", {"Import": "post"}, {"ws": "$response.body#/id"}),
                **links("/api/v1/workspaces/{ws}/nodes", {"AddNode": "post"}, {"ws": "$response.body#/id"}),
            }
        }
    },
)
def create_workspace(body: WorkspaceCreate, service: ServiceDep) -> Any:
    """An empty workspace; fill it with POST .../import or the node and edge routes."""
    settings = body.model_dump(include={"catalog", "requirement", "controls"}, mode="json", exclude_none=True)
    check_catalog(settings)
    # Checks catalog and controls, and turns typed control ids (27002:2022/8.13) into catalog ids.
    checked = Chain.from_dict({"format": CHAIN_FORMAT, "name": body.name, **settings})
    with service.db.write() as session:
        if workspace_rows.workspace_exists(session, body.id):
            raise Conflict(f"workspace '{body.id}' already exists; pick another id or PATCH that one")
        workspace = Workspace(
            id=body.id,
            uid=uuid.uuid4().hex,
            name=body.name,
            description=body.description,
            catalog=body.catalog,
            requirement=body.requirement.value if body.requirement else None,
            controls=checked.controls,
        )
        workspace_rows.add_workspace(session, workspace)
        return workspace_summaries(session, [workspace])[0]


@router.get(
    "",
    response_model=Page[WorkspaceOut],
    summary="List workspaces",
    responses=page_example(WORKSPACE_OUT_EXAMPLE),
)
def list_workspaces(service: ServiceDep, page: PageDep, request: Request) -> Any:
    """Ordered by id; with auth on, only the workspace the token is for (all for an admin)."""
    after = decode_cursor(page.cursor, str)
    only = visible_only(request)
    with service.db.read() as session:
        rows, more = workspace_rows.workspace_page(session, page.limit, after, only)
        return Page(items=workspace_summaries(session, rows), next=encode_cursor(rows[-1].id) if more else None)


@router.get("/{ws}", response_model=WorkspaceOut, summary="Get a workspace")
def get_workspace(ws: WorkspaceId, service: ServiceDep) -> Any:
    with service.db.read() as session:
        return workspace_summaries(session, [service.workspace(session, ws)])[0]


@router.patch("/{ws}", response_model=WorkspaceOut, summary="Rename a workspace or change its analysis settings")
def update_workspace(ws: WorkspaceId, body: WorkspaceUpdate, service: ServiceDep) -> Any:
    """Changing ``catalog`` re-checks every declaration and override against the new catalog."""
    changes = body.model_dump(exclude_unset=True, mode="json")
    check_catalog(changes)
    with service.edit(ws) as edit:
        if "catalog" in changes:
            document = {**edit.chain.to_dict(), **{k: v for k, v in changes.items() if v is not None}}
            for key in ("description", "requirement", "controls"):
                if key in changes and changes[key] is None:
                    document.pop(key, None)
            edit.replace_chain(Chain.from_dict(document, source="workspace"))
        else:
            edit.apply(lambda chain: _set_attributes(chain, changes))
        if changes.get("controls") is not None:
            changes["controls"] = list(edit.chain.controls or [])  # typed ids stored as the catalog ids
        workspace = edit.workspace
        for key, value in changes.items():
            setattr(workspace, key, value)
    with service.db.read() as session:
        return workspace_summaries(session, [service.workspace(session, ws)])[0]


def _set_attributes(chain: Chain, changes: dict[str, Any]) -> None:
    controls = None
    if changes.get("controls") is not None:
        controls = chain.analysed_controls(changes["controls"])  # raises on an unknown control, before any change
    for key, value in changes.items():
        if key == "requirement":
            chain.requirement = Status(value) if value is not None else None
        elif key == "controls":
            chain.controls = controls
        else:
            setattr(chain, key, value)


@router.delete(
    "/{ws}",
    status_code=204,
    response_class=Response,
    summary="Delete a workspace and all it holds",
    responses={
        204: {
            "headers": {
                UNDO_RESTORE_HEADER: {
                    "description": "Where to POST to undo the delete (absent when deleted workspaces are not kept).",
                    "schema": {"type": "string", "example": "/api/v1/workspaces/demo/restore"},
                }
            }
        }
    },
)
def delete_workspace(ws: WorkspaceId, service: ServiceDep) -> Response:
    """The workspace disappears from every route at once. It is kept, hidden, for
    ``deleted_workspaces_keep_days`` (30 by default) so that POST .../restore can undo the delete;
    with 0 everything is removed immediately."""
    response = Response(status_code=204)
    trash.delete_workspace(service, ws, response)
    return response


@router.post("/{ws}/restore", response_model=WorkspaceOut, summary="Undo the deletion of a workspace")
def restore_workspace(ws: WorkspaceId, service: ServiceDep) -> Any:
    """Brings back a deleted workspace exactly as it was (nodes, edges, declarations, snapshots,
    tokens, revision) while it is kept; 404 once it is gone for good, 409 when it is not deleted."""
    workspace = trash.restore_workspace(service, ws)
    with service.db.read() as session:
        return workspace_summaries(session, [workspace])[0]
