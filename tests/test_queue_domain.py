"""The queue's pure rules: business-hours clock, SLA, priority, filter language, snooze times."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderdesk_tui.domain.business_calendar import BusinessCalendar
from orderdesk_tui.domain.priority import score
from orderdesk_tui.domain.queue_filter import Context, FilterSyntaxError, parse_filter
from orderdesk_tui.domain.queue_items import HoldRef, QueueItem, Reason, ReasonKind, Subject
from orderdesk_tui.domain.sla import SlaClock, SlaKind, SlaPolicy, TierTargets, format_duration
from orderdesk_tui.domain.snooze import parse_until
from orderdesk_tui.errors import FieldError

CHI = ZoneInfo("America/Chicago")
THANKSGIVING = date(2026, 11, 26)
CAL = BusinessCalendar(tz=CHI, holidays=frozenset({THANKSGIVING}))


def chi(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHI)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (chi(2026, 11, 24, 9), chi(2026, 11, 24, 11), 2),  # same day
        (chi(2026, 11, 24, 6), chi(2026, 11, 24, 9), 1),  # before opening counts from 8
        (chi(2026, 11, 24, 16), chi(2026, 11, 25, 9), 2),  # overnight: 1h + 1h
        (chi(2026, 11, 25, 16), chi(2026, 11, 27, 9), 2),  # over Thanksgiving (closed)
        (chi(2026, 11, 27, 16), chi(2026, 11, 30, 9), 2),  # over the weekend
        (chi(2026, 11, 28, 10), chi(2026, 11, 29, 15), 0),  # all weekend
        (chi(2026, 11, 24, 18), chi(2026, 11, 24, 20), 0),  # after closing
        (chi(2026, 11, 30, 9), chi(2026, 11, 27, 16), -2),  # backwards is negative
    ],
)
def test_business_time_between(start: datetime, end: datetime, hours: int) -> None:
    assert CAL.between(start, end) == hours * 3600


def test_a_deadline_skips_nights_weekends_and_holidays() -> None:
    assert CAL.add(chi(2026, 11, 25, 15), 4 * 3600) == chi(2026, 11, 27, 10)
    assert CAL.add(chi(2026, 11, 27, 16, 30), 3600) == chi(2026, 11, 30, 8, 30)
    assert CAL.add(chi(2026, 11, 28, 12), 3600) == chi(2026, 11, 30, 9)
    assert CAL.add(chi(2026, 11, 24, 16), 3600) == chi(2026, 11, 24, 17)
    assert CAL.add(chi(2026, 11, 24, 20), 0) == chi(2026, 11, 25, 8)


def test_positions_work_with_times_in_other_zones() -> None:
    utc_start = datetime(2026, 11, 24, 15, tzinfo=UTC)  # 09:00 in Chicago
    assert CAL.between(utc_start, chi(2026, 11, 24, 10)) == 3600


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(CHI)
)


@given(moments, st.integers(min_value=1, max_value=200 * 3600))
def test_adding_business_time_then_measuring_it_gives_it_back(start: datetime, s: int) -> None:
    deadline = CAL.add(start, s)
    assert CAL.between(start, deadline) == s
    assert CAL.is_work_day(deadline.date())


@given(moments, moments, moments)
def test_business_time_adds_up(a: datetime, b: datetime, c: datetime) -> None:
    assert CAL.between(a, b) + CAL.between(b, c) == CAL.between(a, c)


def test_business_time_against_a_day_by_day_count() -> None:
    start = chi(2026, 1, 1, 12)
    end = chi(2026, 12, 31, 12)
    expected = 0
    day = start.date()
    while day <= end.date():
        if day.weekday() < 5 and day != THANKSGIVING:
            lo = max(datetime.combine(day, time(8), CHI), start)
            hi = min(datetime.combine(day, time(17), CHI), end)
            expected += max(0, int((hi - lo).total_seconds()))
        day += timedelta(days=1)
    assert CAL.between(start, end) == expected


def test_sla_clock_per_tier() -> None:
    policy = SlaPolicy(
        CAL,
        {"gold": TierTargets(7200, 14400), "standard": TierTargets(28800, 57600)},
        warn_s=3600,
    )
    gold = policy.clock(SlaKind.ACK, "gold", chi(2026, 11, 25, 15), chi(2026, 11, 27, 10))
    assert (gold.total_s, gold.left_s, gold.breached) == (14400, 0, False)
    late = policy.clock(SlaKind.ENTRY, "gold", chi(2026, 11, 25, 15), chi(2026, 11, 27, 10))
    assert late.breached and late.left_s == -7200
    unknown = policy.clock(SlaKind.ENTRY, "bronze", chi(2026, 11, 27, 9), chi(2026, 11, 27, 10))
    assert unknown.total_s == 28800  # falls back to standard


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0m"), (2700, "45m"), (3900, "1h05m"), (-7260, "-2h01m"), (2 * 86400 + 4 * 3600, "2d04h")],
)
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


def test_priority_names_its_reasons_and_orders_urgency() -> None:
    breached = SlaClock(SlaKind.ACK, 14400, -5400)
    urgent = score(
        value=Decimal("62000"),
        tier="platinum",
        rush=True,
        work=(Reason(ReasonKind.HOLD, "credit"),),
        sla=breached,
        warn_s=3600,
    )
    assert urgent.reasons == (
        "ack SLA late 1h30m",
        "rush",
        "platinum customer",
        "value 62k",
        "credit hold",
    )
    assert urgent.score == 40 + 5 + 25 + 25 + 30 + 10
    calm = score(
        value=Decimal("120"),
        tier="standard",
        rush=False,
        work=(Reason(ReasonKind.SLA, "ack SLA due"),),
        sla=SlaClock(SlaKind.ACK, 57600, 50000),
        warn_s=3600,
    )
    assert calm.reasons == ("ack SLA 13h53m left",)
    assert calm.score == 2  # 13 % of the SLA used: 20 points x 0.13
    soon = score(
        value=Decimal("120"),
        tier="standard",
        rush=False,
        work=(),
        sla=SlaClock(SlaKind.ACK, 57600, 1800),
        warn_s=3600,
    )
    assert soon.reasons == ("ack SLA 30m left",) and soon.score == 30


def _item(**kw: object) -> QueueItem:
    base: dict[str, object] = {
        "subject": Subject.ORDER,
        "subject_id": 1,
        "number": "SO0000101",
        "customer_code": "ACME01",
        "customer_name": "Acme Industrial Supply",
        "tier": "gold",
        "value": Decimal("7500.00"),
        "currency": "USD",
        "since": datetime(2026, 11, 27, 9, tzinfo=UTC),
    }
    base.update(kw)
    return QueueItem(**base)  # type: ignore[arg-type]


NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)
CTX = Context(user="alice", now=NOW, warn_s=3600)
CREDIT = _item(
    holds=[HoldRef(1, "credit", "over limit", 1)],
    reasons=[Reason(ReasonKind.HOLD, "credit")],
    assignee="alice",
)
STOCK_SMALL = _item(
    subject_id=2,
    number="SO0000102",
    customer_code="BOLT02",
    customer_name="Bolt & Nut Wholesale",
    value=Decimal("300.00"),
    holds=[HoldRef(2, "stock", "short", 1)],
    reasons=[Reason(ReasonKind.HOLD, "stock"), Reason(ReasonKind.RUSH)],
    rush=True,
    sla=SlaClock(SlaKind.ACK, 7200, -60),
)
DRAFT = _item(
    subject_id=3,
    number="SO0000103",
    reasons=[Reason(ReasonKind.DRAFT, "incomplete")],
    sla=SlaClock(SlaKind.ENTRY, 7200, 1200),
    snoozed_until=NOW + timedelta(hours=1),
)
ALL = [CREDIT, STOCK_SMALL, DRAFT]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("", ["SO0000101", "SO0000102"]),
        ("hold:credit cust:ACME >5000", ["SO0000101"]),
        ("hold:any", ["SO0000101", "SO0000102"]),
        ("-hold:credit", ["SO0000102"]),
        ("cust:bolt", ["SO0000102"]),
        ("cust:wholesale", ["SO0000102"]),
        ("<=300", ["SO0000102"]),
        (">5k", ["SO0000101"]),
        ("rush", ["SO0000102"]),
        ("mine", ["SO0000101"]),
        ("unassigned", ["SO0000102"]),
        ("sla:breached", ["SO0000102"]),
        ("sla:none", ["SO0000101"]),
        ("snoozed", ["SO0000103"]),
        ("snoozed sla:soon", ["SO0000103"]),
        ("kind:draft snoozed", ["SO0000103"]),
        ('"nut wholesale"', ["SO0000102"]),
        ("acme", ["SO0000101"]),
        ("by:ALICE tier:gold", ["SO0000101"]),
    ],
)
def test_filter_language(text: str, numbers: list[str]) -> None:
    flt = parse_filter(text)
    assert [i.number for i in flt.select(ALL, CTX)] == numbers


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("hold:crdit", 6, "a hold kind: credit, price, stock, compliance, address, edi, erp, any"),
        ("rush cust:", 11, "a customer code or name after 'cust:'"),
        ("hold:credit >abc", 14, "an amount (5000, 5k, 1.5m), not 'abc'"),
        ("> 5000", 2, "an amount after '>'"),
        ("cutomer:x", 1, "a field (hold:, kind:, cust:, tier:, sla:, by:)"),
        ('acme "late truck', 6, 'a closing " for the quote opened here'),
        ("sla:late", 5, "an SLA state: breached, soon, ok, none"),
    ],
)
def test_a_filter_that_does_not_parse_says_where_and_what(
    text: str, column: int, expected: str
) -> None:
    with pytest.raises(FilterSyntaxError) as err:
        parse_filter(text)
    assert err.value.column == column
    assert err.value.expected.startswith(expected)
    assert str(err.value).startswith(f"filter, column {column}: expected ")


def test_filter_suggests_the_nearest_word() -> None:
    with pytest.raises(FilterSyntaxError, match="did you mean 'credit'"):
        parse_filter("hold:crdit")
    with pytest.raises(FilterSyntaxError, match="did you mean 'cust:'"):
        parse_filter("cus:ACME")


# Friday 2026-11-27 10:00 in Chicago
FRIDAY = chi(2026, 11, 27, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", chi(2026, 11, 27, 14, 30)),
        ("9", chi(2026, 11, 28, 9)),  # 9:00 has passed today
        ("+2h", chi(2026, 11, 27, 12)),
        ("+45m", chi(2026, 11, 27, 10, 45)),
        ("+1h30m", chi(2026, 11, 27, 11, 30)),
        ("+1d", chi(2026, 11, 28, 10)),
        ("tomorrow 9", chi(2026, 11, 28, 9)),
        ("Tomorrow  9:15", chi(2026, 11, 28, 9, 15)),
        ("tomorrow", chi(2026, 11, 28, 8)),
        ("mon 14", chi(2026, 11, 30, 14)),
        ("fri", chi(2026, 12, 4, 8)),
        ("2026-12-03 10:00", chi(2026, 12, 3, 10)),
    ],
)
def test_snooze_shorthands(text: str, expected: datetime) -> None:
    assert parse_until(text, FRIDAY, CHI, time(8)) == expected


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "say until when"),
        ("25:00", "'25:00' is not a time of day"),
        ("+2x", "'+2x' is not an offset"),
        ("soon 9", "'soon' is not a day"),
        ("2026-11-26 9:00", "2026-11-26 09:00 has already passed"),
        ("2026-02-30", "'2026-02-30' is not a date"),
    ],
)
def test_snooze_refuses_what_it_cannot_read(text: str, rule: str) -> None:
    with pytest.raises(FieldError) as err:
        parse_until(text, FRIDAY, CHI, time(8))
    assert err.value.field == "snooze until"
    assert err.value.rule.startswith(rule)


def test_sla_settings_change_one_tier_and_keep_the_others(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from orderdesk_tui.config import load_settings
    from orderdesk_tui.errors import ConfigError

    path = tmp_path / "config.toml"
    path.write_text(
        '[sla]\ntimezone = "America/Chicago"\n[sla.tiers.gold]\nentry_hours = 3\nack_hours = 6\n'
    )
    sla = load_settings(path, environ={}).sla
    assert (sla.tiers["gold"].entry_hours, sla.tiers["standard"].ack_hours) == (3, 16)
    path.write_text('[sla]\nwork_days = ["mon", "fryday"]\n')
    with pytest.raises(ConfigError, match="'fryday' is not a day"):
        load_settings(path, environ={})
    path.write_text('[sla]\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match="'Mars/Olympus' is not a time zone"):
        load_settings(path, environ={})
    path.write_text('[sla]\nopens = "18:00"\n')
    with pytest.raises(ConfigError, match=r"opens \(18:00\) must be before closes"):
        load_settings(path, environ={})


def test_public_holidays_close_the_sla_clock() -> None:
    from orderdesk_tui.config import SlaSettings
    from orderdesk_tui.services.sla_clock import sla_policy

    us = sla_policy(SlaSettings(timezone="America/Chicago", holiday_country="US"), FRIDAY)
    assert THANKSGIVING in us.calendar.holidays and date(2026, 12, 25) in us.calendar.holidays
    assert us.calendar.between(chi(2026, 11, 25, 16), chi(2026, 11, 27, 9)) == 2 * 3600
    own = sla_policy(SlaSettings(timezone="America/Chicago", holidays=[date(2026, 11, 27)]), FRIDAY)
    assert own.calendar.between(chi(2026, 11, 26, 16), chi(2026, 11, 30, 9)) == 2 * 3600
