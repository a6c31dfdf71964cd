"""The desk's activity reports: order history, coordinators, top customers and items, holds,
returns and open orders by state and age."""

from collections import Counter
from collections.abc import Callable
from datetime import UTC
from decimal import Decimal

from orderdesk_tui.domain.kpi.ageing import BUCKETS, age_bucket
from orderdesk_tui.domain.kpi.process import business_days, time_in_hold
from orderdesk_tui.domain.kpi.quality import order_accuracy
from orderdesk_tui.domain.returns import REASON_LABELS
from orderdesk_tui.reports import returns as returns_module
from orderdesk_tui.reports.context import ReportContext, bucket_of
from orderdesk_tui.reports.table import Chart, Column, Kind, Report, Row
from orderdesk_tui.services.kpi_queries import (
    PeriodData,
    error_causes,
    holds_raised,
    load_period,
    open_orders,
)
from orderdesk_tui.services.sla_clock import business_calendar

ENTERED_NOTE = "Orders entered in the period; drafts and cancelled excluded."
TOP = 25


def _entered(ctx: ReportContext) -> PeriodData:
    return load_period(ctx.store, ctx.period, ctx.filters, by="entered", as_of=ctx.today)


def _grouped(data: PeriodData, key: Callable[[int], str]) -> dict[str, dict[int, None]]:
    groups: dict[str, dict[int, None]] = {}
    for order_id in data.orders:
        groups.setdefault(key(order_id), {})[order_id] = None
    return groups


def order_history(ctx: ReportContext) -> Report:
    data = _entered(ctx)
    bucket = bucket_of(ctx.period)
    lines: Counter[int] = Counter(line.order_id for line in data.lines)
    units: dict[int, Decimal] = {}
    for line in data.lines:
        units[line.order_id] = units.get(line.order_id, Decimal(0)) + line.wanted

    def week(order_id: int) -> str:
        entered = data.orders[order_id].times.entered
        return bucket(entered.astimezone(UTC).date()) if entered else "?"

    columns = (
        Column("Period"),
        Column("Orders", Kind.INT),
        Column("Lines", Kind.INT),
        Column("Units", Kind.QTY),
        Column("EDI orders", Kind.INT),
    )
    rows = []
    for label, ids in sorted(_grouped(data, week).items()):
        edi = sum(1 for i in ids if data.orders[i].source == "edi")
        cells = (
            label,
            len(ids),
            sum(lines[i] for i in ids),
            sum((units[i] for i in ids), Decimal(0)),
            edi,
        )
        rows.append(Row(cells, tuple(ids)))
    chart = Chart(
        "trend", "orders entered", tuple((str(r.cells[0]), float(len(r.orders))) for r in rows)
    )
    return Report("order-history", ctx.heading("Order history"), columns, rows, chart, ENTERED_NOTE)


def coordinators(ctx: ReportContext) -> Report:
    data = _entered(ctx)
    causes = error_causes(ctx.store, data.orders)
    lines: Counter[int] = Counter(line.order_id for line in data.lines)
    columns = (
        Column("Coordinator"),
        Column("Orders", Kind.INT),
        Column("Lines", Kind.INT),
        Column("With errors", Kind.INT),
        Column("Accuracy", Kind.PERCENT),
    )
    groups = _grouped(data, lambda i: data.orders[i].entered_by or "(import)")
    rows = []
    for who, ids in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        accuracy = order_accuracy(ids, causes)
        cells = (
            who,
            len(ids),
            sum(lines[i] for i in ids),
            len(accuracy.exceptions),
            accuracy.percent,
        )
        rows.append(Row(cells, tuple(ids)))
    chart = Chart(
        "bars", "orders entered", tuple((str(r.cells[0]), float(len(r.orders))) for r in rows[:TOP])
    )
    note = ENTERED_NOTE + " Errors: see the accuracy report."
    return Report(
        "coordinators",
        ctx.heading("Coordinator throughput and accuracy"),
        columns,
        rows,
        chart,
        note,
    )


def top_customers(ctx: ReportContext) -> Report:
    data = _entered(ctx)
    columns = (
        Column("Customer"),
        Column("Name"),
        Column("Orders", Kind.INT),
        Column("Value", Kind.MONEY),
        Column("Currency"),
    )
    groups = _grouped(data, lambda i: data.orders[i].customer)
    rows = []
    for code, ids in groups.items():
        first = data.orders[next(iter(ids))]
        value = sum((data.orders[i].total for i in ids), Decimal(0))
        rows.append(Row((code, first.customer_name, len(ids), value, first.currency), tuple(ids)))
    rows.sort(key=lambda r: (-len(r.orders), str(r.cells[0])))
    rows = rows[:TOP]
    chart = Chart("bars", "orders", tuple((str(r.cells[0]), float(len(r.orders))) for r in rows))
    note = ENTERED_NOTE + f" The {TOP} customers with most orders; value = order totals."
    return Report("top-customers", ctx.heading("Top customers"), columns, rows, chart, note)


