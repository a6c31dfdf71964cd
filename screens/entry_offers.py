"""What the entry screen offers to start from: open drafts (F5) and the customer's history (F11).

`DraftOffers` is a mixin of the entry screen (each offer ends in a dialog, or in another order's
screen, which is the screen's business): the coordinator's drafts left open (parked, or a
crash) are shown in the matches panel as the screen opens and picked on F5, then loaded into
the screen; F11 copies the customer's last order or adds its usual items, as if typed.
"""

from __future__ import annotations

from decimal import Decimal

from textual import work

from orderdesk_tui.errors import FieldError, OrderdeskError
from orderdesk_tui.services import drafts, order_entry, order_history
from screens.dialogs import PickDialog
from screens.entry_mixin import EntryMixin
from screens.entry_paste import problems_note
from screens.markup import escape


def _draft_row(d: drafts.DraftSummary) -> str:
    return (
        f"resume {d.number}  {d.customer_code:<8} {d.customer_name[:30]:<30} "
        f"PO {d.customer_po or '-':<14} {d.lines} line{'s' if d.lines != 1 else ''}  "
        f"{d.updated_at.astimezone():%m/%d %H:%M}"
    )


class DraftOffers(EntryMixin):
    """Open drafts and the customer's history, offered by the entry screen."""

    # -- drafts left open (parked, or a crash) -------------------------------------------------

    @work(thread=True, exclusive=True, group="drafts")
    def _offer_drafts(self) -> None:
        entry = self.entry
        waiting = drafts.open_drafts(entry.desk.store, entry.desk.user.name)
        if waiting:
            entry.app.call_from_thread(entry._show_drafts, waiting)

    def _show_drafts(self, waiting: list[drafts.DraftSummary]) -> None:
        entry = self.entry
        if entry.customer is not None or entry.header["customer"].value:
            return  # typing has started: the drafts stay on F5
        rows = [f"[b]{len(waiting)} open draft{'s' if len(waiting) != 1 else ''}[/]: F5 resumes"]
        rows += [escape(_draft_row(d)) for d in waiting[:5]]
        entry.matches.show("\n".join(rows))

    def action_drafts(self) -> None:
        """F5: pick one of this coordinator's open drafts to finish it."""
        entry = self.entry
        if entry.change is not None:
            entry.app.bell()
            entry._say("a change is open: F9 applies it, F10 keeps it for later")
            return
        waiting = [
            d
            for d in drafts.open_drafts(entry.desk.store, entry.desk.user.name)
            if d.order_id != entry.draft.id
        ]
        if not waiting:
            entry.app.bell()
            entry._say("no other open drafts")
            return

        def chosen(index: int | None) -> None:
            if index is None:
                return
            if entry.draft.id is not None:
                entry.writer.flush()
                entry.notify(f"draft {entry.draft_number} kept: F5 offers it back")
            resume = waiting[index].order_id
            entry.app.switch_screen(type(entry)(entry.desk, entry.status, resume=resume))

        rows = [_draft_row(d) for d in waiting]
        entry.app.push_screen(PickDialog("Open drafts", rows, "Pick a draft to finish it"), chosen)

    def _load_draft(self, order_id: int) -> None:
        """Fill the screen from a stored draft (resumed after a park or a crash)."""
        entry = self.entry
        store = entry.desk.store
        order, saved = drafts.load_draft(store, order_id)
        entry.draft.id = order.id
        entry._writes_pending_create = True
        customer = order_entry.customer_info(store, order.customer_id)
        ship_to = None if order.ship_to_id is None else order_entry.address(store, order.ship_to_id)
        entry.order_header.load(order, customer, ship_to)
        grid = entry.grid
        for stored in saved:
            while len(grid.lines) < stored.line_no:  # rows keep the stored line numbers
                grid.add_line()
            line = grid.lines[stored.line_no - 1]
            if stored.item_id is not None:
                line.item = order_entry.item_info(store, stored.item_id)
                line.row.part.set_value(line.item.part_number)
                line.row.paint(desc=escape(line.item.description))
            if stored.quantity > 0:
                line.quantity = stored.quantity
                line.row.qty.set_value(f"{stored.quantity.normalize():f}")
            if stored.override_reason:
                line.override, line.reason = stored.unit_price, stored.override_reason
                line.row.override.set_value(f"{stored.unit_price.normalize():f}")
                line.row.reason.set_value(stored.override_reason)
            line.generation += 1
            grid.quote(line, customer, entry.order_header.ship_to_id)
        entry._draft_started(order.number)
        entry._activate(grid.next_empty_part())
        entry._refresh_missing()

    # -- the customer's history (F11) -------------------------------------------------------------

    def action_history(self) -> None:
        """F11: start from the customer's history: copy the last order, or add usual items."""
        entry = self.entry
        if entry.customer is None:
            entry._fail(
                entry.header["customer"], FieldError("customer", "enter the customer first")
            )
            return
        entry._history_worker(entry.customer.id)

    @work(thread=True, exclusive=True, group="history")
    def _history_worker(self, customer_id: int) -> None:
        entry = self.entry
        last = order_history.last_order(entry.desk.store, customer_id)
        usual = order_history.usual_items(entry.desk.store, customer_id, today=entry.today)
        entry.app.call_from_thread(entry._offer_history, last, usual)

    def _offer_history(
        self,
        last: order_history.PastOrder | None,
        usual: list[order_history.UsualItem],
    ) -> None:
        entry = self.entry
        if last is None and not usual:
            entry._say(f"{entry.customer.code if entry.customer else ''} has no order history yet")
            return
        rows: list[str] = []
        if last is not None:
            rows.append(
                f"copy last order {last.number} (PO {last.customer_po or '-'}, "
                f"{last.entered_at:%Y-%m-%d}, {len(last.lines)} lines)"
            )
        rows += [
            f"{u.part_number:<22} {u.description[:40]:<40} usual {u.usual_quantity.normalize():f}"
            f" {u.uom:<3} last {u.last_date:%m/%d/%y} {u.times_ordered}x"
            + ("" if u.status == "active" else f" {u.status.upper()}")
            for u in usual
        ]

        def chosen(index: int | None) -> None:
            if index is None:
                return
            if last is not None and index == 0:
                problems = entry._add_items([(ln.part_number, ln.quantity) for ln in last.lines])
                copied = len(last.lines) - len(problems)
                entry._say(f"copied {copied} lines of {last.number}" + problems_note(problems))
                return
            item = usual[index - (1 if last is not None else 0)]
            problems = entry._add_items([(item.part_number, item.usual_quantity)])
            entry._say(f"added {item.part_number}" + problems_note(problems))
            if not problems:
                entry._offer_history(last, usual)  # pick another, Esc when done

        entry.app.push_screen(PickDialog("Usual items and last order", rows), chosen)

    def _add_items(self, wanted: list[tuple[str, Decimal]]) -> list[str]:
        """Put these parts and quantities on empty lines, as if typed; returns the problems."""
        entry = self.entry
        problems = []
        grid = entry.grid
        for part, quantity in wanted:
            line = next((ln for ln in grid.lines if ln.empty), None) or grid.add_line()
            line.row.part.set_value(part)
            line.row.qty.set_value(f"{quantity.normalize():f}")
            try:
                entry._commit_line_field(line, line.row.part)
                entry._commit_line_field(line, line.row.qty)
            except OrderdeskError as error:
                problems.append(f"{part}: {error}")
        entry._activate(grid.next_empty_part())
        entry._refresh_missing()
        if problems:
            entry.app.bell()
        return problems
