"""A paste goes to the field it is pasted into.

In the lines grid, rows of `part<TAB>qty` (or `qty*part`), as copied from a spreadsheet, become
order lines, put on the empty lines as if typed. Anything else is typed into the field the
cursor is in, as if keyed: on one line (line breaks and tabs become spaces), cut to what the
field's column holds, with a message naming the field when something was cut. A PO or a note
pasted in the header stays there; it is not read as order lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from orderdesk_tui.domain.entry_shorthand import split_quantity_part
from orderdesk_tui.domain.money import to_decimal
from orderdesk_tui.errors import FieldError
from orderdesk_tui.services.order_entry import field_limit
from screens.markup import escape
from screens.widgets.lines_grid import GridCell

if TYPE_CHECKING:
    from screens.entry_lines import Field
    from screens.order_entry import OrderEntryScreen


def _rows(text: str) -> list[str]:
    return [row for row in text.splitlines() if row.strip()]


def is_lines(text: str) -> bool:
    """Several rows, or one row of cells (tab or `;` between them): order lines to add."""
    rows = _rows(text)
    return len(rows) > 1 or (len(rows) == 1 and ("\t" in rows[0] or ";" in rows[0]))


def one_line(text: str) -> str:
    """The pasted text as one line of a field: rows joined by a space, tabs as spaces."""
    return " ".join(row.replace("\t", " ").strip() for row in _rows(text))


def paste(screen: OrderEntryScreen, text: str) -> None:
    f = screen.active
    if f is None:
        return
    if isinstance(f, GridCell) and is_lines(text):
        into_lines(screen, text)
    else:
        into_field(screen, f, text)


def problems_note(problems: list[str]) -> str:
    """What went wrong adding lines, after the count ("pasted 3 lines · check: ...")."""
    return " · [$error]check[/]: " + escape("; ".join(problems)) if problems else ""


def into_lines(screen: OrderEntryScreen, text: str) -> None:
    """Each row `part<TAB>qty` (or `part;qty`, or `qty*part`) onto an empty line."""
    if screen.customer is None:
        customer = screen.header["customer"]
        screen._fail(customer, FieldError("customer", "enter the customer first"))
        return
    wanted: list[tuple[str, Decimal]] = []
    problems: list[str] = []
    for raw in _rows(text):
        cells = [c.strip() for c in raw.replace(";", "\t").split("\t")]
        shorthand = split_quantity_part(cells[0])
        quantity = shorthand[0] if shorthand else to_decimal(cells[1]) if len(cells) > 1 else None
        if quantity is None:
            problems.append(f"'{raw.strip()}': no quantity")
            continue
        wanted.append((shorthand[1] if shorthand else cells[0], quantity))
    problems += screen._add_items(wanted)
    plural = "s" if len(wanted) != 1 else ""
    screen._say(f"pasted {len(wanted)} line{plural}" + problems_note(problems))


def into_field(screen: OrderEntryScreen, f: Field, text: str) -> None:
    """Type the pasted text into `f` at the cursor (replacing a fresh field's value)."""
    typed = one_line(text)
    if not typed:
        return
    if f.fresh:
        f.clear()
    limit = field_limit(f.field)
    kept = typed if limit is None else typed[: max(0, limit - len(f.value))]
    f.insert(kept)
    f.fresh = False
    f.set_error(False)
    if len(kept) < len(typed):
        screen.app.bell()
        screen._say(
            f"[b $warning]{escape(f.label)}: the paste was cut to the {limit} characters the "
            f"field holds ({len(typed) - len(kept)} left out)[/]"
        )
    else:
        screen._say("")
    if f.field in ("customer", "part"):
        screen._lookup_as_typed(f)
