"""Invoices and credit memos; open ones are the receivables credit checks count."""

from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import money_col, price_col, qty_col, string, utcnow, version_field


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"

    id: int | None = Field(default=None, primary_key=True)
    number: str = string(20, unique=True, index=True)
    #: invoice or credit_memo
    kind: str = string(12, default="invoice")
    order_id: int | None = Field(default=None, foreign_key="sales_orders.id", index=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    shipment_id: int | None = Field(default=None, foreign_key="shipments.id")
    invoice_date: date
    due_date: date
    #: open, paid, void
    state: str = string(10, default="open", index=True)
    #: Why a credit memo was given (domain.kpi.quality.ErrorCause values count as errors).
    reason_code: str = string(20, default="")
    currency: str = string(3, default="USD")
    subtotal: Decimal = money_col()
    freight: Decimal = money_col()
    tax: Decimal = money_col()
    total: Decimal = money_col()
    amount_paid: Decimal = money_col()
    created_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_lines"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    order_line_id: int | None = Field(default=None, foreign_key="sales_order_lines.id")
    item_id: int | None = Field(default=None, foreign_key="items.id")
    description: str = string(200, default="")
    quantity: Decimal = qty_col()
    unit_price: Decimal = price_col()
    extended: Decimal = money_col()
