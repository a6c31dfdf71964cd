"""The draft being written as the order is typed: the writes, what is not saved, leaving.

`DraftWrites` is a mixin of the entry screen (the writer thread and the fields it marks belong
to the whole screen): each committed field goes to the draft through one writer thread
(services.autosave), the draft is created with the customer, a line's price is saved as it
arrives and the totals with it; a failed save marks its field until the retry lands, and F10
(park) and F3 (exit) wait for the saves, warning once while something is still unsaved.
"""

from __future__ import annotations

from decimal import Decimal

from textual.message import Message
from textual.widgets import Static

from orderdesk_tui.domain.money import format_money
from orderdesk_tui.services import change_drafts, drafts
from screens.entry_lines import LineState, OrderLines
from screens.entry_mixin import EntryMixin
from screens.textual_private import event_time


class DraftWrites(EntryMixin):
    """The entry screen's writes to its draft, and leaving it (F10, F3)."""

    def _line_changed(self, line: LineState) -> None:
        """Write the line to the draft and ask for its price and availability."""
        entry = self.entry
        line.generation += 1
        line.kept = None
        if line.item is None:
            return
        values: dict[str, object] = {
            "item_id": line.item.id,
            "part_number": line.item.part_number,
            "description": line.item.description,
            "uom": line.item.uom,
            "list_price": line.item.list_price,
        }
        if line.quantity is not None:
            values["quantity"] = line.quantity
        if line.override is not None:
            values["unit_price"] = line.override
            values["override_reason"] = line.reason
            values["price_source"] = "override"
        drafts.check_line(line.row.number, values)  # what the store cannot hold is refused here
        entry.writer.save(line.row.number, values, entry._save_line)
        if line.quantity is not None:
            entry.grid.quote(line, entry.customer, entry.order_header.ship_to_id)

    def on_order_lines_priced(self, message: OrderLines.Priced) -> None:
        """A line's price arrived (the grid painted it): save it, and the totals."""
        entry = self.entry
        result = message.result
        values: dict[str, object] = {
            "unit_price": result.unit_price,
            "list_price": result.list_price,
            "price_source": result.price_source,
            "extended": result.extended,
        }
        entry.writer.save(message.line.row.number, values, entry._save_line)
        entry._refresh_totals()
        entry._refresh_missing()

    def _refresh_totals(self) -> None:
        entry = self.entry
        amounts = [
            ln.price.extended if ln.price is not None else ln.kept or Decimal(0)
            for ln in entry.lines
            if not ln.removed
        ]
        total = sum(amounts, Decimal(0))
        lines = sum(1 for ln in entry.lines if ln.item is not None and not ln.removed)
        draft = f"draft [b]{entry.draft_number}[/b] (autosaved) · " if entry.draft_number else ""
        if entry.change is not None:
            draft = f"[b $warning]change of {entry.change.number}[/] (autosaved, F9 applies) · "
        amount = format_money(total, entry.currency, code=entry.customer is not None)
        entry.query_one("#totals", Static).update(
            f"{draft}{lines} line{'s' if lines != 1 else ''} · merchandise [b]{amount}[/b]",
            layout=False,
        )
        if entry.customer is not None:  # not checked: the store refusing a total is shown
            entry.writer.save(None, {"subtotal": total, "total": total}, entry._save_header)

    def _create_draft(self, customer_id: int) -> None:
        entry = self.entry
        order = drafts.create_draft(
            entry.desk.store, actor=entry.desk.user.name, customer_id=customer_id
        )
        entry.draft.id = order.id
        # post_message, not call_from_thread: the UI may be waiting on this writer (flush)
        entry.post_message(entry.DraftStarted(order.number))

    class DraftStarted(Message):
        def __init__(self, number: str) -> None:
            super().__init__()
            self.number = number

    class WriteFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class UnsavedChanged(Message):
        pass

    def on_draft_writes_draft_started(self, message: DraftStarted) -> None:
        entry = self.entry
        entry._draft_started(message.number)

    def on_draft_writes_write_failed(self, message: WriteFailed) -> None:
        entry = self.entry
        entry.notify(
            f"autosave failed: {message.error}; what you typed is kept on screen",
            severity="error",
            timeout=10,
        )

    def on_draft_writes_unsaved_changed(self, _message: UnsavedChanged) -> None:
        entry = self.entry
        entry._show_unsaved()

    def _draft_started(self, number: str) -> None:
        entry = self.entry
        entry.draft_number = number
        entry._refresh_totals()

    def _write_header(self, values: dict[str, object]) -> None:
        entry = self.entry
        if entry.customer is None:
            return
        drafts.check_header(values)  # what the store cannot hold is refused here
        entry.writer.save(None, values, entry._save_header)

    def _save_header(self, _header: int | None, values: dict[str, object]) -> None:
        entry = self.entry
        if entry.change is not None:
            change_drafts.update_header(entry.desk.store, entry.change.id, values)
            return
        assert entry.draft.id is not None
        drafts.update_header(entry.desk.store, entry.draft.id, values, actor=entry.desk.user.name)

    def _save_line(self, number: int | None, values: dict[str, object]) -> None:
        entry = self.entry
        if entry.change is not None and number is not None:
            change_drafts.save_line(entry.desk.store, entry.change.id, number, values)
            return
        assert entry.draft.id is not None and number is not None, "the draft has the customer"
        drafts.save_line(
            entry.desk.store,
            entry.draft.id,
            number,
            values,
            actor=entry.desk.user.name,
        )

    def _write_failed(self, error: BaseException) -> None:
        entry = self.entry
        entry.post_message(entry.WriteFailed(str(error)))

    def _unsaved_changed(self) -> None:
        """From the writer thread: a save failed, or a retry landed."""
        entry = self.entry
        entry.post_message(entry.UnsavedChanged())

    def _show_unsaved(self) -> None:
        entry = self.entry
        rows = [line.row for line in entry.lines]
        entry.unsaved.show(entry.writer.pending(), entry.header, rows)
        entry._refresh_missing()

    def action_park(self) -> None:
        """F10: keep the draft (it is saved already) and start a new order."""
        entry = self.entry
        if entry.change is not None:
            entry._keep_change("F10")
            return
        if entry.draft.id is None:
            entry.app.bell()
            entry._say("nothing to park yet: enter a customer first")
            return
        if entry._stays_unsaved("F10"):
            return
        entry.notify(f"parked draft {entry.draft_number}: F5 on a new order resumes it")
        entry.app.switch_screen(type(entry)(entry.desk, entry.status))

    def action_leave(self) -> None:
        entry = self.entry
        if entry.change is not None:
            entry._keep_change("F3")
            return
        if entry.draft.id is not None:
            if entry._stays_unsaved("F3"):
                return
            entry.notify("the draft is kept: F5 on a new order (Ctrl+N) resumes it")
        entry.app.pop_screen()

    def _stays_unsaved(self, key: str) -> bool:
        """Wait for the saves given so far; True (and say why) if a field is still unsaved and
        `key` was not pressed again to leave anyway."""
        entry = self.entry
        entry.writer.flush()
        entry._show_unsaved()
        warning = entry.unsaved.leave_warning(key, event_time())
        if warning is None:
            return False
        entry.app.bell()
        entry._say(warning)
        return True
