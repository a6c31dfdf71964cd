"""Holds (exceptions) on an order: why, who raised it, who released it and when."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import string, utcnow, version_field


class Hold(SQLModel, table=True):
    __tablename__ = "holds"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    kind: str = string(12, index=True)
    reason: str = string(400)
    raised_by: str = string(64)
    raised_at: datetime = Field(default_factory=utcnow)
    released_by: str = string(64, default="")
    released_at: datetime | None = Field(default=None, index=True)
    release_reason: str = string(400, default="")
    version: int = version_field()
