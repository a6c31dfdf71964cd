"""Audit events: who changed what, when, from which value to which."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import string, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = string(64)
    #: With a supervisor override: the supervisor who approved.
    approved_by: str = string(64, default="")
    entity: str = string(30)
    entity_id: int
    #: The order the change belongs to, so an order's history is one indexed read.
    order_id: int | None = Field(default=None, index=True)
    action: str = string(40)
    #: JSON object {field: [old, new]}.
    changes: str = Field(default="{}", sa_type=Text)
    reason: str = string(400, default="")
