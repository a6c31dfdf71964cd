"""The order view's Lines tab with each split line's parts indented under it.

A coordinator reads a line and where it comes from together, without changing tabs:

     3 6204-2RS  Deep groove ball bearing   100 EA  …  WH1   60  0  40  2026-12-17
       └ 1/2     allocated                   60                WH1             2026-12-08
       └ 2/2     backordered                 40                WH2             2026-12-17

Only a line with two parts or more gets part rows (a line served by one part says it all on its
own row). A part row fills Part (└ n/m), Description (the part's state), Qty, Whse and Promised;
a backordered part is drawn in the warning colour, a cancelled one in the alert colour.
"""

from collections.abc import Callable, Hashable, Sequence

from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.services.order_queries import LineView, PartView
from screens.widgets.line_table import Column

LineRow = LineView | PartView


PART_CELLS: dict[str, Callable[[PartView], str]] = {
    "Part": lambda p: f"  └ {p.part_no}/{p.of}",
    "Description": lambda p: p.state,
    "Qty": lambda p: fmt_qty(p.quantity),
    "Whse": lambda p: p.warehouse,
    "Promised": lambda p: p.promised.isoformat() if p.promised else "-",
}


def _cell(line_cell: Callable[[LineView], str], title: str) -> Callable[[LineRow], str]:
    part_cell = PART_CELLS.get(title)

    def value(row: LineRow) -> str:
        if isinstance(row, PartView):
            return part_cell(row) if part_cell is not None else ""
        return line_cell(row)

    return value


def with_parts(columns: Sequence[Column[LineView]]) -> list[Column[LineRow]]:
    """The line columns over lines and their part rows."""
    return [
        Column(c.title, c.width, _cell(c.value, c.title), c.right, c.least, c.flex) for c in columns
    ]


def rows_with_parts(lines: Sequence[LineView]) -> list[LineRow]:
    """Each line, followed by its parts when it has two or more."""
    rows: list[LineRow] = []
    for line in lines:
        rows.append(line)
        if len(line.parts) > 1:
            rows.extend(line.parts)
    return rows


def line_at(rows: Sequence[LineRow], index: int) -> LineView | None:
    """The line of row `index`: the row itself, or for a part row the line it is under."""
    for row in reversed(rows[: index + 1]):
        if isinstance(row, LineView):
            return row
    return None


def row_key(row: LineRow) -> Hashable:
    if isinstance(row, PartView):
        return (row.line_no, row.part_no)
    return (row.line_no, 0)


def row_style(row: LineRow) -> str:
    if isinstance(row, PartView):
        if row.state == "backordered":
            return "list-table--warning"
        if row.state == "cancelled":
            return "list-table--alert"
    return ""
