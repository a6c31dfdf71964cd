"""The frame of a record's detail screen (an order, a customer, an RMA): a header, tabs of
tables, the record read in a worker and shown, and changes applied in a worker after which
the record is read again.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from textual import work
from textual.widgets import DataTable, TabbedContent

from orderdesk_tui.errors import OrderdeskError
from screens.base import DeskScreen
from screens.dialogs import TextDialog
from screens.markup import cells

Loaded = TypeVar("Loaded")

#: A document a change made, to show: title, text, footer.
Document = tuple[str, str, str]


def changes_text(changes: Mapping[str, Sequence[Any]]) -> str:
    """An audit event's changes on one line."""
    return "; ".join(f"{k}: {old} → {new}" for k, (old, new) in changes.items())


def callback_text(callback_at: object | None, done: bool) -> str:
    """A note's call-back column: blank when none was asked for."""
    return ("done" if done else "DUE") if callback_at else ""


class TabbedDetailScreen(DeskScreen, Generic[Loaded]):
    """A subclass names its tabs in `TABS`, reads the record in `load` (in a thread) and shows
    it in `show`; `reload()` does both."""

    TABS: ClassVar[tuple[str, ...]] = ()

    def load(self) -> Loaded:
        raise NotImplementedError

    def show(self, loaded: Loaded) -> None:
        raise NotImplementedError

    @work(thread=True, exclusive=True, group="detail-load")
    def reload(self) -> None:
        try:
            loaded = self.load()
        except (LookupError, OrderdeskError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.show, loaded)

    def add_columns(self, columns: Mapping[str, Sequence[str]]) -> None:
        """Give each table (by id) its column titles."""
        for table_id, titles in columns.items():
            self.query_one(f"#{table_id}", DataTable).add_columns(*titles)

    def fill(
        self, table_id: str, rows: Iterable[tuple[str, ...]], keys: Sequence[str] | None = None
    ) -> None:
        """Refill a table, keeping the cursor on the same row number (a reload does not jump)."""
        table = self.query_one(f"#{table_id}", DataTable)
        cursor = table.cursor_row
        table.clear()
        for index, row in enumerate(rows):
            table.add_row(*cells(row), key=keys[index] if keys else str(index))
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        index = self.TABS.index(tabs.active) if tabs.active in self.TABS else 0
        tabs.active = self.TABS[(index + step) % len(self.TABS)]
        tables = tabs.get_pane(tabs.active).query("DataTable, LineTable")
        if tables:
            tables.first().focus()

    def failed(self, message: str) -> None:
        self.notify(message, severity="error", timeout=8)
        self.app.bell()

    @work(thread=True, group="detail-change")
    def run_change(
        self,
        change: Callable[[], Any],
        done: str | Callable[[Any], str],
        *,
        document: Callable[[Any], Document | None] | None = None,
        after: Callable[[], object] | None = None,
    ) -> None:
        """Apply a change in a thread and say what happened (`done`, or `done(result)`); show
        the document it made, if `document` gives one; then `after`, else read again what the
        store now holds."""
        try:
            result = change()
            shown = document(result) if document is not None else None
        except (OrderdeskError, OSError) as exc:
            self.app.call_from_thread(self.failed, str(exc))
        else:
            said = done(result) if callable(done) else done
            self.app.call_from_thread(self.notify, said)
            if shown is not None:
                self.app.call_from_thread(self.app.push_screen, TextDialog(*shown))
            if after is not None:
                self.app.call_from_thread(after)
                return
        self.app.call_from_thread(self.reload)
