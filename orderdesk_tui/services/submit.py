"""Submitting a draft: validate, then order, lines, allocations, holds, audit and the ERP
outbox entry in one transaction.

Refusals (something is missing or wrong) raise `SubmitRefused` listing every problem, and
nothing is written. Exceptions that a person must look at are not refusals: credit, price
(margin floor), stock, compliance and address problems become holds on the order, and the
order is entered all the same. An order with no hold is acknowledged at once. The
acknowledgement mail (when `[mail]` is set and the customer has an address) is queued in the
same transaction (services.mail_outbox).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.compliance.order_check import ComplianceRules
from orderdesk_tui.domain.pricing.results import OrderPricing
from orderdesk_tui.errors import OrderdeskError, RuleViolation
from orderdesk_tui.models import Address, Customer, Hold, SalesOrder, SalesOrderLine
from orderdesk_tui.models.base import AddressKind, HoldKind, OrderState, Priority, utcnow
from orderdesk_tui.services.allocation import allocate_in
from orderdesk_tui.services.audit import apply_update
from orderdesk_tui.services.compliance import apply_compliance_hold, load_rules, screen_order_in
from orderdesk_tui.services.contention import run_again_on_conflict
from orderdesk_tui.services.credit import apply_credit_hold, check_credit_in, lock_customer
from orderdesk_tui.services.holds import place_hold
from orderdesk_tui.services.mail_outbox import enqueue_acknowledgement
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.pricing import apply_price_hold_if_needed, price_order_in
from orderdesk_tui.services.purchasing import purchase_for_lines
from orderdesk_tui.services.rush import take_for_rush_in
from orderdesk_tui.store import Store


class SubmitRefused(RuleViolation):
    """The draft cannot be submitted yet; `problems` says everything that is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("cannot submit: " + "; ".join(problems))


@dataclass(frozen=True)
class OnScreen:
    """What the entry screen shows. Submit refuses a draft that differs from it (an edit whose
    save has not landed): what is submitted is what the coordinator sees, or nothing."""

    customer_po: str
    ship_to_id: int | None
    requested_date: date | None
    notes: str
    #: Line number -> (item id, quantity), for the lines with a part and a quantity.
    lines: dict[int, tuple[int, Decimal]]


def _not_saved(order: SalesOrder, lines: list[SalesOrderLine], screen: OnScreen) -> list[str]:
    problems = [
        f"{label} on screen is not saved yet"
        for label, shown, saved in (
            ("customer PO", screen.customer_po, order.customer_po),
            ("ship-to", screen.ship_to_id, order.ship_to_id),
            ("requested date", screen.requested_date, order.requested_date),
            ("order notes", screen.notes, order.notes),
        )
        if shown != saved
    ]
    saved_lines = {line.line_no: (line.item_id, line.quantity) for line in lines}
    for n in sorted(saved_lines.keys() | screen.lines.keys()):
        shown, saved = screen.lines.get(n), saved_lines.get(n)
        if shown is None:
            problems.append(f"line {n} is on the saved draft but not on screen")
        elif saved is None or saved[0] != shown[0]:
            problems.append(f"line {n} part on screen is not saved yet")
        elif saved[1] != shown[1]:
            problems.append(
                f"line {n} quantity {shown[1].normalize():f} on screen is not saved yet "
                f"(saved: {saved[1].normalize():f})"
            )
    return problems


@dataclass(frozen=True)
class SubmitResult:
    order_id: int
    number: str
    state: str
    total: Decimal
    currency: str
    holds: tuple[str, ...]
    backordered_lines: int


def _address_problem(address: Address | None) -> str | None:
    if address is None:
        return "no ship-to address"
    missing = [
        name
        for name, value in (
            ("street", address.line1),
            ("city", address.city),
            ("country", address.country),
        )
        if not value.strip()
    ]
    if address.country in {"US", "CA", "MX"} and not address.postal_code.strip():
        missing.append("postal code")
    if address.country in {"US", "CA"} and not address.region.strip():
        missing.append("state/province")
    return f"ship-to {address.code} lacks {', '.join(missing)}" if missing else None


def _refusals(
    session: Session,
    order: SalesOrder,
    customer: Customer | None,
    ship_to: Address | None,
    lines: list[SalesOrderLine],
    pricing: OrderPricing,
    accept_duplicate_po: bool,
) -> list[str]:
    problems: list[str] = []
    if customer is None or not customer.active:
        problems.append("customer is inactive")
    if not order.customer_po.strip():
        problems.append("customer PO is missing")
    elif not accept_duplicate_po:
        other = session.exec(
            select(SalesOrder.number).where(
                SalesOrder.customer_id == order.customer_id,
                SalesOrder.customer_po == order.customer_po,
                SalesOrder.id != order.id,
                col(SalesOrder.state).not_in([OrderState.CANCELLED, OrderState.DRAFT]),
            )
        ).first()
        if other is not None:
            problems.append(f"customer PO {order.customer_po} is already on order {other}")
    if ship_to is None:
        problems.append("ship-to is missing")
    elif ship_to.customer_id != order.customer_id or ship_to.kind != AddressKind.SHIP_TO:
        problems.append(f"ship-to {ship_to.code} is not a ship-to of this customer")
    if not lines:
        problems.append("the order has no lines")
    for line in lines:
        if line.item_id is None:
            problems.append(f"line {line.line_no} has no part")
        elif line.quantity <= 0:
            problems.append(f"line {line.line_no} quantity must be more than zero")
    for result in pricing.quantity_problems:
        problems.append(
            f"line {result.line_no} {result.part_number}: {result.quantity_check.message}"
        )
    return problems


