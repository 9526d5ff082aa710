"""A node's declarations (evidence within) move into one JSON value of its row.

The declarations and evidence tables go: their rows become each node's ``declarations`` list, in
the chain document's form (empty fields left out, dates as ISO text), in their stored order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import json
from collections import defaultdict
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

EVIDENCE_FIELDS = ("kind", "ref", "issued", "expires", "independence", "scope", "url", "notes")


def _plain(value: Any) -> Any:
    """A value as the document holds it: dates as ISO text (SQLite gives text already)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _scope(value: Any) -> Any:
    # A JSON column read through a plain query: text on SQLite, already parsed on PostgreSQL.
    return json.loads(value) if isinstance(value, str) else value


def upgrade() -> None:
    connection = op.get_bind()
    op.add_column("nodes", sa.Column("declarations", sa.JSON(), nullable=False, server_default="[]"))
    # One workspace at a time: a database of several large workspaces is never all in memory.
    for (ws,) in connection.execute(sa.text("SELECT DISTINCT workspace_id FROM declarations")).all():
        _fold_workspace(connection, ws)
    op.drop_table("evidence")
    op.drop_table("declarations")


def _fold_workspace(connection: sa.Connection, ws: str) -> None:
    evidence: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in connection.execute(
        sa.text(
            "SELECT node_id, control, kind, ref, issued, expires, independence, scope, url, notes"
            " FROM evidence WHERE workspace_id = :ws ORDER BY node_id, control, position"
        ),
        {"ws": ws},
    ):
        values = {field: _plain(getattr(row, field)) for field in EVIDENCE_FIELDS}
        values["scope"] = _scope(values["scope"])
        evidence[row.node_id, row.control].append(
            {field: value for field, value in values.items() if value is not None}
        )
    declarations: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in connection.execute(
        sa.text(
            "SELECT node_id, control, status, assigns, notes FROM declarations"
            " WHERE workspace_id = :ws ORDER BY node_id, position"
        ),
        {"ws": ws},
    ):
        item: dict[str, Any] = {"control": row.control, "status": row.status}
        if (row.node_id, row.control) in evidence:
            item["evidence"] = evidence[row.node_id, row.control]
        if row.assigns is not None:
            item["assigns"] = row.assigns
        if row.notes is not None:
            item["notes"] = row.notes
        declarations[row.node_id].append(item)
    connection.execute(
        sa.text("UPDATE nodes SET declarations = :items WHERE workspace_id = :ws AND node_id = :node").bindparams(
            sa.bindparam("items", type_=sa.JSON())
        ),
        [{"ws": ws, "node": node, "items": items} for node, items in declarations.items()],
    )


def downgrade() -> None:
    connection = op.get_bind()
    declarations = op.create_table(
        "declarations",
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("node_id", sa.String(128), nullable=False),
        sa.Column("control", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("assigns", sa.String(16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id", "node_id"],
            ["nodes.workspace_id", "nodes.node_id"],
            name="fk_declarations_workspace_id_node_id_nodes",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "node_id", "control", name="pk_declarations"),
    )
    evidence = op.create_table(
        "evidence",
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("node_id", sa.String(128), nullable=False),
        sa.Column("control", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(500), nullable=False),
        sa.Column("issued", sa.Date(), nullable=True),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("independence", sa.String(16), nullable=True),
        sa.Column("scope", sa.JSON(none_as_null=True), nullable=True),  # no scope: NULL, not JSON null
        sa.ForeignKeyConstraint(
            ["workspace_id", "node_id", "control"],
            ["declarations.workspace_id", "declarations.node_id", "declarations.control"],
            name="fk_evidence_workspace_id_node_id_control_declarations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "node_id", "control", "position", name="pk_evidence"),
    )
    assert declarations is not None and evidence is not None
    nodes = sa.table("nodes", sa.column("workspace_id"), sa.column("node_id"), sa.column("declarations", sa.JSON()))
    declaration_rows: list[dict[str, Any]] = []
    evidence_rows: list[dict[str, Any]] = []
    for ws, node, items in connection.execute(sa.select(nodes.c.workspace_id, nodes.c.node_id, nodes.c.declarations)):
        for position, item in enumerate(items or []):
            declaration_rows.append(
                {
                    "workspace_id": ws,
                    "node_id": node,
                    "control": item["control"],
                    "position": position,
                    "status": item["status"],
                    "assigns": item.get("assigns"),
                    "notes": item.get("notes"),
                }
            )
            for k, proof in enumerate(item.get("evidence", [])):
                row = {field: proof.get(field) for field in EVIDENCE_FIELDS}
                for day in ("issued", "expires"):
                    row[day] = date.fromisoformat(row[day]) if row[day] is not None else None
                evidence_rows.append(
                    {"workspace_id": ws, "node_id": node, "control": item["control"], "position": k, **row}
                )
    if declaration_rows:
        op.bulk_insert(declarations, declaration_rows)
    if evidence_rows:
        op.bulk_insert(evidence, evidence_rows)
    # Not batch mode: on SQLite that copies the nodes table and drops the old one, and dropping it
    # deletes (ON DELETE CASCADE) the declarations just restored and every edge. SQLite drops a
    # column in place since 3.35.
    op.drop_column("nodes", "declarations")
