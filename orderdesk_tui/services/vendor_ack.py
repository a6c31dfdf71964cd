"""The vendor's acknowledgement of a PO: their reference and the date they confirm, for the
whole PO or per line, and what it does to the customer promises waiting on it.

A confirmed date becomes the PO line's ETA and the promise of the order line bought on it
(`last_promised_date`; `first_promised_date` never changes): the confirmed date itself for a
drop ship (the vendor ships to the customer), the next weekday after it for a special buy
(received, then shipped from our warehouse). Each order whose promise moved gets a note and
an audit event per line, and, when a date moved later, a "new expected date" mail to the
customer (services.status_mail). The PO is queued for the ERP again (confirmed there).
One transaction; the PO's version guards against an acknowledgement keyed meanwhile.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from orderdesk_tui.config import MailSettings
from orderdesk_tui.erp.sync.outbox import PURCHASES
from orderdesk_tui.errors import FieldError, RuleViolation
from orderdesk_tui.models import (
    Customer,
    Item,
    Note,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
)
from orderdesk_tui.services.allocation import _write_order_dates
from orderdesk_tui.services.audit import apply_update, record
from orderdesk_tui.services.availability import today_utc
from orderdesk_tui.services.purchasing import (
    DROP_SHIP,
    OPEN,
    enqueue_push,
    lock_po_and_orders,
    remaining,
)
from orderdesk_tui.services.status_mail import PromiseMove, notify_promise_moved
from orderdesk_tui.store import Store


@dataclass(frozen=True, slots=True)
class PromiseMoved:
    """A customer promise the acknowledgement moved."""

    order_id: int
    order_number: str
    customer: str
    line_no: int
    part_number: str
    old: date | None
    new: date

    @property
    def later(self) -> bool:
        return self.old is None or self.new > self.old


@dataclass(frozen=True, slots=True)
class VendorAckResult:
    po_number: str
    lines_confirmed: int
    moved: tuple[PromiseMoved, ...]
    mails: int


def promise_for(kind: str, confirmed: date) -> date:
    """The customer promise a confirmed vendor date gives (see the module docstring)."""
    if kind == DROP_SHIP:
        return confirmed
    day = confirmed + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def acknowledge_purchase(
    store: Store,
    po_id: int,
    *,
    actor: str,
    mail: MailSettings,
    vendor_reference: str,
    confirmed: date | None,
    line_dates: Mapping[int, date] | None = None,
    expected_version: int,
    today: date | None = None,
) -> VendorAckResult:
    """Key the vendor's acknowledgement: `confirmed` for every open line, `line_dates`
    (PO line id -> date) for some; a line date wins over the PO's."""
    today = today or today_utc()
    line_dates = dict(line_dates or {})
    reference = vendor_reference.strip()
    if len(reference) > 40:
        raise FieldError("vendor reference", "at most 40 characters")
    for day in [confirmed, *line_dates.values()]:
        if day is not None and day < today:
            raise FieldError("confirmed date", f"{day} is in the past")
    if confirmed is None and not line_dates:
        raise FieldError("confirmed date", "give a date for the PO or for a line")
    with store.immediate() as session:
        return _acknowledge_in(
            session, po_id, actor, mail, reference, confirmed, line_dates, expected_version
        )


