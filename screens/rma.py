"""One RMA: its lines and history, and each step from authorisation to close by its key.

Authorise (F5, a supervisor above the value limit) issues the RMA number and the return
instructions; receive (F6) and inspect (F7) go line by line; disposition (F8) decides the
highlighted line; credit (F9, a supervisor) issues the credit memo; replace (F10) enters the
no-charge order; close (F11); reject (Ctrl+X) with a reason. Every step runs in a worker and
the screen shows what the store holds afterwards.
"""

from datetime import datetime
from functools import partial
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from orderdesk_tui.documents import rma as documents
from orderdesk_tui.domain import returns as rules
from orderdesk_tui.domain.money import format_money, format_price
from orderdesk_tui.errors import FieldError, OrderdeskError
from orderdesk_tui.models import Invoice
from orderdesk_tui.services import order_actions, returns, rma_detail
from orderdesk_tui.services import rma_settlement as settlement
from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.rma_detail import RmaDetail
from orderdesk_tui.services.users import Approval
from screens.dialogs import (
    NoteDialog,
    NoteInput,
    ReasonDialog,
    TextDialog,
)
from screens.keys import bind
from screens.markup import escape
from screens.rma_line_steps import RmaLineSteps, num
from screens.tabbed_detail import TabbedDetailScreen
from screens.widgets.status_bar import DeskStatus


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "-"


