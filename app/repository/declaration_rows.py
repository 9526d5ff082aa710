"""Declaration rows of one node: a page in document order, one declaration, a write in place, removal.

The evidence rows of a declaration go with it (ON DELETE CASCADE); ``rows.insert_declaration`` writes both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from obligraph.app.repository import store
from obligraph.app.repository.rows import insert_declaration
from obligraph.graph.schema import Declaration

DECLARATIONS = store.DECLARATIONS
NODES = store.NODES


def _where(ws: str, node: str, control: str) -> tuple:
    return (DECLARATIONS.c.workspace_id == ws, DECLARATIONS.c.node_id == node, DECLARATIONS.c.control == control)


def node_exists(session: Session, ws: str, node: str) -> bool:
    query = select(NODES.c.node_id).where(NODES.c.workspace_id == ws, NODES.c.node_id == node)
    return session.execute(query).first() is not None


def declaration_page(
    session: Session, ws: str, node: str, limit: int, after: int | None
) -> tuple[list[dict[str, Any]], int | None]:
    """Up to ``limit`` declarations of ``node`` after position ``after``, and the position to continue from."""
    where = [DECLARATIONS.c.workspace_id == ws, DECLARATIONS.c.node_id == node]
    rows, last = store.page_by_position(session, DECLARATIONS, where, limit, after)
    by_control = {item["control"]: item for item in store.declarations_by_node(session, ws, [node]).get(node, [])}
    return [by_control[row.control] for row in rows], last


def find_declaration(session: Session, ws: str, node: str, control: str) -> dict[str, Any] | None:
    declarations = store.declarations_by_node(session, ws, [node]).get(node, [])
    return next((item for item in declarations if item["control"] == control), None)


def write_declaration(session: Session, ws: str, node: str, declaration: Declaration) -> None:
    """Write the declaration over any stored one for its control, keeping that one's place."""
    where = _where(ws, node, declaration.control)
    position = session.execute(select(DECLARATIONS.c.position).where(*where)).scalar()
    if position is None:
        position = store.next_position(session, DECLARATIONS, ws, node_id=node)
    else:
        session.execute(delete(DECLARATIONS).where(*where))
    insert_declaration(session, ws, node, declaration, position)


def delete_declaration(session: Session, ws: str, node: str, control: str) -> None:
    session.execute(delete(DECLARATIONS).where(*_where(ws, node, control)))
