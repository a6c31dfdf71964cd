"""order revisions: one row per change made to an entered order, and its current revision

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch copy of sales_orders would drop its queue-feed triggers (0009)
    op.add_column(
        "sales_orders", sa.Column("revision", sa.Integer(), nullable=False, server_default="0")
    )
    op.create_table(
        "order_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("revision_no", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=400), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("changed_lines", sa.String(length=400), nullable=False),
        sa.Column("reacknowledge", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["sales_orders.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "revision_no"),
    )
    op.create_index("ix_order_revisions_order_id", "order_revisions", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_order_revisions_order_id", table_name="order_revisions")
    op.drop_table("order_revisions")
    op.drop_column("sales_orders", "revision")
