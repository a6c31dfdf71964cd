"""What the desk's Line-API tables share: columns that fit the width, a keyboard cursor that
keeps itself on screen, and drawing only the rows on screen. `PagedTable` reads its rows a page
at a time; `ListTable` holds a list already in memory, with marks.

Columns adapt to the width (`fit_widths`): each has the width it wants, the least it can do
with (0: it may be left out) and a flex weight for room to spare. Widths are terminal cells,
not characters: 日本 or an emoji takes two, and the next column stays where it is. A value
wider than its cell ends in "…", never silently cut.

As toolong's LogLines does, a cursor move redraws two lines (the row it left and the row it
reached), not the table, and each row's text is kept in a small cache, so a redraw of a row
does not format its cells again; the cache is dropped when the rows, the widths or the
styles change.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from screens.keys import bind

Row = TypeVar("Row")


@dataclass(frozen=True)
class Column(Generic[Row]):
    title: str
    width: int
    value: Callable[[Row], str]
    right: bool = False
    #: The least width when room is short (None: always `width`; 0: left out if need be).
    least: int | None = None
    #: Share of the room to spare this column takes, beyond `width`.
    flex: int = 0

    @property
    def floor(self) -> int:
        return self.width if self.least is None else self.least


def cell(text: str, width: int, right: bool = False) -> str:
    """`text` in `width` terminal cells; a longer one ends in "…" (a cut never passes unseen;
    a wide character the cut would halve gives way to a space)."""
    used = cell_len(text)
    if used > width:
        return set_cell_size(text, width - 1) + "…" if width > 0 else ""
    pad = " " * (width - used)
    return pad + text if right else text + pad


class Fits(Protocol):
    """A column as `fit_widths` sees it (a table's `Column`, the lines grid's `GridColumn`)."""

    @property
    def title(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def least(self) -> int | None: ...
    @property
    def flex(self) -> int: ...
    @property
    def floor(self) -> int: ...


def fit_widths(columns: Sequence[Fits], room: int, gap: int = 1) -> list[int]:
    """Each column's width in `room` cells, `gap` cells between two columns. Short of room,
    the flex columns give way first, then the others, the right-most first, each down to its
    least (one that may be left out goes rather than show less than its title); room to
    spare goes to the flex columns, by weight."""
    widths = [c.width for c in columns]

    def used() -> int:
        shown = [w for w in widths if w]
        return sum(shown) + gap * max(0, len(shown) - 1)

    order = [i for i in reversed(range(len(columns))) if columns[i].flex]
    order += [i for i in reversed(range(len(columns))) if not columns[i].flex]
    for i in order:
        over = used() - room
        if over <= 0:
            break
        column = columns[i]
        widths[i] = max(column.floor, widths[i] - over)
        if column.least == 0 and widths[i] < cell_len(column.title):
            widths[i] = 0
    spare = room - used()
    weights = sum(c.flex for c, w in zip(columns, widths, strict=True) if w)
    if spare > 0 and weights:
        for i, column in enumerate(columns):
            if column.flex and widths[i]:
                widths[i] += spare * column.flex // weights
    return widths


class LineTable(ScrollView, Generic[Row], can_focus=True):
    """A cursor over `row_count` rows; a subclass says how many and draws one (`draw_row`)."""

    DEFAULT_CSS = """
    LineTable { height: 1fr; background: $surface; }
    LineTable > .line-table--cursor { background: $accent 40%; }
    LineTable:focus > .line-table--cursor { background: $accent; color: $text; }
    """
    COMPONENT_CLASSES = {"line-table--cursor"}
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        bind("table.first", "first", "First", show=False),
        bind("table.last", "last", "Last", show=False),
    ]

    #: Moved by hand: `watch_cursor` redraws the two rows it changes, not the widget.
    cursor: reactive[int] = reactive(0, repaint=False)
    #: Rows whose text is kept (a few screens' worth).
    CACHE_ROWS = 1000

    def __init__(
        self,
        columns: Sequence[Column[Row]],
        *,
        gutter: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        #: Blank text before the cells: room for a per-row marker (the queue's marks).
        self._gutter = gutter
        self.widths = [c.width for c in self.columns]
        self._row_width = cell_len(gutter) + sum(c.width + 1 for c in self.columns)
        self._title_line: Static | None = None
        #: row -> the widget's style it was drawn on, and the row as `draw_row` drew it.
        self._drawn: LRUCache[int, tuple[Style, str, Style]] = LRUCache(self.CACHE_ROWS)

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def draw_row(self, index: int, style: Style) -> tuple[str, Style]:
        """The text and style of row `index` (< row_count), starting from the widget's style."""
        raise NotImplementedError

    @property
    def header(self) -> str:
        return self._gutter + self._join(lambda c: c.title)

    def header_line(self, id: str) -> Static:
        """The column titles, to yield above the table; kept to the columns' widths."""
        self._title_line = Static(self.header, id=id)
        return self._title_line

    def forget_rows(self, rows: range | None = None) -> None:
        """Drop the rows drawn so far (those in `rows`; None: all): the next paint of one
        draws it again."""
        if rows is None:
            self._drawn.clear()
            return
        for index in rows:
            self._drawn.discard(index)

    def redraw_row(self, index: int) -> None:
        """Draw row `index` again (its data or its mark changed); no other row is touched."""
        self.forget_rows(range(index, index + 1))
        self.refresh_line(index)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.forget_rows()

    def cells(self, row: Row) -> str:
        return self._join(lambda c: c.value(row))

    def _join(self, text: Callable[[Column[Row]], str]) -> str:
        return " ".join(
            cell(text(c), w, c.right) for c, w in zip(self.columns, self.widths, strict=True) if w
        )

    def set_columns(self, columns: Sequence[Column[Row]]) -> None:
        """Other columns (a report's): fitted to the width and titled at once."""
        self.columns = list(columns)
        self.widths = []
        self.on_resize()

    def on_resize(self) -> None:
        """Fit the columns to the width (the vertical scrollbar's room kept)."""
        room = self.size.width - cell_len(self._gutter) - self.styles.scrollbar_size_vertical
        widths = fit_widths(self.columns, room)
        if widths == self.widths:
            return
        self.widths = widths
        shown = [w for w in widths if w]
        self._row_width = cell_len(self._gutter) + sum(shown) + max(0, len(shown) - 1)
        self.virtual_size = Size(self._row_width, self.row_count)
        if self._title_line is not None:
            self._title_line.update(self.header)
        self.forget_rows()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= self.row_count:
            return Strip.blank(width, base)
        drawn = self._drawn.get(index)
        if drawn is None or drawn[0] != base:  # not drawn yet, or on another theme
            drawn = (base, *self.draw_row(index, base))
            self._drawn.set(index, drawn)
        _, text, style = drawn
        if index == self.cursor:
            style = style + self.get_component_rich_style("line-table--cursor")
        pad = max(width + scroll_x, self._row_width) - cell_len(text)
        line = text + " " * pad if pad > 0 else text
        return Strip([Segment(line, style)]).crop(scroll_x, scroll_x + width)

    def _follow(self, index: int) -> None:
        """Scroll just enough to keep row `index` on screen."""
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif height and index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        """Two lines change: the row the cursor left and the row it reached (a scroll, when
        the new row was off screen, repaints the rest)."""
        self._follow(new)
        self.refresh_line(old)
        self.refresh_line(new)

    def _set_cursor(self, index: int) -> None:
        if self.row_count:
            self.cursor = max(0, min(self.row_count - 1, index))

    def action_move(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(1, self.scrollable_content_region.height))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(self.row_count - 1)
