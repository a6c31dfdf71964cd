"""The communication log: notes on a customer, an order or an RMA."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import NoteChannel, string, utcnow


class Note(SQLModel, table=True):
    __tablename__ = "notes"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="sales_orders.id", index=True)
    rma_id: int | None = Field(default=None, foreign_key="rmas.id")
    channel: str = string(10, default=NoteChannel.INTERNAL)
    body: str = Field(sa_type=Text)
    author: str = string(64)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    #: "promised to call back at": shows in the queue when due.
    callback_at: datetime | None = Field(default=None, index=True)
    callback_done: bool = False
