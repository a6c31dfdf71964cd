"""Changing an entered order: one transaction, every rule of entry again, one revision.

The API (the order view's F9 in change mode and the EDI 860 applier both call it):

    apply_order_change(store, order_id, OrderChange(header={...}, lines=(LineChange(...),)),
                       expected_version=..., actor=user, reason="customer called",
                       settings=settings, source="keyboard" | "edi_860", approval=None,
                       base=None) -> ChangeResult

`OrderChange.header` takes `customer_po`, `ship_to_id`, `requested_date`, `freight_terms`,
`ship_via`, `notes`; a `LineChange` names an existing line by `line_no` (or `line_no=None` for
a new line) and gives what changes: `quantity` (what is still ordered, cancellations aside; 0
or `remove=True` removes the line: its open quantity is cancelled, the row kept), `item_id`,
`unit_price` with `override_reason` (an override), `requested_date`.

Refusals raise, and nothing is written:
- `ChangeConflict` when the order is no longer at `expected_version` and (given `base`, the
  order as the change started from) a field the change shows moved meanwhile: `theirs` is what
  the other terminal changed, `yours` what this change would, field by field. Without `base`
  any newer version refuses. (With `base`, a version moved only by fields no change shows, the
  ERP's id or the state, lets the change through.)
- `ChangeRefused` listing every problem, per line: below what is shipped or picked ("line 3:
  6 already shipped, cannot go below 6"), removing a line with shipments, MOQ and multiples
  of changed and added lines, an override without a reason, a ship-to of another customer, a
  requested date in the past, a state that cannot be changed.
- `PermissionDenied` when a changed or added line is priced under the margin floor and no
  supervisor approves (`approval`: name and PIN, checked here, as at entry).

Prices: only changed and added lines are priced again (as of today); a line the change does
not touch keeps the price it was entered at. Credit is checked with the new total and
compliance screened again: as at submit, a problem becomes a hold, not a refusal. Allocation
follows: a cut frees units (services.deallocation), more units or a new line are allocated
(services.allocation), with the stock rows locked in id order. The order gets one
`OrderRevision` (summary, diff, who, why, approver) and `revision` + 1; the audit trail keeps
the field-level events; a revision the customer must hear of queues its re-acknowledgement
(services.mail_outbox.enqueue_reacknowledgement). An order the ERP already has (or is being
sent) gets a `push_change` in the outbox; one whose `push_order` waits unsent needs none, it
sends the order as it is.
"""

import json
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, func, select

from orderdesk_tui.config import Settings
from orderdesk_tui.errors import OrderdeskError, RuleViolation
from orderdesk_tui.models import (
    Address,
    Hold,
    OrderRevision,
    SalesOrder,
    SalesOrderLine,
    SyncOutbox,
    User,
)
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services import order_diff
from orderdesk_tui.services.allocation import allocate_in
from orderdesk_tui.services.audit import apply_update
from orderdesk_tui.services.availability import order_lines
from orderdesk_tui.services.change_plan import ChangePlan, LineChange, OrderChange
from orderdesk_tui.services.compliance import apply_compliance_hold, load_rules, screen_order_in
from orderdesk_tui.services.contention import run_again_on_conflict
from orderdesk_tui.services.credit import apply_credit_hold, check_credit_in, lock_customer
from orderdesk_tui.services.mail_outbox import enqueue_reacknowledgement
from orderdesk_tui.services.order_diff import FieldDiff, OrderSnapshot
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.purchasing import purchase_for_lines
from orderdesk_tui.services.users import Approval, approve
from orderdesk_tui.store import Store

#: Orders a change can be applied to: entered and not yet shipped complete.
CHANGEABLE = frozenset(
    {
        OrderState.ENTERED,
        OrderState.ON_HOLD,
        OrderState.ACKNOWLEDGED,
        OrderState.RELEASED,
        OrderState.PARTIALLY_SHIPPED,
    }
)
HEADER_FIELDS = frozenset(
    {"customer_po", "ship_to_id", "requested_date", "freight_terms", "ship_via", "notes"}
)


def change_refusal(state: str) -> str | None:
    """Why an order in `state` cannot be changed, or None."""
    if state in CHANGEABLE:
        return None
    if state == OrderState.DRAFT:
        return "it is a draft: finish it in order entry"
    return f"it is {state.replace('_', ' ')}: only orders not yet shipped complete can be changed"


