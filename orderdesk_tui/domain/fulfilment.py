"""Where an order line stands, and how well a customer's orders were filled and kept on time.

The words a coordinator reads out on a "where is my order?" call; the fill and on-time figures
of the customer view (percentages and the on-time comparison from domain.kpi, the one set of
definitions). Pure: the service hands in quantities and dates.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from orderdesk_tui.domain.kpi.rates import ratio
from orderdesk_tui.domain.order_states import State

ZERO = Decimal(0)


def line_status(
    order_state: str,
    quantity: Decimal,
    allocated: Decimal,
    shipped: Decimal,
    backordered: Decimal,
    cancelled: Decimal,
) -> str:
    """One phrase for the line: cancelled, shipped, part shipped, allocated, backordered..."""
    wanted = quantity - cancelled
    if wanted <= ZERO:
        return "cancelled"
    if order_state == State.DRAFT:
        return "draft"
    if shipped >= wanted:
        return "shipped"
    still_open = wanted - shipped
    parts = []
    if shipped > ZERO:
        parts.append("part shipped")
    if order_state == State.ON_HOLD:
        parts.append("on hold")
    if allocated >= still_open:
        parts.append("allocated")
    elif allocated > ZERO:
        parts.append("part allocated")
    if backordered > ZERO:
        parts.append("backordered")
    if not parts:
        parts.append("open")
    return ", ".join(parts)


@dataclass(frozen=True)
class Fulfilment:
    """Fill and on-time over a set of orders (the customer view's history figures)."""

    orders: int
    #: Units shipped of the units ordered (less what the customer cancelled), None if none due.
    fill_rate: Decimal | None
    #: Orders shipped complete by the first promised date, of the orders shipped with a promise.
    on_time_rate: Decimal | None
    shipped_orders: int
    late_orders: int


def fulfilment(
    orders: int,
    ordered_units: Decimal,
    shipped_units: Decimal,
    shipped_promised: list[tuple[date, date]],
) -> Fulfilment:
    """Figures from the totals and the (shipped, first promised) dates of shipped orders."""
    late = sum(1 for shipped, promised in shipped_promised if shipped > promised)
    kept = len(shipped_promised) - late
    return Fulfilment(
        orders=orders,
        fill_rate=ratio(shipped_units, ordered_units),
        on_time_rate=ratio(kept, len(shipped_promised)),
        shipped_orders=len(shipped_promised),
        late_orders=late,
    )
