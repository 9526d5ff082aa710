"""Journal rows: per workspace revision, the chain edits that made it (NULL: reload the chain)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlmodel import Session, col

from obligraph.app.models import JournalRow

Changes = list[dict[str, Any]]


def append(session: Session, ws: str, revision: int, changes: Changes | None) -> None:
    session.execute(insert(JournalRow).values(workspace_id=ws, revision=revision, changes=changes))


def prune(session: Session, ws: str, keep: int, revision: int) -> None:
    """Drop the entries older than the last ``keep`` up to ``revision``."""
    session.execute(
        delete(JournalRow).where(col(JournalRow.workspace_id) == ws, col(JournalRow.revision) <= revision - keep)
    )


def changes_after(session: Session, ws: str, after: int, upto: int) -> list[Changes | None] | None:
    """The entries of revisions ``after + 1 .. upto`` in order; None when any of them is missing (pruned)."""
    rows = session.execute(
        select(col(JournalRow.revision), col(JournalRow.changes))
        .where(col(JournalRow.workspace_id) == ws, col(JournalRow.revision) > after, col(JournalRow.revision) <= upto)
        .order_by(col(JournalRow.revision))
    ).all()
    if [revision for revision, _ in rows] != list(range(after + 1, upto + 1)):
        return None
    return [changes for _, changes in rows]
