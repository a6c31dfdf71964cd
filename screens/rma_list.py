"""Every RMA in the store, newest first, searchable and filtered by state, read in pages."""

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static

from orderdesk_tui.domain.money import format_money
from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.reports.returns import GROUPINGS, parse_period, returns_report, write_csv
from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.rma_queries import ALL_STATES, RmaFilter, RmaRow, count_rmas, fetch_rmas
from screens.base import DeskScreen
from screens.dialogs import PromptDialog, TextDialog
from screens.keys import bind
from screens.widgets.desk_input import DeskInput
from screens.widgets.line_table import Column
from screens.widgets.paged_table import PagedTable
from screens.widgets.status_bar import DeskStatus

SEARCH_DEBOUNCE_S = 0.15

RMA_COLUMNS: list[Column[RmaRow]] = [
    Column("RMA", 10, lambda r: r.number),
    Column("Cust", 8, lambda r: r.customer_code),
    Column("Customer name", 26, lambda r: r.customer_name, least=14, flex=1),
    Column("Order", 10, lambda r: r.order_number),
    Column("Kind", 8, lambda r: r.kind),
    Column("Reason", 16, lambda r: r.reason.replace("_", " "), least=12),
    Column("State", 13, lambda r: r.state),
    Column("Requested", 16, lambda r: r.requested_at.astimezone().strftime("%Y-%m-%d %H:%M")),
    Column(
        "Credit",
        14,
        lambda r: format_money(r.credit_amount, r.currency) if r.credit_amount else "",
        right=True,
    ),
    Column("By", 8, lambda r: r.created_by, least=0),
]


class RmaListScreen(DeskScreen):
    CSS_PATH = "rma_list.tcss"
    BINDINGS = [
        bind("rma_list.back", "back", "Back"),
        bind("rma_list.search", "focus_search", "Search"),
        bind("rma_list.open", "open_rma", "Open"),
        bind("rma_list.new", "new_rma", "New RMA"),
        bind("rma_list.state_next", "next_state", "State"),
        bind("rma_list.state_all", "all_states", "All states"),
        bind("rma_list.report", "report", "Report"),
    ]

    def __init__(self, desk: Desk, status: DeskStatus) -> None:
        super().__init__(desk, status)
        self.filter = RmaFilter()
        self._debounce: Timer | None = None
        self.table: PagedTable[RmaRow] = PagedTable(
            RMA_COLUMNS, self._load_page, page_size=desk.settings.desk.page_size, id="rmas"
        )

    def compose(self) -> ComposeResult:
        with Horizontal(id="rma-search-bar"):
            yield Static("RMAs", id="rma-find-label")
            yield DeskInput(placeholder="RMA number, customer code or name", id="rma-search")
            yield Static("state: all", id="rma-state-label")
        yield self.table.header_line(id="rmas-header")
        yield self.table
        yield Static(id="rmas-count")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.reload()
        self.table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def _load_page(self, offset: int, limit: int) -> list[RmaRow]:
        return fetch_rmas(self.desk.store, self.filter, offset, limit)

    @work(thread=True, exclusive=True, group="rma-count")
    def reload(self) -> None:
        flt = self.filter
        total = count_rmas(self.desk.store, flt)
        self.app.call_from_thread(self._show, flt, total)

    def _show(self, flt: RmaFilter, total: int) -> None:
        if flt != self.filter:
            return
        self.table.show(total)
        what = f"{total:,} RMA{'s' if total != 1 else ''}"
        if flt.text:
            what += f" matching '{flt.text}'"
        self.query_one("#rmas-count", Static).update(Content(what))  # quotes the search

    @on(Input.Changed, "#rma-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        text = event.value

        def apply() -> None:
            self.filter = RmaFilter(text=text, state=self.filter.state)
            self.reload()

        self._debounce = self.set_timer(SEARCH_DEBOUNCE_S, apply)

    @on(Input.Submitted, "#rma-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if event.value != self.filter.text:
            self.filter = RmaFilter(text=event.value, state=self.filter.state)
            self.reload()
        self.table.focus()

    @on(PagedTable.PageFailed)
    def _page_failed(self, event: PagedTable.PageFailed) -> None:
        self.notify(f"could not read RMAs: {event.error}", severity="error")

    def _set_state(self, state: str | None) -> None:
        self.filter = RmaFilter(text=self.filter.text, state=state)
        self.query_one("#rma-state-label", Static).update(f"state: {state or 'all'}")
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_focus_search(self) -> None:
        self.query_one("#rma-search", Input).focus()

    def action_next_state(self) -> None:
        states: list[str | None] = [None, *ALL_STATES]
        self._set_state(states[(states.index(self.filter.state) + 1) % len(states)])

    def action_all_states(self) -> None:
        self._set_state(None)

    def action_open_rma(self) -> None:
        row = self.table.current
        if row is None:
            self.app.bell()
            return
        from screens.rma import RmaScreen

        self.app.push_screen(RmaScreen(self.desk, self.status, row.id))

    def action_new_rma(self) -> None:
        from screens.rma_new import RmaNewScreen

        self.app.push_screen(RmaNewScreen(self.desk, self.status))

    def action_report(self) -> None:
        """Returns by reason, item or customer for a period; optionally written as CSV."""
        first = date.today().replace(day=1)

        def check(text: str) -> tuple[date, date, str, str]:
            parts = text.split()
            if len(parts) < 3:
                raise OrderdeskError(
                    f"report: type FROM TO BY [CSV FILE], BY one of {', '.join(GROUPINGS)}"
                )
            start, end = parse_period(parts[0], parts[1])
            if parts[2] not in GROUPINGS:
                raise OrderdeskError(f"by: '{parts[2]}' is not one of {', '.join(GROUPINGS)}")
            return start, end, parts[2], " ".join(parts[3:])

        def run(choice: tuple[date, date, str, str] | None) -> None:
            if choice is not None:
                self._report(*choice)

        self.app.push_screen(
            PromptDialog(
                "Returns report",
                check,
                detail="FROM TO BY [CSV FILE] - dates as YYYY-MM-DD; BY reason, item or customer",
                value=f"{first.isoformat()} {date.today().isoformat()} reason",
            ),
            run,
        )

    @work(thread=True, group="rma-report")
    def _report(self, start: date, end: date, by: str, csv_path: str) -> None:
        try:
            report = returns_report(self.desk.store, start, end, by)
            footer = "Esc/F12 close"
            if csv_path:
                written = write_csv(report, csv_path)
                footer = f"written to {written} · Esc/F12 close"
        except (OrderdeskError, OSError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return
        self.app.call_from_thread(
            self.app.push_screen, TextDialog(report.title, report.text(), footer)
        )
