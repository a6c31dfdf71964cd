"""Items (parts) and their cross-references: customer part numbers and UPCs."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import ItemStatus, price_col, string, utcnow, version_field
from orderdesk_tui.models.types import Quantity


class Item(SQLModel, table=True):
    __tablename__ = "items"

    id: int | None = Field(default=None, primary_key=True)
    part_number: str = string(40, unique=True, index=True)
    description: str = string(200)
    category: str = string(40, default="", index=True)
    uom: str = string(6, default="EA")
    #: Quantities may carry decimals only where the unit allows (FT, LB, GAL...).
    fractional_uom: bool = False
    moq: Decimal = Field(default=Decimal("1"), sa_type=Quantity)
    order_multiple: Decimal = Field(default=Decimal("1"), sa_type=Quantity)
    list_price: Decimal = price_col()
    cost: Decimal = price_col()
    weight_kg: Decimal = Field(default=Decimal("0"), sa_type=Quantity)
    upc: str = string(14, default="", index=True)
    hs_code: str = string(12, default="")
    country_of_origin: str = string(2, default="US")
    eccn: str = string(10, default="EAR99")
    hazmat_un_number: str = string(6, default="")
    hazmat_class: str = string(6, default="")
    lead_time_days: int = 14
    status: str = string(14, default=ItemStatus.ACTIVE)
    #: False: a non-stock item, bought for each order that wants it (a special buy).
    stocked: bool = True
    replacement_item_id: int | None = Field(default=None, foreign_key="items.id")
    drop_ship_allowed: bool = False
    warranty_months: int = 12
    vendor_warranted: bool = False
    vendor_name: str = string(80, default="")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()


class ItemCrossReference(SQLModel, table=True):
    """Another name for an item: a customer's own part number, or a UPC/GTIN."""

    __tablename__ = "item_cross_references"
    __table_args__ = (UniqueConstraint("kind", "customer_id", "reference"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    kind: str = string(14)
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True)
    reference: str = string(40, index=True)
    version: int = version_field()