def submit_order(
    store: Store,
    order_id: int,
    *,
    actor: str,
    settings: Settings,
    today: date | None = None,
    accept_duplicate_po: bool = False,
    on_screen: OnScreen | None = None,
) -> SubmitResult:
    """Submit draft `order_id`; SubmitRefused (nothing written) or the entered order.

    The order is priced in the submit's own transaction, from the lines it writes. With
    `on_screen`, a draft that differs from what the screen shows is refused. A transaction that
    PostgreSQL aborts for a deadlock, or whose connection a restart broke before it committed,
    is run again (services.contention)."""
    rules = load_rules(settings.compliance)

    def once() -> SubmitResult:
        with store.immediate() as session:
            return _submit_in(
                session,
                order_id,
                actor=actor,
                settings=settings,
                rules=rules,
                today=today,
                accept_duplicate_po=accept_duplicate_po,
                on_screen=on_screen,
            )

    return run_again_on_conflict(once, what=f"submit of order {order_id}", store=store)


def _submit_in(
    session: Session,
    order_id: int,
    *,
    actor: str,
    settings: Settings,
    rules: ComplianceRules,
    today: date | None,
    accept_duplicate_po: bool,
    on_screen: OnScreen | None,
) -> SubmitResult:
    """The submit's one transaction. The rows other terminals' submits want too are locked as
    late as possible, so that they are held for the writes only: the customer (one customer's
    orders at a time) once the order is priced; the stock rows of its items (everyone's
    orders for those items) once the credit, price and address checks have written their
    holds. Only the compliance check comes after the allocation, whose warehouses it reads."""
    now = utcnow()
    order = session.get(SalesOrder, order_id, with_for_update=True, populate_existing=True)
    if order is None:
        raise SubmitRefused([f"order {order_id} no longer exists"])
    if order.state != OrderState.DRAFT:
        raise SubmitRefused([f"order {order.number} was already submitted ({order.state})"])
    lines = list(
        session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        )
    )
    if on_screen is not None and (unsaved := _not_saved(order, lines, on_screen)):
        raise SubmitRefused(unsaved)
    ship_to = session.get(Address, order.ship_to_id) if order.ship_to_id else None
    try:
        pricing = price_order_in(session, order, lines, settings=settings)
    except OrderdeskError as error:
        raise SubmitRefused([str(error)]) from None
    # Held for the whole transaction: the session's identity map holds rows weakly, and
    # credit, compliance and the address check read them again by primary key.
    # Locked: the duplicate-PO and credit checks below read this customer's other orders,
    # which another terminal's submit could be entering at the same instant.
    customer = lock_customer(session, order.customer_id)
    problems = _refusals(session, order, customer, ship_to, lines, pricing, accept_duplicate_po)
    if problems:
        raise SubmitRefused(problems)
    priced = {result.line_no: result for result in pricing.lines}
    for line in lines:
        result = priced[line.line_no]
        line.unit_price, line.list_price = result.unit_price, result.list_price
        line.price_source, line.extended = result.price_source, result.extended
        line.discount_percent, line.discount_amount = (
            result.discount_percent,
            result.discount_amount,
        )
        line.requested_date = line.requested_date or order.requested_date
        line.version += 1
    apply_update(
        session,
        order,
        {
            "state": OrderState.ENTERED,
            "entered_at": now,
            "subtotal": pricing.subtotal,
            "freight": pricing.freight.charge,
            "tax": pricing.tax.amount,
            "total": pricing.total,
        },
        expected_version=order.version,
        actor=actor,
        action="order.submitted",
        order_id=order_id,
    )
    credit = check_credit_in(
        session, order.customer_id, pricing.total, exclude_order_id=order.id, today=today
    )
    apply_credit_hold(session, order, credit, actor)
    apply_price_hold_if_needed(session, order, pricing, actor)
    if (problem := _address_problem(ship_to)) is not None:
        place_hold(session, order, HoldKind.ADDRESS, problem, actor=actor)
    allocation = allocate_in(session, order, actor=actor, today=today)
    if order.priority == Priority.RUSH:  # takes from normal orders what stock cannot give
        take_for_rush_in(session, order, actor=actor, today=today, mail=settings.mail)
    purchase_for_lines(session, order, lines, actor, today=today)
    # After allocation: the hazmat check reads the warehouse each line was allocated in.
    apply_compliance_hold(session, order, screen_order_in(session, order, rules), actor)
    # `order` is current: every hold above changed it through apply_update, which reads
    # the row back from its UPDATE.
    holds = session.exec(
        select(Hold).where(Hold.order_id == order_id, Hold.released_at == None)  # noqa: E711
    ).all()
    if not holds:
        apply_update(
            session,
            order,
            {"state": OrderState.ACKNOWLEDGED, "acknowledged_at": utcnow()},
            expected_version=order.version,
            actor=actor,
            action="order.acknowledged",
            order_id=order_id,
        )
    assert order.id is not None
    enqueue(
        session,
        entity="sales_orders",
        entity_id=order.id,
        operation="push_order",
        payload={"number": order.number, "customer_po": order.customer_po},
    )
    enqueue_acknowledgement(session, settings.mail, order)
    return SubmitResult(
        order_id=order.id,
        number=order.number,
        state=order.state,
        total=order.total,
        currency=order.currency,
        holds=tuple(f"{h.kind}: {h.reason}" for h in holds),
        backordered_lines=sum(1 for line in allocation.lines if line.backordered > 0),
    )
