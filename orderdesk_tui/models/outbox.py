"""The sync outbox: ERP work written in the same transaction as the change it carries."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import string, utcnow


class SyncOutbox(SQLModel, table=True):
    __tablename__ = "sync_outbox"
    __table_args__ = (Index("ix_sync_outbox_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    entity: str = string(30)
    entity_id: int
    #: push_order, push_change, push_cancel, push_customer, ...
    operation: str = string(30)
    payload: str = Field(default="{}", sa_type=Text)
    idempotency_key: str = string(80, unique=True)
    #: pending, done, failed (permanent; an order gets an ERP hold, a customer does not)
    state: str = string(10, default="pending")
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = string(1000, default="")
    erp_ref: str = string(40, default="")
    done_at: datetime | None = None
