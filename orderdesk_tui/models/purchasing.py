"""Purchase orders: replenishment (incoming supply with ETA), special buys and drop ships.

A special-buy or drop-ship PO line points at the customer order line it was bought for
(`sales_order_line_id`); services.purchasing makes them (see its docstring)."""

from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import price_col, qty_col, string, utcnow, version_field


class PurchaseOrder(SQLModel, table=True):
    __tablename__ = "purchase_orders"

    id: int | None = Field(default=None, primary_key=True)
    number: str = string(20, unique=True)
    vendor_name: str = string(120)
    #: replenishment, special_buy, drop_ship
    kind: str = string(14, default="replenishment")
    warehouse_id: int | None = Field(default=None, foreign_key="warehouses.id")
    sales_order_id: int | None = Field(default=None, foreign_key="sales_orders.id")
    #: open, received, cancelled
    state: str = string(10, default="open", index=True)
    ordered_at: datetime = Field(default_factory=utcnow)
    eta: date | None = None
    #: A drop-ship PO goes to the customer's ship-to (one PO per vendor and ship-to).
    ship_to_id: int | None = Field(default=None, foreign_key="addresses.id")
    #: The vendor's acknowledgement: their order number and the date they confirmed.
    vendor_reference: str = string(40, default="")
    confirmed_date: date | None = None
    #: The Tryton purchase (services.outbox `push_purchase`).
    erp_id: str = string(40, default="")
    erp_number: str = string(40, default="")
    version: int = version_field()


class PurchaseOrderLine(SQLModel, table=True):
    __tablename__ = "purchase_order_lines"

    id: int | None = Field(default=None, primary_key=True)
    purchase_order_id: int = Field(foreign_key="purchase_orders.id", index=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    sales_order_line_id: int | None = Field(
        default=None, foreign_key="sales_order_lines.id", index=True
    )
    quantity: Decimal = qty_col()
    quantity_received: Decimal = qty_col()
    quantity_cancelled: Decimal = qty_col()
    cancel_reason: str = string(200, default="")
    unit_cost: Decimal = price_col()
    eta: date | None = None
    #: The date the vendor confirmed for this line (its acknowledgement).
    confirmed_date: date | None = None
    version: int = version_field()
