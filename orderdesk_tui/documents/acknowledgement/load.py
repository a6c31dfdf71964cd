"""Reading an order's acknowledgement from the store: the order, its lines, addresses, their
part numbers and open holds, in one session, into a frozen `Acknowledgement`.

Holds are told to the customer in customer words ("Credit review"), never with the internal
reason the desk wrote on the hold.

A revised order's acknowledgement (revision N > 0) is the order as committed now, marked with
revision N: its summary, the lines it changed flagged and the lines it removed listed (a line
number in `changed_lines` that the order no longer has was removed; what it was comes from the
revision's diff).
"""

import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from orderdesk_tui.documents.acknowledgement.model import (
    AckHold,
    AckLine,
    Acknowledgement,
    AckRemovedLine,
)
from orderdesk_tui.documents.company import DEFAULT_COMPANY, Company
from orderdesk_tui.documents.formats import address_lines
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import (
    Address,
    Customer,
    Hold,
    Item,
    ItemCrossReference,
    SalesOrder,
    SalesOrderLine,
)
from orderdesk_tui.models.base import AddressKind, CrossRefKind, FreightTerms, HoldKind
from orderdesk_tui.models.revision import OrderRevision
from orderdesk_tui.store import Store

#: Hold kinds in customer words: (label, notice). Internal reasons never reach the customer.
HOLD_NOTICES: dict[str, tuple[str, str]] = {
    HoldKind.CREDIT: (
        "Credit review",
        "Our credit department is completing a routine review of your account.",
    ),
    HoldKind.PRICE: ("Price confirmation", "We are confirming the prices on this order."),
    HoldKind.STOCK: (
        "Availability review",
        "We are confirming stock and ship dates for some items.",
    ),
    HoldKind.COMPLIANCE: (
        "Export compliance review",
        "A routine trade-compliance check is in progress.",
    ),
    HoldKind.ADDRESS: ("Address verification", "We are verifying the delivery address."),
    HoldKind.EDI: (
        "Order data check",
        "We are checking details received with your electronic order.",
    ),
    HoldKind.ERP: ("Order processing", "Your order is being entered in our systems."),
}
_OTHER_HOLD = ("Order review", "Your order is being reviewed before release.")

FREIGHT_TERMS_TEXT: dict[str, str] = {
    FreightTerms.PREPAID: "Prepaid",
    FreightTerms.COLLECT: "Collect",
    FreightTerms.PREPAID_ADD: "Prepaid & add",
    FreightTerms.THIRD_PARTY: "Third party",
}


def customer_hold(kind: str) -> AckHold:
    label, notice = HOLD_NOTICES.get(kind, _OTHER_HOLD)
    return AckHold(kind=kind, label=label, notice=notice)


def _address(
    session: Session, address_id: int | None, customer_id: int, kind: str
) -> Address | None:
    """The order's address, else the customer's default one of that kind."""
    if address_id is not None:
        return session.get(Address, address_id)
    return session.exec(
        select(Address)
        .where(Address.customer_id == customer_id, Address.kind == kind, col(Address.active))
        .order_by(col(Address.is_default).desc(), col(Address.id))
        .limit(1)
    ).first()


