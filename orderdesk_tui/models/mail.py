"""The mail outbox: acknowledgements and order-status mails, written in the same transaction as
what causes them and sent by `services.mail_sender` off the UI thread."""

from datetime import datetime

from sqlalchemy import Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import string, utcnow


class MailOutbox(SQLModel, table=True):
    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    #: ack (the order acknowledgement, PDF attached), reack (a revised order's acknowledgement)
    #: or status (backorder moved, shipped...)
    kind: str = string(10)
    #: The order revision an acknowledgement renders (0: as submitted).
    revision_no: int = 0
    #: Fixed when queued and sent with every attempt: a resend after a lost answer carries
    #: the same Message-ID, so the customer's mail client shows the mail once.
    message_id: str = string(200, unique=True)
    #: Comma-separated addresses, read from the customer's contacts when queued (and again when
    #: a coordinator sends a failed mail again).
    recipients: str = string(1000)
    subject: str = string(200)
    #: The plain-text body; an acknowledgement's is rendered at its first attempt and kept, so
    #: every attempt sends the same text and PDF.
    body: str = Field(default="", sa_type=Text)
    attachment_name: str = string(120, default="")
    attachment: bytes | None = Field(default=None, sa_type=LargeBinary)
    #: queued, sending (claimed by a sender until `next_attempt_at`), sent, failed (for good:
    #: refused by the server, or deferred `max_attempts` times; a person sends it again)
    state: str = string(10, default="queued")
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = string(1000, default="")
    #: Comma-separated recipients the server has accepted the mail for: a mail it refused for
    #: some of its recipients goes again to the others only.
    accepted: str = string(1000, default="")
    sent_at: datetime | None = None
