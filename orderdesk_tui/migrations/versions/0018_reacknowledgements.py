"""re-acknowledgements: the revision a mail or an outbound EDI document is for, and the
addresses a partly refused mail already reached

`mail_outbox.revision_no` tells the sender which revision of the order to render (0: as
submitted); `mail_outbox.accepted` lists the recipients the SMTP server accepted a mail for,
so sending it again to the refused ones never reaches them twice; `edi_documents.revision_no`
marks an 855 change waiting for EDI out (#19).

Plain ADD COLUMNs: a batch copy of mail_outbox would drop its queue-feed triggers (0012).

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "mail_outbox", sa.Column("revision_no", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "mail_outbox",
        sa.Column("accepted", sa.String(length=1000), nullable=False, server_default=""),
    )
    op.add_column(
        "edi_documents",
        sa.Column("revision_no", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("edi_documents", "revision_no")
    op.drop_column("mail_outbox", "accepted")
    op.drop_column("mail_outbox", "revision_no")
