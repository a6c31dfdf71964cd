"""A table over any number of rows, read a page at a time and drawn with the Line API.

Only the rows on screen are fetched (in a thread worker, so the keyboard never waits); pages
that scroll away are forgotten beyond a small cache. A million-row list costs what one screen
of rows costs.
"""

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


class PagedTable(ScrollView, Generic[Row], can_focus=True):
    DEFAULT_CSS = """
    PagedTable { height: 1fr; background: $surface; }
    PagedTable > .paged-table--cursor { background: $accent 40%; }
    PagedTable:focus > .paged-table--cursor { background: $accent; color: $text; }
    PagedTable > .paged-table--pending { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"paged-table--cursor", "paged-table--pending"}
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        bind("table.first", "first", "First", show=False),
        bind("table.last", "last", "Last", show=False),
    ]
    #: Pages kept in memory; older ones are read again if scrolled back to.
    CACHE_PAGES = 40

    cursor: reactive[int] = reactive(0)

    class PageFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self,
        columns: Sequence[Column[Row]],
        loader: Callable[[int, int], list[Row]],
        *,
        page_size: int = 200,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.loader = loader
        self.page_size = page_size
        self.total = 0
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._row_width = sum(c.width + 1 for c in self.columns)

    @property
    def header(self) -> str:
        return " ".join(c.cell(c.title) for c in self.columns)

    def show(self, total: int) -> None:
        """Start over with `total` rows (after a new search or filter)."""
        self._generation += 1
        self._pages.clear()
        self._pending.clear()
        self.total = total
        self.virtual_size = Size(self._row_width, total)
        self.set_reactive(PagedTable.cursor, 0)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def row_at(self, index: int) -> Row | None:
        """The row if its page is loaded; otherwise asks for the page and returns None."""
        if not 0 <= index < self.total:
            return None
        page, offset = divmod(index, self.page_size)
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        return rows[offset] if offset < len(rows) else None

    @property
    def current(self) -> Row | None:
        return self.row_at(self.cursor)

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        generation = self._generation
        self.run_worker(
            lambda: self._load(page, generation), thread=True, group="pages", exit_on_error=False
        )

    def _load(self, page: int, generation: int) -> None:
        try:
            rows = self.loader(page * self.page_size, self.page_size)
        except Exception as exc:  # shown to the user, the table stays usable
            self.app.call_from_thread(self._failed, page, generation, str(exc).splitlines()[0])
            return
        self.app.call_from_thread(self._loaded, page, generation, rows)

    def _loaded(self, page: int, generation: int, rows: list[Row]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        self._pages[page] = rows
        while len(self._pages) > self.CACHE_PAGES:
            self._pages.popitem(last=False)
        self.refresh()

    def _failed(self, page: int, generation: int, error: str) -> None:
        if generation == self._generation:
            self._pending.discard(page)
            self.post_message(self.PageFailed(error))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= self.total:
            return Strip.blank(width, base)
        row = self.row_at(index)
        style: Style = base
        if row is None:
            text = "  …"
            style = base + self.get_component_rich_style("paged-table--pending")
        else:
            text = " ".join(c.cell(c.value(row)) for c in self.columns)
        if index == self.cursor:
            style = base + self.get_component_rich_style("paged-table--cursor")
        line = text.ljust(max(width + scroll_x, self._row_width))
        return Strip([Segment(line, style)]).crop(scroll_x, scroll_x + width)

    def watch_cursor(self, old: int, new: int) -> None:
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False, immediate=True)
        self.refresh()

    def _set_cursor(self, index: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, index))

    def action_move(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(1, self.scrollable_content_region.height))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(self.total - 1)
