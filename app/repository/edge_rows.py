"""Edge rows of one workspace: a filtered page in document order, one edge, a change, removal.

Inserting an edge is ``pending_rows.PendingRows.insert_edge``; the chain document is ``store``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import Session

from obligraph.app.repository import store

EDGES = store.EDGES


def _where(ws: str, provider: str, consumer: str) -> tuple:
    return (EDGES.c.workspace_id == ws, EDGES.c.provider == provider, EDGES.c.consumer == consumer)


def edge_page(
    session: Session, ws: str, limit: int, after: int | None, provider: str | None, consumer: str | None
) -> tuple[list[dict[str, Any]], int | None]:
    """Up to ``limit`` edges after position ``after``, and the position to continue from (None: no more)."""
    where = [EDGES.c.workspace_id == ws]
    if provider is not None:
        where.append(EDGES.c.provider == provider)
    if consumer is not None:
        where.append(EDGES.c.consumer == consumer)
    rows, last = store.page_by_position(session, EDGES, where, limit, after)
    return [store.edge_dict(row) for row in rows], last


def find_edge(session: Session, ws: str, provider: str, consumer: str) -> dict[str, Any] | None:
    row = session.execute(select(EDGES).where(*_where(ws, provider, consumer))).first()
    return None if row is None else store.edge_dict(row)


def update_edge(session: Session, ws: str, provider: str, consumer: str, values: dict[str, Any]) -> None:
    if values:
        session.execute(update(EDGES).where(*_where(ws, provider, consumer)).values(**values))


def delete_edge(session: Session, ws: str, provider: str, consumer: str) -> None:
    session.execute(delete(EDGES).where(*_where(ws, provider, consumer)))
