"""SLA clocks of the queue: how much business time an item has left before it is late.

Two SLAs per customer service tier (config `[sla.tiers]`): *entry* runs from the PO's receipt
until the order is entered (a draft's clock), *acknowledgement* from entry until the customer is
sent the acknowledgement. Both count business seconds only (domain.business_calendar).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from orderdesk_tui.domain.business_calendar import BusinessCalendar


class SlaKind(StrEnum):
    ENTRY = "entry"
    ACK = "ack"
    #: From the rush mark until the order is released to the warehouse.
    RUSH = "rush"


@dataclass(frozen=True)
class TierTargets:
    """Business seconds allowed for each SLA kind, for one customer service tier."""

    entry_s: int
    ack_s: int

    def for_kind(self, kind: SlaKind) -> int:
        return self.entry_s if kind == SlaKind.ENTRY else self.ack_s


@dataclass(frozen=True)
class SlaClock:
    kind: SlaKind
    total_s: int
    #: Business seconds left; negative once breached (how late it is).
    left_s: int

    @property
    def breached(self) -> bool:
        return self.left_s < 0

    def due_within(self, seconds: int) -> bool:
        return 0 <= self.left_s <= seconds

    @property
    def used_fraction(self) -> float:
        return 1.0 - self.left_s / self.total_s if self.total_s else 1.0


@dataclass(frozen=True)
class SlaPolicy:
    calendar: BusinessCalendar
    tiers: dict[str, TierTargets]
    warn_s: int = 3600
    #: The rush SLA, the same for every tier.
    rush_s: int = 7200

    def targets(self, tier: str) -> TierTargets:
        return self.tiers.get(tier) or self.tiers["standard"]

    def clock(self, kind: SlaKind, tier: str, started: datetime, now: datetime) -> SlaClock:
        return self.clock_at(kind, tier, started, self.calendar.position(now))

    def clock_at(self, kind: SlaKind, tier: str, started: datetime, now_at: int) -> SlaClock:
        """`clock` with now's calendar position worked out once for a whole queue."""
        total = self.rush_s if kind == SlaKind.RUSH else self.targets(tier).for_kind(kind)
        return SlaClock(kind, total, total - (now_at - self.calendar.position(started)))


def format_duration(seconds: int) -> str:
    """A short duration for a narrow column: `45m`, `3h05m`, `2d04h`; `-` prefix when late."""
    sign = "-" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    if minutes < 60:
        return f"{sign}{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{sign}{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d{hours:02d}h"
