"""rmas: state changed at; rma lines: vendor recovery flag; indexes for returns

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN (SQLite has it): a batch "move and copy" would rewrite the
    # table and reorder its foreign keys
    op.add_column(
        "rma_lines",
        sa.Column("vendor_recovery", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "rmas", sa.Column("state_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    op.execute("UPDATE rmas SET state_changed_at = requested_at")
    op.create_index("ix_rma_lines_order_line_id", "rma_lines", ["order_line_id"], unique=False)
    op.create_index("ix_rmas_requested_at", "rmas", ["requested_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_rmas_requested_at", table_name="rmas")
    op.drop_index("ix_rma_lines_order_line_id", table_name="rma_lines")
    with op.batch_alter_table("rma_lines", schema=None) as batch_op:
        batch_op.drop_column("vendor_recovery")
    with op.batch_alter_table("rmas", schema=None) as batch_op:
        batch_op.drop_column("state_changed_at")
