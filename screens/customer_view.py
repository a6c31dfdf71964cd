"""The customer view: everything about one customer, all from the keyboard.

Header: code, name, terms, credit at a glance and call-backs due. Tabs (Tab / Shift+Tab):
addresses, contacts, credit, price agreements in force, open orders, the order history (read a
page at a time, with fill and on-time per order and for the last year), open RMAs, the
communication log and the change history. Enter on an order opens it; F7 starts an order for
this customer; F9 adds a note (with an optional call-back), F8 marks a call-back done; F4 edits
(the customer, or the address or contact under the cursor), F10 adds an address or contact,
F11 deactivates or reactivates, Ctrl+Delete deletes a customer nobody has ordered for.
"""

from datetime import date, datetime
from decimal import Decimal
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from orderdesk_tui.domain.money import format_money, format_price
from orderdesk_tui.models import Address
from orderdesk_tui.services import customer_master
from orderdesk_tui.services.callbacks import mark_callback_done
from orderdesk_tui.services.customer_view import (
    CustomerOrderRow,
    CustomerView,
    count_customer_orders,
    fetch_customer_orders,
    load_customer,
)
from orderdesk_tui.services.desk import Desk
from screens.customer_forms import edit_address, edit_contact, edit_customer
from screens.dialogs import ReasonDialog
from screens.keys import bind
from screens.markup import escape
from screens.notes import ask_note
from screens.tabbed_detail import TabbedDetailScreen, callback_text, changes_text
from screens.widgets.line_table import Column
from screens.widgets.list_table import ListTable
from screens.widgets.paged_table import PagedTable
from screens.widgets.status_bar import DeskStatus


