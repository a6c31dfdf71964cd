"""Reports (`Ctrl+F` from anywhere): pick a report, a period and filters; the table and its
chart side by side. `Enter` on a row lists the orders behind its figure (`ReportOrdersScreen`),
`Enter` there opens the order. Reports are built in a worker: keys never wait on the store."""

from collections.abc import Callable
from datetime import UTC, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Static

from orderdesk_tui.domain.money import format_money
from orderdesk_tui.errors import FieldError
from orderdesk_tui.reports.catalog import REPORTS, ReportKind, build_report
from orderdesk_tui.reports.context import ReportContext
from orderdesk_tui.reports.table import Kind, Report, Row, cell_text, materialised
from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.kpi_queries import Filters, OrderRow, Period, orders_by_id
from screens.base import DeskScreen
from screens.keys import bind
from screens.widgets.bar_chart import ChartPane
from screens.widgets.desk_input import DeskInput
from screens.widgets.line_table import Column
from screens.widgets.list_table import ListTable
from screens.widgets.status_bar import DeskStatus

PERIOD_HELP = "this, last, 2026-11, or FROM TO: 11/1 t, -30 t, 2026-11-01 2026-11-30"
FILTER_HELP = "customer= ship_to= category= warehouse= coordinator= source=edi"
#: Widest a report column gets before it shares the room.
MOST_WIDTH = 30


def _cell(report: Report, index: int) -> Callable[[Row], str]:
    return lambda row: cell_text(report, row, index)


def report_columns(report: Report, rows: list[Row]) -> list[Column[Row]]:
    """Columns as wide as their title and widest cell (up to MOST_WIDTH), numbers right."""
    columns = []
    for index, column in enumerate(report.columns):
        widest = max([len(column.name), *(len(cell_text(report, r, index)) for r in rows[:500])])
        columns.append(
            Column(
                column.name,
                min(widest, MOST_WIDTH),
                _cell(report, index),
                right=column.kind not in (Kind.TEXT, Kind.DATE),
                least=min(widest, 8) if index else None,
                flex=1 if index == 0 else 0,
            )
        )
    return columns


class ReportsScreen(DeskScreen):
    CSS_PATH = "reports.tcss"
    BINDINGS = [
        bind("reports.back", "back", "Back"),
        bind("reports.pick", "focus_reports", "Reports"),
        bind("reports.period", "focus_period", "Period"),
        bind("reports.filters", "focus_filters", "Filters"),
        bind("reports.open", "open_row", "Orders"),
    ]

    def __init__(self, desk: Desk, status: DeskStatus) -> None:
        super().__init__(desk, status)
        self.kinds: ListTable[ReportKind] = ListTable(
            [Column("Report", 28, lambda k: k.title)], key=lambda k: k.name, gutter="",
            id="report-list",
        )  # fmt: skip
        self.table: ListTable[Row] = ListTable(
            [Column("", 1, lambda r: "")], key=lambda r: r.cells[:2], gutter="", id="report-table"
        )
        self.kind = REPORTS[0]
        self.period = Period.month_of(datetime.now(UTC).date())
        self.filters = Filters()
        self.report: Report | None = None
        #: The newest request: a late answer to an older one is dropped.
        self._asked = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="report-bar"):
            yield Static("Period", classes="report-label")
            yield DeskInput(value="this", placeholder=PERIOD_HELP, id="report-period")
            yield Static("Filters", classes="report-label")
            yield DeskInput(placeholder=FILTER_HELP, id="report-filters")
        with Horizontal(id="report-body"):
            yield self.kinds
            with Vertical(id="report-main"):
                yield Static(id="report-title")
                yield self.table.header_line(id="report-header")
                yield self.table
                yield Static(id="report-note")
            yield ChartPane(id="report-chart")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.kinds.show(list(REPORTS))
        self.kinds.focus()
        self.run_report()

    def run_report(self) -> None:
        self._asked += 1
        self.query_one("#report-title", Static).update(
            Content(f"{self.kind.title}, {self.period.label} - reading...")
        )
        self._build(self._asked, self.kind, self.period, self.filters)

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def _build(self, asked: int, kind: ReportKind, period: Period, filters: Filters) -> None:
        now = datetime.now(UTC)
        ctx = ReportContext(self.desk.store, self.desk.settings, period, filters, now.date(), now)
        report = build_report(kind.name, ctx)
        self.app.call_from_thread(self._show, asked, report)

    def _show(self, asked: int, report: Report) -> None:
        if asked != self._asked:
            return
        self.report = report
        rows = materialised(report)
        self.table.set_columns(report_columns(report, rows))
        self.table.show(rows)
        self.query_one("#report-title", Static).update(Content(report.title))
        self.query_one("#report-note", Static).update(Content(report.note))
        self.query_one(ChartPane).show(report.chart)

    def show_failure(self, line: str) -> None:
        """A report that could not be read says so where its title goes (and on the bar)."""
        self.query_one("#report-title", Static).update(Content(line))

    @on(Input.Submitted, "#report-period")
    def _period_given(self, event: Input.Submitted) -> None:
        try:
            self.period = Period.parse(event.value, datetime.now(UTC).date())
        except FieldError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        self.run_report()
        self.table.focus()

    @on(Input.Submitted, "#report-filters")
    def _filters_given(self, event: Input.Submitted) -> None:
        try:
            self.filters = Filters.parse(event.value)
        except FieldError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        self.run_report()
        self.table.focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_focus_reports(self) -> None:
        self.kinds.focus()

    def action_focus_period(self) -> None:
        self.query_one("#report-period", Input).focus()

    def action_focus_filters(self) -> None:
        self.query_one("#report-filters", Input).focus()

    def action_open_row(self) -> None:
        """On the report list: run the report under the cursor. On the table: its orders."""
        if self.focused is self.kinds:
            picked = self.kinds.current
            if picked is not None:
                self.kind = picked
                self.run_report()
                self.table.focus()
            return
        row = self.table.current
        if row is None or not row.orders or self.report is None:
            self.notify("no orders behind this row", severity="warning")
            return
        title = f"{self.report.title}: {row.cells[0]}"
        if len(row.cells) > 1 and isinstance(row.cells[1], str) and row.cells[1]:
            title += f" {row.cells[1]}"
        self.app.push_screen(ReportOrdersScreen(self.desk, self.status, title, row.orders))


