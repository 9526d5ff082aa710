"""Deleting a workspace so that the deletion can be undone.

With ``Settings.deleted_workspaces_keep_days`` above 0 (the default: 30), a delete only marks the
workspace row (``deleted_at``): its nodes, edges, declarations, snapshots and tokens stay as they
are, hidden from every lookup, and ``POST /api/v1/workspaces/{ws}/restore`` brings back exactly
that state. Deleted workspaces older than the limit are removed for good at the next delete and
when the server starts; creating a workspace with a deleted one's id removes that one at once.
With 0, a delete removes everything immediately and there is nothing to restore.

The delete answers with ``X-Undo-Restore``: the path to POST to undo it.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Response
from sqlmodel import Session

from obligraph.app.core.exceptions import Conflict, NotFound
from obligraph.app.core.settings import Settings
from obligraph.app.models import Workspace, utcnow
from obligraph.app.repository import workspace_rows
from obligraph.app.services.workspace import Service

UNDO_RESTORE_HEADER = "X-Undo-Restore"


def delete_workspace(service: Service, ws: str, response: Response) -> None:
    keep_days = service.settings.deleted_workspaces_keep_days
    with service.db.write() as session:
        workspace = service.workspace(session, ws, lock=True)
        uid = workspace.uid
        if keep_days == 0:
            workspace_rows.delete_workspace(session, workspace)
        else:
            workspace.deleted_at = utcnow()
            session.add(workspace)
            expired = purge_expired(service.settings, session)
            session.commit()
            for gone in expired:
                service.cache.forget(gone, locks=True)
            response.headers[UNDO_RESTORE_HEADER] = f"/api/v1/workspaces/{ws}/restore"
    service.cache.forget(uid, locks=True)


def restore_workspace(service: Service, ws: str) -> Workspace:
    """Undo the deletion of ``ws``: the workspace as it was, at the same revision."""
    with service.db.write() as session:
        workspace = workspace_rows.find_deleted(session, ws, lock=True)
        if workspace is None:
            if workspace_rows.find_workspace(session, ws) is not None:
                raise Conflict(f"workspace '{ws}' is not deleted; there is nothing to restore")
            days = service.settings.deleted_workspaces_keep_days
            raise NotFound(
                f"there is no deleted workspace '{ws}' to restore; deleted workspaces are kept {days} days"
                " (OBLIGRAPH_DELETED_WORKSPACES_KEEP_DAYS), and creating one with the same id ends that"
            )
        workspace.deleted_at = None
        session.add(workspace)
        session.commit()
        session.refresh(workspace)
        return workspace


def purge_expired(settings: Settings, session: Session) -> list[str]:
    """Remove for good the deleted workspaces older than the limit; their uids."""
    before = utcnow() - timedelta(days=settings.deleted_workspaces_keep_days)
    return workspace_rows.purge_deleted(session, before=before)
