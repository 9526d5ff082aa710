"""Workspace rows: existence, a page of them with their node and edge counts, add and delete.

A deleted workspace kept for undo (``deleted_at`` set) is invisible to every lookup here but
``find_deleted``: it neither lists, opens nor blocks its id from being created again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import ColumnElement, bindparam, delete, func, select, update
from sqlmodel import Session, col

from obligraph.app.core.statement_batch import BatchResult, StatementBatch
from obligraph.app.models import EdgeRow, NodeRow, Workspace
from obligraph.app.schemas.workspaces import WorkspaceOut


def workspace_summaries(session: Session, workspaces: Iterable[Workspace]) -> list[WorkspaceOut]:
    """Each workspace with its node and edge counts (two grouped counts, whatever the number of workspaces)."""
    rows = list(workspaces)
    ids = [w.id for w in rows]
    counts: dict[str, dict[str, int]] = {i: {"nodes": 0, "edges": 0} for i in ids}
    for table, key in ((NodeRow, "nodes"), (EdgeRow, "edges")):
        query = (
            select(col(table.workspace_id), func.count())
            .where(col(table.workspace_id).in_(ids))
            .group_by(col(table.workspace_id))
        )
        for ws_id, count in session.execute(query):
            counts[ws_id][key] = count
    return [WorkspaceOut(**w.model_dump(exclude={"uid", "deleted_at"}), **counts[w.id]) for w in rows]


def workspace_page(session: Session, limit: int, after: str | None, only: str | None) -> tuple[list[Workspace], bool]:
    """Up to ``limit`` workspaces by id after ``after`` (only ``only`` when given), and whether more follow."""
    query = select(Workspace).where(_live()).order_by(col(Workspace.id)).limit(limit + 1)
    if only is not None:
        query = query.where(col(Workspace.id) == only)
    if after is not None:
        query = query.where(col(Workspace.id) > after)
    rows = list(session.execute(query).scalars())
    return rows[:limit], len(rows) > limit


def _live() -> ColumnElement[bool]:
    return col(Workspace.deleted_at).is_(None)


def workspace_exists(session: Session, ws: str) -> bool:
    return find_workspace(session, ws) is not None


def find_workspace(session: Session, ws: str, *, lock: bool = False) -> Workspace | None:
    """The workspace row; ``lock`` holds it for update (the write lock of its chain) until the transaction ends."""
    query = select(Workspace).where(col(Workspace.id) == ws, _live())
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def find_deleted(session: Session, ws: str, *, lock: bool = False) -> Workspace | None:
    """The deleted workspace ``ws`` still kept for undo, if any."""
    query = select(Workspace).where(col(Workspace.id) == ws, col(Workspace.deleted_at).is_not(None))
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def add_workspace(session: Session, workspace: Workspace) -> None:
    """A new workspace; a deleted namesake kept for undo goes for good (the id is taken again)."""
    purge_deleted(session, ids=[workspace.id])
    session.add(workspace)
    session.commit()


def purge_deleted(session: Session, *, ids: list[str] | None = None, before: datetime | None = None) -> list[str]:
    """Remove deleted workspaces for good (with all they hold, by ON DELETE CASCADE): those named
    in ``ids``, or those deleted before ``before``. Returns their uids, for the caches."""
    query = select(col(Workspace.id), col(Workspace.uid)).where(col(Workspace.deleted_at).is_not(None))
    if ids is not None:
        query = query.where(col(Workspace.id).in_(ids))
    if before is not None:
        query = query.where(col(Workspace.deleted_at) < before)
    found = list(session.execute(query))
    if found:
        session.execute(delete(Workspace).where(col(Workspace.id).in_([row[0] for row in found])))
    return [row[1] for row in found]


_WORKSPACES = Workspace.__table__  # type: ignore[attr-defined]  # SQLModel sets it; Core statements skip the ORM
WORKSPACE_COLUMNS = tuple(column.name for column in _WORKSPACES.columns)


_LOCK_ROW = select(_WORKSPACES).where(_WORKSPACES.c.id == bindparam("ws_"), _live()).with_for_update()
_UPDATE_ROW = update(_WORKSPACES).where(_WORKSPACES.c.id == bindparam("ws_"))


def read_locked_row(batch: StatementBatch, ws: str) -> BatchResult:
    """The live workspace row as column values, held for update (the write lock of its chain) until
    the transaction ends; plain values, not an ORM object, so that several writes can share the
    transaction (``services/write_group.py``) each with its own copy. Queued in ``batch``: its
    result holds the row, or none when there is no such live workspace."""
    return batch.execute(_LOCK_ROW, {"ws_": ws})


def update_workspace_row(batch: StatementBatch, ws: str, values: dict[str, Any]) -> None:
    """Write ``values`` (column name to value) into the workspace row."""
    if values:
        batch.executemany(_UPDATE_ROW, [{**values, "ws_": ws}])


def delete_workspace(session: Session, workspace: Workspace) -> None:
    """The workspace and, by ON DELETE CASCADE, everything it holds."""
    session.delete(workspace)
    session.commit()
