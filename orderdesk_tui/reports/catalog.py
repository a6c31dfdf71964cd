"""Every report by the name `orderdesk report NAME` and the reports screen use."""

from collections.abc import Callable
from dataclasses import dataclass

from orderdesk_tui.errors import FieldError
from orderdesk_tui.reports import desk_reports, kpi_reports
from orderdesk_tui.reports.context import ReportContext
from orderdesk_tui.reports.table import Report


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


def build_report(name: str, ctx: ReportContext) -> Report:
    return report_kind(name).build(ctx)
