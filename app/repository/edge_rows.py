"""Edge rows of one workspace: a filtered page in document order, one edge, a change, removal.

Inserting an edge is ``rows.insert_edge``; the chain document is ``store``.
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
    query = select(EDGES).where(EDGES.c.workspace_id == ws).order_by(EDGES.c.position).limit(limit + 1)
    if after is not None:
        query = query.where(EDGES.c.position > after)
    if provider is not None:
        query = query.where(EDGES.c.provider == provider)
    if consumer is not None:
        query = query.where(EDGES.c.consumer == consumer)
    rows = list(session.execute(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return [store.edge_dict(row) for row in rows], rows[-1].position if more else None


def find_edge(session: Session, ws: str, provider: str, consumer: str) -> dict[str, Any] | None:
    row = session.execute(select(EDGES).where(*_where(ws, provider, consumer))).first()
    return None if row is None else store.edge_dict(row)


def update_edge(session: Session, ws: str, provider: str, consumer: str, values: dict[str, Any]) -> None:
    if values:
        session.execute(update(EDGES).where(*_where(ws, provider, consumer)).values(**values))


def delete_edge(session: Session, ws: str, provider: str, consumer: str) -> None:
    session.execute(delete(EDGES).where(*_where(ws, provider, consumer)))
