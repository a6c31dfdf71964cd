"""queue triage: per-item queue state, an index of backordered lines, and change notices for
live terminals on PostgreSQL

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables whose changes the queue and the wallboard show; on PostgreSQL each statement that
#: writes one sends a NOTIFY (services.live listens), so every terminal refreshes at once.
WATCHED = (
    "sales_orders",
    "sales_order_lines",
    "holds",
    "notes",
    "rmas",
    "queue_states",
    "audit_events",
)
CHANNEL = "orderdesk_changes"


def upgrade() -> None:
    op.create_table(
        "queue_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=False),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("snoozed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("snoozed_by", sa.String(length=64), nullable=False),
        sa.Column("escalated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("escalated_by", sa.String(length=64), nullable=False),
        sa.Column("escalation_reason", sa.String(length=400), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject", "subject_id"),
    )
    op.execute(
        "CREATE INDEX ix_sales_order_lines_backordered ON sales_order_lines (order_id) "
        "WHERE quantity_backordered > 0"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION orderdesk_notify_change() RETURNS trigger AS $$
            BEGIN
                PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in WATCHED:
            op.execute(
                f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION orderdesk_notify_change()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
        op.execute("DROP FUNCTION IF EXISTS orderdesk_notify_change()")
    op.execute("DROP INDEX IF EXISTS ix_sales_order_lines_backordered")
    op.drop_table("queue_states")
