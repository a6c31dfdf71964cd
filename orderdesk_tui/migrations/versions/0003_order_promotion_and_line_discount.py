"""order promotion code and line discount amount

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import orderdesk_tui.models.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sales_order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "discount_amount",
                orderdesk_tui.models.types.ScaledDecimal(4),
                nullable=False,
                server_default="0",
            )
        )
    with op.batch_alter_table("sales_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("promotion_code", sa.String(length=20), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("sales_orders", schema=None) as batch_op:
        batch_op.drop_column("promotion_code")
    with op.batch_alter_table("sales_order_lines", schema=None) as batch_op:
        batch_op.drop_column("discount_amount")
