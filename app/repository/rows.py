"""Writing a chain's rows: tuples straight from the chain@1 models, bulk-inserted by the driver.

An import of a 10k-node chain writes some 60k rows; SQLAlchemy's per-row parameter handling
would cost more than the insert itself, so bulk writes bypass it: ``executemany`` on SQLite,
``COPY`` on PostgreSQL, inside the session's transaction. JSON goes in as text (orjson's), which
both databases read back into the column types the models declare.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, Iterable, Mapping, cast

import orjson
from sqlmodel import Session

from obligraph.graph.chain import Chain, declaration_document
from obligraph.graph.schema import Declaration, Edge

if TYPE_CHECKING:
    import psycopg

#: SQLite page cache for a bulk insert (KiB): with the default 2 MB, inserting a 100k-node chain spilled
#: its indexes to disk page by page (16 MB: 19.6 s); 64 MB inserts it as fast as 256 MB did (14.8 s
#: against 15.7 s) and the server holds 110 MB less while it inserts. Back to its size afterwards.
BULK_CACHE_KIB = 64 * 1024

NODE_COLUMNS = ("workspace_id", "node_id", "position", "name", "layer", "org", "description", "declarations")
EDGE_COLUMNS = ("workspace_id", "provider", "consumer", "position", "responsibility", "criticality", "notes")


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def declaration_list(declarations: Iterable[Declaration]) -> list[dict[str, Any]]:
    """A node's declarations as its row stores them: chain document form, in order."""
    return [declaration_document(declaration) for declaration in declarations]


def _edge_row(
    ws: str, provider: str, consumer: str, position: int, responsibility: Mapping, criticality, notes
) -> tuple:
    overrides = (
        orjson.dumps({control: _value(r) for control, r in responsibility.items()}).decode() if responsibility else "{}"
    )
    level = criticality.value if criticality is not None else None
    return (ws, provider, consumer, position, overrides, level, notes)


def insert_chain(session: Session, ws: str, chain: Chain) -> None:
    """Store every node and edge of ``chain`` in its order (the workspace must hold none).

    Each table's rows are made as the driver takes them, nodes before the edges that refer to them,
    so a 100k-node chain's 600k rows are never all held as tuples at once.
    """
    bulk_insert(
        session,
        "nodes",
        NODE_COLUMNS,
        (
            (
                ws,
                document["id"],
                i,
                document.get("name"),
                document["layer"],
                document.get("org"),
                document.get("description"),
                # orjson over each node's document list: faster than caching the JSON of declarations
                # that nodes share (measured: 0.44 s against 0.6-3.0 s at 100k nodes).
                orjson.dumps(document["declarations"]).decode() if "declarations" in document else "[]",
            )
            for i, document in enumerate(chain.node_documents())
        ),
    )
    bulk_insert(
        session,
        "edges",
        EDGE_COLUMNS,
        (
            _edge_row(ws, u, v, i, edge["responsibility"], edge["criticality"], edge["notes"])
            for i, ((u, v), edge) in enumerate(chain.edge_attributes().items())
        ),
    )


def edge_values(edge: Edge) -> dict[str, Any]:
    """An edge's columns as SQLAlchemy values, for UPDATE."""
    return {
        "responsibility": {control: _value(r) for control, r in edge.responsibility.items()},
        "criticality": _value(edge.criticality),
        "notes": edge.notes,
    }


def bulk_insert(session: Session, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    connection = session.connection()
    # SQLAlchemy types the driver's own connection as Any: psycopg's on PostgreSQL, sqlite3's on SQLite.
    driver = connection.connection.driver_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        postgres = cast("psycopg.Connection[Any]", driver)
        with postgres.cursor() as pg_cursor, pg_cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor = cast(sqlite3.Connection, driver).cursor()
    try:
        (cache_pages,) = cursor.execute("PRAGMA cache_size").fetchone()
        cursor.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
    finally:
        cursor.execute(f"PRAGMA cache_size={cache_pages}")
        cursor.close()
