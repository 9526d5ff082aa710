"""Writing a chain's rows: tuples straight from the chain@1 models, bulk-inserted by the driver.

An import of a 10k-node chain writes some 150k rows; SQLAlchemy's per-row parameter handling
would cost more than the insert itself, so bulk writes bypass it: ``executemany`` on SQLite,
``COPY`` on PostgreSQL, inside the session's transaction. Dates go in as ISO text and JSON as
text, which both databases read back into the column types the models declare.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, cast

from sqlmodel import Session

from obligraph.graph.chain import Chain
from obligraph.graph.schema import Declaration, Edge, Node

if TYPE_CHECKING:
    import psycopg

#: SQLite page cache for a bulk insert (KiB): with the default 2 MB, inserting a 100k-node chain spilled
#: its indexes to disk page by page (16 MB: 19.6 s); 64 MB inserts it as fast as 256 MB did (14.8 s
#: against 15.7 s) and the server holds 110 MB less while it inserts. Back to its size afterwards.
BULK_CACHE_KIB = 64 * 1024

NODE_COLUMNS = ("workspace_id", "node_id", "position", "name", "layer", "org", "description")
EDGE_COLUMNS = ("workspace_id", "provider", "consumer", "position", "responsibility", "criticality", "notes")
DECLARATION_COLUMNS = ("workspace_id", "node_id", "control", "position", "status", "assigns", "notes")
EVIDENCE_COLUMNS = (
    "workspace_id", "node_id", "control", "position", "kind", "ref", "issued", "expires", "independence", "scope",
    "url", "notes",
)  # fmt: skip


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class Rows:
    """Rows collected for one bulk write, table by table; ``insert_chain`` streams the same rows instead."""

    def __init__(self, ws: str):
        self.ws = ws
        self.nodes: list[tuple] = []
        self.edges: list[tuple] = []
        self.declarations: list[tuple] = []
        self.evidence: list[tuple] = []
        # id(declaration) -> (declaration, control, status, assigns, notes): a large chain shares one
        # Declaration among many nodes, so its columns are worked out once (the object is kept, so
        # its id cannot be reused while this holds it).
        self._columns: dict[int, tuple[Declaration, str, str, str | None, str | None]] = {}

    def node(self, node_id: str, position: int, name, layer, org, description, declarations: Iterable[Declaration]):
        self.nodes.append(self.node_row(node_id, position, name, layer, org, description))
        for j, declaration in enumerate(declarations):
            self.declaration(node_id, declaration, j)

    def declaration(self, node_id: str, declaration: Declaration, position: int) -> None:
        self.declarations.append(self.declaration_row(node_id, declaration, position))
        self.evidence.extend(self.evidence_rows(node_id, declaration))

    def edge(self, provider: str, consumer: str, position: int, responsibility: Mapping, criticality, notes) -> None:
        self.edges.append(self.edge_row(provider, consumer, position, responsibility, criticality, notes))

    def node_row(self, node_id: str, position: int, name, layer, org, description) -> tuple:
        return (self.ws, node_id, position, name, _value(layer), org, description)

    def declaration_row(self, node_id: str, declaration: Declaration, position: int) -> tuple:
        columns = self._columns.get(id(declaration))
        if columns is None:
            assigns = declaration.assigns.value if declaration.assigns is not None else None
            columns = (declaration, declaration.control, declaration.status.value, assigns, declaration.notes)
            self._columns[id(declaration)] = columns
        _, control, status, assigns, notes = columns
        return (self.ws, node_id, control, position, status, assigns, notes)

    def evidence_rows(self, node_id: str, declaration: Declaration) -> Iterator[tuple]:
        for k, item in enumerate(declaration.evidence):
            yield (
                self.ws,
                node_id,
                declaration.control,
                k,
                _value(item.kind),
                item.ref,
                _day(item.issued),
                _day(item.expires),
                _value(item.independence),
                # The bulk insert bypasses SQLAlchemy's JSON type: the column gets the JSON text.
                json.dumps(item.scope) if item.scope is not None else None,
                item.url,
                item.notes,
            )

    def edge_row(
        self, provider: str, consumer: str, position: int, responsibility: Mapping, criticality, notes
    ) -> tuple:
        overrides = (
            json.dumps({control: _value(r) for control, r in responsibility.items()}) if responsibility else "{}"
        )
        level = criticality.value if criticality is not None else None
        return (self.ws, provider, consumer, position, overrides, level, notes)

    def write(self, session: Session) -> None:
        for table, columns, rows in (
            ("nodes", NODE_COLUMNS, self.nodes),
            ("declarations", DECLARATION_COLUMNS, self.declarations),
            ("evidence", EVIDENCE_COLUMNS, self.evidence),
            ("edges", EDGE_COLUMNS, self.edges),
        ):
            if rows:
                _bulk_insert(session, table, columns, rows)


def insert_chain(session: Session, ws: str, chain: Chain) -> None:
    """Store every node and edge of ``chain`` in its order (the workspace must hold none).

    Each table's rows are made as the driver takes them, one table after the other (a row refers
    only to tables written before it), so a 100k-node chain's 1.4 million rows are never all held
    as tuples at once.
    """
    rows = Rows(ws)
    nodes = chain.node_attributes()
    _bulk_insert(
        session,
        "nodes",
        NODE_COLUMNS,
        (
            rows.node_row(node_id, i, attrs["name"], attrs["layer"], attrs["org"], attrs["description"])
            for i, (node_id, attrs) in enumerate(nodes.items())
        ),
    )
    _bulk_insert(
        session,
        "declarations",
        DECLARATION_COLUMNS,
        (
            rows.declaration_row(node_id, declaration, j)
            for node_id, attrs in nodes.items()
            for j, declaration in enumerate(attrs["declarations"].values())
        ),
    )
    _bulk_insert(
        session,
        "evidence",
        EVIDENCE_COLUMNS,
        itertools.chain.from_iterable(
            rows.evidence_rows(node_id, declaration)
            for node_id, attrs in nodes.items()
            for declaration in attrs["declarations"].values()
            if declaration.evidence
        ),
    )
    _bulk_insert(
        session,
        "edges",
        EDGE_COLUMNS,
        (
            rows.edge_row(u, v, i, edge["responsibility"], edge["criticality"], edge["notes"])
            for i, ((u, v), edge) in enumerate(chain.edge_attributes().items())
        ),
    )


def insert_node(session: Session, ws: str, node: Node, position: int) -> None:
    rows = Rows(ws)
    rows.node(node.id, position, node.name, node.layer, node.org, node.description, node.declarations)
    rows.write(session)


def insert_edge(session: Session, ws: str, edge: Edge, position: int) -> None:
    rows = Rows(ws)
    rows.edge(edge.provider, edge.consumer, position, edge.responsibility, edge.criticality, edge.notes)
    rows.write(session)


def insert_declaration(session: Session, ws: str, node_id: str, declaration: Declaration, position: int) -> None:
    rows = Rows(ws)
    rows.declaration(node_id, declaration, position)
    rows.write(session)


def edge_values(edge: Edge) -> dict[str, Any]:
    """An edge's columns as SQLAlchemy values, for UPDATE."""
    return {
        "responsibility": {control: _value(r) for control, r in edge.responsibility.items()},
        "criticality": _value(edge.criticality),
        "notes": edge.notes,
    }


def _bulk_insert(session: Session, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
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
