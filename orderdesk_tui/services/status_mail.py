"""Order-status mails to the customer: a promised date moved later, a shipment left with its
tracking. Each builder returns (subject, body) in plain text, so any caller can queue it
through `services.mail_outbox.enqueue_status_mail`; `notify_*` build and queue in the caller's
transaction (the sender delivers it like an acknowledgement, with retries and refusals shown in
the queue).

Who calls them: whatever moves a line's promise later (allocation re-promising after a rush
took units, a vendor acknowledgement with a later date) calls `notify_promise_moved` with the
moves; whatever ships a shipment calls `notify_shipped` on the transition to shipped (no code
path ships one yet: shipments come from the warehouse through the ERP, not yet pulled).
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from orderdesk_tui.config import MailSettings
from orderdesk_tui.documents.company import DEFAULT_COMPANY
from orderdesk_tui.documents.formats import fmt_date
from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.models import (
    Item,
    MailOutbox,
    Package,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
)
from orderdesk_tui.services.mail_outbox import enqueue_status_mail

#: (line number, part number, promised before, promised now; None: to be confirmed)
PromiseMove = tuple[int, str, date | None, date | None]

_SIGN_OFF = (
    "Please reply to this mail if this does not suit you.\n\nKind regards,\n"
    f"{DEFAULT_COMPANY.name} customer service\n"
)


def _order_words(order: SalesOrder) -> str:
    po = f" (your PO {order.customer_po})" if order.customer_po else ""
    return f"{order.number}{po}"


def moved_later(moves: Sequence[PromiseMove]) -> list[PromiseMove]:
    """The moves that make the customer wait longer: a later date, or a date withdrawn."""
    return [m for m in moves if m[2] is not None and (m[3] is None or m[3] > m[2])]


def promise_moved_mail(order: SalesOrder, moves: Sequence[PromiseMove]) -> tuple[str, str]:
    """Subject and plain-text body telling the customer the expected dates of `moves`."""
    subject = f"Order {_order_words(order)}: new expected date - {DEFAULT_COMPANY.name}"
    rows = [f"  {'Line':>4}  {'Part':<20} {'Was':<10}  Now"]
    for line_no, part, old, new in moves:
        now = fmt_date(new) if new is not None else "to be confirmed"
        rows.append(f"  {line_no:>4}  {part:<20} {fmt_date(old):<10}  {now}")
    body = (
        f"The expected date of items on your order {_order_words(order)} has moved:\n\n"
        + "\n".join(rows)
        + "\n\nThe rest of the order is unchanged. We are sorry for the delay.\n"
        + _SIGN_OFF
    )
    return subject, body


def notify_promise_moved(
    session: Session,
    settings: MailSettings,
    order: SalesOrder,
    moves: Sequence[PromiseMove],
) -> MailOutbox | None:
    """Queue the mail of the `moves` that are later than promised (earlier ones are good news
    the acknowledgement carries); None when none is later or no mail goes."""
    later = moved_later(moves)
    if not later:
        return None
    subject, body = promise_moved_mail(order, later)
    return enqueue_status_mail(session, settings, order, subject, body)


def shipped_mail(session: Session, shipment: Shipment) -> tuple[str, str]:
    """Subject and plain-text body of `shipment`: carrier, service, tracking number(s) of the
    shipment and its packages, and the lines shipped."""
    order = session.get(SalesOrder, shipment.order_id)
    if order is None:  # pragma: no cover - the foreign key forbids it
        raise ValueError(f"shipment {shipment.number} has no order")
    tracking = [shipment.tracking_number.strip()]
    tracking += session.exec(
        select(Package.tracking_number)
        .where(Package.shipment_id == shipment.id)
        .order_by(col(Package.id))
    ).all()
    numbers = list(dict.fromkeys(t.strip() for t in tracking if t and t.strip()))
    shipped = session.exec(
        select(SalesOrderLine, col(ShipmentLine.quantity), Item)
        .join(ShipmentLine, col(ShipmentLine.order_line_id) == col(SalesOrderLine.id))
        .outerjoin(Item, col(Item.id) == col(SalesOrderLine.item_id))
        .where(ShipmentLine.shipment_id == shipment.id)
        .order_by(col(SalesOrderLine.line_no), col(ShipmentLine.id))
    ).all()
    rows: dict[int, tuple[str, str, Decimal, str]] = {}
    for line, quantity, item in shipped:
        part = line.part_number or (item.part_number if item else "")
        what = line.description or (item.description if item else "")
        before = rows[line.line_no][2] if line.line_no in rows else Decimal(0)
        rows[line.line_no] = (part, what, before + quantity, line.uom)
    subject = f"Order {_order_words(order)} has shipped - {DEFAULT_COMPANY.name}"
    carrier = " ".join(p for p in (shipment.carrier, shipment.service) if p) or "our carrier"
    when = f" on {fmt_date(shipment.shipped_at.date())}" if shipment.shipped_at else ""
    out = [
        f"Shipment {shipment.number} of your order {_order_words(order)} left{when} "
        f"with {carrier}.",
        "",
    ]
    if numbers:
        out.append("Tracking number" + ("s: " if len(numbers) > 1 else ": ") + numbers[0])
        out.extend(f"{'':<18}{n}" for n in numbers[1:])
    else:
        out.append("Tracking number: not given by the carrier")
    if shipment.bol_number:
        out.append(f"Bill of lading: {shipment.bol_number}")
    out += ["", f"  {'Line':>4}  {'Part':<20} {'Description':<30} {'Qty':>10} UoM"]
    for line_no, (part, what, quantity, uom) in rows.items():
        out.append(
            f"  {line_no:>4}  {part:<20} {what[:30]:<30} {fmt_qty(quantity):>10} {uom}".rstrip()
        )
    return subject, "\n".join(out) + "\n\n" + _SIGN_OFF


def notify_shipped(
    session: Session, settings: MailSettings, shipment: Shipment
) -> MailOutbox | None:
    """Queue the shipped-with-tracking mail of `shipment` (call it on its move to shipped, in
    that transaction); None when no mail goes."""
    order = session.get(SalesOrder, shipment.order_id)
    if order is None:  # pragma: no cover - the foreign key forbids it
        return None
    subject, body = shipped_mail(session, shipment)
    return enqueue_status_mail(session, settings, order, subject, body)
