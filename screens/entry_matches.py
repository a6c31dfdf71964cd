"""Matches for what is typed in the customer or part field: as you type, and in full on F4.

`MatchesPanel` looks up what the customer or part field holds once typing pauses, in its own
worker, and shows the best few under the lines; the entry screen also shows its open drafts
there at the start. `LookupActions` (a mixin of the entry screen: it opens a dialog whose
choice is typed into the field) is F4, the full prompt, also opened by an unknown code.
"""

from __future__ import annotations

from textual import work
from textual.timer import Timer
from textual.widgets import Static

from orderdesk_tui.domain.entry_shorthand import split_quantity_part
from orderdesk_tui.domain.money import format_price
from orderdesk_tui.errors import FieldError
from orderdesk_tui.services.lookup import find_customers, find_parts
from orderdesk_tui.store import Store
from screens.dialogs import PickDialog
from screens.entry_mixin import EntryMixin
from screens.markup import escape
from screens.part_picker import PartPicker
from screens.widgets.entry_field import EntryField
from screens.widgets.lines_grid import GridCell

#: Seconds of no typing after which the as-you-type matches are looked up.
MATCH_PAUSE_S = 0.12


class MatchesPanel(Static):
    """As-you-type matches for the customer or part field (markup, a row per match)."""

    def __init__(self, store: Store) -> None:
        super().__init__("", id="matches")
        self.store = store
        self._timer: Timer | None = None

    def show(self, markup: str) -> None:
        if self.is_attached:  # else a worker finished after the screen was closed (F9, F3)
            self.update(markup, layout=False)

    def look_up_soon(
        self, f: EntryField | GridCell, customer_id: int | None, currency: str
    ) -> None:
        """Look up the matches once typing pauses: a lookup per key of a fast typist would
        compete with the typing for the interpreter and be stale before it is drawn. Parts
        are for the customer `customer_id`; their prices in the order's `currency`."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(
            MATCH_PAUSE_S, lambda: self._look_up_now(f, customer_id, currency)
        )

    def _look_up_now(
        self, f: EntryField | GridCell, customer_id: int | None, currency: str
    ) -> None:
        self._timer = None
        if f.active:  # the cursor is still in the field
            shorthand = split_quantity_part(f.value) if f.field == "part" else None
            text = shorthand[1] if shorthand else f.value
            self._matches_worker(f.field, text, customer_id, currency)

    @work(thread=True, exclusive=True, group="matches")
    def _matches_worker(self, kind: str, text: str, customer_id: int | None, currency: str) -> None:
        if len(text.strip()) < 2:
            self.app.call_from_thread(self.show, "")
            return
        if kind == "customer":
            rows = [
                f"{h.code:<10} {escape(h.name)[:40]:<40} {escape(h.city)[:18]:<18} {h.matched}"
                for h in find_customers(self.store, text, limit=6)
            ]
        else:
            rows = [
                f"{escape(h.part_number):<22} {escape(h.description)[:50]:<50} {h.uom:<4} "
                f"{format_price(h.list_price, currency):>10} {h.matched}"
                for h in find_parts(self.store, text, customer_id=customer_id, limit=6)
            ]
        self.app.call_from_thread(self.show, "\n".join(rows) or "[dim]no match[/]")


class LookupActions(EntryMixin):
    """F4 of the entry screen: the full prompt for the customer or part field."""

    def action_lookup(self) -> None:
        """F4: the full prompt for the customer or part field, pre-filled with what was typed."""
        entry = self.entry
        f = entry.active
        if f is None or f.field not in ("customer", "part"):
            entry.app.bell()
            return
        entry._prompt(f)

    def _prompt(self, f: EntryField | GridCell, *, quiet: bool = False) -> None:
        """The ranked matches for what was typed (a `3*` quantity prefix is kept aside); for a
        part, the part picker (it browses by category when nothing matches). `quiet`: opened by
        a refusal, so the keys typed on before a pause do not reach the dialog either."""
        entry = self.entry
        text = f.value.strip()
        shorthand = split_quantity_part(text) if f.field == "part" else None
        needle = shorthand[1] if shorthand else text
        gate = entry.keys_gate if quiet else None

        def chosen(code: str | None) -> None:
            if code is None:
                return
            f.set_value(f"{shorthand[0].normalize():f}*{code}" if shorthand else code)
            entry._leave_field(f, "enter")

        if f.field == "part":
            customer_id = entry.customer.id if entry.customer else None
            title = f"Pick {f.label}"
            picker = PartPicker(
                entry.desk.store, needle, title=title, customer_id=customer_id, gate=gate
            )
            entry.app.push_screen(picker, chosen)
            return
        hits = find_customers(entry.desk.store, needle, limit=30) if needle else []
        if not hits:
            if not quiet:
                entry._fail(f, FieldError(f.label, f"nothing matches '{needle}'"))
            return
        rows = [f"{h.code:<10} {h.name[:48]:<48} {h.city[:20]:<20} {h.matched}" for h in hits]
        dialog = PickDialog(f"Pick {f.label} for '{needle}'", rows)
        dialog.gate = gate
        entry.app.push_screen(
            dialog, lambda index: chosen(None if index is None else hits[index].code)
        )
