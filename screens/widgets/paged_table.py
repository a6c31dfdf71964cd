"""A table over any number of rows, read a page at a time and drawn with the Line API.

Only the rows on screen are fetched (in a thread worker, so the keyboard never waits); pages
that scroll away are forgotten beyond a small cache. A million-row list costs what one screen
of rows costs.
"""

from collections import OrderedDict
from collections.abc import Callable, Sequence

from rich.style import Style
from textual.geometry import Size
from textual.message import Message

from orderdesk_tui.services.failures import store_reason
from screens.widgets.line_table import Column, LineTable, Row


class PagedTable(LineTable[Row]):
    DEFAULT_CSS = """
    PagedTable > .paged-table--pending { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"paged-table--pending"}
    #: Pages kept in memory; older ones are read again if scrolled back to.
    CACHE_PAGES = 40

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
        super().__init__(columns, name=name, id=id, classes=classes)
        self.loader = loader
        self.page_size = page_size
        self.total = 0
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0

    @property
    def row_count(self) -> int:
        return self.total

    def show(self, total: int) -> None:
        """Start over with `total` rows (after a new search or filter)."""
        self._generation += 1
        self._pages.clear()
        self._pending.clear()
        self.total = total
        self.virtual_size = Size(self._row_width, total)
        self.set_reactive(PagedTable.cursor, 0)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.forget_rows()
        self.refresh()

    def reshow(self, total: int, cursor: int, top: int, pages: dict[int, list[Row]]) -> None:
        """Show `total` rows read again, the cursor at `cursor` and row `top` at the top,
        with the pages on screen already read (`pages`): a live refresh, with no blank rows
        while the pages are read and no jump."""
        self._generation += 1
        self._pages = OrderedDict(sorted(pages.items()))
        self._pending.clear()
        self.total = total
        self.virtual_size = Size(self._row_width, total)
        self.set_reactive(PagedTable.cursor, max(0, min(cursor, total - 1)))
        self.scroll_to(y=top, animate=False, immediate=True)
        self.forget_rows()
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
            self.app.call_from_thread(self._failed, page, generation, store_reason(exc))
            return
        self.app.call_from_thread(self._loaded, page, generation, rows)

    def _loaded(self, page: int, generation: int, rows: list[Row]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        self._pages[page] = rows
        while len(self._pages) > self.CACHE_PAGES:
            self._pages.popitem(last=False)
        self._forget_page(page)
        top = self.scroll_offset.y
        start = max(top, page * self.page_size)
        end = min(top + self.size.height, (page + 1) * self.page_size)
        if end > start:  # the page's rows on screen, no other
            self.refresh_lines(start, end - start)

    def _failed(self, page: int, generation: int, error: str) -> None:
        if generation == self._generation:
            self._pending.discard(page)
            self._forget_page(page)  # drawn again (and asked for again) when next painted
            self.post_message(self.PageFailed(error))

    def _forget_page(self, page: int) -> None:
        """The page's rows were drawn pending ("…"): forget them, and only them."""
        start = page * self.page_size
        self.forget_rows(range(start, start + self.page_size))

    def draw_row(self, index: int, style: Style) -> tuple[str, Style]:
        row = self.row_at(index)
        if row is None:
            return "  …", style + self.get_component_rich_style("paged-table--pending")
        return self.cells(row), style