def _acknowledge_in(
    session: Session,
    po_id: int,
    actor: str,
    mail: MailSettings,
    reference: str,
    confirmed: date | None,
    line_dates: dict[int, date],
    expected_version: int,
) -> VendorAckResult:
    po, orders = lock_po_and_orders(session, po_id)
    if po is None:
        raise RuleViolation(f"purchase order {po_id} no longer exists")
    if po.state != OPEN:
        raise RuleViolation(f"{po.number} is {po.state}: only an open PO can be acknowledged")
    lines = list(
        session.exec(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.purchase_order_id == po_id)
            .order_by(col(PurchaseOrderLine.id))
        )
    )
    unknown = sorted(set(line_dates) - {line.id for line in lines})
    if unknown:
        raise RuleViolation(f"{po.number} has no line {unknown[0]}")
    dated: list[tuple[PurchaseOrderLine, date]] = []
    for line in lines:
        day = line_dates.get(line.id or 0, confirmed)
        if day is not None and remaining(line) > 0:
            dated.append((line, day))
    if not dated:
        raise RuleViolation(f"{po.number} has no open line to confirm")
    po_values: dict[str, object] = {
        "vendor_reference": reference or po.vendor_reference,
        "confirmed_date": max(day for _, day in dated),
        "eta": min(day for _, day in dated),
    }
    apply_update(
        session,
        po,
        po_values,
        expected_version=expected_version,
        actor=actor,
        action="purchase.acknowledged",
        reason=f"vendor reference {reference}" if reference else "",
    )
    for line, day in dated:
        line.confirmed_date, line.eta = day, day
        line.version += 1
        session.add(line)
    moved = _move_promises(session, po, dated, orders, actor)
    mails = _tell_customers(session, mail, moved)
    enqueue_push(session, po)
    return VendorAckResult(po.number, len(dated), tuple(moved), mails)


def _move_promises(
    session: Session,
    po: PurchaseOrder,
    dated: list[tuple[PurchaseOrderLine, date]],
    orders: dict[int, SalesOrder],
    actor: str,
) -> list[PromiseMoved]:
    line_ids = sorted(
        {line.sales_order_line_id for line, _ in dated if line.sales_order_line_id is not None}
    )
    if not line_ids:
        return []
    so_lines = {
        so.id: so
        for so in session.exec(select(SalesOrderLine).where(col(SalesOrderLine.id).in_(line_ids)))
    }
    moved: list[PromiseMoved] = []
    for po_line, day in dated:
        so = so_lines.get(po_line.sales_order_line_id or 0)
        if so is None:
            continue
        new = promise_for(po.kind, day)
        old = so.last_promised_date
        if old == new:
            continue
        order = orders[so.order_id]
        values: dict[str, object] = {"last_promised_date": new}
        if so.first_promised_date is None:
            values["first_promised_date"] = new
        apply_update(
            session,
            so,
            values,
            expected_version=so.version,
            actor=actor,
            action="line.promise_moved",
            order_id=order.id,
            reason=f"line {so.line_no}: vendor confirmed {po.number} for {day}",
        )
        customer = session.get(Customer, order.customer_id)
        part = so.part_number or _part_number(session, po_line.item_id)
        moved.append(
            PromiseMoved(
                order.id or 0,
                order.number,
                customer.name if customer is not None else "",
                so.line_no,
                part,
                old,
                new,
            )
        )
    by_order: dict[int, list[PromiseMoved]] = defaultdict(list)
    for m in moved:
        by_order[m.order_id].append(m)
    for order_id, changes in by_order.items():
        order = orders[order_id]
        lines = list(
            session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order_id))
        )
        _write_order_dates(session, order, lines, actor)
        text = f"Vendor acknowledged {po.number}" + (
            f" (their ref {po.vendor_reference})" if po.vendor_reference else ""
        )
        text += ": " + "; ".join(f"line {m.line_no} {m.old or 'none'} -> {m.new}" for m in changes)
        session.add(Note(order_id=order_id, customer_id=order.customer_id, body=text, author=actor))
        record(
            session,
            actor=actor,
            entity=PURCHASES,
            entity_id=po.id or 0,
            action="purchase.promises_moved",
            order_id=order_id,
            reason=text[:400],
        )
    return moved


def _part_number(session: Session, item_id: int) -> str:
    item = session.get(Item, item_id)
    return item.part_number if item is not None else ""


def _tell_customers(session: Session, mail: MailSettings, moved: list[PromiseMoved]) -> int:
    """The "new expected date" mail (services.status_mail) to each customer whose promise
    moved later."""
    by_order: dict[int, list[PromiseMove]] = defaultdict(list)
    for m in moved:
        by_order[m.order_id].append((m.line_no, m.part_number, m.old, m.new))
    sent = 0
    for order_id, moves in sorted(by_order.items()):
        order = session.get(SalesOrder, order_id)
        if order is not None and notify_promise_moved(session, mail, order, moves) is not None:
            sent += 1
    return sent
