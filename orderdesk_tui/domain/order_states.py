"""The order state machine (DESIGN.md) and who may move an order where.

draft → entered → (on_hold ↔) → acknowledged → released → partially_shipped → shipped →
invoiced → closed; cancelled from any state before shipped, and a released order needs a
supervisor to cancel.
"""

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    ENTERED = "entered"
    ON_HOLD = "on_hold"
    ACKNOWLEDGED = "acknowledged"
    RELEASED = "released"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CLOSED = "closed"
    CANCELLED = "cancelled"


#: Before shipment, an order can be cancelled.
CANCELLABLE = frozenset(
    {State.DRAFT, State.ENTERED, State.ON_HOLD, State.ACKNOWLEDGED, State.RELEASED}
)

TRANSITIONS: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.ENTERED, State.ON_HOLD, State.CANCELLED}),
    State.ENTERED: frozenset({State.ON_HOLD, State.ACKNOWLEDGED, State.CANCELLED}),
    State.ON_HOLD: frozenset({State.ENTERED, State.ACKNOWLEDGED, State.CANCELLED}),
    State.ACKNOWLEDGED: frozenset({State.ON_HOLD, State.RELEASED, State.CANCELLED}),
    State.RELEASED: frozenset(
        {State.ON_HOLD, State.PARTIALLY_SHIPPED, State.SHIPPED, State.CANCELLED}
    ),
    State.PARTIALLY_SHIPPED: frozenset({State.SHIPPED, State.INVOICED}),
    State.SHIPPED: frozenset({State.INVOICED}),
    State.INVOICED: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
    State.CANCELLED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return State(target) in TRANSITIONS[State(current)]


def cancel_refusal(current: str) -> str | None:
    """Why an order in `current` cannot be cancelled, or None if it can."""
    if State(current) in CANCELLABLE:
        return None
    if State(current) == State.CANCELLED:
        return "the order is already cancelled"
    return f"the order is {current.replace('_', ' ')}: only orders not yet shipped can be cancelled"


def cancel_needs_supervisor(current: str) -> bool:
    return State(current) == State.RELEASED
