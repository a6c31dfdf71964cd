"""Special buys and drop ships: the purchase orders bought for customer order lines.

A line is bought for when it is a drop ship (`drop_ship`, the promise chosen at entry) or its
item is non-stock (`Item.stocked` false): a drop ship buys what is left to ship of the line, a
special buy what stock did not cover (the line's open quantity after allocation), less what
open PO lines already bring for that line. The PO line goes to the item's vendor, on an open
PO of the same vendor and kind that the vendor has not acknowledged yet (special buys: same
warehouse; drop ships: same customer ship-to, which the PO carries), else on a new PO. Both
sides are linked (`PurchaseOrderLine.sales_order_line_id`) and audited, and the PO is queued
for the ERP (`push_purchase`).

`purchase_for_lines` runs in the caller's transaction: submit calls it after allocation; an
order change calls it for the lines it added or raised.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import ZERO
from orderdesk_tui.erp.sync.outbox import PURCHASES, PUSH_PURCHASE
from orderdesk_tui.models import (
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    Warehouse,
)
from orderdesk_tui.services.allocation import _write_order_dates
from orderdesk_tui.services.audit import apply_update, record
from orderdesk_tui.services.availability import open_quantity, today_utc
from orderdesk_tui.services.numbering import next_number
from orderdesk_tui.services.outbox import enqueue

SPECIAL_BUY, DROP_SHIP = "special_buy", "drop_ship"
OPEN = "open"


@dataclass(frozen=True, slots=True)
class Purchased:
    """One order line bought for: on which PO, how much, or why not (`problem`)."""

    line_no: int
    part_number: str
    kind: str
    quantity: Decimal
    po_number: str = ""
    problem: str = ""


def purchase_kind(line: SalesOrderLine, item: Item | None) -> str | None:
    """special_buy, drop_ship, or None for a line that stock serves."""
    if line.item_id is None or item is None:
        return None
    if line.drop_ship:
        return DROP_SHIP
    return None if item.stocked else SPECIAL_BUY


def _needed(line: SalesOrderLine, kind: str) -> Decimal:
    if kind == DROP_SHIP:
        return line.quantity - line.quantity_shipped - line.quantity_cancelled
    return open_quantity(line)


def on_order_for(session: Session, line_id: int) -> Decimal:
    """What open PO lines still bring for the order line."""
    rows = session.exec(
        select(PurchaseOrderLine)
        .join(PurchaseOrder, col(PurchaseOrder.id) == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrderLine.sales_order_line_id == line_id, PurchaseOrder.state == OPEN)
    ).all()
    return sum((remaining(r) for r in rows), ZERO)


def remaining(line: PurchaseOrderLine) -> Decimal:
    """What the PO line still brings (ordered less received and cancelled)."""
    return max(line.quantity - line.quantity_received - line.quantity_cancelled, ZERO)


def enqueue_push(session: Session, po: PurchaseOrder) -> None:
    """Queue the PO for the ERP; the engine sends what is stored when it sends."""
    assert po.id is not None
    enqueue(
        session,
        entity=PURCHASES,
        entity_id=po.id,
        operation=PUSH_PURCHASE,
        payload={"number": po.number},
    )


def _open_po(
    session: Session, vendor: str, kind: str, warehouse_id: int | None, ship_to_id: int | None
) -> PurchaseOrder | None:
    """An open PO of the vendor and kind the vendor has not acknowledged: lines can be added."""
    where: list[ColumnElement[bool]] = [
        col(PurchaseOrder.vendor_name) == vendor,
        col(PurchaseOrder.kind) == kind,
        col(PurchaseOrder.state) == OPEN,
        col(PurchaseOrder.vendor_reference) == "",
        col(PurchaseOrder.confirmed_date).is_(None),
    ]
    if kind == DROP_SHIP:
        where.append(col(PurchaseOrder.ship_to_id) == ship_to_id)
    else:
        where.append(col(PurchaseOrder.warehouse_id) == warehouse_id)
    return session.exec(
        select(PurchaseOrder).where(*where).order_by(col(PurchaseOrder.id)).with_for_update()
    ).first()


def _default_warehouse(session: Session) -> int | None:
    return session.exec(select(Warehouse.id).order_by(col(Warehouse.id))).first()


def purchase_for_lines(
    session: Session,
    order: SalesOrder,
    lines: Sequence[SalesOrderLine],
    actor: str,
    *,
    today: date | None = None,
) -> list[Purchased]:
    """Buy for the special-buy and drop-ship lines among `lines` (see the module docstring);
    lines that stock serves, or that open POs already cover, are left alone."""
    today = today or today_utc()
    assert order.id is not None
    out: list[Purchased] = []
    touched: dict[int, PurchaseOrder] = {}
    promised = False
    item_ids = sorted({line.item_id for line in lines if line.item_id is not None})
    # one read for all lines: a submit's statements must not grow with its lines
    items: dict[int | None, Item] = {}
    if item_ids:
        items = {i.id: i for i in session.exec(select(Item).where(col(Item.id).in_(item_ids)))}
    for line in sorted(lines, key=lambda ln: ln.line_no):
        item = items.get(line.item_id)
        kind = purchase_kind(line, item)
        if kind is None or item is None or line.id is None:
            continue
        buy = _needed(line, kind) - on_order_for(session, line.id)
        if buy <= 0:
            continue
        vendor = item.vendor_name.strip()
        if not vendor:
            problem = f"item {item.part_number} has no vendor: not bought"
            record(
                session,
                actor=actor,
                entity="sales_order_lines",
                entity_id=line.id,
                action="line.not_purchased",
                order_id=order.id,
                reason=f"line {line.line_no}: {problem}",
            )
            out.append(Purchased(line.line_no, item.part_number, kind, buy, problem=problem))
            continue
        warehouse_id = None
        ship_to_id = order.ship_to_id if kind == DROP_SHIP else None
        if kind == SPECIAL_BUY:
            warehouse_id = line.warehouse_id or _default_warehouse(session)
        po = _open_po(session, vendor, kind, warehouse_id, ship_to_id)
        eta = today + timedelta(days=item.lead_time_days)
        if po is None:
            po = PurchaseOrder(
                number=next_number(session, "purchase"),
                vendor_name=vendor,
                kind=kind,
                warehouse_id=warehouse_id,
                ship_to_id=ship_to_id,
                sales_order_id=order.id,
                eta=eta,
            )
            session.add(po)
            session.flush()
            assert po.id is not None
            record(
                session,
                actor=actor,
                entity=PURCHASES,
                entity_id=po.id,
                action="purchase.created",
                changes={"vendor": (None, vendor), "kind": (None, kind)},
                reason=f"for order {order.number}",
            )
        assert po.id is not None
        po_line = PurchaseOrderLine(
            purchase_order_id=po.id,
            item_id=item.id or 0,
            sales_order_line_id=line.id,
            quantity=buy,
            unit_cost=item.cost,
            eta=eta,
        )
        session.add(po_line)
        session.flush()
        if po.eta is None or eta < po.eta:
            po.eta = eta
        po.version += 1
        session.add(po)
        what = f"{fmt_qty(buy)} {item.part_number} for {order.number} line {line.line_no}"
        record(
            session,
            actor=actor,
            entity=PURCHASES,
            entity_id=po.id,
            action="purchase.line_added",
            changes={"sales_order_line": (None, line.id), "quantity": (None, buy)},
            reason=what,
        )
        label = "drop ship" if kind == DROP_SHIP else "special buy"
        record(
            session,
            actor=actor,
            entity="sales_order_lines",
            entity_id=line.id,
            action="line.purchased",
            changes={"purchase_order": (None, po.number)},
            order_id=order.id,
            reason=f"line {line.line_no}: {label} of {fmt_qty(buy)} on {po.number} to {vendor}",
        )
        if line.last_promised_date is None:
            values: dict[str, object] = {"last_promised_date": eta}
            if line.first_promised_date is None:
                values["first_promised_date"] = eta
            apply_update(
                session,
                line,
                values,
                expected_version=line.version,
                actor=actor,
                action="line.promised",
                order_id=order.id,
                reason=f"line {line.line_no}: {po.number} due {eta}",
            )
            promised = True
        touched[po.id] = po
        out.append(Purchased(line.line_no, item.part_number, kind, buy, po.number))
    if promised:
        _write_order_dates(session, order, list(lines), actor)
    for po in touched.values():
        enqueue_push(session, po)
    return out


def lock_po_and_orders(
    session: Session, po_id: int
) -> tuple[PurchaseOrder | None, dict[int, SalesOrder]]:
    """The PO and the customer orders waiting on it, locked as every order writer locks:
    the orders first (in id order, as allocation and submit do), then the PO row."""
    order_ids = session.exec(
        select(SalesOrderLine.order_id)
        .join(PurchaseOrderLine, col(PurchaseOrderLine.sales_order_line_id) == SalesOrderLine.id)
        .where(PurchaseOrderLine.purchase_order_id == po_id)
        .distinct()
    ).all()
    orders = {
        o.id or 0: o
        for o in session.exec(
            select(SalesOrder)
            .where(col(SalesOrder.id).in_(sorted(order_ids)))
            .order_by(col(SalesOrder.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    po = session.get(PurchaseOrder, po_id, with_for_update=True, populate_existing=True)
    return po, orders
