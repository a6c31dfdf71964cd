"""Order entry's fields whose save has not landed: marked on screen, named in the status line
and in F9's refusal (what is submitted must be what the screen shows).

services.autosave keeps the pending values by store column; this maps the columns back to the
screen's fields (a header field, or a cell of line n) and marks them until the retry lands.
"""

from collections.abc import Mapping, Sequence

from orderdesk_tui.services.autosave import Pending
from screens.markup import escape
from screens.widgets.entry_field import EntryField
from screens.widgets.lines_grid import GridCell, LineRow

#: The header field each draft column is typed in.
HEADER_FIELD = {
    "customer_id": "customer",
    "bill_to_id": "customer",
    "customer_po": "po",
    "ship_to_id": "ship_to",
    "requested_date": "requested",
    "ship_via": "ship_via",
    "freight_terms": "freight",
    "priority": "priority",
    "notes": "notes",
}
#: The cell of its line each line column comes from (the rest: the part, e.g. a promise).
LINE_CELL = {
    "quantity": "qty",
    "unit_price": "price",
    "list_price": "price",
    "price_source": "price",
    "extended": "price",
    "discount_percent": "price",
    "discount_amount": "price",
    "override_reason": "reason",
}


#: Seconds within which the same leaving key, pressed again, leaves with fields unsaved.
LEAVE_AGAIN_S = 5.0


class UnsavedFields:
    """The fields marked unsaved now, and what the status line and F9 say about them."""

    def __init__(self) -> None:
        self._marked: list[EntryField | GridCell] = []
        #: "line 1 quantity (database is locked)", one per scope, header first.
        self.names: list[str] = []
        self._warned: tuple[str, float] | None = None

    def show(
        self, pending: list[Pending], header: Mapping[str, EntryField], rows: Sequence[LineRow]
    ) -> None:
        """Mark the fields of `pending` (and unmark the ones saved since)."""
        for marked in self._marked:
            marked.set_unsaved(False)
        self._marked, self.names = [], []
        for item in pending:
            labels: list[str] = []
            for column in item.columns:
                f = _field_of(item.scope, column, header, rows)
                label = f.label if f is not None else _column_label(item.scope, column)
                if f is not None and f not in self._marked:
                    f.set_unsaved(True)
                    self._marked.append(f)
                if label not in labels:
                    labels.append(label)
            self.names.append(f"{', '.join(labels)} ({item.error})")

    def status(self) -> str:
        """The status line while something is unsaved ("" when all is saved)."""
        if not self.names:
            return ""
        return (
            "[b $error]NOT SAVED[/]: "
            + escape("; ".join(self.names))
            + " · retrying; F9 waits until it is saved"
        )

    def leave_warning(self, key: str, now: float) -> str | None:
        """What to say instead of leaving with `key` while something is unsaved; None leaves
        (all saved, or `key` pressed again within LEAVE_AGAIN_S of the warning)."""
        if not self.names:
            return None
        warned = self._warned
        if warned is not None and warned[0] == key and now - warned[1] <= LEAVE_AGAIN_S:
            return None
        self._warned = (key, now)
        return (
            "[b $error]not saved yet[/]: "
            + escape("; ".join(self.names))
            + f" · {key} again leaves, and the desk keeps retrying the save after you go"
        )

    def refusal(self) -> str | None:
        """Why F9 is refused now, or None when everything on screen is saved."""
        if not self.names:
            return None
        return "not saved yet: " + "; ".join(self.names)


def _field_of(
    scope: int | None, column: str, header: Mapping[str, EntryField], rows: Sequence[LineRow]
) -> EntryField | GridCell | None:
    if scope is None:
        name = HEADER_FIELD.get(column)
        return header.get(name) if name else None
    row = next((r for r in rows if r.number == scope), None)
    if row is None:
        return None
    wanted = LINE_CELL.get(column, "part")
    return next(cell for cell in row.cells if cell.field == wanted)


def _column_label(scope: int | None, column: str) -> str:
    text = column.replace("_", " ")
    return f"order {text}" if scope is None else f"line {scope} {text}"
