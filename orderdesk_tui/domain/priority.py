"""The queue's priority score and the reasons it is made of.

Each factor adds points and names itself, so a coordinator can see why an item sits where it
does: order value, the customer's service tier, SLA time left, rush, and what kind of work it
is. The weights are deliberately few and round; the score only orders the queue.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from orderdesk_tui.domain.sla import SlaClock, format_duration

#: (from this value, points) — largest first.
VALUE_BANDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal("50000"), 30),
    (Decimal("10000"), 20),
    (Decimal("2500"), 10),
    (Decimal("500"), 4),
)
TIER_POINTS = {"platinum": 25, "gold": 15, "silver": 8}
RUSH_POINTS = 25
ESCALATED_POINTS = 20
BREACH_POINTS = 40
#: Up to this much more, 5 points per business hour late.
LATE_POINTS_MAX = 20
DUE_SOON_POINTS = 30
#: What kind of work it is (holds stop an order, a due callback is a promise made, a change
#: request must be answered before the order moves on as it was).
KIND_POINTS = {
    "hold": 10,
    "callback": 12,
    "change": 10,
    "backorder": 10,
    "mail": 10,
    "draft": 6,
    "rma": 4,
    "sla": 0,
    "rush": 0,
}


class Work(Protocol):
    """Why an item is in the queue (domain.queue_items.Reason)."""

    @property
    def kind(self) -> str: ...

    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class PriorityScore:
    """The points, and what they came from; the reasons are worded only when shown (a queue of
    ten thousand items is scored on every refresh, but only a screenful is read)."""

    score: int
    sla: SlaClock | None = None
    warn_s: int = 0
    escalated: bool = False
    rush: bool = False
    tier_points: int = 0
    tier: str = ""
    value: Decimal | None = None
    work: Work | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        reasons: list[str] = []
        sla = self.sla
        if sla is not None:
            if sla.breached:
                reasons.append(f"{sla.kind} SLA late {format_duration(-sla.left_s)}")
            elif sla.left_s <= self.warn_s or _sla_used_points(sla):
                reasons.append(f"{sla.kind} SLA {format_duration(sla.left_s)} left")
        if self.escalated:
            reasons.append("escalated")
        if self.rush:
            reasons.append("rush")
        if self.tier_points:
            reasons.append(f"{self.tier} customer")
        if self.value is not None:
            reasons.append(f"value {_money_words(self.value)}")
        if self.work is not None:
            reasons.append(self.work.label)
        return tuple(reasons)

    @property
    def summary(self) -> str:
        return ", ".join(self.reasons)


def _money_words(value: Decimal) -> str:
    if value >= 1000:
        return f"{value / 1000:,.0f}k"
    return f"{value:,.0f}"


def _sla_used_points(sla: SlaClock) -> int:
    return int(20 * sla.used_fraction)


def score(
    *,
    value: Decimal,
    tier: str,
    rush: bool,
    # each reason the item is in the queue; the weightiest one counts.
    work: Sequence[Work],
    sla: SlaClock | None,
    warn_s: int,
    escalated: bool = False,
) -> PriorityScore:
    points = 0
    if sla is not None:
        if sla.breached:
            points += BREACH_POINTS + min(LATE_POINTS_MAX, 5 * (-sla.left_s // 3600))
        elif sla.left_s <= warn_s:
            points += DUE_SOON_POINTS
        else:
            points += _sla_used_points(sla)
    if escalated:
        points += ESCALATED_POINTS
    if rush:
        points += RUSH_POINTS
    tier_points = TIER_POINTS.get(tier, 0)
    points += tier_points
    banded: Decimal | None = None
    for floor, band_points in VALUE_BANDS:
        if value >= floor:
            points += band_points
            banded = value
            break
    main = None
    if work:
        weightiest = max(work, key=lambda reason: KIND_POINTS.get(reason.kind, 0))
        if KIND_POINTS.get(weightiest.kind, 0):
            points += KIND_POINTS[weightiest.kind]
            main = weightiest
    return PriorityScore(points, sla, warn_s, escalated, rush, tier_points, tier, banded, main)
