"""The read-only order view: header, lines (a split line's parts under it:
screens/order_view_parts.py), holds, notes, shipments and the audit history.

From here a coordinator releases a hold, adds a note, cancels the order, or sends again what
the ERP refused once the cause is fixed (the ERP's message is in the header); steps that need
a supervisor ask for the override on the spot.
"""

from datetime import date, datetime
from decimal import Decimal
from functools import partial

from textual.app import ComposeResult
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from orderdesk_tui.domain.money import format_money, format_price
from orderdesk_tui.models import Address, Hold
from orderdesk_tui.services import erp_retry, order_actions
from orderdesk_tui.services.callbacks import mark_callback_done
from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.order_queries import LineView, OrderDetail, load_order
from screens.dialogs import ReasonDialog
from screens.keys import bind, key_of
from screens.markup import escape
from screens.notes import ask_note
from screens.order_acknowledgement import OrderAcknowledgementActions
from screens.order_change_actions import REVISION_COLUMNS, OrderChangeActions
from screens.order_line_actions import OrderLineActions
from screens.order_view_parts import LineRow, row_key, row_style, rows_with_parts, with_parts
from screens.tabbed_detail import TabbedDetailScreen, callback_text, changes_text
from screens.widgets.line_table import Column
from screens.widgets.list_table import ListTable
from screens.widgets.status_bar import DeskStatus


