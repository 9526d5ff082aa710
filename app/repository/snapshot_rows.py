"""Snapshot rows: by id or id prefix, the list of their summaries, add and delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from obligraph.app.models import SnapshotRow


def get_snapshot(session: Session, ws: str, digest: str) -> SnapshotRow | None:
    return session.get(SnapshotRow, (ws, digest))


def snapshots_with_prefix(session: Session, ws: str, prefix: str, limit: int) -> list[SnapshotRow]:
    query = (
        select(SnapshotRow)
        .where(col(SnapshotRow.workspace_id) == ws, col(SnapshotRow.digest).startswith(prefix, autoescape=True))
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def snapshot_summaries(
    session: Session, ws: str, offset: int, limit: int | None
) -> list[tuple[str, str, int, str | None, datetime, dict[str, Any]]]:
    """``(workspace, digest, revision, label, created_at, summary)`` oldest first, reading only the
    analysis' summary (not the chain, not the gaps)."""
    query = (
        select(
            col(SnapshotRow.workspace_id),
            col(SnapshotRow.digest),
            col(SnapshotRow.revision),
            col(SnapshotRow.label),
            col(SnapshotRow.created_at),
            col(SnapshotRow.analysis)["summary"],
        )
        .where(col(SnapshotRow.workspace_id) == ws)
        .order_by(col(SnapshotRow.created_at), col(SnapshotRow.digest))
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        (ws_id, digest, revision, label, created, dict(summary) if isinstance(summary, dict) else {})
        for ws_id, digest, revision, label, created, summary in session.execute(query)
    ]


def add_snapshot(session: Session, row: SnapshotRow) -> None:
    session.add(row)
    session.commit()
    session.refresh(row)


def delete_snapshot(session: Session, row: SnapshotRow) -> None:
    session.delete(row)
    session.commit()
