"""rush: who marked an order (or one of its lines) rush, when and why; a per-line rush flag

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMNs: a batch copy of these tables would drop their queue-feed triggers (0009)
    op.add_column(
        "sales_orders", sa.Column("rushed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    op.add_column(
        "sales_orders",
        sa.Column("rushed_by", sa.String(length=64), nullable=False, server_default=""),
    )
    op.add_column(
        "sales_orders",
        sa.Column("rush_reason", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column(
        "sales_order_lines",
        sa.Column("rush", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("sales_order_lines", "rush")
    op.drop_column("sales_orders", "rush_reason")
    op.drop_column("sales_orders", "rushed_by")
    op.drop_column("sales_orders", "rushed_at")
