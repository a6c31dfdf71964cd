"""Days to process, time in hold, and entry/acknowledgement SLA attainment.

- **Days to process** per step: business days (the desk's calendar: work days and opening
  hours, `domain.business_calendar`; 1 day = one day's opening hours) between consecutive
  stamps received → entered → acknowledged → released → shipped → invoiced, and received →
  released in all (the team's definition of days to process). Averaged over the orders that
  have both stamps; a stamp earlier than the one before it counts as 0.
- **Time in hold** per hold kind: business days from raised to released (to the as-of moment
  for a hold still open), averaged over the holds of that kind.
- **SLA attainment** = items that met their SLA / items measured. Entry SLA: received →
  entered within the customer tier's entry hours; acknowledgement SLA: entered →
  acknowledged within its ack hours (business hours, `domain.sla`). An item not yet done is
  measured only once it is late.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from orderdesk_tui.domain.business_calendar import BusinessCalendar
from orderdesk_tui.domain.kpi.rates import Rate, rate
from orderdesk_tui.domain.sla import SlaKind, SlaPolicy

STAGES = ("received", "entered", "acknowledged", "released", "shipped", "invoiced")
TOTAL = ("received", "released")

#: Business days between two moments (never negative).
Between = Callable[[datetime, datetime], Decimal]


@dataclass(frozen=True)
class OrderTimes:
    order_id: int
    received: datetime | None = None
    entered: datetime | None = None
    acknowledged: datetime | None = None
    released: datetime | None = None
    shipped: datetime | None = None
    invoiced: datetime | None = None
    tier: str = "standard"

    def at(self, stage: str) -> datetime | None:
        moment: datetime | None = getattr(self, stage)
        return moment


@dataclass(frozen=True)
class HoldSpan:
    order_id: int
    kind: str
    raised: datetime
    released: datetime | None = None


@dataclass(frozen=True)
class Duration:
    """Business days over some orders (or holds): the mean, the longest and the orders."""

    label: str
    count: int
    mean_days: Decimal | None
    max_days: Decimal | None
    orders: tuple[int, ...]
    still_open: int = 0


def business_days(calendar: BusinessCalendar) -> Between:
    def between(start: datetime, end: datetime) -> Decimal:
        seconds = max(0, calendar.between(start, end))
        return Decimal(seconds) / Decimal(calendar.day_seconds)

    return between


def _duration(label: str, spans: list[tuple[int, Decimal]], still_open: int = 0) -> Duration:
    if not spans:
        return Duration(label, 0, None, None, (), still_open)
    days = [d for _, d in spans]
    mean = (sum(days, Decimal(0)) / len(days)).quantize(Decimal("0.01"))
    orders = tuple(dict.fromkeys(order_id for order_id, _ in spans))
    return Duration(label, len(days), mean, max(days).quantize(Decimal("0.01")), orders, still_open)


def steps() -> list[tuple[str, str]]:
    return [*pairwise(STAGES), TOTAL]


def days_to_process(orders: Iterable[OrderTimes], between: Between) -> list[Duration]:
    """One `Duration` per step (`STAGES` pairs), then received → released."""
    spans: dict[tuple[str, str], list[tuple[int, Decimal]]] = {step: [] for step in steps()}
    for times in orders:
        for step, found in spans.items():
            start, end = times.at(step[0]), times.at(step[1])
            if start is not None and end is not None:
                found.append((times.order_id, between(start, end)))
    return [_duration(f"{a} → {b}", found) for (a, b), found in spans.items()]


def time_in_hold(holds: Iterable[HoldSpan], as_of: datetime, between: Between) -> list[Duration]:
    """One `Duration` per hold kind (sorted by kind); `still_open` counts unreleased holds."""
    kinds: dict[str, list[tuple[int, Decimal]]] = {}
    open_count: dict[str, int] = {}
    for hold in holds:
        end = hold.released or as_of
        kinds.setdefault(hold.kind, []).append((hold.order_id, between(hold.raised, end)))
        open_count[hold.kind] = open_count.get(hold.kind, 0) + (hold.released is None)
    return [_duration(kind, kinds[kind], open_count[kind]) for kind in sorted(kinds)]


def sla_attainment(
    orders: Iterable[OrderTimes], kind: SlaKind, policy: SlaPolicy, as_of: datetime
) -> Rate:
    start_stage, end_stage = (
        ("received", "entered")
        if kind == SlaKind.ENTRY
        else (
            "entered",
            "acknowledged",
        )
    )
    now_at = policy.calendar.position(as_of)

    def scores() -> Iterable[tuple[int, bool]]:
        for times in orders:
            start, end = times.at(start_stage), times.at(end_stage)
            if start is None:
                continue
            at = policy.calendar.position(end) if end is not None else now_at
            met = not policy.clock_at(kind, times.tier, start, at).breached
            if end is not None or not met:
                yield times.order_id, met

    return rate(scores())
