"""On-time shipment and OTIF against three targets (orwiki DP13, Syensqo OTIF-C).

- **Target date**: the customer's *requested* date (network alignment), the *first promised*
  date (promising accuracy) or the *last promised* date (the easiest target).
- **On-time shipment** (lines) = lines shipped on or before the target / lines due. A line is
  due once its target date is on or before the as-of day or it has shipped; an unshipped line
  past its target counts late. Lines without that target date are not counted.
- **OTIF** (orders, binary per order, the rate is the mean) = orders whose every due line
  shipped in full and on time to the target / orders with at least one line due.
"""

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from orderdesk_tui.domain.kpi.facts import ZERO, LineFact, by_order
from orderdesk_tui.domain.kpi.rates import Rate, rate


class Target(StrEnum):
    REQUESTED = "requested"
    FIRST_PROMISED = "first_promised"
    LAST_PROMISED = "last_promised"


def target_date(line: LineFact, target: Target) -> date | None:
    if target == Target.REQUESTED:
        return line.requested
    return line.first_promised if target == Target.FIRST_PROMISED else line.last_promised


def is_due(line: LineFact, target: Target, as_of: date) -> bool:
    day = target_date(line, target)
    return line.wanted > ZERO and day is not None and (line.shipped_on is not None or day <= as_of)


def shipped_by(shipped: date | None, target: date | None) -> bool | None:
    """Shipped on or before the target day; None when not shipped or there is no target (the
    one comparison behind every on-time figure, the customer view's per order too)."""
    if shipped is None or target is None:
        return None
    return shipped <= target


def shipped_on_time(line: LineFact, target: Target) -> bool:
    return bool(shipped_by(line.shipped_on, target_date(line, target)))


def in_full_on_time(line: LineFact, target: Target) -> bool:
    return line.shipped >= line.wanted and shipped_on_time(line, target)


def on_time_shipment(lines: Iterable[LineFact], target: Target, as_of: date) -> Rate:
    return rate(
        (line.order_id, shipped_on_time(line, target))
        for line in lines
        if is_due(line, target, as_of)
    )


def otif(lines: Iterable[LineFact], target: Target, as_of: date) -> Rate:
    orders = by_order(line for line in lines if is_due(line, target, as_of))
    return rate(
        (order_id, all(in_full_on_time(line, target) for line in group))
        for order_id, group in orders.items()
    )
