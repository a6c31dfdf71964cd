"""The first screen: every order in the store, searchable, filtered by state, read in pages.

The list is live: another terminal's change shows within a second or two (services.live), and
coming back to it from another screen reads it again; either way the cursor stays on its
order (new orders appear above it) and only the rows on screen are read.
"""

from dataclasses import dataclass
from datetime import date, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker

from orderdesk_tui.domain.money import format_money
from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.failures import store_reason
from orderdesk_tui.services.order_queries import (
    ALL_STATES,
    OrderFilter,
    OrderRow,
    count_orders,
    fetch_orders,
    order_position,
)
from screens.base import DeskScreen
from screens.keys import bind
from screens.live_watch import follow_store
from screens.widgets.desk_input import DeskInput
from screens.widgets.line_table import Column
from screens.widgets.paged_table import PagedTable
from screens.widgets.status_bar import DeskStatus

#: Typing pauses this long before the list is searched again.
SEARCH_DEBOUNCE_S = 0.15


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


ORDER_COLUMNS: list[Column[OrderRow]] = [
    Column("Order", 10, lambda r: r.number),
    Column("Cust", 8, lambda r: r.customer_code),
    Column("Customer name", 26, lambda r: r.customer_name, least=14, flex=3),
    Column("Customer PO", 16, lambda r: r.customer_po, least=12, flex=1),
    Column("State", 17, lambda r: r.state.replace("_", " ")),
    Column("Pri", 4, lambda r: "RUSH" if r.priority == "rush" else ""),
    Column("Total", 14, lambda r: format_money(r.total, r.currency), right=True),
    Column("Cur", 3, lambda r: r.currency),
    Column("Entered", 16, lambda r: _day(r.entered_at)),
    Column("Promised", 10, lambda r: _day(r.promised_date)),
]


@dataclass(frozen=True)
class _Anchor:
    """Where the list was when it is read again: the order under the cursor (if its row was
    read), the cursor's row, the top row on screen, and how many rows fit."""

    order_id: int | None
    cursor: int
    top: int
    height: int


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
        self._watch: Worker[None] | None = None
        #: The filter whose rows are on screen (None before the first read).
        self._shown: OrderFilter | None = None
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
        yield self.table.header_line(id="orders-header")
        yield self.table
        yield Static(id="orders-count")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.table.focus()

    def on_screen_resume(self) -> None:
        """Shown (at start, or back from another screen): read again, and follow changes."""
        self.refresh_list()
        self._watch = self.watch_store()

    def on_screen_suspend(self) -> None:
        """Covered by another screen: stop following (that screen's saves would read the
        list again on every field)."""
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    @work(thread=True, exclusive=True, group="orders-watch", exit_on_error=False)
    def watch_store(self) -> None:
        follow_store(self.app, self.desk.store, self.refresh_list)

    def _load_page(self, offset: int, limit: int) -> list[OrderRow]:
        return fetch_orders(self.desk.store, self.filter, offset, limit)

    def reload(self) -> None:
        """Read the list of a new search or state, from the top."""
        self._read(self.filter, None)

    def refresh_list(self) -> None:
        """Read the list again with the cursor kept on its order (a new search or state not
        shown yet is read from the top)."""
        if self._shown != self.filter:
            self.reload()
            return
        table = self.table
        row = table.current
        self._read(
            self.filter,
            _Anchor(
                order_id=row.id if row is not None else None,
                cursor=table.cursor,
                top=table.scroll_offset.y,
                height=max(1, table.scrollable_content_region.height),
            ),
        )

    @work(thread=True, exclusive=True, group="order-count", exit_on_error=False)
    def _read(self, flt: OrderFilter, anchor: _Anchor | None) -> None:
        """Count the rows of the filter; from the top, let the table fetch what it shows;
        kept at `anchor`, find the order's new row and read the pages on screen here."""
        store = self.desk.store
        try:
            total = count_orders(store, flt)
            if anchor is None:
                self.app.call_from_thread(self._show, flt, total)
                return
            index = None
            if anchor.order_id is not None:
                index = order_position(store, flt, anchor.order_id)
            cursor = max(0, min(anchor.cursor if index is None else index, total - 1))
            # new rows above push the rows on screen down with the cursor; at the top they show
            top = anchor.top + cursor - anchor.cursor if anchor.top else 0
            top = max(cursor - anchor.height + 1, min(top, cursor), 0)
            size = self.table.page_size
            last = min(total - 1, top + anchor.height - 1)
            pages = {
                page: fetch_orders(store, flt, page * size, size)
                for page in range(top // size, last // size + 1)
            }
        except Exception as exc:  # shown; the list on screen stays
            self.app.call_from_thread(self._failed, store_reason(exc))
            return
        self.app.call_from_thread(self._reshown, flt, total, cursor, top, pages)

    def _failed(self, error: str) -> None:
        failed = Content.from_markup("[$error]could not read orders: $reason", reason=error)
        self.query_one("#orders-count", Static).update(failed)

    def _show(self, flt: OrderFilter, total: int) -> None:
        if flt != self.filter:
            return
        self._shown = flt
        self.table.show(total)
        self._count(flt, total)

    def _reshown(
        self, flt: OrderFilter, total: int, cursor: int, top: int, pages: dict[int, list[OrderRow]]
    ) -> None:
        if flt != self.filter:
            return
        self.table.reshow(total, cursor, top, pages)
        self._count(flt, total)

    def _count(self, flt: OrderFilter, total: int) -> None:
        what = f"{total:,} order{'s' if total != 1 else ''}"
        if flt.text:
            what += f" matching '{flt.text}'"
        self.query_one("#orders-count", Static).update(Content(f"{what} · live"))  # the search

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
