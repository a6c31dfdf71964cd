"""Order entry: a whole order from the keyboard at green-screen speed.

Keys are applied in the order they were typed (`type_ahead_key`, called by the app before
Textual's own per-widget queues), so a coordinator can type a whole order as one burst. Enter
follows the quick path (customer → PO → requested date → part → quantity → next line); Tab
visits every field. Each committed field is written to the draft at once (one writer thread);
price and availability arrive from workers and paint into the line without the cursor waiting.
On a validation error the rest of the burst is thrown away, the bell rings and the cursor stays
on the bad field with its message.

The screen wires its parts: the header fields (screens/entry_header.py), the lines with their
price and availability workers (entry_lines.py), the as-you-type matches (entry_matches.py),
the line keys (entry_line_actions.py, line_editing.py), the drafts and history offers
(entry_offers.py) and F9 (entry_submit.py). What stays here is the cursor: which field a key
goes to, leaving a field (validate, write, move) and the writes to the draft.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.widgets import Static

from orderdesk_tui.domain import po_format
from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.services import autosave, order_entry
from orderdesk_tui.services.change_drafts import ChangeDraft
from orderdesk_tui.services.desk import Desk
from screens import entry_paste, entry_replacement
from screens.base import DeskScreen
from screens.entry_change import ChangeMode
from screens.entry_header import QUICK_HEADER, REQUIRED, DraftRef, EntryHeader
from screens.entry_keys import KeyGate, own_action
from screens.entry_line_actions import LineActions
from screens.entry_lines import Field, LineState, OrderLines
from screens.entry_matches import LookupActions, MatchesPanel
from screens.entry_offers import DraftOffers
from screens.entry_submit import Acknowledged, SubmitActions
from screens.entry_unsaved import UnsavedFields
from screens.entry_writes import DraftWrites
from screens.keys import bind, key_of
from screens.line_editing import LineEditingActions, LineEditor
from screens.markup import escape
from screens.textual_private import event_time
from screens.widgets.entry_field import EntryField
from screens.widgets.status_bar import DeskStatus

#: The actions a key typed into a field runs at once, in the order typed (the F-keys).
TYPED_ACTIONS = frozenset(
    {
        "submit",
        "lookup",
        "copy_above",
        "delete_line",
        "promise",
        "use_replacement",
        "park",
        "drafts",
        "last_ack",
        "leave",
    }
)


class OrderEntryScreen(
    ChangeMode,
    SubmitActions,
    DraftOffers,
    DraftWrites,
    LookupActions,
    LineActions,
    LineEditingActions,
    DeskScreen,
):
    CSS_PATH = "order_entry.tcss"
    BINDINGS: ClassVar = [
        bind("entry.submit", "submit", "Submit"),
        bind("entry.lookup", "lookup", "Prompt"),
        bind("entry.copy_above", "copy_above", "Copy above"),
        bind("entry.delete_line", "delete_line", "Del line"),
        bind("entry.promise", "promise", "Promise"),
        bind("entry.use_replacement", "use_replacement", "Replacement"),
        bind("entry.park", "park", "Park"),
        bind("entry.history", "history", "Usual items"),
        bind("entry.drafts", "drafts", "Drafts"),
        bind("entry.last_ack", "last_ack", "Last ack"),
        bind("entry.exit", "leave", "Exit"),
        # after the F-keys, so that a narrow terminal's legend still shows those
        bind("entry.goto_line", "goto_line", "Go to line"),
        bind("entry.insert_line", "insert_line", "Ins line"),
        bind("entry.field_exit", "field_exit", "Field exit", show=False),
        bind("entry.clear_field", "clear_field", "Clear field", show=False),
    ]

    def __init__(
        self,
        desk: Desk,
        status: DeskStatus,
        *,
        resume: int | None = None,
        previous: Acknowledged | None = None,
        customer_id: int | None = None,
        change: ChangeDraft | None = None,
    ) -> None:
        super().__init__(desk, status)
        #: Changing an entered order (screens/entry_change.py), not entering a new one.
        self.change = change
        self.today = date.today()
        self.draft = DraftRef()
        self.draft_number = ""
        self.writer = autosave.Autosave(self._write_failed, self._unsaved_changed)
        self.unsaved = UnsavedFields()
        self.order_header = EntryHeader(desk.store, self.draft, self.today)
        self.header = self.order_header.fields
        self.grid = OrderLines(desk.store, desk.settings, self.draft, self.today)
        self.matches = MatchesPanel(desk.store)
        self.active: Field | None = None
        self.line_editor = LineEditor(self)
        #: Closed by a refusal: the keys typed on are thrown away until a pause (entry_keys).
        self.keys_gate = KeyGate()
        #: The last refusal, as "field: rule" (F9 on a refused field says it).
        self.refusal = ""
        self._resume = resume
        self.previous = previous
        #: Auto-skip from the customer field at this many characters (None: Enter only).
        self._code_length: int | None = None
        #: The field an auto-skip just moved to: an Enter or Tab typed next is not applied.
        self._skipped_into: Field | None = None
        #: Started from the customer view: the customer is filled in, the cursor on the PO.
        self._customer_id = customer_id
        #: The draft's creation is queued on the writer (or the draft was resumed).
        self._writes_pending_create = False

    @property
    def customer(self) -> order_entry.CustomerInfo | None:
        return self.order_header.customer

    @property
    def requested(self) -> date | None:
        return self.order_header.requested

    @property
    def lines(self) -> list[LineState]:
        return self.grid.lines

    @property
    def currency(self) -> str:
        """The order's currency: the customer's (the desk's until there is a customer)."""
        return self.customer.currency if self.customer else self.desk.settings.desk.currency

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.order_header
        yield self.grid
        yield Static("", id="totals")
        yield Static("", id="message")
        yield Static("", id="missing")
        yield self.matches
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self.grid.add_line()
        self._activate(self.header["customer"])
        self._refresh_missing()
        if self.desk.settings.desk.customer_code_autoskip:
            self._code_length = order_entry.customer_code_length(self.desk.store)
        if self.previous is not None:
            self._say(self.previous.summary)
        if self.change is not None:
            self._load_change(self.change)
        elif self._resume is not None:
            self._load_draft(self._resume)
        else:
            self._offer_drafts()
            if self._customer_id is not None:
                self._prefill_customer(self._customer_id)

    def note_target(self) -> tuple[str, int | None, int | None] | None:
        """Ctrl+O here notes against this draft order, or its customer before it exists."""
        if self.customer is None:
            return None
        if self.draft.id is not None:
            return f"order {self.draft_number or self.draft.id}", self.draft.id, self.customer.id
        return f"customer {self.customer.code}", None, self.customer.id

    @work(thread=True, exit_on_error=False)
    def _prefill_customer(self, customer_id: int) -> None:
        try:
            customer = order_entry.customer_info(self.desk.store, customer_id)
        except OrderdeskError as error:
            self.app.call_from_thread(self._fail, self.header["customer"], error)
            return
        self.app.call_from_thread(self._start_with, customer)

    def _start_with(self, customer: order_entry.CustomerInfo) -> None:
        if self.customer is not None or self.header["customer"].value.strip():
            return  # the coordinator already typed a customer
        self._customer_set(self.order_header.set_customer(customer))
        self._activate(self.header["po"])
        self._refresh_missing()

    def on_unmount(self) -> None:
        self.writer.close_when_saved()

    # -- the field order ----------------------------------------------------------------------

    def fields(self) -> list[Field]:
        order: list[Field] = list(self.header.values())
        for line in self.lines:
            order += [line.row.part, line.row.qty, line.row.override]
            if line.row.override.value:
                order.append(line.row.reason)
        return order

    def _activate(self, f: Field) -> None:
        self.line_editor.moving_to(f)
        if self.active is not None:
            self.active.active = False
        self.active = f
        f.active = True
        f.fresh = True
        f.cursor = len(f.value)
        f.reveal()
        self.matches.show("")

    # -- keys, in the order typed ---------------------------------------------------------------

    def type_ahead_key(self, event: events.Key | events.Paste) -> bool:
        """Apply one key now; True if it was this screen's to take (the app then drops it)."""
        if self.keys_gate.swallows(event.time):
            return True  # typed on after a refusal, before a pause: thrown away, not replayed
        if isinstance(event, events.Paste):
            entry_paste.paste(self, event.text)
            return True
        f = self.active
        if f is None:
            return False
        action = own_action(self, event.key)
        if self.line_editor.take(event, action):  # go to line, field exit, clear, insert line
            return True
        key = event.key
        skipped, self._skipped_into = self._skipped_into, None
        if skipped is f and key in ("enter", "tab") and not f.value and f.field in REQUIRED:
            # the auto-skip already left the field before: an Enter out of habit. Where the
            # field moved to may stay empty (the requested date), Enter means "leave it".
            return True
        if action in TYPED_ACTIONS:
            getattr(self, f"action_{action}")()
            return True
        if key in ("enter", "tab", "shift+tab"):
            self._leave_field(f, key)
            return True
        if not self._edit(f, event):
            return False
        f.fresh = False
        f.set_error(False)
        if self._auto_skips(f):
            self._leave_field(f, "enter")
            if self.active is not f:
                self._skipped_into = self.active
        elif f.field in ("customer", "part"):
            self._lookup_as_typed(f)
        return True

    def _edit(self, f: Field, event: events.Key) -> bool:
        """Apply an editing key to `f`; False if `event` is none."""
        key = event.key
        if key == "backspace":
            f.backspace()
        elif key == "delete":
            f.delete()
        elif key == "left":
            f.move(-1)
        elif key == "right":
            f.move(1)
        elif key == "home":
            f.home()
        elif key == "end":
            f.end()
        elif key in ("up", "down"):
            self._vertical(f, -1 if key == "up" else 1)
        elif key == "escape":
            f.clear()
        elif event.is_printable and event.character:
            if f.fresh:  # the first character typed into a field replaces what it held
                f.clear()
            f.insert(event.character)
        else:
            return False
        return True

    def _auto_skips(self, f: Field) -> bool:
        """A whole customer code, or a whole PO in the customer's PO format, was just typed
        at the end of its field (green-screen auto-skip)."""
        if f.cursor != len(f.value):
            return False
        if f.field == "customer":
            return self._code_length is not None and len(f.value) == self._code_length
        if f.field == "po" and self.customer is not None:
            return po_format.matches(self.customer.po_format, f.value)
        return False

    def _fail(self, f: Field, error: OrderdeskError) -> None:
        """Stop the burst: drop keys already typed, ring, keep the cursor and text here."""
        self.keys_gate.close(event_time())
        f.set_error(True)
        self._activate(f)
        f.fresh = False  # the text stays as typed: keys after a pause edit it at the cursor
        self.app.bell()
        reason = str(error).split(": ", 1)[-1]
        self.refusal = f"{f.label}: {reason}"
        self._say(f"[b $error]{escape(f.label)}[/]: {escape(reason)}")

    def _say(self, markup: str) -> None:
        self.query_one("#message", Static).update(markup, layout=False)

    def show_failure(self, line: str) -> None:
        """A failed action (screens/failures.py) on the message line: not `submitting…`."""
        self._say(f"[b $error]{escape(line)}[/]")

    def on_entry_header_notice(self, message: EntryHeader.Notice) -> None:
        self._say(message.markup)

    def _vertical(self, f: Field, step: int) -> None:
        line = self.grid.line_of(f)
        if line is None:
            return
        index = self.lines.index(line) + step
        if 0 <= index < len(self.lines):
            other = self.lines[index].row
            target = {
                "part": other.part,
                "qty": other.qty,
                "price": other.override,
                "reason": other.reason,
            }[f.field]
            if self._commit(f):
                self._activate(target)

    # -- leaving a field: validate, write, move -------------------------------------------------

    def _leave_field(self, f: Field, key: str) -> None:
        line = self.grid.line_of(f)
        if key == "enter" and f.field == "part" and line is not None and line.empty:
            self._activate(self.header["notes"])  # Enter on an empty line leaves the grid
            self._refresh_missing()
            return
        if not self._commit(f):
            return
        order = self.fields()
        if key == "shift+tab":
            self._activate(order[max(0, order.index(f) - 1)])
        elif key == "tab":
            self._activate(order[min(len(order) - 1, order.index(f) + 1)])
        else:
            self._activate(self._quick_next(f, line))
        self._refresh_missing()

    def _quick_next(self, f: Field, line: LineState | None) -> Field:
        if line is None:
            if f.field in QUICK_HEADER[:-1]:
                return self.header[QUICK_HEADER[QUICK_HEADER.index(f.field) + 1]]
            if f.field in ("requested", "notes"):
                return self.grid.next_empty_part()
            order = self.fields()
            return order[order.index(f) + 1]
        if f.field == "part":
            if line.quantity_from_part:
                line.quantity_from_part = False
                return self.grid.part_after(line)
            return line.row.qty
        if f.field == "price" and line.row.override.value:
            return line.row.reason
        return self.grid.part_after(line)

    def _commit(self, f: Field, *, prompt: bool = True) -> bool:
        """Validate and store one field; on a problem, stop the burst and stay (an unknown
        customer or part opens the prompt, unless `prompt` is False). True if OK."""
        try:
            line = self.grid.line_of(f)
            if isinstance(f, EntryField):
                self._commit_header(f)
            elif line is None or line.empty or line.removed:
                f.set_error(False)  # an untouched line: nothing to check, free to leave
                return True
            elif f.field == "part" and entry_replacement.ask(self, line, f):
                return False  # a discontinued part: the answer puts a part on and moves on
            else:
                self._commit_line_field(line, f)
        except OrderdeskError as error:
            self._fail(f, error)
            if prompt and f.field in ("customer", "part") and "match" in str(error):
                self._prompt(f, quiet=True)  # an unknown code opens the prompt pre-filled
            return False
        f.set_error(False)
        self._say("")
        return True

    def _commit_header(self, f: EntryField) -> None:
        if self.change is not None:
            self._header_in_change(f)
        values = self.order_header.commit(f)
        if "customer_id" in values:
            self._customer_set(values)
        elif values:
            self._write_header(values)
            if "ship_to_id" in values:
                self.grid.reprice_all(self.customer, self.order_header.ship_to_id)

    def _customer_set(self, values: dict[str, object]) -> None:
        """A customer was put on the order: the draft starts (or hears of it); lines reprice."""
        assert self.customer is not None
        if self.draft.id is None and not self._writes_pending_create:
            self._writes_pending_create = True
            self.writer.submit(self._create_draft, self.customer.id)
        else:
            self._write_header(values)
        self.grid.reprice_all(self.customer, self.order_header.ship_to_id)

    def _commit_line_field(self, line: LineState, f: Field) -> None:
        self.grid.commit(line, f, self.customer)
        self._line_changed(line)

    def missing(self) -> list[str]:
        """What must be filled in before the order can be submitted."""
        return self.order_header.missing() + self.grid.missing()

    def _refresh_missing(self) -> None:
        todo = self.missing()
        does = "applies the change" if self.change is not None else "submits"
        ready = f"[$success]complete: {key_of(self, 'entry.submit')} {does}[/]"
        text = "Missing: " + ", ".join(todo) if todo else ready
        self.query_one("#missing", Static).update(self.unsaved.status() or text, layout=False)

    def _lookup_as_typed(self, f: Field) -> None:
        self.matches.look_up_soon(f, self.customer.id if self.customer else None, self.currency)
