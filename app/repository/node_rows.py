"""Node rows of one workspace: a page in document order, a change of its columns, removal.

Inserting a node (with its declarations) is ``pending_rows.PendingRows.insert_node``; the chain document is ``store``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session

from obligraph.app.repository import store

NODES = store.NODES


def _with_declarations(rows: list) -> list[dict[str, Any]]:
    return [{**store.node_dict(row), "declarations": store.declarations_of(row.declarations)} for row in rows]


def node_page(
    session: Session, ws: str, limit: int, after: int | None, layer: str | None
) -> tuple[list[dict[str, Any]], int | None]:
    """Up to ``limit`` nodes after position ``after``, and the position to continue from (None: no more)."""
    where = [NODES.c.workspace_id == ws] + ([NODES.c.layer == layer] if layer is not None else [])
    rows, last = store.page_by_position(session, NODES, where, limit, after, store.NODE_READ)
    return _with_declarations(rows), last


def update_node(session: Session, ws: str, node: str, values: dict[str, Any]) -> None:
    if values:
        session.execute(update(NODES).where(NODES.c.workspace_id == ws, NODES.c.node_id == node).values(**values))


def delete_node(session: Session, ws: str, node: str) -> None:
    """The node's row, its declarations within, and its edges either way (no foreign key removes
    them: see ``EdgeRow``)."""
    edges = store.EDGES
    session.execute(delete(edges).where(edges.c.workspace_id == ws, edges.c.provider == node))
    session.execute(delete(edges).where(edges.c.workspace_id == ws, edges.c.consumer == node))
    session.execute(delete(NODES).where(NODES.c.workspace_id == ws, NODES.c.node_id == node))
