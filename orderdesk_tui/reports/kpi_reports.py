"""The KPI reports: fill rate, on-time/OTIF, perfect order, accuracy, backorders, days to
process and SLA attainment, each from `domain.kpi` over `services.kpi_queries` facts."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from orderdesk_tui.domain.kpi.ageing import backorder_ageing
from orderdesk_tui.domain.kpi.facts import LineFact
from orderdesk_tui.domain.kpi.fill import Basis, fill_rates
from orderdesk_tui.domain.kpi.on_time import Target, on_time_shipment, otif
from orderdesk_tui.domain.kpi.process import (
    OrderTimes,
    business_days,
    days_to_process,
    sla_attainment,
    time_in_hold,
)
from orderdesk_tui.domain.kpi.quality import ErrorCause, order_accuracy, perfect_order
from orderdesk_tui.domain.kpi.rates import Rate
from orderdesk_tui.domain.money import round_money
from orderdesk_tui.domain.sla import SlaKind
from orderdesk_tui.reports.context import ReportContext, bucket_of, percent_points
from orderdesk_tui.reports.table import Chart, Column, Kind, Report, Row
from orderdesk_tui.services.kpi_queries import (
    PeriodData,
    error_causes,
    holds_of,
    load_period,
    open_backorder_lines,
)
from orderdesk_tui.services.sla_clock import business_calendar, sla_policy

FIRST, AFTER = Basis.FIRST_TIME, Basis.AFTER_BACKORDERS
RATE_COLUMNS = (
    Column("Measure"),
    Column("Rate", Kind.PERCENT),
    Column("Met", Kind.QTY),
    Column("Of", Kind.QTY),
)


def _rate_row(label: str, rate: Rate) -> Row:
    return Row((label, rate.percent, rate.met, rate.counted), rate.exceptions)


def _trend(
    data: PeriodData, day_of: Callable[[LineFact], date | None], measure: Callable[..., Rate]
) -> tuple[tuple[str, float], ...]:
    """`measure(lines)` per week (month) of each line's `day_of`."""
    bucket = bucket_of(data.period)
    groups: dict[str, list[LineFact]] = {}
    for line in data.lines:
        day = day_of(line)
        if day is not None:
            groups.setdefault(bucket(day), []).append(line)
    return percent_points((label, measure(groups[label])) for label in sorted(groups))


def _due_note() -> str:
    return "Orders due in the period (first promised date in it); drafts and cancelled excluded."


def fill_rate(ctx: ReportContext) -> Report:
    data = load_period(ctx.store, ctx.period, ctx.filters, as_of=ctx.today)
    lines = data.lines
    columns = (
        Column("Measure"),
        Column("First-time", Kind.PERCENT),
        Column("After backorders", Kind.PERCENT),
        Column("Met first-time", Kind.QTY),
        Column("Met after", Kind.QTY),
        Column("Of", Kind.QTY),
        Column("Currency"),
    )

    def row(label: str, first: Rate, after: Rate, currency: str = "") -> Row:
        met, met_after, of = first.met, after.met, first.counted
        if currency:  # a value: in the currency's minor unit
            met, met_after, of = (round_money(v, currency) for v in (met, met_after, of))
        cells = (label, first.percent, after.percent, met, met_after, of, currency)
        return Row(cells, first.exceptions)

    first, after = fill_rates(lines, FIRST), fill_rates(lines, AFTER)
    rows = [
        row("Line fill rate", first.line, after.line),
        row("Unit fill rate", first.unit, after.unit),
        row("Order fill rate", first.order, after.order),
    ]
    rows += [
        row("Value fill rate", rate, after.value[currency], currency)
        for currency, rate in first.value.items()
    ]
    rows.append(row("Backorder rate (lines)", first.backorder_lines, after.backorder_lines))
    rows.append(row("Backorder rate (orders)", first.backorder_orders, after.backorder_orders))
    chart = Chart(
        "trend",
        "unit fill rate, first-time, %",
        _trend(data, lambda line: line.commit, lambda group: fill_rates(group, FIRST).unit),
    )
    note = (
        _due_note() + " First-time = shipped by the first promised date; after backorders ="
        " shipped so far. Enter lists the orders not filled first-time."
    )
    return Report("fill-rate", ctx.heading("Fill rate"), columns, rows, chart, note)


def on_time(ctx: ReportContext) -> Report:
    data = load_period(ctx.store, ctx.period, ctx.filters, as_of=ctx.today)
    columns = (Column("Measure"), Column("Target"), *RATE_COLUMNS[1:])
    rows = []
    for label, measure in (("On-time shipment (lines)", on_time_shipment), ("OTIF (orders)", otif)):
        for target in Target:
            rate = measure(data.lines, target, ctx.today)
            rows.append(
                Row(
                    (label, target.value.replace("_", " "), rate.percent, rate.met, rate.counted),
                    rate.exceptions,
                )
            )
    chart = Chart(
        "trend",
        "OTIF to first promise, %",
        _trend(
            data,
            lambda line: line.first_promised,
            lambda group: otif(group, Target.FIRST_PROMISED, ctx.today),
        ),
    )
    note = _due_note() + " Enter lists the late (or short) orders."
    return Report("on-time", ctx.heading("On-time shipment and OTIF"), columns, rows, chart, note)


COMPONENT_LABELS = {
    "perfect": "Perfect order",
    "in_full": "In full",
    "on_time": "On time to commit",
    "documentation": "Documentation accurate",
    "condition": "Perfect condition",
}


