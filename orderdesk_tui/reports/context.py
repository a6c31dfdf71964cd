"""What every report builder is given, and the trend buckets (weeks, or months for long
periods) its chart is drawn over."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.kpi.rates import Rate
from orderdesk_tui.services.kpi_queries import Filters, Period
from orderdesk_tui.store import Store

#: Periods longer than this many days trend by month, shorter ones by ISO week.
WEEKLY_UP_TO_DAYS = 92


@dataclass(frozen=True)
class ReportContext:
    store: Store
    settings: Settings
    period: Period
    filters: Filters
    today: date
    now: datetime

    def heading(self, name: str) -> str:
        flt = self.filters.label
        return f"{name}, {self.period.label}" + (f" ({flt})" if flt else "")


def bucket_of(period: Period) -> Callable[[date], str]:
    """The trend bucket of a day: `2026-W46`, or `2026-11` for a long period (remembered per
    day: a month of lines has thirty-odd days)."""
    monthly = (period.end - period.start).days > WEEKLY_UP_TO_DAYS
    seen: dict[date, str] = {}

    def bucket(day: date) -> str:
        found = seen.get(day)
        if found is None:
            if monthly:
                found = f"{day.year}-{day.month:02d}"
            else:
                year, number, _ = day.isocalendar()
                found = f"{year}-W{number:02d}"
            seen[day] = found
        return found

    return bucket


def percent_points(rates: Iterable[tuple[str, Rate]]) -> tuple[tuple[str, float], ...]:
    return tuple((label, float(r.percent)) for label, r in rates if r.percent is not None)
