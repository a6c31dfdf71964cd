"""order, RMA, request, shipment and purchase numbers from PostgreSQL sequences (no row lock)

Each starts where its `number_sequences` row had got to. Invoices and credit memos keep the
row (gapless); see services/numbering.py. Nothing on SQLite.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: as services.numbering.SEQUENCED (a migration does not import the code it migrates for)
SEQUENCED = ("order", "rma", "rma_req", "shipment", "purchase")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in SEQUENCED:
        op.execute(f"CREATE SEQUENCE number_{name}_seq")
        op.execute(
            f"SELECT setval('number_{name}_seq', coalesce((SELECT next_value FROM "
            f"number_sequences WHERE name = '{name}'), 1), false)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in SEQUENCED:
        # the row goes on from where the sequence had got to
        op.execute(
            f"UPDATE number_sequences SET next_value = GREATEST(next_value, (SELECT "
            f"CASE WHEN is_called THEN last_value + 1 ELSE last_value END "
            f"FROM number_{name}_seq)) WHERE name = '{name}'"
        )
        op.execute(f"DROP SEQUENCE number_{name}_seq")
