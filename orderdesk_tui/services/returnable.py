"""What can come back: shipped order lines found by invoice, order, customer PO, part or
serial/lot number, or all of a customer's, each with what other RMAs already hold of it.

Lookups are exact matches on indexed columns (as typed and upper-cased), so they stay a few
milliseconds on a million-line store (bench/returns_lookup.py).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, or_
from sqlmodel import Session, col, select

from orderdesk_tui.domain import returns as rules
from orderdesk_tui.domain.returns import RmaState
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import (
    RMA,
    Customer,
    Invoice,
    InvoiceLine,
    Item,
    RMALine,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
)
from orderdesk_tui.store import Store

#: Lines listed for one search or customer (most recently shipped first).
CUSTOMER_LINES_LIMIT = 300


def _day(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).date()
    return value


@dataclass(frozen=True)
class ReturnableLine:
    """A shipped order line and how much of it can still come back."""

    order_line_id: int
    order_id: int
    order_number: str
    customer_id: int
    customer_code: str
    customer_name: str
    customer_po: str
    line_no: int
    item_id: int
    part_number: str
    description: str
    uom: str
    invoice_id: int | None
    invoice_line_id: int | None
    invoice_number: str
    #: The unit price the customer paid (the invoice line's, else the order line's net).
    unit_price: Decimal
    #: The customer's: a return's value is rounded in it (rma_request, rma_detail).
    currency: str
    shipped: Decimal
    returned: Decimal
    shipped_on: date | None
    lot_serials: tuple[str, ...]
    warranty_months: int
    vendor_warranted: bool
    vendor_name: str

    @property
    def returnable(self) -> Decimal:
        return rules.returnable(self.shipped, self.returned)


def _returned_expr() -> object:
    """What an RMA line holds back of its order line: requested until received, then what
    actually came; nothing once rejected."""
    waiting = [RmaState.REQUESTED.value, RmaState.AUTHORISED.value]
    return func.coalesce(
        func.sum(
            case(
                (col(RMA.state) == RmaState.REJECTED.value, 0),
                (col(RMA.state).in_(waiting), col(RMALine.quantity_requested)),
                else_=col(RMALine.quantity_received),
            )
        ),
        0,
    )


def _returned_by_line(
    session: Session, line_ids: Iterable[int], exclude_rma_id: int | None = None
) -> dict[int, Decimal]:
    ids = sorted(set(line_ids))
    if not ids:
        return {}
    stmt = (
        select(RMALine.order_line_id, _returned_expr())  # type: ignore[call-overload]
        .join(RMA, col(RMA.id) == col(RMALine.rma_id))
        .where(col(RMALine.order_line_id).in_(ids))
        .group_by(col(RMALine.order_line_id))
    )
    if exclude_rma_id is not None:
        stmt = stmt.where(col(RMA.id) != exclude_rma_id)
    out: dict[int, Decimal] = {}
    for line_id, value in session.execute(stmt):
        # typed as the quantity column (the SUM inherits it), so already a Decimal
        out[int(line_id)] = value if isinstance(value, Decimal) else Decimal(value or 0)
    return out


def _shipments_by_line(
    session: Session, line_ids: Sequence[int]
) -> dict[int, tuple[date | None, tuple[str, ...]]]:
    """For each order line: the last day it shipped and the serials/lots it shipped with."""
    out: dict[int, tuple[date | None, tuple[str, ...]]] = {}
    if not line_ids:
        return out
    rows = session.exec(
        select(ShipmentLine.order_line_id, ShipmentLine.lot_serial, Shipment.shipped_at)
        .join(Shipment, col(Shipment.id) == col(ShipmentLine.shipment_id))
        .where(col(ShipmentLine.order_line_id).in_(line_ids), col(Shipment.shipped_at).is_not(None))
    ).all()
    for line_id, lot, shipped_at in rows:
        last, lots = out.get(line_id, (None, ()))
        day = _day(shipped_at)
        if day is not None and (last is None or day > last):
            last = day
        if lot and lot not in lots:
            lots = (*lots, lot)
        out[line_id] = (last, lots)
    return out


def lot_shipped_on(session: Session, order_line_id: int, lot_serial: str) -> date | None:
    """When the given serial/lot of this line shipped (its warranty runs from then)."""
    shipped_at = session.exec(
        select(Shipment.shipped_at)
        .join(ShipmentLine, col(Shipment.id) == col(ShipmentLine.shipment_id))
        .where(
            ShipmentLine.order_line_id == order_line_id,
            func.upper(ShipmentLine.lot_serial) == lot_serial.strip().upper(),
        )
    ).first()
    return _day(shipped_at)


def net_unit(line: SalesOrderLine) -> Decimal:
    net = line.unit_price
    if line.discount_percent:
        net = net * (Decimal(100) - line.discount_percent) / Decimal(100)
    return net - line.discount_amount


def returnable_lines(
    session: Session, where: Sequence[ColumnElement[bool]], limit: int | None = None
) -> list[ReturnableLine]:
    stmt = (
        select(SalesOrderLine, SalesOrder, Customer, Item)
        .join(SalesOrder, col(SalesOrder.id) == col(SalesOrderLine.order_id))
        .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
        .join(Item, col(Item.id) == col(SalesOrderLine.item_id))
        .where(col(SalesOrderLine.quantity_shipped) > 0, *where)
        .order_by(
            col(SalesOrder.shipped_at).desc(),
            col(SalesOrder.id).desc(),
            col(SalesOrderLine.line_no),
        )
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = session.exec(stmt).all()
    ids = [line.id for line, *_ in rows if line.id is not None]
    returned = _returned_by_line(session, ids)
    shipped = _shipments_by_line(session, ids)
    invoiced: dict[int, tuple[InvoiceLine, Invoice]] = {}
    if ids:
        for inv_line, invoice in session.exec(
            select(InvoiceLine, Invoice)
            .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
            .where(col(InvoiceLine.order_line_id).in_(ids), col(Invoice.kind) == "invoice")
            .order_by(col(Invoice.id))
        ):
            assert inv_line.order_line_id is not None
            invoiced[inv_line.order_line_id] = (inv_line, invoice)
    out = []
    for line, order, customer, item in rows:
        assert line.id is not None and order.id is not None and customer.id is not None
        inv = invoiced.get(line.id)
        last, lots = shipped.get(line.id, (None, ()))
        out.append(
            ReturnableLine(
                order_line_id=line.id,
                order_id=order.id,
                order_number=order.number,
                customer_id=customer.id,
                customer_code=customer.code,
                customer_name=customer.name,
                customer_po=order.customer_po,
                line_no=line.line_no,
                item_id=item.id or 0,
                part_number=item.part_number,
                description=line.description or item.description,
                uom=line.uom,
                invoice_id=inv[1].id if inv else None,
                invoice_line_id=inv[0].id if inv else None,
                invoice_number=inv[1].number if inv else "",
                unit_price=inv[0].unit_price if inv else net_unit(line),
                currency=customer.currency,
                shipped=line.quantity_shipped,
                returned=returned.get(line.id, Decimal(0)),
                shipped_on=last or line.shipped_date or _day(order.shipped_at),
                lot_serials=lots,
                warranty_months=item.warranty_months,
                vendor_warranted=item.vendor_warranted,
                vendor_name=item.vendor_name,
            )
        )
    return out


def find_returnable(
    store: Store, text: str, *, customer_id: int | None = None
) -> list[ReturnableLine]:
    """Shipped lines found by invoice, order, customer PO, part or serial/lot number (exact,
    any case), optionally of one customer only."""
    typed = text.strip()
    if not typed:
        raise RuleViolation("find: type an invoice, order, PO, part or serial/lot number")
    # as typed and upper-cased: each compared on its own index (no function on the column)
    forms = sorted({typed, typed.upper()})
    with store.session() as session:
        line_ids: set[int] = set()
        for stmt in (
            select(InvoiceLine.order_line_id)
            .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
            .where(col(Invoice.number).in_(forms)),
            select(ShipmentLine.order_line_id).where(col(ShipmentLine.lot_serial).in_(forms)),
        ):
            line_ids.update(i for i in session.exec(stmt) if i is not None)
        order_ids = list(
            session.exec(
                select(SalesOrder.id).where(
                    or_(col(SalesOrder.number).in_(forms), col(SalesOrder.customer_po).in_(forms))
                )
            )
        )
        item_ids = list(session.exec(select(Item.id).where(col(Item.part_number).in_(forms))))
        found = [
            col(SalesOrderLine.id).in_(sorted(line_ids)),
            col(SalesOrderLine.order_id).in_(order_ids),
            col(SalesOrderLine.item_id).in_(item_ids),
        ]
        where: list[ColumnElement[bool]] = [or_(*found)]
        if customer_id is not None:
            where.append(col(SalesOrder.customer_id) == customer_id)
        return returnable_lines(session, where, limit=CUSTOMER_LINES_LIMIT)


def customer_returnable(store: Store, customer_id: int) -> list[ReturnableLine]:
    """A customer's shipped lines with something left to return, latest shipment first."""
    with store.session() as session:
        lines = returnable_lines(
            session, [col(SalesOrder.customer_id) == customer_id], limit=CUSTOMER_LINES_LIMIT
        )
    return [line for line in lines if line.returnable > 0]


def lines_to_return(store: Store, text: str) -> tuple[str, list[ReturnableLine]]:
    """What the coordinator typed: a customer code lists that customer's returnable lines;
    anything else is looked up as an invoice, order, PO, part or serial/lot number."""
    key = text.strip().upper()
    with store.session() as session:
        customer = (
            session.exec(select(Customer).where(col(Customer.code) == key)).first() if key else None
        )
    if customer is not None and customer.id is not None:
        lines = customer_returnable(store, customer.id)
        return f"{customer.code} {customer.name}: {len(lines)} lines to return", lines
    lines = find_returnable(store, text)
    return f"{len(lines)} shipped line{'s' if len(lines) != 1 else ''} for '{text.strip()}'", lines
