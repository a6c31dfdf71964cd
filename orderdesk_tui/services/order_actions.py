"""Changes to an existing order from the order view: release a hold, cancel, add a note.

Each runs in one transaction with its audit events (and outbox entry where the ERP must hear of
it). Supervisor-only steps check the override's name and PIN (or the acting user's role) in
that same transaction (`users.approve`).
"""

from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from orderdesk_tui.domain.order_states import (
    CANCELLABLE,
    cancel_needs_supervisor,
    cancel_refusal,
)
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import Hold, Note, SalesOrder, SalesOrderLine, User
from orderdesk_tui.models.base import SUPERVISOR_HOLDS, NoteChannel, OrderState, utcnow
from orderdesk_tui.services.audit import apply_update, record
from orderdesk_tui.services.contention import survives_restart
from orderdesk_tui.services.deallocation import free_allocation_in
from orderdesk_tui.services.line_parts import cancel_backorders
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.users import Approval, approve
from orderdesk_tui.store import Store


def needs_supervisor_to_release(hold: Hold) -> bool:
    return hold.kind in SUPERVISOR_HOLDS


def needs_supervisor_to_cancel(order: SalesOrder) -> bool:
    return cancel_needs_supervisor(order.state)


@survives_restart
def release_hold(
    store: Store,
    hold_id: int,
    *,
    expected_version: int,
    actor: User,
    reason: str,
    approval: Approval | None = None,
) -> Hold:
    reason = reason.strip()
    if not reason:
        raise RuleViolation("a hold is released with a reason")
    with store.immediate() as session:
        hold = session.get(Hold, hold_id)
        if hold is None:
            raise RuleViolation(f"hold {hold_id} no longer exists")
        if hold.released_at is not None:
            raise RuleViolation(f"this {hold.kind} hold was already released by {hold.released_by}")
        approved_by = ""
        if needs_supervisor_to_release(hold):
            approved_by = approve(
                session, actor.name, approval, f"releasing a {hold.kind} hold is for supervisors"
            )
        apply_update(
            session,
            hold,
            {"released_by": actor.name, "released_at": utcnow(), "release_reason": reason},
            expected_version=expected_version,
            actor=actor.name,
            action="hold.released",
            order_id=hold.order_id,
            reason=reason,
            approved_by=approved_by,
        )
        _leave_hold_state_if_clear(session, hold.order_id, actor.name)
        return hold


def _leave_hold_state_if_clear(session: Session, order_id: int, actor: str) -> None:
    open_holds = session.exec(
        select(Hold.id).where(Hold.order_id == order_id, Hold.released_at == None)  # noqa: E711
    ).first()
    order = session.get(SalesOrder, order_id)
    assert order is not None
    if open_holds is None and order.state == OrderState.ON_HOLD:
        apply_update(
            session,
            order,
            {"state": OrderState.ENTERED},
            expected_version=order.version,
            actor=actor,
            action="order.state",
            order_id=order_id,
            reason="last hold released",
        )


def cancel_order(
    store: Store,
    order_id: int,
    *,
    expected_version: int,
    actor: User,
    reason: str,
    approval: Approval | None = None,
) -> SalesOrder:
    """Cancel before shipment; a released order needs a supervisor. Frees its allocations."""
    reason = reason.strip()
    if not reason:
        raise RuleViolation("an order is cancelled with a reason")
    with store.immediate() as session:
        order = session.get(SalesOrder, order_id)
        if order is None:
            raise RuleViolation(f"order {order_id} no longer exists")
        refusal = cancel_refusal(order.state)
        if refusal is not None:
            raise RuleViolation(f"order {order.number}: {refusal}")
        approved_by = ""
        if needs_supervisor_to_cancel(order):
            approved_by = approve(
                session, actor.name, approval, "cancelling a released order is for supervisors"
            )
        lines = list(
            session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order_id))
        )
        free_allocation_in(
            session,
            [(line, line.quantity_allocated) for line in lines],
            actor=actor.name,
            order_id=order_id,
            reason=f"order {order.number} cancelled: {reason}",
        )
        cancel_backorders(
            session,
            lines,
            actor=actor.name,
            order_id=order_id,
            reason=f"order {order.number} cancelled: {reason}",
        )
        for line in lines:
            open_qty = line.quantity - line.quantity_shipped
            line.quantity_cancelled, line.quantity_allocated = open_qty, Decimal(0)
            line.quantity_backordered = Decimal(0)
            line.version += 1
        was_sent = order.state != OrderState.DRAFT
        apply_update(
            session,
            order,
            {"state": OrderState.CANCELLED, "cancelled_at": utcnow(), "cancel_reason": reason},
            expected_version=expected_version,
            actor=actor.name,
            action="order.cancelled",
            order_id=order_id,
            reason=reason,
            approved_by=approved_by,
        )
        if was_sent:
            assert order.id is not None
            enqueue(
                session,
                entity="sales_orders",
                entity_id=order.id,
                operation="push_cancel",
                payload={"number": order.number, "reason": reason},
            )
        return order


@survives_restart
def add_note(
    store: Store,
    *,
    actor: User,
    body: str,
    channel: str = NoteChannel.INTERNAL,
    order_id: int | None = None,
    customer_id: int | None = None,
    rma_id: int | None = None,
    callback_at: datetime | None = None,
) -> Note:
    body = body.strip()
    if not body:
        raise RuleViolation("a note needs some text")
    if channel not in set(NoteChannel):
        raise RuleViolation(f"channel '{channel}' is not one of {', '.join(NoteChannel)}")
    with store.immediate() as session:
        if order_id is not None and customer_id is None:
            order = session.get(SalesOrder, order_id)
            if order is None:
                raise RuleViolation(f"order {order_id} no longer exists")
            customer_id = order.customer_id
        note = Note(
            order_id=order_id,
            customer_id=customer_id,
            rma_id=rma_id,
            channel=channel,
            body=body,
            author=actor.name,
            callback_at=callback_at,
        )
        session.add(note)
        session.flush()
        assert note.id is not None
        record(
            session,
            actor=actor.name,
            entity="notes",
            entity_id=note.id,
            action="note.added",
            changes={"channel": (None, channel), "body": (None, body)},
            order_id=order_id,
        )
        return note


__all__ = ["CANCELLABLE", "add_note", "cancel_order", "release_hold"]
