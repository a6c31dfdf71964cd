"""The entry screen's keys for the line the cursor is on: copy above, delete, promise, replace.

`LineActions` is a mixin of the entry screen (its actions are what the F-key legend and the
command palette run; each writes to the draft and may open a dialog): F8 copies the field
above, Ctrl+Del deletes the line, F7 picks how to serve a short line, F6 puts a discontinued
part's replacement on the line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orderdesk_tui.domain.availability.results import Alternative, AlternativeKind
from orderdesk_tui.services import drafts, order_entry
from screens.dialogs import PickDialog
from screens.entry_mixin import EntryMixin
from screens.markup import escape

if TYPE_CHECKING:
    from screens.entry_lines import LineState


def promise_row(alt: Alternative) -> str:
    """One way to serve a short line, as F7 lists it."""
    kind = alt.kind.replace("_", " ")
    text = f"{kind:<18} {alt.quantity.normalize():f} on {alt.day:%a %m/%d}"
    if alt.backorder_quantity > 0 and alt.backorder_day is not None:
        text += f", {alt.backorder_quantity.normalize():f} on {alt.backorder_day:%a %m/%d}"
    if alt.part_number:
        text += f"  {alt.part_number}"
    if alt.detail:
        text += f"  ({alt.detail})"
    return text


class LineActions(EntryMixin):
    """Copy above, delete line, promise and replacement on the cursor's line."""

    def action_copy_above(self) -> None:
        entry = self.entry
        f = entry.active
        line = entry.grid.line_of(f)
        if f is None or line is None or entry.lines.index(line) == 0:
            entry.app.bell()
            return
        above = entry.lines[entry.lines.index(line) - 1].row
        source = {
            "part": above.part,
            "qty": above.qty,
            "price": above.override,
            "reason": above.reason,
        }[f.field]
        f.set_value(source.value)

    def action_delete_line(self) -> None:
        entry = self.entry
        line = entry.grid.line_of(entry.active)
        if line is None:
            entry.app.bell()
            return
        if entry.change is not None and entry._remove_from_change(line):
            return
        index = entry.lines.index(line)
        number = line.row.number
        if entry.draft.id is not None:  # the store's lines keep the screen's numbers
            entry.writer.submit(
                drafts.delete_line,
                entry.desk.store,
                entry.draft.id,
                number,
                actor=entry.desk.user.name,
            )
            entry.writer.line_deleted(number)
        entry.grid.remove_line(line)
        if not entry.lines:
            entry.grid.add_line()
        entry._activate(entry.lines[min(index, len(entry.lines) - 1)].row.part)
        entry._refresh_totals()
        entry._refresh_missing()

    def _active_line(self) -> LineState | None:
        entry = self.entry
        line = entry.grid.line_of(entry.active)
        if line is None or line.item is None:
            entry.app.bell()
            return None
        return line

    def action_promise(self) -> None:
        """F7: how to serve a short line, in one key (see the availability engine)."""
        entry = self.entry
        line = entry._active_line()
        if line is None:
            return
        if line.stock is None or line.stock.shortfall <= 0:
            entry._say("this line ships complete now")
            return
        options = list(line.stock.alternatives)
        if not options:
            entry._say(
                "[$error]no way to promise this line[/]: "
                + escape("; ".join(line.stock.explanation))
            )
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                entry._apply_promise(line, options[index])

        rows = [promise_row(alt) for alt in options]
        detail = " · ".join(line.stock.explanation)
        entry.app.push_screen(PickDialog(f"Line {line.row.number}: promise", rows, detail), chosen)

    def _apply_promise(self, line: LineState, alt: Alternative) -> None:
        entry = self.entry
        kind = AlternativeKind(alt.kind)
        values: dict[str, object] = {}
        if kind == AlternativeKind.REPLACEMENT and alt.item_id is not None:
            entry._swap_item(line, alt.item_id)
            return
        if kind == AlternativeKind.DROP_SHIP:
            values["drop_ship"] = True
        elif alt.warehouse_id is not None:
            values["warehouse_id"] = alt.warehouse_id
        # split: several warehouses at submit (services.allocation), each a part of the line
        values["split_warehouses"] = kind == AlternativeKind.SPLIT_WAREHOUSES
        if kind == AlternativeKind.SHIP_COMPLETE:
            entry._write_header({"ship_complete": True})
        values["requested_date"] = alt.day
        entry.writer.save(line.row.number, values, entry._save_line)
        line.row.paint(stock=f"[$accent]{escape(kind.replace('_', ' '))}[/] {alt.day:%m/%d}")
        entry._say(f"line {line.row.number}: {kind.replace('_', ' ')}")

    def action_use_replacement(self) -> None:
        """F6: put the replacement item on a discontinued line."""
        entry = self.entry
        line = entry._active_line()
        if line is None or line.item is None:
            return
        if line.item.replacement_id is None:
            entry._say(f"{line.item.part_number} has no replacement")
            entry.app.bell()
            return
        entry._swap_item(line, line.item.replacement_id)

    def _swap_item(self, line: LineState, item_id: int) -> None:
        entry = self.entry
        old = line.item.part_number if line.item else ""
        item = order_entry.item_info(entry.desk.store, item_id)
        line.item = item
        line.row.part.set_value(item.part_number)
        line.row.paint(desc=f"{escape(item.description)} [dim](was {escape(old)})[/]")
        entry._line_changed(line)
        entry._refresh_missing()
