"""domain.credit: exposure arithmetic, the three hold triggers, and the breakdown."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderdesk_tui.domain.credit import (
    REASON_MAX,
    CreditInputs,
    CreditTrigger,
    OverdueInvoice,
    clip_reason,
    evaluate_credit,
)
from orderdesk_tui.errors import FieldError

TODAY = date(2026, 3, 16)
D = Decimal

BASE = CreditInputs(
    customer_code="SUMM01",
    currency="USD",
    credit_limit=D("60000.00"),
    payment_terms_days=30,
    overdue_grace_days=10,
    open_invoices=D("30000.00"),
    open_credit_memos=D("500.00"),
    open_orders=D("20000.00"),
    open_order_count=3,
)


def overdue(days: int, number: str = "INV-1001") -> OverdueInvoice:
    return OverdueInvoice(number, TODAY - timedelta(days=days), D("1200.00"))


# fmt: off
CASES = [
    # id, changes to BASE, order total, expected triggers
    ("under limit", {}, "5000.00", ()),
    ("exactly at limit", {}, "10500.00", ()),
    ("one cent over", {}, "10500.01", (CreditTrigger.OVER_LIMIT,)),
    ("memo brings it under", {"open_credit_memos": D("900.00")}, "10900.00", ()),
    ("status hold, tiny order", {"credit_status": "hold"}, "1.00",
     (CreditTrigger.CUSTOMER_ON_HOLD,)),
    ("status HOLD any case", {"credit_status": " Hold "}, "0.00",
     (CreditTrigger.CUSTOMER_ON_HOLD,)),
    ("past due within grace", {"oldest_past_due": overdue(10), "past_due_count": 1}, "0.00", ()),
    ("past due beyond grace", {"oldest_past_due": overdue(11), "past_due_count": 1}, "0.00",
     (CreditTrigger.OVERDUE,)),
    ("zero grace", {"overdue_grace_days": 0, "oldest_past_due": overdue(1)}, "0.00",
     (CreditTrigger.OVERDUE,)),
    ("no limit = no open account", {"credit_limit": D("0.00"), "open_invoices": D("0"),
     "open_credit_memos": D("0"), "open_orders": D("0")}, "10.00", (CreditTrigger.OVER_LIMIT,)),
    ("no limit, nothing owed", {"credit_limit": D("0.00"), "open_invoices": D("0"),
     "open_credit_memos": D("0"), "open_orders": D("0")}, "0.00", ()),
    ("everything at once", {"credit_status": "hold", "oldest_past_due": overdue(45)},
     "20000.00",
     (CreditTrigger.CUSTOMER_ON_HOLD, CreditTrigger.OVER_LIMIT, CreditTrigger.OVERDUE)),
    ("overpayment lowers receivables", {"open_invoices": D("-1000.00")}, "41500.00", ()),
]
# fmt: on


@pytest.mark.parametrize(
    ("changes", "total", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_triggers(
    changes: dict[str, object], total: str, expected: tuple[CreditTrigger, ...]
) -> None:
    result = evaluate_credit(replace(BASE, **changes), D(total), TODAY)
    got = result.hold.triggers if result.hold else ()
    assert got == expected
    assert result.holds == bool(expected)


def test_breakdown_and_reason_explain_the_verdict() -> None:
    result = evaluate_credit(BASE, D("12000.00"), TODAY)
    assert result.open_receivables == D("29500.00")
    assert result.exposure == D("61500.00")
    assert result.headroom == D("-1500.00")
    assert result.over_limit
    assert result.utilisation_percent == D("102.5")
    assert result.hold is not None
    assert result.hold.kind == "credit"
    assert "61,500.00 USD is over the 60,000.00 USD limit by 1,500.00 USD" in result.hold.reason
    rows = dict(result.breakdown())
    assert rows["Unapplied credit memos"] == D("-500.00")
    assert rows["Open orders not invoiced (3)"] == D("20000.00")
    assert rows["This order"] == D("12000.00")
    assert rows["Headroom"] == D("-1500.00")


def test_overdue_reason_names_the_oldest_invoice_and_days() -> None:
    inputs = replace(
        BASE,
        oldest_past_due=overdue(47, "INV-20417"),
        past_due_count=3,
        past_due_amount=D("8450.10"),
    )
    result = evaluate_credit(inputs, D("0"), TODAY)
    assert result.days_past_due == 47
    assert result.hold is not None
    assert result.hold.reason == (
        "invoice INV-20417 is 47 days past due (grace 10 days); 3 past due for 8,450.10 USD"
    )


def test_within_grace_is_a_note_not_a_hold() -> None:
    result = evaluate_credit(replace(BASE, oldest_past_due=overdue(4)), D("0"), TODAY)
    assert result.hold is None
    assert result.notes == ("invoice INV-1001 is 4 days past due, within the 10-day grace",)


def test_near_limit_note() -> None:
    result = evaluate_credit(BASE, D("6000.00"), TODAY)
    assert result.hold is None
    assert result.notes and "less than 10% of the credit limit left" in result.notes[0]


def test_amounts_round_half_up_to_the_currency() -> None:
    yen = CreditInputs("JP01", "JPY", D("100000"), open_invoices=D("1000.5"))
    result = evaluate_credit(yen, D("0.5"), TODAY)
    assert result.open_receivables == D("1001")
    assert result.this_order == D("1")


@pytest.mark.parametrize(
    ("total", "rule"),
    [
        (D("-1.00"), "cannot be negative"),
        (D("NaN"), "finite"),
        (1.5, "Decimal"),
        ("12.00", "Decimal"),
    ],
)
def test_bad_order_total_names_the_field(total: object, rule: str) -> None:
    with pytest.raises(FieldError) as err:
        evaluate_credit(BASE, total, TODAY)  # type: ignore[arg-type]
    assert err.value.field == "order total"
    assert rule in err.value.rule


def test_negative_limit_is_refused() -> None:
    with pytest.raises(FieldError, match="credit limit"):
        evaluate_credit(replace(BASE, credit_limit=D("-1")), D("0"), TODAY)


def test_reason_fits_the_hold_column() -> None:
    assert clip_reason("x" * 1000).endswith("…")
    assert len(clip_reason("x" * 1000)) == REASON_MAX
    assert clip_reason("short") == "short"


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
signed = st.decimals(min_value=-(10**6), max_value=10**9, places=2, allow_nan=False)


@given(invoices=signed, memos=amounts, orders=amounts, total=amounts, limit=amounts)
def test_exposure_is_the_sum_of_its_parts(
    invoices: Decimal, memos: Decimal, orders: Decimal, total: Decimal, limit: Decimal
) -> None:
    inputs = CreditInputs(
        "C1", "USD", limit, open_invoices=invoices, open_credit_memos=memos, open_orders=orders
    )
    r = evaluate_credit(inputs, total, TODAY)
    assert r.open_receivables == r.open_invoices - r.open_credit_memos
    assert r.exposure == r.open_receivables + r.open_orders + r.this_order
    assert r.headroom == r.credit_limit - r.exposure
    assert (CreditTrigger.OVER_LIMIT in (r.hold.triggers if r.hold else ())) == (
        r.exposure > r.credit_limit
    )


@given(invoices=signed, orders=amounts, total=amounts, extra=amounts, limit=amounts)
def test_a_bigger_order_never_lowers_exposure_or_lifts_a_hold(
    invoices: Decimal, orders: Decimal, total: Decimal, extra: Decimal, limit: Decimal
) -> None:
    inputs = CreditInputs("C1", "USD", limit, open_invoices=invoices, open_orders=orders)
    smaller = evaluate_credit(inputs, total, TODAY)
    bigger = evaluate_credit(inputs, total + extra, TODAY)
    assert bigger.exposure >= smaller.exposure
    assert bigger.holds or not smaller.holds
    # another open order counts the same as a bigger "this order"
    with_order = evaluate_credit(replace(inputs, open_orders=orders + extra), total, TODAY)
    assert with_order.exposure == bigger.exposure
