"""Customer lookup: one field, ranked matches as you type, and 'where is my order' in one step.

Whatever the caller quotes (code, name, phone, email, ship-to, city, PO, order or invoice
number) goes in the field; the matches list after every key (a thread worker in an exclusive
group: a newer key makes the older answer stale and it is dropped). When the highlighted match
came from a PO or an order or invoice number, that order's lines show under it with status,
allocation, ship date, carrier and tracking. Enter opens the customer; F6 opens the order.
"""

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Static

from orderdesk_tui.services.customer_lookup import LookupHit, lookup
from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.order_tracking import TrackedOrder, track_order
from screens.base import DeskScreen
from screens.keys import bind
from screens.markup import cells, escape
from screens.notes import target_of
from screens.widgets.desk_input import DeskInput
from screens.widgets.status_bar import DeskStatus

HIT_COLUMNS = ("Code", "Customer", "City", "Phone", "Matched on")
TRACK_COLUMNS = (
    "#",
    "Part",
    "Description",
    "Qty",
    "Status",
    "Whse",
    "Alloc",
    "Shipped",
    "B/O",
    "Promised",
    "Ship date",
    "Carrier",
    "Tracking",
)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _qty(value: object) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class CustomerLookupScreen(DeskScreen):
    CSS_PATH = "customer_lookup.tcss"
    BINDINGS = [
        bind("customer.find", "focus_find", "Find"),
        bind("customer.open_order", "open_order", "Open order"),
        bind("customer.new_order", "new_order", "New order"),
        bind("customer.add", "new_customer", "New customer"),
        bind("customer.back", "back", "Back"),
        Binding("down", "to_hits", show=False),
    ]

    def __init__(self, desk: Desk, status: DeskStatus, needle: str = "") -> None:
        super().__init__(desk, status)
        self.hits: list[LookupHit] = []
        self.tracked: TrackedOrder | None = None
        self._needle = needle

    def compose(self) -> ComposeResult:
        with Horizontal(id="lookup-bar"):
            yield Static("Find", id="lookup-label")
            yield DeskInput(
                self._needle,
                placeholder="customer code, name, phone, email, ship-to, city, PO, order or "
                "invoice number",
                id="needle",
            )
        yield DataTable(id="hits", cursor_type="row", zebra_stripes=True)
        yield Static("", id="lookup-count")
        yield Static("", id="track-header")
        yield DataTable(id="track", cursor_type="row", zebra_stripes=True)
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.query_one("#hits", DataTable).add_columns(*HIT_COLUMNS)
        self.query_one("#track", DataTable).add_columns(*TRACK_COLUMNS)
        self._show_tracking(None)
        self.query_one("#needle", Input).focus()
        if self._needle:
            self.search(self._needle)

    # -- searching as typed -------------------------------------------------------------------

    @on(Input.Changed, "#needle")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(thread=True, exclusive=True, group="customer-lookup", exit_on_error=False)
    def search(self, needle: str) -> None:
        hits = lookup(self.desk.store, needle)
        self.app.call_from_thread(self._show_hits, needle, hits)

    def _show_hits(self, needle: str, hits: list[LookupHit]) -> None:
        if needle != self.query_one("#needle", Input).value:
            return  # a newer key is being answered
        self.hits = hits
        table = self.query_one("#hits", DataTable)
        table.clear()
        for index, hit in enumerate(hits):
            name = hit.name if hit.active else f"{hit.name} (inactive)"
            table.add_row(
                *cells((hit.code, name, hit.city, hit.phone, hit.matched)), key=str(index)
            )
        count = self.query_one("#lookup-count", Static)
        if not needle.strip():
            count.update("")
        elif not hits:
            count.update(f"nothing matches '{escape(needle)}'")
        else:
            count.update(
                f"{len(hits)} match{'es' if len(hits) != 1 else ''} · Enter opens the customer"
                + (" · F6 opens the order" if hits[0].order_id else "")
            )
        self._track(hits[0] if hits else None)

    @on(DataTable.RowHighlighted, "#hits")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._track(self.current)

    def _track(self, hit: LookupHit | None) -> None:
        if hit is None or hit.order_id is None:
            self._show_tracking(None)
            return
        if self.tracked is None or self.tracked.order_id != hit.order_id:
            self.load_tracking(hit.order_id)

    @work(thread=True, exclusive=True, group="order-tracking", exit_on_error=False)
    def load_tracking(self, order_id: int) -> None:
        self.app.call_from_thread(self._show_tracking, track_order(self.desk.store, order_id))

    def _show_tracking(self, tracked: TrackedOrder | None) -> None:
        self.tracked = tracked
        header = self.query_one("#track-header", Static)
        table = self.query_one("#track", DataTable)
        table.clear()
        header.display = table.display = tracked is not None
        if tracked is None:
            return
        header.update(
            f"[b]{tracked.number}[/b]  {tracked.state.replace('_', ' ').upper()}  "
            f"[b]{escape(tracked.customer_code)}[/b] {escape(tracked.customer_name)}"
            f" · PO [b]{escape(tracked.customer_po) or '-'}[/b]"
            f" · ship to {escape(tracked.ship_to) or '-'}"
            f" · requested {_day(tracked.requested) or '-'}"
            f" · promised {_day(tracked.promised) or '-'}"
        )
        for line in tracked.lines:
            row = (
                str(line.line_no),
                line.part_number,
                line.description[:34],
                f"{_qty(line.quantity)} {line.uom}",
                line.status,
                line.warehouse,
                _qty(line.allocated),
                _qty(line.shipped),
                _qty(line.backordered),
                _day(line.promised),
                _day(line.ship_date),
                line.carrier,
                line.tracking,
            )
            table.add_row(*cells(row))

    # -- choosing ---------------------------------------------------------------------------

    @property
    def current(self) -> LookupHit | None:
        table = self.query_one("#hits", DataTable)
        if not self.hits or not table.row_count:
            return None
        row = table.cursor_row if 0 <= table.cursor_row < len(self.hits) else 0
        return self.hits[row]

    @on(Input.Submitted, "#needle")
    @on(DataTable.RowSelected, "#hits")
    def _open_customer(self) -> None:
        hit = self.current
        if hit is None:
            self.app.bell()
            return
        self._show_customer(hit.customer_id)

    def _show_customer(self, customer_id: int) -> None:
        from screens.customer_view import CustomerViewScreen

        self.app.push_screen(CustomerViewScreen(self.desk, self.status, customer_id))

    def note_target(self) -> tuple[str, int | None, int | None] | None:
        """Ctrl+O here notes against the highlighted match (its order when it names one)."""
        hit = self.current
        return target_of(hit) if hit is not None else None

    def action_open_order(self) -> None:
        hit = self.current
        if hit is None or hit.order_id is None:
            self.notify("the match is not an order: type an order, invoice or PO number")
            self.app.bell()
            return
        from screens.order_view import OrderViewScreen

        self.app.push_screen(OrderViewScreen(self.desk, self.status, hit.order_id))

    def action_new_order(self) -> None:
        hit = self.current
        if hit is None:
            self.app.bell()
            return
        from screens.order_entry import OrderEntryScreen

        self.app.push_screen(OrderEntryScreen(self.desk, self.status, customer_id=hit.customer_id))

    def action_new_customer(self) -> None:
        from screens.customer_forms import new_customer

        new_customer(self, self.query_one("#needle", Input).value, self._show_customer)

    def action_focus_find(self) -> None:
        self.query_one("#needle", Input).focus()

    def action_to_hits(self) -> None:
        if self.hits:
            self.query_one("#hits", DataTable).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
