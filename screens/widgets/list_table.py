"""A table over a list already in memory, drawn with the Line API: only the rows on screen are
rendered, so ten thousand rows cost what one screen costs. Rows have keys; a new list (a live
refresh) keeps the cursor on the same key and the marked rows that are still there.
"""

from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.keys import bind
from screens.widgets.paged_table import Column

Row = TypeVar("Row")


class ListTable(ScrollView, Generic[Row], can_focus=True):
    DEFAULT_CSS = """
    ListTable { height: 1fr; background: $surface; }
    ListTable > .list-table--cursor { background: $accent 40%; }
    ListTable:focus > .list-table--cursor { background: $accent; color: $text; }
    ListTable > .list-table--marked { text-style: bold; color: $warning; }
    """
    COMPONENT_CLASSES = {"list-table--cursor", "list-table--marked"}
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        bind("table.first", "first", "First", show=False),
        bind("table.last", "last", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(0)

    class CursorMoved(Message):
        """The row under the cursor changed (another row, or the same key with new data)."""

    def __init__(
        self,
        columns: Sequence[Column[Row]],
        key: Callable[[Row], Hashable],
        style: Callable[[Row], str] | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self._key = key
        self._style = style
        self.rows: Sequence[Row] = ()
        self.marked: set[Hashable] = set()
        self._row_width = 2 + sum(c.width + 1 for c in self.columns)
        self._styles: dict[str, Style] = {}

    @property
    def header(self) -> str:
        return "  " + " ".join(c.cell(c.title) for c in self.columns)

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def show(self, rows: Sequence[Row]) -> None:
        """Show `rows`, keeping the cursor on the key it was on (else its position)."""
        current = self.current
        self.rows = rows
        if self.marked:
            self.marked &= {self._key(row) for row in rows}
        index = self.cursor
        if current is not None:
            wanted = self._key(current)
            index = next((i for i, r in enumerate(rows) if self._key(r) == wanted), index)
        self.virtual_size = Size(self._row_width, len(rows))
        self.set_reactive(ListTable.cursor, max(0, min(index, len(rows) - 1)))
        self._follow(self.cursor)
        self.refresh()
        self.post_message(self.CursorMoved())

    def marked_rows(self) -> list[Row]:
        return [row for row in self.rows if self._key(row) in self.marked]

    def toggle_mark(self) -> None:
        row = self.current
        if row is None:
            return
        key = self._key(row)
        self.marked ^= {key}
        self.refresh()

    def mark_all(self) -> None:
        self.marked = {self._key(row) for row in self.rows}
        self.refresh()

    def clear_marks(self) -> None:
        self.marked = set()
        self.refresh()

    def _named_style(self, name: str) -> Style:
        if name not in self._styles:
            self._styles[name] = Style.parse(name)
        return self._styles[name]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        style = base
        if self._style is not None and (name := self._style(row)):
            style = style + self._named_style(name)
        marked = self._key(row) in self.marked
        if marked:
            style = style + self.get_component_rich_style("list-table--marked")
        if index == self.cursor:
            style = style + self.get_component_rich_style("list-table--cursor")
        text = ("▶ " if marked else "  ") + " ".join(c.cell(c.value(row)) for c in self.columns)
        line = text.ljust(max(width + scroll_x, self._row_width))
        return Strip([Segment(line, style)]).crop(scroll_x, scroll_x + width)

    def _follow(self, index: int) -> None:
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif height and index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self._follow(new)
        self.refresh()
        self.post_message(self.CursorMoved())

    def _set_cursor(self, index: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, index))

    def action_move(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(1, self.scrollable_content_region.height))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self.rows) - 1)
