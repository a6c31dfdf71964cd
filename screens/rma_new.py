"""A new return request: find the shipped lines (invoice, order, PO, part, serial/lot number or
a customer code), pick lines and quantities, give the reason, attach photos or documents by
path, and submit. A late return or an out-of-warranty claim asks for a supervisor there and
then; nothing is written until the request is complete and allowed.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Static

from orderdesk_tui.domain import returns as rules
from orderdesk_tui.domain.money import format_money, format_price
from orderdesk_tui.errors import FieldError, OrderdeskError
from orderdesk_tui.services import returnable, rma_request
from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.returnable import ReturnableLine
from orderdesk_tui.services.rma_request import LineRequest, RmaRequest
from orderdesk_tui.services.users import Approval
from screens.base import DeskScreen
from screens.dialogs import PickDialog, PromptDialog
from screens.keys import bind
from screens.markup import cells, escape
from screens.widgets.desk_input import DeskInput
from screens.widgets.status_bar import DeskStatus

REASONS = [r.value for r in rules.Reason]


@dataclass(frozen=True)
class Picked:
    quantity: Decimal
    lot_serial: str = ""


def parse_pick(text: str, line: ReturnableLine) -> Picked:
    """`2` or `1 SN123`: the quantity to return, then an optional serial/lot number."""
    parts = text.split()
    if not parts:
        return Picked(Decimal(0))
    try:
        quantity = Decimal(parts[0])
    except InvalidOperation:
        raise FieldError("quantity", f"'{parts[0]}' is not a number") from None
    if quantity < 0:
        raise FieldError("quantity", "cannot be negative")
    if quantity > 0:
        try:
            rules.check_quantity(line.part_number, quantity, line.shipped, line.returned)
        except rules.Refusal as refusal:
            raise FieldError("quantity", str(refusal)) from None
    return Picked(quantity, " ".join(parts[1:]))


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


class RmaNewScreen(DeskScreen):
    CSS_PATH = "rma_new.tcss"
    BINDINGS = [
        bind("rma_new.back", "back", "Back"),
        bind("rma_new.find", "focus_find", "Find"),
        bind("rma_new.pick", "pick", "Pick line"),
        bind("rma_new.comment", "comment", "Comment"),
        bind("rma_new.reason", "reason", "Reason"),
        bind("rma_new.attach", "attach", "Attach"),
        bind("rma_new.submit", "submit", "Submit"),
    ]

    def __init__(self, desk: Desk, status: DeskStatus, start: str = "") -> None:
        super().__init__(desk, status)
        self.start = start
        self.lines: list[ReturnableLine] = []
        self.picked: dict[int, Picked] = {}
        #: Lines picked on earlier searches (the table shows only the latest search).
        self.known: dict[int, ReturnableLine] = {}
        self.reason = ""
        self.attachments: list[str] = []
        self.comment = ""

    def compose(self) -> ComposeResult:
        yield Static("New return (RMA)", id="rma-new-title")
        with Horizontal(id="rma-find-bar"):
            yield Static("Find", id="rma-find-label")
            yield DeskInput(
                placeholder="invoice, order, PO, part or serial/lot number, or a customer code",
                id="rma-find",
            )
        yield Static("", id="rma-found")
        yield DataTable(id="rma-pick-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="rma-form")
        yield Static("", id="rma-assess")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.query_one("#rma-pick-table", DataTable).add_columns(
            "Return", "Cust", "Order", "Ln", "Part", "Description", "Shipped", "Returned",
            "Left", "Shipped on", "Invoice", "Unit price", "Serial/lot", "Warranty",
        )  # fmt: skip
        self._show_form()
        find = self.query_one("#rma-find", Input)
        if self.start:
            find.value = self.start
            self._search(self.start)
        find.focus()

    # -- finding -----------------------------------------------------------------------------

    @on(Input.Submitted, "#rma-find")
    def _find(self, event: Input.Submitted) -> None:
        self._search(event.value)

    @work(thread=True, exclusive=True, group="rma-find")
    def _search(self, text: str) -> None:
        try:
            title, lines = returnable.lines_to_return(self.desk.store, text)
        except OrderdeskError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show_lines, title, lines)

    def _failed(self, message: str) -> None:
        self.notify(message, severity="error", timeout=8)
        self.app.bell()

    def _show_lines(self, title: str, lines: list[ReturnableLine]) -> None:
        self.lines = lines
        self.known.update({line.order_line_id: line for line in lines})
        self.query_one("#rma-found", Static).update(escape(title))
        table = self.query_one("#rma-pick-table", DataTable)
        table.clear()
        for line in lines:
            table.add_row(*cells(self._cells(line)), key=str(line.order_line_id))
        if lines:
            table.focus()

    def _cells(self, line: ReturnableLine) -> tuple[str, ...]:
        picked = self.picked.get(line.order_line_id)
        mark = ""
        if picked is not None:
            mark = f"▶ {_num(picked.quantity)}" + (
                f" {picked.lot_serial}" if picked.lot_serial else ""
            )
        warranty = f"{line.warranty_months} mo" if line.warranty_months else ""
        if line.vendor_warranted:
            warranty += " vendor"
        return (
            mark,
            line.customer_code,
            line.order_number,
            str(line.line_no),
            line.part_number,
            line.description[:40],
            _num(line.shipped),
            _num(line.returned),
            _num(line.returnable),
            line.shipped_on.isoformat() if line.shipped_on else "",
            line.invoice_number,
            format_price(line.unit_price, line.currency),
            ", ".join(line.lot_serials)[:24],
            warranty,
        )

    def _refresh_row(self, line: ReturnableLine) -> None:
        table = self.query_one("#rma-pick-table", DataTable)
        for column, value in enumerate(cells(self._cells(line))):
            table.update_cell_at(
                Coordinate(table.get_row_index(str(line.order_line_id)), column), value
            )

    # -- the form ----------------------------------------------------------------------------

    def _customer(self) -> tuple[int, str] | None:
        for line_id in self.picked:
            line = self.known[line_id]
            return line.customer_id, f"{line.customer_code} {line.customer_name}"
        return None

    def _request(self) -> RmaRequest:
        customer = self._customer()
        if customer is None:
            raise FieldError("lines", "pick at least one line to return (Enter on a line)")
        if not self.reason:
            raise FieldError("reason", "choose a reason code (F7)")
        return RmaRequest(
            customer_id=customer[0],
            reason=self.reason,
            lines=tuple(
                LineRequest(line_id, p.quantity, lot_serial=p.lot_serial)
                for line_id, p in self.picked.items()
            ),
            attachments=tuple(self.attachments),
            comment=self.comment,
        )

    def _show_form(self) -> None:
        customer = self._customer()
        value = sum(
            (p.quantity * self.known[i].unit_price for i, p in self.picked.items()), Decimal(0)
        )
        currency = next((self.known[i].currency for i in self.picked), "")
        reason = rules.REASON_LABELS.get(self.reason, "[b $error]choose (F7)[/]")
        files = ", ".join(a.rsplit("/", 1)[-1] for a in self.attachments) or "none"
        text = [
            f"Customer [b]{escape(customer[1]) if customer else '-'}[/b] · "
            f"{len(self.picked)} line{'s' if len(self.picked) != 1 else ''} picked · "
            f"value {format_money(value, currency)}",
            f"Reason {reason} · attachments {escape(files)}"
            + (f" · comment: {escape(self.comment)}" if self.comment else ""),
        ]
        self.query_one("#rma-form", Static).update("\n".join(text))
        try:
            request = self._request()
        except OrderdeskError:
            self.query_one("#rma-assess", Static).update("")
            return
        self._preview(request)

    @work(thread=True, exclusive=True, group="rma-preview")
    def _preview(self, request: RmaRequest) -> None:
        """What the policy says of the request as it stands: refusals, approvals, vendors."""
        try:
            assessment = rma_request.assess_request(
                self.desk.store, request, settings=self.desk.settings
            )
        except OrderdeskError as exc:
            text = f"[b $error]{escape(str(exc))}[/]"
        else:
            parts = [
                f"[b $warning]needs a supervisor:[/] {escape(rule)}"
                for rule in assessment.supervisor_rules
            ] or ["[$success]within the return policy[/]"]
            parts += [f"vendor recovery: {escape(v)}" for v in assessment.vendor_recovery]
            text = "\n".join(parts)
        self.app.call_from_thread(self.query_one("#rma-assess", Static).update, text)

    @on(DataTable.RowSelected, "#rma-pick-table")
    def _row_selected(self) -> None:
        self.action_pick()

    def action_pick(self) -> None:
        table = self.query_one("#rma-pick-table", DataTable)
        if not self.lines or table.cursor_row >= len(self.lines):
            self.app.bell()
            return
        line = self.lines[table.cursor_row]
        customer = self._customer()
        if customer is not None and customer[0] != line.customer_id:
            self.notify(
                f"rule rma.customer: this RMA is for {customer[1]}; {line.order_number} is "
                f"{line.customer_code}'s",
                severity="error",
            )
            self.app.bell()
            return
        if line.returnable <= 0 and line.order_line_id not in self.picked:
            self.notify(
                f"rule rma.returnable: nothing left to return of {line.part_number} "
                f"({_num(line.shipped)} shipped, {_num(line.returned)} already returned)",
                severity="error",
            )
            self.app.bell()
            return
        current = self.picked.get(line.order_line_id)
        value = (
            f"{_num(current.quantity)} {current.lot_serial}".strip()
            if current
            else _num(line.returnable)
        )

        def done(picked: Picked | None) -> None:
            if picked is None:
                return
            if picked.quantity == 0:
                self.picked.pop(line.order_line_id, None)
            else:
                self.picked[line.order_line_id] = picked
            self._refresh_row(line)
            self._show_form()

        self.app.push_screen(
            PromptDialog(
                f"Return {line.part_number} from {line.order_number}",
                lambda text: parse_pick(text, line),
                detail=f"quantity, then a serial/lot number if it matters (0 removes the line); "
                f"{_num(line.returnable)} left to return",
                value=value,
            ),
            done,
        )

    def action_reason(self) -> None:
        def chosen(index: int | None) -> None:
            if index is not None:
                self.reason = REASONS[index]
                self._show_form()

        rows = [f"{rules.REASON_LABELS[code]:<22} {self._window_text(code)}" for code in REASONS]
        self.app.push_screen(PickDialog("Reason for the return", rows), chosen)

    def _window_text(self, code: str) -> str:
        policy = self.desk.settings.returns
        if code == rules.Reason.WARRANTY:
            window = "item's warranty from shipment"
        else:
            window = f"{policy.window_days.get(code, 0)} days"
        fee = policy.restocking_fee_percent.get(code, Decimal(0))
        return f"{window}" + (f" · restocking {fee}%" if fee else "")

    def action_attach(self) -> None:
        def added(paths: tuple[str, ...] | None) -> None:
            if paths:
                self.attachments.extend(p for p in paths if p not in self.attachments)
                self._show_form()

        self.app.push_screen(
            PromptDialog(
                "Attach a photo or document",
                lambda text: rma_request.check_attachments([text]),
                detail="path to a file (it must exist; it is referenced, not copied)",
                placeholder="~/returns/photo.jpg",
            ),
            added,
        )

    def action_comment(self) -> None:
        def saved(text: str | None) -> None:
            if text is not None:
                self.comment = text.strip()
                self._show_form()

        self.app.push_screen(PromptDialog("Comment", lambda text: text, value=self.comment), saved)

    def action_focus_find(self) -> None:
        self.query_one("#rma-find", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- submitting --------------------------------------------------------------------------

    def action_submit(self) -> None:
        try:
            request = self._request()
        except OrderdeskError as exc:
            self._failed(str(exc))
            return
        self._assess(request)

    @work(thread=True, exclusive=True, group="rma-submit")
    def _assess(self, request: RmaRequest) -> None:
        try:
            assessment = rma_request.assess_request(
                self.desk.store, request, settings=self.desk.settings
            )
        except OrderdeskError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._approve, request, assessment)

    def _approve(self, request: RmaRequest, assessment: rma_request.Assessment) -> None:
        purpose = "accept a return outside policy: " + "; ".join(assessment.supervisor_rules)
        self.with_supervisor(
            bool(assessment.supervisor_rules),
            purpose,
            lambda approval: self._create(request, approval),
        )

    @work(thread=True, exclusive=True, group="rma-submit")
    def _create(self, request: RmaRequest, approval: Approval | None) -> None:
        try:
            rma = rma_request.create_rma(
                self.desk.store,
                request,
                actor=self.desk.user,
                settings=self.desk.settings,
                approval=approval,
            )
        except OrderdeskError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._created, rma.id or 0, rma.number)

    def _created(self, rma_id: int, number: str) -> None:
        from screens.rma import RmaScreen

        self.notify(f"return request {number} recorded")
        self.app.switch_screen(RmaScreen(self.desk, self.status, rma_id))
