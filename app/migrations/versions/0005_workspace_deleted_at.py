"""Deleted workspaces kept for undo: workspaces.deleted_at.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("workspaces", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM workspaces WHERE deleted_at IS NOT NULL")
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy would drop the table, and
    # with foreign keys on, that would cascade to everything the workspaces hold.
    op.drop_column("workspaces", "deleted_at")
