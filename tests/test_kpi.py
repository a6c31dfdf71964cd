"""The KPI definitions (domain/kpi) on small hand-made data sets, worked out in each docstring,
and Hypothesis properties that hold for any data (only true laws)."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from orderdesk_tui.domain.business_calendar import BusinessCalendar
from orderdesk_tui.domain.kpi.ageing import NOT_DUE, age_bucket, backorder_ageing
from orderdesk_tui.domain.kpi.facts import LineFact
from orderdesk_tui.domain.kpi.fill import Basis, fill_rates
from orderdesk_tui.domain.kpi.on_time import Target, on_time_shipment, otif
from orderdesk_tui.domain.kpi.process import (
    HoldSpan,
    OrderTimes,
    business_days,
    days_to_process,
    sla_attainment,
    time_in_hold,
)
from orderdesk_tui.domain.kpi.quality import ErrorCause, cause_of, order_accuracy, perfect_order
from orderdesk_tui.domain.kpi.rates import Rate
from orderdesk_tui.domain.sla import SlaKind, SlaPolicy, TierTargets

D = Decimal
DAY = date(2026, 11, 10)
AFTER = Basis.AFTER_BACKORDERS
FIRST = Basis.FIRST_TIME


def line_fill(lines: list[LineFact], basis: Basis) -> Rate:
    return fill_rates(lines, basis).line


def unit_fill(lines: list[LineFact], basis: Basis) -> Rate:
    return fill_rates(lines, basis).unit


def order_fill(lines: list[LineFact], basis: Basis) -> Rate:
    return fill_rates(lines, basis).order


def line(order: int, qty: int, shipped: int, **kw: object) -> LineFact:
    return LineFact(order, D(qty), D(shipped), **kw)  # type: ignore[arg-type]


def source_example() -> list[LineFact]:
    """RightChain's example: two orders of three lines, 200 units asked, 170 shipped.
    Order 1: 50/50, 30/30, 20/40 (short); order 2: 40/40, 30/30, 0/10 (short)."""
    return [
        line(1, 50, 50), line(1, 30, 30), line(1, 40, 20),
        line(2, 40, 40), line(2, 30, 30), line(2, 10, 0),
    ]  # fmt: skip


def test_fill_rates_of_the_source_example() -> None:
    """UFR = 170/200 = 85 %, LFR = 4/6 = 66.7 %, OFR = 0/2 = 0 % (no promise dates: first-time
    and after backorders agree)."""
    lines = source_example()
    for basis in Basis:
        assert unit_fill(lines, basis).percent == D("85.0")
        assert (line_fill(lines, basis).met, line_fill(lines, basis).counted) == (4, 6)
        assert order_fill(lines, basis).value == 0 and order_fill(lines, basis).counted == 2
    assert line_fill(lines, AFTER).exceptions == (1, 2)


def test_first_time_counts_only_what_shipped_by_the_agreed_date() -> None:
    """Order 1: 10 promised 11-10, shipped 11-09 (on time); order 2: 10 promised 11-10, 4 shipped
    11-14 after a backorder. First-time UFR = 10/20 = 50 %, after backorders 14/20 = 70 %;
    first-time OFR 1/2, after backorders 1/2 (order 2 is still 6 short). Backorder rate (lines)
    = 1 - first-time LFR = 1/2."""
    lines = [
        line(1, 10, 10, first_promised=DAY, shipped_on=DAY - timedelta(days=1)),
        line(2, 10, 4, first_promised=DAY, shipped_on=DAY + timedelta(days=4)),
    ]
    assert unit_fill(lines, FIRST).percent == D("50.0")
    assert unit_fill(lines, AFTER).percent == D("70.0")
    assert order_fill(lines, FIRST).met == order_fill(lines, AFTER).met == 1
    backorders = fill_rates(lines, FIRST).backorder_lines
    assert (backorders.met, backorders.counted, backorders.exceptions) == (1, 2, (2,))


def test_value_fill_per_currency_and_cancelled_units_are_not_demand() -> None:
    """USD: 10 @ 5.00 shipped of 10 + 0 of 10 @ 15.00 -> 50/200 = 25 %. EUR: 4 ordered,
    2 cancelled by the customer, 2 shipped @ 3 -> 6/6 = 100 %. Overshipping does not count."""
    lines = [
        line(1, 10, 10, unit_price=D(5)),
        line(1, 10, 0, unit_price=D(15)),
        line(2, 4, 2, cancelled=D(2), unit_price=D(3), currency="EUR"),
        line(3, 1, 5, unit_price=D(1), currency="EUR"),
    ]
    rates = fill_rates(lines, AFTER).value
    assert rates["USD"].percent == D("25.0")
    assert rates["EUR"].percent == D("100.0")


def test_on_time_and_otif_against_three_targets() -> None:
    """Order 1 line: requested 11-05, first promised 11-08, last promised 11-12, shipped in full
    11-10: late to requested and first promise, on time to last promise. Order 2: requested and
    promised 11-08, shipped 11-08 but 5 of 10 (on time, not in full). Order 3: promised 11-20,
    not shipped, as of 11-10: not due, not counted.
    On-time (lines): requested 1/2, first 1/2, last 2/2. OTIF: requested 0/2, last 1/2."""
    lines = [
        line(1, 10, 10, requested=date(2026, 11, 5), first_promised=date(2026, 11, 8),
             last_promised=date(2026, 11, 12), shipped_on=DAY),
        line(2, 10, 5, requested=date(2026, 11, 8), first_promised=date(2026, 11, 8),
             last_promised=date(2026, 11, 8), shipped_on=date(2026, 11, 8)),
        line(3, 10, 0, requested=date(2026, 11, 20), first_promised=date(2026, 11, 20),
             last_promised=date(2026, 11, 20)),
    ]  # fmt: skip
    assert on_time_shipment(lines, Target.REQUESTED, DAY).percent == D("50.0")
    assert on_time_shipment(lines, Target.FIRST_PROMISED, DAY).percent == D("50.0")
    assert on_time_shipment(lines, Target.LAST_PROMISED, DAY).percent == D("100.0")
    assert (otif(lines, Target.REQUESTED, DAY).met, otif(lines, Target.REQUESTED, DAY).counted) == (
        0,
        2,
    )
    last = otif(lines, Target.LAST_PROMISED, DAY)
    assert (last.met, last.counted, last.exceptions) == (1, 2, (2,))
    # an unshipped line past its target counts late
    late = [line(4, 1, 0, requested=date(2026, 11, 1))]
    assert on_time_shipment(late, Target.REQUESTED, DAY).value == 0


def test_perfect_order_and_accuracy_count_orders_not_component_products() -> None:
    """Four orders shipped in full on time (commit 11-08, shipped 11-07) but: order 2 has a
    damaged RMA (condition), order 3 a wrong-price credit memo (documentation), order 4 a
    wrong-item RMA (in full). Order 5 shipped late and complete. Perfect = 1/5 = 20 %;
    in full 4/5, on time 4/5, documentation 4/5, condition 4/5 (the product 0.41 would be
    wrong). Accuracy = orders without an error cause = 2/5 (orders 1 and 5)."""
    commit, shipped = date(2026, 11, 8), date(2026, 11, 7)
    lines = [line(n, 1, 1, first_promised=commit, shipped_on=shipped) for n in range(1, 5)]
    lines.append(line(5, 1, 1, first_promised=commit, shipped_on=DAY))
    causes = {
        2: frozenset({cause_of(rma_reason="damaged")}),
        3: frozenset({cause_of(credit_reason="wrong_price")}),
        4: frozenset({cause_of(rma_reason="wrong_item")}),
    }
    assert cause_of(rma_reason="excess") is None and cause_of(credit_reason="goodwill") is None
    typed = {k: frozenset(c for c in v if c is not None) for k, v in causes.items()}
    rates = perfect_order(lines, typed, DAY)
    assert rates["perfect"].percent == D("20.0") and rates["perfect"].exceptions == (2, 3, 4, 5)
    for name in ("in_full", "on_time", "documentation", "condition"):
        assert rates[name].percent == D("80.0"), name
    accuracy = order_accuracy(range(1, 6), typed)
    assert accuracy.percent == D("40.0") and accuracy.exceptions == (2, 3, 4)
    assert ErrorCause.DAMAGED in typed[2]


CAL = BusinessCalendar(tz=ZoneInfo("UTC"), opens=time(8), closes=time(16))


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)  # 2026-11-09 is a Monday


def test_days_to_process_in_business_days_and_time_in_hold() -> None:
    """Desk open 08-16 (8 h a day) on weekdays. Order 1: received Mon 09 08:00, entered 12:00
    (0.5 day), acknowledged 16:00 (0.5), released Tue 10 16:00 (1), shipped Fri 13 16:00 (3),
    invoiced Mon 16 16:00 (1: the weekend does not count); received -> released 2 days.
    A credit hold Mon 09 12:00 -> Tue 10 12:00 = 1 day; a stock hold still open from Fri 13
    08:00, as of Mon 16 08:00 = 1 day."""
    between = business_days(CAL)
    times = OrderTimes(1, at(9, 8), at(9, 12), at(9, 16), at(10, 16), at(13, 16), at(16, 16))
    found = {d.label: d.mean_days for d in days_to_process([times], between)}
    assert found == {
        "received → entered": D("0.50"),
        "entered → acknowledged": D("0.50"),
        "acknowledged → released": D("1.00"),
        "released → shipped": D("3.00"),
        "shipped → invoiced": D("1.00"),
        "received → released": D("2.00"),
    }
    holds = [HoldSpan(1, "credit", at(9, 12), at(10, 12)), HoldSpan(1, "stock", at(13, 8))]
    held = {d.label: (d.mean_days, d.still_open) for d in time_in_hold(holds, at(16, 8), between)}
    assert held == {"credit": (D("1.00"), 0), "stock": (D("1.00"), 1)}


def test_sla_attainment_measures_done_items_and_open_late_ones() -> None:
    """Entry SLA 4 business hours. Order 1 entered 3 h after receipt (met); order 2 after 6 h
    (missed); order 3 not entered, received 2 h before now (not yet measured); order 4 not
    entered, received 5 h before now (late: missed). Attainment = 1/3."""
    policy = SlaPolicy(CAL, {"standard": TierTargets(4 * 3600, 8 * 3600)})
    now = at(10, 15)
    orders = [
        OrderTimes(1, received=at(10, 8), entered=at(10, 11)),
        OrderTimes(2, received=at(10, 8), entered=at(10, 14)),
        OrderTimes(3, received=at(10, 13)),
        OrderTimes(4, received=at(10, 10)),
    ]
    rate = sla_attainment(orders, SlaKind.ENTRY, policy, now)
    assert (rate.met, rate.counted, rate.exceptions) == (1, 3, (2, 4))
    ack = sla_attainment([OrderTimes(1, entered=at(9, 8), acknowledged=at(10, 8))], SlaKind.ACK,
                         policy, now)  # fmt: skip
    assert ack.value == 1  # exactly 8 business hours: met


def test_backorder_ageing_buckets_value_and_slip() -> None:
    """As of 11-10: a line promised 11-01 with 3 on backorder @ 2.50 (9 days late: 8-14, slip
    11-01 -> 11-15 = 14 days); one promised 11-20 with 1 on backorder @ 10 (not yet due);
    one without backorder (not listed)."""
    lines = [
        line(1, 5, 2, backordered=D(3), unit_price=D("2.50"), first_promised=date(2026, 11, 1),
             last_promised=date(2026, 11, 15)),
        line(2, 1, 0, backordered=D(1), unit_price=D(10), first_promised=date(2026, 11, 20)),
        line(3, 1, 1),
    ]  # fmt: skip
    buckets = {b.label: b for b in backorder_ageing(lines, DAY)}
    assert buckets["8-14 days"].units == 3 and buckets["8-14 days"].value == {"USD": D("7.50")}
    assert buckets["8-14 days"].mean_slip == D("14.0")
    assert buckets[NOT_DUE].lines == 1 and list(buckets[NOT_DUE].orders) == [2]
    assert sum(b.lines for b in buckets.values()) == 2
    assert age_bucket(0) == "0-7 days" and age_bucket(61) == "over 60 days"


# -- properties ----------------------------------------------------------------------------

dates = st.dates(min_value=date(2026, 10, 1), max_value=date(2026, 12, 31))
lines_strategy = st.lists(
    st.builds(
        LineFact,
        order_id=st.integers(1, 6),
        quantity=st.integers(0, 50).map(D),
        shipped=st.integers(0, 60).map(D),
        cancelled=st.integers(0, 10).map(D),
        unit_price=st.decimals(0, 100, places=2),
        currency=st.sampled_from(["USD", "EUR"]),
        requested=st.none() | dates,
        first_promised=st.none() | dates,
        last_promised=st.none() | dates,
        shipped_on=st.none() | dates,
        backordered=st.integers(0, 10).map(D),
    ),
    max_size=25,
)


def bounded(rate: Rate) -> bool:
    value = rate.value
    ok = value is None or 0 <= value <= 1
    return ok and set(rate.exceptions) <= set(rate.orders) and rate.met <= rate.counted


@given(lines_strategy, dates)
def test_every_rate_is_between_0_and_1_and_its_exceptions_are_among_its_orders(
    lines: list[LineFact], as_of: date
) -> None:
    rates = [f(lines, b) for f in (line_fill, unit_fill, order_fill) for b in Basis]
    rates += [r for b in Basis for r in fill_rates(lines, b).value.values()]
    rates += [f(lines, t, as_of) for f in (on_time_shipment, otif) for t in Target]
    rates += list(perfect_order(lines, {}, as_of).values())
    rates.append(fill_rates(lines, FIRST).backorder_orders)
    assert all(bounded(r) for r in rates)


@given(lines_strategy, dates)
def test_laws_between_the_figures(lines: list[LineFact], as_of: date) -> None:
    """After backorders never fills less than first time; an order meeting OTIF has no late
    line (in full and on time implies on time); a perfect order meets every component, over
    the same orders; backorder rate + first-time line fill = 1."""
    for fill in (line_fill, unit_fill, order_fill):
        assert fill(lines, FIRST).met <= fill(lines, AFTER).met
    for target in Target:
        orders_otif = set(otif(lines, target, as_of).orders) - set(
            otif(lines, target, as_of).exceptions
        )
        late_orders = set(on_time_shipment(lines, target, as_of).exceptions)
        assert not orders_otif & late_orders
    rates = perfect_order(lines, {}, as_of)
    for name in ("in_full", "on_time", "documentation", "condition"):
        assert rates["perfect"].met <= rates[name].met
        assert rates[name].counted == rates["perfect"].counted
    first = line_fill(lines, FIRST)
    backorders = fill_rates(lines, FIRST).backorder_lines
    assert first.met + backorders.met == first.counted == backorders.counted


@given(
    st.lists(st.tuples(st.integers(1, 30), st.integers(0, 200), st.integers(0, 200)), max_size=20)
)
def test_durations_are_never_negative_and_the_mean_is_within_the_range(
    spans: list[tuple[int, int, int]],
) -> None:
    between = business_days(CAL)
    base = datetime(2026, 11, 2, tzinfo=UTC)
    holds = [
        HoldSpan(order, "credit", base + timedelta(hours=a), base + timedelta(hours=a + b))
        for order, a, b in spans
    ]
    for found in time_in_hold(holds, base + timedelta(days=30), between):
        assert found.mean_days is not None and found.max_days is not None
        assert 0 <= found.mean_days <= found.max_days + D("0.01")


@given(st.lists(st.tuples(st.integers(0, 100), st.none() | st.integers(0, 100)), max_size=20))
def test_sla_attainment_is_a_rate_over_measured_items(items: list[tuple[int, int | None]]) -> None:
    policy = SlaPolicy(CAL, {"standard": TierTargets(4 * 3600, 8 * 3600)})
    base = datetime(2026, 11, 2, 8, tzinfo=UTC)
    orders = [
        OrderTimes(n, received=base + timedelta(hours=r),
                   entered=None if e is None else base + timedelta(hours=r + e))
        for n, (r, e) in enumerate(items)
    ]  # fmt: skip
    rate = sla_attainment(orders, SlaKind.ENTRY, policy, base + timedelta(hours=300))
    assert bounded(rate) and rate.counted <= len(items)
    assert age_bucket(-1) == NOT_DUE
