"""Customer master: the customer, its bill-to/ship-to addresses and its contacts."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import (
    AddressKind,
    FreightTerms,
    ServiceTier,
    money_col,
    string,
    utcnow,
    version_field,
)


class Customer(SQLModel, table=True):
    __tablename__ = "customers"

    id: int | None = Field(default=None, primary_key=True)
    code: str = string(20, unique=True, index=True)
    name: str = string(120, index=True)
    phone: str = string(40, default="", index=True)
    email: str = string(120, default="")
    currency: str = string(3, default="USD")
    payment_terms: str = string(20, default="NET30")
    payment_terms_days: int = 30
    credit_limit: Decimal = money_col()
    #: "ok" or "hold": a customer on credit hold gets every new order held.
    credit_status: str = string(10, default="ok")
    overdue_grace_days: int = 10
    tax_id: str = string(40, default="")
    tax_id_type: str = string(20, default="")
    tax_exempt_certificate: str = string(40, default="")
    price_list_id: int | None = Field(default=None, foreign_key="price_lists.id")
    customer_group: str = string(30, default="")
    freight_terms: str = string(20, default=FreightTerms.PREPAID_ADD)
    free_freight_threshold: Decimal | None = money_col(default=None, nullable=True)
    incoterm: str = string(3, default="")
    incoterm_place: str = string(80, default="")
    default_ship_via: str = string(40, default="")
    edi_qualifier: str = string(2, default="")
    edi_partner_id: str = string(15, default="", index=True)
    service_tier: str = string(20, default=ServiceTier.STANDARD)
    #: The mask its PO numbers follow (domain.po_format), "" when they follow none.
    po_format: str = string(40, default="")
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()


class Address(SQLModel, table=True):
    __tablename__ = "addresses"
    __table_args__ = (UniqueConstraint("customer_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    #: The customer's own code for this address (ship-to numbers come on POs and in EDI N1*ST).
    code: str = string(20, index=True)
    kind: str = string(10, default=AddressKind.SHIP_TO)
    name: str = string(120)
    line1: str = string(120)
    line2: str = string(120, default="")
    city: str = string(80, index=True)
    region: str = string(40, default="")
    postal_code: str = string(20, default="")
    country: str = string(2, default="US")
    phone: str = string(40, default="")
    dock_hours: str = string(80, default="")
    routing_notes: str = string(400, default="")
    is_default: bool = False
    active: bool = True
    version: int = version_field()


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    name: str = string(120)
    title: str = string(80, default="")
    email: str = string(120, default="", index=True)
    phone: str = string(40, default="")
    is_primary: bool = False
    version: int = version_field()
