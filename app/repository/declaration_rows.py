"""Declarations of one node: a page in document order, one declaration, a write in place, removal.

They are one JSON list in the node's row (evidence within each): a change writes the node's
whole list as the edited chain holds it.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select, update
from sqlmodel import Session

from obligraph.app.repository import store
from obligraph.app.repository.rows import declaration_list
from obligraph.graph.schema import Declaration

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


def store_declarations(session: Session, ws: str, node: str, declarations: Iterable[Declaration]) -> None:
    """Write the node's declarations, in their order: the edited chain's, after ``edit.change``.

    Written whole from the chain rather than read, edited and written back: the edit holds the
    workspace's write lock and its chain is the stored one plus this change, and a write that
    reads no row of the chain is one less reason to touch the node's data twice.
    """
    where = (NODES.c.workspace_id == ws, NODES.c.node_id == node)
    session.execute(update(NODES).where(*where).values(declarations=declaration_list(declarations)))
