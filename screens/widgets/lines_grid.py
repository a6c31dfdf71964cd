"""The order lines as one Line-API widget: every row drawn from plain data, not from widgets.

A grid of widgets (a row of nine per line) made each key cost a layout and a compositor pass
over hundreds of widgets once an order had a few dozen lines; here a key repaints the one row
it changed, and adding a line is a change of virtual size (bench/entry_latency.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from screens.widgets.editable_text import EditableText
from screens.widgets.line_table import fit_widths


@dataclass(frozen=True)
class GridColumn:
    key: str
    title: str
    width: int  # with the space after it
    right: bool = False
    #: The least width when room is short (None: always `width`), and the share of room to
    #: spare it takes (see line_table.fit_widths).
    least: int | None = None
    flex: int = 0

    @property
    def floor(self) -> int:
        return self.width if self.least is None else self.least


#: Editable cells (part, qty, price, reason) and what the workers paint (desc, price, ...), in
#: Textual content markup.
#: Every column fits from 120 cells on: the quantity shows any the engines take (up to 10⁹);
#: the description keeps room for "F6→" and a replacement part number, which comes first.
COLUMNS = (
    GridColumn("no", "  #", 4),
    GridColumn("part", "Part", 21, least=16),
    GridColumn("qty", "Qty", 12),
    GridColumn("price", "Price", 11, least=10),
    GridColumn("reason", "Reason", 17, least=7),
    GridColumn("desc", "Description", 26, least=23, flex=2),
    GridColumn("quote", "Price/source", 30, least=13),
    GridColumn("ext", "Extended ", 15, right=True, least=14),
    GridColumn("stock", " Availability", 31, least=16, flex=1),
)
EDITABLE = ("part", "qty", "price", "reason")
PAINTED = ("desc", "quote", "ext", "stock")


def column_widths(width: int) -> dict[str, int]:
    widths = fit_widths(COLUMNS, width, gap=0)
    return {c.key: w for c, w in zip(COLUMNS, widths, strict=True)}


def header_text(width: int, note: str = "") -> str:
    """The column titles; `note` goes after the Description title (lines out of view)."""
    widths = column_widths(width)
    cells = []
    for c in COLUMNS:
        title = f"{c.title}  {note}" if c.key == "desc" and note else c.title
        title = title[: widths[c.key] - 1]
        cells.append(title.rjust(widths[c.key]) if c.right else title.ljust(widths[c.key]))
    return "".join(cells)


class GridCell(EditableText):
    """One editable cell of a line; any change repaints its row."""

    def __init__(self, row: "LineRow", field: str, *, upper: bool = False, label: str) -> None:
        self.row = row
        self.field = field
        self.upper = upper
        self.label = label
        self._value = ""
        self._cursor = 0
        self._active = False
        self.error = False
        #: Its last save failed: shown until a retry lands (services.autosave).
        self.unsaved = False
        self.fresh = False

    @property
    def value(self) -> str:
        return self._value

    @value.setter
    def value(self, value: str) -> None:
        self._value = value
        self.row.touch()

    @property
    def cursor(self) -> int:
        return self._cursor

    @cursor.setter
    def cursor(self, cursor: int) -> None:
        self._cursor = cursor
        self.row.touch()

    @property
    def active(self) -> bool:
        return self._active

    @active.setter
    def active(self, active: bool) -> None:
        self._active = active
        self.row.touch()

    def set_error(self, error: bool) -> None:
        self.error = error
        self.row.touch()

    def set_unsaved(self, unsaved: bool) -> None:
        self.unsaved = unsaved
        self.row.touch()

    def reveal(self) -> None:
        self.row.reveal()


class LineRow:
    """One order line as the grid draws it: four editable cells and four painted texts."""

    def __init__(self, number: int, on_change: Callable[["LineRow", bool], None]) -> None:
        self.number = number
        self._on_change = on_change
        self.part = GridCell(self, "part", upper=True, label="")
        self.qty = GridCell(self, "qty", label="")
        self.override = GridCell(self, "price", label="")
        self.reason = GridCell(self, "reason", label="")
        #: Rich markup painted by the workers, by column key (desc, quote, ext, stock).
        self.painted: dict[str, str] = dict.fromkeys(PAINTED, "")
        #: Bumped on every change; the grid redraws a row whose stamp moved.
        self.stamp = 0
        self.renumber(number)

    @property
    def cells(self) -> tuple[GridCell, GridCell, GridCell, GridCell]:
        return (self.part, self.qty, self.override, self.reason)

    def renumber(self, number: int) -> None:
        self.number = number
        for cell, name in zip(
            self.cells, ("part", "quantity", "price", "override reason"), strict=True
        ):
            cell.label = f"line {number} {name}"
        self.touch()

    def paint(self, **markup: str) -> None:
        """Set what the workers show: desc=, quote=, ext=, stock= (Rich markup)."""
        self.painted.update(markup)
        self.touch()

    def touch(self) -> None:
        self.stamp += 1
        self._on_change(self, False)

    def reveal(self) -> None:
        self._on_change(self, True)


def _fit(cell: GridCell, size: int) -> Text:
    """The cell as drawn in `size` cells: a longer value is marked "…" where it goes on (the
    end typed at, while the cursor is in it), never silently cut."""
    shown = cell.as_text()
    if shown.cell_len > size > 1:
        if cell.active:
            end = min(cell.cursor + 1, len(shown))
            shown = Text("…") + shown[max(0, end - size + 1) : end]
        else:
            shown = shown[: size - 1] + Text("…")
    shown.truncate(size, pad=True)
    return shown


class LinesGrid(Widget):
    """Header on the first line, then as many rows as fit; it follows the row being typed."""

    DEFAULT_CSS = """
    LinesGrid { height: 1fr; background: $surface; }
    LinesGrid > .lines-grid--header { background: $panel-darken-1; color: $text-muted; }
    LinesGrid > .lines-grid--number { color: $text-muted; }
    LinesGrid > .lines-grid--field { background: $surface-lighten-2; color: $text; }
    LinesGrid > .lines-grid--active { background: $accent 35%; color: $text; }
    LinesGrid > .lines-grid--error { background: $error 45%; color: $text; }
    LinesGrid > .lines-grid--unsaved { background: $warning 45%; color: $text; }
    """
    COMPONENT_CLASSES = {
        "lines-grid--header",
        "lines-grid--number",
        "lines-grid--field",
        "lines-grid--active",
        "lines-grid--error",
        "lines-grid--unsaved",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[LineRow] = []
        #: Index of the first row drawn (the rows above it are scrolled out of view).
        self.top = 0
        #: Drawn rows by identity: (stamp, width, strip).
        self._strips: dict[int, tuple[int, int, Strip]] = {}

    # -- rows ---------------------------------------------------------------------------------

    def add_row(self) -> LineRow:
        row = LineRow(len(self.rows) + 1, self._row_changed)
        self.rows.append(row)
        self._row_changed(row, False)
        return row

    def insert_row(self, index: int) -> LineRow:
        """A new row at `index` (0-based); the rows from there on move down one number."""
        row = LineRow(index + 1, self._row_changed)
        self.rows.insert(index, row)
        self._renumber()
        return row

    def remove_row(self, row: LineRow) -> None:
        self.rows.remove(row)
        self._strips.pop(id(row), None)
        self._renumber()

    def _renumber(self) -> None:
        for n, other in enumerate(self.rows, start=1):
            if other.number != n:
                other.renumber(n)
        self.top = max(0, min(self.top, len(self.rows) - self._room))
        self.refresh()

    @property
    def _room(self) -> int:
        """Rows that fit under the header."""
        return max(1, self.size.height - 1)

    def _row_changed(self, row: LineRow, reveal: bool) -> None:
        if row not in self.rows:
            return
        index = row.number - 1
        if reveal and not self.top <= index < self.top + self._room:
            self.top = index if index < self.top else index - self._room + 1
            self.refresh()  # every row moved
            return
        if self.top <= index < self.top + self._room:
            self.refresh(Region(0, index - self.top + 1, self.size.width, 1))
            if reveal or row.number == len(self.rows):
                self.refresh(Region(0, 0, self.size.width, 1))  # the header counts the rows

    def on_resize(self) -> None:
        self.top = max(0, min(self.top, len(self.rows) - self._room))

    def row_on_screen(self, row: LineRow) -> bool:
        return row in self.rows and self.top <= row.number - 1 < self.top + self._room

    # -- drawing --------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._header(width)
        index = self.top + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        cached = self._strips.get(id(row))
        if cached is not None and cached[0] == row.stamp and cached[1] == width:
            return cached[2]
        strip = self._draw(row, width)
        self._strips[id(row)] = (row.stamp, width, strip)
        return strip

    def _header(self, width: int) -> Strip:
        hidden = self.top
        below = max(0, len(self.rows) - self.top - self._room)
        text = header_text(width, f"▲{hidden} ▼{below}" if hidden or below else "")
        style = self.rich_style + self.get_component_rich_style("lines-grid--header")
        return Strip([Segment(text[:width].ljust(width), style)])

    def _cell_style(self, cell: GridCell) -> Style:
        if cell.error:
            return self.get_component_rich_style("lines-grid--error")
        if cell.unsaved:
            return self.get_component_rich_style("lines-grid--unsaved")
        if cell.active:
            return self.get_component_rich_style("lines-grid--active")
        return self.get_component_rich_style("lines-grid--field")

    def _draw(self, row: LineRow, width: int) -> Strip:
        widths = column_widths(width)
        line = Text(no_wrap=True, overflow="crop", end="")
        line.append(f"{row.number:>3} ", self.get_component_rich_style("lines-grid--number"))
        for cell in row.cells:
            size = widths[cell.field] - 1
            shown = _fit(cell, size)
            shown.stylize(self._cell_style(cell), 0, size)
            line.append_text(shown)
            line.append(" ")
        for column in COLUMNS[5:]:
            size = widths[column.key] - 1
            painted = Content.from_markup(row.painted[column.key]).truncate(size, ellipsis=True)
            painted = painted.pad_left(size - painted.cell_length) if column.right else painted
            # Textual markup, so theme variables ($error, $success...) take the app's theme
            for text, style in painted.truncate(size, pad=True).render(end=""):
                line.append(text, style.rich_style)
            line.append(" ")
        segments = list(line.render(self.app.console))
        return (
            Strip(segments).adjust_cell_length(width, self.rich_style).apply_style(self.rich_style)
        )
