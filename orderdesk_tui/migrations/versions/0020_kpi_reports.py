"""kpi reports: a reason code on credit memos, indexes on the two dates a period selects by

Revision ID: 0020
Revises: 0021
Create Date: 2026-12-08

`invoices.reason_code` says why a credit memo was given (wrong_price, wrong_quantity ...:
domain.kpi.quality.ErrorCause), so order accuracy and the perfect order see credit memos.
Reports select orders due in a period (`first_promised_date`) or entered in it (`entered_at`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "invoices",
        sa.Column("reason_code", sa.String(length=20), nullable=False, server_default=""),
    )
    op.create_index("ix_sales_orders_first_promised_date", "sales_orders", ["first_promised_date"])
    op.create_index("ix_sales_orders_entered_at", "sales_orders", ["entered_at"])


def downgrade() -> None:
    op.drop_index("ix_sales_orders_entered_at", table_name="sales_orders")
    op.drop_index("ix_sales_orders_first_promised_date", table_name="sales_orders")
    op.drop_column("invoices", "reason_code")
