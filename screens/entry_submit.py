"""Submitting the order being entered (F9), and its acknowledgement afterwards (F12).

`SubmitActions` is a mixin of the entry screen (a submit opens dialogs and starts the next
order's screen, which is the screen's business, not a widget's): F9 commits the field the
cursor is in, refuses while something is missing or unsaved, waits for the saves in a worker
and submits; the next order starts at once with the acknowledgement kept for F12.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work

from orderdesk_tui.domain.money import format_money
from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.services import submit
from screens.dialogs import PickDialog, TextDialog
from screens.entry_mixin import EntryMixin
from screens.markup import escape
from screens.textual_private import event_time


@dataclass(frozen=True)
class Acknowledged:
    """The order just submitted: shown on the next order's screen, F12 opens its text."""

    title: str
    text: str
    pdf: str
    summary: str


class SubmitActions(EntryMixin):
    """F9 and F12 of the entry screen."""

    def action_submit(self) -> None:
        entry = self.entry
        f = entry.active
        line = entry.grid.line_of(f)
        on_empty_line = line is not None and line.empty
        if f is not None and not on_empty_line and not entry._commit(f, prompt=False):
            also = [t for t in entry.missing() if not entry.refusal.startswith(t)]
            entry._say("[b $error]not submitted[/]: " + escape("; ".join([entry.refusal, *also])))
            return
        if (refusal := entry.unsaved.refusal()) is not None:
            entry._refused([refusal])
            return
        todo = entry.missing()
        if todo:
            entry.keys_gate.close(event_time())
            entry.app.bell()
            entry._say("[b $error]not complete[/]: " + escape(", ".join(todo)))
            return
        if entry.change is not None:
            entry._ask_change_reason()
            return
        entry._say("submitting…")
        entry._submit_worker(accept_duplicate_po=False)

    @work(thread=True, exclusive=True, group="submit")
    def _submit_worker(self, accept_duplicate_po: bool) -> None:
        entry = self.entry
        from orderdesk_tui.documents.acknowledgement import write_acknowledgement

        entry.writer.flush()
        if entry.writer.pending():  # a save failed while F9 waited for it
            entry.app.call_from_thread(entry._refuse_unsaved)
            return
        assert entry.draft.id is not None
        try:
            result = submit.submit_order(
                entry.desk.store,
                entry.draft.id,
                actor=entry.desk.user.name,
                settings=entry.desk.settings,
                accept_duplicate_po=accept_duplicate_po,
                on_screen=entry.app.call_from_thread(entry._on_screen),
            )
        except submit.SubmitRefused as refused:
            entry.app.call_from_thread(entry._refused, refused.problems)
            return
        except OrderdeskError as error:
            entry.app.call_from_thread(entry._refused, [str(error)])
            return
        text, pdf = write_acknowledgement(entry.desk.store, result.order_id)
        entry.app.call_from_thread(entry._submitted, result, text, str(pdf))

    def _on_screen(self) -> submit.OnScreen:
        """What submit must find saved (the rest of what is shown is checked by `missing`)."""
        entry = self.entry
        lines = {
            ln.row.number: (ln.item.id, ln.quantity)
            for ln in entry.lines
            if ln.item is not None and ln.quantity is not None
        }
        po, notes = entry.header["po"].value.strip(), entry.header["notes"].value.strip()
        head = entry.order_header
        return submit.OnScreen(po, head.ship_to_id, head.requested, notes, lines)

    def _refuse_unsaved(self) -> None:
        entry = self.entry
        entry._show_unsaved()
        entry._refused([entry.unsaved.refusal() or "a field is not saved yet"])

    def _refused(self, problems: list[str]) -> None:
        entry = self.entry
        entry.keys_gate.close(event_time())
        entry.app.bell()
        duplicate = next((p for p in problems if "is already on order" in p), None)
        if duplicate is not None and len(problems) == 1:

            def answer(choice: int | None) -> None:
                if choice == 0:
                    entry._submit_worker(accept_duplicate_po=True)

            entry.app.push_screen(
                PickDialog("Duplicate customer PO", ["submit anyway", "go back"], duplicate),
                answer,
            )
            return
        entry._say("[b $error]not submitted[/]: " + escape("; ".join(problems)))

    def _submitted(self, result: submit.SubmitResult, text: str, pdf: str) -> None:
        """The next order starts at once; the acknowledgement waits on F12 (no dialog to
        close, so keys typed ahead go into the new order)."""
        entry = self.entry
        holds = (
            f" · [b $error]on hold[/]: {escape('; '.join(result.holds))}" if result.holds else ""
        )
        state = result.state.replace("_", " ")
        summary = (
            f"[b $success]order {result.number} {state}[/] · "
            f"{format_money(result.total, result.currency, code=True)}"
            f"{holds} · acknowledgement {escape(pdf)} · F12 shows it"
        )
        done = Acknowledged(f"Order {result.number} {state}", text, pdf, summary)
        entry.app.switch_screen(type(entry)(entry.desk, entry.status, previous=done))

    def action_last_ack(self) -> None:
        """F12: the acknowledgement of the order submitted last, as the customer gets it."""
        entry = self.entry
        if entry.previous is None:
            entry.app.bell()
            entry._say("no order submitted from this screen yet")
            return
        footer = f"PDF: {entry.previous.pdf} · Esc/F12 close"
        entry.app.push_screen(TextDialog(entry.previous.title, entry.previous.text, footer))
