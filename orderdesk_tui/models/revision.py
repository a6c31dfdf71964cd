"""Revisions of an entered order: one row per change a person (or an EDI 860) made after submit.

The audit trail keeps the field-level events; a revision groups them into what the customer
and the coordinator talk about: "line 3 qty 10 → 25; requested 12-10 → 12-17", who, when, why.
`sales_orders.revision` is the order's current revision number (0: as submitted).
"""

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import string, utcnow


class OrderRevision(SQLModel, table=True):
    __tablename__ = "order_revisions"
    __table_args__ = (UniqueConstraint("order_id", "revision_no"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    #: 1, 2, ... per order
    revision_no: int
    created_at: datetime = Field(default_factory=utcnow)
    actor: str = string(64)
    approved_by: str = string(64, default="")
    reason: str = string(400, default="")
    #: keyboard (a coordinator's change), edi_860 (a customer change request applied), rush,
    #: cancel_remaining, split, ...
    source: str = string(20, default="keyboard")
    #: The readable diff, one change per line: "line 3 qty 10 → 25".
    summary: str = Field(default="", sa_type=Text)
    #: The same as JSON: [{"line_no": 3 | null, "field": "quantity", "old": "10", "new": "25"}].
    diff: str = Field(default="[]", sa_type=Text)
    #: Comma-separated line numbers the change touched ("" for a header-only change).
    changed_lines: str = string(400, default="")
    #: True when price, quantity, a date or the ship-to changed: the customer gets a new
    #: acknowledgement marked with this revision.
    reacknowledge: bool = False
