"""What the desk's Line-API tables share: columns, a keyboard cursor that keeps itself on
screen, and drawing only the rows on screen. `PagedTable` reads its rows a page at a time;
`ListTable` holds a list already in memory, with marks.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.keys import bind

Row = TypeVar("Row")


@dataclass(frozen=True)
class Column(Generic[Row]):
    title: str
    width: int
    value: Callable[[Row], str]
    right: bool = False

    def cell(self, text: str) -> str:
        text = text[: self.width]
        return text.rjust(self.width) if self.right else text.ljust(self.width)


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

    cursor: reactive[int] = reactive(0)

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
        self._row_width = len(gutter) + sum(c.width + 1 for c in self.columns)

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def draw_row(self, index: int, style: Style) -> tuple[str, Style]:
        """The text and style of row `index` (< row_count), starting from the widget's style."""
        raise NotImplementedError

    @property
    def header(self) -> str:
        return self._gutter + " ".join(c.cell(c.title) for c in self.columns)

    def cells(self, row: Row) -> str:
        return " ".join(c.cell(c.value(row)) for c in self.columns)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= self.row_count:
            return Strip.blank(width, base)
        text, style = self.draw_row(index, base)
        if index == self.cursor:
            style = style + self.get_component_rich_style("line-table--cursor")
        line = text.ljust(max(width + scroll_x, self._row_width))
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
        self._follow(new)
        self.refresh()

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
