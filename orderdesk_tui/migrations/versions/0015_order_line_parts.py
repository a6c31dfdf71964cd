"""order line parts: where and when each piece of a line is fulfilled (split shipments)

Revision ID: 0015
Revises: 0017
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import orderdesk_tui.models.types

revision: str = "0015"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch copy of sales_order_lines would drop its queue-feed triggers
    op.add_column(
        "sales_order_lines",
        sa.Column("split_warehouses", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "order_line_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("part_no", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=True),
        sa.Column("quantity", orderdesk_tui.models.types.ScaledDecimal(3), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["sales_orders.id"]),
        sa.ForeignKeyConstraint(["line_id"], ["sales_order_lines.id"]),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouses.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("line_id", "part_no"),
    )
    op.create_index("ix_order_line_parts_order_id", "order_line_parts", ["order_id"])
    op.create_index("ix_order_line_parts_line_id", "order_line_parts", ["line_id"])


def downgrade() -> None:
    op.drop_index("ix_order_line_parts_line_id", table_name="order_line_parts")
    op.drop_index("ix_order_line_parts_order_id", table_name="order_line_parts")
    op.drop_table("order_line_parts")
    op.drop_column("sales_order_lines", "split_warehouses")
