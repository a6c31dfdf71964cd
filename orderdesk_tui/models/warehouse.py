"""Warehouses and stock levels (on hand and allocated per item and warehouse).

Incoming supply with its ETA is the open quantity of purchase order lines (models.purchasing).
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import qty_col, string, utcnow, version_field


class Warehouse(SQLModel, table=True):
    __tablename__ = "warehouses"

    id: int | None = Field(default=None, primary_key=True)
    code: str = string(10, unique=True)
    name: str = string(80)
    line1: str = string(120, default="")
    city: str = string(80, default="")
    region: str = string(40, default="")
    postal_code: str = string(20, default="")
    country: str = string(2, default="US")
    hazmat_capable: bool = True
    active: bool = True
    version: int = version_field()


class StockLevel(SQLModel, table=True):
    __tablename__ = "stock_levels"
    __table_args__ = (UniqueConstraint("item_id", "warehouse_id"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id", index=True)
    on_hand: Decimal = qty_col()
    allocated: Decimal = qty_col()
    bin_location: str = string(20, default="")
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()
