"""The queue's priority score and the reasons it is made of.

Each factor adds points and names itself, so a coordinator can see why an item sits where it
does: order value, the customer's service tier, SLA time left, rush, and what kind of work it
is. The weights are deliberately few and round; the score only orders the queue.
"""

from dataclasses import dataclass
from decimal import Decimal

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
BREACH_POINTS = 40
#: Up to this much more, 5 points per business hour late.
LATE_POINTS_MAX = 20
DUE_SOON_POINTS = 30
#: What kind of work it is (holds stop an order, a due callback is a promise made).
KIND_POINTS = {
    "hold": 10,
    "callback": 12,
    "backorder": 10,
    "draft": 6,
    "rma": 4,
    "sla": 0,
    "rush": 0,
}


@dataclass(frozen=True)
class PriorityScore:
    score: int
    reasons: tuple[str, ...]

    @property
    def summary(self) -> str:
        return ", ".join(self.reasons)


def _money_words(value: Decimal) -> str:
    if value >= 1000:
        return f"{value / 1000:,.0f}k"
    return f"{value:,.0f}"


def score(
    *,
    value: Decimal,
    tier: str,
    rush: bool,
    # (kind, label) of each reason the item is in the queue; the weightiest one counts.
    work: tuple[tuple[str, str], ...],
    sla: SlaClock | None,
    warn_s: int,
    escalated: bool = False,
) -> PriorityScore:
    points = 0
    reasons: list[str] = []
    if sla is not None:
        if sla.breached:
            late_hours = -sla.left_s // 3600
            extra = min(LATE_POINTS_MAX, 5 * late_hours)
            points += BREACH_POINTS + extra
            reasons.append(f"{sla.kind} SLA late {format_duration(-sla.left_s)}")
        elif sla.left_s <= warn_s:
            points += DUE_SOON_POINTS
            reasons.append(f"{sla.kind} SLA {format_duration(sla.left_s)} left")
        else:
            used = int(20 * sla.used_fraction)
            if used:
                points += used
                reasons.append(f"{sla.kind} SLA {format_duration(sla.left_s)} left")
    if escalated:
        points += 20
        reasons.append("escalated")
    if rush:
        points += RUSH_POINTS
        reasons.append("rush")
    tier_points = TIER_POINTS.get(tier, 0)
    if tier_points:
        points += tier_points
        reasons.append(f"{tier} customer")
    for floor, band_points in VALUE_BANDS:
        if value >= floor:
            points += band_points
            reasons.append(f"value {_money_words(value)}")
            break
    if work:
        kind, label = max(work, key=lambda pair: KIND_POINTS.get(pair[0], 0))
        if KIND_POINTS.get(kind, 0):
            points += KIND_POINTS[kind]
            reasons.append(label)
    return PriorityScore(points, tuple(reasons))
