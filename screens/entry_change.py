"""Changing an entered order in the entry grid (F4 in the order view).

`ChangeMode` is a mixin of the entry screen: the same fields, keys and autosave as a new
order, but the screen is filled from the change's working copy (services.change_drafts) and
writes to it, not to the order. What differs from entry:
- the customer and the priority stay as they are (a rush has its own key);
- a line not touched keeps its price as ordered (shown `as ordered`, not priced again);
- `Ctrl+D` on an order line removes it (quantity 0, the line keeps its number; again restores
  it); an added line goes as at entry; new lines go after the last one (`Ctrl+E` is refused);
- `F9` asks why and applies the change to the order in one transaction
  (services.order_change): a refusal says each rule and line, a change made meanwhile on
  another terminal shows both versions, a price under the margin floor asks for a supervisor;
- `F10` and `F3` keep the working copy (F4 on the order offers it back).
"""

from __future__ import annotations

from decimal import Decimal

from textual import work

from orderdesk_tui.domain.money import format_money, format_price
from orderdesk_tui.errors import FieldError, OrderdeskError, PermissionDenied
from orderdesk_tui.models import SalesOrder
from orderdesk_tui.services import change_drafts, order_entry
from orderdesk_tui.services.change_drafts import ChangeDraft
from orderdesk_tui.services.order_change import ChangeConflict, ChangeRefused, ChangeResult
from orderdesk_tui.services.users import Approval
from screens.dialogs import ReasonDialog, TextDialog
from screens.entry_lines import LineState
from screens.entry_mixin import EntryMixin
from screens.markup import escape
from screens.textual_private import event_time
from screens.widgets.entry_field import EntryField


def _decimal(value: object) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


