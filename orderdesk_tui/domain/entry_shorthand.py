"""Shorthands a coordinator types: dates (`t`, `+5`, `12/3`, `fri`) and `3*AB-1005` lines.

Green-screen and ERP habits (KEYBOARD.md §13): `t` today, `+5` five days on, `-2` two days back,
a bare day number (`3`: the 3rd, this month or, if passed, next), month/day (`12/3`, US order;
a year may follow), ISO dates, and weekday names (the next such day after today).
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from orderdesk_tui.domain.money import to_decimal
from orderdesk_tui.errors import FieldError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_OFFSET = re.compile(r"^([+-])(\d{1,3})([dw]?)$")
_QTY_PART = re.compile(r"^\s*([0-9][0-9.,]*)\s*\*\s*(\S.*?)\s*$")


def _weekday(raw: str) -> int | None:
    """Monday=0 … for a weekday name or its start of at least three letters (`fri`, `thurs`)."""
    return next((i for i, name in enumerate(WEEKDAYS) if name.startswith(raw)), None)


def _make(year: int, month: int, day: int, field: str, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise FieldError(field, f"'{text}' is not a date") from None


def parse_date(text: str, today: date, *, field: str = "date") -> date:
    """A date from what was typed; FieldError naming the field if it does not parse."""
    raw = text.strip().lower()
    if not raw:
        raise FieldError(field, "a date is required")
    if raw in {"t", "today"}:
        return today
    if raw in {"tm", "tomorrow"}:
        return today + timedelta(days=1)
    if match := _OFFSET.match(raw):
        sign, amount, unit = match.groups()
        days = int(amount) * (7 if unit == "w" else 1)
        return today + timedelta(days=days if sign == "+" else -days)
    if len(raw) >= 3 and (day_index := _weekday(raw)) is not None:
        ahead = (day_index - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if match := _ISO.match(raw):
        year, month, day = (int(g) for g in match.groups())
        return _make(year, month, day, field, text)
    if match := _MONTH_DAY.match(raw):
        month, day = int(match.group(1)), int(match.group(2))
        if match.group(3):
            year = int(match.group(3))
            year = year + 2000 if year < 100 else year
            return _make(year, month, day, field, text)
        candidate = _make(today.year, month, day, field, text)
        return candidate if candidate >= today else _make(today.year + 1, month, day, field, text)
    if raw.isdigit() and 1 <= int(raw) <= 31:
        day = int(raw)
        year, month = today.year, today.month
        for _ in range(3):  # this month, else the next month that has that day
            try:
                candidate = date(year, month, day)
            except ValueError:
                pass  # no such day in this month
            else:
                if candidate >= today:
                    return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise FieldError(field, f"'{text}' is not a date (t, +5, 12/3, fri, 2026-12-03)")


def split_quantity_part(text: str) -> tuple[Decimal, str] | None:
    """`3*AB-1005` → (3, "AB-1005"); None when the text is not in that form."""
    match = _QTY_PART.match(text)
    if not match:
        return None
    quantity = to_decimal(match.group(1))
    if quantity is None:
        return None
    return quantity, match.group(2)
