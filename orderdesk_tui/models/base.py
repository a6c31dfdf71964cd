"""Shared column helpers and enumerations for the SQLModel tables.

Times are timezone-aware UTC (`utcnow()`); SQLModel stores them as UTC on both stores.
Enumerations are stored as short strings so that a new state needs no schema change.
"""

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import String, Table
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Field, SQLModel

from orderdesk_tui.domain.order_states import State as OrderState
from orderdesk_tui.models.types import Money, Percent, Quantity, UnitPrice


def utcnow() -> datetime:
    """The current time, aware and in UTC, the form every timestamp column holds."""
    return datetime.now(UTC)


def money_col(default: Decimal | None = Decimal("0.00"), **kw: Any) -> Any:
    return Field(default=default, sa_type=Money, **kw)


def price_col(default: Decimal | None = Decimal("0.0000"), **kw: Any) -> Any:
    return Field(default=default, sa_type=UnitPrice, **kw)


def qty_col(default: Decimal | None = Decimal("0"), **kw: Any) -> Any:
    return Field(default=default, sa_type=Quantity, **kw)


def pct_col(default: Decimal | None = Decimal("0"), **kw: Any) -> Any:
    return Field(default=default, sa_type=Percent, **kw)


def string(length: int = 20, **kw: Any) -> Any:
    """A short string column (codes, states, enum values)."""
    return Field(sa_type=String(length), **kw)


def version_field() -> Any:
    """The optimistic-concurrency counter every user-edited table carries."""
    return Field(default=1, nullable=False)


class Role(StrEnum):
    COORDINATOR = "coordinator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class ServiceTier(StrEnum):
    PLATINUM = "platinum"
    GOLD = "gold"
    SILVER = "silver"
    STANDARD = "standard"


class FreightTerms(StrEnum):
    PREPAID = "prepaid"
    COLLECT = "collect"
    PREPAID_ADD = "prepaid_add"
    THIRD_PARTY = "third_party"


class AddressKind(StrEnum):
    BILL_TO = "bill_to"
    SHIP_TO = "ship_to"


class ItemStatus(StrEnum):
    ACTIVE = "active"
    DISCONTINUED = "discontinued"
    OBSOLETE = "obsolete"


class CrossRefKind(StrEnum):
    CUSTOMER_PART = "customer_part"
    UPC = "upc"


class OrderSource(StrEnum):
    KEYBOARD = "keyboard"
    EDI = "edi"
    PHONE = "phone"
    EMAIL = "email"


class Priority(StrEnum):
    NORMAL = "normal"
    RUSH = "rush"


class HoldKind(StrEnum):
    CREDIT = "credit"
    PRICE = "price"
    STOCK = "stock"
    COMPLIANCE = "compliance"
    ADDRESS = "address"
    EDI = "edi"
    ERP = "erp"


#: Holds only a supervisor may release (DESIGN.md: credit, price, compliance).
SUPERVISOR_HOLDS = frozenset({HoldKind.CREDIT, HoldKind.PRICE, HoldKind.COMPLIANCE})


class NoteChannel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    EDI = "edi"
    INTERNAL = "internal"


__all__ = ["OrderState"]


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Table: SQLModel leaves `__table__` untyped, the mapper does not."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table), f"{model.__name__} is not a table model"
    return table
