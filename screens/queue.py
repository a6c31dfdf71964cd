"""The work queue: everything needing a person, most urgent first, live across terminals.

Each row: priority score and its reasons, SLA countdown (business time), age, customer, value,
why it is here, who has it. Type to filter (`hold:credit cust:ACME >5000`); Enter opens the
order (or resumes the draft); take, release a hold, snooze, escalate, note, send again what
the ERP refused — on the row under the cursor or on every marked row. Another terminal's
change shows within a second or two (services.live); SLA clocks tick with a refresh every half
minute.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Key
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker

from orderdesk_tui.domain.money import format_money
from orderdesk_tui.domain.queue_filter import FilterSyntaxError, QueueFilter, parse_filter
from orderdesk_tui.domain.queue_items import QueueItem, Subject
from orderdesk_tui.domain.sla import format_duration
from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.failures import store_reason
from orderdesk_tui.services.queue import QueueReader, QueueSnapshot
from orderdesk_tui.services.sla_clock import desk_zone
from screens.base import DeskScreen
from screens.keys import bind, key_of
from screens.live_watch import follow_store
from screens.queue_item_actions import QueueItemActions
from screens.widgets.desk_input import DeskInput
from screens.widgets.line_table import Column
from screens.widgets.list_table import ListTable
from screens.widgets.status_bar import DeskStatus

#: Typing pauses this long before the filter is applied.
FILTER_DEBOUNCE_S = 0.15
#: SLA clocks move on their own: read the queue again this often even if nothing changed.
TICK_S = 10.0


def _sla(item: QueueItem) -> str:
    return format_duration(item.sla.left_s) if item.sla is not None else ""


def _columns(now: Callable[[], datetime]) -> list[Column[QueueItem]]:
    return [
        Column("Pri", 4, lambda i: str(i.priority.score), right=True),
        Column("SLA", 8, _sla, right=True),
        Column("Age", 7, lambda i: format_duration(int((now() - i.since).total_seconds()))),
        Column("Number", 10, lambda i: i.number),
        Column("Cust", 8, lambda i: i.customer_code),
        Column("Customer name", 24, lambda i: i.customer_name, least=14, flex=1),
        Column("Value", 14, lambda i: format_money(i.value, i.currency), right=True),
        Column("Reason", 36, lambda i: i.reason_text, least=20, flex=2),
        Column("Assignee", 10, lambda i: i.assignee + (" ⏸" if i.snoozed(now()) else "")),
        # also under the list, for the row under the cursor
        Column("Why first", 30, lambda i: i.priority.summary, least=0, flex=1),
    ]


@dataclass(frozen=True)
class _View:
    """The items a filter shows, and the counts the screen's header gives of them."""

    rows: list[QueueItem]
    breached: int
    soon: int
    mine: int

    @classmethod
    def of(cls, snapshot: QueueSnapshot, flt: QueueFilter, user: str) -> "_View":
        rows = snapshot.visible(flt, user)
        clocks = [i.sla for i in rows if i.sla is not None]
        return cls(
            rows=rows,
            breached=sum(1 for sla in clocks if sla.breached),
            soon=sum(1 for sla in clocks if sla.due_within(snapshot.warn_s)),
            mine=sum(1 for i in rows if i.assignee == user),
        )


def _row_style(item: QueueItem) -> str:
    """Escalated, SLA breached, or due within the hour: the row's colour from the theme."""
    if item.escalated:
        return "list-table--flagged"
    if item.sla is not None and item.sla.breached:
        return "list-table--alert"
    if item.sla is not None and item.sla.left_s <= 3600:
        return "list-table--warning"
    return ""


