"""edi_documents.decision: what the desk decided on a customer's change request (860)

Which proposed changes were accepted and which declined, or why the whole request was rejected,
by whom and when, as JSON; the 865 (purchase order change acknowledgement) to the buyer is
written from it (issue 19).

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "edi_documents",
        sa.Column("decision", sa.Text(), nullable=False, server_default=""),
    )


def downgrade() -> None:
    with op.batch_alter_table("edi_documents") as batch:
        batch.drop_column("decision")
