"""The purchase orders (`Ctrl+Y` from anywhere): replenishments, special buys and drop ships,
newest first, searched by PO number, vendor or a linked customer order, filtered by kind and
state, read in pages; Enter opens the PO."""

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static

from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.purchase_queries import (
    KINDS,
    STATES,
    PurchaseFilter,
    PurchaseRow,
    count_purchases,
    fetch_purchases,
)
from screens.base import DeskScreen
from screens.keys import bind
from screens.widgets.desk_input import DeskInput
from screens.widgets.line_table import Column
from screens.widgets.paged_table import PagedTable
from screens.widgets.status_bar import DeskStatus

SEARCH_DEBOUNCE_S = 0.15


def day(value: date | None) -> str:
    return value.isoformat() if value is not None else "-"


def kind_label(kind: str) -> str:
    return kind.replace("_", " ")


PO_COLUMNS: list[Column[PurchaseRow]] = [
    Column("PO", 9, lambda r: r.number),
    Column("Vendor", 28, lambda r: r.vendor, least=14, flex=1),
    Column("Kind", 13, lambda r: kind_label(r.kind)),
    Column("State", 9, lambda r: r.state),
    Column("ETA", 10, lambda r: day(r.eta)),
    Column("Confirmed", 10, lambda r: day(r.confirmed), least=0),
    Column("To", 8, lambda r: r.destination),
    Column("Orders", 30, lambda r: ", ".join(r.orders), least=10, flex=1),
]


class PurchaseOrdersScreen(DeskScreen):
    CSS_PATH = "purchase_orders.tcss"
    BINDINGS = [
        bind("po_list.back", "back", "Back"),
        bind("po_list.search", "focus_search", "Search"),
        bind("po_list.open", "open_po", "Open"),
        bind("po_list.kind_next", "next_kind", "Kind"),
        bind("po_list.state_next", "next_state", "State"),
        bind("po_list.state_all", "all_states", "All states"),
    ]

    def __init__(self, desk: Desk, status: DeskStatus) -> None:
        super().__init__(desk, status)
        self.filter = PurchaseFilter()
        self._debounce: Timer | None = None
        self.table: PagedTable[PurchaseRow] = PagedTable(
            PO_COLUMNS, self._load_page, page_size=desk.settings.desk.page_size, id="pos"
        )

    def compose(self) -> ComposeResult:
        with Horizontal(id="po-search-bar"):
            yield Static("Purchase orders", id="po-find-label")
            yield DeskInput(placeholder="PO number, vendor or customer order", id="po-search")
            yield Static(id="po-filter-label")
        yield self.table.header_line(id="pos-header")
        yield self.table
        yield Static(id="pos-count")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self._show_filter()
        self.reload()
        self.table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def _load_page(self, offset: int, limit: int) -> list[PurchaseRow]:
        return fetch_purchases(self.desk.store, self.filter, offset, limit)

    @work(thread=True, exclusive=True, group="po-count")
    def reload(self) -> None:
        flt = self.filter
        total = count_purchases(self.desk.store, flt)
        self.app.call_from_thread(self._show, flt, total)

    def _show(self, flt: PurchaseFilter, total: int) -> None:
        if flt != self.filter:
            return
        self.table.show(total)
        what = f"{total:,} PO{'s' if total != 1 else ''}"
        if flt.text:
            what += f" matching '{flt.text}'"
        self.query_one("#pos-count", Static).update(Content(what))  # quotes the search

    def _show_filter(self) -> None:
        kind = kind_label(self.filter.kind) or "all"
        label = f"kind: {kind} · state: {self.filter.state or 'all'}"
        self.query_one("#po-filter-label", Static).update(label)

    def _refilter(self, **changes: str) -> None:
        values = {"text": self.filter.text, "kind": self.filter.kind, "state": self.filter.state}
        values.update(changes)
        self.filter = PurchaseFilter(**values)
        self._show_filter()
        self.reload()

    @on(Input.Changed, "#po-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        text = event.value
        self._debounce = self.set_timer(SEARCH_DEBOUNCE_S, lambda: self._refilter(text=text))

    @on(Input.Submitted, "#po-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if event.value != self.filter.text:
            self._refilter(text=event.value)
        self.table.focus()

    @on(PagedTable.PageFailed)
    def _page_failed(self, event: PagedTable.PageFailed) -> None:
        self.notify(f"could not read purchase orders: {event.error}", severity="error")

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_focus_search(self) -> None:
        self.query_one("#po-search", Input).focus()

    def action_next_kind(self) -> None:
        kinds = ["", *KINDS]
        self._refilter(kind=kinds[(kinds.index(self.filter.kind) + 1) % len(kinds)])

    def action_next_state(self) -> None:
        states = [*STATES, ""]
        self._refilter(state=states[(states.index(self.filter.state) + 1) % len(states)])

    def action_all_states(self) -> None:
        self._refilter(state="")

    def action_open_po(self) -> None:
        row = self.table.current
        if row is None:
            self.app.bell()
            return
        from screens.purchase_order_view import PurchaseOrderViewScreen

        self.app.push_screen(PurchaseOrderViewScreen(self.desk, self.status, row.id))
