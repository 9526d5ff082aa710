"""Rows -> the chain@1 document. ``load_chain`` is the one way a workspace becomes a ``Chain``.

Reads go through SQLAlchemy Core on the tables: a 10k-node workspace is about 60k rows (a node's
declarations are one JSON value of its row), and ORM objects for each would cost more than the
analysis. Writing rows is in ``rows.py``; the
per-resource reads and writes of the routes are in ``node_rows``, ``edge_rows`` and the like.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Table, Text, cast, delete, func, inspect, select
from sqlmodel import Session, SQLModel

from obligraph.app.models import EdgeRow, NodeRow, Workspace
from obligraph.graph.chain import Chain
from obligraph.graph.schema import CHAIN_FORMAT


def _table_of(model: type[SQLModel]) -> Table:
    # SQLModel does not declare ``__table__`` to type checkers; the model's mapper holds the same Table.
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a single table")
    return table


NODES = _table_of(NodeRow)
EDGES = _table_of(EdgeRow)
CHILD_TABLES = (EDGES, NODES)  # delete order
NODE_COLUMNS = tuple(column for column in NODES.c if column.name != "declarations")
# The declarations as the stored JSON text, parsed here by orjson: the JSON type would parse it with
# the json module (PostgreSQL's driver too), several times slower on a 100k-node workspace.
DECLARATIONS_TEXT = cast(NODES.c.declarations, Text).label("declarations")
EMPTY_LIST = "[]"
NODE_READ = (*NODE_COLUMNS, DECLARATIONS_TEXT)


# -- reading ------------------------------------------------------------------------------------


def chain_document(session: Session, workspace: Workspace) -> dict[str, Any]:
    """The workspace as an ``obligraph/chain@1`` document, in stored (document) order; declarations and
    edges leave out their empty fields, as a written document does."""
    ws = workspace.id
    nodes = []
    for row in session.execute(select(*NODE_READ).where(NODES.c.workspace_id == ws).order_by(NODES.c.position)):
        node = node_dict(row)
        if row.declarations != EMPTY_LIST:
            node["declarations"] = orjson.loads(row.declarations)
        nodes.append(node)
    edges = [
        _without_empty(edge_dict(row))
        for row in session.execute(select(EDGES).where(EDGES.c.workspace_id == ws).order_by(EDGES.c.position))
    ]
    document: dict[str, Any] = {"format": CHAIN_FORMAT, "name": workspace.name}
    if workspace.description is not None:
        document["description"] = workspace.description
    document["catalog"] = workspace.catalog
    if workspace.requirement is not None:
        document["requirement"] = workspace.requirement
    if workspace.controls is not None:
        document["controls"] = list(workspace.controls)
    document["nodes"] = nodes
    document["edges"] = edges
    return document


def load_chain(session: Session, workspace: Workspace) -> Chain:
    return Chain.from_dict(chain_document(session, workspace), source=f"workspace '{workspace.id}'", consume=True)


def node_declarations(session: Session, ws: str, node_id: str) -> list[dict[str, Any]] | None:
    """The node's declarations in stored order, as the chain document lists them (None: no such node)."""
    query = select(DECLARATIONS_TEXT).where(NODES.c.workspace_id == ws, NODES.c.node_id == node_id)
    text = session.execute(query).scalar()
    return None if text is None else declarations_of(text)


def declarations_of(text: str | bytes) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = orjson.loads(text)
    return items


def _without_empty(item: dict[str, Any]) -> dict[str, Any]:
    """The item without its None and empty fields, as a document would write it: ``Chain.from_dict``
    checks an edge of only provider and consumer as a column rather than as one model each."""
    return {key: value for key, value in item.items() if value is not None and value != [] and value != {}}


def node_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.node_id,
        "name": row.name,
        "layer": row.layer,
        "org": row.org,
        "description": row.description,
    }


def edge_dict(row: Any) -> dict[str, Any]:
    return {
        "provider": row.provider,
        "consumer": row.consumer,
        "responsibility": dict(row.responsibility or {}),
        "criticality": row.criticality,
        "notes": row.notes,
    }


# -- writing ------------------------------------------------------------------------------------


def delete_chain(session: Session, ws: str) -> None:
    for table in CHILD_TABLES:
        session.execute(delete(table).where(table.c.workspace_id == ws))


def page_by_position(
    session: Session, table: Any, where: list[Any], limit: int, after: int | None, columns: tuple = ()
) -> tuple[list[Any], int | None]:
    """Up to ``limit`` rows of ``table`` (its ``columns``, default all) matching ``where`` in document
    order after position ``after``, and the position the next page starts after (None: the last page)."""
    query = select(*(columns or (table,))).where(*where).order_by(table.c.position).limit(limit + 1)
    if after is not None:
        query = query.where(table.c.position > after)
    rows = list(session.execute(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].position if more else None


def next_position(session: Session, table: Any, ws: str, **where: str) -> int:
    query = select(func.max(table.c.position)).where(table.c.workspace_id == ws)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    current = session.execute(query).scalar()
    return 0 if current is None else current + 1
