"""The demo's history is made as of one moment of its day, then fitted to the hour of the load.

The generator draws its random numbers depending on how close a moment is to "now" (an order
of today cannot be entered after now), so a history made as of the wall clock held other
orders, POs and numbers at each hour: a bench keying a PO passed at 16:18 and failed at 17:24.
So it is always made as of `MADE_AT` of its day, the same rows and numbers whatever the hour,
then `LoadClock.moment` moves every timestamp written: for a load earlier in the day, the ones
after the load's now are pressed, in their order, into the hours before it; at any hour, the
ones planned after `MADE_AT` (call-backs due later) keep their distance from now.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, inspect
from sqlmodel import Session

#: The moment of its day the demo history is made as of (late morning on a US desk).
MADE_AT = time(17, 0)
#: The history's moments after the load's now go into this span before it ...
WINDOW = timedelta(hours=4)
#: ... ending this long before now.
MARGIN = timedelta(minutes=5)


def made_at(day: date) -> datetime:
    return datetime.combine(day, MADE_AT, tzinfo=UTC)


@dataclass(frozen=True)
class LoadClock:
    """The moment the history was made as of, and the moment of the load."""

    made_at: datetime
    now: datetime

    def moment(self, at: datetime) -> datetime:
        """Where a moment of the history goes for this load; in order, never moved later."""
        naive = at.tzinfo is None
        aware = at.replace(tzinfo=UTC) if naive else at
        moved = self._move(aware)
        return moved.replace(tzinfo=None) if naive else moved

    def _move(self, at: datetime) -> datetime:
        if at > self.made_at:  # planned for later (a call-back): as far from now
            return at + (self.now - self.made_at)
        if self.now >= self.made_at:
            return at
        limit = self.now - MARGIN
        start = limit - WINDOW
        if at <= start:
            return at
        return start + (at - start) * ((limit - start) / (self.made_at - start))


def _move_datetimes(clock: LoadClock, obj: Any, only_changed: bool) -> None:
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        value = getattr(obj, attr.key)
        if not isinstance(value, datetime):
            continue
        if only_changed and not state.attrs[attr.key].history.added:
            continue
        setattr(obj, attr.key, clock.moment(value))


@contextmanager
def moved_timestamps(session: Session, clock: LoadClock) -> Iterator[None]:
    """Every timestamp the ORM writes through `session` goes through `clock.moment`
    (rows inserted with Core statements are the caller's to move)."""

    def before_flush(flushing: Session, _context: Any, _instances: Any) -> None:
        for obj in flushing.new:
            _move_datetimes(clock, obj, only_changed=False)
        for obj in flushing.dirty:
            _move_datetimes(clock, obj, only_changed=True)

    event.listen(session, "before_flush", before_flush)
    try:
        yield
    finally:
        event.remove(session, "before_flush", before_flush)