def perfect(ctx: ReportContext) -> Report:
    data = load_period(ctx.store, ctx.period, ctx.filters, as_of=ctx.today)
    causes = error_causes(ctx.store, data.orders)
    rates = perfect_order(data.lines, causes, ctx.today)
    rows = [_rate_row(COMPONENT_LABELS[name], rate) for name, rate in rates.items()]
    chart = Chart("bars", "% of orders", percent_points(
        (COMPONENT_LABELS[name], rate) for name, rate in rates.items()
    ))  # fmt: skip
    note = _due_note() + " SCOR count: an order is perfect only if all four hold."
    return Report("perfect-order", ctx.heading("Perfect order"), RATE_COLUMNS, rows, chart, note)


def accuracy(ctx: ReportContext) -> Report:
    data = load_period(ctx.store, ctx.period, ctx.filters, as_of=ctx.today)
    causes = error_causes(ctx.store, data.orders)
    overall = order_accuracy(data.orders, causes)
    rows = [_rate_row("Order accuracy", overall)]
    counts: list[tuple[str, float]] = []
    for cause in ErrorCause:
        ids = tuple(order_id for order_id, found in causes.items() if cause in found)
        label = cause.value.replace("_", " ")
        share = (
            (Decimal(len(ids)) * 100 / overall.counted).quantize(Decimal("0.1"))
            if (overall.counted)
            else None
        )
        rows.append(Row((label, share, Decimal(len(ids)), overall.counted), ids))
        counts.append((label, float(len(ids))))
    note = (
        _due_note() + " Errors: RMA reasons wrong item, damaged, defective; credit memo"
        " reason codes. A cause's rate is its share of the orders."
    )
    chart = Chart("bars", "orders with the error", tuple(counts))
    return Report("accuracy", ctx.heading("Order accuracy"), RATE_COLUMNS, rows, chart, note)


def backorders(ctx: ReportContext) -> Report:
    data = open_backorder_lines(ctx.store, ctx.filters, ctx.today)
    per_currency: dict[str, list[LineFact]] = {}
    for line in data.lines:
        per_currency.setdefault(line.currency, []).append(line)
    columns = (
        Column("Age"),
        Column("Currency"),
        Column("Lines", Kind.INT),
        Column("Orders", Kind.INT),
        Column("Units", Kind.QTY),
        Column("Value", Kind.MONEY),
        Column("Slip days", Kind.QTY),
    )
    rows = []
    lines_per_bucket: dict[str, int] = {}
    for currency in sorted(per_currency):
        for b in backorder_ageing(per_currency[currency], ctx.today):
            lines_per_bucket[b.label] = lines_per_bucket.get(b.label, 0) + b.lines
            if b.lines:
                cells = (b.label, currency, b.lines, len(b.orders), b.units,
                         b.value.get(currency, Decimal(0)), b.mean_slip)  # fmt: skip
                rows.append(Row(cells, tuple(b.orders)))
    note = (
        "Open backorders now (the period does not apply), aged from the first promised date;"
        " slip = last promise - first promise (ETA against the promise)."
    )
    chart = Chart("bars", "lines on backorder by age", tuple(
        (label, float(n)) for label, n in lines_per_bucket.items()
    ))  # fmt: skip
    return Report("backorders", ctx.heading("Open backorders"), columns, rows, chart, note)


def _entered(ctx: ReportContext) -> PeriodData:
    return load_period(ctx.store, ctx.period, ctx.filters, by="entered", as_of=ctx.today)


def days_to_process_report(ctx: ReportContext) -> Report:
    data = _entered(ctx)
    calendar = business_calendar(
        ctx.settings.sla, range(ctx.period.start.year - 1, ctx.period.end.year + 2)
    )
    between = business_days(calendar)
    steps = days_to_process((o.times for o in data.orders.values()), between)
    holds = time_in_hold(holds_of(ctx.store, data.orders), ctx.now, between)
    columns = (
        Column("Step"),
        Column("Orders", Kind.INT),
        Column("Mean days", Kind.QTY),
        Column("Max days", Kind.QTY),
        Column("Still open", Kind.INT),
    )
    rows = [Row((d.label, d.count, d.mean_days, d.max_days, None), d.orders) for d in steps]
    rows += [
        Row((f"hold: {d.label}", d.count, d.mean_days, d.max_days, d.still_open), d.orders)
        for d in holds
    ]
    chart = Chart("bars", "mean business days", tuple(
        (d.label, float(d.mean_days)) for d in [*steps, *holds] if d.mean_days is not None
    ))  # fmt: skip
    note = (
        "Orders entered in the period; business days (the desk's calendar). Hold rows count"
        " holds (not orders) of these orders, open ones up to now."
    )
    return Report("days-to-process", ctx.heading("Days to process"), columns, rows, chart, note)


def sla(ctx: ReportContext) -> Report:
    data = _entered(ctx)
    policy = sla_policy(ctx.settings.sla, ctx.now)
    times = [o.times for o in data.orders.values()]
    rows = [
        _rate_row(label, sla_attainment(times, kind, policy, ctx.now))
        for label, kind in (("Entry SLA", SlaKind.ENTRY), ("Acknowledgement SLA", SlaKind.ACK))
    ]
    bucket = bucket_of(ctx.period)
    groups: dict[str, list[OrderTimes]] = {}
    for t in times:
        if t.entered is not None:
            groups.setdefault(bucket(t.entered.date()), []).append(t)
    chart = Chart("trend", "acknowledgement SLA met, %", percent_points(
        (label, sla_attainment(groups[label], SlaKind.ACK, policy, ctx.now))
        for label in sorted(groups)
    ))  # fmt: skip
    note = "Orders entered in the period; SLA hours per customer tier (config [sla.tiers])."
    return Report("sla", ctx.heading("SLA attainment"), RATE_COLUMNS, rows, chart, note)
