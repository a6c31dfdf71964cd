"""queue change feed: triggers note which orders and customers changed, so a queue refresh
re-reads those items only

Every write to an order, its holds, a backordered line (its quantity or promised date), a queue
item's state, or a customer's name, code, tier or currency moves that order's (customer's,
item's) row of `queue_changes` to a new `seq` (models.queue.QueueChange). On SQLite the row
is deleted and inserted again rather than INSERT OR REPLACE'd: a statement's own conflict clause
(INSERT OR IGNORE ...) would override the trigger's.

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the customer columns a queue item shows
CUSTOMER_SHOWN = ("code", "name", "service_tier", "currency")
#: the order-line columns that make a late backorder
BACKORDER_COLUMNS = ("quantity_backordered", "last_promised_date")

#: (trigger name, table, event, WHEN condition or "", feed kind, feed ref) on SQLite
_SQLITE_TRIGGERS: list[tuple[str, str, str, str, str, str]] = [
    ("qf_orders_ai", "sales_orders", "INSERT", "", "'order'", "NEW.id"),
    ("qf_orders_au", "sales_orders", "UPDATE", "", "'order'", "NEW.id"),
    ("qf_orders_ad", "sales_orders", "DELETE", "", "'order'", "OLD.id"),
    ("qf_holds_ai", "holds", "INSERT", "", "'order'", "NEW.order_id"),
    ("qf_holds_au", "holds", "UPDATE", "", "'order'", "NEW.order_id"),
    ("qf_holds_ad", "holds", "DELETE", "", "'order'", "OLD.order_id"),
    (
        "qf_lines_ai",
        "sales_order_lines",
        "INSERT",
        "NEW.quantity_backordered > 0",
        "'order'",
        "NEW.order_id",
    ),
    (
        "qf_lines_au",
        "sales_order_lines",
        "UPDATE",
        " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in BACKORDER_COLUMNS),
        "'order'",
        "NEW.order_id",
    ),
    (
        "qf_lines_ad",
        "sales_order_lines",
        "DELETE",
        "OLD.quantity_backordered > 0",
        "'order'",
        "OLD.order_id",
    ),
    ("qf_states_ai", "queue_states", "INSERT", "", "NEW.subject", "NEW.subject_id"),
    ("qf_states_au", "queue_states", "UPDATE", "", "NEW.subject", "NEW.subject_id"),
    ("qf_states_ad", "queue_states", "DELETE", "", "OLD.subject", "OLD.subject_id"),
    (
        "qf_customers_au",
        "customers",
        "UPDATE",
        " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CUSTOMER_SHOWN),
        "'customer'",
        "NEW.id",
    ),
]

_PG_FUNCTION = """
CREATE FUNCTION orderdesk_queue_feed() RETURNS trigger AS $$
DECLARE
    r record;
    feed_kind text;
    feed_ref bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_TABLE_NAME = 'sales_orders' THEN
        feed_kind := 'order'; feed_ref := r.id;
    ELSIF TG_TABLE_NAME = 'queue_states' THEN
        feed_kind := r.subject; feed_ref := r.subject_id;
    ELSIF TG_TABLE_NAME = 'customers' THEN
        feed_kind := 'customer'; feed_ref := r.id;
    ELSE
        feed_kind := 'order'; feed_ref := r.order_id;
    END IF;
    INSERT INTO queue_changes (kind, ref_id, txid)
    VALUES (feed_kind, feed_ref, pg_current_xact_id()::text::bigint)
    ON CONFLICT (kind, ref_id) DO UPDATE
        SET seq = nextval(pg_get_serial_sequence('queue_changes', 'seq')), txid = EXCLUDED.txid;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""

#: (trigger name, table, events, WHEN condition or "") on PostgreSQL
_PG_TRIGGERS: list[tuple[str, str, str, str]] = [
    ("qf_orders", "sales_orders", "INSERT OR UPDATE OR DELETE", ""),
    ("qf_holds", "holds", "INSERT OR UPDATE OR DELETE", ""),
    ("qf_lines_ai", "sales_order_lines", "INSERT", "NEW.quantity_backordered > 0"),
    (
        "qf_lines_au",
        "sales_order_lines",
        "UPDATE",
        " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in BACKORDER_COLUMNS),
    ),
    ("qf_lines_ad", "sales_order_lines", "DELETE", "OLD.quantity_backordered > 0"),
    ("qf_states", "queue_states", "INSERT OR UPDATE OR DELETE", ""),
    (
        "qf_customers",
        "customers",
        "UPDATE",
        " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in CUSTOMER_SHOWN),
    ),
]


def upgrade() -> None:
    op.create_table(
        "queue_changes",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("kind", "ref_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_queue_changes_txid", "queue_changes", ["txid"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for name, table, events, when in _PG_TRIGGERS:
            condition = f"WHEN ({when}) " if when else ""
            op.execute(
                f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW {condition}"
                "EXECUTE FUNCTION orderdesk_queue_feed()"
            )
        return
    for name, table, event, when, kind, ref in _SQLITE_TRIGGERS:
        condition = f"WHEN {when} " if when else ""
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {condition}BEGIN "
            f"DELETE FROM queue_changes WHERE kind = {kind} AND ref_id = {ref}; "
            f"INSERT INTO queue_changes (kind, ref_id) VALUES ({kind}, {ref}); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _, _ in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS orderdesk_queue_feed()")
    else:
        for name, *_ in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_queue_changes_txid", table_name="queue_changes")
    op.drop_table("queue_changes")
