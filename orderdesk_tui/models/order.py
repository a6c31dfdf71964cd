"""Sales orders and their lines, carrying every date the KPIs need.

Dates: `received_at` (the PO reached us), `entered_at` (keyed or imported), `requested_date`
(customer's want date), `first_promised_date` (never changes once set: on-time is measured
against it), `last_promised_date` (the current promise), `shipped_at`.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import (
    OrderSource,
    OrderState,
    Priority,
    money_col,
    pct_col,
    price_col,
    qty_col,
    string,
    utcnow,
    version_field,
)


class SalesOrder(SQLModel, table=True):
    __tablename__ = "sales_orders"
    __table_args__ = (
        Index("ix_sales_orders_state_id", "state", "id"),
        Index("ix_sales_orders_customer_id_po", "customer_id", "customer_po"),
        # the periods of the reports (migration 0020)
        Index("ix_sales_orders_first_promised_date", "first_promised_date"),
        Index("ix_sales_orders_entered_at", "entered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = string(20, unique=True, index=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    customer_po: str = string(40, default="", index=True)
    bill_to_id: int | None = Field(default=None, foreign_key="addresses.id")
    ship_to_id: int | None = Field(default=None, foreign_key="addresses.id")
    state: str = string(20, default=OrderState.DRAFT)
    source: str = string(10, default=OrderSource.KEYBOARD)
    priority: str = string(10, default=Priority.NORMAL)
    #: The last time the order or one of its lines was marked rush, by whom and why (services.rush;
    #: None: never marked, or cleared). An order entered as rush has only `priority`.
    rushed_at: datetime | None = None
    rushed_by: str = string(64, default="")
    rush_reason: str = string(200, default="")
    ship_via: str = string(40, default="")
    ship_complete: bool = False
    #: A promotion code the customer quoted; pricing checks it against the promotions.
    promotion_code: str = string(20, default="")
    freight_terms: str = string(20, default="")
    incoterm: str = string(3, default="")
    incoterm_place: str = string(80, default="")
    currency: str = string(3, default="USD")
    payment_terms: str = string(20, default="")
    notes: str = string(2000, default="")
    received_at: datetime | None = None
    entered_at: datetime | None = None
    requested_date: date | None = None
    first_promised_date: date | None = None
    last_promised_date: date | None = None
    acknowledged_at: datetime | None = None
    released_at: datetime | None = None
    shipped_at: datetime | None = None
    invoiced_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = string(200, default="")
    entered_by: str = string(64, default="")
    assigned_to: str = string(64, default="")
    subtotal: Decimal = money_col()
    freight: Decimal = money_col()
    tax: Decimal = money_col()
    total: Decimal = money_col()
    erp_id: str = string(40, default="")
    erp_number: str = string(40, default="")
    #: The current revision (models.revision): 0 as submitted, +1 per change after submit.
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()


class SalesOrderLine(SQLModel, table=True):
    __tablename__ = "sales_order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        # ATP reads only open demand (migration 0004)
        Index(
            "ix_sales_order_lines_open_demand",
            "item_id",
            sqlite_where=text(
                "quantity > quantity_allocated + quantity_shipped + quantity_cancelled"
            ),
            postgresql_where=text(
                "quantity > quantity_allocated + quantity_shipped + quantity_cancelled"
            ),
        ),
        # the queue's late-backorder check reads only backordered lines (migration 0006)
        Index(
            "ix_sales_order_lines_backordered",
            "order_id",
            sqlite_where=text("quantity_backordered > 0"),
            postgresql_where=text("quantity_backordered > 0"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    line_no: int
    item_id: int | None = Field(default=None, foreign_key="items.id", index=True)
    part_number: str = string(40, default="")
    customer_part_number: str = string(40, default="")
    description: str = string(200, default="")
    quantity: Decimal = qty_col()
    uom: str = string(6, default="EA")
    list_price: Decimal = price_col()
    unit_price: Decimal = price_col()
    #: Which pricing rule won ("contract C-123", "list", "override"...).
    price_source: str = string(80, default="")
    discount_percent: Decimal = pct_col()
    #: A line discount as an amount off the unit price (after any % discount).
    discount_amount: Decimal = price_col()
    override_reason: str = string(200, default="")
    extended: Decimal = money_col()
    warehouse_id: int | None = Field(default=None, foreign_key="warehouses.id")
    quantity_allocated: Decimal = qty_col()
    quantity_shipped: Decimal = qty_col()
    quantity_backordered: Decimal = qty_col()
    quantity_cancelled: Decimal = qty_col()
    requested_date: date | None = None
    first_promised_date: date | None = None
    last_promised_date: date | None = None
    shipped_date: date | None = None
    drop_ship: bool = False
    #: This line's allocation takes precedence over normal orders' (services.rush).
    rush: bool = False
    #: The promise allows this line to ship from several warehouses (the entry's F7 "split
    #: warehouses"); its parts are in order_line_parts (models.line_part).
    split_warehouses: bool = False
    version: int = version_field()
