"""open-demand index on order lines

ATP reads an item's open (unallocated, unshipped, uncancelled) order lines; for a popular item
that meant reading its whole history. A partial index holds only the open ones.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_sales_order_lines_open_demand ON sales_order_lines (item_id) "
        "WHERE quantity > quantity_allocated + quantity_shipped + quantity_cancelled"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_sales_order_lines_open_demand")
