"""Fill rates (RightChain): line, unit, order and value, first-time or after backorders.

- **Line fill rate** = lines shipped complete / lines requested (short by one unit: not filled).
- **Unit fill rate** = units shipped / units requested.
- **Order fill rate** = orders with every line shipped complete / orders.
- **Value fill rate** = value shipped / value requested, per currency (never added across).

Requested = ordered less what the customer cancelled; lines with nothing requested are not
counted. Units shipped beyond the request count only up to it (a rate never exceeds 1).
**First-time** counts what shipped by the date first agreed with the customer (the first
promise, else the requested date): the fill at initial demand, before backorders were filled
later (the source's "measured against the agreed date"). **After backorders** counts everything
shipped so far. No tolerance: a line within an under-shipment tolerance still counts short.
"""

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum

from orderdesk_tui.domain.kpi.facts import ZERO, LineFact, by_order
from orderdesk_tui.domain.kpi.rates import Rate, rate


class Basis(StrEnum):
    FIRST_TIME = "first_time"
    AFTER_BACKORDERS = "after_backorders"


def shipped_units(line: LineFact, basis: Basis) -> Decimal:
    """Units of the request that count as shipped on `basis` (at most the request)."""
    late = line.shipped_on is None or (line.commit is not None and line.shipped_on > line.commit)
    if basis == Basis.FIRST_TIME and line.commit is not None and late:
        return ZERO
    return min(line.shipped, line.wanted)


def line_filled(line: LineFact, basis: Basis) -> bool:
    return line.wanted > ZERO and shipped_units(line, basis) >= line.wanted


def _requested(lines: Iterable[LineFact]) -> list[LineFact]:
    return [line for line in lines if line.wanted > ZERO]


def line_fill(lines: Iterable[LineFact], basis: Basis) -> Rate:
    return rate((line.order_id, line_filled(line, basis)) for line in _requested(lines))


def order_fill(lines: Iterable[LineFact], basis: Basis) -> Rate:
    """Orders completely satisfied: every requested line filled (no backorder, no shortage)."""
    orders = by_order(_requested(lines))
    return rate(
        (order_id, all(line_filled(line, basis) for line in group))
        for order_id, group in orders.items()
    )


def _weighted(lines: list[LineFact], basis: Basis, weight: str) -> Rate:
    met = counted = ZERO
    orders: dict[int, None] = {}
    exceptions: dict[int, None] = {}
    for line in lines:
        factor = line.unit_price if weight == "value" else Decimal(1)
        counted += line.wanted * factor
        met += shipped_units(line, basis) * factor
        orders[line.order_id] = None
        if not line_filled(line, basis):
            exceptions[line.order_id] = None
    return Rate(met, counted, tuple(orders), tuple(exceptions))


def unit_fill(lines: Iterable[LineFact], basis: Basis) -> Rate:
    return _weighted(_requested(lines), basis, "units")


def value_fill(lines: Iterable[LineFact], basis: Basis) -> dict[str, Rate]:
    """Value shipped / value requested at the line's price, one rate per currency."""
    per_currency: dict[str, list[LineFact]] = {}
    for line in _requested(lines):
        per_currency.setdefault(line.currency, []).append(line)
    return {cur: _weighted(group, basis, "value") for cur, group in sorted(per_currency.items())}


def backorder_rate(lines: Iterable[LineFact], *, per_order: bool = False) -> Rate:
    """Lines (or orders) not shipped complete by the agreed date, of those requested: the
    complement of the first-time line (order) fill rate, the desk having no substitutions."""
    filled = (
        order_fill(lines, Basis.FIRST_TIME) if per_order else line_fill(lines, Basis.FIRST_TIME)
    )
    return filled.complement()