class QueueScreen(QueueItemActions, DeskScreen):
    CSS_PATH = "queue.tcss"
    BINDINGS = [
        bind("queue.filter", "focus_filter", "Filter"),
        bind("queue.open", "open_item", "Open"),
        bind("queue.take", "take", "Take"),
        bind("queue.give_back", "give_back", "Give back", show=False),
        bind("queue.release_hold", "release_hold", "Release hold"),
        bind("queue.snooze", "snooze", "Snooze"),
        bind("queue.escalate", "escalate", "Escalate"),
        bind("queue.add_note", "add_note", "Note"),
        bind("queue.done", "done", "Done"),
        bind("queue.apply_change", "apply_change", "Review change request", show=False),
        bind("queue.erp_retry", "erp_retry", "Retry"),
        bind("queue.mark", "mark", "Mark", show=False),
        bind("queue.mark_all", "mark_all", "Mark all", show=False),
        bind("queue.clear_marks", "clear_marks", "Clear marks", show=False),
        bind("queue.back", "back", "Back"),
    ]

    def __init__(self, desk: Desk, status: DeskStatus, reader: QueueReader) -> None:
        super().__init__(desk, status)
        self.reader = reader
        self.filter = QueueFilter()
        self.snapshot: QueueSnapshot | None = None
        self.view: _View | None = None
        self.loaded_at: datetime | None = None
        self._debounce: Timer | None = None
        self.table: ListTable[QueueItem] = ListTable(
            _columns(self._now), key=lambda i: i.key, style=_row_style, id="queue"
        )

    def _now(self) -> datetime:
        return self.snapshot.now if self.snapshot is not None else datetime.now(UTC)

    def compose(self) -> ComposeResult:
        with Horizontal(id="queue-filter-bar"):
            yield Static("Filter", id="filter-label")
            yield DeskInput(
                placeholder="hold:credit cust:ACME >5000 rush mine sla:breached -snoozed words",
                id="queue-filter",
                select_on_focus=False,
            )
        yield Static(id="filter-error")
        yield self.table.header_line(id="queue-header")
        yield self.table
        yield Static(id="queue-detail")
        yield Static(id="queue-count")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.table.focus()
        self._tick = self.set_interval(TICK_S, self.reload, pause=True)
        self._watch: Worker[None] | None = None

    def on_screen_resume(self) -> None:
        """Shown: the first time, or again (the app keeps this screen once made, so reopening
        it draws what is already laid out). What was read last shows at once, with the time
        it was read; then it is read again, and followed while shown."""
        last = self.reader.last
        if last is not None and last is not self.snapshot:
            self._loaded(last, self.filter, _View.of(last, self.filter, self.desk.user.name))
        self.reload()
        self._tick.resume()
        self._watch = self.watch_store()

    def on_screen_suspend(self) -> None:
        """Covered (a dialog, another screen) or closed: no reads while hidden (they would
        take the interpreter from the screen in front). Closed, it is put back as a new one
        would be: no filter, no marks, the cursor on the first row, the list in focus."""
        self._tick.pause()
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if self not in self.app.screen_stack:
            self.table.clear_marks()
            if self._debounce is not None:
                self._debounce.stop()
                self._debounce = None
            with self.prevent(Input.Changed):
                self.query_one("#queue-filter", Input).value = ""
            self._set_filter("")
            self.table.action_first()
            self.table.focus()

    # -- reading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="queue-load", exit_on_error=False)
    def reload(self) -> None:
        """Read the queue and filter and count it here, off the UI thread: with ten thousand
        items each pass is milliseconds the screen would otherwise not draw in."""
        flt = self.filter
        try:
            snapshot = self.reader.read()
            view = _View.of(snapshot, flt, self.desk.user.name)
        except Exception as exc:  # shown; the last good list stays on screen
            self.app.call_from_thread(self._failed, store_reason(exc))
            return
        self.app.call_from_thread(self._loaded, snapshot, flt, view)

    def _failed(self, error: str) -> None:
        failed = Content.from_markup("[$error]could not read the queue: $reason", reason=error)
        self.query_one("#queue-count", Static).update(failed)

    def _loaded(self, snapshot: QueueSnapshot, flt: QueueFilter, view: _View) -> None:
        self.snapshot = snapshot
        self.loaded_at = snapshot.now  # when it was read, not when it was shown
        if flt is not self.filter:  # the filter was changed while the list was read
            view = _View.of(snapshot, self.filter, self.desk.user.name)
        self._show(view)

    def _apply_filter(self) -> None:
        if self.snapshot is not None:
            self._show(_View.of(self.snapshot, self.filter, self.desk.user.name))

    def _show(self, view: _View) -> None:
        self.view = view
        self.table.show(view.rows)
        self._count()

    def _count(self) -> None:
        view = self.view
        if self.snapshot is None or self.loaded_at is None or view is None:
            return
        parts = [
            f"{len(view.rows):,} of {len(self.snapshot.items):,} items",
            f"{view.breached} SLA breached",
            f"{view.soon} due soon",
            f"{view.mine} mine",
        ]
        if self.table.marked:
            parts.append(f"{len(self.table.marked)} marked")
        at = self.loaded_at.astimezone(desk_zone(self.desk.settings.sla))
        parts.append(f"live · read {at:%H:%M:%S}")
        self.query_one("#queue-count", Static).update(" · ".join(parts))

    @work(thread=True, exclusive=True, group="queue-watch", exit_on_error=False)
    def watch_store(self) -> None:
        """Read the queue again when another terminal changes the store (services.live)."""
        follow_store(self.app, self.desk.store, self.reload)

    @on(ListTable.CursorMoved)
    def _show_detail(self) -> None:
        item = self.table.current
        detail = self.query_one("#queue-detail", Static)
        if item is None:
            detail.update("")
            return
        lines = [f"{item.number} {item.customer_name}: {item.priority.summary or 'no urgency'}"]
        for hold in item.holds:
            lines.append(f"  {hold.kind} hold: {hold.reason}")
        if item.note_text:
            lines.append(f"  note: {item.note_text}")
        if item.sla is not None:
            state = "late by" if item.sla.breached else "due in"
            lines.append(
                f"  {item.sla.kind} SLA {state} {format_duration(abs(item.sla.left_s))}"
                f" (of {format_duration(item.sla.total_s)} business time)"
            )
        if item.subject == Subject.CHANGE:
            key = key_of(self, "queue.apply_change")
            lines.append(f"  {key} shows the changes to apply or reject")
        detail.update("\n".join(lines), layout=False)

    # -- the filter line -----------------------------------------------------------------------

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        text = event.value
        self._debounce = self.set_timer(FILTER_DEBOUNCE_S, lambda: self._set_filter(text))

    @on(Input.Submitted, "#queue-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if self._set_filter(event.value):
            self.table.focus()

    def _set_filter(self, text: str) -> bool:
        error = self.query_one("#filter-error", Static)
        try:
            self.filter = parse_filter(text)
        except FilterSyntaxError as exc:
            # point at the column under the filter input (label "Filter" + padding = 9 cells)
            error.update(Content(f"{' ' * (8 + exc.column)}^ {exc}"))  # quotes the filter
            error.add_class("-error")
            return False
        error.update("")
        error.remove_class("-error")
        self._apply_filter()
        return True

    def on_key(self, event: Key) -> None:
        """Typing a letter in the list starts filtering with it."""
        if (
            self.focused is self.table
            and event.is_printable
            and event.character not in (None, " ")
            and event.key not in self.active_bindings
        ):
            search = self.query_one("#queue-filter", Input)
            search.focus()
            search.insert_text_at_cursor(event.character or "")
            event.stop()

    def action_focus_filter(self) -> None:
        self.query_one("#queue-filter", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_mark(self) -> None:
        self.table.toggle_mark()
        self.table.action_move(1)
        self._count()

    def action_mark_all(self) -> None:
        self.table.mark_all()
        self._count()

    def action_clear_marks(self) -> None:
        self.table.clear_marks()
        self._count()

    def action_open_item(self) -> None:
        item = self.table.current
        if item is None:
            self.app.bell()
            return
        if item.is_draft:
            from screens.order_entry import OrderEntryScreen

            self.app.push_screen(OrderEntryScreen(self.desk, self.status, resume=item.order_id))
            return
        if item.subject == Subject.RMA:
            from screens.rma import RmaScreen

            self.app.push_screen(RmaScreen(self.desk, self.status, item.subject_id))
            return
        if item.order_id is None:
            self.notify(f"{item.number}: no order to open", severity="warning")
            return
        from screens.order_view import OrderViewScreen

        self.app.push_screen(OrderViewScreen(self.desk, self.status, item.order_id))
