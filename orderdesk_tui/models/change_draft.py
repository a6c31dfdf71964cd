"""The working copy of a change to an entered order, kept while the coordinator types it.

A change is typed in the entry grid like a new order, and every field is saved as it is left
(a crash or F10 loses nothing), but the order itself changes only when the change is applied
(services.order_change), in one transaction. Until then what was typed lives here, in a table
of its own: never an order, so never demand in ATP, never in the order list, the queue, the
reports or the drafts offered at entry, never sent to the ERP. One per order and coordinator.
`header` and `lines` are JSON (services.change_drafts); `base` is the order as it was when the
change was opened (services.order_diff.OrderSnapshot), which the conflict check compares with.
"""

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import string, utcnow, version_field


class OrderChangeDraft(SQLModel, table=True):
    __tablename__ = "order_change_drafts"
    __table_args__ = (UniqueConstraint("order_id", "actor"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    actor: str = string(64)
    #: The order's version when the change was opened: the guard when it is applied.
    base_version: int
    base: str = Field(default="{}", sa_type=Text)
    header: str = Field(default="{}", sa_type=Text)
    lines: str = Field(default="[]", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()
