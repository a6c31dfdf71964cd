"""'Promised to call back at …' as a coordinator types it.

"14:30", "2:30pm", "9" (today, 09:00), "+2h", "+45m", "tomorrow 9:00", "fri 10am",
"2026-12-01 08:15": a date the order-entry shorthand reads, then an optional time. Times are
the desk's local wall clock (`now` carries its zone); the result must be in the future.
"""

import re
from datetime import datetime, time, timedelta

from orderdesk_tui.domain.entry_shorthand import parse_date
from orderdesk_tui.errors import FieldError

FIELD = "call back at"
_OFFSET = re.compile(r"^\+(\d{1,3})\s*(m|min|h|hr|d)$")
_TIME = re.compile(r"^(\d{1,2})(?::?(\d{2}))?\s*(am|pm)?$")


def _time_of(text: str) -> time | None:
    match = _TIME.match(text)
    if match is None:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_callback(text: str, now: datetime) -> datetime:
    """The moment to call back, aware in `now`'s zone; FieldError if unreadable or past."""
    raw = " ".join(text.strip().lower().split())
    if not raw:
        raise FieldError(FIELD, "a time is required")
    if match := _OFFSET.match(raw):
        amount, unit = int(match[1]), match[2]
        step = {"m": "minutes", "min": "minutes", "h": "hours", "hr": "hours", "d": "days"}[unit]
        return now + timedelta(**{step: amount})
    when = _time_of(raw)
    if when is not None:
        day = now.date()
    else:
        date_part, _, time_part = raw.rpartition(" ")
        when = _time_of(time_part) if date_part else None
        if when is None:  # a date alone: first thing that morning
            date_part, when = raw, time(9, 0)
        day = parse_date(date_part, now.date(), field=FIELD)
    moment = datetime.combine(day, when, tzinfo=now.tzinfo)
    if moment <= now:
        raise FieldError(FIELD, f"{moment:%a %d %b %H:%M} has passed")
    return moment
