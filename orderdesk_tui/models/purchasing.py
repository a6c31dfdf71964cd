"""Purchase orders: replenishment (incoming supply with ETA), special buys and drop ships."""

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
    version: int = version_field()


class PurchaseOrderLine(SQLModel, table=True):
    __tablename__ = "purchase_order_lines"

    id: int | None = Field(default=None, primary_key=True)
    purchase_order_id: int = Field(foreign_key="purchase_orders.id", index=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    sales_order_line_id: int | None = Field(default=None, foreign_key="sales_order_lines.id")
    quantity: Decimal = qty_col()
    quantity_received: Decimal = qty_col()
    unit_cost: Decimal = price_col()
    eta: date | None = None
    version: int = version_field()