def _when(value: date | datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _address(label: str, address: Address | None) -> str:
    if address is None:
        return f"{label}: -"
    place = ", ".join(p for p in (address.city, address.region, address.postal_code) if p)
    name = escape(address.name)
    return f"{label} [b]{escape(address.code)}[/b] {name}, {escape(place)} {address.country}"


#: The quantity fits any the engines take (up to 10⁹); under 130 cells the price source and the
#: allocated quantity give way (the header has the order's promise, the holds tab the rest).
LINE_COLUMNS: list[Column[LineView]] = [
    Column("#", 3, lambda ln: str(ln.line_no), right=True),
    Column("Part", 22, lambda ln: ln.part_number),
    Column(
        "Description",
        30,
        lambda ln: f"RUSH {ln.description}" if ln.rush else ln.description,
        least=11,
        flex=1,
    ),
    Column("Qty", 11, lambda ln: _num(ln.quantity), right=True),
    Column("UoM", 3, lambda ln: ln.uom),
    Column("Price", 10, lambda ln: format_price(ln.unit_price, ln.currency), right=True, least=9),
    Column("Source", 16, lambda ln: ln.price_source, least=0),
    Column("Extended", 14, lambda ln: format_money(ln.extended, ln.currency), right=True, least=12),
    Column("Whse", 4, lambda ln: ln.warehouse),
    Column("Alloc", 8, lambda ln: _num(ln.allocated), right=True, least=0),
    Column("Shipped", 8, lambda ln: _num(ln.shipped), right=True, least=7),
    Column("B/O", 8, lambda ln: _num(ln.backordered), right=True, least=4),
    Column("Promised", 10, lambda ln: _when(ln.promised)),
    Column("Hazmat", 13, lambda ln: ln.hazmat, least=11),
    Column("Bought on", 21, lambda ln: ln.purchase, least=0),
]


class OrderViewScreen(
    OrderChangeActions,
    OrderAcknowledgementActions,
    OrderLineActions,
    TabbedDetailScreen[OrderDetail],
):
    CSS_PATH = "order_view.tcss"
    TABS = ("lines", "holds", "notes", "shipments", "history", "revisions")
    BINDINGS = [
        bind("order.back", "back", "Back"),
        bind("order.change", "change_order", "Change"),
        bind("order.release_hold", "release_hold", "Release hold"),
        bind("order.add_note", "add_note", "Note"),
        bind("order.callback_done", "callback_done", "Call-back done"),
        bind("order.cancel", "cancel_order", "Cancel order"),
        bind("order.return", "start_return", "Return"),
        bind("order.erp_retry", "erp_retry", "Retry ERP"),
        bind("order.acknowledgement", "acknowledgement", "Ack"),
        bind("order.rush", "rush", "Rush"),
        bind("order.rush_line", "rush_line", "Rush line"),
        bind("order.cancel_remaining", "cancel_remaining", "Cancel remaining"),
        bind("order.next_tab", "tab(1)", "Next tab", show=False, priority=True),
        bind("order.prev_tab", "tab(-1)", "Prev tab", show=False, priority=True),
    ]

    def __init__(self, desk: Desk, status: DeskStatus, order_id: int) -> None:
        super().__init__(desk, status)
        self.order_id = order_id
        self.detail: OrderDetail | None = None
        self.lines: ListTable[LineRow] = ListTable(
            with_parts(LINE_COLUMNS), key=row_key, style=row_style, gutter="", id="lines-table"
        )

    def compose(self) -> ComposeResult:
        yield Static("loading…", id="order-header")
        with TabbedContent(id="order-tabs"):
            with TabPane("Lines", id="lines"):
                yield self.lines.header_line(id="lines-header")
                yield self.lines
            with TabPane("Holds", id="holds"):
                yield DataTable(id="holds-table", cursor_type="row")
            with TabPane("Notes", id="notes"):
                yield DataTable(id="notes-table", cursor_type="row")
            with TabPane("Shipments", id="shipments"):
                yield DataTable(id="shipments-table", cursor_type="row")
            with TabPane("History", id="history"):
                yield DataTable(id="history-table", cursor_type="row")
            with TabPane("Revisions", id="revisions"):
                yield DataTable(id="revisions-table", cursor_type="row")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        columns = {
            "holds-table": (
                "Kind",
                "Reason",
                "Raised by",
                "Raised",
                "Released by",
                "Released",
                "Release reason",
            ),
            "notes-table": ("When", "Who", "Channel", "Note", "Call back", "Done"),
            "shipments-table": ("Shipment", "State", "Carrier", "Tracking", "BOL", "Shipped"),
            "history-table": ("When", "Who", "Approved by", "Action", "Changes", "Reason"),
            "revisions-table": REVISION_COLUMNS,
        }
        self.add_columns(columns)
        self.reload()

    def load(self) -> OrderDetail:
        return load_order(self.desk.store, self.order_id)

    def show(self, detail: OrderDetail) -> None:
        self.detail = detail
        order, customer = detail.order, detail.customer
        money = partial(format_money, currency=order.currency)
        flags = []
        if order.priority == "rush":
            flags.append("[reverse] RUSH [/reverse]")
        if detail.active_holds:
            kinds = ", ".join(sorted({h.kind for h in detail.active_holds}))
            flags.append(f"[b $error]HOLD: {kinds}[/]")
        incoterm = f" · {order.incoterm} {escape(order.incoterm_place)}" if order.incoterm else ""
        header = [
            f"[b]{order.number}[/b]  {order.state.replace('_', ' ').upper()}  {' '.join(flags)}"
            f"  source {order.source}",
            f"[b]{escape(customer.code)}[/b] {escape(customer.name)} ({customer.service_tier})"
            f" · PO [b]{escape(order.customer_po) or '-'}[/b] · terms {order.payment_terms}"
            f" · freight {order.freight_terms} · ship via {escape(order.ship_via) or '-'}"
            f"{incoterm}",
            f"{_address('Bill to', detail.bill_to)}   {_address('Ship to', detail.ship_to)}",
            f"received {_when(order.received_at)} · entered {_when(order.entered_at)}"
            f" · requested {_when(order.requested_date)}"
            f" · promised {_when(order.first_promised_date)} / {_when(order.last_promised_date)}"
            f" · shipped {_when(order.shipped_at)}",
            f"subtotal {money(order.subtotal)} · freight {money(order.freight)}"
            f" · tax {money(order.tax)} · [b]total {money(order.total, code=True)}[/b]",
        ]
        if order.cancel_reason:
            header.append(f"[$error]cancelled: {escape(order.cancel_reason)}[/]")
        retry_key = key_of(self, "order.erp_retry")
        for failure in detail.erp_failures:
            header.append(
                f"[b $error]ERP refused {failure.operation}:[/] {escape(failure.error)}"
                f" · fix it, then {retry_key} sends it again"
            )
        self.query_one("#order-header", Static).update("\n".join(header))
        self.lines.show(rows_with_parts(detail.lines))
        self.fill(
            "holds-table",
            [
                (
                    h.kind,
                    h.reason,
                    h.raised_by,
                    _when(h.raised_at),
                    h.released_by or "OPEN",
                    _when(h.released_at),
                    h.release_reason,
                )
                for h in detail.holds
            ],
            keys=[str(h.id) for h in detail.holds],
        )
        self.fill(
            "notes-table",
            [
                (
                    _when(n.created_at),
                    n.author,
                    n.channel,
                    n.body,
                    _when(n.callback_at),
                    callback_text(n.callback_at, n.callback_done),
                )
                for n in detail.notes
            ],
            keys=[str(n.id) for n in detail.notes],
        )
        self.fill(
            "shipments-table",
            [
                (s.number, s.state, s.carrier, s.tracking_number, s.bol_number, _when(s.shipped_at))
                for s in detail.shipments
            ],
        )
        self.fill(
            "history-table",
            [
                (
                    _when(e.at),
                    e.actor,
                    e.approved_by,
                    e.action,
                    changes_text(e.changes),
                    e.reason,
                )
                for e in detail.history
            ],
        )
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("holds").label = f"Holds ({len(detail.active_holds)} open)"
        tabs.get_tab("notes").label = f"Notes ({len(detail.notes)})"
        tabs.get_tab("history").label = f"History ({len(detail.history)})"
        self.show_revisions()

    # -- actions ------------------------------------------------------------------------------

    def _selected_hold(self) -> Hold | None:
        assert self.detail is not None
        open_holds = self.detail.active_holds
        tabs = self.query_one(TabbedContent)
        if tabs.active == "holds":
            table = self.query_one("#holds-table", DataTable)
            if table.row_count:
                key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
                return next((h for h in self.detail.holds if str(h.id) == key), None)
        if len(open_holds) == 1:
            return open_holds[0]
        if open_holds:
            tabs.active = "holds"
            self.query_one("#holds-table", DataTable).focus()
            self.notify("several holds are open: pick one, then release it again")
        return None

    def action_release_hold(self) -> None:
        if self.detail is None:
            return
        hold = self._selected_hold()
        if hold is None:
            if not self.detail.active_holds:
                self.notify("this order has no open hold")
            return
        if hold.released_at is not None:
            self.notify(f"this {hold.kind} hold is already released", severity="warning")
            return

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return
            purpose = (
                f"release {hold.kind} hold on {self.detail.order.number if self.detail else ''}"
            )
            self.with_supervisor(
                order_actions.needs_supervisor_to_release(hold),
                purpose,
                lambda approval: self.run_change(
                    lambda: order_actions.release_hold(
                        self.desk.store,
                        hold.id or 0,
                        expected_version=hold.version,
                        actor=self.desk.user,
                        reason=reason,
                        approval=approval,
                    ),
                    f"{hold.kind} hold released",
                ),
            )

        self.app.push_screen(ReasonDialog(f"Release {hold.kind} hold", hold.reason), with_reason)

    def action_cancel_order(self) -> None:
        if self.detail is None:
            return
        order = self.detail.order
        if order.state not in order_actions.CANCELLABLE:
            self.notify(
                f"order {order.number} is {order.state}: it cannot be cancelled", severity="warning"
            )
            self.app.bell()
            return

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return
            self.with_supervisor(
                order_actions.needs_supervisor_to_cancel(order),
                f"cancel released order {order.number}",
                lambda approval: self.run_change(
                    lambda: order_actions.cancel_order(
                        self.desk.store,
                        order.id or 0,
                        expected_version=order.version,
                        actor=self.desk.user,
                        reason=reason,
                        approval=approval,
                    ),
                    f"order {order.number} cancelled",
                ),
            )

        self.app.push_screen(ReasonDialog(f"Cancel order {order.number}"), with_reason)

    def action_start_return(self) -> None:
        """A return request for this order's shipped lines."""
        if self.detail is None:
            return
        from screens.rma_new import RmaNewScreen

        self.app.push_screen(RmaNewScreen(self.desk, self.status, self.detail.order.number))

    def action_erp_retry(self) -> None:
        """Send the order's failed ERP entries again, once the coordinator fixed the cause."""
        user = self.desk.user
        self.run_change(
            lambda: erp_retry.retry_order(self.desk.store, self.order_id, actor=user),
            lambda retried: retried.summary,
        )

    def note_target(self) -> tuple[str, int | None, int | None]:
        """What Ctrl+O notes against here: this order (the app asks every screen)."""
        if self.detail is None:
            return f"order {self.order_id}", self.order_id, None
        return f"order {self.detail.order.number}", self.order_id, self.detail.order.customer_id

    def action_callback_done(self) -> None:
        """Mark the call-back under the cursor (Notes tab), or the only one due, done."""
        if self.detail is None:
            return
        due = [n for n in self.detail.notes if n.callback_at and not n.callback_done]
        note = due[0] if len(due) == 1 else None
        table = self.query_one("#notes-table", DataTable)
        if self.query_one(TabbedContent).active == "notes" and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            note = next((n for n in self.detail.notes if str(n.id) == key), None)
        if note is None or note.callback_at is None or note.callback_done:
            self.notify("pick a call-back on the Notes tab" if due else "no call-back is due")
            if due:
                self.query_one(TabbedContent).active = "notes"
                table.focus()
            return
        self.run_change(
            lambda: mark_callback_done(self.desk.store, note.id or 0, actor=self.desk.user),
            "call-back marked done",
        )

    def action_add_note(self) -> None:
        subject, order_id, customer_id = self.note_target()
        ask_note(self, subject, order_id=order_id, customer_id=customer_id, then=self.reload)
