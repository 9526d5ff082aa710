"""Rows -> the chain@1 document. ``load_chain`` is the one way a workspace becomes a ``Chain``.

Reads go through SQLAlchemy Core on the tables: a 10k-node workspace is about 150k rows, and ORM
objects for each would cost more than the analysis. Writing rows is in ``rows.py``; the
per-resource reads and writes of the routes are in ``node_rows``, ``edge_rows`` and the like.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from sqlalchemy import Table, delete, func, inspect, select
from sqlmodel import Session, SQLModel

from obligraph.app.models import DeclarationRow, EdgeRow, EvidenceRow, NodeRow, Workspace
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
DECLARATIONS = _table_of(DeclarationRow)
EVIDENCE = _table_of(EvidenceRow)
CHILD_TABLES = (EVIDENCE, DECLARATIONS, EDGES, NODES)  # delete order


# -- reading ------------------------------------------------------------------------------------


def chain_document(session: Session, workspace: Workspace) -> dict[str, Any]:
    """The workspace as an ``obligraph/chain@1`` document, in stored (document) order; declarations and
    edges leave out their empty fields, as a written document does."""
    ws = workspace.id
    declarations = declarations_by_node(session, ws)
    nodes = []
    for row in session.execute(select(NODES).where(NODES.c.workspace_id == ws).order_by(NODES.c.position)):
        node = node_dict(row)
        if row.node_id in declarations:
            node["declarations"] = [_without_empty(declaration) for declaration in declarations[row.node_id]]
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


def declarations_by_node(
    session: Session, ws: str, node_ids: Iterable[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Declarations (with evidence) per node, in stored order; all nodes, or only ``node_ids``."""
    decl_query = select(DECLARATIONS).where(DECLARATIONS.c.workspace_id == ws)
    evidence_query = select(EVIDENCE).where(EVIDENCE.c.workspace_id == ws)
    if node_ids is not None:
        ids = list(node_ids)
        decl_query = decl_query.where(DECLARATIONS.c.node_id.in_(ids))
        evidence_query = evidence_query.where(EVIDENCE.c.node_id.in_(ids))
    evidence: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(evidence_query.order_by(EVIDENCE.c.position)):
        evidence[row.node_id, row.control].append(evidence_dict(row))
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(decl_query.order_by(DECLARATIONS.c.node_id, DECLARATIONS.c.position)):
        result[row.node_id].append(declaration_dict(row, evidence.get((row.node_id, row.control), [])))
    return result


def _without_empty(item: dict[str, Any]) -> dict[str, Any]:
    """The item without its None and empty fields, as a document would write it: ``Chain.from_dict``
    checks an edge of only provider and consumer, or a declaration of only control and status, as a
    column rather than as one model each."""
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


def declaration_dict(row: Any, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "control": row.control,
        "status": row.status,
        "evidence": evidence,
        "assigns": row.assigns,
        "notes": row.notes,
    }


def evidence_dict(row: Any) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "ref": row.ref,
        "issued": row.issued,
        "expires": row.expires,
        "independence": row.independence,
        "scope": row.scope,
        "url": row.url,
        "notes": row.notes,
    }


# -- writing ------------------------------------------------------------------------------------


def delete_chain(session: Session, ws: str) -> None:
    for table in CHILD_TABLES:
        session.execute(delete(table).where(table.c.workspace_id == ws))


def page_by_position(
    session: Session, table: Any, where: list[Any], limit: int, after: int | None
) -> tuple[list[Any], int | None]:
    """Up to ``limit`` rows of ``table`` matching ``where`` in document order after position ``after``,
    and the position the next page starts after (None: this was the last page)."""
    query = select(table).where(*where).order_by(table.c.position).limit(limit + 1)
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
