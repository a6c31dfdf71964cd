"""What the order entry screen asks of the store while a coordinator types.

Small, synchronous calls: resolve what was typed in a field (customer, ship-to, part), quote a
line (price and availability, run in workers), and check a customer PO for duplicates. The
screen decides when; nothing here knows about keys or widgets.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import SQLModel, col, func, select

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.availability.results import LineAvailability
from orderdesk_tui.domain.pricing.inputs import LineRequest
from orderdesk_tui.domain.pricing.results import LineResult
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import (
    Address,
    Customer,
    Item,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    Warehouse,
)
from orderdesk_tui.models.base import AddressKind, ItemStatus, OrderState
from orderdesk_tui.services import field_limits
from orderdesk_tui.services.availability import check_line
from orderdesk_tui.services.lookup import (
    CustomerHit,
    PartHit,
    exact_part,
    find_customers,
    find_parts,
)
from orderdesk_tui.services.pricing import load_pricing_context, price_line
from orderdesk_tui.store import Store


@dataclass(frozen=True)
class CustomerInfo:
    id: int
    code: str
    name: str
    payment_terms: str
    freight_terms: str
    incoterm: str
    incoterm_place: str
    ship_via: str
    credit_status: str
    currency: str
    active: bool
    default_ship_to: Address | None
    #: The mask its PO numbers follow (domain.po_format); "" for none.
    po_format: str = ""


@dataclass(frozen=True)
class ItemInfo:
    id: int
    part_number: str
    description: str
    uom: str
    fractional_uom: bool
    list_price: Decimal
    status: str
    replacement_id: int | None
    replacement_part: str
    hazmat: str


def resolve_customer(store: Store, typed: str) -> CustomerInfo:
    """The one customer `typed` names (code, ship-to code, or a unique match); FieldError else.

    A whole customer code (what the auto-skip commits) is one index look-up; only other text
    runs the ranked lookup (eight reads, a word search among them)."""
    with store.read_session() as session:
        exact_id = session.exec(
            select(Customer.id).where(Customer.code == typed.strip().upper())
        ).first()
    if exact_id is not None:
        return customer_info(store, exact_id)
    hits = find_customers(store, typed, limit=5)
    exact = [h for h in hits if h.code == typed.strip().upper()]
    by_ship_to = [h for h in hits if h.matched == f"ship-to {typed.strip().upper()}"]
    chosen: CustomerHit | None = None
    if exact:
        chosen = exact[0]
    elif len(by_ship_to) == 1:
        chosen = by_ship_to[0]
    elif len(hits) == 1:
        chosen = hits[0]
    if chosen is None:
        if not hits:
            raise FieldError("customer", f"no customer matches '{typed.strip()}'")
        raise FieldError("customer", f"'{typed.strip()}' matches {len(hits)} customers: F4 to pick")
    return customer_info(store, chosen.id)


def customer_info(store: Store, customer_id: int) -> CustomerInfo:
    with store.session() as session:
        c = session.get(Customer, customer_id)
        if c is None:
            raise FieldError("customer", "no longer exists")
        if not c.active:
            raise FieldError("customer", f"{c.code} is inactive")
        ship_to = session.exec(
            select(Address)
            .where(Address.customer_id == customer_id, Address.kind == AddressKind.SHIP_TO)
            .order_by(col(Address.is_default).desc(), col(Address.id))
        ).first()
        return CustomerInfo(
            c.id or 0,
            c.code,
            c.name,
            c.payment_terms,
            c.freight_terms,
            c.incoterm,
            c.incoterm_place,
            c.default_ship_via,
            c.credit_status,
            c.currency,
            c.active,
            ship_to,
            c.po_format,
        )


def resolve_ship_to(store: Store, customer_id: int, typed: str) -> Address:
    code = typed.strip().upper()
    with store.session() as session:
        address = session.exec(
            select(Address).where(
                Address.customer_id == customer_id,
                Address.code == code,
                Address.active == True,  # noqa: E712
            )
        ).first()
        if address is None:
            raise FieldError("ship-to", f"'{code}' is not an address of this customer")
        if address.kind != AddressKind.SHIP_TO:
            raise FieldError("ship-to", f"'{code}' is a {address.kind.replace('_', '-')} address")
        return address


def address(store: Store, address_id: int) -> Address:
    with store.session() as session:
        found = session.get(Address, address_id)
        if found is None:
            raise FieldError("ship-to", "no longer exists")
        return found


def item_info(store: Store, item_id: int) -> ItemInfo:
    with store.session() as session:
        item = session.get(Item, item_id)
        if item is None:
            raise FieldError("part", "no longer exists")
        replacement = (
            session.get(Item, item.replacement_item_id) if item.replacement_item_id else None
        )
        hazmat = f"{item.hazmat_un_number} cl {item.hazmat_class}" if item.hazmat_un_number else ""
        return ItemInfo(
            item.id or 0,
            item.part_number,
            item.description,
            item.uom,
            item.fractional_uom,
            item.list_price,
            item.status,
            item.replacement_item_id,
            replacement.part_number if replacement else "",
            hazmat,
        )


def resolve_part(store: Store, typed: str, customer_id: int | None) -> ItemInfo:
    """The one item `typed` names: exact part, the customer's part number, a UPC, or a unique
    match of a prefix or words; FieldError (F4 opens the lookup pre-filled) otherwise."""
    item_id = exact_part(store, typed, customer_id=customer_id)
    if item_id is None:
        hits: list[PartHit] = find_parts(store, typed, customer_id=customer_id, limit=5)
        if not hits:
            raise FieldError("part", f"no part matches '{typed.strip()}'")
        if len(hits) > 1:
            raise FieldError("part", f"'{typed.strip()}' matches {len(hits)}+ parts: F4 to pick")
        item_id = hits[0].id
    info = item_info(store, item_id)
    if info.status == ItemStatus.OBSOLETE and not info.replacement_id:
        raise FieldError("part", f"{info.part_number} is obsolete and has no replacement")
    return info


def quote_price(
    store: Store,
    settings: Settings,
    *,
    customer_id: int,
    order_date: date,
    promotion_code: str,
    ship_to_id: int | None,
    item_id: int,
    quantity: Decimal,
    override_price: Decimal | None = None,
    override_reason: str = "",
    line_no: int | None = None,
) -> LineResult:
    ctx = load_pricing_context(
        store,
        customer_id,
        order_date,
        [item_id],
        promotion_code,
        ship_to_id=ship_to_id,
        settings=settings,
    )
    return price_line(
        ctx,
        LineRequest(
            item_id=item_id,
            quantity=quantity,
            override_price=override_price,
            override_reason=override_reason,
            line_no=line_no,
        ),
    )


def quote_stock(
    store: Store, *, item_id: int, quantity: Decimal, order_id: int | None
) -> LineAvailability:
    """The line's promise as submit will allocate it: one warehouse, a split offered (F7)."""
    return check_line(store, item_id, quantity, exclude_order_id=order_id, single_warehouse=True)


