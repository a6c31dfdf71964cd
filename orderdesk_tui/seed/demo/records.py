"""The rows the demo history is planned in before anything is written to the store."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from orderdesk_tui.models import (
    Address,
    Contact,
    Customer,
    Invoice,
    Item,
    SalesOrder,
    Shipment,
    Warehouse,
)
from orderdesk_tui.models.base import OrderSource, OrderState, Priority
from orderdesk_tui.seed.demo.constants import ZERO
from orderdesk_tui.seed.demo.helpers import cents


@dataclass(eq=False)
class StockPlan:
    """A stock level while the history is built; written once, with its final allocation."""

    on_hand: Decimal
    bin_location: str
    allocated: Decimal = ZERO


@dataclass(eq=False)
class CustomerPlan:
    row: Customer
    bill_to: Address
    ship_tos: list[Address]
    default_ship_to: Address
    contacts: list[Contact]
    pool: list[Item] = field(default_factory=list)
    po_style: int = 0
    po_seq: int = 0

    @property
    def export(self) -> bool:
        return bool(self.row.incoterm)

    @property
    def country(self) -> str:
        return self.bill_to.country


@dataclass(eq=False)
class LinePlan:
    item: Item
    quantity: Decimal
    unit_price: Decimal
    price_source: str
    warehouse: Warehouse | None
    customer_part: str = ""
    override_reason: str = ""
    drop_ship: bool = False
    special_buy: bool = False
    shipped: Decimal = ZERO
    allocated: Decimal = ZERO
    backordered: Decimal = ZERO
    cancelled: Decimal = ZERO
    last_promised: date | None = None
    shipped_date: date | None = None
    row_id: int | None = None

    @property
    def extended(self) -> Decimal:
        return cents(self.quantity * self.unit_price)


@dataclass(frozen=True)
class BilledLine:
    """An invoice line as written: its id and what a return can credit."""

    id: int
    quantity: Decimal
    unit_price: Decimal
    line: LinePlan


@dataclass(eq=False)
class HoldPlan:
    kind: str
    reason: str
    raised_by: str
    raised_at: datetime
    released_by: str = ""
    released_at: datetime | None = None
    release_reason: str = ""


@dataclass(eq=False)
class ShipmentPlan:
    warehouse: Warehouse
    shipped_at: datetime
    lines: list[tuple[LinePlan, Decimal]]
    row: Shipment | None = None


@dataclass(eq=False)
class OrderPlan:
    cust: CustomerPlan
    state: OrderState
    source: OrderSource
    priority: Priority
    entered_at: datetime
    received_at: datetime
    ship_to: Address
    entered_by: str
    lines: list[LinePlan] = field(default_factory=list)
    tag: str = ""
    ship_via: str = ""
    ship_complete: bool = False
    header_notes: str = ""
    customer_po: str = ""
    promotion_code: str = ""
    requested: date | None = None
    first_promised: date | None = None
    last_promised: date | None = None
    acknowledged_at: datetime | None = None
    released_at: datetime | None = None
    shipped_at: datetime | None = None
    invoiced_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    cancelled_from: OrderState | None = None
    holds: list[HoldPlan] = field(default_factory=list)
    ships: list[ShipmentPlan] = field(default_factory=list)
    subtotal: Decimal = ZERO
    freight: Decimal = ZERO
    tax: Decimal = ZERO
    row: SalesOrder | None = None
    invoice: Invoice | None = None

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.freight + self.tax


@dataclass(eq=False)
class PurchasePlan:
    vendor: str
    kind: str
    warehouse: Warehouse | None
    ordered_at: datetime
    state: str = "open"
    order: OrderPlan | None = None
    lines: list[tuple[Item, Decimal, Decimal, Decimal, date, LinePlan | None]] = field(
        default_factory=list
    )
