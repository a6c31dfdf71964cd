"""EDI documents in and out (850 in; 855/856/810/997 out), kept whole for the audit trail."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import string, utcnow


class EDIDocument(SQLModel, table=True):
    __tablename__ = "edi_documents"

    id: int | None = Field(default=None, primary_key=True)
    #: in or out
    direction: str = string(3)
    transaction_set: str = string(3, index=True)
    interchange_control: str = string(9, default="")
    group_control: str = string(9, default="")
    transaction_control: str = string(9, default="")
    partner_id: str = string(15, default="", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customers.id")
    order_id: int | None = Field(default=None, foreign_key="sales_orders.id", index=True)
    #: received, parsed, error, sent, acknowledged; pending: an outbound document recorded
    #: for EDI out to build and send (#19), e.g. the 855 change of a revised order
    state: str = string(12, default="received")
    #: The order revision an outbound 855 change is for (0: not a change).
    revision_no: int = 0
    error: str = Field(default="", sa_type=Text)
    raw: str = Field(default="", sa_type=Text)
    #: A change request's outcome as JSON (services.edi_change.Decision): the changes accepted
    #: and declined, or why it was rejected; the 865 to the buyer is written from it.
    decision: str = Field(default="", sa_type=Text)
    file_name: str = string(255, default="")
    received_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = None
