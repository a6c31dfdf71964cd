"""A table over a list already in memory, drawn with the Line API: only the rows on screen are
rendered, so ten thousand rows cost what one screen costs. Rows have keys; a new list (a live
refresh) keeps the cursor on the same key and the marked rows that are still there.
"""

from collections.abc import Callable, Hashable, Sequence

from rich.style import Style
from textual.geometry import Size
from textual.message import Message

from screens.widgets.line_table import Column, LineTable, Row


class ListTable(LineTable[Row]):
    DEFAULT_CSS = """
    ListTable > .list-table--marked { text-style: bold; color: $warning; }
    ListTable > .list-table--flagged { text-style: bold; color: $secondary; }
    ListTable > .list-table--alert { color: $error; }
    ListTable > .list-table--warning { color: $warning; }
    """
    #: `style` names one of these for a row (flagged, alert, warning), so rows take the
    #: theme's colours.
    COMPONENT_CLASSES = {
        "list-table--marked",
        "list-table--flagged",
        "list-table--alert",
        "list-table--warning",
    }

    class CursorMoved(Message):
        """The row under the cursor changed (another row, or the same key with new data)."""

    def __init__(
        self,
        columns: Sequence[Column[Row]],
        key: Callable[[Row], Hashable],
        style: Callable[[Row], str] | None = None,
        *,
        gutter: str = "  ",
        id: str | None = None,
    ) -> None:
        """`style`: the component class a row is drawn with ("" for none); `gutter`: room
        before each row for the mark of a marked row ("" for no marks)."""
        super().__init__(columns, gutter=gutter, id=id)
        self._key = key
        self._style = style
        self.rows: Sequence[Row] = ()
        self.marked: set[Hashable] = set()

    @property
    def row_count(self) -> int:
        return len(self.rows)

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
        self.forget_rows()
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
        self.redraw_row(self.cursor)

    def mark_all(self) -> None:
        self.marked = {self._key(row) for row in self.rows}
        self.forget_rows()
        self.refresh()

    def clear_marks(self) -> None:
        self.marked = set()
        self.forget_rows()
        self.refresh()

    def draw_row(self, index: int, style: Style) -> tuple[str, Style]:
        row = self.rows[index]
        if self._style is not None and (name := self._style(row)):
            style = style + self.get_component_rich_style(name)
        marked = self._key(row) in self.marked
        if marked:
            style = style + self.get_component_rich_style("list-table--marked")
        return ("▶ " if marked else self._gutter) + self.cells(row), style

    def watch_cursor(self, old: int, new: int) -> None:
        super().watch_cursor(old, new)
        self.post_message(self.CursorMoved())