@dataclass(frozen=True)
class ChangeResult:
    order_id: int
    number: str
    revision_no: int
    summary: str
    diffs: tuple[FieldDiff, ...]
    state: str
    total: Decimal
    currency: str
    holds: tuple[str, ...]
    reacknowledge: bool
    #: A push_change was queued for the ERP.
    push_change: bool


class ChangeRefused(RuleViolation):
    """The change breaks rules; `problems` names each, per line; nothing was written."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("change refused: " + "; ".join(self.problems))


class ChangeConflict(RuleViolation):
    """Another terminal changed the order since the change started: both versions, by field."""

    def __init__(
        self,
        number: str,
        expected: int,
        current: int,
        theirs: Sequence[FieldDiff],
        yours: Sequence[FieldDiff],
    ) -> None:
        self.number, self.expected, self.current = number, expected, current
        self.theirs, self.yours = list(theirs), list(yours)
        told = order_diff.summary(self.theirs) or "its state or allocation"
        super().__init__(
            f"order {number} was changed on another terminal (version {expected} → {current}): "
            f"theirs: {told}; yours: {order_diff.summary(self.yours) or 'nothing'}; "
            "nothing was overwritten: open the change again"
        )

    def both_versions(self) -> str:
        """The two versions field by field, one a line, for a dialog."""
        rows = ["Changed on the other terminal (theirs):"]
        rows += [f"  {d.text()}" for d in self.theirs] or ["  (the order's state or allocation)"]
        rows += ["Your change (not applied):"]
        rows += [f"  {d.text()}" for d in self.yours] or ["  (nothing)"]
        return "\n".join(rows)


def apply_order_change(
    store: Store,
    order_id: int,
    change: OrderChange,
    *,
    expected_version: int,
    actor: User,
    reason: str,
    settings: Settings,
    source: str = "keyboard",
    approval: Approval | None = None,
    base: OrderSnapshot | None = None,
    today: date | None = None,
) -> ChangeResult:
    """Apply `change` to order `order_id` in one transaction (see the module docstring)."""

    def once() -> ChangeResult:
        with store.immediate() as session:
            return apply_change_in(
                session,
                order_id,
                change,
                expected_version=expected_version,
                actor=actor,
                reason=reason,
                settings=settings,
                source=source,
                approval=approval,
                base=base,
                today=today,
            )

    return run_again_on_conflict(once, what=f"change of order {order_id}")


def apply_change_in(
    session: Session,
    order_id: int,
    change: OrderChange,
    *,
    expected_version: int,
    actor: User,
    reason: str,
    settings: Settings,
    source: str = "keyboard",
    approval: Approval | None = None,
    base: OrderSnapshot | None = None,
    today: date | None = None,
) -> ChangeResult:
    """`apply_order_change` inside the caller's write transaction."""
    today = today or date.today()
    reason = reason.strip()
    if not reason:
        raise ChangeRefused(["a change needs a reason"])
    unknown = set(change.header) - HEADER_FIELDS
    if unknown:
        raise ValueError(f"not changeable header fields: {sorted(unknown)}")
    order = session.get(SalesOrder, order_id, with_for_update=True, populate_existing=True)
    if order is None:
        raise ChangeRefused([f"order {order_id} no longer exists"])
    if (refusal := change_refusal(order.state)) is not None:
        raise ChangeRefused([f"order {order.number} cannot be changed: {refusal}"])
    lines = list(
        session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    ship_to_code = _ship_to_code(session, order.ship_to_id)
    now = order_diff.snapshot(order, lines, ship_to_code)
    plan = ChangePlan(session, order, lines, change, today)
    if order.version != expected_version:
        theirs = order_diff.diff(base, now) if base is not None else None
        if theirs is None or theirs:
            yours = order_diff.diff(base or now, plan.after(base or now))
            raise ChangeConflict(order.number, expected_version, order.version, theirs or [], yours)
    if plan.problems:
        with suppress(OrderdeskError):  # the quantity rules are said along, when they can be
            plan.check_pricing(plan.price(settings))
        raise ChangeRefused(plan.problems)
    diffs = order_diff.diff(now, plan.after(now))
    if not diffs:
        raise ChangeRefused(["nothing to change: the order already reads so"])
    pricing = plan.price(settings)
    plan.check_pricing(pricing)
    if plan.problems:
        raise ChangeRefused(plan.problems)
    under = [r for r in pricing.lines if r.below_floor and r.line_no in plan.repriced]
    approved_by = ""
    if under:
        which = ", ".join(f"line {r.line_no}" for r in under)
        approved_by = approve(
            session,
            actor.name,
            approval,
            f"{which} priced under the margin floor ({under[0].margin_message})",
        )
    stock_wanted = plan.needs_stock()  # before the lines are written
    customer = lock_customer(session, order.customer_id)
    assert customer is not None
    plan.write_lines(pricing, actor.name, reason)
    revision_no = order.revision + 1
    header = {**plan.header_values(), "revision": revision_no}
    header.update(
        subtotal=pricing.subtotal,
        freight=pricing.freight.charge,
        tax=pricing.tax.amount,
        total=pricing.total,
    )
    apply_update(
        session,
        order,
        header,
        expected_version=order.version,
        actor=actor.name,
        action="order.changed",
        order_id=order_id,
        reason=reason,
        approved_by=approved_by,
    )
    if stock_wanted:
        allocate_in(session, order, actor=actor.name, today=today)
        # an added or raised special-buy / drop-ship line is bought as at submit (what open PO
        # lines already bring is not bought twice)
        purchase_for_lines(session, order, order_lines(session, order_id), actor.name, today=today)
    credit = check_credit_in(
        session, order.customer_id, pricing.total, exclude_order_id=order.id, today=today
    )
    apply_credit_hold(session, order, credit, actor.name)
    apply_compliance_hold(
        session, order, screen_order_in(session, order, load_rules(settings.compliance)), actor.name
    )
    revision = OrderRevision(
        order_id=order_id,
        revision_no=revision_no,
        actor=actor.name,
        approved_by=approved_by,
        reason=reason[:400],
        source=source,
        summary=order_diff.summary(diffs),
        diff=order_diff.diff_json(diffs),
        changed_lines=order_diff.changed_lines(diffs)[:400],
        reacknowledge=order_diff.reacknowledge(diffs),
    )
    session.add(revision)
    session.flush()
    enqueue_reacknowledgement(session, settings.mail, order, revision)  # if reacknowledge
    pushed = _enqueue_push_change(session, order, revision_no)
    holds = session.exec(
        select(Hold).where(Hold.order_id == order_id, Hold.released_at == None)  # noqa: E711
    ).all()
    return ChangeResult(
        order_id=order_id,
        number=order.number,
        revision_no=revision_no,
        summary=revision.summary,
        diffs=tuple(diffs),
        state=order.state,
        total=order.total,
        currency=order.currency,
        holds=tuple(f"{h.kind}: {h.reason}" for h in holds),
        reacknowledge=revision.reacknowledge,
        push_change=pushed,
    )


def _ship_to_code(session: Session, address_id: int | None) -> str:
    address = session.get(Address, address_id) if address_id else None
    return address.code if address else ""


def _enqueue_push_change(session: Session, order: SalesOrder, revision_no: int) -> bool:
    """A push_change unless the order's push_order has not been tried yet (it will send the
    order as it now is). A push_change waits behind its push_order in the engine, and the
    connector amends only what differs, so one queued beside an in-flight push_order is safe."""
    assert order.id is not None
    unsent = session.exec(
        select(func.count()).where(
            SyncOutbox.entity == "sales_orders",
            SyncOutbox.entity_id == order.id,
            SyncOutbox.operation == "push_order",
            SyncOutbox.state == "pending",
            SyncOutbox.attempts == 0,
        )
    ).one()
    if unsent and not order.erp_id:
        return False
    enqueue(
        session,
        entity="sales_orders",
        entity_id=order.id,
        operation="push_change",
        payload={"number": order.number, "revision": revision_no},
    )
    return True


def revisions(store: Store, order_id: int) -> list[OrderRevision]:
    """The order's revisions, newest first (the order view's Revisions tab)."""
    with store.session() as session:
        return list(
            session.exec(
                select(OrderRevision)
                .where(OrderRevision.order_id == order_id)
                .order_by(col(OrderRevision.revision_no).desc())
            )
        )


def diff_lines(revision: OrderRevision) -> list[str]:
    """A revision's diff, one change a line."""
    try:
        return [d.text() for d in order_diff.diffs_from_json(revision.diff)]
    except (ValueError, TypeError, json.JSONDecodeError):
        return revision.summary.split("; ")


__all__ = [
    "CHANGEABLE",
    "ChangeConflict",
    "ChangeRefused",
    "ChangeResult",
    "LineChange",
    "OrderChange",
    "apply_change_in",
    "apply_order_change",
    "change_refusal",
    "diff_lines",
    "revisions",
]
