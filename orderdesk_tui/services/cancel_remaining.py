"""Cancelling the remaining quantity of a line, or of every line of an order: what is neither
shipped nor in the warehouse's hands (on a planned or picked shipment) is cancelled, its
allocation freed, its backorder cleared.

One transaction with its audit events, a revision (source "cancel_remaining", re-acknowledged)
and the ERP told: `push_change` (the sale's quantities less what is cancelled), or
`push_cancel` when the order ends cancelled. An order whose every line is then shipped or
cancelled moves on: to shipped when something shipped, else to cancelled (domain.order_states).
The whole-order cancel (services.order_actions.cancel_order) is unchanged; here, as there, an
order the warehouse has (released, partly shipped) needs a supervisor, checked in the
transaction that acts (users.approve).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session, col

from orderdesk_tui.config import MailSettings
from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import ZERO
from orderdesk_tui.domain.order_states import can_move
from orderdesk_tui.errors import RuleViolation, StaleEdit
from orderdesk_tui.models import SalesOrder, SalesOrderLine, Shipment, ShipmentLine, User
from orderdesk_tui.models.base import OrderState, utcnow
from orderdesk_tui.services.audit import VersionedUpdate, apply_update, apply_updates
from orderdesk_tui.services.availability import order_lines
from orderdesk_tui.services.contention import run_again_on_conflict
from orderdesk_tui.services.deallocation import free_allocation_in
from orderdesk_tui.services.line_parts import trim_backorders
from orderdesk_tui.services.mail_outbox import enqueue_reacknowledgement
from orderdesk_tui.services.order_diff import FieldDiff, plain
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.revision_log import add_revision
from orderdesk_tui.services.users import Approval, approve
from orderdesk_tui.store import Store

#: Orders whose remaining quantity can be cancelled.
OPEN_STATES = frozenset(
    {
        OrderState.ENTERED,
        OrderState.ON_HOLD,
        OrderState.ACKNOWLEDGED,
        OrderState.RELEASED,
        OrderState.PARTIALLY_SHIPPED,
    }
)
#: The warehouse has these: cancelling what remains of them is for a supervisor.
SUPERVISOR_STATES = frozenset({OrderState.RELEASED, OrderState.PARTIALLY_SHIPPED})
#: Shipments whose lines the warehouse is working on (their quantity is not cancellable).
WORKING_SHIPMENTS = ("planned", "picked")


def needs_supervisor(state: str) -> bool:
    return state in SUPERVISOR_STATES


@dataclass(frozen=True)
class CancelResult:
    number: str
    #: (line number, quantity cancelled)
    lines: tuple[tuple[int, Decimal], ...]
    state: str

    @property
    def summary(self) -> str:
        done = ", ".join(f"line {n} {fmt_qty(q)}" for n, q in self.lines)
        text = f"{self.number}: remaining quantity cancelled ({done})"
        if self.state in (OrderState.SHIPPED, OrderState.CANCELLED):
            text += f"; the order is now {self.state}"
        return text


def _in_warehouse(session: Session, line_ids: list[int]) -> dict[int, Decimal]:
    """Per line, the quantity on shipments the warehouse is working on."""
    if not line_ids:
        return {}
    rows = session.execute(
        select(col(ShipmentLine.order_line_id), func.sum(col(ShipmentLine.quantity)))
        .join(Shipment, col(Shipment.id) == col(ShipmentLine.shipment_id))
        .where(
            col(ShipmentLine.order_line_id).in_(line_ids),
            col(Shipment.state).in_(WORKING_SHIPMENTS),
        )
        .group_by(col(ShipmentLine.order_line_id))
    ).all()
    return defaultdict(lambda: ZERO, {lid: Decimal(q or 0) for lid, q in rows})


def cancellable(line: SalesOrderLine, in_warehouse: Decimal) -> Decimal:
    """What of the line is neither shipped, cancelled, nor on a shipment being worked."""
    return max(line.quantity - line.quantity_shipped - line.quantity_cancelled - in_warehouse, ZERO)


def cancel_remaining(
    store: Store,
    order_id: int,
    *,
    line_id: int | None,
    expected_version: int,
    actor: User,
    reason: str,
    approval: Approval | None = None,
    mail: MailSettings | None = None,
) -> CancelResult:
    """Cancel the remaining quantity of line `line_id`, or (None) of every line of the order.
    `expected_version` is the order's as the user saw it. The customer is sent the revised
    acknowledgement through `mail` (services.mail_outbox; an EDI partner's 855 change is
    recorded whatever the mail settings)."""
    reason = reason.strip()
    if not reason:
        raise RuleViolation("cancelling the remaining quantity needs a reason")

    def once() -> CancelResult:
        with store.immediate() as session:
            return _cancel_in(
                session, order_id, line_id, expected_version, actor, reason, approval, mail
            )

    return run_again_on_conflict(once, what=f"cancel remaining of order {order_id}")


def _cancel_in(
    session: Session,
    order_id: int,
    line_id: int | None,
    expected_version: int,
    actor: User,
    reason: str,
    approval: Approval | None,
    mail: MailSettings | None,
) -> CancelResult:
    order = session.get(SalesOrder, order_id, with_for_update=True, populate_existing=True)
    if order is None:
        raise RuleViolation(f"order {order_id} no longer exists")
    if order.state not in OPEN_STATES:
        raise RuleViolation(
            f"order {order.number} is {order.state.replace('_', ' ')}: nothing remains to cancel"
        )
    if order.version != expected_version:
        raise StaleEdit(f"order {order.number}", order_id, expected_version, order.version)
    approved_by = ""
    if needs_supervisor(order.state):
        approved_by = approve(
            session,
            actor.name,
            approval,
            f"cancelling what remains of a {order.state.replace('_', ' ')} order is for "
            "supervisors",
        )
    lines = order_lines(session, order_id)
    working = _in_warehouse(session, [line.id for line in lines if line.id is not None])
    chosen = lines if line_id is None else [ln for ln in lines if ln.id == line_id]
    if line_id is not None and not chosen:
        raise RuleViolation(f"that line is no longer on order {order.number}")
    cuts = [(ln, cancellable(ln, working[ln.id or 0])) for ln in chosen]
    cuts = [(ln, q) for ln, q in cuts if q > 0]
    if not cuts:
        what = f"line {chosen[0].line_no}" if line_id is not None else f"order {order.number}"
        raise RuleViolation(f"{what}: nothing remains to cancel (shipped, picked or cancelled)")
    # Allocated units go back first (what is allocated is not backordered).
    free_allocation_in(
        session,
        [(ln, min(q, ln.quantity_allocated)) for ln, q in cuts],
        actor=actor.name,
        order_id=order_id,
        reason=f"remaining quantity cancelled: {reason}",
    )
    updates = [
        VersionedUpdate(
            ln,
            {
                "quantity_cancelled": ln.quantity_cancelled + q,
                "quantity_backordered": max(ln.quantity_backordered - q, ZERO),
            },
            ln.version,
            "line.cancelled",
            f"{fmt_qty(q)} cancelled: {reason}"[:400],
        )
        for ln, q in cuts
    ]
    apply_updates(session, updates, actor=actor.name, order_id=order_id)
    trim_backorders(
        session,
        [ln for ln, _ in cuts],
        actor=actor.name,
        order_id=order_id,
        reason=f"remaining quantity cancelled: {reason}",
    )
    state = _next_state(order, lines)
    values: dict[str, object] = {}
    if state == OrderState.CANCELLED:
        values = {"state": state, "cancelled_at": utcnow(), "cancel_reason": reason[:200]}
    elif state == OrderState.SHIPPED:
        values = {"state": state, "shipped_at": order.shipped_at or utcnow()}
    if values:
        apply_update(
            session,
            order,
            values,
            expected_version=order.version,
            actor=actor.name,
            action="order.state",
            order_id=order_id,
            reason=f"every line shipped or cancelled: {reason}"[:400],
            approved_by=approved_by,
        )
    revision = add_revision(
        session,
        order,
        [  # what is still ordered, as a change says it: "line 2 qty 10 → 6"
            FieldDiff(
                ln.line_no,
                "quantity",
                plain(ln.quantity - ln.quantity_cancelled + q),
                plain(ln.quantity - ln.quantity_cancelled),
            )
            for ln, q in cuts
        ],
        actor=actor.name,
        source="cancel_remaining",
        reason=reason,
        reacknowledge=True,
        approved_by=approved_by,
    )
    session.flush()
    enqueue_reacknowledgement(session, mail or MailSettings(), order, revision)
    cancelled_whole = order.state == OrderState.CANCELLED
    enqueue(
        session,
        entity="sales_orders",
        entity_id=order_id,
        operation="push_cancel" if cancelled_whole else "push_change",
        payload={"number": order.number, "reason": reason},
    )
    return CancelResult(order.number, tuple((ln.line_no, q) for ln, q in cuts), order.state)


def _next_state(order: SalesOrder, lines: list[SalesOrderLine]) -> str | None:
    """Shipped or cancelled once nothing is left open on any line, else None (no move)."""
    if any(ln.quantity - ln.quantity_shipped - ln.quantity_cancelled > 0 for ln in lines):
        return None
    target = (
        OrderState.SHIPPED if any(ln.quantity_shipped > 0 for ln in lines) else OrderState.CANCELLED
    )
    return target if can_move(order.state, target) else None