ORDER_COLUMNS: list[Column[OrderRow]] = [
    Column("Order", 12, lambda o: o.number),
    Column("Cust", 8, lambda o: o.customer),
    Column("Customer name", 26, lambda o: o.customer_name, least=12, flex=1),
    Column("State", 17, lambda o: o.state),
    Column(
        "Entered", 16, lambda o: o.entered_at.strftime("%Y-%m-%d %H:%M") if o.entered_at else ""
    ),
    Column("Promised", 10, lambda o: o.promised.isoformat() if o.promised else ""),
    Column("Shipped", 10, lambda o: o.shipped_at.date().isoformat() if o.shipped_at else ""),
    Column("Total", 14, lambda o: format_money(o.total, o.currency), right=True),
]


class ReportOrdersScreen(DeskScreen):
    """The orders behind one figure of a report; `Enter` opens one."""

    CSS_PATH = "reports.tcss"
    BINDINGS = [
        bind("report_orders.back", "back", "Back"),
        bind("report_orders.open", "open_order", "Open"),
    ]

    def __init__(self, desk: Desk, status: DeskStatus, title: str, ids: tuple[int, ...]) -> None:
        super().__init__(desk, status)
        self.title_text = title
        self.ids = ids
        self.table: ListTable[OrderRow] = ListTable(
            ORDER_COLUMNS, key=lambda o: o.id, gutter="", id="drill-table"
        )

    def compose(self) -> ComposeResult:
        yield Static(Content(self.title_text), id="drill-title")
        yield self.table.header_line(id="drill-header")
        yield self.table
        yield Static(id="drill-count")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="report-orders", exit_on_error=False)
    def _load(self) -> None:
        rows = orders_by_id(self.desk.store, self.ids)
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[OrderRow]) -> None:
        self.table.show(rows)
        more = len(set(self.ids)) - len(rows)
        count = f"{len(rows):,} order{'s' if len(rows) != 1 else ''}"
        self.query_one("#drill-count", Static).update(count + (f" ({more:,} more)" if more else ""))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open_order(self) -> None:
        row = self.table.current
        if row is None:
            self.app.bell()
            return
        from screens.order_view import OrderViewScreen

        self.app.push_screen(OrderViewScreen(self.desk, self.status, row.id))