class RmaScreen(RmaLineSteps, TabbedDetailScreen[RmaDetail]):
    CSS_PATH = "rma.tcss"
    TABS = ("rma-lines", "rma-notes", "rma-history")
    BINDINGS = [
        bind("rma.back", "back", "Back"),
        bind("rma.documents", "documents", "Documents"),
        bind("rma.authorise", "authorise", "Authorise"),
        bind("rma.receive", "receive", "Receive"),
        bind("rma.inspect", "inspect", "Inspect"),
        bind("rma.disposition", "disposition", "Disposition"),
        bind("rma.credit", "credit", "Credit"),
        bind("rma.replace", "replace", "Replace"),
        bind("rma.close", "close_rma", "Close"),
        bind("rma.reject", "reject", "Reject"),
        bind("rma.note", "add_note", "Note"),
        bind("rma.next_tab", "tab(1)", "Next tab", show=False, priority=True),
        bind("rma.prev_tab", "tab(-1)", "Prev tab", show=False, priority=True),
    ]

    def __init__(self, desk: Desk, status: DeskStatus, rma_id: int) -> None:
        super().__init__(desk, status)
        self.rma_id = rma_id
        self.detail: RmaDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static("loading…", id="rma-header")
        with TabbedContent(id="rma-tabs"):
            with TabPane("Lines", id="rma-lines"):
                yield DataTable(id="rma-lines-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Notes", id="rma-notes"):
                yield DataTable(id="rma-notes-table", cursor_type="row")
            with TabPane("History", id="rma-history"):
                yield DataTable(id="rma-history-table", cursor_type="row")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.add_columns(
            {
                "rma-lines-table": (
                    "Order", "Ln", "Part", "Description", "Serial/lot", "Reason", "Unit price",
                    "Asked", "Received", "Findings", "Disposition", "Whse", "Vendor recovery",
                ),
                "rma-notes-table": ("When", "Who", "Channel", "Note"),
                "rma-history-table": (
                    "When", "Who", "Approved by", "Action", "Changes", "Reason"
                ),
            }
        )  # fmt: skip
        self.reload()

    def load(self) -> RmaDetail:
        return rma_detail.load_rma(self.desk.store, self.rma_id)

    def show(self, detail: RmaDetail) -> None:
        self.detail = detail
        rma, customer = detail.rma, detail.customer
        state = rma.state.upper()
        if rma.state in rules.OPEN_STATES:
            state = f"[reverse] {state} [/reverse]"
        settled = []
        if detail.credit_memo is not None:
            memo = detail.credit_memo
            money = partial(format_money, currency=memo.currency)
            settled.append(
                f"credit memo [b]{memo.number}[/b] {money(memo.total, code=True)} (restocking fee "
                f"{money(rma.restocking_fee)}, freight {money(rma.freight_credit)})"
            )
        if detail.replacement_number:
            settled.append(f"replacement order [b]{detail.replacement_number}[/b]")
        header = [
            f"[b]{rma.number}[/b]  {state}  {rma.kind} · "
            f"{escape(rules.REASON_LABELS.get(rma.reason_code, rma.reason_code))}"
            f" · value {format_money(detail.value, customer.currency)}",
            f"[b]{escape(customer.code)}[/b] {escape(customer.name)} ({customer.service_tier})"
            f" · invoice {detail.invoice_number or '-'} · by {rma.created_by}",
            f"requested {_when(rma.requested_at)} · authorised {_when(rma.authorised_at)}"
            f"{' by ' + rma.authorised_by if rma.authorised_by else ''}"
            f" · received {_when(rma.received_at)} · closed {_when(rma.closed_at)}",
        ]
        if settled:
            header.append(" · ".join(settled))
        if rma.rejected_reason:
            header.append(f"[$error]rejected: {escape(rma.rejected_reason)}[/]")
        if rma.attachments:
            header.append("attachments: " + escape(", ".join(rma.attachments.splitlines())))
        header.append(f"[dim]next: {self._next_step(detail)}[/dim]")
        self.query_one("#rma-header", Static).update("\n".join(header))
        self.fill(
            "rma-lines-table",
            [
                (
                    ln.order_number, str(ln.line_no), ln.part_number, ln.description[:36],
                    ln.lot_serial, ln.reason.replace("_", " "),
                    format_price(ln.unit_price, customer.currency),
                    num(ln.requested), num(ln.received), ln.findings[:40],
                    ln.disposition.replace("_", " "), ln.warehouse_code,
                    (ln.vendor_name or "yes") if ln.vendor_recovery else "",
                )
                for ln in detail.lines
            ],
            keys=[str(ln.id) for ln in detail.lines],
        )  # fmt: skip
        if detail.lines and self.focused is None:
            self.query_one("#rma-lines-table", DataTable).focus()
        self.fill(
            "rma-notes-table",
            [(_when(n.created_at), n.author, n.channel, n.body) for n in detail.notes],
        )
        self.query_one(TabbedContent).get_tab("rma-notes").label = f"Notes ({len(detail.notes)})"
        self.fill(
            "rma-history-table",
            [
                (_when(at), actor, approved, action, changes[:80], reason)
                for at, actor, approved, action, changes, reason in detail.history
            ],
        )

    @staticmethod
    def _next_step(detail: RmaDetail) -> str:
        state = detail.rma.state
        if state == rules.RmaState.INSPECTED:
            return "disposition each received line (F8)"
        if state == rules.RmaState.DISPOSITIONED:
            try:
                how = rules.settlement(ln.facts for ln in detail.lines)
            except rules.Refusal as refusal:
                return str(refusal)
            return {"credit": "credit (F9)", "replace": "replace (F10)"}.get(how, "close (F11)")
        return {
            "requested": "authorise (F5) or reject",
            "authorised": "receive the goods (F6)",
            "received": "inspect (F7)",
            "credited": "close (F11)",
            "replaced": "close (F11)",
        }.get(state, "nothing: the RMA is done")

    def _in_state(self, *states: str) -> bool:
        """Whether the RMA is in one of `states`; says why not (the rule) if it is not."""
        if self.detail is None:
            return False
        if self.detail.rma.state in states:
            return True
        self.failed(f"rule rma.state: {self.detail.rma.number} is {self.detail.rma.state}")
        return False

    # -- steps -------------------------------------------------------------------------------

    def action_authorise(self) -> None:
        if not self._in_state(rules.RmaState.REQUESTED) or self.detail is None:
            return
        detail = self.detail
        limit = self.desk.settings.returns.authorise_supervisor_above
        money = partial(format_money, currency=detail.customer.currency)

        def run(approval: Approval | None) -> None:
            def step() -> object:
                return returns.authorise(
                    self.desk.store, self.rma_id, expected_version=detail.rma.version,
                    actor=self.desk.user, settings=self.desk.settings, approval=approval,
                )  # fmt: skip

            self.run_change(step, "return authorised", document=self._instructions)

        self.with_supervisor(
            returns.authorise_needs_supervisor(detail, self.desk.settings),
            f"authorise {detail.rma.number} for {money(detail.value)} (limit {money(limit)})",
            run,
        )

    def _instructions(self, _: object) -> tuple[str, str, str]:
        text, path = documents.write_return_authorisation(self.desk.store, self.rma_id)
        return "Return instructions", text, f"PDF {path} · Esc/F12 close"

    def action_credit(self) -> None:
        if not self._in_state(rules.RmaState.DISPOSITIONED) or self.detail is None:
            return
        self._quote(self.detail.rma.version)

    @work(thread=True, exclusive=True, group="rma-quote")
    def _quote(self, version: int) -> None:
        try:
            quote = settlement.quote_credit(
                self.desk.store, self.rma_id, settings=self.desk.settings
            )
        except OrderdeskError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        self.app.call_from_thread(self._credit, version, quote)

    def _credit(self, version: int, quote: settlement.CreditQuote) -> None:
        money = partial(format_money, currency=quote.currency)
        purpose = (
            f"credit {money(quote.total, code=True)}: goods {money(quote.goods)}, restocking "
            f"fee {money(quote.restocking_fee)}, freight {money(quote.freight)}, tax "
            f"{money(quote.tax)}"
        )

        def run(approval: Approval | None) -> None:
            def step() -> object:
                return settlement.credit(
                    self.desk.store, self.rma_id, expected_version=version,
                    actor=self.desk.user, settings=self.desk.settings, approval=approval,
                )  # fmt: skip

            self.run_change(step, "credit memo issued", document=self._memo)

        self.with_supervisor(self.desk.settings.returns.credit_needs_supervisor, purpose, run)

    def _memo(self, memo: Invoice) -> tuple[str, str, str]:
        text, path = documents.write_credit_memo(self.desk.store, memo.id or 0)
        return "Credit memo", text, f"PDF {path} · Esc/F12 close"

    def action_replace(self) -> None:
        if not self._in_state(rules.RmaState.DISPOSITIONED) or self.detail is None:
            return
        version = self.detail.rma.version

        self.run_change(
            lambda: settlement.replace(
                self.desk.store,
                self.rma_id,
                expected_version=version,
                actor=self.desk.user,
                settings=self.desk.settings,
            ),
            "no-charge replacement order entered",
        )

    def action_close_rma(self) -> None:
        if self.detail is None:
            return
        version = self.detail.rma.version
        self.run_change(
            lambda: returns.close(
                self.desk.store, self.rma_id, expected_version=version, actor=self.desk.user
            ),
            "RMA closed",
        )

    def action_reject(self) -> None:
        if self.detail is None:
            return
        detail = self.detail

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return
            self.run_change(
                lambda: returns.reject(
                    self.desk.store,
                    self.rma_id,
                    reason,
                    expected_version=detail.rma.version,
                    actor=self.desk.user,
                ),
                f"{detail.rma.number} rejected",
            )

        self.app.push_screen(ReasonDialog(f"Reject {detail.rma.number}"), with_reason)

    def action_add_note(self) -> None:
        """A note on the RMA in the communication log (what the customer was told)."""
        if self.detail is None:
            return
        rma = self.detail.rma

        def save(result: tuple[str, str] | NoteInput | None) -> None:
            if result is None:
                return
            channel, body = (
                (result.channel, result.body) if isinstance(result, NoteInput) else result
            )
            self.run_change(
                lambda: order_actions.add_note(
                    self.desk.store,
                    actor=self.desk.user,
                    body=body,
                    channel=channel,
                    order_id=rma.order_id,
                    customer_id=rma.customer_id,
                    rma_id=rma.id,
                ),
                "note added",
            )

        self.app.push_screen(NoteDialog(f"{rma.number}"), save)

    def action_documents(self) -> None:
        self._documents()

    @work(thread=True, exclusive=True, group="rma-docs")
    def _documents(self) -> None:
        try:
            paths = documents.rma_documents(self.desk.store, self.rma_id)
            if not paths:
                raise FieldError("documents", "none until the RMA is authorised")
            text = documents.render_text(
                documents.load_return_authorisation(self.desk.store, self.rma_id)
            )
        except OrderdeskError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        footer = " · ".join(f"PDF {Path(p)}" for p in paths) + " · Esc/F12 close"
        self.app.call_from_thread(
            self.app.push_screen, TextDialog("Return instructions", text, footer)
        )
