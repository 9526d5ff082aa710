"""Evidence independence and scope (which controls an item covers).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows keep NULL in both: third-party evidence covering every control, which is how
    # they were read before the columns existed.
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("independence", sa.String(16), nullable=True))
        batch.add_column(sa.Column("scope", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("scope")
        batch.drop_column("independence")
