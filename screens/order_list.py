"""The first screen: every order in the store, searchable, filtered by state, read in pages."""

from datetime import date, datetime
from decimal import Decimal

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Static

from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.order_queries import (
    ALL_STATES,
    OrderFilter,
    OrderRow,
    count_orders,
    fetch_orders,
)
from screens.base import DeskScreen
from screens.keys import bind
from screens.widgets.desk_input import DeskInput
from screens.widgets.line_table import Column
from screens.widgets.paged_table import PagedTable
from screens.widgets.status_bar import DeskStatus

#: Typing pauses this long before the list is searched again.
SEARCH_DEBOUNCE_S = 0.15


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


ORDER_COLUMNS: list[Column[OrderRow]] = [
    Column("Order", 10, lambda r: r.number),
    Column("Cust", 8, lambda r: r.customer_code),
    Column("Customer name", 26, lambda r: r.customer_name),
    Column("Customer PO", 16, lambda r: r.customer_po),
    Column("State", 17, lambda r: r.state.replace("_", " ")),
    Column("Pri", 4, lambda r: "RUSH" if r.priority == "rush" else ""),
    Column("Total", 13, lambda r: _money(r.total), right=True),
    Column("Cur", 3, lambda r: r.currency),
    Column("Entered", 16, lambda r: _day(r.entered_at)),
    Column("Promised", 10, lambda r: _day(r.promised_date)),
]


class OrderListScreen(DeskScreen):
    CSS_PATH = "order_list.tcss"
    BINDINGS = [
        bind("orders.search", "focus_search", "Search"),
        bind("orders.open", "open_order", "Open"),
        bind("orders.state_next", "next_state", "State"),
        bind("orders.state_all", "all_states", "All states"),
    ]

    def __init__(self, desk: Desk, status: DeskStatus) -> None:
        super().__init__(desk, status)
        self.filter = OrderFilter()
        self._debounce: Timer | None = None
        self.table: PagedTable[OrderRow] = PagedTable(
            ORDER_COLUMNS, self._load_page, page_size=desk.settings.desk.page_size, id="orders"
        )

    def compose(self) -> ComposeResult:
        with Horizontal(id="order-search-bar"):
            yield Static("Find", id="find-label")
            yield DeskInput(
                placeholder="order number, customer PO, customer code or name", id="search"
            )
            yield Static("state: all", id="state-label")
        yield Static(self.table.header, id="orders-header")
        yield self.table
        yield Static(id="orders-count")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.reload()
        self.table.focus()

    def _load_page(self, offset: int, limit: int) -> list[OrderRow]:
        return fetch_orders(self.desk.store, self.filter, offset, limit)

    @work(thread=True, exclusive=True, group="order-count")
    def reload(self) -> None:
        """Count the rows of the current filter, then let the table fetch what it shows."""
        flt = self.filter
        total = count_orders(self.desk.store, flt)
        self.app.call_from_thread(self._show, flt, total)

    def _show(self, flt: OrderFilter, total: int) -> None:
        if flt != self.filter:
            return
        self.table.show(total)
        what = f"{total:,} order{'s' if total != 1 else ''}"
        if flt.text:
            what += f" matching '{flt.text}'"
        self.query_one("#orders-count", Static).update(what)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        text = event.value

        def apply() -> None:
            self.filter = OrderFilter(text=text, state=self.filter.state)
            self.reload()

        self._debounce = self.set_timer(SEARCH_DEBOUNCE_S, apply)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if event.value != self.filter.text:
            self.filter = OrderFilter(text=event.value, state=self.filter.state)
            self.reload()
        self.table.focus()

    @on(PagedTable.PageFailed)
    def _page_failed(self, event: PagedTable.PageFailed) -> None:
        self.notify(f"could not read orders: {event.error}", severity="error")

    def _set_state(self, state: str | None) -> None:
        self.filter = OrderFilter(text=self.filter.text, state=state)
        label = state.replace("_", " ") if state else "all"
        self.query_one("#state-label", Static).update(f"state: {label}")
        self.reload()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_next_state(self) -> None:
        states: list[str | None] = [None, *ALL_STATES]
        self._set_state(states[(states.index(self.filter.state) + 1) % len(states)])

    def action_all_states(self) -> None:
        self._set_state(None)

    def action_open_order(self) -> None:
        row = self.table.current
        if row is None:
            self.app.bell()
            return
        if row.state == "draft":
            from screens.order_entry import OrderEntryScreen

            self.app.push_screen(OrderEntryScreen(self.desk, self.status, resume=row.id))
            return
        from screens.order_view import OrderViewScreen

        self.app.push_screen(OrderViewScreen(self.desk, self.status, row.id))
