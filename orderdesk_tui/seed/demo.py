"""The bundled demo data set: curated master data plus a generated, consistent order history.

Master data comes from `data/demo/*.csv` (customers, ship-tos, contacts, 700+ items, warehouses,
stock, price lists, contracts, quantity breaks, promotions, customer part numbers). Dates in the
pricing files are written as day offsets from `today` (`valid_from_days`, `valid_to_days`) so
the demo never goes stale.

The history is generated from `random.Random(rng_seed)` with every date relative to `today`:
a few hundred sales orders in every state, with their holds, shipments and packages, invoices,
purchase orders, returns, notes, EDI 850s and 860s and audit events. The same `today` and seed
give the same rows. `now` is `today` at 17:00 UTC (late morning on the desk) when `today` is
given, else the wall clock.

Story lines a demo can show (see also `demo_note` in customers.csv):
- BAYO01 is on credit hold with three invoices past due; its new orders wait on credit holds.
- KEYS01 pays late: one invoice past terms and grace, so its newest order is on a credit hold.
- SUMM01 sits just under its credit limit (open invoices + open orders ~96 % of it).
- NSTR01 and GLMS01 are the EDI trading partners; their orders arrive as X12 850s. Three
  change requests (860) for their open orders wait in the queue: NSTR01 wants more of a line
  and, on another order, a later delivery; GLMS01 cut a line yesterday.
- TIDE01's name resembles an entry of the US Consolidated Screening List (compliance hold).
"""

import csv
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

from orderdesk_tui.config import DeskSettings, ReturnsSettings
from orderdesk_tui.domain import returns as returns_rules
from orderdesk_tui.domain.pricing.freight_tax import compute_tax, estimate_freight
from orderdesk_tui.domain.pricing.inputs import FreightRates, ShipTo
from orderdesk_tui.errors import StoreError
from orderdesk_tui.models import (
    RMA,
    Address,
    Contact,
    Customer,
    EDIDocument,
    Hold,
    Invoice,
    InvoiceLine,
    Item,
    ItemCrossReference,
    Note,
    Package,
    PriceAgreement,
    PriceList,
    PriceListEntry,
    Promotion,
    PurchaseOrder,
    PurchaseOrderLine,
    QuantityBreak,
    RMALine,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
    StockLevel,
    User,
    Warehouse,
)
from orderdesk_tui.models.base import (
    AddressKind,
    CrossRefKind,
    HoldKind,
    ItemStatus,
    NoteChannel,
    OrderSource,
    OrderState,
    Priority,
    Role,
    utcnow,
)
from orderdesk_tui.paths import bundled
from orderdesk_tui.seed.load_clock import LoadClock, made_at, moved_timestamps
from orderdesk_tui.services import credentials
from orderdesk_tui.services.audit import record
from orderdesk_tui.services.credentials import Kind
from orderdesk_tui.services.numbering import next_number
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.pricing import load_tax_table
from orderdesk_tui.services.returns import policy_from
from orderdesk_tui.store import Store

#: The return policy the demo's RMAs follow (the defaults of `[returns]`).
RETURN_POLICY = policy_from(ReturnsSettings())
CENT = Decimal("0.01")
Q3 = Decimal("0.001")
Q4 = Decimal("0.0001")
ZERO = Decimal("0")
SYSTEM = "system"
#: Our interchange id towards the EDI partners (ISA08 on their 850s).
OUR_EDI_ID = "ORDERDESKDEMO"
#: GS1 company prefix used for SSCC-18 pallet labels and VICS bill-of-lading numbers.
GS1_PREFIX = "0845123"

#: Demo users with their demo desk passwords and override PINs (README lists them: a demo
#: store is for trying the desk out, never for real orders).
DEMO_USERS = (
    ("alice", "Alice Moreno", Role.COORDINATOR, "alice-demo", None),
    ("bob", "Bob Lindqvist", Role.COORDINATOR, "bob-demo", None),
    ("sam", "Sam Whitaker", Role.SUPERVISOR, "sam-demo", "246810"),
    ("admin", "Desk Administrator", Role.ADMIN, "admin-demo", "135790"),
)
COORDINATORS = ("alice", "bob")
SUPERVISOR = "sam"

#: What each customer group tends to buy (category -> weight).
GROUP_CATEGORIES: dict[str, dict[str, int]] = {
    "oem": {"fasteners": 5, "bearings": 3, "power_transmission": 3, "hydraulics": 2,
            "electrical": 2, "safety": 1, "chemicals": 1},
    "mro": {"bearings": 4, "power_transmission": 4, "safety": 3, "chemicals": 3,
            "electrical": 3, "hydraulics": 2, "fasteners": 2},
    "reseller": {"fasteners": 5, "bearings": 4, "hydraulics": 3, "power_transmission": 3,
                 "safety": 2, "electrical": 2, "chemicals": 1},
    "contractor": {"electrical": 6, "fasteners": 4, "safety": 3, "chemicals": 1},
    "utility": {"electrical": 5, "safety": 3, "hydraulics": 2, "chemicals": 2, "fasteners": 1},
}  # fmt: skip
TIER_WEIGHT = {"platinum": 12, "gold": 6, "silver": 4, "standard": 2}
#: The EDI trading partners send more orders than their tier alone suggests.
EDI_WEIGHT = 22
#: Default supplier per category for replenishment purchase orders.
CATEGORY_VENDOR = {
    "fasteners": "Midwest Fastener Mfg. Co.",
    "bearings": "Kaizen Bearing Co.",
    "power_transmission": "Ridgeline Power Transmission Inc.",
    "electrical": "Northfield Electric Mfg.",
    "hydraulics": "Tri-State Fluid Power Inc.",
    "safety": "Guardline Safety Products",
    "chemicals": "Crestline Chemical Co.",
}
FRACTIONAL_QTY = {
    "FT": ("10", "25", "25", "50", "50", "75", "100", "150", "250", "12.5", "37.5"),
    "LB": ("5", "10", "10", "25", "50", "7.5"),
    "GAL": ("5", "10", "15", "25", "55", "7.5"),
}
#: States whose uninvoiced value a credit check counts as open orders (domain.credit).
OPEN_ORDER_STATES = (
    OrderState.ENTERED,
    OrderState.ON_HOLD,
    OrderState.ACKNOWLEDGED,
    OrderState.RELEASED,
    OrderState.PARTIALLY_SHIPPED,
)
WEST = frozenset({"WA", "OR", "CA", "NV", "AZ", "UT", "CO", "ID", "NM", "MT", "WY"})
#: The margin floor price holds are raised under (the desk's default setting).
MARGIN_FLOOR_PERCENT = DeskSettings().margin_floor_percent
#: Countries where the desk's company collects tax; elsewhere is an export (zero-rated).
TAX_REGISTRATIONS = frozenset({"US", "CA"})
#: ship_via -> (carrier, service, mode)
SHIP_VIA = {
    "UPS Ground": ("UPS", "Ground", "parcel"),
    "UPS Next Day Air": ("UPS", "Next Day Air", "air"),
    "UPS Worldwide Expedited": ("UPS", "Worldwide Expedited", "intl"),
    "FedEx Ground": ("FedEx", "Ground", "parcel"),
    "FedEx Priority Overnight": ("FedEx", "Priority Overnight", "air"),
    "FedEx International Economy": ("FedEx", "International Economy", "intl"),
    "FedEx International Priority": ("FedEx", "International Priority", "intl"),
    "Purolator Ground": ("Purolator", "Ground", "parcel"),
    "Purolator Express": ("Purolator", "Express", "air"),
    "Purolator Freight": ("Purolator", "Freight", "ltl"),
    "XPO LTL": ("XPO", "LTL Standard", "ltl"),
    "XPO cross-border LTL": ("XPO", "Cross-border LTL", "ltl"),
    "Old Dominion LTL": ("Old Dominion", "LTL Standard", "ltl"),
    "Estes LTL": ("Estes", "LTL Standard", "ltl"),
    "Day & Ross LTL": ("Day & Ross", "LTL Standard", "ltl"),
    "Day & Ross LTL (collect)": ("Day & Ross", "LTL (collect)", "ltl"),
    "DHL Global Forwarding (air)": ("DHL Global Forwarding", "Air freight", "intl"),
}
CANCEL_REASONS = (
    "customer cancelled: bought locally, line was down",
    "duplicate of a customer PO already on order",
    "customer did not accept the quoted price",
    "buyer cancelled the PO (project postponed)",
    "lead time too long for the customer",
    "entered in error (wrong customer)",
)
OVERRIDE_REASONS = (
    "match competitor quote on file",
    "long-standing price per sales manager",
    "project pricing approved by sales",
    "damaged-box discount agreed with buyer",
)


@dataclass
class DemoSummary:
    """What `load_demo` inserted."""

    customers: int = 0
    addresses: int = 0
    contacts: int = 0
    items: int = 0
    warehouses: int = 0
    stock_levels: int = 0
    price_agreements: int = 0
    orders: int = 0
    order_lines: int = 0
    holds: int = 0
    shipments: int = 0
    invoices: int = 0
    purchase_orders: int = 0
    rmas: int = 0
    notes: int = 0
    edi_documents: int = 0
    audit_events: int = 0
    users: int = 0

    def __str__(self) -> str:
        return (
            f"{self.customers} customers, {self.items} items, {self.orders} orders "
            f"({self.order_lines} lines), {self.holds} holds, {self.shipments} shipments, "
            f"{self.invoices} invoices, {self.purchase_orders} purchase orders, {self.rmas} RMAs, "
            f"{self.edi_documents} EDI documents"
        )


# -- small helpers ------------------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with bundled(f"data/demo/{name}").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _inbound(
    order: "_Order",
    transaction_set: str,
    icn: int,
    raw: str,
    state: str,
    received_at: datetime,
    processed_at: datetime | None = None,
) -> EDIDocument:
    """An X12 document the trading partner sent about `order` (interchange control `icn`)."""
    cust = order.cust.row
    assert order.row is not None
    return EDIDocument(
        direction="in",
        transaction_set=transaction_set,
        interchange_control=f"{icn:09d}",
        group_control=str(icn),
        transaction_control="0001",
        partner_id=cust.edi_partner_id,
        customer_id=cust.id,
        order_id=order.row.id,
        state=state,
        raw=raw,
        file_name=f"{cust.code}_{transaction_set}_{icn:09d}.edi",
        received_at=received_at,
        processed_at=processed_at,
    )


def _dec(text: str) -> Decimal:
    return Decimal(text.strip())


def _opt_dec(text: str) -> Decimal | None:
    return Decimal(text.strip()) if text.strip() else None


def _bool(text: str) -> bool:
    return text.strip().lower() in {"true", "1", "yes", "y"}


