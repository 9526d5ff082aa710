"""Declarations of one node: a page in document order, one declaration.

They are one JSON list in the node's row (evidence within each): a change writes the node's
whole list as the edited chain holds it (``pending_rows.PendingRows.store_declarations``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from obligraph.app.repository import store

NODES = store.NODES


def node_exists(session: Session, ws: str, node: str) -> bool:
    query = select(NODES.c.node_id).where(NODES.c.workspace_id == ws, NODES.c.node_id == node)
    return session.execute(query).first() is not None


def declaration_page(
    session: Session, ws: str, node: str, limit: int, after: int | None
) -> tuple[list[dict[str, Any]], int | None]:
    """Up to ``limit`` declarations of ``node`` after position ``after`` (their place in the node's
    list), and the position to continue from (None: no more)."""
    items = store.node_declarations(session, ws, node) or []
    start = 0 if after is None else after + 1
    page = items[start : start + limit]
    return page, start + limit - 1 if start + limit < len(items) else None


def find_declaration(session: Session, ws: str, node: str, control: str) -> dict[str, Any] | None:
    items = store.node_declarations(session, ws, node) or []
    return next((item for item in items if item["control"] == control), None)