#: The column each entry field is stored in (or, for the part field, searches at most).
_FIELD_COLUMNS: dict[str, tuple[type[SQLModel], str]] = {
    "customer": (Customer, "code"),
    "po": (SalesOrder, "customer_po"),
    "ship_to": (Address, "code"),
    "ship_via": (SalesOrder, "ship_via"),
    "freight": (SalesOrder, "freight_terms"),
    "priority": (SalesOrder, "priority"),
    "notes": (SalesOrder, "notes"),
    "part": (Item, "description"),
    "reason": (SalesOrderLine, "override_reason"),
}


def field_limit(field: str) -> int | None:
    """The most characters the entry field `field` can hold: its column's length (None for
    dates and numbers, which their parsers check)."""
    column = _FIELD_COLUMNS.get(field)
    return None if column is None else field_limits.max_length(*column)


def stock_left(store: Store, item_id: int) -> Decimal:
    """On hand less allocated, over every warehouse (what a discontinued part still has)."""
    with store.session() as session:
        left = session.exec(
            select(func.sum(StockLevel.on_hand - StockLevel.allocated)).where(
                StockLevel.item_id == item_id
            )
        ).one()
    return Decimal(left or 0)


def warehouse_codes(store: Store) -> dict[int, str]:
    with store.session() as session:
        return {w.id: w.code for w in session.exec(select(Warehouse)) if w.id is not None}


def customer_code_length(store: Store) -> int | None:
    """The length every customer code has, or None when they differ (then no auto-skip)."""
    with store.session() as session:
        shortest, longest = session.exec(
            select(func.min(func.length(Customer.code)), func.max(func.length(Customer.code)))
        ).one()
    return shortest if shortest is not None and shortest == longest else None


def duplicate_po(store: Store, customer_id: int, po: str, order_id: int | None) -> str | None:
    """The number of another live order of this customer with this PO, if any."""
    if not po.strip():
        return None
    with store.session() as session:
        stmt = select(SalesOrder.number).where(
            SalesOrder.customer_id == customer_id,
            SalesOrder.customer_po == po.strip(),
            col(SalesOrder.state).not_in([OrderState.CANCELLED, OrderState.DRAFT]),
        )
        if order_id is not None:
            stmt = stmt.where(SalesOrder.id != order_id)
        return session.exec(stmt).first()