def cents(value: Decimal) -> Decimal:
    """Money rounded half-up to cents, the way every extended amount and total is."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _q4(value: Decimal) -> Decimal:
    return value.quantize(Q4, rounding=ROUND_HALF_UP)


def _fmt(q: Decimal) -> str:
    """A quantity or percent as people write it: 1000, 12.5, 7.5."""
    return format(q.normalize(), "f")


def _gs1_check(digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _ups_tracking(shipper: str, service: str, serial: int) -> str:
    body = f"{shipper}{service}{serial:07d}"
    values = [int(c) if c.isdigit() else (ord(c) - 63) % 10 for c in body]
    total = sum(v * (2 if i % 2 else 1) for i, v in enumerate(values))
    return f"1Z{body}{(10 - total % 10) % 10}"


def _fedex_tracking(serial: int) -> str:
    body = f"{serial:011d}"
    weights = (1, 3, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(body)))
    return f"{body}{total % 11 % 10}"


@dataclass(eq=False)
class _Stock:
    """A stock level while the history is built; written once, with its final allocation."""

    on_hand: Decimal
    bin_location: str
    allocated: Decimal = ZERO


@dataclass(eq=False)
class _Cust:
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
class _Line:
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
class _Billed:
    """An invoice line as written: its id and what a return can credit."""

    id: int
    quantity: Decimal
    unit_price: Decimal
    line: _Line


@dataclass(eq=False)
class _Hold:
    kind: str
    reason: str
    raised_by: str
    raised_at: datetime
    released_by: str = ""
    released_at: datetime | None = None
    release_reason: str = ""


@dataclass(eq=False)
class _Ship:
    warehouse: Warehouse
    shipped_at: datetime
    lines: list[tuple[_Line, Decimal]]
    row: Shipment | None = None


@dataclass(eq=False)
class _Order:
    cust: _Cust
    state: OrderState
    source: OrderSource
    priority: Priority
    entered_at: datetime
    received_at: datetime
    ship_to: Address
    entered_by: str
    lines: list[_Line] = field(default_factory=list)
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
    holds: list[_Hold] = field(default_factory=list)
    ships: list[_Ship] = field(default_factory=list)
    subtotal: Decimal = ZERO
    freight: Decimal = ZERO
    tax: Decimal = ZERO
    row: SalesOrder | None = None
    invoice: Invoice | None = None

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.freight + self.tax


@dataclass(eq=False)
class _PO:
    vendor: str
    kind: str
    warehouse: Warehouse | None
    ordered_at: datetime
    state: str = "open"
    order: _Order | None = None
    lines: list[tuple[Item, Decimal, Decimal, Decimal, date, _Line | None]] = field(
        default_factory=list
    )


# -- the loader ---------------------------------------------------------------------------------


def load_demo(
    store: Store,
    *,
    today: date | None = None,
    now: datetime | None = None,
    rng_seed: int = 2026,
) -> DemoSummary:
    """Fill an empty store with the demo data set, in one transaction.

    The rows and their numbers depend on `today` (default: the date of `now`) and the seed,
    not on the hour: the history is made as of 17:00 UTC of `today` and its timestamps are
    then fitted to `now` (default: the wall clock, or 17:00 UTC when only `today` is given;
    see seed/load_clock.py). Raises StoreError if the store already holds customers.
    """
    if now is None:
        now = utcnow() if today is None else made_at(today)
    if today is None:
        today = now.date()
    clock = LoadClock(made_at(today), now)
    with store.session() as session:
        if session.exec(select(Customer.id).limit(1)).first() is not None:
            raise StoreError("store already holds data; seed --demo needs an empty store")
        loader = _DemoLoader(session, today, clock, random.Random(rng_seed))
        with moved_timestamps(session, clock):
            loader.load_master()
            loader.build_history()
        return loader.summary


class _DemoLoader:
    def __init__(self, session: Session, today: date, clock: LoadClock, rng: random.Random) -> None:
        self.session = session
        self.today = today
        self.now = clock.made_at  # the history is made as of this moment
        self.clock = clock
        self.rng = rng
        self.summary = DemoSummary()
        self.customers: dict[str, _Cust] = {}
        self.items: dict[str, Item] = {}
        self.warehouses: dict[str, Warehouse] = {}
        self.stock: dict[tuple[int, int], _Stock] = {}
        self.price_lists: dict[int, PriceList] = {}
        self.pl_fixed: dict[tuple[int, int], Decimal] = {}
        self.pl_pct: dict[tuple[int, str], Decimal] = {}
        self.breaks: dict[int, list[QuantityBreak]] = defaultdict(list)
        self.agreements: dict[tuple[int, int], list[PriceAgreement]] = defaultdict(list)
        self.promotions: list[Promotion] = []
        self.promo_by_code: dict[str, Promotion] = {}
        self.xref: dict[tuple[int, int], str] = {}
        self.orders: list[_Order] = []
        self.pos: list[_PO] = []
        self.short_items: list[Item] = []
        self.tax_table = load_tax_table()
        self.freight_rates = FreightRates()
        self._invoice_lines: dict[int, list[_Billed]] = defaultdict(list)
        self._rmas: list[tuple[RMA, list[RMALine], _Order, str]] = []

    # ------------------------------------------------------------------ master data

    def _day(self, offset: str) -> date | None:
        return self.today + timedelta(days=int(offset)) if offset.strip() else None

    def load_master(self) -> None:
        s = self.session
        created = self.now - timedelta(days=730)
        users = [
            User(name=name, full_name=full, role=role, created_at=created)
            for name, full, role, _, _ in DEMO_USERS
        ]
        s.add_all(users)
        s.flush()
        for user, (_, _, _, password, pin) in zip(users, DEMO_USERS, strict=True):
            credentials.set_secret(s, user, Kind.PASSWORD, password)
            if pin:
                credentials.set_secret(s, user, Kind.PIN, pin)
        self.summary.users = len(users)

        for r in _rows("warehouses.csv"):
            wh = Warehouse(
                code=r["code"],
                name=r["name"],
                line1=r["line1"],
                city=r["city"],
                region=r["region"],
                postal_code=r["postal_code"],
                country=r["country"],
                hazmat_capable=_bool(r["hazmat_capable"]),
            )
            self.warehouses[wh.code] = wh
        s.add_all(self.warehouses.values())

        lists_by_code: dict[str, PriceList] = {}
        for r in _rows("price_lists.csv"):
            lists_by_code[r["code"]] = PriceList(
                code=r["code"], name=r["name"], currency=r["currency"]
            )
        s.add_all(lists_by_code.values())
        s.flush()
        self.price_lists = {pl.id: pl for pl in lists_by_code.values() if pl.id is not None}

        rows = _rows("customers.csv")
        customers: dict[str, Customer] = {}
        for k, r in enumerate(rows):
            pl = lists_by_code.get(r["price_list_code"])
            stamp = created + timedelta(days=k * 7)
            customers[r["code"]] = Customer(
                code=r["code"],
                name=r["name"],
                phone=r["phone"],
                email=r["email"],
                currency=r["currency"],
                payment_terms=r["payment_terms"],
                payment_terms_days=int(r["payment_terms_days"]),
                credit_limit=_dec(r["credit_limit"]),
                credit_status=r["credit_status"],
                tax_id=r["tax_id"],
                tax_id_type=r["tax_id_type"],
                tax_exempt_certificate=r["tax_exempt_certificate"],
                price_list_id=pl.id if pl else None,
                customer_group=r["customer_group"],
                freight_terms=r["freight_terms"],
                free_freight_threshold=_opt_dec(r["free_freight_threshold"]),
                incoterm=r["incoterm"],
                incoterm_place=r["incoterm_place"],
                default_ship_via=r["default_ship_via"],
                edi_qualifier=r["edi_qualifier"],
                edi_partner_id=r["edi_partner_id"],
                service_tier=r["service_tier"],
                po_format=r["po_format"],
                created_at=stamp,
                updated_at=stamp,
            )
        s.add_all(customers.values())
        s.flush()
        self.summary.customers = len(customers)

        addresses: dict[str, list[Address]] = defaultdict(list)
        for r in _rows("addresses.csv"):
            cust = customers[r["customer_code"]]
            assert cust.id is not None
            addresses[r["customer_code"]].append(
                Address(
                    customer_id=cust.id,
                    code=r["code"],
                    kind=r["kind"],
                    name=r["name"],
                    line1=r["line1"],
                    line2=r["line2"],
                    city=r["city"],
                    region=r["region"],
                    postal_code=r["postal_code"],
                    country=r["country"],
                    phone=r["phone"],
                    dock_hours=r["dock_hours"],
                    routing_notes=r["routing_notes"],
                    is_default=_bool(r["is_default"]),
                )
            )
        contacts: dict[str, list[Contact]] = defaultdict(list)
        for r in _rows("contacts.csv"):
            cust = customers[r["customer_code"]]
            assert cust.id is not None
            contacts[r["customer_code"]].append(
                Contact(
                    customer_id=cust.id,
                    name=r["name"],
                    title=r["title"],
                    email=r["email"],
                    phone=r["phone"],
                    is_primary=_bool(r["is_primary"]),
                )
            )
        all_addresses = [a for lst in addresses.values() for a in lst]
        all_contacts = [c for lst in contacts.values() for c in lst]
        s.add_all(all_addresses)
        s.add_all(all_contacts)
        self.summary.addresses = len(all_addresses)
        self.summary.contacts = len(all_contacts)

        replacements: dict[str, str] = {}
        for k, r in enumerate(_rows("items.csv")):
            stamp = created + timedelta(minutes=k)
            item = Item(
                part_number=r["part_number"],
                description=r["description"],
                category=r["category"],
                uom=r["uom"],
                fractional_uom=_bool(r["fractional_uom"]),
                moq=_dec(r["moq"]),
                order_multiple=_dec(r["order_multiple"]),
                list_price=_dec(r["list_price"]),
                cost=_dec(r["cost"]),
                weight_kg=_dec(r["weight_kg"]),
                upc=r["upc"],
                hs_code=r["hs_code"],
                country_of_origin=r["country_of_origin"],
                eccn=r["eccn"] or "EAR99",
                hazmat_un_number=r["hazmat_un_number"],
                hazmat_class=r["hazmat_class"],
                lead_time_days=int(r["lead_time_days"]),
                status=r["status"],
                drop_ship_allowed=_bool(r["drop_ship_allowed"]),
                warranty_months=int(r["warranty_months"]),
                vendor_warranted=_bool(r["vendor_warranted"]),
                vendor_name=r["vendor_name"],
                created_at=stamp,
                updated_at=stamp,
            )
            self.items[item.part_number] = item
            if r["replacement_part_number"]:
                replacements[item.part_number] = r["replacement_part_number"]
        s.add_all(self.items.values())
        s.flush()
        for old, new in replacements.items():
            self.items[old].replacement_item_id = self.items[new].id
        self.summary.items = len(self.items)
        self.summary.warehouses = len(self.warehouses)

        for r in _rows("stock.csv"):
            item, wh = self.items[r["part_number"]], self.warehouses[r["warehouse_code"]]
            assert item.id is not None and wh.id is not None
            self.stock[(item.id, wh.id)] = _Stock(_dec(r["on_hand"]), r["bin_location"])

        entries = []
        for r in _rows("price_list_entries.csv"):
            pl = lists_by_code[r["price_list_code"]]
            assert pl.id is not None
            part = self.items[r["part_number"]] if r["part_number"] else None
            entry = PriceListEntry(
                price_list_id=pl.id,
                item_id=part.id if part else None,
                category=r["category"],
                fixed_price=_opt_dec(r["fixed_price"]),
                percent_off=_opt_dec(r["percent_off"]),
            )
            entries.append(entry)
            if part is not None and part.id is not None and entry.fixed_price is not None:
                self.pl_fixed[(pl.id, part.id)] = entry.fixed_price
            elif entry.category and entry.percent_off is not None:
                self.pl_pct[(pl.id, entry.category)] = entry.percent_off
        s.add_all(entries)

        agreements = []
        for r in _rows("price_agreements.csv"):
            cust, item = customers[r["customer_code"]], self.items[r["part_number"]]
            assert cust.id is not None and item.id is not None
            valid_from = self._day(r["valid_from_days"])
            assert valid_from is not None
            pa = PriceAgreement(
                customer_id=cust.id,
                item_id=item.id,
                contract_ref=r["contract_ref"],
                price=_dec(r["price"]),
                min_quantity=_dec(r["min_quantity"]),
                valid_from=valid_from,
                valid_to=self._day(r["valid_to_days"]),
            )
            agreements.append(pa)
            self.agreements[(cust.id, item.id)].append(pa)
        s.add_all(agreements)
        self.summary.price_agreements = len(agreements)

        breaks = []
        for r in _rows("quantity_breaks.csv"):
            item = self.items[r["part_number"]]
            assert item.id is not None
            pl = lists_by_code.get(r["price_list_code"])
            qb = QuantityBreak(
                item_id=item.id,
                price_list_id=pl.id if pl else None,
                min_quantity=_dec(r["min_quantity"]),
                price=_opt_dec(r["price"]),
                percent_off=_opt_dec(r["percent_off"]),
            )
            breaks.append(qb)
            self.breaks[item.id].append(qb)
        s.add_all(breaks)

        for r in _rows("promotions.csv"):
            part = self.items[r["part_number"]] if r["part_number"] else None
            valid_from, valid_to = self._day(r["valid_from_days"]), self._day(r["valid_to_days"])
            assert valid_from is not None and valid_to is not None
            self.promotions.append(
                Promotion(
                    code=r["code"],
                    name=r["name"],
                    valid_from=valid_from,
                    valid_to=valid_to,
                    customer_group=r["customer_group"],
                    item_category=r["item_category"],
                    item_id=part.id if part else None,
                    percent_off=_opt_dec(r["percent_off"]),
                    amount_off=_opt_dec(r["amount_off"]),
                    active=_bool(r["active"]),
                )
            )
        s.add_all(self.promotions)
        self.promo_by_code = {p.code: p for p in self.promotions}

        xrefs = []
        for r in _rows("cross_references.csv"):
            cust, item = customers[r["customer_code"]], self.items[r["part_number"]]
            assert cust.id is not None and item.id is not None
            xrefs.append(
                ItemCrossReference(
                    item_id=item.id,
                    kind=CrossRefKind.CUSTOMER_PART,
                    customer_id=cust.id,
                    reference=r["customer_part_number"],
                )
            )
            self.xref[(cust.id, item.id)] = r["customer_part_number"]
        s.add_all(xrefs)
        s.flush()

        for code, cust in customers.items():
            addrs = addresses[code]
            ship_tos = [a for a in addrs if a.kind == AddressKind.SHIP_TO]
            self.customers[code] = _Cust(
                row=cust,
                bill_to=next(a for a in addrs if a.kind == AddressKind.BILL_TO),
                ship_tos=ship_tos,
                default_ship_to=next(a for a in ship_tos if a.is_default),
                contacts=contacts[code],
            )

    # ------------------------------------------------------------------ planning helpers

    def _biz_back(self, d: date) -> date:
        while d.weekday() >= 5:
            d -= timedelta(days=1)
        return d

    def _biz_add(self, d: date, n: int) -> date:
        step = 0
        while step < n:
            d += timedelta(days=1)
            if d.weekday() < 5:
                step += 1
        return self._biz_back(d) if n == 0 else d

    def _work_time(self, d: date) -> datetime:
        """A moment in US business hours (13:00-22:30 UTC) on day `d`, never after now."""
        at = datetime.combine(d, time(13, 0), tzinfo=UTC) + timedelta(
            minutes=self.rng.randint(0, 9 * 60 + 30)
        )
        if at > self.now - timedelta(minutes=5):
            at = self.now - timedelta(minutes=self.rng.randint(5, 240))
        return at

    def _before_now(self, at: datetime, floor: datetime, margin_min: int = 5) -> datetime:
        """`at`, but not later than now (minus a margin) and not earlier than `floor`."""
        limit = self.now - timedelta(minutes=margin_min)
        if at > limit:
            span = max(int((limit - floor).total_seconds() // 60), 1)
            at = floor + timedelta(minutes=self.rng.randint(min(span, 1), span))
        return max(at, floor + timedelta(minutes=1))

    def _eligible(self, cust: _Cust, item: Item) -> bool:
        if item.status != ItemStatus.ACTIVE:
            return False
        if cust.export and item.hazmat_un_number:
            return False
        return not (cust.country != "US" and item.eccn != "EAR99")

    def _build_pools(self) -> None:
        by_cat: dict[str, list[Item]] = defaultdict(list)
        on_hand: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for (item_id, _), level in self.stock.items():
            on_hand[item_id] += level.on_hand
        for item in self.items.values():
            by_cat[item.category].append(item)
            stocked = item.id in on_hand
            if item.status == ItemStatus.ACTIVE and stocked:
                assert item.id is not None
                if on_hand[item.id] <= item.order_multiple * 2:
                    self.short_items.append(item)
        for cust in self.customers.values():
            cid = cust.row.id
            pool: list[Item] = []
            for item in self.items.values():
                key = (cid, item.id)
                if (key in self.agreements or key in self.xref) and self._eligible(cust, item):
                    pool.append(item)
            taken = {i.id for i in pool}
            weights = GROUP_CATEGORIES[cust.row.customer_group]
            for cat, w in weights.items():
                cands = [i for i in by_cat[cat] if self._eligible(cust, i) and i.id not in taken]
                pool.extend(self.rng.sample(cands, min(len(cands), 4 * w)))
            cust.pool = pool
            cust.po_style = self.rng.randrange(5)
            cust.po_seq = self.rng.randint(1200, 88000)

    def _qty(self, cust: _Cust, item: Item) -> Decimal:
        rng = self.rng
        mult = item.order_multiple if item.order_multiple > 0 else Decimal(1)
        if item.fractional_uom:
            base = Decimal(rng.choice(FRACTIONAL_QTY.get(item.uom, ("5",))))
        else:
            price = item.list_price
            if price < 1:
                units = rng.choice((1, 1, 2, 2, 3, 5, 10)) * mult
            elif price < 10:
                units = Decimal(rng.choice((1, 2, 4, 5, 6, 10, 12, 20, 24, 25, 50)))
            elif price < 100:
                units = Decimal(rng.choice((1, 1, 2, 2, 3, 4, 5, 6, 10, 12)))
            elif price < 1000:
                units = Decimal(rng.choice((1, 1, 1, 2, 2, 3, 4)))
            else:
                units = Decimal(rng.choice((1, 1, 2)))
            if cust.row.customer_group in ("oem", "reseller") and price < 100:
                units *= rng.choice((1, 1, 2, 3, 5))
            base = units
        qty = max(base, item.moq)
        qty = (qty / mult).to_integral_value(rounding=ROUND_CEILING) * mult
        return qty.quantize(Q3)

    def _quote(
        self, cust: _Cust, item: Item, qty: Decimal, on: date, promo_code: str
    ) -> tuple[Decimal, str]:
        """The price the desk would have quoted, by the precedence of `domain.pricing`:
        a valid contract wins outright; else the lowest of the customer's price list (the
        item's own entry before its category's), quantity breaks and the order's promotion
        (ties to the earlier); else list. Labels are the ones `price_source` carries."""
        assert cust.row.id is not None and item.id is not None
        contract = [
            a
            for a in self.agreements.get((cust.row.id, item.id), [])
            if a.valid_from <= on
            and (a.valid_to is None or on <= a.valid_to)
            and qty >= a.min_quantity
        ]
        if contract:
            best = min(contract, key=lambda a: a.price)
            return best.price, f"contract {best.contract_ref}"
        lst = item.list_price
        cands: list[tuple[Decimal, str]] = []
        pl_id = cust.row.price_list_id
        if pl_id is not None:
            code = self.price_lists[pl_id].code
            fixed = self.pl_fixed.get((pl_id, item.id))
            pct = self.pl_pct.get((pl_id, item.category))
            if fixed is not None:
                cands.append((_q4(fixed), f"price list {code} net"))
            elif pct is not None:
                cands.append((_q4(lst * (100 - pct) / 100), f"price list {code} -{_fmt(pct)}% "
                              f"{item.category}"))  # fmt: skip
        for qb in self.breaks.get(item.id, []):
            if qb.price_list_id not in (None, pl_id) or qty < qb.min_quantity:
                continue
            owner = f" ({self.price_lists[qb.price_list_id].code})" if qb.price_list_id else ""
            if qb.price is not None:
                price = _q4(qb.price)
            else:
                price = _q4(lst * (100 - (qb.percent_off or ZERO)) / 100)
            cands.append((price, f"break {_fmt(qb.min_quantity)}+{owner}"))
        promo = self.promo_by_code.get(promo_code) if promo_code else None
        if promo is not None and self._promo_fits(promo, cust, item, on):
            price = lst
            if promo.percent_off is not None:
                price = price * (100 - promo.percent_off) / 100
            if promo.amount_off is not None:
                price = price - promo.amount_off
            cands.append((_q4(max(price, ZERO)), f"promo {promo.code}"))
        if not cands:
            return lst, "list"
        return min(cands, key=lambda c: c[0])

    def _promo_fits(self, promo: Promotion, cust: _Cust, item: Item | None, on: date) -> bool:
        if not promo.active or not (promo.valid_from <= on <= promo.valid_to):
            return False
        if promo.customer_group and promo.customer_group != cust.row.customer_group:
            return False
        if item is None:
            return True
        if promo.item_category and promo.item_category != item.category:
            return False
        return promo.item_id is None or promo.item_id == item.id

    def _warehouse(self, ship_to: Address, item: Item) -> Warehouse:
        chi, rno, tor = self.warehouses["CHI"], self.warehouses["RNO"], self.warehouses["TOR"]
        if ship_to.country == "CA":
            prefs = [tor, chi]
        elif ship_to.country == "US" and ship_to.region in WEST:
            prefs = [rno, chi]
        else:
            prefs = [chi]
        for wh in prefs:
            if item.hazmat_un_number and not wh.hazmat_capable:
                continue
            if (item.id, wh.id) in self.stock:
                return wh
        return chi

    def _pick_source(self, cust: _Cust) -> OrderSource:
        if cust.row.edi_partner_id:
            return OrderSource.EDI if self.rng.random() < 0.9 else OrderSource.PHONE
        roll = self.rng.random()
        if roll < 0.5:
            return OrderSource.KEYBOARD
        return OrderSource.EMAIL if roll < 0.78 else OrderSource.PHONE

    def _pick_age(self, state: OrderState, cust: _Cust) -> int:
        terms = cust.row.payment_terms_days
        r = self.rng
        return {
            OrderState.DRAFT: lambda: r.randint(0, 2),
            OrderState.ENTERED: lambda: r.randint(0, 1),
            OrderState.ON_HOLD: lambda: r.randint(0, 8),
            OrderState.ACKNOWLEDGED: lambda: r.randint(0, 9),
            OrderState.RELEASED: lambda: r.randint(0, 6),
            OrderState.PARTIALLY_SHIPPED: lambda: r.randint(6, 30),
            OrderState.SHIPPED: lambda: r.randint(3, 12),
            # invoices stay within terms + grace: only the story customers are past due
            OrderState.INVOICED: lambda: r.randint(8, terms + 8),
            OrderState.CLOSED: lambda: r.randint(max(terms + 25, 45), 210),
            OrderState.CANCELLED: lambda: r.randint(1, 150),
        }[state]()

    def _pick_items(self, cust: _Cust, n: int, state: OrderState) -> list[Item]:
        rng = self.rng
        chosen: list[Item] = []
        chosen_ids: set[int | None] = set()
        open_state = state in (
            OrderState.ENTERED,
            OrderState.ON_HOLD,
            OrderState.ACKNOWLEDGED,
            OrderState.RELEASED,
        )
        tries = 0
        while len(chosen) < n and tries < n * 10:
            tries += 1
            if open_state and rng.random() < 0.04 and self.short_items:
                item = rng.choice(self.short_items)
                if not self._eligible(cust, item):
                    continue
            elif state == OrderState.CLOSED and rng.random() < 0.04:
                legacy = [i for i in self.items.values() if i.status == ItemStatus.DISCONTINUED]
                item = rng.choice(legacy)
                if cust.export and item.hazmat_un_number:
                    continue
            else:
                item = rng.choice(cust.pool)
            if item.id not in chosen_ids:
                chosen.append(item)
                chosen_ids.add(item.id)
        return chosen

    def _make_line(self, order: _Order, item: Item, qty: Decimal | None = None) -> _Line:
        cust = order.cust
        assert cust.row.id is not None and item.id is not None
        qty = qty if qty is not None else self._qty(cust, item)
        price, source = self._quote(cust, item, qty, order.entered_at.date(), order.promotion_code)
        line = _Line(
            item=item,
            quantity=qty,
            unit_price=price,
            price_source=source,
            warehouse=self._warehouse(order.ship_to, item),
            customer_part=self.xref.get((cust.row.id, item.id), ""),
        )
        if (
            order.source != OrderSource.EDI
            and not source.startswith("contract")
            and self.rng.random() < 0.03
        ):
            floor = (item.cost * Decimal("1.22")).quantize(Q4, rounding=ROUND_HALF_UP)
            cut = (price * Decimal(self.rng.choice(("0.90", "0.93", "0.95")))).quantize(Q4)
            if cut >= floor:
                line.unit_price = cut
                line.price_source = "override"
                line.override_reason = self.rng.choice(OVERRIDE_REASONS)
        return line

    def _new_order(
        self,
        cust: _Cust,
        state: OrderState,
        *,
        age: int | None = None,
        source: OrderSource | None = None,
        priority: Priority | None = None,
        ship_to: Address | None = None,
        items: list[tuple[Item, Decimal | None]] | None = None,
        n_lines: int | None = None,
        tag: str = "",
    ) -> _Order:
        rng = self.rng
        source = source or self._pick_source(cust)
        age = age if age is not None else self._pick_age(state, cust)
        entered_at = self._work_time(self._biz_back(self.today - timedelta(days=age)))
        lag = {
            OrderSource.EDI: timedelta(seconds=rng.randint(20, 400)),
            OrderSource.EMAIL: timedelta(minutes=rng.randint(8, 360)),
            OrderSource.PHONE: timedelta(seconds=rng.randint(30, 240)),
            OrderSource.KEYBOARD: timedelta(minutes=rng.randint(3, 90)),
        }[source]
        if priority is None:
            priority = Priority.RUSH if rng.random() < 0.12 else Priority.NORMAL
        if ship_to is None:
            ship_to = cust.default_ship_to if rng.random() < 0.65 else rng.choice(cust.ship_tos)
        entered_by = (
            SYSTEM
            if source == OrderSource.EDI
            else rng.choice((*COORDINATORS, *COORDINATORS, SUPERVISOR))
        )
        order = _Order(
            cust=cust,
            state=state,
            source=source,
            priority=priority,
            entered_at=entered_at,
            received_at=entered_at - lag,
            ship_to=ship_to,
            entered_by=entered_by,
            tag=tag,
        )
        running = [p for p in self.promotions if self._promo_fits(p, cust, None, entered_at.date())]
        if running and state != OrderState.DRAFT and rng.random() < 0.45:
            order.promotion_code = rng.choice(running).code
        if items is None:
            if n_lines is None:
                n_lines = rng.choice((1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6))
                if source == OrderSource.EDI:
                    n_lines += rng.randint(1, 4)
            items = [(i, None) for i in self._pick_items(cust, n_lines, state)]
        for item, qty in items:
            order.lines.append(self._make_line(order, item, qty))
        self._finish(order)
        self.orders.append(order)
        return order

    # ------------------------------------------------------------------ money and dates

    def _mode(self, ship_via: str) -> tuple[str, str, str]:
        return SHIP_VIA.get(ship_via, ("Customer pickup", ship_via or "Will call", "pickup"))

    def _freight_cost(self, weight: Decimal, mode: str) -> Decimal:
        kg = max(weight, Decimal("0.5"))
        rates = {
            "parcel": ("9.25", "1.05"),
            "air": ("24.00", "3.60"),
            "ltl": ("165.00", "0.34"),
            "intl": ("95.00", "7.20"),
            "pickup": ("0", "0"),
        }[mode]
        return cents(Decimal(rates[0]) + Decimal(rates[1]) * kg)

    def _weight(self, lines: list[tuple[_Line, Decimal]]) -> Decimal:
        return sum((ln.item.weight_kg * q for ln, q in lines), ZERO).quantize(Q3)

    def _finish(self, order: _Order) -> None:
        """Ship-via, totals and the state's dates."""
        cust, rng = order.cust, self.rng
        via = cust.row.default_ship_via
        weight = self._weight([(ln, ln.quantity) for ln in order.lines])
        if order.priority == Priority.RUSH and not cust.export:
            via = "Purolator Express" if cust.country == "CA" else "UPS Next Day Air"
        elif order.priority == Priority.RUSH:
            via = "FedEx International Priority" if self._mode(via)[2] == "intl" else via
        elif weight > 150 and self._mode(via)[2] == "parcel":
            via = "Day & Ross LTL" if cust.country == "CA" else "XPO LTL"
        order.ship_via = via
        self._retotal(order)
        note = ""
        if rng.random() < 0.15:
            note = rng.choice(
                (
                    "Call receiving 30 min before delivery.",
                    "PO number on every carton, please.",
                    "Customer will pick up partials; do not hold for complete.",
                    "Mark for: maintenance crib.",
                    "Confirm lead time on backordered lines by email.",
                )
            )
        if order.priority == Priority.RUSH:
            note = f"RUSH: line down - ship today if possible. {note}"
        order.header_notes = note.strip()
        self._timeline(order)

    def _timeline(self, order: _Order) -> None:
        rng, st = self.rng, order.state
        entered = order.entered_at
        edi = order.source == OrderSource.EDI
        rush = order.priority == Priority.RUSH
        ahead = rng.randint(1, 2) if rush else rng.randint(3, 12)
        if order.cust.row.customer_group == "oem" and not rush:
            ahead += rng.randint(0, 8)
        order.requested = self._biz_add(entered.date(), ahead)
        if st != OrderState.DRAFT:
            promised = order.requested
            if rng.random() < 0.2:
                promised = self._biz_add(promised, rng.randint(1, 4))
            order.first_promised = promised
            order.last_promised = promised
            if rng.random() < 0.13:
                order.last_promised = self._biz_add(promised, rng.randint(2, 8))
        if st == OrderState.CANCELLED:
            order.cancelled_from = rng.choice(
                (OrderState.ENTERED, OrderState.ACKNOWLEDGED, OrderState.ACKNOWLEDGED,
                 OrderState.RELEASED)
            )  # fmt: skip
            if order.tag == "credit_cancel":
                order.cancelled_from = OrderState.ON_HOLD
            order.cancel_reason = order.cancel_reason or rng.choice(CANCEL_REASONS)
        reached = {
            OrderState.ACKNOWLEDGED: 1,
            OrderState.RELEASED: 2,
            OrderState.PARTIALLY_SHIPPED: 3,
            OrderState.SHIPPED: 4,
            OrderState.INVOICED: 5,
            OrderState.CLOSED: 6,
        }.get(st, 0)
        if st == OrderState.CANCELLED:
            reached = {OrderState.ACKNOWLEDGED: 1, OrderState.RELEASED: 2}.get(
                order.cancelled_from or OrderState.ENTERED, 0
            )
        if reached >= 1:
            delay = (
                timedelta(minutes=rng.randint(2, 25))
                if edi
                else timedelta(minutes=rng.randint(15, 8 * 60))
            )
            order.acknowledged_at = self._before_now(entered + delay, entered)
        if reached >= 2:
            assert order.acknowledged_at is not None
            delay = timedelta(minutes=rng.randint(10, 120) if rush else rng.randint(60, 30 * 60))
            order.released_at = self._before_now(
                order.acknowledged_at + delay, order.acknowledged_at
            )
        if reached >= 3:
            self._plan_shipments(order)
        if reached >= 5:
            assert order.shipped_at is not None
            billing = datetime.combine(
                order.shipped_at.date() + timedelta(days=1), time(7, 30), tzinfo=UTC
            ) + timedelta(minutes=rng.randint(0, 60))
            order.invoiced_at = self._before_now(billing, order.shipped_at, 30)
        if reached >= 6:
            assert order.invoiced_at is not None
            terms = order.cust.row.payment_terms_days
            if order.cust.row.payment_terms.startswith("2%10") and rng.random() < 0.5:
                pay_days = rng.randint(7, 10)
            else:
                pay_days = max(terms + rng.randint(-12, 18), 3)
            paid = datetime.combine(
                order.invoiced_at.date() + timedelta(days=pay_days), time(15), tzinfo=UTC
            ) + timedelta(minutes=rng.randint(0, 300))
            order.closed_at = self._before_now(paid, order.invoiced_at, 60)
        if st == OrderState.CANCELLED:
            base = order.released_at or order.acknowledged_at or entered
            order.cancelled_at = self._before_now(
                base + timedelta(hours=rng.randint(2, 24 * 12)), base
            )
        for line in order.lines:
            line.last_promised = order.last_promised

    def _plan_shipments(self, order: _Order) -> None:
        """Shipments for partially shipped, shipped, invoiced and closed orders."""
        rng, st = self.rng, order.state
        assert order.released_at is not None and order.first_promised is not None
        floor = order.released_at + timedelta(hours=1)
        if st == OrderState.SHIPPED:
            ship_at = self.now - timedelta(minutes=rng.randint(60, 30 * 60))
        else:
            on_time = rng.random() < 0.86
            day = order.first_promised - timedelta(days=rng.randint(0, 2))
            if not on_time:
                day = order.first_promised + timedelta(days=rng.randint(1, 6))
                if rng.random() < 0.6:
                    order.last_promised = max(order.last_promised or day, day)
            day = self._biz_back(day)
            ship_at = datetime.combine(day, time(20), tzinfo=UTC) + timedelta(
                minutes=rng.randint(0, 200)
            )
        limit = self.now - timedelta(hours=1)
        if st == OrderState.INVOICED:
            limit = self.now - timedelta(hours=20)
        if st == OrderState.CLOSED:
            limit = self.now - timedelta(days=12)
        ship_at = min(max(ship_at, floor), max(limit, floor))
        groups: dict[str, list[_Line]] = {}
        for line in order.lines:
            if line.warehouse is not None and not line.drop_ship:
                groups.setdefault(line.warehouse.code, []).append(line)
        if st == OrderState.PARTIALLY_SHIPPED:
            self._plan_partial(order, groups, ship_at)
            return
        ships: list[_Ship] = []
        for code, lines in groups.items():
            wh = self.warehouses[code]
            if len(lines) >= 2 and rng.random() < 0.18:
                later = ship_at + timedelta(days=rng.randint(2, 6))
                if later <= limit:
                    cut = rng.randint(1, len(lines) - 1)
                    ships.append(_Ship(wh, ship_at, [(ln, ln.quantity) for ln in lines[:cut]]))
                    ships.append(_Ship(wh, later, [(ln, ln.quantity) for ln in lines[cut:]]))
                    continue
            at = ship_at + timedelta(minutes=rng.randint(0, 90)) if ships else ship_at
            ships.append(_Ship(wh, min(at, max(limit, floor)), [(ln, ln.quantity) for ln in lines]))
        order.ships = ships
        for ship in ships:
            for line, qty in ship.lines:
                line.shipped = qty
                line.shipped_date = ship.shipped_at.date()
        order.shipped_at = max(s.shipped_at for s in ships)

    def _plan_partial(self, order: _Order, groups: dict[str, list[_Line]], at: datetime) -> None:
        rng = self.rng
        lines = [ln for lst in groups.values() for ln in lst]
        held_back = lines[-1]
        ships: dict[str, _Ship] = {}
        for line in lines:
            if line is held_back:
                half = (line.quantity / 2 / line.item.order_multiple).to_integral_value() * (
                    line.item.order_multiple
                )
                if len(lines) > 1 or half <= 0 or rng.random() < 0.5:
                    continue
                qty = half.quantize(Q3)
            else:
                qty = line.quantity
            assert line.warehouse is not None
            ship = ships.setdefault(line.warehouse.code, _Ship(line.warehouse, at, []))
            ship.lines.append((line, qty))
            line.shipped = qty
            line.shipped_date = at.date()
        if not ships:  # one line that cannot be split: ship most of it
            line = lines[0]
            assert line.warehouse is not None
            qty = max(line.quantity - line.item.order_multiple, line.item.order_multiple)
            if qty >= line.quantity:
                line.quantity += line.item.order_multiple
            ships[line.warehouse.code] = _Ship(line.warehouse, at, [(line, qty)])
            line.shipped, line.shipped_date = qty, at.date()
            self._retotal(order)
        order.ships = list(ships.values())

    def _retotal(self, order: _Order) -> None:
        """Subtotal, freight and tax the way `domain.pricing.price_order` computes them."""
        cust = order.cust.row
        order.subtotal = sum((ln.extended for ln in order.lines), ZERO)
        weight = sum((ln.quantity * ln.item.weight_kg for ln in order.lines), ZERO)
        order.freight = estimate_freight(
            terms=cust.freight_terms,
            weight_kg=weight,
            subtotal=order.subtotal,
            free_threshold=cust.free_freight_threshold,
            rates=self.freight_rates,
            currency=cust.currency,
        ).charge
        if order.tag == "warranty_replacement":
            order.freight = ZERO  # a no-charge replacement ships free
        order.tax = self._tax(order, order.subtotal, order.freight)

    def _tax(self, order: _Order, goods: Decimal, freight: Decimal) -> Decimal:
        cust = order.cust.row
        return compute_tax(
            table=self.tax_table,
            ship_to=ShipTo(order.ship_to.country, order.ship_to.region),
            goods=goods,
            freight=freight,
            currency=cust.currency,
            exempt_certificate=cust.tax_exempt_certificate,
            vat_id=cust.tax_id if cust.tax_id_type.upper() == "VAT" else "",
            registrations=TAX_REGISTRATIONS,
        ).amount

    # ------------------------------------------------------------------ the history

    def build_history(self) -> None:
        self._build_pools()
        self._scenarios()
        self._random_orders()
        self._near_limit_filler()
        self._holds()
        self.orders.sort(key=lambda o: o.entered_at)
        for order in self.orders:
            self._assign_po(order)
        self._allocate()
        self._backorders_and_purchasing()
        self._insert_stock()
        self._insert_orders()
        self._insert_shipments()
        self._insert_invoices()
        self._insert_purchase_orders()
        self._insert_rmas()
        self._insert_holds_and_audit()
        self._insert_notes()
        self._insert_edi()
        self.session.flush()

    def _scenarios(self) -> None:
        c, it = self.customers, self.items
        # BAYO01: credit hold, three invoices past due, new orders held.
        bayou = c["BAYO01"]
        for age in (205, 170):
            self._new_order(bayou, OrderState.CLOSED, age=age, source=OrderSource.PHONE)
        past_due = (
            (150, (("BV-HP-16", 24), ("CYL-TR-3X12-3000", 4), ("H-R2-08", 500))),
            (122, (("PMP-GR-1.6CI", 6), ("DCV-D05-4W3P-CC-24DC", 8), ("FJX-08-08", 200))),
            (98, (("6310-2RS", 40), ("UCP210-32", 12), ("80-1R-10FT", 10))),
        )
        for age, parts in past_due:
            self._new_order(
                bayou,
                OrderState.INVOICED,
                age=age,
                items=[(it[pn], Decimal(q)) for pn, q in parts],
                tag="overdue",
            )
        held = (
            (("GA-40-6000-LF", 24), ("BV-HP-12", 30)),
            (("HYD-AW46-55GAL", 3), ("6308-2RS", 20)),
        )
        for age, parts in zip((1, 4), held, strict=True):
            self._new_order(
                bayou,
                OrderState.ON_HOLD,
                age=age,
                items=[(it[pn], Decimal(q)) for pn, q in parts],
                tag="credit_hold",
            )
        cancel = self._new_order(bayou, OrderState.CANCELLED, age=40, tag="credit_cancel")
        # KEYS01 pays late: one invoice well past its NET45 terms; its new order waits.
        keys = c["KEYS01"]
        parts = (("B105", 20), ("6310-2RS", 12), ("GRS-EP2-35LB", 10), ("SRL-20FT-CBL", 2))
        self._new_order(
            keys,
            OrderState.INVOICED,
            age=92,
            items=[(it[pn], Decimal(q)) for pn, q in parts],
            tag="overdue",
        )
        self._new_order(keys, OrderState.ON_HOLD, age=1, tag="credit_overdue")
        cancel.cancel_reason = "credit hold not resolved within 30 days; customer bought elsewhere"
        # SUMM01: near its credit limit (filler added after the random orders).
        summit = c["SUMM01"]
        for age in (120, 85):
            self._new_order(summit, OrderState.CLOSED, age=age)
        for age in (6, 14, 23):
            self._new_order(summit, OrderState.INVOICED, age=age + 3, tag="summit_open")
        self._new_order(summit, OrderState.ACKNOWLEDGED, age=2)
        self._new_order(summit, OrderState.RELEASED, age=1)
        # TIDE01: the denied-party look-alike.
        tide = c["TIDE01"]
        self._new_order(
            tide,
            OrderState.ON_HOLD,
            age=1,
            source=OrderSource.EMAIL,
            items=[(it["VFD-10HP-480V"], Decimal(4)), (it["6310-2RS"], Decimal(20))],
            tag="denied_party",
        )
        old = self._new_order(tide, OrderState.CANCELLED, age=60, source=OrderSource.EMAIL)
        old.cancel_reason = "no end-use statement received; customer withdrew the order"
        # Controlled items for export: compliance holds.
        self._new_order(
            c["REGI01"],
            OrderState.ON_HOLD,
            age=2,
            items=[(it["CHM-TEA99-GAL"], Decimal(20)), (it["HHCS-0500-13X200-ZP"], None)],
            tag="eccn",
        )
        self._new_order(
            c["SCHW01"],
            OrderState.ON_HOLD,
            age=3,
            items=[(it["DAQ-AI16-HS"], Decimal(2)), (it["6206-2RS"], Decimal(50))],
            tag="eccn",
        )
        # EDI exceptions.
        self._new_order(c["NSTR01"], OrderState.ON_HOLD, age=0, source=OrderSource.EDI,
                        tag="edi_price")  # fmt: skip
        self._new_order(c["GLMS01"], OrderState.ON_HOLD, age=1, source=OrderSource.EDI,
                        tag="edi_shipto")  # fmt: skip
        # Stock, price, address and ERP holds on ordinary customers.
        for code in ("ACME01", "FRNT01", "MAPL01"):
            self._new_order(c[code], OrderState.ON_HOLD, age=self.rng.randint(0, 5), tag="stock")
        for code in ("LONE01", "PIED01", "IRON01"):
            self._new_order(c[code], OrderState.ON_HOLD, age=self.rng.randint(0, 3), tag="price")
        for code in ("BLUE01", "PEAK01", "ALMO01"):
            self._new_order(
                c[code],
                OrderState.ON_HOLD,
                age=self.rng.randint(0, 4),
                ship_to=c[code].ship_tos[-1],
                tag="address",
            )
        self._new_order(c["HRTL01"], OrderState.ON_HOLD, age=0, tag="erp")
        self._new_order(c["KEYS01"], OrderState.ON_HOLD, age=2, tag="stock+price")
        # A drop ship and a special buy.
        self._new_order(
            c["GLMS01"],
            OrderState.RELEASED,
            age=3,
            source=OrderSource.EDI,
            ship_to=c["GLMS01"].ship_tos[2],
            items=[(it["LED-HB-240W-5K"], Decimal(12)), (it["LED-WP-40W-5K"], Decimal(6))],
            tag="drop_ship",
        )
        self._new_order(
            c["LONE01"],
            OrderState.ACKNOWLEDGED,
            age=2,
            items=[(it["VFD-25HP-480V"], Decimal(2)), (it["B75"], Decimal(6))],
            tag="special_buy",
        )
        # A warranty claim: the original sale and the no-charge replacement.
        self._new_order(
            c["IRON01"],
            OrderState.CLOSED,
            age=150,
            items=[(it["MTR-5HP-184TC-TEFC"], Decimal(2)), (it["RED-WRM-60-30-56C"], Decimal(2))],
            tag="warranty_original",
        )
        repl = self._new_order(
            c["IRON01"],
            OrderState.SHIPPED,
            age=4,
            source=OrderSource.PHONE,
            items=[(it["MTR-5HP-184TC-TEFC"], Decimal(1))],
            tag="warranty_replacement",
        )
        for line in repl.lines:
            line.unit_price, line.price_source = ZERO, "override"
            line.override_reason = "warranty replacement, no charge (see RMA)"
        self._retotal(repl)

    def _random_orders(self) -> None:
        quota = {
            OrderState.CLOSED: 124,
            OrderState.INVOICED: 56,
            OrderState.SHIPPED: 16,
            OrderState.PARTIALLY_SHIPPED: 16,
            OrderState.RELEASED: 24,
            OrderState.ACKNOWLEDGED: 26,
            OrderState.ON_HOLD: 3,
            OrderState.ENTERED: 18,
            OrderState.DRAFT: 10,
            OrderState.CANCELLED: 16,
        }
        special = {"BAYO01", "SUMM01", "TIDE01"}
        pick = [cu for code, cu in self.customers.items() if code not in special]
        weights = [
            EDI_WEIGHT if cu.row.edi_partner_id else TIER_WEIGHT[cu.row.service_tier] for cu in pick
        ]
        for state, n in quota.items():
            for _ in range(n):
                cust = self.rng.choices(pick, weights)[0]
                tag = "random_hold" if state == OrderState.ON_HOLD else ""
                n_lines = None
                if state == OrderState.PARTIALLY_SHIPPED:
                    n_lines = self.rng.randint(2, 5)
                    tag = "partial"
                order = self._new_order(cust, state, n_lines=n_lines, tag=tag)
                if state == OrderState.PARTIALLY_SHIPPED:
                    self._force_short_line(order)

    def _force_short_line(self, order: _Order) -> None:
        """A partially shipped order waits for something: make its held-back line a short item."""
        cands = [i for i in self.short_items if self._eligible(order.cust, i)]
        if not cands or not order.ships:
            return
        shipped_lines = {id(ln) for s in order.ships for ln, _ in s.lines}
        waiting = [ln for ln in order.lines if id(ln) not in shipped_lines]
        if not waiting:
            return
        old = waiting[-1]
        new = self._make_line(order, self.rng.choice(cands))
        new.last_promised = order.last_promised
        order.lines[order.lines.index(old)] = new
        self._retotal(order)

    def _exposure(self, cust: _Cust) -> Decimal:
        """Open invoices plus the uninvoiced value of open orders (`domain.credit`)."""
        total = ZERO
        for o in self.orders:
            if o.cust is cust and o.state in (OrderState.INVOICED, *OPEN_ORDER_STATES):
                total += o.total
        return total

    def _near_limit_filler(self) -> None:
        """One more open order for SUMM01 so its exposure lands at ~96 % of its limit."""
        cust = self.customers["SUMM01"]
        limit = cust.row.credit_limit
        target = cents(limit * Decimal("0.96"))
        if self._exposure(cust) >= target:
            return
        order = self._new_order(cust, OrderState.ACKNOWLEDGED, age=0, items=[], tag="filler")
        pool = sorted(
            (i for i in cust.pool if i.list_price >= 20 and not i.fractional_uom),
            key=lambda i: i.part_number,
        )
        for item in self.rng.sample(pool, len(pool)):
            gap = target - self._exposure(cust)
            if gap < limit * Decimal("0.005"):
                break
            line = self._make_line(order, item, item.moq)
            line.price_source = line.price_source if line.price_source != "override" else "list"
            if line.price_source == "list":
                line.unit_price, line.override_reason = item.list_price, ""
            per_unit = line.unit_price * Decimal("1.2")  # with tax and freight, roughly
            units = (gap / per_unit / item.order_multiple).to_integral_value(rounding=ROUND_FLOOR)
            if units < 1:
                continue
            line.quantity = (units * item.order_multiple).quantize(Q3)
            line.quantity = min(line.quantity, (item.order_multiple * 40).quantize(Q3))
            order.lines.append(line)
            self._finish(order)
            while self._exposure(cust) > target and line.quantity > item.order_multiple:
                line.quantity -= item.order_multiple
                self._finish(order)
            if self._exposure(cust) > target:
                order.lines.remove(line)
                self._finish(order)

    def _past_due(self, cust: _Cust) -> tuple[int, Decimal, int]:
        """(count, amount, days the oldest is past due) of the customer's planned invoices."""
        count, amount, oldest = 0, ZERO, 0
        for o in self.orders:
            if o.cust is not cust or o.state != OrderState.INVOICED or o.invoiced_at is None:
                continue
            due = o.invoiced_at.date() + timedelta(days=cust.row.payment_terms_days)
            if due < self.today:
                count, amount = count + 1, amount + o.total
                oldest = max(oldest, (self.today - due).days)
        return count, amount, oldest

    def _holds(self) -> None:
        rng = self.rng
        random_kinds = [HoldKind.STOCK, HoldKind.ADDRESS, HoldKind.PRICE]
        for order in self.orders:
            raised = order.entered_at + timedelta(seconds=rng.randint(1, 20))
            tag = order.tag
            if order.state == OrderState.ON_HOLD or tag == "credit_cancel":
                kinds: list[str]
                if tag in ("credit_hold", "credit_cancel", "credit_overdue"):
                    kinds = [HoldKind.CREDIT]
                elif tag in ("denied_party", "eccn"):
                    kinds = [HoldKind.COMPLIANCE]
                elif tag in ("edi_price", "edi_shipto"):
                    kinds = [HoldKind.EDI]
                elif tag == "stock+price":
                    kinds = [HoldKind.STOCK, HoldKind.PRICE]
                elif tag in ("stock", "price", "address", "erp"):
                    kinds = [tag]
                else:
                    kinds = [random_kinds.pop(0) if random_kinds else HoldKind.STOCK]
                for kind in kinds:
                    order.holds.append(_Hold(kind, self._hold_reason(order, kind), SYSTEM, raised))
                if tag == "credit_cancel":
                    order.holds[-1].released_by = SUPERVISOR
                    assert order.cancelled_at is not None
                    order.holds[-1].released_at = order.cancelled_at - timedelta(minutes=2)
                    order.holds[-1].release_reason = "order cancelled"
            elif order.tag == "warranty_replacement" and order.acknowledged_at is not None:
                line = order.lines[0]
                order.holds.append(
                    _Hold(
                        HoldKind.PRICE,
                        f"line 1 {line.item.part_number}: price 0 is under the "
                        f"{_fmt(MARGIN_FLOOR_PERCENT)}% margin floor (cost "
                        f"{_fmt(line.item.cost)}); override by {order.entered_by}",
                        SYSTEM,
                        raised,
                        SUPERVISOR,
                        raised + (order.acknowledged_at - raised) * 0.5,
                        "no-charge warranty replacement approved under the RMA",
                    )
                )
            elif order.acknowledged_at is not None and rng.random() < 0.1:
                kind = rng.choice(
                    (HoldKind.STOCK, HoldKind.PRICE, HoldKind.ADDRESS, HoldKind.CREDIT,
                     HoldKind.EDI if order.source == OrderSource.EDI else HoldKind.STOCK)
                )  # fmt: skip
                released_by = (
                    SUPERVISOR
                    if kind in (HoldKind.CREDIT, HoldKind.PRICE)
                    else (rng.choice(COORDINATORS))
                )
                released_at = raised + (order.acknowledged_at - raised) * 0.8
                order.holds.append(
                    _Hold(
                        kind,
                        self._hold_reason(order, kind),
                        SYSTEM,
                        raised,
                        released_by,
                        max(released_at, raised + timedelta(minutes=1)),
                        self._release_reason(kind),
                    )
                )

    def _hold_reason(self, order: _Order, kind: str) -> str:
        rng, cust = self.rng, order.cust
        lines = order.lines
        if kind == HoldKind.CREDIT:
            count, amount, days = self._past_due(cust)
            grace = cust.row.overdue_grace_days
            late = (
                f"{count} invoice{'s' if count != 1 else ''} past due for {amount:,} "
                f"{cust.row.currency}, oldest {days} days (grace {grace} days)"
            )
            if order.tag in ("credit_hold", "credit_cancel"):
                return f"customer {cust.row.code} is on credit hold; {late}"
            if order.tag == "credit_overdue":
                return late
            return f"order total {order.total:,} {cust.row.currency} was over the available credit"
        if kind == HoldKind.COMPLIANCE:
            if order.tag == "denied_party":
                return (
                    "denied-party screening: possible match 'TIDEWATER MIDDLE EAST CO.' "
                    "(OFAC SDN, Consolidated Screening List), score 0.91; verify identity and "
                    "end use before release"
                )
            ctrl = next((ln for ln in lines if ln.item.eccn != "EAR99"), lines[0])
            return (
                f"{ctrl.item.part_number} is ECCN {ctrl.item.eccn}; export to "
                f"{order.ship_to.country} needs a license determination and end-use statement"
            )
        if kind == HoldKind.EDI:
            if order.tag == "edi_shipto":
                return (
                    f"850 N1*ST*92*BR-{rng.randint(50, 99):03d}: unknown ship-to code, "
                    f"defaulted to {order.ship_to.code}; confirm with the trading partner"
                )
            line = lines[min(1, len(lines) - 1)]
            sent = (line.unit_price * Decimal("1.04")).quantize(Q4)
            return (
                f"850 PO1 line {lines.index(line) + 1}: price {_fmt(sent)} differs from our "
                f"price {_fmt(line.unit_price)} ({line.price_source}); 855 not sent"
            )
        if kind == HoldKind.STOCK:
            order.ship_complete = True
            have = {ln.item.id for ln in lines}
            cands = [i for i in self.short_items if self._eligible(cust, i) and i.id not in have]
            item = rng.choice(cands)
            qty = max(self._qty(cust, item), (item.order_multiple * 4).quantize(Q3))
            line = self._make_line(order, item, qty)
            lines.append(line)
            self._finish(order)
            assert line.warehouse is not None
            level = self.stock.get((line.item.id, line.warehouse.id))  # type: ignore[arg-type]
            on_hand = level.on_hand if level is not None else ZERO
            return (
                f"ship complete requested; {line.item.part_number} is short at "
                f"{line.warehouse.code} ({_fmt(on_hand)} {line.item.uom} on hand, "
                f"{_fmt(line.quantity)} ordered); confirm partial shipment with the customer"
            )
        if kind == HoldKind.PRICE:
            line = lines[0]
            line.unit_price = (line.item.cost * Decimal("1.06")).quantize(Q4)
            line.price_source = "override"
            line.override_reason = "customer says last price was lower"
            self._finish(order)
            return (
                f"line 1 {line.item.part_number}: price {_fmt(line.unit_price)} is under the "
                f"{_fmt(MARGIN_FLOOR_PERCENT)}% margin floor (cost {_fmt(line.item.cost)}); "
                f"override by {order.entered_by}"
            )
        if kind == HoldKind.ADDRESS:
            st = order.ship_to
            return (
                f"ship-to {st.code}: carrier address validation failed for {st.city}, "
                f"{st.region} {st.postal_code}; confirm the delivery address"
            )
        if kind == HoldKind.ERP:
            return "ERP rejected the order push: customer record is locked in the ERP (HTTP 409)"
        return "held"

    @staticmethod
    def _refused_push(s: Session, order: SalesOrder, hold: Hold) -> None:
        """The push the ERP refused, behind an open ERP hold: failed in the outbox with the
        ERP's answer, so the coordinator can retry it (F11) once the ERP side is fixed."""
        assert order.id is not None
        entry = enqueue(
            s,
            entity="sales_orders",
            entity_id=order.id,
            operation="push_order",
            payload={"number": order.number, "customer_po": order.customer_po},
        )
        entry.state = "failed"
        entry.attempts = 1
        entry.last_error = hold.reason
        entry.created_at = entry.next_attempt_at = hold.raised_at

    def _release_reason(self, kind: str) -> str:
        return {
            HoldKind.STOCK: "customer accepts partial shipments",
            HoldKind.PRICE: "price approved by sales manager",
            HoldKind.ADDRESS: "address confirmed with the customer by phone",
            HoldKind.CREDIT: "payment received; released within terms",
            HoldKind.EDI: "confirmed with the trading partner",
        }.get(kind, "reviewed")

    def _assign_po(self, order: _Order) -> None:
        cust, rng = order.cust, self.rng
        cust.po_seq += rng.randint(1, 9)
        n = cust.po_seq
        code = cust.row.code
        if code == "NSTR01":
            order.customer_po = f"45{n + 10_000_000:08d}"
        elif code == "GLMS01":
            order.customer_po = f"GL{order.ship_to.code[-3:]}-{n:05d}"
        elif order.source == OrderSource.PHONE and rng.random() < 0.3 and cust.contacts:
            last = cust.contacts[0].name.split()[-1].upper()
            order.customer_po = f"VERBAL-{last}-{order.entered_at:%m%d}"[:40]
        else:
            yy = order.entered_at.strftime("%y")
            order.customer_po = (
                f"PO-{n}",
                f"{n}",
                f"{yy}-{n % 10000:04d}",
                f"MRO-{n:05d}",
                f"{code[:3]}{n}",
            )[cust.po_style]

    # ------------------------------------------------------------------ allocation and supply

    def _allocate(self) -> None:
        """Open orders take stock first come, first served; the rest is backordered."""
        open_states = (
            OrderState.ENTERED,
            OrderState.ON_HOLD,
            OrderState.ACKNOWLEDGED,
            OrderState.RELEASED,
            OrderState.PARTIALLY_SHIPPED,
        )
        for order in self.orders:
            if order.state == OrderState.CANCELLED:
                for line in order.lines:
                    line.cancelled = line.quantity
                continue
            if order.state not in open_states:
                continue
            for line in order.lines:
                if order.tag == "drop_ship" and line.item.drop_ship_allowed:
                    line.drop_ship, line.warehouse = True, None
                    continue
                if order.tag == "special_buy" and line.item.part_number.startswith("VFD"):
                    line.special_buy = True
                    line.backordered = line.quantity
                    continue
                assert line.warehouse is not None
                level = self.stock.get((line.item.id, line.warehouse.id))  # type: ignore[arg-type]
                need = line.quantity - line.shipped
                free = (level.on_hand - level.allocated) if level is not None else ZERO
                take = max(min(need, free), ZERO)
                if not line.item.fractional_uom:
                    mult = line.item.order_multiple
                    take = ((take / mult).to_integral_value(rounding=ROUND_FLOOR) * mult).quantize(
                        Q3
                    )
                if level is not None and take > 0:
                    level.allocated += take
                line.allocated = take
                line.backordered = need - take

    def _vendor(self, item: Item) -> str:
        return item.vendor_name or CATEGORY_VENDOR[item.category]

    def _backorders_and_purchasing(self) -> None:
        rng = self.rng
        wanted: dict[tuple[int, int], list[_Line]] = defaultdict(list)
        for order in self.orders:
            for line in order.lines:
                if line.backordered > 0 and not line.special_buy and line.warehouse is not None:
                    wanted[(line.item.id, line.warehouse.id)].append(line)  # type: ignore[index]
        po_lines: dict[tuple[str, str], list[tuple[Item, Decimal, date, list[_Line]]]] = (
            defaultdict(list)
        )
        by_id = {i.id: i for i in self.items.values()}
        owner = {id(ln): o for o in self.orders for ln in o.lines}
        whs = {w.id: w for w in self.warehouses.values()}
        for (item_id, wh_id), lines in wanted.items():
            item = by_id[item_id]
            eta = self.today + timedelta(days=rng.randint(3, min(max(item.lead_time_days, 6), 35)))
            if rng.random() < 0.2:
                eta = self.today - timedelta(days=rng.randint(1, 4))  # vendor is late
            need = sum((ln.backordered for ln in lines), ZERO)
            qty = max(need * 2, item.moq)
            qty = ((qty / item.order_multiple).to_integral_value(rounding=ROUND_CEILING)) * (
                item.order_multiple
            )
            po_lines[(self._vendor(item), whs[wh_id].code)].append((item, qty, eta, lines))
            for line in lines:
                order = owner[id(line)]
                first = order.first_promised
                waited = order.state == OrderState.PARTIALLY_SHIPPED or rng.random() < 0.4
                late = first is not None and first < self.today and waited
                if late and first is not None:
                    stale = self.today - timedelta(days=rng.randint(1, 6))
                    line.last_promised = max(first, stale)
                else:
                    ship = self._biz_add(max(eta, self.today), 1)
                    line.last_promised = max(ship, first or ship)
                if order.last_promised is None or (
                    line.last_promised and line.last_promised > order.last_promised
                ):
                    order.last_promised = line.last_promised
        # Out-of-stock items nobody is waiting for yet still have supply coming.
        for item in self.short_items[::3]:
            wh = self.warehouses["CHI"]
            if (item.id, wh.id) in wanted or (item.id, wh.id) not in self.stock:
                continue
            eta = self.today + timedelta(days=rng.randint(5, 30))
            qty = (item.order_multiple * rng.randint(5, 20)).quantize(Q3)
            po_lines[(self._vendor(item), "CHI")].append((item, max(qty, item.moq), eta, []))
        for (vendor, wh_code), lines in sorted(po_lines.items()):
            wh = self.warehouses[wh_code]
            lead = max(i.lead_time_days for i, *_ in lines)
            first_eta = min(e for _, _, e, _ in lines)
            ordered = self._work_time(self._biz_back(first_eta - timedelta(days=lead)))
            ordered = min(ordered, self.now - timedelta(days=1))
            po = _PO(vendor, "replenishment", wh, ordered)
            for item, qty, eta, _waiting in lines:
                po.lines.append((item, qty, ZERO, item.cost, eta, None))
            self.pos.append(po)
        # A few received replenishments and one cancelled PO, for history.
        stocked = sorted(
            (i for i in self.items.values() if i.status == ItemStatus.ACTIVE),
            key=lambda i: i.part_number,
        )
        for k in range(4):
            picks = rng.sample(stocked, rng.randint(2, 5))
            vendor = self._vendor(picks[0])
            eta = self.today - timedelta(days=rng.randint(4, 25))
            po = _PO(vendor, "replenishment", self.warehouses[("CHI", "RNO", "CHI", "TOR")[k]],
                     self._work_time(eta - timedelta(days=picks[0].lead_time_days)),
                     state="received" if k < 3 else "cancelled")  # fmt: skip
            for item in picks:
                qty = (item.order_multiple * rng.randint(5, 30)).quantize(Q3)
                got = qty if k < 3 else ZERO
                po.lines.append((item, qty, got, item.cost, eta, None))
            self.pos.append(po)
        # Drop ship and special buy, linked to their sales orders.
        for order in self.orders:
            if order.tag == "drop_ship":
                dl = [ln for ln in order.lines if ln.drop_ship]
                eta = self._biz_add(self.today, 4)
                po = _PO(self._vendor(dl[0].item), "drop_ship", None,
                         order.released_at or order.entered_at, order=order)  # fmt: skip
                for line in dl:
                    po.lines.append((line.item, line.quantity, ZERO, line.item.cost, eta, line))
                    line.last_promised = max(eta, order.first_promised or eta)
                self.pos.append(po)
            if order.tag == "special_buy":
                sl = [ln for ln in order.lines if ln.special_buy]
                eta = self._biz_add(self.today, 12)
                po = _PO(self._vendor(sl[0].item), "special_buy", self.warehouses["CHI"],
                         order.acknowledged_at or order.entered_at, order=order)  # fmt: skip
                for line in sl:
                    po.lines.append((line.item, line.quantity, ZERO, line.item.cost, eta, line))
                    ship = self._biz_add(eta, 1)
                    line.last_promised = max(ship, order.first_promised or ship)
                order.last_promised = max(
                    (ln.last_promised for ln in order.lines if ln.last_promised),
                    default=order.last_promised,
                )
                self.pos.append(po)

    # ------------------------------------------------------------------ inserts

    def _insert_orders(self) -> None:
        s = self.session
        numbers = [next_number(s, "order") for _ in self.orders]
        rows: list[SalesOrder] = []
        for order, number in zip(self.orders, numbers, strict=True):
            cust = order.cust
            assert cust.row.id is not None
            open_state = order.state in (
                OrderState.ENTERED,
                OrderState.ON_HOLD,
                OrderState.ACKNOWLEDGED,
                OrderState.RELEASED,
                OrderState.PARTIALLY_SHIPPED,
                OrderState.DRAFT,
            )
            assigned = order.entered_by if order.entered_by in COORDINATORS else ""
            if open_state and not assigned:
                assigned = self.rng.choice(COORDINATORS)
            last_change = max(
                d
                for d in (
                    order.entered_at,
                    order.acknowledged_at,
                    order.released_at,
                    order.shipped_at,
                    order.invoiced_at,
                    order.closed_at,
                    order.cancelled_at,
                )
                if d is not None
            )
            order.row = SalesOrder(
                number=number,
                customer_id=cust.row.id,
                customer_po=order.customer_po,
                bill_to_id=cust.bill_to.id,
                ship_to_id=order.ship_to.id,
                state=order.state,
                source=order.source,
                priority=order.priority,
                ship_via=order.ship_via,
                ship_complete=order.ship_complete,
                freight_terms=cust.row.freight_terms,
                incoterm=cust.row.incoterm,
                incoterm_place=cust.row.incoterm_place,
                currency=cust.row.currency,
                payment_terms=cust.row.payment_terms,
                promotion_code=order.promotion_code,
                notes=order.header_notes.strip(),
                received_at=order.received_at,
                entered_at=order.entered_at,
                requested_date=order.requested,
                first_promised_date=order.first_promised,
                last_promised_date=order.last_promised,
                acknowledged_at=order.acknowledged_at,
                released_at=order.released_at,
                shipped_at=order.shipped_at
                if order.state not in (OrderState.PARTIALLY_SHIPPED,)
                else None,
                invoiced_at=order.invoiced_at,
                closed_at=order.closed_at,
                cancelled_at=order.cancelled_at,
                cancel_reason=order.cancel_reason if order.state == OrderState.CANCELLED else "",
                entered_by=order.entered_by,
                assigned_to=assigned,
                subtotal=order.subtotal,
                freight=order.freight,
                tax=order.tax,
                total=order.total,
                created_at=order.entered_at,
                updated_at=last_change,
            )
            rows.append(order.row)
        s.add_all(rows)
        s.flush()
        lines: list[dict[str, Any]] = []
        planned: list[_Line] = []
        for order in self.orders:
            assert order.row is not None and order.row.id is not None
            for no, ln in enumerate(order.lines, start=1):
                planned.append(ln)
                lines.append(
                    {
                        "order_id": order.row.id,
                        "line_no": no,
                        "item_id": ln.item.id,
                        "part_number": ln.item.part_number,
                        "customer_part_number": ln.customer_part,
                        "description": ln.item.description,
                        "quantity": ln.quantity,
                        "uom": ln.item.uom,
                        "list_price": ln.item.list_price,
                        "unit_price": ln.unit_price,
                        "price_source": ln.price_source,
                        "discount_percent": ZERO,
                        "discount_amount": ZERO,
                        "override_reason": ln.override_reason,
                        "extended": ln.extended,
                        "warehouse_id": ln.warehouse.id if ln.warehouse else None,
                        "quantity_allocated": ln.allocated,
                        "quantity_shipped": ln.shipped,
                        "quantity_backordered": ln.backordered,
                        "quantity_cancelled": ln.cancelled,
                        "requested_date": order.requested,
                        "first_promised_date": order.first_promised,
                        "last_promised_date": ln.last_promised if order.first_promised else None,
                        "shipped_date": ln.shipped_date,
                        "drop_ship": ln.drop_ship,
                        "version": 1,
                    }
                )
        for ln, line_id in zip(planned, self._bulk_insert(SalesOrderLine, lines), strict=True):
            ln.row_id = line_id
        self.summary.orders = len(rows)
        self.summary.order_lines = len(lines)

    def _bulk_insert(self, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
        """INSERT many rows without building ORM objects; their ids, in the order given."""
        if not rows:
            return []
        table = model.__table__  # type: ignore[attr-defined]
        stmt = insert(model).returning(table.c.id, sort_by_parameter_order=True)
        moment = self.clock.moment
        rows = [
            {key: moment(v) if isinstance(v, datetime) else v for key, v in row.items()}
            for row in rows
        ]
        return [int(row[0]) for row in self.session.execute(stmt, rows)]

    def _insert_stock(self) -> None:
        updated = self.now - timedelta(hours=2)
        rows = [
            {
                "item_id": item_id,
                "warehouse_id": wh_id,
                "on_hand": level.on_hand,
                "allocated": level.allocated,
                "bin_location": level.bin_location,
                "updated_at": updated,
                "version": 1,
            }
            for (item_id, wh_id), level in self.stock.items()
        ]
        self._bulk_insert(StockLevel, rows)
        self.summary.stock_levels = len(rows)

    def _package_plan(self, ship: _Ship, mode: str) -> list[tuple[Decimal, tuple[int, int, int]]]:
        weight = self._weight(ship.lines)
        if mode in ("ltl", "pickup") and weight > 60:
            n = int(weight // 450) + 1
            dims = (122, 102, self.rng.choice((90, 110, 130)))
        else:
            n = min(int(weight // 22) + 1, 6)
            dims = self.rng.choice(((30, 25, 20), (40, 30, 30), (45, 35, 30), (60, 40, 40)))
        share = (weight / n).quantize(Q3) if n else weight
        return [(max(share, Decimal("0.2")), dims) for _ in range(n)]

    def _insert_shipments(self) -> None:
        s, rng = self.session, self.rng
        ships = sorted(
            ((o, sh) for o in self.orders for sh in o.ships), key=lambda p: p[1].shipped_at
        )
        ups_serial, fedex_serial, pro_serial, sscc_serial = (
            rng.randint(1_000_000, 3_000_000),
            rng.randint(10**10, 3 * 10**10),
            rng.randint(10**8, 4 * 10**8),
            rng.randint(10**7, 9 * 10**7),
        )
        rows: list[Shipment] = []
        packages: list[tuple[Shipment, _Ship, list[dict[str, Any]]]] = []
        for order, ship in ships:
            assert order.row is not None and order.row.id is not None
            carrier, service, mode = self._mode(order.ship_via)
            weight = self._weight(ship.lines)
            edi = bool(order.cust.row.edi_partner_id)
            transit = {"parcel": 3, "air": 1, "ltl": 4, "intl": 6, "pickup": 0}[mode]
            delivered = ship.shipped_at + timedelta(days=rng.randint(1, max(transit, 1)), hours=3)
            is_delivered = mode != "pickup" and delivered < self.now
            bol = ""
            if mode in ("ltl", "pickup", "intl"):
                sscc_serial += 1
                body = f"{GS1_PREFIX}{sscc_serial:09d}"[:16]
                bol = body + _gs1_check(body)
            pro = ""
            if mode == "ltl":
                pro_serial += rng.randint(1, 40)
                pro = f"{pro_serial:010d}" if carrier != "Old Dominion" else f"{pro_serial:011d}"
            elif mode == "intl" and carrier.startswith("DHL"):
                pro = f"{rng.randint(10**9, 10**10 - 1)}"
            pkgs: list[dict[str, Any]] = []
            for pw, (ln_, wd, ht) in self._package_plan(ship, mode):
                tracking = ""
                if carrier == "UPS":
                    ups_serial += 1
                    svc = {"Ground": "03", "Next Day Air": "01"}.get(service, "66")
                    tracking = _ups_tracking("8V7A41", svc, ups_serial)
                elif carrier == "FedEx":
                    fedex_serial += 1
                    tracking = _fedex_tracking(fedex_serial)
                elif carrier == "Purolator":
                    tracking = f"3290{rng.randint(10**7, 10**8 - 1)}"
                sscc = ""
                if edi or mode in ("ltl", "pickup"):
                    sscc_serial += 1
                    body = f"0{GS1_PREFIX}{sscc_serial:09d}"
                    sscc = body + _gs1_check(body)
                pkgs.append(
                    {
                        "sscc": sscc,
                        "tracking_number": tracking,
                        "weight_kg": pw,
                        "length_cm": ln_,
                        "width_cm": wd,
                        "height_cm": ht,
                    }
                )
            main_tracking = pro or (str(pkgs[0]["tracking_number"]) if pkgs else "")
            row = Shipment(
                number=next_number(s, "shipment"),
                order_id=order.row.id,
                warehouse_id=ship.warehouse.id,
                ship_to_id=order.ship_to.id,
                state="delivered" if is_delivered else "shipped",
                carrier=carrier,
                service=service,
                tracking_number=main_tracking,
                bol_number=bol,
                freight_cost=self._freight_cost(weight, mode),
                weight_kg=weight,
                created_at=ship.shipped_at - timedelta(hours=rng.randint(2, 20)),
                shipped_at=ship.shipped_at,
                delivered_at=delivered if is_delivered else None,
                asn_sent_at=ship.shipped_at + timedelta(minutes=rng.randint(5, 40))
                if edi
                else None,
            )
            ship.row = row
            rows.append(row)
            packages.append((row, ship, pkgs))
        s.add_all(rows)
        s.flush()
        all_pkgs: list[dict[str, Any]] = []
        for row, _, pkgs in packages:
            assert row.id is not None
            for p in pkgs:
                p["shipment_id"] = row.id
            all_pkgs.extend(pkgs)
        pkg_ids = iter(self._bulk_insert(Package, all_pkgs))
        slines: list[dict[str, Any]] = []
        for row, ship, pkgs in packages:
            assert row.id is not None
            ids = [next(pkg_ids) for _ in pkgs]
            for k, (line, qty) in enumerate(ship.lines):
                assert line.row_id is not None
                lot = ""
                if line.item.category == "chemicals":
                    lot = f"L{ship.shipped_at:%y%j}-{rng.randint(1000, 9999)}"
                elif line.item.vendor_warranted and line.item.list_price > 250:
                    lot = f"SN{rng.randint(10**7, 10**8 - 1)}"
                slines.append(
                    {
                        "shipment_id": row.id,
                        "order_line_id": line.row_id,
                        "quantity": qty,
                        "lot_serial": lot,
                        "package_id": ids[k % len(ids)] if ids else None,
                    }
                )
        self._bulk_insert(ShipmentLine, slines)
        self.summary.shipments = len(rows)

    def _insert_invoices(self) -> None:
        s, rng = self.session, self.rng
        billable = [
            o
            for o in self.orders
            if o.ships
            and o.state in (OrderState.INVOICED, OrderState.CLOSED, OrderState.PARTIALLY_SHIPPED)
        ]

        def bill_time(o: _Order) -> datetime:
            if o.invoiced_at is not None:
                return o.invoiced_at
            first = min(sh.shipped_at for sh in o.ships)
            return self._before_now(
                datetime.combine(first.date() + timedelta(days=1), time(8), tzinfo=UTC), first, 30
            )

        billable.sort(key=bill_time)
        invoices: list[Invoice] = []
        partial_paid = 0
        for order in billable:
            assert order.row is not None and order.row.id is not None
            cust = order.cust.row
            assert cust.id is not None
            at = bill_time(order)
            shipped = [(ln, q) for sh in order.ships for ln, q in sh.lines]
            subtotal = sum((cents(q * ln.unit_price) for ln, q in shipped), ZERO)
            tax = self._tax(order, subtotal, order.freight)
            total = subtotal + order.freight + tax
            paid = ZERO
            state = "open"
            if order.state == OrderState.CLOSED:
                state, paid = "paid", total
            elif (
                order.state == OrderState.INVOICED
                and partial_paid < 3
                and order.cust.row.code not in ("SUMM01", "BAYO01")
                and rng.random() < 0.08
            ):
                partial_paid += 1
                paid = cents(total / 2)
            inv = Invoice(
                number=next_number(s, "invoice"),
                kind="invoice",
                order_id=order.row.id,
                customer_id=cust.id,
                shipment_id=order.ships[-1].row.id if order.ships[-1].row else None,
                invoice_date=at.date(),
                due_date=at.date() + timedelta(days=cust.payment_terms_days),
                state=state,
                currency=cust.currency,
                subtotal=subtotal,
                freight=order.freight,
                tax=tax,
                total=total,
                amount_paid=paid,
                created_at=at,
            )
            order.invoice = inv
            invoices.append(inv)
        s.add_all(invoices)
        s.flush()
        lines: list[dict[str, Any]] = []
        billed: list[tuple[int, Decimal, _Line]] = []
        for order in billable:
            assert order.invoice is not None and order.invoice.id is not None
            for sh in order.ships:
                for ln, q in sh.lines:
                    lines.append(
                        {
                            "invoice_id": order.invoice.id,
                            "order_line_id": ln.row_id,
                            "item_id": ln.item.id,
                            "description": ln.item.description,
                            "quantity": q,
                            "unit_price": ln.unit_price,
                            "extended": cents(q * ln.unit_price),
                        }
                    )
                    billed.append((order.invoice.id, q, ln))
        for (invoice_id, q, ln), line_id in zip(
            billed, self._bulk_insert(InvoiceLine, lines), strict=True
        ):
            self._invoice_lines[invoice_id].append(_Billed(line_id, q, ln.unit_price, ln))
        self.summary.invoices = len(invoices)

    def _insert_purchase_orders(self) -> None:
        s = self.session
        self.pos.sort(key=lambda p: p.ordered_at)
        rows: list[PurchaseOrder] = []
        for po in self.pos:
            so_id = po.order.row.id if po.order is not None and po.order.row is not None else None
            rows.append(
                PurchaseOrder(
                    number=next_number(s, "purchase"),
                    vendor_name=po.vendor,
                    kind=po.kind,
                    warehouse_id=po.warehouse.id if po.warehouse else None,
                    sales_order_id=so_id,
                    state=po.state,
                    ordered_at=po.ordered_at,
                    eta=min(e for *_, e, _ in po.lines),
                )
            )
        s.add_all(rows)
        s.flush()
        lines: list[PurchaseOrderLine] = []
        for po, row in zip(self.pos, rows, strict=True):
            assert row.id is not None
            for item, qty, got, cost, eta, so_line in po.lines:
                assert item.id is not None
                lines.append(
                    PurchaseOrderLine(
                        purchase_order_id=row.id,
                        item_id=item.id,
                        sales_order_line_id=so_line.row_id if so_line else None,
                        quantity=qty.quantize(Q3),
                        quantity_received=got,
                        unit_cost=cost,
                        eta=eta,
                    )
                )
        s.add_all(lines)
        s.flush()
        self.summary.purchase_orders = len(rows)

    def _insert_rmas(self) -> None:
        s, rng = self.session, self.rng
        cands = [
            o
            for o in self.orders
            if o.state in (OrderState.CLOSED, OrderState.INVOICED)
            and o.invoice is not None
            and o.cust.row.code not in ("BAYO01", "SUMM01", "TIDE01")
            and not o.tag.startswith("warranty")
        ]
        picks = rng.sample(cands, 7)
        picks.sort(key=lambda o: o.entered_at)
        original = next(o for o in self.orders if o.tag == "warranty_original")
        replacement = next(o for o in self.orders if o.tag == "warranty_replacement")
        specs = [
            ("return", "requested", "ordered_in_error", picks[0]),
            ("return", "authorised", "damaged", picks[1]),
            ("warranty", "received", "warranty", picks[2]),
            ("warranty", "inspected", "warranty", picks[3]),
            ("return", "credited", "excess", picks[4]),
            ("warranty", "replaced", "warranty", original),
            ("return", "rejected", "excess", picks[5]),
            ("return", "closed", "wrong_item", picks[6]),
        ]
        specs.sort(key=lambda sp: sp[3].entered_at)
        rmas: list[tuple[RMA, list[RMALine], _Order, str]] = []
        for kind, state, reason, order in specs:
            assert order.row is not None and order.invoice is not None
            cust_id = order.cust.row.id
            assert cust_id is not None and order.shipped_at is not None
            if state == "replaced":
                requested = replacement.entered_at - timedelta(hours=rng.randint(3, 30))
            elif state == "rejected":
                requested = order.shipped_at + timedelta(days=140)
            else:
                gap = max((self.now - order.shipped_at).days - 2, 1)
                requested = order.shipped_at + timedelta(days=rng.randint(1, min(gap, 40)))
            requested = self._before_now(requested, order.shipped_at, 120)
            progressed = state not in ("requested", "rejected")
            authorised_at = requested + timedelta(hours=rng.randint(1, 30)) if progressed else None
            if authorised_at is not None:
                authorised_at = self._before_now(authorised_at, requested, 90)
            received_at = None
            if state in ("received", "inspected", "credited", "replaced", "closed"):
                assert authorised_at is not None
                received_at = self._before_now(
                    authorised_at + timedelta(days=rng.randint(3, 8)), authorised_at, 60
                )
            invoice_lines = self._invoice_lines[order.invoice.id]  # type: ignore[index]
            if kind == "warranty":
                chosen = [b for b in invoice_lines if b.line.item.warranty_months > 0][:1]
                chosen = chosen or invoice_lines[:1]
            else:
                chosen = invoice_lines[: rng.randint(1, min(2, len(invoice_lines)))]
            restock = ZERO
            returned = ZERO
            rlines: list[RMALine] = []
            for il in chosen:
                ln = il.line
                assert ln.row_id is not None and ln.item.id is not None
                qty = (
                    ln.item.order_multiple if ln.item.order_multiple < il.quantity else il.quantity
                )
                if kind == "warranty":
                    qty = Decimal(1)
                got = qty if received_at is not None else ZERO
                findings, disposition, wh = "", "", None
                if state in ("inspected", "replaced"):
                    findings = "bearing noise at 1800 rpm confirmed; drive-end bearing failed"
                    disposition = "replace" if state == "replaced" else ""
                elif state in ("credited", "closed"):
                    findings = "unused, original packaging"
                    disposition, wh = "restock", self.warehouses["CHI"].id
                returned += cents(qty * il.unit_price)
                rlines.append(
                    RMALine(
                        rma_id=0,
                        order_line_id=ln.row_id,
                        invoice_line_id=il.id,
                        item_id=ln.item.id,
                        lot_serial="",
                        reason_code=reason,
                        quantity_requested=qty,
                        quantity_received=got,
                        findings=findings,
                        disposition=disposition,
                        disposition_warehouse_id=wh,
                        vendor_recovery=kind == "warranty" and ln.item.vendor_warranted,
                    )
                )
            if state in ("credited", "closed"):
                restock = returns_rules.restocking_fee(
                    RETURN_POLICY, reason, order.cust.row.service_tier, returned
                )
            rma = RMA(
                number=next_number(s, "rma_req" if state in ("requested", "rejected") else "rma"),
                customer_id=cust_id,
                order_id=order.row.id,
                invoice_id=order.invoice.id,
                kind=kind,
                state=state,
                reason_code=reason,
                requested_at=requested,
                authorised_at=authorised_at,
                authorised_by=SUPERVISOR if authorised_at else "",
                received_at=received_at,
                closed_at=(
                    self._before_now(received_at + timedelta(days=2), received_at, 30)
                    if state in ("closed", "replaced") and received_at
                    else (requested + timedelta(hours=4) if state == "rejected" else None)
                ),
                rejected_reason=(
                    "return requested 140 days after shipment; excess stock returns are accepted "
                    "for 60 days"
                    if state == "rejected"
                    else ""
                ),
                restocking_fee=restock,
                freight_credit=ZERO,
                credit_amount=ZERO,
                replacement_order_id=(
                    replacement.row.id if state == "replaced" and replacement.row else None
                ),
                created_by=rng.choice(COORDINATORS),
            )
            rma.state_changed_at = (
                rma.closed_at or rma.received_at or rma.authorised_at or rma.requested_at
            )
            rmas.append((rma, rlines, order, state))
        s.add_all([r for r, *_ in rmas])
        s.flush()
        memos: list[tuple[Invoice, list[InvoiceLine], RMA]] = []
        for rma, rlines, order, state in rmas:
            assert rma.id is not None
            for rl in rlines:
                rl.rma_id = rma.id
            s.add_all(rlines)
            if state in ("credited", "closed"):
                assert rma.received_at is not None and rma.customer_id is not None
                subtotal = sum(
                    (cents(rl.quantity_received * self._unit_price(order, rl)) for rl in rlines),
                    ZERO,
                )
                lines = [
                    InvoiceLine(
                        invoice_id=0,
                        order_line_id=rl.order_line_id,
                        item_id=rl.item_id,
                        description=f"Return {rma.number}",
                        quantity=rl.quantity_received,
                        unit_price=self._unit_price(order, rl),
                        extended=cents(rl.quantity_received * self._unit_price(order, rl)),
                    )
                    for rl in rlines
                ]
                lines.append(
                    InvoiceLine(
                        invoice_id=0,
                        description=f"Restocking fee ({rma.number})",
                        quantity=Decimal(1),
                        unit_price=-rma.restocking_fee,
                        extended=-rma.restocking_fee,
                    )
                )
                net = subtotal - rma.restocking_fee
                tax = self._tax(order, net, ZERO)
                credit_day = self._before_now(
                    rma.received_at + timedelta(days=1), rma.received_at, 30
                )
                memo = Invoice(
                    number=next_number(s, "credit"),
                    kind="credit_memo",
                    order_id=order.row.id if order.row else None,
                    customer_id=rma.customer_id,
                    invoice_date=credit_day.date(),
                    due_date=credit_day.date(),
                    state="paid" if state == "closed" else "open",
                    currency=order.cust.row.currency,
                    subtotal=net,
                    freight=ZERO,
                    tax=tax,
                    total=net + tax,
                    amount_paid=net + tax if state == "closed" else ZERO,
                    created_at=credit_day,
                )
                rma.credit_amount = memo.total
                if state == "credited":
                    rma.state_changed_at = credit_day
                memos.append((memo, lines, rma))
        s.add_all([m for m, *_ in memos])
        s.flush()
        for memo, lines, rma in memos:
            assert memo.id is not None
            rma.credit_memo_id = memo.id
            for il in lines:
                il.invoice_id = memo.id
            s.add_all(lines)
        s.flush()
        self.summary.rmas = len(rmas)
        self.summary.invoices += len(memos)
        self._rmas = rmas

    def _unit_price(self, order: _Order, rl: RMALine) -> Decimal:
        return next(ln.unit_price for ln in order.lines if ln.row_id == rl.order_line_id)

    def _insert_holds_and_audit(self) -> None:
        s, rng = self.session, self.rng
        n_holds = 0
        n_events = 0

        def event(at: datetime, **kw: Any) -> None:
            nonlocal n_events
            ev = record(s, **kw)
            ev.at = at
            n_events += 1

        hold_rows: list[tuple[Hold, _Hold, _Order]] = []
        for order in self.orders:
            assert order.row is not None and order.row.id is not None
            for h in order.holds:
                hold_rows.append(
                    (
                        Hold(
                            order_id=order.row.id,
                            kind=h.kind,
                            reason=h.reason[:400],
                            raised_by=h.raised_by,
                            raised_at=h.raised_at,
                            released_by=h.released_by,
                            released_at=h.released_at,
                            release_reason=h.release_reason,
                            version=2 if h.released_at else 1,
                        ),
                        h,
                        order,
                    )
                )
        s.add_all([h for h, *_ in hold_rows])
        s.flush()
        n_holds = len(hold_rows)
        holds_by_order: dict[int, list[Hold]] = defaultdict(list)
        for row, _, order in hold_rows:
            assert order.row is not None and order.row.id is not None
            holds_by_order[order.row.id].append(row)
            if row.kind == HoldKind.ERP and row.released_at is None:
                self._refused_push(s, order.row, row)

        for order in self.orders:
            row = order.row
            assert row is not None and row.id is not None
            oid = row.id
            first = OrderState.DRAFT if order.state == OrderState.DRAFT else OrderState.ENTERED
            event(
                order.entered_at,
                actor=order.entered_by,
                entity="sales_orders",
                entity_id=oid,
                action="order.created",
                changes={"state": (None, first), "number": (None, row.number)},
                order_id=oid,
                reason=f"{order.source} order, customer PO {order.customer_po}",
            )
            state = first
            for hold in holds_by_order.get(oid, []):
                assert hold.id is not None
                event(
                    hold.raised_at,
                    actor=SYSTEM,
                    entity="holds",
                    entity_id=hold.id,
                    action="hold.raised",
                    changes={"kind": (None, hold.kind)},
                    order_id=oid,
                    reason=hold.reason,
                )
                if state != OrderState.ON_HOLD:
                    event(
                        hold.raised_at,
                        actor=SYSTEM,
                        entity="sales_orders",
                        entity_id=oid,
                        action="order.state",
                        changes={"state": (state, OrderState.ON_HOLD)},
                        order_id=oid,
                        reason=f"{hold.kind} hold",
                    )
                    state = OrderState.ON_HOLD
            for hold in holds_by_order.get(oid, []):
                if hold.released_at is None:
                    continue
                assert hold.id is not None
                supervisor_kind = hold.kind in (
                    HoldKind.CREDIT,
                    HoldKind.PRICE,
                    HoldKind.COMPLIANCE,
                )
                event(
                    hold.released_at,
                    actor=hold.released_by,
                    entity="holds",
                    entity_id=hold.id,
                    action="hold.released",
                    changes={"released_by": ("", hold.released_by)},
                    order_id=oid,
                    reason=hold.release_reason,
                    approved_by=SUPERVISOR
                    if supervisor_kind and hold.released_by != SUPERVISOR
                    else "",
                )
            if state == OrderState.ON_HOLD and order.state != OrderState.ON_HOLD:
                released = [h.released_at for h in holds_by_order[oid] if h.released_at]
                if order.state != OrderState.CANCELLED and released:
                    event(
                        max(released),
                        actor=SYSTEM,
                        entity="sales_orders",
                        entity_id=oid,
                        action="order.state",
                        changes={"state": (OrderState.ON_HOLD, OrderState.ENTERED)},
                        order_id=oid,
                        reason="last hold released",
                    )
                    state = OrderState.ENTERED
            steps: list[tuple[datetime | None, OrderState, str]] = [
                (order.acknowledged_at, OrderState.ACKNOWLEDGED,
                 SYSTEM if order.source == OrderSource.EDI else order.entered_by),
                (order.released_at, OrderState.RELEASED, rng.choice(COORDINATORS)),
            ]  # fmt: skip
            if order.state == OrderState.PARTIALLY_SHIPPED and order.ships:
                steps.append((order.ships[0].shipped_at, OrderState.PARTIALLY_SHIPPED, SYSTEM))
            elif order.shipped_at is not None:
                if len(order.ships) > 1:
                    steps.append((order.ships[0].shipped_at, OrderState.PARTIALLY_SHIPPED, SYSTEM))
                steps.append((order.shipped_at, OrderState.SHIPPED, SYSTEM))
            steps.append((order.invoiced_at, OrderState.INVOICED, SYSTEM))
            steps.append((order.closed_at, OrderState.CLOSED, SYSTEM))
            for at, new, actor in steps:
                if at is None:
                    continue
                event(
                    at,
                    actor=actor,
                    entity="sales_orders",
                    entity_id=oid,
                    action="order.state",
                    changes={"state": (state, new)},
                    order_id=oid,
                )
                state = new
            if order.cancelled_at is not None:
                by_sup = state == OrderState.RELEASED
                actor = rng.choice(COORDINATORS)
                event(
                    order.cancelled_at,
                    actor=actor,
                    entity="sales_orders",
                    entity_id=oid,
                    action="order.cancelled",
                    changes={"state": (state, OrderState.CANCELLED)},
                    order_id=oid,
                    reason=order.cancel_reason,
                    approved_by=SUPERVISOR if by_sup else "",
                )
        for rma, _, order, _state in self._rmas:
            assert rma.id is not None and order.row is not None
            event(
                rma.requested_at,
                actor=rma.created_by,
                entity="rmas",
                entity_id=rma.id,
                action="rma.created",
                changes={"state": (None, "requested")},
                order_id=order.row.id,
                reason=rma.reason_code,
            )
            if rma.state != "requested":
                event(
                    rma.closed_at or rma.received_at or rma.authorised_at or rma.requested_at,
                    actor=SUPERVISOR,
                    entity="rmas",
                    entity_id=rma.id,
                    action="rma.state",
                    changes={"state": ("requested", rma.state)},
                    order_id=order.row.id,
                )
        s.flush()
        self.summary.holds = n_holds
        self.summary.audit_events = n_events

    def _insert_notes(self) -> None:
        rng = self.rng
        notes: list[Note] = []

        def add(
            order: _Order | None,
            channel: NoteChannel,
            body: str,
            author: str,
            at: datetime,
            *,
            customer: _Cust | None = None,
            callback_at: datetime | None = None,
            done: bool = False,
        ) -> None:
            cust = order.cust if order is not None else customer
            assert cust is not None
            notes.append(
                Note(
                    customer_id=cust.row.id,
                    order_id=order.row.id if order is not None and order.row else None,
                    channel=channel,
                    body=body,
                    author=author,
                    created_at=at,
                    callback_at=callback_at,
                    callback_done=done,
                )
            )

        def contact(o: _Order) -> str:
            return o.cust.contacts[0].name if o.cust.contacts else "the buyer"

        for order in self.orders:
            assert order.row is not None
            if order.source == OrderSource.EMAIL and rng.random() < 0.25:
                add(
                    order,
                    NoteChannel.EMAIL,
                    f"PO {order.customer_po} received by email from {contact(order)}; keyed as "
                    f"{order.row.number}.",
                    order.entered_by,
                    order.entered_at,
                )
            if order.acknowledged_at and order.source != OrderSource.EDI and rng.random() < 0.1:
                email = order.cust.contacts[0].email if order.cust.contacts else ""
                add(
                    order,
                    NoteChannel.EMAIL,
                    f"Order acknowledgement sent to {email}.",
                    order.entered_by,
                    order.acknowledged_at,
                )
            if any(ln.backordered > 0 for ln in order.lines) and rng.random() < 0.5:
                at = self._before_now(order.entered_at + timedelta(days=2), order.entered_at)
                add(
                    order,
                    NoteChannel.PHONE,
                    f"{contact(order)} called for an ETA on the backordered lines; told we "
                    "would confirm once the supplier acknowledges our PO.",
                    rng.choice(COORDINATORS),
                    at,
                )
            if order.priority == Priority.RUSH and order.state == OrderState.RELEASED:
                add(
                    order,
                    NoteChannel.INTERNAL,
                    "Rush: asked the DC to pick before the 15:00 carrier cutoff.",
                    rng.choice(COORDINATORS),
                    order.released_at or order.entered_at,
                )
        waiting = [
            o
            for o in self.orders
            if o.state != OrderState.CANCELLED and any(ln.backordered > 0 for ln in o.lines)
        ]
        due = (
            (self.now - timedelta(minutes=25), "alice"),
            (self.now + timedelta(minutes=95), "bob"),
            (self.now + timedelta(days=1, hours=1), "alice"),
        )
        for (at, who), order in zip(due, waiting[-3:], strict=False):
            add(
                order,
                NoteChannel.PHONE,
                f"Promised to call {contact(order)} back with the ETA for "
                f"{order.lines[-1].item.part_number}.",
                who,
                self.now - timedelta(hours=3),
                callback_at=at,
            )
        for order in waiting[:4]:
            at = self._before_now(order.entered_at + timedelta(days=1), order.entered_at)
            add(
                order,
                NoteChannel.PHONE,
                f"Called {contact(order)} back with the ETA; accepted.",
                "bob",
                at - timedelta(hours=2),
                callback_at=at,
                done=True,
            )
        c = self.customers
        stamp = self.now - timedelta(days=6)
        add(
            None,
            NoteChannel.PHONE,
            "AR: spoke with their controller about the three past-due invoices; promised a "
            "check by Friday. Keep on credit hold.",
            SUPERVISOR,
            stamp,
            customer=c["BAYO01"],
        )
        add(
            None,
            NoteChannel.INTERNAL,
            "Credit: close to the limit. Anything more needs a payment first or a supervisor "
            "release.",
            SUPERVISOR,
            stamp + timedelta(days=3),
            customer=c["SUMM01"],
        )
        add(
            None,
            NoteChannel.INTERNAL,
            "Compliance: the name is close to an SDN entry. Ask for the end-use statement and "
            "the ultimate consignee before anything ships.",
            SUPERVISOR,
            stamp + timedelta(days=4),
            customer=c["TIDE01"],
        )
        self.session.add_all(notes)
        self.session.flush()
        self.summary.notes = len(notes)

    def _insert_edi(self) -> None:
        s, rng = self.session, self.rng
        docs: list[EDIDocument] = []
        control = {"NSTR01": rng.randint(4100, 4900), "GLMS01": rng.randint(700, 1500)}
        ours = 100
        for order in self.orders:
            if order.source != OrderSource.EDI:
                continue
            cust = order.cust.row
            assert order.row is not None and cust.edi_partner_id
            control[cust.code] += 1
            icn = control[cust.code]
            raw = self._x12_850(order, icn)
            received, entered = order.received_at, order.entered_at
            docs.append(_inbound(order, "850", icn, raw, "acknowledged", received, entered))
            ours += 1
            docs.append(
                EDIDocument(
                    direction="out",
                    transaction_set="997",
                    interchange_control=f"{ours:09d}",
                    group_control=str(ours),
                    transaction_control="0001",
                    partner_id=cust.edi_partner_id,
                    customer_id=cust.id,
                    order_id=order.row.id,
                    state="sent",
                    raw=self._x12_997(cust, ours, icn, order.entered_at),
                    file_name=f"{cust.code}_997_{ours:09d}.edi",
                    received_at=order.entered_at,
                    processed_at=order.entered_at + timedelta(seconds=3),
                )
            )
        # Lately arrived: change requests not yet handled and one refused 850, numbered by each
        # partner in the order it sent them.
        waiting = [*self._change_requests(), self._duplicate_850()]
        for _at, order, make in sorted(waiting, key=lambda w: w[0]):
            code = order.cust.row.code
            control[code] += 1
            docs.append(make(control[code]))
        docs.sort(key=lambda d: d.received_at)
        s.add_all(docs)
        s.flush()
        self.summary.edi_documents = len(docs)

    def _duplicate_850(self) -> tuple[datetime, _Order, Callable[[int], EDIDocument]]:
        """An 850 the desk refused: a duplicate of a PO already on order."""
        dup = next(o for o in reversed(self.orders) if o.cust.row.code == "NSTR01" and o.row)
        cust = dup.cust.row
        at = self.now - timedelta(minutes=42)
        assert dup.row is not None
        error = (
            f"BEG03 {dup.customer_po}: purchase order already on order "
            f"{dup.row.number}; not imported (duplicate)"
        )

        def make(icn: int) -> EDIDocument:
            return EDIDocument(
                direction="in",
                transaction_set="850",
                interchange_control=f"{icn:09d}",
                group_control=str(icn),
                transaction_control="0001",
                partner_id=cust.edi_partner_id,
                customer_id=cust.id,
                state="error",
                error=error,
                raw=self._x12_850(dup, icn, at=at),
                file_name=f"{cust.code}_850_{icn:09d}.edi",
                received_at=at,
                processed_at=at + timedelta(seconds=2),
            )

        return at, dup, make

    def _change_requests(self) -> list[tuple[datetime, _Order, Callable[[int], EDIDocument]]]:
        """860s received for open orders, not yet handled: NSTR01 raises a line's quantity on
        its newest open order and moves the delivery date of the one before; GLMS01 halved a
        line of its newest open order yesterday."""

        def open_edi(code: str) -> list[_Order]:
            return [
                o
                for o in self.orders
                if o.cust.row.code == code
                and o.source == OrderSource.EDI
                and o.row is not None
                and o.state in (OrderState.ACKNOWLEDGED, OrderState.RELEASED)
                and any(ln.quantity >= 2 and not ln.shipped for ln in o.lines)
            ]

        nstr, glms = open_edi("NSTR01"), open_edi("GLMS01")
        now = self.now
        plans: list[tuple[datetime, _Order, str]] = [
            (now - timedelta(minutes=35), nstr[-1], "more"),
            (now - timedelta(hours=1, minutes=25), nstr[-2], "later"),
            (now - timedelta(hours=26), glms[-1], "less"),
        ]
        return [(at, o, partial(self._edi_860, o, at, change)) for at, o, change in plans]

    def _edi_860(self, order: _Order, at: datetime, change: str, icn: int) -> EDIDocument:
        return _inbound(order, "860", icn, self._x12_860(order, icn, at, change), "received", at)

    def _isa(self, sender_q: str, sender: str, recv_q: str, recv: str, at: datetime, icn: int,
             fid: str) -> list[str]:  # fmt: skip
        return [
            f"ISA*00*{'':10}*00*{'':10}*{sender_q}*{sender:<15}*{recv_q}*{recv:<15}*"
            f"{at:%y%m%d}*{at:%H%M}*U*00401*{icn:09d}*0*P*>",
            f"GS*{fid}*{sender}*{recv}*{at:%Y%m%d}*{at:%H%M}*{icn}*X*004010",
        ]

    def _x12_850(self, order: _Order, icn: int, *, at: datetime | None = None) -> str:
        cust = order.cust.row
        at = at or order.received_at
        body = [
            "ST*850*0001",
            f"BEG*00*SA*{order.customer_po}**{order.received_at:%Y%m%d}",
        ]
        if order.requested:
            body.append(f"DTM*002*{order.requested:%Y%m%d}")
        body.append(f"N1*ST*{order.ship_to.name[:60]}*92*{order.ship_to.code}")
        for no, ln in enumerate(order.lines, start=1):
            ids = f"*VP*{ln.item.part_number}"
            if ln.customer_part:
                ids = f"*BP*{ln.customer_part}" + ids
            uom = {"GAL": "GA"}.get(ln.item.uom, ln.item.uom)
            body.append(f"PO1*{no}*{_fmt(ln.quantity)}*{uom}*{_fmt(ln.unit_price)}*PE{ids}")
        body.append(f"CTT*{len(order.lines)}")
        body.append(f"SE*{len(body) + 1}*0001")
        segs = [
            *self._isa(cust.edi_qualifier, cust.edi_partner_id, "ZZ", OUR_EDI_ID, at, icn, "PO"),
            *body,
            f"GE*1*{icn}",
            f"IEA*1*{icn:09d}",
        ]
        return "~\n".join(segs) + "~\n"

    def _x12_860(self, order: _Order, icn: int, at: datetime, change: str) -> str:
        """A buyer's change request: `later` moves the requested delivery a week out (DTM*002);
        `more` / `less` raise or halve the first unshipped line's quantity (POC QI / QD)."""
        cust = order.cust.row
        body = [
            "ST*860*0001",
            f"BCH*04*SA*{order.customer_po}**1*{order.received_at:%Y%m%d}",
        ]
        if change == "later":
            wanted = (order.requested or self.today) + timedelta(days=7)
            body.append(f"DTM*002*{wanted:%Y%m%d}")
        else:
            no, ln = next(
                (no, ln)
                for no, ln in enumerate(order.lines, start=1)
                if ln.quantity >= 2 and not ln.shipped
            )
            half = max(Decimal(1), (ln.quantity / 2).to_integral_value(ROUND_FLOOR))
            quantity, code = (ln.quantity + half, "QI") if change == "more" else (half, "QD")
            ids = f"*VP*{ln.item.part_number}"
            if ln.customer_part:
                ids = f"*BP*{ln.customer_part}" + ids
            uom = {"GAL": "GA"}.get(ln.item.uom, ln.item.uom)
            price = _fmt(ln.unit_price)
            body.append(f"POC*{no}*{code}*{_fmt(quantity)}*{_fmt(quantity)}*{uom}*{price}*PE{ids}")
            body.append("CTT*1")
        body.append(f"SE*{len(body) + 1}*0001")
        segs = [
            *self._isa(cust.edi_qualifier, cust.edi_partner_id, "ZZ", OUR_EDI_ID, at, icn, "PC"),
            *body,
            f"GE*1*{icn}",
            f"IEA*1*{icn:09d}",
        ]
        return "~\n".join(segs) + "~\n"

    def _x12_997(self, cust: Customer, icn: int, their_group: int, at: datetime) -> str:
        body = [
            "ST*997*0001",
            f"AK1*PO*{their_group}",
            "AK2*850*0001",
            "AK5*A",
            "AK9*A*1*1*1",
        ]
        body.append(f"SE*{len(body) + 1}*0001")
        segs = [
            *self._isa("ZZ", OUR_EDI_ID, cust.edi_qualifier, cust.edi_partner_id, at, icn, "FA"),
            *body,
            f"GE*1*{icn}",
            f"IEA*1*{icn:09d}",
        ]
        return "~\n".join(segs) + "~\n"
