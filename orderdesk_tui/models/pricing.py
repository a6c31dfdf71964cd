"""Price lists, contract prices (price agreements), quantity breaks and promotions."""

from datetime import date
from decimal import Decimal

from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import money_col, pct_col, price_col, qty_col, string, version_field


class PriceList(SQLModel, table=True):
    __tablename__ = "price_lists"

    id: int | None = Field(default=None, primary_key=True)
    code: str = string(20, unique=True)
    name: str = string(80)
    currency: str = string(3, default="USD")
    version: int = version_field()


class PriceListEntry(SQLModel, table=True):
    """A fixed price or a % off list, for one item or a whole category."""

    __tablename__ = "price_list_entries"

    id: int | None = Field(default=None, primary_key=True)
    price_list_id: int = Field(foreign_key="price_lists.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="items.id", index=True)
    category: str = string(40, default="")
    fixed_price: Decimal | None = price_col(default=None, nullable=True)
    percent_off: Decimal | None = pct_col(default=None, nullable=True)
    version: int = version_field()


class PriceAgreement(SQLModel, table=True):
    """A contract price for one customer and item, valid between dates above a minimum quantity."""

    __tablename__ = "price_agreements"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    contract_ref: str = string(40, default="")
    price: Decimal = price_col()
    min_quantity: Decimal = qty_col(default=Decimal("1"))
    valid_from: date
    valid_to: date | None = None
    version: int = version_field()


class QuantityBreak(SQLModel, table=True):
    """From `min_quantity` up, the item sells at `price` (or `percent_off` list)."""

    __tablename__ = "quantity_breaks"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    price_list_id: int | None = Field(default=None, foreign_key="price_lists.id")
    min_quantity: Decimal = qty_col()
    price: Decimal | None = price_col(default=None, nullable=True)
    percent_off: Decimal | None = pct_col(default=None, nullable=True)
    version: int = version_field()


class Promotion(SQLModel, table=True):
    __tablename__ = "promotions"

    id: int | None = Field(default=None, primary_key=True)
    code: str = string(20, unique=True)
    name: str = string(120)
    valid_from: date
    valid_to: date
    customer_group: str = string(30, default="")
    item_category: str = string(40, default="")
    item_id: int | None = Field(default=None, foreign_key="items.id")
    percent_off: Decimal | None = pct_col(default=None, nullable=True)
    amount_off: Decimal | None = money_col(default=None, nullable=True)
    active: bool = True
    version: int = version_field()
