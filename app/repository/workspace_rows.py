"""Workspace rows: existence, a page of them with their node and edge counts, add and delete."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select
from sqlmodel import Session, col

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
    return [WorkspaceOut(**w.model_dump(exclude={"uid"}), **counts[w.id]) for w in rows]


def workspace_page(session: Session, limit: int, after: str | None, only: str | None) -> tuple[list[Workspace], bool]:
    """Up to ``limit`` workspaces by id after ``after`` (only ``only`` when given), and whether more follow."""
    query = select(Workspace).order_by(col(Workspace.id)).limit(limit + 1)
    if only is not None:
        query = query.where(col(Workspace.id) == only)
    if after is not None:
        query = query.where(col(Workspace.id) > after)
    rows = list(session.execute(query).scalars())
    return rows[:limit], len(rows) > limit


def workspace_exists(session: Session, ws: str) -> bool:
    return session.get(Workspace, ws) is not None


def find_workspace(session: Session, ws: str, *, lock: bool = False) -> Workspace | None:
    """The workspace row; ``lock`` holds it for update (the write lock of its chain) until the transaction ends."""
    query = select(Workspace).where(col(Workspace.id) == ws)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def add_workspace(session: Session, workspace: Workspace) -> None:
    session.add(workspace)
    session.commit()


def save_workspace(session: Session, workspace: Workspace) -> None:
    """Stage the row's changes (revision, settings) in the current transaction."""
    session.add(workspace)


def delete_workspace(session: Session, workspace: Workspace) -> None:
    """The workspace and, by ON DELETE CASCADE, everything it holds."""
    session.delete(workspace)
    session.commit()
