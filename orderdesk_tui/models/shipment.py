"""Shipments of an order, their lines and packages."""

from datetime import datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import money_col, qty_col, string, utcnow, version_field


class Shipment(SQLModel, table=True):
    __tablename__ = "shipments"

    id: int | None = Field(default=None, primary_key=True)
    number: str = string(20, unique=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id")
    ship_to_id: int | None = Field(default=None, foreign_key="addresses.id")
    #: planned, picked, shipped, delivered, cancelled
    state: str = string(12, default="planned")
    carrier: str = string(40, default="")
    service: str = string(40, default="")
    tracking_number: str = string(40, default="")
    bol_number: str = string(30, default="")
    freight_cost: Decimal = money_col()
    weight_kg: Decimal = qty_col()
    created_at: datetime = Field(default_factory=utcnow)
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    asn_sent_at: datetime | None = None
    version: int = version_field()


class ShipmentLine(SQLModel, table=True):
    __tablename__ = "shipment_lines"

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipments.id", index=True)
    order_line_id: int = Field(foreign_key="sales_order_lines.id", index=True)
    quantity: Decimal = qty_col()
    lot_serial: str = string(40, default="", index=True)
    package_id: int | None = Field(default=None, foreign_key="packages.id")


class Package(SQLModel, table=True):
    __tablename__ = "packages"

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipments.id", index=True)
    sscc: str = string(20, default="")
    tracking_number: str = string(40, default="")
    weight_kg: Decimal = qty_col()
    length_cm: int = 0
    width_cm: int = 0
    height_cm: int = 0
