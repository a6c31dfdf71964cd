"""purchasing: non-stock items, drop-ship ship-to, vendor acknowledgement, cancelled PO lines,
ERP reference of a pushed PO, and the order line -> PO line lookup index

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import orderdesk_tui.models.types

revision: str = "0017"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "items", sa.Column("stocked", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    if op.get_bind().dialect.name == "sqlite":
        # a plain ADD COLUMN … REFERENCES: a batch copy would re-create the table with its
        # foreign keys in reflection order, so two stores' schemas would differ in text
        op.execute(
            "ALTER TABLE purchase_orders ADD COLUMN ship_to_id INTEGER REFERENCES addresses (id)"
        )
    else:
        op.add_column("purchase_orders", sa.Column("ship_to_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_purchase_orders_ship_to_id_addresses",
            "purchase_orders",
            "addresses",
            ["ship_to_id"],
            ["id"],
        )
    for column in (
        sa.Column("vendor_reference", sa.String(length=40), nullable=False, server_default=""),
        sa.Column("confirmed_date", sa.Date(), nullable=True),
        sa.Column("erp_id", sa.String(length=40), nullable=False, server_default=""),
        sa.Column("erp_number", sa.String(length=40), nullable=False, server_default=""),
    ):
        op.add_column("purchase_orders", column)
    for column in (
        sa.Column("confirmed_date", sa.Date(), nullable=True),
        sa.Column(
            "quantity_cancelled",
            orderdesk_tui.models.types.ScaledDecimal(3),
            nullable=False,
            server_default="0",
        ),
        sa.Column("cancel_reason", sa.String(length=200), nullable=False, server_default=""),
    ):
        op.add_column("purchase_order_lines", column)
    op.create_index(
        "ix_purchase_order_lines_sales_order_line_id",
        "purchase_order_lines",
        ["sales_order_line_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_purchase_order_lines_sales_order_line_id", "purchase_order_lines")
    for name in ("cancel_reason", "quantity_cancelled", "confirmed_date"):
        op.drop_column("purchase_order_lines", name)
    for name in ("erp_number", "erp_id", "confirmed_date", "vendor_reference"):
        op.drop_column("purchase_orders", name)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("purchase_orders") as batch:
            batch.drop_column("ship_to_id")
    else:
        op.drop_constraint(
            "fk_purchase_orders_ship_to_id_addresses", "purchase_orders", type_="foreignkey"
        )
        op.drop_column("purchase_orders", "ship_to_id")
    op.drop_column("items", "stocked")
