"""Read side of orders: the paged order list and the whole order for the order view.

The list is read a page at a time (LIMIT/OFFSET on indexed columns) so a store with a million
order lines opens as fast as an empty one; nothing loads what is not on screen.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, false, func, or_
from sqlmodel import Session, col, select

from orderdesk_tui.models import (
    Address,
    AuditEvent,
    Customer,
    Hold,
    Item,
    Note,
    OrderLinePart,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    Warehouse,
)
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services.lookup import customer_ids_matching, prefix
from orderdesk_tui.services.purchase_queries import purchases_of_order
from orderdesk_tui.store import Store

if TYPE_CHECKING:
    from orderdesk_tui.services.erp_retry import FailedEntry


@dataclass(frozen=True)
class OrderFilter:
    """What the order list shows: free text (order number, PO, customer) and a state."""

    text: str = ""
    state: str | None = None


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    customer_code: str
    customer_name: str
    customer_po: str
    state: str
    priority: str
    total: Decimal
    currency: str
    entered_at: datetime | None
    requested_date: date | None
    promised_date: date | None


def _where(session: Session, flt: OrderFilter, sqlite: bool) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if flt.state:
        clauses.append(col(SalesOrder.state) == flt.state)
    needle = flt.text.strip()
    if needle:
        options = [
            prefix(SalesOrder.number, needle.upper()),
            prefix(SalesOrder.customer_po, needle),
        ]
        for variant in {needle.upper(), needle.lower()} - {needle}:  # POs are kept as sent
            options.append(prefix(SalesOrder.customer_po, variant))
        customer_ids = customer_ids_matching(session, needle, sqlite)
        if customer_ids:
            options.append(col(SalesOrder.customer_id).in_(customer_ids))
        clauses.append(or_(*options) if options else false())
    return clauses


def count_orders(store: Store, flt: OrderFilter) -> int:
    with store.session() as session:
        clauses = _where(session, flt, store.is_sqlite)
        stmt = select(func.count()).select_from(SalesOrder).where(*clauses)
        return int(session.exec(stmt).one())


def order_position(store: Store, flt: OrderFilter, order_id: int) -> int | None:
    """Where order `order_id` now is in the list (0 = top, newest first), or None if it no
    longer matches `flt`: the list keeps its cursor on that order when it is read again."""
    with store.session() as session:
        clauses = _where(session, flt, store.is_sqlite)
        matches = session.exec(
            select(SalesOrder.id).where(SalesOrder.id == order_id, *clauses)
        ).first()
        if matches is None:
            return None
        newer = select(func.count()).select_from(SalesOrder)
        newer = newer.where(col(SalesOrder.id) > order_id, *clauses)
        return int(session.exec(newer).one())


def fetch_orders(store: Store, flt: OrderFilter, offset: int, limit: int) -> list[OrderRow]:
    """One page of the order list, newest first."""
    with store.session() as session:
        stmt = (
            sa.select(  # sqlmodel's select is typed for 4 columns at most
                col(SalesOrder.id),
                col(SalesOrder.number),
                col(Customer.code),
                col(Customer.name),
                col(SalesOrder.customer_po),
                col(SalesOrder.state),
                col(SalesOrder.priority),
                col(SalesOrder.total),
                col(SalesOrder.currency),
                col(SalesOrder.entered_at),
                col(SalesOrder.requested_date),
                col(SalesOrder.last_promised_date),
            )
            .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
            .where(*_where(session, flt, store.is_sqlite))
            .order_by(col(SalesOrder.id).desc())
            .offset(offset)
            .limit(limit)
        )
        return [OrderRow(*row) for row in session.execute(stmt)]


@dataclass(frozen=True)
class LineView:
    line_no: int
    part_number: str
    description: str
    quantity: Decimal
    uom: str
    unit_price: Decimal
    price_source: str
    extended: Decimal
    #: The order's: prices and amounts are shown in its minor unit.
    currency: str
    warehouse: str
    allocated: Decimal
    shipped: Decimal
    backordered: Decimal
    promised: date | None
    hazmat: str
    #: For the order view's line actions (rush, cancel remaining): which row, at what version.
    line_id: int = 0
    version: int = 0
    rush: bool = False
    cancelled: Decimal = Decimal(0)
    #: The PO a special buy or drop ship is bought on ("PO000123 drop ship"), "" if none.
    purchase: str = ""
    #: Where and when the line is fulfilled (services.line_parts), in part order.
    parts: tuple["PartView", ...] = ()


@dataclass(frozen=True)
class PartView:
    """One part of a line: "2/2 WH2 40 2026-12-17 backordered"."""

    line_no: int
    part_no: int
    #: How many parts the line has.
    of: int
    warehouse: str
    quantity: Decimal
    promised: date | None
    state: str


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor: str
    approved_by: str
    action: str
    changes: dict[str, list[Any]]
    reason: str


@dataclass
class OrderDetail:
    order: SalesOrder
    customer: Customer
    bill_to: Address | None
    ship_to: Address | None
    lines: list[LineView] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    history: list[AuditView] = field(default_factory=list)
    #: Outbox entries the ERP refused for good, with its message (what to fix, then retry).
    erp_failures: list["FailedEntry"] = field(default_factory=list)

    @property
    def active_holds(self) -> list[Hold]:
        return [h for h in self.holds if h.released_at is None]


def load_order(store: Store, order_id: int) -> OrderDetail:
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        if order is None:
            raise LookupError(f"order {order_id} not found")
        customer = session.get(Customer, order.customer_id)
        assert customer is not None
        detail = OrderDetail(
            order=order,
            customer=customer,
            bill_to=session.get(Address, order.bill_to_id) if order.bill_to_id else None,
            ship_to=session.get(Address, order.ship_to_id) if order.ship_to_id else None,
        )
        rows = session.exec(
            select(SalesOrderLine, Item, col(Warehouse.code))
            .outerjoin(Item, col(Item.id) == col(SalesOrderLine.item_id))
            .outerjoin(Warehouse, col(Warehouse.id) == col(SalesOrderLine.warehouse_id))
            .where(col(SalesOrderLine.order_id) == order_id)
            .order_by(col(SalesOrderLine.line_no))
        )
        bought = purchases_of_order(session, order_id)
        parts = _parts_by_line(session, order_id)
        for line, item, wh_code in rows:
            po = bought.get(line.id or 0)
            hazmat = ""
            if item is not None and item.hazmat_un_number:
                hazmat = f"{item.hazmat_un_number} cl {item.hazmat_class}"
            detail.lines.append(
                LineView(
                    line_no=line.line_no,
                    part_number=line.part_number or (item.part_number if item else ""),
                    description=line.description or (item.description if item else ""),
                    quantity=line.quantity,
                    uom=line.uom,
                    unit_price=line.unit_price,
                    price_source=line.price_source,
                    extended=line.extended,
                    currency=order.currency,
                    warehouse=wh_code or "",
                    allocated=line.quantity_allocated,
                    shipped=line.quantity_shipped,
                    backordered=line.quantity_backordered,
                    promised=line.last_promised_date,
                    hazmat=hazmat,
                    line_id=line.id or 0,
                    version=line.version,
                    rush=line.rush,
                    cancelled=line.quantity_cancelled,
                    purchase=f"{po.po_number} {po.kind.replace('_', ' ')}" if po else "",
                    parts=parts.get(line.id or 0, ()),
                )
            )
        detail.holds = list(
            session.exec(
                select(Hold).where(Hold.order_id == order_id).order_by(col(Hold.raised_at))
            )
        )
        detail.notes = list(
            session.exec(
                select(Note).where(Note.order_id == order_id).order_by(col(Note.created_at))
            )
        )
        detail.shipments = list(
            session.exec(
                select(Shipment).where(Shipment.order_id == order_id).order_by(col(Shipment.id))
            )
        )
        events = session.exec(
            select(AuditEvent).where(AuditEvent.order_id == order_id).order_by(col(AuditEvent.id))
        )
        detail.history = [
            AuditView(e.at, e.actor, e.approved_by, e.action, json.loads(e.changes), e.reason)
            for e in events
        ]
        # imported here: the sync engine's module stays off the start-up path (order list)
        from orderdesk_tui.services.erp_retry import failed_entries

        detail.erp_failures = failed_entries(session, order_id)
        return detail


def _parts_by_line(session: Session, order_id: int) -> dict[int, tuple[PartView, ...]]:
    """The order's line parts with their warehouse codes, by line id."""
    rows = session.exec(
        select(OrderLinePart, col(SalesOrderLine.line_no), col(Warehouse.code))
        .join(SalesOrderLine, col(SalesOrderLine.id) == col(OrderLinePart.line_id))
        .outerjoin(Warehouse, col(Warehouse.id) == col(OrderLinePart.warehouse_id))
        .where(col(OrderLinePart.order_id) == order_id)
        .order_by(col(OrderLinePart.line_id), col(OrderLinePart.part_no))
    ).all()
    grouped: dict[int, list[tuple[OrderLinePart, int, str | None]]] = defaultdict(list)
    for part, line_no, code in rows:
        grouped[part.line_id].append((part, line_no, code))
    return {
        line_id: tuple(
            PartView(
                line_no, p.part_no, len(group), code or "-", p.quantity, p.promised_date, p.state
            )
            for p, line_no, code in group
        )
        for line_id, group in grouped.items()
    }


def find_order_id(store: Store, number_or_po: str) -> int | None:
    """The order with this number, else the newest with this customer PO."""
    needle = number_or_po.strip()
    with store.session() as session:
        found = session.exec(
            select(SalesOrder.id).where(SalesOrder.number == needle.upper())
        ).first()
        if found is None:
            found = session.exec(
                select(SalesOrder.id)
                .where(SalesOrder.customer_po == needle)
                .order_by(col(SalesOrder.id).desc())
            ).first()
        return found


ALL_STATES: tuple[str, ...] = tuple(OrderState)