def _when(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _pct(value: Decimal | None) -> str:
    return "-" if value is None else f"{value}%"


def _on_time(value: bool | None) -> str:
    return {True: "yes", False: "LATE", None: ""}[value]


#: Dock hours and routing notes give way first (both are in the address form, F4).
ADDRESS_COLUMNS: list[Column[Address]] = [
    Column("Kind", 8, lambda a: a.kind.replace("_", "-")),
    Column("Code", 6, lambda a: a.code),
    Column("Name", 30, lambda a: a.name if a.active else f"{a.name} (inactive)", least=16, flex=2),
    Column("Street", 24, lambda a: ", ".join(p for p in (a.line1, a.line2) if p), least=12, flex=1),
    Column("City", 14, lambda a: a.city, least=10),
    Column("Region", 6, lambda a: a.region),
    Column("Postal", 8, lambda a: a.postal_code, least=6),
    Column("Ctry", 4, lambda a: a.country),
    Column("Phone", 15, lambda a: a.phone, least=12),
    Column("Dock hours", 20, lambda a: a.dock_hours, least=0, flex=1),
    Column("Routing notes", 20, lambda a: a.routing_notes, least=0, flex=1),
    Column("Default", 7, lambda a: "yes" if a.is_default else ""),
]

HISTORY_COLUMNS: list[Column[CustomerOrderRow]] = [
    Column("Order", 10, lambda r: r.number),
    Column("Customer PO", 16, lambda r: r.customer_po, least=10, flex=1),
    Column("State", 17, lambda r: r.state.replace("_", " "), least=13),
    Column("Entered", 16, lambda r: _when(r.entered_at)),
    Column("Promised", 10, lambda r: _when(r.promised_date)),
    Column("Shipped", 16, lambda r: _when(r.shipped_at)),
    Column("Fill", 6, lambda r: _pct(r.fill), right=True),
    Column("On time", 7, lambda r: _on_time(r.on_time)),
    Column("Total", 14, lambda r: format_money(r.total, r.currency), right=True),
    Column("Holds", 16, lambda r: r.open_holds, least=10, flex=1),
]


class CustomerViewScreen(TabbedDetailScreen[tuple[CustomerView, int]]):
    CSS_PATH = "customer_view.tcss"
    TABS = (
        "addresses",
        "contacts",
        "credit",
        "prices",
        "open-orders",
        "orders",
        "rmas",
        "log",
        "changes",
    )
    BINDINGS = [
        bind("customer.back", "back", "Back"),
        bind("customer.open", "open_order", "Open", show=False),
        bind("customer.open_order", "open_order", "Open order"),
        bind("customer.new_order", "new_order", "New order"),
        bind("customer.note", "note", "Note"),
        bind("customer.callback_done", "callback_done", "Call-back done"),
        bind("customer.edit", "edit", "Edit"),
        bind("customer.add", "add", "Add"),
        bind("customer.deactivate", "toggle_active", "(De)activate"),
        bind("customer.delete", "delete", "Delete", show=False),
        bind("customer.next_tab", "tab(1)", "Next tab", show=False, priority=True),
        bind("customer.prev_tab", "tab(-1)", "Prev tab", show=False, priority=True),
    ]

    def __init__(self, desk: Desk, status: DeskStatus, customer_id: int) -> None:
        super().__init__(desk, status)
        self.customer_id = customer_id
        self.view: CustomerView | None = None
        self.addresses: ListTable[Address] = ListTable(
            ADDRESS_COLUMNS, key=lambda a: a.id, gutter="", id="addresses-table"
        )
        self.history: PagedTable[CustomerOrderRow] = PagedTable(
            HISTORY_COLUMNS,
            lambda offset, limit: fetch_customer_orders(desk.store, customer_id, offset, limit),
            page_size=desk.settings.desk.page_size,
            id="history-table",
        )

    def compose(self) -> ComposeResult:
        yield Static("loading…", id="customer-header")
        with TabbedContent(id="customer-tabs"):
            with TabPane("Addresses", id="addresses"):
                yield self.addresses.header_line(id="addresses-header")
                yield self.addresses
            with TabPane("Contacts", id="contacts"):
                yield DataTable(id="contacts-table", cursor_type="row")
            with TabPane("Credit", id="credit"):
                yield Static(id="credit-text")
            with TabPane("Prices", id="prices"):
                yield DataTable(id="prices-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Open orders", id="open-orders"):
                yield DataTable(id="open-orders-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Orders", id="orders"):
                yield Static(id="performance")
                yield self.history.header_line(id="history-header")
                yield self.history
            with TabPane("RMAs", id="rmas"):
                yield DataTable(id="rmas-table", cursor_type="row")
            with TabPane("Log", id="log"):
                yield DataTable(id="log-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Changes", id="changes"):
                yield DataTable(id="changes-table", cursor_type="row", zebra_stripes=True)
        yield from self.compose_frame()

    def on_mount(self) -> None:
        columns = {
            "contacts-table": ("Name", "Title", "Email", "Phone", "Primary"),
            "prices-table": ("Part", "Description", "Contract", "Price", "Min qty", "From", "To"),
            "open-orders-table": (
                "Order",
                "Customer PO",
                "State",
                "Pri",
                "Requested",
                "Promised",
                "Fill",
                "Total",
                "Holds",
            ),
            "rmas-table": ("RMA", "Kind", "State", "Reason", "Requested", "Credit"),
            "log-table": ("When", "Who", "Channel", "Order", "Note", "Call back", "Done"),
            "changes-table": ("When", "Who", "Action", "Changes", "Reason"),
        }
        self.add_columns(columns)
        self.reload()

    def load(self) -> tuple[CustomerView, int]:
        view = load_customer(self.desk.store, self.customer_id)
        return view, count_customer_orders(self.desk.store, self.customer_id)

    def show(self, loaded: tuple[CustomerView, int]) -> None:
        view, orders = loaded
        self.view = view
        c, credit = view.customer, view.credit
        flags = [] if c.active else ["[reverse] INACTIVE [/reverse]"]
        if c.credit_status != "ok":
            flags.append(f"[b $error]CREDIT {c.credit_status.upper()}[/]")
        due = view.callbacks_due
        if due:
            flags.append(f"[b $warning]{len(due)} call-back{'s' if len(due) != 1 else ''} due[/]")
        header = [
            f"[b]{escape(c.code)}[/b] {escape(c.name)}  {' '.join(flags)}",
            f"{c.service_tier} · group {escape(c.customer_group) or '-'} · terms "
            f"{c.payment_terms} ({c.payment_terms_days} d) · {c.currency} · freight "
            f"{c.freight_terms} · ship via {escape(c.default_ship_via) or '-'}"
            + (f" · {c.incoterm} {escape(c.incoterm_place)}" if c.incoterm else "")
            + f" · tax id {escape(c.tax_id) or '-'} {c.tax_id_type}"
            + (f" · EDI {c.edi_qualifier}/{c.edi_partner_id}" if c.edi_partner_id else "")
            + (f" · PO format {escape(c.po_format)}" if c.po_format else ""),
            f"phone {escape(c.phone) or '-'} · {escape(c.email) or '-'}",
        ]
        if credit is not None:
            money = partial(format_money, currency=credit.currency)
            header.append(
                f"credit limit {money(credit.credit_limit)} · exposure "
                f"{money(credit.exposure)} · available [b]{money(credit.headroom)}[/b]"
                f" · past due {money(credit.past_due_amount)}"
                + (f" ({credit.days_past_due} d)" if credit.days_past_due else "")
                + f" · open orders {view.open_order_count}"
            )
        self.query_one("#customer-header", Static).update("\n".join(header))
        self.addresses.show(view.addresses)
        self.fill(
            "contacts-table",
            [
                (p.name, p.title, p.email, p.phone, "yes" if p.is_primary else "")
                for p in view.contacts
            ],
        )
        self._show_credit(view)
        self.fill(
            "prices-table",
            [
                (
                    a.part_number,
                    a.description[:40],
                    a.contract_ref,
                    format_price(a.price, c.currency),
                    f"{a.min_quantity:f}",
                    _when(a.valid_from),
                    _when(a.valid_to) or "open",
                )
                for a in view.agreements
            ],
        )
        self.fill(
            "open-orders-table",
            [
                (
                    o.number,
                    o.customer_po,
                    o.state.replace("_", " "),
                    "RUSH" if o.priority == "rush" else "",
                    _when(o.requested_date),
                    _when(o.promised_date),
                    _pct(o.fill),
                    format_money(o.total, o.currency),
                    o.open_holds,
                )
                for o in view.open_orders
            ],
        )
        perf = view.performance
        if perf is not None:
            self.query_one("#performance", Static).update(
                f"last 12 months: {perf.orders} orders · fill {_pct(perf.fill_rate)} · on time "
                f"{_pct(perf.on_time_rate)} ({perf.late_orders} late of {perf.shipped_orders} "
                f"shipped) · {orders:,} orders in all"
            )
        self.history.show(orders)
        self.fill(
            "rmas-table",
            [
                (
                    r.number,
                    r.kind,
                    r.state,
                    r.reason_code,
                    _when(r.requested_at),
                    format_money(r.credit_amount, c.currency),
                )
                for r in view.rmas
            ],
        )
        self.fill(
            "log-table",
            [
                (
                    _when(n.created_at),
                    n.author,
                    n.channel,
                    n.order_number,
                    n.body,
                    _when(n.callback_at),
                    callback_text(n.callback_at, n.callback_done),
                )
                for n in view.notes
            ],
            keys=[str(n.id) for n in view.notes],
        )
        self.fill(
            "changes-table",
            [
                (
                    _when(e.at),
                    e.actor + (f" (ok {e.approved_by})" if e.approved_by else ""),
                    e.action,
                    changes_text(e.changes),
                    e.reason,
                )
                for e in view.history
            ],
        )
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("open-orders").label = f"Open orders ({view.open_order_count})"
        tabs.get_tab("rmas").label = f"RMAs ({len(view.rmas)})"
        tabs.get_tab("log").label = f"Log ({len(view.notes)})" + (f" {len(due)} due" if due else "")

    def _show_credit(self, view: CustomerView) -> None:
        credit = view.credit
        if credit is None:
            return
        money = partial(format_money, currency=credit.currency)
        lines = [f"[b]Credit limit[/b] {money(credit.credit_limit, code=True)}"]
        lines += [f"  {label:<28}{money(amount):>16}" for label, amount in credit.breakdown()]
        lines.append(f"  {'Exposure':<28}{money(credit.exposure):>16}")
        lines.append(f"  {'Available':<28}{money(credit.headroom):>16}")
        if credit.past_due_count:
            oldest = credit.oldest_past_due
            lines.append(
                f"[b $error]Past due[/] {money(credit.past_due_amount)} on {credit.past_due_count}"
                f" invoice{'s' if credit.past_due_count != 1 else ''}"
                + (
                    f"; oldest {oldest.number} due {oldest.due_date} ({credit.days_past_due} d)"
                    if oldest
                    else ""
                )
            )
        else:
            lines.append("Nothing past due.")
        lines.append(
            f"Status: [b]{credit.credit_status}[/b] · terms {credit.payment_terms_days} d"
            f" · grace {credit.grace_days} d"
        )
        held = [o for o in view.open_orders if o.open_holds]
        if held:
            lines.append("[b]Orders on hold[/b]")
            lines += [
                f"  {o.number}  {o.open_holds}  {format_money(o.total, o.currency)}" for o in held
            ]
        lines += [f"· {escape(note)}" for note in credit.notes]
        self.query_one("#credit-text", Static).update("\n".join(lines))

    # -- navigation ---------------------------------------------------------------------------

    @property
    def tab(self) -> str:
        return str(self.query_one(TabbedContent).active)

    def _row(self, table_id: str) -> int | None:
        table = self.query_one(f"#{table_id}", DataTable)
        if not table.row_count:
            return None
        return table.cursor_row

    # -- orders -------------------------------------------------------------------------------

    def _selected_order(self) -> CustomerOrderRow | None:
        if self.view is None:
            return None
        if self.tab == "orders":
            return self.history.current
        if self.tab == "open-orders":
            row = self._row("open-orders-table")
            return self.view.open_orders[row] if row is not None else None
        return None

    @on(DataTable.RowSelected, "#open-orders-table")
    def action_open_order(self) -> None:
        order = self._selected_order()
        if order is None:
            self.notify("pick an order on the Open orders or Orders tab")
            self.app.bell()
            return
        if order.state == "draft":
            from screens.order_entry import OrderEntryScreen

            self.app.push_screen(OrderEntryScreen(self.desk, self.status, resume=order.id))
            return
        from screens.order_view import OrderViewScreen

        self.app.push_screen(OrderViewScreen(self.desk, self.status, order.id))

    def action_new_order(self) -> None:
        if self.view is None:
            return
        if not self.view.customer.active:
            self.notify(f"{self.view.customer.code} is inactive: reactivate it first (F11)")
            self.app.bell()
            return
        from screens.order_entry import OrderEntryScreen

        self.app.push_screen(OrderEntryScreen(self.desk, self.status, customer_id=self.customer_id))

    # -- notes --------------------------------------------------------------------------------

    def note_target(self) -> tuple[str, int | None, int | None]:
        """What Ctrl+O notes against here: this customer (the app asks every screen)."""
        code = self.view.customer.code if self.view else str(self.customer_id)
        return f"customer {code}", None, self.customer_id

    def action_note(self) -> None:
        subject, order_id, customer_id = self.note_target()
        ask_note(self, subject, order_id=order_id, customer_id=customer_id, then=self.reload)

    def action_callback_done(self) -> None:
        if self.view is None:
            return
        due = self.view.callbacks_due
        note = None
        if self.tab == "log":
            row = self._row("log-table")
            note = self.view.notes[row] if row is not None else None
        elif len(due) == 1:
            note = due[0]
        if note is None or note.callback_at is None or note.callback_done:
            self.notify(
                "no call-back due here: pick one on the Log tab"
                if due
                else "no call-back is waiting for this customer"
            )
            if due:
                self.query_one(TabbedContent).active = "log"
                self.query_one("#log-table", DataTable).focus()
            return
        self.run_change(
            lambda: mark_callback_done(self.desk.store, note.id, actor=self.desk.user),
            "call-back marked done",
        )

    # -- master data ----------------------------------------------------------------------------

    def action_edit(self) -> None:
        if self.view is None:
            return
        if self.tab == "addresses" and (address := self.addresses.current) is not None:
            edit_address(self, self.customer_id, address, then=self.reload)
        elif self.tab == "contacts" and (row := self._row("contacts-table")) is not None:
            edit_contact(self, self.customer_id, self.view.contacts[row], then=self.reload)
        else:
            edit_customer(self, self.customer_id, then=self.reload)

    def action_add(self) -> None:
        if self.view is None:
            return
        if self.tab == "contacts":
            edit_contact(self, self.customer_id, None, then=self.reload)
        else:
            edit_address(self, self.customer_id, None, then=self.reload)

    def action_toggle_active(self) -> None:
        if self.view is None:
            return
        customer = self.view.customer
        verb = "Reactivate" if not customer.active else "Deactivate"

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return
            self.run_change(
                lambda: customer_master.set_active(
                    self.desk.store,
                    self.customer_id,
                    not customer.active,
                    expected_version=customer.version,
                    actor=self.desk.user,
                    reason=reason,
                ),
                f"{customer.code} {'re' if not customer.active else 'de'}activated",
            )

        detail = (
            "No new orders can be entered for an inactive customer; its history stays."
            if customer.active
            else ""
        )
        self.app.push_screen(ReasonDialog(f"{verb} {customer.code}", detail), with_reason)

    def action_delete(self) -> None:
        if self.view is None:
            return
        customer = self.view.customer

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return
            self.run_change(
                lambda: customer_master.delete_customer(
                    self.desk.store, self.customer_id, actor=self.desk.user, reason=reason
                ),
                f"{customer.code} deleted",
                after=self.app.pop_screen,
            )

        self.app.push_screen(
            ReasonDialog(
                f"Delete {customer.code}",
                "Only a customer without orders can be deleted; otherwise deactivate it (F11).",
            ),
            with_reason,
        )
