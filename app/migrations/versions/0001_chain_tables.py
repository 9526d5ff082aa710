"""The chain: workspaces, nodes, edges, declarations, evidence.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("catalog", sa.String(500), nullable=False),
        sa.Column("requirement", sa.String(32), nullable=True),
        sa.Column("controls", sa.JSON(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspaces"),
        sa.UniqueConstraint("uid", name="uq_workspaces_uid"),
    )
    op.create_table(
        "nodes",
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("node_id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(500), nullable=True),
        sa.Column("layer", sa.String(16), nullable=False),
        sa.Column("org", sa.String(500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name="fk_nodes_workspace_id_workspaces", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("workspace_id", "node_id", name="pk_nodes"),
    )
    op.create_index("ix_nodes_position", "nodes", ["workspace_id", "position"])
    op.create_table(
        "edges",
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(128), nullable=False),
        sa.Column("consumer", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("responsibility", sa.JSON(), nullable=False),
        sa.Column("criticality", sa.String(16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id", "provider"],
            ["nodes.workspace_id", "nodes.node_id"],
            name="fk_edges_workspace_id_provider_nodes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "consumer"],
            ["nodes.workspace_id", "nodes.node_id"],
            name="fk_edges_workspace_id_consumer_nodes",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "provider", "consumer", name="pk_edges"),
    )
    op.create_index("ix_edges_position", "edges", ["workspace_id", "position"])
    op.create_index("ix_edges_consumer", "edges", ["workspace_id", "consumer"])
    op.create_table(
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
    op.create_table(
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
        sa.ForeignKeyConstraint(
            ["workspace_id", "node_id", "control"],
            ["declarations.workspace_id", "declarations.node_id", "declarations.control"],
            name="fk_evidence_workspace_id_node_id_control_declarations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "node_id", "control", "position", name="pk_evidence"),
    )


def downgrade() -> None:
    for table in ("evidence", "declarations", "edges", "nodes", "workspaces"):
        op.drop_table(table)
