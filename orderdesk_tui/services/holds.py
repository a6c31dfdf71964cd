"""Placing holds on an order: the one way every engine's verdict becomes an exception to work.

A hold of a kind already open on the order is not placed twice; the order moves to on_hold
(from draft or entered, or later states before shipment) and both changes are audited.
"""

from sqlmodel import Session, select

from orderdesk_tui.models import Hold, SalesOrder
from orderdesk_tui.models.base import HoldKind, OrderState
from orderdesk_tui.services.audit import apply_update, record

#: States from which a new hold moves the order to on_hold.
HOLDABLE = frozenset(
    {OrderState.DRAFT, OrderState.ENTERED, OrderState.ACKNOWLEDGED, OrderState.RELEASED}
)


def open_hold(session: Session, order_id: int, kind: HoldKind | str) -> Hold | None:
    """The order's open hold of `kind` (there is at most one)."""
    return session.exec(
        select(Hold).where(
            Hold.order_id == order_id,
            Hold.kind == str(kind),
            Hold.released_at == None,  # noqa: E711
        )
    ).first()


def place_hold(
    session: Session, order: SalesOrder, kind: HoldKind | str, reason: str, *, actor: str
) -> Hold | None:
    """Open a hold of `kind` on `order` (None if one is open already) inside the caller's
    transaction, and put the order on hold."""
    assert order.id is not None
    if open_hold(session, order.id, kind) is not None:
        return None
    hold = Hold(order_id=order.id, kind=str(kind), reason=reason, raised_by=actor)
    session.add(hold)
    session.flush()
    assert hold.id is not None
    record(
        session,
        actor=actor,
        entity="holds",
        entity_id=hold.id,
        action="hold.placed",
        changes={"kind": (None, str(kind)), "reason": (None, reason)},
        order_id=order.id,
    )
    if order.state in HOLDABLE and order.state != OrderState.DRAFT:
        apply_update(
            session,
            order,
            {"state": OrderState.ON_HOLD},
            expected_version=order.version,
            actor=actor,
            action="order.state",
            order_id=order.id,
            reason=f"{kind} hold: {reason}",
        )
    return hold
