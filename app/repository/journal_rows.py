"""Journal rows: per workspace revision, the chain edits that made it (NULL: reload the chain)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlmodel import Session, col

from obligraph.app.core.statement_batch import BatchResult, StatementBatch
from obligraph.app.models import JournalRow

Changes = list[dict[str, Any]]


#: Pruning runs on every revision that is a multiple of this, so most writes skip the DELETE.
PRUNE_EVERY = 32

_JOURNAL = JournalRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it; Core statements skip the ORM
_APPEND = insert(_JOURNAL)
_PRUNE = delete(_JOURNAL).where(_JOURNAL.c.workspace_id == bindparam("ws"), _JOURNAL.c.revision <= bindparam("upto"))


_AFTER = (
    select(_JOURNAL.c.revision, _JOURNAL.c.changes)
    .where(_JOURNAL.c.workspace_id == bindparam("ws"), _JOURNAL.c.revision > bindparam("after"))
    .order_by(_JOURNAL.c.revision)
)


def append_all(batch: StatementBatch, ws: str, entries: list[tuple[int, Changes | None]]) -> None:
    """One row per (revision, changes), in one statement (an executemany)."""
    batch.executemany(
        _APPEND, [{"workspace_id": ws, "revision": revision, "changes": changes} for revision, changes in entries]
    )


def prune(batch: StatementBatch, ws: str, keep: int, revisions: list[int]) -> None:
    """Drop the entries older than the last ``keep`` of ``revisions`` (the ones just written), when
    one of them is a multiple of ``PRUNE_EVERY`` (between two prunes, up to ``keep + PRUNE_EVERY - 1``
    are kept)."""
    if any(revision % PRUNE_EVERY == 0 for revision in revisions):
        batch.executemany(_PRUNE, [{"ws": ws, "upto": max(revisions) - keep}])


def read_changes_after(batch: StatementBatch, ws: str, after: int) -> BatchResult:
    """Queue the read of every entry after revision ``after``, in order (``entries`` reads the result)."""
    return batch.execute(_AFTER, {"ws": ws, "after": after})


def entries(read: BatchResult, after: int, upto: int) -> list[Changes | None] | None:
    """The entries of revisions ``after + 1 .. upto`` from ``read`` (which began at ``after`` or
    before); None when any of them is missing (pruned)."""
    rows = [(row["revision"], row["changes"]) for row in read.all() if after < row["revision"] <= upto]
    return _contiguous(rows, after, upto)


def changes_after(session: Session, ws: str, after: int, upto: int) -> list[Changes | None] | None:
    """The entries of revisions ``after + 1 .. upto`` in order; None when any of them is missing (pruned)."""
    rows = session.execute(
        select(col(JournalRow.revision), col(JournalRow.changes))
        .where(col(JournalRow.workspace_id) == ws, col(JournalRow.revision) > after, col(JournalRow.revision) <= upto)
        .order_by(col(JournalRow.revision))
    ).all()
    return _contiguous([(revision, changes) for revision, changes in rows], after, upto)


def _contiguous(rows: list[tuple[int, Changes | None]], after: int, upto: int) -> list[Changes | None] | None:
    if [revision for revision, _ in rows] != list(range(after + 1, upto + 1)):
        return None
    return [changes for _, changes in rows]
