"""Rush orders and rush lines: marked (and cleared) with a reason, and allocated first.

Marking an order (or one line) rush is audited and written as a revision (source "rush"; the
customer is re-acknowledged only when the rush moved a promise date). The ERP is not told: a
Tryton sale has no priority, and the allocation that follows is the desk's own.

**Precedence.** A rush line's open quantity that free stock cannot cover takes units from
normal orders' unreleased allocations of the same item in the same warehouse (any warehouse,
for a line whose promise allows a split): lines that are not rush and not split (a split
line's units may be in several warehouses, and deallocation frees its latest part wherever
it is), of orders that are neither rush nor ship-complete, in state entered, on hold or
acknowledged (never released, picked or shipped: the warehouse has those). The orders that
give first are the
ones the customer wants latest (the line's requested date, else the order's), then the ones
entered latest, then the newest. The same customer's other orders give like anyone's. A
ship-complete rush order takes nothing: it ships whole or not at all, and robbing others for
part of it helps nobody (its stock hold says what is short). Each order that gives units is
freed (`deallocation.free_allocation_in`), re-promised (what it lost becomes a backorder with
the date `allocation.allocate_in` would give it), gets an audit event and a note in its log
with a call-back due now, so the queue tells a coordinator to call its customer, and a
revision (re-acknowledged when its promise moved). services.rush_giving does that set-based.

**Why not allocate_in for the taking.** `allocate_in` does not hand the freed units to the
rush order: what the losers no longer hold is open demand of theirs, due on their promise
dates, and ATP keeps stock for it. So the units move from the loser's line to the rush line
here (the stock row's `allocated` goes back up by what was freed), and `allocate_in` runs
before (what free stock gives) and after (the rush order's remaining backorder and promised
dates).

**Locks.** One transaction: the rush order and every candidate loser are locked in id order
(one statement), then the stock rows in id order (by `allocate_in` and `free_allocation_in`);
on PostgreSQL a deadlock with another terminal is run again (services.contention). Submit of
a rush order calls `take_for_rush_in` after its allocation, when it already holds stock rows:
a loser locked after them can deadlock with another terminal, which is retried the same way.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session, col

from orderdesk_tui.config import MailSettings
from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import ZERO
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import OrderRevision, SalesOrder, SalesOrderLine, User
from orderdesk_tui.models.base import OrderState, Priority, utcnow
from orderdesk_tui.services.allocation import ALLOCATABLE, allocate_in
from orderdesk_tui.services.audit import apply_update
from orderdesk_tui.services.availability import open_quantity, order_lines, today_utc
from orderdesk_tui.services.contention import run_again_on_conflict
from orderdesk_tui.services.mail_outbox import enqueue_reacknowledgement
from orderdesk_tui.services.order_diff import FieldDiff
from orderdesk_tui.services.revision_log import add_revision
from orderdesk_tui.services.rush_giving import Loss, givers, lock_orders, plan, take
from orderdesk_tui.store import Store

#: Orders that can be marked rush (a draft takes its priority in order entry).
RUSHABLE = frozenset(ALLOCATABLE - {OrderState.DRAFT})


@dataclass(frozen=True)
class RushResult:
    number: str
    #: What was marked ("order SO0000123", "line 2") and whether it is rush now.
    what: str
    rush: bool
    losses: tuple[Loss, ...] = ()
    #: The rush lines' quantity still short after taking (backordered).
    still_short: Decimal = ZERO
    notes: tuple[str, ...] = field(default=())

    @property
    def units(self) -> Decimal:
        return sum((loss.units for loss in self.losses), ZERO)

    @property
    def summary(self) -> str:
        if not self.rush:
            return f"{self.number}: {self.what} is no longer rush"
        text = f"{self.number}: {self.what} marked rush"
        if self.losses:
            orders = len(self.losses)
            text += (
                f"; {fmt_qty(self.units)} units taken from {orders} "
                f"order{'s' if orders != 1 else ''}"
            )
        if self.still_short:
            text += f"; {fmt_qty(self.still_short)} still short (backordered)"
        elif not self.losses:
            text += "; nothing needed taking"
        return "; ".join([text, *self.notes])


def _reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise RuleViolation(f"{what} needs a reason")
    return reason


def _lock_order(session: Session, order_id: int) -> SalesOrder:
    """The order, locked with every order that may give to it, in id order (so two rushes
    taking from the same orders queue up rather than deadlock)."""
    item_ids = session.execute(
        select(col(SalesOrderLine.item_id))
        .where(col(SalesOrderLine.order_id) == order_id, col(SalesOrderLine.item_id).is_not(None))
        .distinct()
    ).scalars()
    lock_orders(session, order_id, sorted(i for i in item_ids if i is not None))
    order = session.get(SalesOrder, order_id, with_for_update=True, populate_existing=True)
    if order is None:
        raise RuleViolation(f"order {order_id} no longer exists")
    return order


# -- marking and clearing ---------------------------------------------------------------------


def mark_order(
    store: Store,
    order_id: int,
    *,
    expected_version: int,
    actor: User,
    reason: str,
    today: date | None = None,
    mail: MailSettings | None = None,
) -> RushResult:
    """Mark the whole order rush and let its open quantity take precedence."""
    reason = _reason(reason, "a rush")

    def once() -> RushResult:
        with store.immediate() as session:
            order = _lock_order(session, order_id)
            if order.priority == Priority.RUSH:
                raise RuleViolation(f"order {order.number} is already rush")
            _check_rushable(order)
            before = order.last_promised_date
            apply_update(
                session,
                order,
                {
                    "priority": Priority.RUSH,
                    "rushed_at": utcnow(),
                    "rushed_by": actor.name,
                    "rush_reason": reason[:200],
                },
                expected_version=expected_version,
                actor=actor.name,
                action="order.rushed",
                order_id=order_id,
                reason=reason,
            )
            taking = take_for_rush_in(session, order, actor=actor.name, today=today, mail=mail)
            changes = [FieldDiff(None, "priority", Priority.NORMAL, Priority.RUSH)]
            moved = _promise_change(order, before)
            revision = add_revision(
                session,
                order,
                changes + moved,
                actor=actor.name,
                source="rush",
                reason=reason,
                reacknowledge=bool(moved),
            )
            _tell_customer(session, mail, order, revision)
            return RushResult(order.number, "order", True, *taking)

    return run_again_on_conflict(once, what=f"rush of order {order_id}")


def mark_line(
    store: Store,
    order_id: int,
    line_id: int,
    *,
    expected_version: int,
    actor: User,
    reason: str,
    today: date | None = None,
    mail: MailSettings | None = None,
) -> RushResult:
    """Mark one line rush (`expected_version`: the line's) and let it take precedence."""
    reason = _reason(reason, "a rush")

    def once() -> RushResult:
        with store.immediate() as session:
            order = _lock_order(session, order_id)
            line = _line_of(session, order, line_id)
            if line.rush or order.priority == Priority.RUSH:
                whole = "the whole order" if order.priority == Priority.RUSH else "the line"
                raise RuleViolation(
                    f"line {line.line_no} of {order.number} is rush already ({whole})"
                )
            _check_rushable(order)
            before = order.last_promised_date
            apply_update(
                session,
                line,
                {"rush": True},
                expected_version=expected_version,
                actor=actor.name,
                action="line.rushed",
                order_id=order_id,
                reason=reason,
            )
            _stamp(session, order, actor.name, reason, on=True)
            taking = take_for_rush_in(
                session, order, actor=actor.name, line_ids={line_id}, today=today, mail=mail
            )
            moved = _promise_change(order, before)
            revision = add_revision(
                session,
                order,
                [FieldDiff(line.line_no, "rush", "no", "yes"), *moved],
                actor=actor.name,
                source="rush",
                reason=reason,
                reacknowledge=bool(moved),
            )
            _tell_customer(session, mail, order, revision)
            return RushResult(order.number, f"line {line.line_no}", True, *taking)

    return run_again_on_conflict(once, what=f"rush of a line of order {order_id}")


def clear_order(
    store: Store, order_id: int, *, expected_version: int, actor: User, reason: str
) -> RushResult:
    """Back to normal priority. What the rush allocated stays allocated."""
    reason = _reason(reason, "clearing a rush")
    with store.immediate() as session:
        order = _lock_order(session, order_id)
        if order.priority != Priority.RUSH:
            raise RuleViolation(f"order {order.number} is not rush")
        apply_update(
            session,
            order,
            {"priority": Priority.NORMAL},
            expected_version=expected_version,
            actor=actor.name,
            action="order.rush_cleared",
            order_id=order_id,
            reason=reason,
        )
        if not any(line.rush for line in order_lines(session, order_id)):
            _stamp(session, order, actor.name, reason, on=False)
        add_revision(
            session,
            order,
            [FieldDiff(None, "priority", Priority.RUSH, Priority.NORMAL)],
            actor=actor.name,
            source="rush",
            reason=reason,
            reacknowledge=False,
        )
        return RushResult(order.number, "order", False)


def clear_line(
    store: Store,
    order_id: int,
    line_id: int,
    *,
    expected_version: int,
    actor: User,
    reason: str,
) -> RushResult:
    """The line is no longer rush (its allocation stays)."""
    reason = _reason(reason, "clearing a rush")
    with store.immediate() as session:
        order = _lock_order(session, order_id)
        line = _line_of(session, order, line_id)
        if not line.rush:
            raise RuleViolation(f"line {line.line_no} of {order.number} is not rush")
        apply_update(
            session,
            line,
            {"rush": False},
            expected_version=expected_version,
            actor=actor.name,
            action="line.rush_cleared",
            order_id=order_id,
            reason=reason,
        )
        others = any(other.rush for other in order_lines(session, order_id))
        if order.priority != Priority.RUSH and not others:
            _stamp(session, order, actor.name, reason, on=False)
        add_revision(
            session,
            order,
            [FieldDiff(line.line_no, "rush", "yes", "no")],
            actor=actor.name,
            source="rush",
            reason=reason,
            reacknowledge=False,
        )
        return RushResult(order.number, f"line {line.line_no}", False)


def _tell_customer(
    session: Session, mail: MailSettings | None, order: SalesOrder, revision: OrderRevision
) -> None:
    """A rush that moved the order's promise: the revised acknowledgement (mail_outbox)."""
    if revision.reacknowledge:
        session.flush()
        enqueue_reacknowledgement(session, mail or MailSettings(), order, revision)


def _check_rushable(order: SalesOrder) -> None:
    if order.state not in RUSHABLE:
        state = order.state.replace("_", " ")
        raise RuleViolation(
            f"order {order.number} is {state}: only entered orders not yet shipped can be rushed"
        )


def _line_of(session: Session, order: SalesOrder, line_id: int) -> SalesOrderLine:
    line = session.get(SalesOrderLine, line_id, populate_existing=True)
    if line is None or line.order_id != order.id:
        raise RuleViolation(f"that line is no longer on order {order.number}")
    return line


def _stamp(session: Session, order: SalesOrder, actor: str, reason: str, *, on: bool) -> None:
    """The order's who/when/why of its rush (the queue's clock runs from `rushed_at`)."""
    values: dict[str, object] = (
        {"rushed_at": utcnow(), "rushed_by": actor, "rush_reason": reason[:200]}
        if on
        else {"rushed_at": None, "rushed_by": "", "rush_reason": ""}
    )
    apply_update(
        session,
        order,
        values,
        expected_version=order.version,
        actor=actor,
        action="order.rush_marked" if on else "order.rush_cleared",
        order_id=order.id,
        reason=reason,
    )


def _promise_change(order: SalesOrder, before: date | None) -> list[FieldDiff]:
    after = order.last_promised_date
    if after == before:
        return []
    return [FieldDiff(None, "promised", str(before or ""), str(after or ""))]


# -- taking stock from normal orders ----------------------------------------------------------


def _rush_lines(
    session: Session, order: SalesOrder, line_ids: Collection[int] | None
) -> list[SalesOrderLine]:
    assert order.id is not None
    return [
        line
        for line in order_lines(session, order.id)
        if line.item_id is not None
        and not line.drop_ship
        and (line_ids is None or line.id in line_ids)
        and open_quantity(line) > 0
    ]


def take_for_rush_in(
    session: Session,
    order: SalesOrder,
    *,
    actor: str,
    line_ids: Collection[int] | None = None,
    today: date | None = None,
    mail: MailSettings | None = None,
) -> tuple[tuple[Loss, ...], Decimal, tuple[str, ...]]:
    """Allocate the rush lines of `order` (all, or `line_ids`), taking what free stock cannot
    give from normal orders (see the module doc), inside the caller's transaction.

    Returns what each order lost, what the rush lines still lack, and notes for the user."""
    assert order.id is not None
    today = today or today_utc()
    if order.state not in RUSHABLE:
        return (), ZERO, ()
    rush_lines = _rush_lines(session, order, line_ids)
    if not rush_lines:
        return (), ZERO, ()
    item_ids = sorted({line.item_id for line in rush_lines if line.item_id is not None})
    lock_orders(session, order.id, item_ids)
    session.refresh(order)
    allocate_in(session, order, actor=actor, today=today)
    rush_lines = _rush_lines(session, order, line_ids)
    if not rush_lines:
        return (), ZERO, ()
    if order.ship_complete:
        short = sum((open_quantity(line) for line in rush_lines), ZERO)
        return (), short, ("ship-complete: nothing taken from other orders",)
    moves = plan(rush_lines, givers(session, order.id, item_ids))
    if not moves:
        return (), sum((open_quantity(line) for line in rush_lines), ZERO), ()
    losses = take(session, order, rush_lines, moves, actor=actor, today=today, mail=mail)
    allocate_in(session, order, actor=actor, today=today)
    short = sum((open_quantity(line) for line in _rush_lines(session, order, line_ids)), ZERO)
    return losses, short, ()
