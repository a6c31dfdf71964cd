"""When to bring a snoozed item back, from what a coordinator types.

`14:30` (today, or tomorrow if that time has passed), `+2h`, `+45m`, `+1d`, `+1h30m`,
`tomorrow 9`, `tomorrow 9:30`, `tomorrow` (at opening), `fri 14` (the next Friday),
`2026-12-03 10:00`, `2026-12-03` (at opening). Times are the desk's local time.
"""

import re
from datetime import date, datetime, time, timedelta, tzinfo

from orderdesk_tui.domain.entry_shorthand import WEEKDAYS
from orderdesk_tui.errors import FieldError

FIELD = "snooze until"
EXAMPLES = "14:30, +2h, +45m, tomorrow 9, fri 14, 2026-12-03 10:00"
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")
_OFFSET = re.compile(r"^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _clock(raw: str) -> time:
    match = _CLOCK.match(raw)
    if not match:
        raise FieldError(FIELD, f"'{raw}' is not a time of day (9, 9:30, 14:30)")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise FieldError(FIELD, f"'{raw}' is not a time of day (hours 0-23, minutes 0-59)")
    return time(hour, minute)


def _day(raw: str, today: date) -> date | None:
    if raw in {"today", "t"}:
        return today
    if raw in {"tomorrow", "tm"}:
        return today + timedelta(days=1)
    if len(raw) >= 3:
        for index, name in enumerate(WEEKDAYS):
            if name.startswith(raw):
                return today + timedelta(days=(index - today.weekday()) % 7 or 7)
    if match := _ISO_DAY.match(raw):
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            raise FieldError(FIELD, f"'{raw}' is not a date") from None
    return None


def parse_until(text: str, now: datetime, tz: tzinfo, opening: time) -> datetime:
    """The moment to snooze until (aware, in `tz`); FieldError naming the rule otherwise."""
    raw = " ".join(text.lower().split())
    if not raw:
        raise FieldError(FIELD, f"say until when ({EXAMPLES})")
    local_now = now.astimezone(tz)
    if raw.startswith("+"):
        match = _OFFSET.match(raw.replace(" ", ""))
        if not match or not any(match.groups()):
            raise FieldError(FIELD, f"'{text}' is not an offset (+2h, +45m, +1d, +1h30m)")
        days, hours, minutes = (int(g or 0) for g in match.groups())
        return local_now + timedelta(days=days, hours=hours, minutes=minutes)
    first, _, rest = raw.partition(" ")
    day = _day(first, local_now.date())
    if day is None:
        if rest:
            raise FieldError(FIELD, f"'{first}' is not a day ({EXAMPLES})")
        at = _clock(first)
        when = datetime.combine(local_now.date(), at, tzinfo=tz)
        return when if when > local_now else when + timedelta(days=1)
    when = datetime.combine(day, _clock(rest) if rest else opening, tzinfo=tz)
    if when <= local_now:
        raise FieldError(FIELD, f"{when:%Y-%m-%d %H:%M} has already passed")
    return when
