"""mail outbox: acknowledgements and order-status mails waiting for the SMTP server

Each mail is written in the same transaction as what causes it (the submit that acknowledges an
order) and sent by the mail sender (services.mail_sender). Writes to it feed the queue's change
feed (0009) under the order's row: an order's ack SLA runs until its acknowledgement mail is
accepted, and a refused mail shows on the order's queue item.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: what a queue item shows of a mail: its state and why it is not sent
_SHOWN = ("state", "last_error")
_SQLITE_TRIGGERS = (
    ("qf_mail_ai", "INSERT", "", "NEW"),
    ("qf_mail_au", "UPDATE", " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _SHOWN), "NEW"),
    ("qf_mail_ad", "DELETE", "", "OLD"),
)


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("recipients", sa.String(length=1000), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachment_name", sa.String(length=120), nullable=False),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["sales_orders.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_mail_outbox_order_id", "mail_outbox", ["order_id"], unique=False)
    op.create_index(
        "ix_mail_outbox_state_next", "mail_outbox", ["state", "next_attempt_at"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        when = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _SHOWN)
        for name, events, condition in (
            ("qf_mail", "INSERT OR DELETE", ""),
            ("qf_mail_au", "UPDATE", f"WHEN ({when}) "),
        ):
            op.execute(
                f"CREATE TRIGGER {name} AFTER {events} ON mail_outbox FOR EACH ROW {condition}"
                "EXECUTE FUNCTION orderdesk_queue_feed()"
            )
        return
    for name, event, when, row in _SQLITE_TRIGGERS:
        condition = f"WHEN {when} " if when else ""
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON mail_outbox FOR EACH ROW {condition}BEGIN "
            f"DELETE FROM queue_changes WHERE kind = 'order' AND ref_id = {row}.order_id; "
            f"INSERT INTO queue_changes (kind, ref_id) VALUES ('order', {row}.order_id); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("qf_mail", "qf_mail_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON mail_outbox")
    else:
        for name, *_ in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_mail_outbox_state_next", table_name="mail_outbox")
    op.drop_index("ix_mail_outbox_order_id", table_name="mail_outbox")
    op.drop_table("mail_outbox")
