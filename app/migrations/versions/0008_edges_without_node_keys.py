"""Edges lose their foreign keys to their two nodes and get one to their workspace.

Every edge is written from a chain that has checked both of its ends, so the two lookups per row
bought nothing but time: a quarter of a 100k-node import on SQLite, half of the edges' COPY on
PostgreSQL. Deleting a node now deletes its edges itself; deleting a workspace still cascades.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NODE_KEYS = {
    "fk_edges_workspace_id_provider_nodes": "provider",
    "fk_edges_workspace_id_consumer_nodes": "consumer",
}
WORKSPACE_KEY = "fk_edges_workspace_id_workspaces"


def upgrade() -> None:
    # Batch mode on SQLite copies the edges table; no table refers to edges, so dropping the old
    # copy deletes nothing else.
    with op.batch_alter_table("edges") as batch:
        for name in NODE_KEYS:
            batch.drop_constraint(name, type_="foreignkey")
        batch.create_foreign_key(WORKSPACE_KEY, "workspaces", ["workspace_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    # Edges whose node is gone would refuse the restored keys; with the chain's checks there are none.
    with op.batch_alter_table("edges") as batch:
        batch.drop_constraint(WORKSPACE_KEY, type_="foreignkey")
        for name, end in NODE_KEYS.items():
            batch.create_foreign_key(
                name, "nodes", ["workspace_id", end], ["workspace_id", "node_id"], ondelete="CASCADE"
            )
