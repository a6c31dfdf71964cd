"""Returns (RMA) and warranty claims with their lines."""

from datetime import datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import money_col, qty_col, string, utcnow, version_field


class RMA(SQLModel, table=True):
    __tablename__ = "rmas"

    id: int | None = Field(default=None, primary_key=True)
    #: A request number (RQ…) until authorised, then the RMA number (RMA…).
    number: str = string(20, unique=True, index=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="sales_orders.id")
    invoice_id: int | None = Field(default=None, foreign_key="invoices.id")
    credit_memo_id: int | None = Field(default=None, foreign_key="invoices.id")
    #: return or warranty
    kind: str = string(10, default="return")
    #: requested, authorised, received, inspected, dispositioned, credited, replaced,
    #: closed, rejected
    state: str = string(14, default="requested", index=True)
    reason_code: str = string(20, default="")
    requested_at: datetime = Field(default_factory=utcnow, index=True)
    #: When the RMA entered its current state (the queue's SLA clock for the step it waits on).
    state_changed_at: datetime | None = None
    authorised_at: datetime | None = None
    authorised_by: str = string(64, default="")
    received_at: datetime | None = None
    closed_at: datetime | None = None
    rejected_reason: str = string(400, default="")
    restocking_fee: Decimal = money_col()
    freight_credit: Decimal = money_col()
    credit_amount: Decimal = money_col()
    replacement_order_id: int | None = Field(default=None, foreign_key="sales_orders.id")
    attachments: str = string(1000, default="")
    created_by: str = string(64, default="")
    version: int = version_field()


class RMALine(SQLModel, table=True):
    __tablename__ = "rma_lines"

    id: int | None = Field(default=None, primary_key=True)
    rma_id: int = Field(foreign_key="rmas.id", index=True)
    order_line_id: int | None = Field(default=None, foreign_key="sales_order_lines.id", index=True)
    invoice_line_id: int | None = Field(default=None, foreign_key="invoice_lines.id")
    item_id: int = Field(foreign_key="items.id")
    lot_serial: str = string(40, default="")
    reason_code: str = string(20, default="")
    quantity_requested: Decimal = qty_col()
    quantity_received: Decimal = qty_col()
    findings: str = string(1000, default="")
    #: restock, scrap, repair, return_to_vendor, replace
    disposition: str = string(20, default="")
    disposition_warehouse_id: int | None = Field(default=None, foreign_key="warehouses.id")
    #: The vendor warrants the item: claim the cost back from them (set when the RMA is made).
    vendor_recovery: bool = False
    version: int = version_field()
