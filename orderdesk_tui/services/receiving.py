"""Receipts against a PO, and PO lines cancelled with a reason.

A receipt of a replenishment or special-buy PO puts the quantity on hand in the PO's warehouse
and allocates it to the customer orders waiting on the PO (services.allocation.allocate_in on
each, in order id order). A drop-ship PO brings nothing to our warehouse: its receipt is the
vendor's ship confirmation, so the quantity is marked shipped on the customer line (shipped by
the vendor, `shipped_date` today) and the order moves to partially shipped / shipped where its
state allows (a released order; others keep their state). A PO whose every line is received or
cancelled is closed (`received`; `cancelled` when nothing was received). One transaction per
receipt; the PO's version guards against a receipt keyed meanwhile.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import ZERO
from orderdesk_tui.domain.order_states import can_move
from orderdesk_tui.erp.sync.outbox import PURCHASES
from orderdesk_tui.errors import FieldError, RuleViolation
from orderdesk_tui.models import (
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
)
from orderdesk_tui.models.base import OrderState, utcnow
from orderdesk_tui.services.allocation import ALLOCATABLE, allocate_in
from orderdesk_tui.services.audit import apply_update, record
from orderdesk_tui.services.availability import today_utc
from orderdesk_tui.services.purchasing import (
    DROP_SHIP,
    OPEN,
    enqueue_push,
    lock_po_and_orders,
    remaining,
)
from orderdesk_tui.store import Store


@dataclass(frozen=True, slots=True)
class ReceiptResult:
    po_number: str
    received: Decimal
    #: "SO0000123 line 2: 5 allocated" / "... 5 shipped by the vendor"
    effects: tuple[str, ...]
    po_state: str


def _lines(session: Session, po_id: int) -> dict[int, PurchaseOrderLine]:
    rows = session.exec(
        select(PurchaseOrderLine)
        .where(PurchaseOrderLine.purchase_order_id == po_id)
        .order_by(col(PurchaseOrderLine.id))
        .execution_options(populate_existing=True)
    )
    return {row.id or 0: row for row in rows}


def _open_po(session: Session, po_id: int, expected_version: int, what: str) -> PurchaseOrder:
    """Checked after `lock_po_and_orders`: the PO exists, is open and unchanged."""
    po = session.get(PurchaseOrder, po_id)
    if po is None:
        raise RuleViolation(f"purchase order {po_id} no longer exists")
    if po.state != OPEN:
        raise RuleViolation(f"{po.number} is {po.state}: nothing can be {what}")
    if po.version != expected_version:
        raise RuleViolation(f"{po.number} was changed on another terminal meanwhile: open it again")
    return po


def receive_purchase(
    store: Store,
    po_id: int,
    quantities: Mapping[int, Decimal],
    *,
    actor: str,
    expected_version: int,
    today: date | None = None,
) -> ReceiptResult:
    """Receive `quantities` (PO line id -> quantity) against the PO; see the module docstring."""
    today = today or today_utc()
    wanted = {k: v for k, v in quantities.items() if v != 0}
    if not wanted:
        raise FieldError("received", "key a quantity on at least one line")
    with store.immediate() as session:
        po_orders = lock_po_and_orders(session, po_id)
        orders = po_orders[1]
        po = _open_po(session, po_id, expected_version, "received")
        lines = _lines(session, po_id)
        for line_id, qty in wanted.items():
            line = lines.get(line_id)
            if line is None:
                raise RuleViolation(f"{po.number} has no line {line_id}")
            no = list(lines).index(line_id) + 1
            if qty < 0:
                raise FieldError(f"line {no} received", "must be more than zero")
            if qty > remaining(line):
                raise FieldError(
                    f"line {no} received",
                    f"{fmt_qty(qty)} is more than the {fmt_qty(remaining(line))} still due",
                )
        effects: list[str] = []
        for line_id, qty in wanted.items():
            line = lines[line_id]
            line.quantity_received += qty
            line.version += 1
            session.add(line)
        if po.kind == DROP_SHIP:
            effects += _shipped_by_vendor(session, po, lines, wanted, orders, actor, today)
        else:
            _put_on_hand(session, po, lines, wanted, actor)
            effects += _allocate_waiting(session, po, lines, wanted, orders, actor, today)
        total = sum(wanted.values(), ZERO)
        state = _closed_state(lines.values())
        apply_update(
            session,
            po,
            {"state": state},
            expected_version=po.version,
            actor=actor,
            action="purchase.received",
            reason=f"received {fmt_qty(total)}"[:400],
        )
        return ReceiptResult(po.number, total, tuple(effects), state)


def _closed_state(lines: Iterable[PurchaseOrderLine]) -> str:
    rows = list(lines)
    if any(remaining(r) > 0 for r in rows):
        return OPEN
    return "received" if any(r.quantity_received > 0 for r in rows) else "cancelled"


def _put_on_hand(
    session: Session,
    po: PurchaseOrder,
    lines: dict[int, PurchaseOrderLine],
    wanted: dict[int, Decimal],
    actor: str,
) -> None:
    if po.warehouse_id is None:
        raise RuleViolation(f"{po.number} has no warehouse to receive into")
    by_item: dict[int, Decimal] = {}
    for line_id, qty in wanted.items():
        item_id = lines[line_id].item_id
        by_item[item_id] = by_item.get(item_id, ZERO) + qty
    # every warehouse's rows of these items, in id order: the rows allocate_in locks next
    locked = session.exec(
        select(StockLevel)
        .where(col(StockLevel.item_id).in_(sorted(by_item)))
        .order_by(col(StockLevel.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    stock = {s.item_id: s for s in locked if s.warehouse_id == po.warehouse_id}
    for item_id, qty in sorted(by_item.items()):
        level = stock.get(item_id)
        if level is None:
            level = StockLevel(item_id=item_id, warehouse_id=po.warehouse_id)
            session.add(level)
            session.flush()
        apply_update(
            session,
            level,
            {"on_hand": level.on_hand + qty, "updated_at": utcnow()},
            expected_version=level.version,
            actor=actor,
            action="stock.received",
            reason=f"{po.number}: {fmt_qty(qty)} received",
        )


def _allocate_waiting(
    session: Session,
    po: PurchaseOrder,
    lines: dict[int, PurchaseOrderLine],
    wanted: dict[int, Decimal],
    orders: dict[int, SalesOrder],
    actor: str,
    today: date,
) -> list[str]:
    waiting: set[int] = set()
    for line_id in wanted:
        so_line_id = lines[line_id].sales_order_line_id
        so_line = session.get(SalesOrderLine, so_line_id) if so_line_id else None
        if so_line is not None:
            waiting.add(so_line.order_id)
    effects: list[str] = []
    for order_id in sorted(waiting):
        order = orders.get(order_id) or session.get(SalesOrder, order_id)
        if order is None or order.state not in ALLOCATABLE:
            continue
        result = allocate_in(session, order, actor=actor, today=today)
        for line in result.lines:
            if line.allocated > 0:
                effects.append(
                    f"{order.number} line {line.line_no}: {fmt_qty(line.allocated)} allocated"
                )
    return effects


def _shipped_by_vendor(
    session: Session,
    po: PurchaseOrder,
    lines: dict[int, PurchaseOrderLine],
    wanted: dict[int, Decimal],
    orders: dict[int, SalesOrder],
    actor: str,
    today: date,
) -> list[str]:
    effects: list[str] = []
    touched: set[int] = set()
    for line_id, qty in wanted.items():
        so_line_id = lines[line_id].sales_order_line_id
        so_line = session.get(SalesOrderLine, so_line_id) if so_line_id else None
        if so_line is None:
            continue
        order = orders.get(so_line.order_id)
        if order is None:
            continue
        apply_update(
            session,
            so_line,
            {"quantity_shipped": so_line.quantity_shipped + qty, "shipped_date": today},
            expected_version=so_line.version,
            actor=actor,
            action="line.shipped_by_vendor",
            order_id=order.id,
            reason=f"line {so_line.line_no}: {fmt_qty(qty)} shipped by the vendor on {po.number}",
        )
        touched.add(so_line.order_id)
        effects.append(f"{order.number} line {so_line.line_no}: {fmt_qty(qty)} shipped by vendor")
    for order_id in sorted(touched):
        _follow_shipment(session, orders[order_id], actor)
    return effects


def _follow_shipment(session: Session, order: SalesOrder, actor: str) -> None:
    lines = session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)).all()
    done = all(ln.quantity_shipped + ln.quantity_cancelled >= ln.quantity for ln in lines)
    target = OrderState.SHIPPED if done else OrderState.PARTIALLY_SHIPPED
    if order.state == target or not can_move(order.state, target):
        return
    values: dict[str, object] = {"state": target}
    if done:
        values["shipped_at"] = utcnow()
    apply_update(
        session,
        order,
        values,
        expected_version=order.version,
        actor=actor,
        action="order.shipped_by_vendor",
        order_id=order.id,
    )


def cancel_purchase_line(
    store: Store, po_line_id: int, *, reason: str, actor: str, expected_version: int
) -> str:
    """Cancel what is still due on a PO line, with a reason; the customer line it was bought
    for keeps waiting (its order gets an audit event saying so). Returns a summary."""
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", "say why the PO line is cancelled")
    with store.immediate() as session:
        row = session.get(PurchaseOrderLine, po_line_id)
        if row is None:
            raise RuleViolation(f"PO line {po_line_id} no longer exists")
        po_orders = lock_po_and_orders(session, row.purchase_order_id)
        po = _open_po(session, row.purchase_order_id, expected_version, "cancelled")
        lines = _lines(session, row.purchase_order_id)
        line = lines[po_line_id]
        due = remaining(line)
        if due <= 0:
            raise RuleViolation("nothing is still due on that PO line")
        line.quantity_cancelled += due
        line.cancel_reason = reason[:200]
        line.version += 1
        session.add(line)
        item = session.get(Item, line.item_id)
        part = item.part_number if item is not None else str(line.item_id)
        summary = f"{po.number}: {fmt_qty(due)} {part} cancelled ({reason})"
        apply_update(
            session,
            po,
            {"state": _closed_state(lines.values())},
            expected_version=po.version,
            actor=actor,
            action="purchase.line_cancelled",
            reason=summary[:400],
        )
        so_line = session.get(SalesOrderLine, line.sales_order_line_id or 0)
        if so_line is not None and so_line.order_id in po_orders[1]:
            record(
                session,
                actor=actor,
                entity=PURCHASES,
                entity_id=po.id or 0,
                action="line.purchase_cancelled",
                order_id=so_line.order_id,
                reason=f"line {so_line.line_no}: {summary}; it waits for another source"[:400],
            )
        enqueue_push(session, po)
        return summary
