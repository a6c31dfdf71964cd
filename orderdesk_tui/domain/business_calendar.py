"""Business time: SLAs run only while the desk is open (work days, opening hours, not holidays).

A moment's *position* is the number of business seconds between a fixed reference day and it,
computed arithmetically (whole weeks, then the days left, less holidays found by bisection), so
the SLA clock of ten thousand queue items costs microseconds each, however old they are.
"""

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

#: Monday of the week all positions count from (any Monday far enough back would do).
REFERENCE = date(2000, 1, 3)


@dataclass(frozen=True)
class BusinessCalendar:
    tz: tzinfo
    #: Weekday numbers the desk works (Monday = 0).
    work_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    opens: time = time(8, 0)
    closes: time = time(17, 0)
    holidays: frozenset[date] = frozenset()
    _sorted_holidays: tuple[date, ...] = field(init=False, repr=False, compare=False)
    #: Work days among the first n days of a week (n = 0..6), for the days past whole weeks.
    _partial_week: tuple[int, ...] = field(init=False, repr=False, compare=False)
    #: Work days before a date, remembered: a queue's items share few distinct days.
    _before: dict[date, int] = field(init=False, repr=False, compare=False)
    _day_seconds: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.work_days:
            raise ValueError("a business calendar needs at least one work day")
        if self.opens >= self.closes:
            raise ValueError("the desk must open before it closes")
        working = sorted(d for d in self.holidays if d.weekday() in self.work_days)
        object.__setattr__(self, "_sorted_holidays", tuple(working))
        partial = tuple(sum(1 for d in range(n) if d in self.work_days) for n in range(7))
        object.__setattr__(self, "_partial_week", partial)
        object.__setattr__(self, "_before", {})
        object.__setattr__(self, "_day_seconds", _seconds(self.closes) - _seconds(self.opens))

    @property
    def day_seconds(self) -> int:
        return self._day_seconds

    def is_work_day(self, day: date) -> bool:
        return day.weekday() in self.work_days and day not in self.holidays

    def _work_days_before(self, day: date) -> int:
        """Work days in [REFERENCE, day)."""
        known = self._before.get(day)
        if known is not None:
            return known
        weeks, rest = divmod((day - REFERENCE).days, 7)
        count = weeks * len(self.work_days) + self._partial_week[rest]
        lo = bisect.bisect_left(self._sorted_holidays, REFERENCE)
        hi = bisect.bisect_left(self._sorted_holidays, day)
        count -= hi - lo
        self._before[day] = count
        return count

    def position(self, moment: datetime) -> int:
        """Business seconds from the reference day to `moment` (aware)."""
        local = moment.astimezone(self.tz)
        day = local.date()
        done = self._work_days_before(day) * self.day_seconds
        if not self.is_work_day(day):
            return done
        into = _seconds(local.time()) - _seconds(self.opens)
        return done + max(0, min(into, self.day_seconds))

    def between(self, start: datetime, end: datetime) -> int:
        """Business seconds from `start` to `end` (negative if `end` is earlier)."""
        return self.position(end) - self.position(start)

    def add(self, start: datetime, seconds: int) -> datetime:
        """The moment `seconds` business seconds after `start` (an SLA's deadline)."""
        if seconds < 0:
            raise ValueError("business time is added forwards only")
        if seconds == 0:
            return self.next_opening(start)
        local = start.astimezone(self.tz)
        day = local.date()
        # Time already used today counts against the day's remaining opening hours.
        if self.is_work_day(day):
            into = max(0, min(_seconds(local.time()) - _seconds(self.opens), self.day_seconds))
            left_today = self.day_seconds - into
            if seconds <= left_today:
                return self._at(day, into + seconds)
            seconds -= left_today
        while True:
            day += timedelta(days=1)
            if not self.is_work_day(day):
                continue
            if seconds <= self.day_seconds:
                return self._at(day, seconds)
            seconds -= self.day_seconds

    def _at(self, day: date, into: int) -> datetime:
        opening = datetime.combine(day, self.opens, tzinfo=self.tz)
        return opening + timedelta(seconds=into)

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` if the desk is open then, else when it next opens."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_work_day(day) and local.time() < self.closes:
            return max(local, datetime.combine(day, self.opens, tzinfo=self.tz))
        while True:
            day += timedelta(days=1)
            if self.is_work_day(day):
                return datetime.combine(day, self.opens, tzinfo=self.tz)


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekday_numbers(names: list[str]) -> frozenset[int]:
    return frozenset(WEEKDAY_NAMES.index(name) for name in names)