def top_items(ctx: ReportContext) -> Report:
    data = load_period(
        ctx.store, ctx.period, ctx.filters, by="entered", as_of=ctx.today, items=True
    )
    per_item: dict[str, tuple[str, Decimal, dict[int, None], int]] = {}
    for line, (part, category) in zip(data.lines, data.items, strict=True):
        _, units, orders, count = per_item.get(part, (category, Decimal(0), {}, 0))
        orders[line.order_id] = None
        per_item[part] = (category, units + line.wanted, orders, count + 1)
    columns = (
        Column("Part"),
        Column("Category"),
        Column("Units", Kind.QTY),
        Column("Lines", Kind.INT),
        Column("Orders", Kind.INT),
    )
    ranked = sorted(per_item.items(), key=lambda kv: (-kv[1][1], kv[0]))[:TOP]
    rows = [
        Row((part, category, units, count, len(orders)), tuple(orders))
        for part, (category, units, orders, count) in ranked
    ]
    chart = Chart("bars", "units ordered", tuple((part, float(v[1])) for part, v in ranked))
    note = ENTERED_NOTE + f" The {TOP} items with most units ordered (less cancelled)."
    return Report("top-items", ctx.heading("Top items"), columns, rows, chart, note)


def holds(ctx: ReportContext) -> Report:
    spans = holds_raised(ctx.store, ctx.period, ctx.filters)
    calendar = business_calendar(
        ctx.settings.sla, range(ctx.period.start.year - 1, ctx.period.end.year + 2)
    )
    durations = time_in_hold(spans, ctx.now, business_days(calendar))
    columns = (
        Column("Hold kind"),
        Column("Holds", Kind.INT),
        Column("Still open", Kind.INT),
        Column("Mean days", Kind.QTY),
        Column("Max days", Kind.QTY),
    )
    rows = [
        Row((d.label, d.count, d.still_open, d.mean_days, d.max_days), d.orders) for d in durations
    ]
    chart = Chart("bars", "holds raised", tuple((d.label, float(d.count)) for d in durations))
    note = "Holds raised in the period; time in hold in business days, open ones up to now."
    return Report("holds", ctx.heading("Holds by kind"), columns, rows, chart, note)


def returns(ctx: ReportContext) -> Report:
    found = returns_module.returns_report(ctx.store, ctx.period.start, ctx.period.end, "reason")
    columns = (
        Column("Reason"),
        Column("RMAs", Kind.INT),
        Column("Lines", Kind.INT),
        Column("Quantity", Kind.QTY),
        Column("Value", Kind.MONEY),
        Column("Currency"),
        Column("Rejected lines", Kind.INT),
    )
    rows = [
        Row(
            (
                REASON_LABELS.get(r.key, r.key),
                r.rmas,
                r.lines,
                r.quantity,
                r.value,
                r.currency,
                r.rejected_lines,
            )
        )
        for r in found.rows
    ]
    chart = Chart(
        "bars", "RMAs", tuple((REASON_LABELS.get(r.key, r.key), float(r.rmas)) for r in found.rows)
    )
    note = "RMAs requested in the period (all customers; `orderdesk report returns --by`)."
    return Report("returns", ctx.heading("Returns by reason"), columns, rows, chart, note)


def open_orders_report(ctx: ReportContext) -> Report:
    labels = [label for label, _ in BUCKETS]
    per_state: dict[str, dict[str, list[int]]] = {}
    for order_id, state, entered in open_orders(ctx.store, ctx.filters):
        days = (ctx.today - entered.astimezone(UTC).date()).days if entered else 0
        per_state.setdefault(state, {}).setdefault(age_bucket(max(days, 0)), []).append(order_id)
    columns = (
        Column("State"),
        Column("Orders", Kind.INT),
        *(Column(label, Kind.INT) for label in labels),
    )
    rows = []
    for state, ages in sorted(per_state.items()):
        ids = tuple(i for bucket in ages.values() for i in bucket)
        rows.append(Row((state, len(ids), *(len(ages.get(label, [])) for label in labels)), ids))
    chart = Chart(
        "bars", "open orders", tuple((str(r.cells[0]), float(len(r.orders))) for r in rows)
    )
    note = "Open orders now (the period does not apply), aged from entry."
    return Report(
        "open-orders", ctx.heading("Open orders by state and age"), columns, rows, chart, note
    )
