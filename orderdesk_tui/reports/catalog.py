"""Every report by the name `orderdesk report NAME` and the reports screen use."""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic

from orderdesk_tui.errors import FieldError
from orderdesk_tui.reports import desk_reports, kpi_reports
from orderdesk_tui.reports.context import ReportContext
from orderdesk_tui.reports.table import Report, materialised
from orderdesk_tui.services.kpi_queries import data_version


@dataclass(frozen=True)
class ReportKind:
    name: str
    title: str
    build: Callable[[ReportContext], Report]


REPORTS: tuple[ReportKind, ...] = (
    ReportKind("order-history", "Order history", desk_reports.order_history),
    ReportKind("fill-rate", "Fill rate", kpi_reports.fill_rate),
    ReportKind("on-time", "On-time shipment and OTIF", kpi_reports.on_time),
    ReportKind("perfect-order", "Perfect order", kpi_reports.perfect),
    ReportKind("accuracy", "Order accuracy", kpi_reports.accuracy),
    ReportKind("backorders", "Open backorders", kpi_reports.backorders),
    ReportKind("days-to-process", "Days to process", kpi_reports.days_to_process_report),
    ReportKind("sla", "SLA attainment", kpi_reports.sla),
    ReportKind("coordinators", "Coordinator throughput and accuracy", desk_reports.coordinators),
    ReportKind("top-customers", "Top customers", desk_reports.top_customers),
    ReportKind("top-items", "Top items", desk_reports.top_items),
    ReportKind("holds", "Holds by kind", desk_reports.holds),
    ReportKind("returns", "Returns by reason", desk_reports.returns),
    ReportKind("open-orders", "Open orders by state and age", desk_reports.open_orders_report),
)
NAMES = tuple(kind.name for kind in REPORTS)


def report_kind(name: str) -> ReportKind:
    for kind in REPORTS:
        if kind.name == name:
            return kind
    raise FieldError("report", f"'{name}' is not one of {', '.join(NAMES)}")


#: Reports kept for asking again (the screen going back to one): (report, data version, when).
_KEPT: "OrderedDict[tuple[object, ...], tuple[Report, tuple[int, ...], float]]" = OrderedDict()
KEEP = 32
#: Seconds a kept report is shown at most: "now" moves (open holds, SLAs not yet met).
KEEP_S = 60.0


def build_report(name: str, ctx: ReportContext, *, reuse: bool = True) -> Report:
    """The report with its rows read. One asked again with the same period, filters and day is
    answered from memory while the store's data version (services.kpi_queries.data_version)
    has not moved and it is under KEEP_S old; `reuse=False` always reads."""
    kind = report_kind(name)
    key = (ctx.store.url, name, ctx.period, ctx.filters, ctx.today)
    version = data_version(ctx.store) if reuse else ()
    kept = _KEPT.get(key)
    if reuse and kept is not None and kept[1] == version and monotonic() - kept[2] < KEEP_S:
        _KEPT.move_to_end(key)
        return kept[0]
    report = kind.build(ctx)
    materialised(report)
    if reuse:
        _KEPT[key] = (report, version, monotonic())
        while len(_KEPT) > KEEP:
            _KEPT.popitem(last=False)
    return report
