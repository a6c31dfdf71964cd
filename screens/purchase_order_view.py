"""One purchase order: its lines and the customer order lines waiting on each.

Keys key the vendor's acknowledgement (a confirmed date for the whole PO or the line under
the cursor, with the vendor's reference), receive against a line or everything still due,
cancel a line with a reason, and open the customer order waiting on a line. An acknowledgement
that moves customer promises lists them (order, customer, line, old -> new date).
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from textual.app import ComposeResult
from textual.widgets import Static

from orderdesk_tui.domain.entry_shorthand import parse_date
from orderdesk_tui.domain.money import format_price
from orderdesk_tui.errors import FieldError
from orderdesk_tui.services.availability import today_utc
from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.purchase_queries import (
    PurchaseDetail,
    PurchaseLineView,
    load_purchase,
)
from orderdesk_tui.services.receiving import (
    ReceiptResult,
    cancel_purchase_line,
    receive_purchase,
)
from orderdesk_tui.services.vendor_ack import VendorAckResult, acknowledge_purchase
from screens.dialogs import PromptDialog, QuestionDialog, ReasonDialog
from screens.keys import bind
from screens.markup import escape
from screens.purchase_orders import day, kind_label
from screens.tabbed_detail import Document, TabbedDetailScreen
from screens.widgets.line_table import Column
from screens.widgets.list_table import ListTable
from screens.widgets.status_bar import DeskStatus


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


LINE_COLUMNS: list[Column[PurchaseLineView]] = [
    Column("Part", 20, lambda ln: ln.part_number),
    Column("Description", 26, lambda ln: ln.description, least=10, flex=1),
    Column("Qty", 9, lambda ln: _num(ln.quantity), right=True),
    Column("Recvd", 9, lambda ln: _num(ln.received), right=True),
    Column("Cancd", 9, lambda ln: _num(ln.cancelled), right=True, least=0),
    Column("Due", 9, lambda ln: _num(ln.due), right=True),
    Column("Cost", 11, lambda ln: format_price(ln.unit_cost, "USD"), right=True, least=0),
    Column("ETA", 10, lambda ln: day(ln.eta)),
    Column("Confirmed", 10, lambda ln: day(ln.confirmed)),
    Column("Order", 10, lambda ln: ln.waiting.order_number if ln.waiting else ""),
    Column("Ln", 3, lambda ln: str(ln.waiting.line_no) if ln.waiting else "", right=True),
    Column("Customer", 20, lambda ln: ln.waiting.customer if ln.waiting else "", least=0),
    Column("Promised", 10, lambda ln: day(ln.waiting.promised) if ln.waiting else ""),
]


def ack_input(today: date) -> Callable[[str], tuple[date, str]]:
    """`DATE [VENDOR REFERENCE]` as typed in the acknowledgement dialog."""

    def check(text: str) -> tuple[date, str]:
        first, _, rest = text.strip().partition(" ")
        return parse_date(first, today, field="confirmed date"), rest.strip()

    return check


def quantity_input(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise FieldError("received", f"'{text.strip()}' is not a number") from None
    if value <= 0:
        raise FieldError("received", "must be more than zero")
    return value


def moved_document(result: VendorAckResult) -> Document | None:
    """The customer promises the acknowledgement moved, for the coordinator to act on."""
    if not result.moved:
        return None
    rows = [
        f"{m.order_number}  {m.customer[:28]:<28}  line {m.line_no:>3} {m.part_number:<20}"
        f" {day(m.old)} -> {m.new.isoformat()}{'  LATER' if m.later else ''}"
        for m in result.moved
    ]
    mails = f"{result.mails} customer mail(s) queued" if result.mails else "no mail queued"
    return (
        f"Customer promises moved by {result.po_number}",
        "\n".join(rows),
        f"{mails} · Esc/F12 close",
    )


class PurchaseOrderViewScreen(TabbedDetailScreen[PurchaseDetail]):
    CSS_PATH = "purchase_order_view.tcss"
    BINDINGS = [
        bind("po.back", "back", "Back"),
        bind("po.ack", "ack", "Vendor ack"),
        bind("po.ack_line", "ack_line", "Line date"),
        bind("po.receive", "receive", "Receive"),
        bind("po.receive_all", "receive_all", "Receive all"),
        bind("po.cancel_line", "cancel_line", "Cancel line"),
        bind("po.open_order", "open_order", "Open order"),
    ]

    def __init__(self, desk: Desk, status: DeskStatus, po_id: int) -> None:
        super().__init__(desk, status)
        self.po_id = po_id
        self.detail: PurchaseDetail | None = None
        self.lines: ListTable[PurchaseLineView] = ListTable(
            LINE_COLUMNS, key=lambda ln: ln.id, gutter="", id="po-lines"
        )

    def compose(self) -> ComposeResult:
        yield Static("loading…", id="po-header")
        yield self.lines.header_line(id="po-lines-header")
        yield self.lines
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.lines.focus()
        self.reload()

    def load(self) -> PurchaseDetail:
        detail = load_purchase(self.desk.store, self.po_id)
        if detail is None:
            raise LookupError(f"purchase order {self.po_id} no longer exists")
        return detail

    def show(self, detail: PurchaseDetail) -> None:
        self.detail = detail
        header = [
            f"[b]{detail.number}[/b]  {detail.state.upper()}  {kind_label(detail.kind)}"
            f"  to [b]{escape(detail.vendor)}[/b]",
            f"ETA {day(detail.eta)} · confirmed {day(detail.confirmed)}"
            f" · vendor ref {escape(detail.vendor_reference) or '-'}"
            f" · into {escape(detail.destination) or '-'}"
            f" · ERP {escape(detail.erp_number) or 'not yet'}",
        ]
        if detail.ship_to:
            header.append(f"drop ship to {escape(detail.ship_to)}")
        self.query_one("#po-header", Static).update("\n".join(header))
        self.lines.show(detail.lines)

    # -- actions ------------------------------------------------------------------------------

    def _open_detail(self) -> PurchaseDetail | None:
        if self.detail is None:
            return None
        if self.detail.state != "open":
            self.notify(f"{self.detail.number} is {self.detail.state}", severity="warning")
            self.app.bell()
            return None
        return self.detail

    def _line(self) -> PurchaseLineView | None:
        line = self.lines.current
        if line is None:
            self.app.bell()
        return line

    def _acknowledge(self, line: PurchaseLineView | None) -> None:
        detail = self._open_detail()
        if detail is None or (line is None and not detail.lines):
            return
        today = today_utc()
        what = f"line {line.part_number}" if line is not None else f"all of {detail.number}"

        def keyed(answer: tuple[date, str] | None) -> None:
            if answer is None:
                return
            confirmed, reference = answer
            self.run_change(
                lambda: acknowledge_purchase(
                    self.desk.store,
                    detail.id,
                    actor=self.desk.user.name,
                    mail=self.desk.settings.mail,
                    vendor_reference=reference,
                    confirmed=None if line is not None else confirmed,
                    line_dates={line.id: confirmed} if line is not None else None,
                    expected_version=detail.version,
                ),
                lambda r: (
                    f"{r.po_number}: {r.lines_confirmed} line(s) confirmed,"
                    f" {len(r.moved)} customer promise(s) moved"
                ),
                document=moved_document,
            )

        self.app.push_screen(
            PromptDialog(
                f"Vendor acknowledgement: {what}",
                ack_input(today),
                detail="DATE [VENDOR REFERENCE] - date as YYYY-MM-DD, MM/DD or +N days",
            ),
            keyed,
        )

    def action_ack(self) -> None:
        self._acknowledge(None)

    def action_ack_line(self) -> None:
        if (line := self._line()) is not None:
            self._acknowledge(line)

    def _receive(self, quantities: dict[int, Decimal], detail: PurchaseDetail) -> None:
        def said(result: ReceiptResult) -> str:
            effects = "; ".join(result.effects) or "nothing waiting on it"
            return f"{result.po_number}: {_num(result.received)} received ({effects})"

        self.run_change(
            lambda: receive_purchase(
                self.desk.store,
                detail.id,
                quantities,
                actor=self.desk.user.name,
                expected_version=detail.version,
            ),
            said,
        )

    def action_receive(self) -> None:
        detail = self._open_detail()
        line = self._line() if detail is not None else None
        if detail is None or line is None:
            return
        if line.due <= 0:
            self.notify(f"nothing is still due on {line.part_number}", severity="warning")
            return

        def keyed(quantity: Decimal | None) -> None:
            if quantity is not None:
                self._receive({line.id: quantity}, detail)

        self.app.push_screen(
            PromptDialog(
                f"Receive {line.part_number} on {detail.number}",
                quantity_input,
                detail=f"{_num(line.due)} still due",
                value=_num(line.due),
            ),
            keyed,
        )

    def action_receive_all(self) -> None:
        detail = self._open_detail()
        if detail is None:
            return
        due = {ln.id: ln.due for ln in detail.lines if ln.due > 0}
        if not due:
            self.notify("nothing is still due on this PO", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._receive(due, detail)

        listed = "\n".join(f"{ln.part_number}: {_num(ln.due)}" for ln in detail.lines if ln.due)
        self.app.push_screen(
            QuestionDialog(f"Receive everything due on {detail.number}?", listed, "Enter yes"),
            answered,
        )

    def action_cancel_line(self) -> None:
        detail = self._open_detail()
        line = self._line() if detail is not None else None
        if detail is None or line is None:
            return

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return
            self.run_change(
                lambda: cancel_purchase_line(
                    self.desk.store,
                    line.id,
                    reason=reason,
                    actor=self.desk.user.name,
                    expected_version=detail.version,
                ),
                lambda summary: str(summary),
            )

        title = f"Cancel {_num(line.due)} {line.part_number} on {detail.number}"
        self.app.push_screen(ReasonDialog(title), with_reason)

    def action_open_order(self) -> None:
        line = self._line()
        if line is None:
            return
        if line.waiting is None:
            self.notify("no customer order waits on this line")
            return
        from screens.order_view import OrderViewScreen

        self.app.push_screen(OrderViewScreen(self.desk, self.status, line.waiting.order_id))