class ChangeMode(EntryMixin):
    """The entry screen changing an entered order (see the module docstring)."""

    def _load_change(self, change: ChangeDraft) -> None:
        entry = self.entry
        store = entry.desk.store
        entry.draft.id = change.order_id  # ATP and the PO check leave this order out
        entry._writes_pending_create = True
        entry.draft_number = change.number
        customer = order_entry.customer_info(store, change.customer_id)
        head = change.header
        ship_to_id = head.get("ship_to_id")
        ship_to = None if ship_to_id is None else order_entry.address(store, int(ship_to_id))
        shown = SalesOrder(
            number=change.number,
            customer_id=change.customer_id,
            customer_po=head.get("customer_po") or "",
            ship_via=head.get("ship_via") or "",
            freight_terms=head.get("freight_terms") or "",
            priority=change.priority,
            notes=head.get("notes") or "",
            requested_date=change_drafts.as_date(head.get("requested_date")),
        )
        entry.order_header.kept_date = shown.requested_date
        entry.order_header.load(shown, customer, ship_to)
        for index, stored in enumerate(change.lines):  # the screen starts with one empty line
            grid = entry.grid
            line = grid.lines[index] if index < len(grid.lines) else grid.add_line()
            self._load_change_line(line, stored)
        entry._refresh_totals()
        first = entry.lines[0].row.qty if entry.lines else entry.grid.next_empty_part()
        entry._activate(first)
        entry._refresh_missing()
        kept = " (your change kept since you left it)" if change.resumed else ""
        overtaken = (
            " · [b $warning]the order was changed since: F9 will show both versions[/]"
            if change.overtaken
            else ""
        )
        entry._say(
            f"changing order [b]{change.number}[/b] (revision {change.revision}){kept}: "
            f"F9 applies, F10 keeps it for later{overtaken}"
        )

    def _load_change_line(self, line: LineState, stored: dict[str, object]) -> None:
        entry = self.entry
        item_id = stored.get("item_id")
        if item_id is not None:
            entry.grid.take_item(line, order_entry.item_info(entry.desk.store, int(str(item_id))))
        quantity = _decimal(stored.get("quantity"))
        if quantity is not None:
            line.quantity = quantity
            line.row.qty.set_value(f"{quantity.normalize():f}")
        price, reason = _decimal(stored.get("unit_price")), str(stored.get("override_reason") or "")
        if price is not None and reason:
            line.override, line.reason = price, reason
            line.row.override.set_value(f"{price.normalize():f}")
            line.row.reason.set_value(reason)
        orig = stored.get("orig")
        if isinstance(orig, dict) and quantity == 0:
            self._show_removed(line)
        elif isinstance(orig, dict) and all(stored.get(k) == orig.get(k) for k in orig):
            self._show_as_ordered(line, orig)
        else:
            line.generation += 1
            entry.grid.quote(line, entry.customer, entry.order_header.ship_to_id)

    def _show_as_ordered(self, line: LineState, orig: dict[str, object]) -> None:
        currency = self.entry.currency
        price = _decimal(orig.get("unit_price_as_ordered")) or Decimal(0)
        line.kept = _decimal(orig.get("extended")) or Decimal(0)
        source = escape(str(orig.get("price_source") or ""))
        line.row.paint(
            quote=f"{format_price(price, currency)} {source} [dim]as ordered[/]",
            ext=format_money(line.kept, currency),
            stock="[dim]as ordered[/]",
        )

    def _show_removed(self, line: LineState) -> None:
        line.removed = True
        line.kept = Decimal(0)
        line.row.paint(stock="[b $error]REMOVED[/] Ctrl+D restores", ext="")

    def _header_in_change(self, f: EntryField) -> None:
        """The customer and the priority are not a change's (FieldError)."""
        entry = self.entry
        value = f.value.strip()
        customer = entry.customer
        if f.field == "customer" and customer is not None and value.upper() != customer.code:
            f.set_value(customer.code)
            raise FieldError("customer", "a change keeps the customer: cancel and enter anew")
        if f.field == "priority" and entry.change is not None and value != entry.change.priority:
            f.set_value(entry.change.priority)
            raise FieldError("priority", "a rush is set from the order view, not in a change")

    def _remove_from_change(self, line: LineState) -> bool:
        """Ctrl+D on an order line: removed (or restored); False for an added line, which
        goes as at entry."""
        entry = self.entry
        change = entry.change
        assert change is not None
        index = entry.lines.index(line)
        stored = change.lines[index] if index < len(change.lines) else None
        orig = stored.get("orig") if stored else None
        if not isinstance(orig, dict):
            return False
        number = line.row.number
        if line.removed:
            quantity = _decimal(orig.get("quantity")) or Decimal(0)
            line.removed, line.quantity = False, quantity
            line.row.qty.set_value(f"{quantity.normalize():f}")
            entry._line_changed(line)
            entry._say(f"line {number} restored")
        else:
            line.quantity = Decimal(0)
            line.row.qty.set_value("0")
            self._show_removed(line)
            entry.writer.submit(change_drafts.remove_line, entry.desk.store, change.id, number)
            entry._say(f"line {number} removed: F9 applies the change")
        entry._refresh_totals()
        entry._refresh_missing()
        return True

    def _keep_change(self, key: str) -> None:
        entry = self.entry
        if entry._stays_unsaved(key):
            return
        assert entry.change is not None
        entry.notify(f"change of {entry.change.number} kept: F4 on the order offers it back")
        entry.app.pop_screen()

    # -- F9: apply -----------------------------------------------------------------------------

    def _ask_change_reason(self) -> None:
        entry = self.entry
        change = entry.change
        assert change is not None
        entry.writer.flush()
        try:
            preview = change_drafts.preview(entry.desk.store, change.id)
        except OrderdeskError as error:
            entry._say(f"[b $error]not changed[/]: {escape(str(error))}")
            return
        if not preview:
            entry.app.bell()
            entry._say("nothing changed yet: the order already reads so")
            return

        def with_reason(reason: str | None) -> None:
            if reason is not None:
                entry._say("applying the change…")
                entry._apply_worker(reason, None)

        entry.app.push_screen(ReasonDialog(f"Change {change.number}: why?", preview), with_reason)

    @work(thread=True, exclusive=True, group="submit")
    def _apply_worker(self, reason: str, approval: Approval | None) -> None:
        entry = self.entry
        change = entry.change
        assert change is not None
        entry.writer.flush()
        if entry.writer.pending():
            entry.app.call_from_thread(entry._refuse_unsaved)
            return
        try:
            result = change_drafts.apply_change_draft(
                entry.desk.store,
                change.id,
                actor=entry.desk.user,
                reason=reason,
                settings=entry.desk.settings,
                approval=approval,
            )
        except ChangeConflict as conflict:
            entry.app.call_from_thread(entry._show_conflict, conflict)
        except ChangeRefused as refused:
            entry.app.call_from_thread(entry._change_refused, refused.problems)
        except PermissionDenied as denied:
            if approval is None and "needs a supervisor override" in str(denied):
                entry.app.call_from_thread(entry._ask_supervisor, reason, str(denied))
            else:
                entry.app.call_from_thread(entry._change_refused, [str(denied)])
        except OrderdeskError as error:
            entry.app.call_from_thread(entry._change_refused, [str(error)])
        else:
            entry.app.call_from_thread(entry._change_applied, result)

    def _ask_supervisor(self, reason: str, why: str) -> None:
        entry = self.entry
        purpose = why.split(": needs a supervisor override")[0]
        entry._say(f"[b $warning]{escape(purpose)}[/]: a supervisor approves")
        entry.with_supervisor(True, purpose, lambda approval: entry._apply_worker(reason, approval))

    def _change_refused(self, problems: list[str]) -> None:
        entry = self.entry
        entry.keys_gate.close(event_time())
        entry.app.bell()
        entry._say("[b $error]not changed[/]: " + escape("; ".join(problems)))

    def _show_conflict(self, conflict: ChangeConflict) -> None:
        entry = self.entry
        entry.app.bell()
        entry._say(
            "[b $error]not changed[/]: the order was changed on another terminal; "
            "nothing was overwritten"
        )
        footer = "Esc/F12 close · your change is kept: F3, then F4 on the order to start again"
        title = f"Order {conflict.number} changed meanwhile (version {conflict.expected} → "
        title += f"{conflict.current})"
        entry.app.push_screen(TextDialog(title, conflict.both_versions(), footer))

    def _change_applied(self, result: ChangeResult) -> None:
        entry = self.entry
        holds = f" · on hold: {'; '.join(result.holds)}" if result.holds else ""
        entry.notify(
            f"order {result.number} changed, revision {result.revision_no}: {result.summary}"
            f"{holds}",
            timeout=8,
        )
        entry.app.pop_screen()
