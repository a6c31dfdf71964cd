"""Date and quantity*part shorthands, table-driven."""

from datetime import date
from decimal import Decimal

import pytest

from orderdesk_tui.domain.entry_shorthand import parse_date, split_quantity_part
from orderdesk_tui.errors import FieldError

FRIDAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("t", FRIDAY),
        ("T", FRIDAY),
        ("today", FRIDAY),
        ("tm", date(2026, 11, 28)),
        ("+5", date(2026, 12, 2)),
        ("-2", date(2026, 11, 25)),
        ("+2w", date(2026, 12, 11)),
        ("12/3", date(2026, 12, 3)),
        ("1/5", date(2027, 1, 5)),  # January is past this year: next year
        ("12/3/27", date(2027, 12, 3)),
        ("12.3.2027", date(2027, 12, 3)),
        ("3", date(2026, 12, 3)),  # the 3rd has passed this month: next month's
        ("30", date(2026, 11, 30)),
        ("31", date(2026, 12, 31)),  # November has no 31st
        ("fri", date(2026, 12, 4)),  # the next Friday, not today
        ("friday", date(2026, 12, 4)),
        ("mon", date(2026, 11, 30)),
        ("thurs", date(2026, 12, 3)),
        ("2026-12-24", date(2026, 12, 24)),
    ],
)
def test_date_shorthands(typed: str, expected: date) -> None:
    assert parse_date(typed, FRIDAY) == expected


@pytest.mark.parametrize("typed", ["", "xx", "13/40", "2/30", "0", "32", "fr", "2026-02-30"])
def test_bad_dates_name_the_field(typed: str) -> None:
    with pytest.raises(FieldError) as err:
        parse_date(typed, FRIDAY, field="requested date")
    assert err.value.field == "requested date"
    assert str(err.value).startswith("requested date: ")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3*AB-1005", (Decimal("3"), "AB-1005")),
        (" 12 * 6204-2RS ", (Decimal("12"), "6204-2RS")),
        ("2.5*HOSE-12", (Decimal("2.5"), "HOSE-12")),
        ("1,000*HHCS-0500", (Decimal("1000"), "HHCS-0500")),
        ("AB-1005", None),
        ("*AB", None),
        ("3*", None),
    ],
)
def test_quantity_times_part(typed: str, expected: tuple[Decimal, str] | None) -> None:
    assert split_quantity_part(typed) == expected
