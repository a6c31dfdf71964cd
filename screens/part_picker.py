"""The part prompt: matches as you type, or the catalog browsed by category.

Opened by F4 in a part field, and by an unknown or ambiguous part (README: "an unknown or
ambiguous part opens the prompt pre-filled"). With nothing typed, or nothing matching, it lists
the catalog's categories; Enter on a category lists its parts a page at a time (the last row
fetches the next page). Typing searches as the part field does (part number, the customer's own
part number, UPC, words of the description). ↑↓ move, Enter picks; the result is the part
number, or None when cancelled.
"""

from dataclasses import dataclass

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Static

from orderdesk_tui.domain.money import format_price
from orderdesk_tui.services.lookup import (
    PartHit,
    customer_currency,
    find_parts,
    part_categories,
    parts_in_category,
)
from orderdesk_tui.store import Store
from screens.dialogs import _Dialog
from screens.entry_keys import GatedKeys, KeyGate
from screens.markup import escape
from screens.widgets.desk_input import DeskInput

#: Rows a search or a page of a category shows.
PAGE = 40
#: Seconds of no typing before the search runs (as the entry screen's matches).
SEARCH_PAUSE_S = 0.12
#: List prices are shown in this currency's minor unit until a customer is chosen (as entry).
NO_CUSTOMER_CURRENCY = "USD"
#: Keys that move the highlight while the cursor stays in the search line.
MOVES = {
    "up": "cursor_up",
    "down": "cursor_down",
    "pageup": "page_up",
    "pagedown": "page_down",
}


@dataclass(frozen=True)
class Row:
    #: "category", "part" or "more" (the next page of the category).
    kind: str
    value: str
    #: As the list shows it (markup: escape what came from the store).
    text: str


def part_row(hit: PartHit, currency: str) -> Row:
    status = "" if hit.status == "active" else hit.status.upper()
    shown = escape(f"{hit.part_number:<22} {hit.description[:52]:<52}")
    price = format_price(hit.list_price, currency)
    return Row("part", hit.part_number, f"{shown} {hit.uom:<4} {price:>10} {status}")


class PartPicker(GatedKeys, _Dialog[str]):
    def __init__(
        self,
        store: Store,
        needle: str,
        *,
        title: str,
        customer_id: int | None,
        gate: KeyGate | None = None,
    ) -> None:
        super().__init__()
        self._store = store
        self._needle = needle
        self._title = title
        self._customer_id = customer_id
        self._currency: str | None = None
        self.gate = gate
        self.rows: list[Row] = []
        self._last_id = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self._title, classes="dialog-title")
            yield Static("", id="picker-detail", classes="dialog-detail")
            yield DeskInput(
                value=self._needle,
                placeholder="part number, your part number, UPC or words; empty: categories",
                id="search",
            )
            yield OptionList(id="choices")
            yield Static(
                "type to search · ↑↓ Enter pick (a category lists its parts) · Esc/F12 cancel",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()
        self._search(self._needle)

    # -- what the list shows -------------------------------------------------------------------

    def _price_currency(self) -> str:
        """The chosen customer's currency, read once (in the worker that first needs it)."""
        if self._currency is None:
            found = None
            if self._customer_id is not None:
                found = customer_currency(self._store, self._customer_id)
            self._currency = found or NO_CUSTOMER_CURRENCY
        return self._currency

    @work(thread=True, exclusive=True, group="picker")
    def _search(self, needle: str) -> None:
        needle = needle.strip()
        hits = find_parts(self._store, needle, customer_id=self._customer_id, limit=PAGE)
        if hits:
            detail = f"{len(hits)}{'+' if len(hits) == PAGE else ''} matching '{escape(needle)}'"
            currency = self._price_currency()
            self.app.call_from_thread(self._show, [part_row(h, currency) for h in hits], detail)
            return
        rows = [Row("category", c, f"▸ {escape(c)}") for c in part_categories(self._store)]
        detail = "pick a category, or type to search"
        if needle:
            detail = f"[b]no part matches '{escape(needle)}'[/]: {detail}"
        self.app.call_from_thread(self._show, rows, detail)

    @work(thread=True, exclusive=True, group="picker")
    def _browse(self, category: str, after_id: int, keep: list[Row]) -> None:
        hits = parts_in_category(self._store, category, after_id=after_id, limit=PAGE)
        currency = self._price_currency()
        rows = keep + [part_row(h, currency) for h in hits]
        if len(hits) == PAGE:
            rows.append(Row("more", category, "… more (Enter)"))
        self._last_id = hits[-1].id if hits else after_id
        parts = sum(1 for r in rows if r.kind == "part")
        detail = f"category [b]{escape(category)}[/]: {parts} part{'s' if parts != 1 else ''}"
        self.app.call_from_thread(self._show, rows, detail, len(keep))

    def _show(self, rows: list[Row], detail: str, highlight: int = 0) -> None:
        self.rows = rows
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        choices.add_options([r.text for r in rows])
        if rows:
            choices.highlighted = min(highlight, len(rows) - 1)
        self.query_one("#picker-detail", Static).update(detail)

    # -- keys ----------------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        value = event.value
        self._timer = self.set_timer(SEARCH_PAUSE_S, lambda: self._search(value))

    def type_ahead_key(self, event: events.Key | events.Paste) -> bool:
        """↑↓ PgUp PgDn move the highlight before the search line sees them (an Input takes
        them as its own scroll keys)."""
        if super().type_ahead_key(event):
            return True
        move = MOVES.get(event.key) if isinstance(event, events.Key) else None
        if move is None:
            return False
        getattr(self.query_one("#choices", OptionList), f"action_{move}")()
        return True

    @on(Input.Submitted, "#search")
    def action_ok(self) -> None:
        index = self.query_one("#choices", OptionList).highlighted
        if index is None or index >= len(self.rows):
            self.app.bell()
            return
        row = self.rows[index]
        if row.kind == "part":
            self.dismiss(row.value)
        elif row.kind == "category":
            self._browse(row.value, 0, [])
        else:
            self._browse(row.value, self._last_id, self.rows[:-1])