def _day(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def changed_line_numbers(revision: OrderRevision) -> set[int]:
    """The line numbers of the revision's `changed_lines` ("3,5")."""
    return {int(n) for n in revision.changed_lines.replace(" ", "").split(",") if n.isdigit()}


def _removed_line(number: int, diff: list[Any]) -> AckRemovedLine:
    """Line `number` as the revision's diff says it was (its old part number and quantity)."""
    was: dict[str, str] = {}
    for change in diff:
        if isinstance(change, dict) and change.get("line_no") == number:
            old = change.get("old")
            if old not in (None, "") and isinstance(change.get("field"), str):
                was.setdefault(change["field"], str(old))
    part = was.get("part_number") or was.get("part") or ""
    return AckRemovedLine(number, part, was.get("quantity") or was.get("qty") or "")


def _revision(session: Session, order_id: int, number: int) -> OrderRevision | None:
    return session.exec(
        select(OrderRevision).where(
            OrderRevision.order_id == order_id, OrderRevision.revision_no == number
        )
    ).first()


def load_acknowledgement(
    store: Store,
    order_id: int,
    *,
    revision: int | None = None,
    company: Company = DEFAULT_COMPANY,
    today: date | None = None,
) -> Acknowledgement:
    """The acknowledgement of order `order_id` for `revision` (default: the order's current
    one), read in one session.

    `today` is the issue date when the order has not been acknowledged yet (default: today)."""
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        if order is None:
            raise FieldError("order", f"no order with id {order_id}")
        revision_no = order.revision if revision is None else revision
        revised = _revision(session, order_id, revision_no) if revision_no else None
        changed = changed_line_numbers(revised) if revised is not None else set()
        customer = session.get(Customer, order.customer_id)
        if customer is None:  # pragma: no cover - the foreign key forbids it
            raise FieldError("customer", f"no customer with id {order.customer_id}")
        bill_to = _address(session, order.bill_to_id, customer.id or 0, AddressKind.BILL_TO)
        ship_to = _address(session, order.ship_to_id, customer.id or 0, AddressKind.SHIP_TO)
        rows = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        item_ids = {r.item_id for r in rows if r.item_id is not None}
        items: dict[int, Item] = {}
        their_parts: dict[int, str] = {}
        if item_ids:
            items = {
                i.id: i
                for i in session.exec(select(Item).where(col(Item.id).in_(item_ids)))
                if i.id is not None
            }
            missing = {r.item_id for r in rows if r.item_id and not r.customer_part_number}
            if missing:
                refs = session.exec(
                    select(ItemCrossReference)
                    .where(
                        ItemCrossReference.kind == CrossRefKind.CUSTOMER_PART,
                        ItemCrossReference.customer_id == customer.id,
                        col(ItemCrossReference.item_id).in_(missing),
                    )
                    .order_by(col(ItemCrossReference.id))
                ).all()
                for ref in refs:
                    their_parts.setdefault(ref.item_id, ref.reference)
        holds = session.exec(
            select(Hold)
            .where(Hold.order_id == order_id, col(Hold.released_at).is_(None))
            .order_by(col(Hold.raised_at), col(Hold.id))
        ).all()

        lines = []
        for r in rows:
            item = items.get(r.item_id) if r.item_id is not None else None
            backordered = r.quantity_backordered
            lines.append(
                AckLine(
                    line_no=r.line_no,
                    part_number=r.part_number or (item.part_number if item else ""),
                    customer_part_number=r.customer_part_number
                    or their_parts.get(r.item_id or 0, ""),
                    description=r.description or (item.description if item else ""),
                    quantity=r.quantity,
                    uom=r.uom,
                    unit_price=r.unit_price,
                    extended=r.extended,
                    promised_date=r.last_promised_date,
                    ship_now=r.quantity_allocated,
                    backordered=backordered,
                    backorder_date=r.last_promised_date if backordered > 0 else None,
                    drop_ship=r.drop_ship,
                    hazmat_un_number=item.hazmat_un_number if item else "",
                    hazmat_class=item.hazmat_class if item else "",
                    changed=r.line_no in changed,
                )
            )
        removed: tuple[AckRemovedLine, ...] = ()
        if revised is not None:
            try:
                diff = json.loads(revised.diff or "[]")
            except ValueError:
                diff = []
            present = {r.line_no for r in rows}
            removed = tuple(
                _removed_line(n, diff if isinstance(diff, list) else [])
                for n in sorted(changed - present)
            )
        seen: set[str] = set()
        ack_holds = []
        for hold in holds:
            if hold.kind not in seen:
                seen.add(hold.kind)
                ack_holds.append(customer_hold(hold.kind))

        order_date = _day(order.entered_at or order.received_at or order.created_at)
        assert order_date is not None
        return Acknowledgement(
            company=company,
            order_number=order.number,
            order_date=order_date,
            issued_on=(
                revised.created_at.date()
                if revised is not None
                else _day(order.acknowledged_at) or today or date.today()
            ),
            customer_code=customer.code,
            customer_name=customer.name,
            customer_po=order.customer_po,
            bill_to=address_lines(bill_to) or (customer.name,),
            ship_to=address_lines(ship_to),
            ship_to_code=ship_to.code if ship_to is not None else "",
            payment_terms=order.payment_terms or customer.payment_terms,
            freight_terms=FREIGHT_TERMS_TEXT.get(order.freight_terms, order.freight_terms),
            incoterm=order.incoterm,
            incoterm_place=order.incoterm_place,
            ship_via=order.ship_via,
            requested_date=order.requested_date,
            ship_complete=order.ship_complete,
            lines=tuple(lines),
            subtotal=order.subtotal,
            freight=order.freight,
            tax=order.tax,
            total=order.total,
            currency=order.currency or customer.currency,
            holds=tuple(ack_holds),
            notes=order.notes.strip(),
            revision=revision_no,
            changes=tuple(
                c.strip() for c in (revised.summary if revised else "").splitlines() if c.strip()
            ),
            removed=removed,
        )
