"""Order entry: a whole order from the keyboard at green-screen speed.

Keys are applied in the order they were typed (`type_ahead_key`, called by the app before
Textual's own per-widget queues), so a coordinator can type a whole order as one burst. Enter
follows the quick path (customer → PO → requested date → part → quantity → next line); Tab
visits every field. Each committed field is written to the draft at once (one writer thread);
price and availability arrive from workers and paint into the line without the cursor waiting.
On a validation error the rest of the burst is thrown away, the bell rings and the cursor stays
on the bad field with its message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from textual import events, work
from textual._time import get_time
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from orderdesk_tui.domain import po_format
from orderdesk_tui.domain.availability.quantities import parse_quantity
from orderdesk_tui.domain.availability.results import Alternative, AlternativeKind, LineAvailability
from orderdesk_tui.domain.entry_shorthand import parse_date, split_quantity_part
from orderdesk_tui.domain.money import currency_places, decimals_of, to_decimal
from orderdesk_tui.domain.pricing.results import LineResult
from orderdesk_tui.errors import FieldError, OrderdeskError
from orderdesk_tui.models.base import FreightTerms, Priority
from orderdesk_tui.services import autosave, drafts, order_entry, order_history, submit
from orderdesk_tui.services.desk import Desk
from screens import entry_paste, entry_replacement
from screens.base import DeskScreen
from screens.dialogs import PickDialog, TextDialog
from screens.entry_keys import KeyGate
from screens.entry_paste import problems_note
from screens.entry_unsaved import UnsavedFields
from screens.keys import bind
from screens.line_editing import LineEditingActions, LineEditor
from screens.markup import escape
from screens.part_picker import PartPicker
from screens.widgets.entry_field import EntryField
from screens.widgets.lines_grid import GridCell, LineRow, LinesGrid
from screens.widgets.status_bar import DeskStatus

#: Header fields Enter walks through before the lines (the quick path); Tab visits them all.
QUICK_HEADER = ("customer", "po", "requested")
#: Header fields an order cannot be submitted without (see `missing`).
REQUIRED = ("customer", "po", "ship_to")
#: Seconds of no typing after which the as-you-type matches are looked up.
MATCH_PAUSE_S = 0.12
#: A field of the screen: a header widget or a cell of the lines grid.
Field = EntryField | GridCell
FREIGHT_CHOICES = {
    "pp": FreightTerms.PREPAID,
    "prepaid": FreightTerms.PREPAID,
    "col": FreightTerms.COLLECT,
    "collect": FreightTerms.COLLECT,
    "ppa": FreightTerms.PREPAID_ADD,
    "prepaid_add": FreightTerms.PREPAID_ADD,
    "3p": FreightTerms.THIRD_PARTY,
    "third_party": FreightTerms.THIRD_PARTY,
}


def _draft_row(d: drafts.DraftSummary) -> str:
    return (
        f"resume {d.number}  {d.customer_code:<8} {d.customer_name[:30]:<30} "
        f"PO {d.customer_po or '-':<14} {d.lines} line{'s' if d.lines != 1 else ''}  "
        f"{d.updated_at.astimezone():%m/%d %H:%M}"
    )


@dataclass(frozen=True)
class Acknowledged:
    """The order just submitted: shown on the next order's screen, F12 opens its text."""

    title: str
    text: str
    pdf: str
    summary: str


@dataclass
class DraftRef:
    """The draft being written; `id` is filled in by the writer thread when it is created."""

    id: int | None = None


@dataclass
class LineState:
    row: LineRow
    item: order_entry.ItemInfo | None = None
    quantity: Decimal | None = None
    override: Decimal | None = None
    reason: str = ""
    price: LineResult | None = None
    stock: LineAvailability | None = None
    #: Bumped on every change, so a late worker result for an older version is dropped.
    generation: int = 0
    #: The quantity came with the part (`3*AB-1005`): Enter skips the quantity field.
    quantity_from_part: bool = False

    @property
    def empty(self) -> bool:
        return self.item is None and not self.row.part.value and not self.row.qty.value


class OrderEntryScreen(LineEditingActions, DeskScreen):
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
    ) -> None:
        super().__init__(desk, status)
        self.today = date.today()
        self.draft = DraftRef()
        self.draft_number = ""
        self.writer = autosave.Autosave(self._write_failed, self._unsaved_changed)
        self.unsaved = UnsavedFields()
        self.customer: order_entry.CustomerInfo | None = None
        self.ship_to_id: int | None = None
        self.requested: date | None = None
        self.lines: list[LineState] = []
        self.active: Field | None = None
        self.grid = LinesGrid(id="lines")
        self.line_editor = LineEditor(self)
        #: Closed by a refusal: the keys typed on are thrown away until a pause (entry_keys).
        self.keys_gate = KeyGate()
        #: The last refusal, as "field: rule" (F9 on a refused field says it).
        self.refusal = ""
        #: Warehouse codes by id, read once when the first availability arrives.
        self._warehouses: dict[int, str] = {}
        self._resume = resume
        self.previous = previous
        #: Auto-skip from the customer field at this many characters (None: Enter only).
        self._code_length: int | None = None
        #: The field an auto-skip just moved to: an Enter or Tab typed next is not applied.
        self._skipped_into: Field | None = None
        self._match_timer: Timer | None = None
        #: Started from the customer view: the customer is filled in, the cursor on the PO.
        self._customer_id = customer_id
        self.header = {
            "customer": EntryField("customer", width=12, upper=True, label="customer"),
            "po": EntryField("po", width=18, label="customer PO"),
            "ship_to": EntryField("ship_to", width=12, upper=True, label="ship-to"),
            "requested": EntryField("requested", width=12, label="requested date"),
            "ship_via": EntryField("ship_via", width=14, upper=True, label="ship via"),
            "freight": EntryField("freight", width=12, label="freight terms"),
            "priority": EntryField("priority", width=8, label="priority"),
            "notes": EntryField("notes", width=60, label="order notes"),
        }

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        h = self.header
        with Vertical(id="entry-header"):
            with Horizontal(classes="hrow"):
                yield Static("Customer", classes="lbl")
                yield h["customer"]
                yield Static("", id="customer-info", classes="info")
            with Horizontal(classes="hrow"):
                yield Static("PO", classes="lbl")
                yield h["po"]
                yield Static("Ship-to", classes="lbl2")
                yield h["ship_to"]
                yield Static("", id="ship-to-info", classes="info")
            with Horizontal(classes="hrow"):
                yield Static("Requested", classes="lbl")
                yield h["requested"]
                yield Static("", id="requested-info", classes="info-short")
                yield Static("Ship via", classes="lbl2")
                yield h["ship_via"]
                yield Static("Freight", classes="lbl2")
                yield h["freight"]
                yield Static("Priority", classes="lbl2")
                yield h["priority"]
            with Horizontal(classes="hrow"):
                yield Static("Notes", classes="lbl")
                yield h["notes"]
        yield self.grid
        yield Static("", id="totals")
        yield Static("", id="message")
        yield Static("", id="missing")
        yield Static("", id="matches")
        yield from self.compose_frame()

    def on_mount(self) -> None:
        self._add_line_now()
        self._activate(self.header["customer"])
        self._refresh_missing()
        if self.desk.settings.desk.customer_code_autoskip:
            self._code_length = order_entry.customer_code_length(self.desk.store)
        if self.previous is not None:
            self._say(self.previous.summary)
        if self._resume is not None:
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
        self._set_customer(customer)
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

    def _line_of(self, f: Field) -> LineState | None:
        if not isinstance(f, GridCell):
            return None
        return next((ln for ln in self.lines if ln.row is f.row), None)

    def _activate(self, f: Field) -> None:
        self.line_editor.moving_to(f)
        if self.active is not None:
            self.active.active = False
        self.active = f
        f.active = True
        f.fresh = True
        f.cursor = len(f.value)
        f.reveal()
        self._show_matches_for(f)

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
        if self.line_editor.take(event):  # go to line, field exit, clear, insert line
            return True
        key = event.key
        skipped, self._skipped_into = self._skipped_into, None
        if skipped is f and key in ("enter", "tab") and not f.value and f.field in REQUIRED:
            # the auto-skip already left the field before: an Enter out of habit. Where the
            # field moved to may stay empty (the requested date), Enter means "leave it".
            return True
        action = self._action_for(key)
        if action is not None:
            getattr(self, f"action_{action}")()
            return True
        if key in ("enter", "tab", "shift+tab"):
            self._leave_field(f, key)
            return True
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
        elif key == "up":
            self._vertical(f, -1)
        elif key == "down":
            self._vertical(f, 1)
        elif key == "escape":
            f.clear()
        elif event.is_printable and event.character:
            if f.fresh:  # the first character typed into a field replaces what it held
                f.clear()
            f.insert(event.character)
        else:
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

    def _action_for(self, key: str) -> str | None:
        for binding in self._bindings.key_to_bindings.get(key, []):
            if binding.action in {
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
            }:
                return binding.action
        return None

    def _fail(self, f: Field, error: OrderdeskError) -> None:
        """Stop the burst: drop keys already typed, ring, keep the cursor and text here."""
        self.keys_gate.close(get_time())
        f.set_error(True)
        self._activate(f)
        f.fresh = False  # the text stays as typed: keys after a pause edit it at the cursor
        self.app.bell()
        reason = str(error).split(": ", 1)[-1]
        self.refusal = f"{f.label}: {reason}"
        self._say(f"[b red]{escape(f.label)}[/]: {escape(reason)}")

    def _say(self, markup: str) -> None:
        self.query_one("#message", Static).update(markup, layout=False)

    def show_failure(self, line: str) -> None:
        """A failed action (screens/failures.py) on the message line: not `submitting…`."""
        self._say(f"[b red]{escape(line)}[/]")

    def _vertical(self, f: Field, step: int) -> None:
        line = self._line_of(f)
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
        line = self._line_of(f)
        if key == "enter" and f.field == "part" and line is not None and line.empty:
            self._leave_grid()
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
                return self._next_empty_part()
            order = self.fields()
            return order[order.index(f) + 1]
        if f.field == "part":
            if line.quantity_from_part:
                line.quantity_from_part = False
                return self._part_after(line)
            return line.row.qty
        if f.field == "price" and line.row.override.value:
            return line.row.reason
        return self._part_after(line)

    def _part_after(self, line: LineState) -> GridCell:
        index = self.lines.index(line)
        if index + 1 < len(self.lines):
            return self.lines[index + 1].row.part
        self._add_line_now()
        return self.lines[-1].row.part

    def _next_empty_part(self) -> GridCell:
        for line in self.lines:
            if line.item is None:
                return line.row.part
        self._add_line_now()
        return self.lines[-1].row.part

    def _leave_grid(self) -> None:
        self._activate(self.header["notes"])
        self._refresh_missing()

    def _commit(self, f: Field, *, prompt: bool = True) -> bool:
        """Validate and store one field; on a problem, stop the burst and stay (an unknown
        customer or part opens the prompt, unless `prompt` is False). True if OK."""
        try:
            line = self._line_of(f)
            if line is None:
                self._commit_header(f)
            elif line.empty:
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
        value = f.value.strip()
        store = self.desk.store
        if f.field == "customer":
            if not value:
                raise FieldError("customer", "is required")
            if self.customer is not None and value == self.customer.code:
                return
            customer = order_entry.resolve_customer(store, value)
            self._set_customer(customer)
        elif f.field == "po":
            self._write_header({"customer_po": value})
            self._check_po_format(value)
            self._check_duplicate_po(value)
        elif f.field == "ship_to":
            if self.customer is None:
                raise FieldError("ship-to", "enter the customer first")
            if not value:
                raise FieldError("ship-to", "is required (the customer's ship-to code)")
            address = order_entry.resolve_ship_to(store, self.customer.id, value)
            f.set_value(address.code)
            self.ship_to_id = address.id
            self._show_ship_to(address)
            self._write_header({"ship_to_id": address.id})
            self._reprice_all()
        elif f.field == "requested":
            if not value:
                self.requested = None
                self.query_one("#requested-info", Static).update("")
                self._write_header({"requested_date": None})
                return
            when = parse_date(value, self.today, field="requested date")
            if when < self.today:
                raise FieldError("requested date", f"{when:%a %Y-%m-%d} is in the past")
            self.requested = when
            f.set_value(when.isoformat())
            self.query_one("#requested-info", Static).update(f"{when:%a %d %b}")
            self._write_header({"requested_date": when})
        elif f.field == "ship_via":
            self._write_header({"ship_via": value.upper()})
        elif f.field == "freight":
            if value:
                terms = FREIGHT_CHOICES.get(value.lower())
                if terms is None:
                    raise FieldError(
                        "freight terms",
                        "pp prepaid, col collect, ppa prepaid & add, 3p third party",
                    )
                f.set_value(terms.value)
                self._write_header({"freight_terms": terms.value})
        elif f.field == "priority":
            if value:
                choice = {"n": Priority.NORMAL, "r": Priority.RUSH}.get(value[0].lower())
                if choice is None:
                    raise FieldError("priority", "n normal or r rush")
                f.set_value(choice.value)
                self._write_header({"priority": choice.value})
        elif f.field == "notes":
            self._write_header({"notes": value})

    def _set_customer(self, customer: order_entry.CustomerInfo) -> None:
        self.customer = customer
        h = self.header
        h["customer"].set_value(customer.code)
        self._set_customer_info(customer)
        if not h["freight"].value:
            h["freight"].set_value(customer.freight_terms)
        if not h["ship_via"].value:
            h["ship_via"].set_value(customer.ship_via)
        if not h["priority"].value:
            h["priority"].set_value(Priority.NORMAL.value)
        if customer.default_ship_to is not None:
            self.ship_to_id = customer.default_ship_to.id
            h["ship_to"].set_value(customer.default_ship_to.code)
            self._show_ship_to(customer.default_ship_to)
        if self.draft.id is None and not self._writes_pending_create:
            self._writes_pending_create = True
            self.writer.submit(self._create_draft, customer.id)
        else:
            self._write_header({"customer_id": customer.id, "ship_to_id": self.ship_to_id})
        self._reprice_all()

    _writes_pending_create = False

    def _set_customer_info(self, customer: order_entry.CustomerInfo) -> None:
        info = f"[b]{escape(customer.name)}[/b] · {customer.payment_terms} · {customer.currency}"
        if customer.credit_status != "ok":
            info += f" · [b red]CREDIT {customer.credit_status.upper()}[/]"
        self.query_one("#customer-info", Static).update(info)

    def _check_po_format(self, po: str) -> None:
        """A PO not in the customer's format: said (a typo, or another customer's PO), not
        refused (a customer may change its numbering)."""
        customer = self.customer
        if customer is None or not po or not customer.po_format:
            return
        if not po_format.matches(customer.po_format, po):
            warning = (
                f"[b yellow]PO {escape(po)} is not in {escape(customer.code)}'s PO format "
                f"{escape(customer.po_format)}: check it[/]"
            )
            self.call_later(self._say, warning)  # after the field's commit clears the line

    @work(thread=True, exclusive=True, group="po-check")
    def _check_duplicate_po(self, po: str) -> None:
        if self.customer is None:
            return
        other = order_entry.duplicate_po(self.desk.store, self.customer.id, po, self.draft.id)
        if other is not None:
            warning = f"[b yellow]this customer already sent PO {escape(po)}: order {other}[/]"
            self.app.call_from_thread(self._say, warning)

    def _create_draft(self, customer_id: int) -> None:
        order = drafts.create_draft(
            self.desk.store, actor=self.desk.user.name, customer_id=customer_id
        )
        self.draft.id = order.id
        # post_message, not call_from_thread: the UI may be waiting on this writer (flush)
        self.post_message(self.DraftStarted(order.number))

    class DraftStarted(Message):
        def __init__(self, number: str) -> None:
            super().__init__()
            self.number = number

    class WriteFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def on_order_entry_screen_draft_started(self, message: DraftStarted) -> None:
        self._draft_started(message.number)

    def on_order_entry_screen_write_failed(self, message: WriteFailed) -> None:
        self.notify(
            f"autosave failed: {message.error}; what you typed is kept on screen",
            severity="error",
            timeout=10,
        )

    def _draft_started(self, number: str) -> None:
        self.draft_number = number
        self._refresh_totals()

    def _show_ship_to(self, address: object) -> None:
        a = address  # an Address row
        text = f"{escape(a.name)}, {escape(a.city)} {a.region} {a.country}"  # type: ignore[attr-defined]
        self.query_one("#ship-to-info", Static).update(text)

    # -- lines ------------------------------------------------------------------------------

    def _commit_line_field(self, line: LineState, f: Field) -> None:
        store = self.desk.store
        row = line.row
        if f.field == "part":
            typed = row.part.value.strip()
            shorthand = split_quantity_part(typed)
            if shorthand is not None:
                quantity, typed = shorthand
                row.qty.set_value(f"{quantity.normalize():f}")
            if not typed:
                raise FieldError(row.part.label, "is required")
            if self.customer is None:
                raise FieldError(row.part.label, "enter the customer first")
            if line.item is None or line.item.part_number != typed.upper():
                self.take_item(line, order_entry.resolve_part(store, typed, self.customer.id))
            if shorthand is not None:
                self._commit_quantity(line)
                line.quantity_from_part = True
            self._line_changed(line)
        elif f.field == "qty":
            self._commit_quantity(line)
            self._line_changed(line)
        elif f.field == "price":
            text = row.override.value.strip()
            if not text:
                line.override, line.reason = None, ""
                row.reason.clear()
            else:
                price = to_decimal(text)
                if price is None or price <= 0:
                    raise FieldError(row.override.label, f"'{text}' is not a positive price")
                currency = self.customer.currency if self.customer else "USD"
                if decimals_of(price) > currency_places(currency):
                    raise FieldError(
                        row.override.label,
                        f"{currency} prices have at most {currency_places(currency)} decimals",
                    )
                line.override = price
            self._line_changed(line)
        elif f.field == "reason":
            if line.override is not None and not row.reason.value.strip():
                raise FieldError(row.reason.label, "a price override needs a reason")
            line.reason = row.reason.value.strip()
            self._line_changed(line)

    def take_item(self, line: LineState, item: order_entry.ItemInfo) -> None:
        """Put `item` on the line (its part number in the cell) and describe it."""
        line.item = item
        line.row.part.set_value(item.part_number)
        note = escape(item.description)
        if item.status != "active":
            note = f"[b yellow]{item.status.upper()}[/] {escape(item.description)}"
            if item.replacement_part:  # first: a narrow description never cuts it
                use = escape(item.replacement_part)
                note = f"[b yellow]F6→{use}[/] {item.status} {escape(item.description)}"
        if item.hazmat:
            note += f" [b magenta]HAZMAT {item.hazmat}[/]"
        line.row.paint(desc=note)

    def _commit_quantity(self, line: LineState) -> None:
        row = line.row
        if line.item is None:
            raise FieldError(row.part.label, "enter the part first")
        line.quantity = parse_quantity(
            row.qty.value,
            field=row.qty.label,
            fractional=line.item.fractional_uom,
            uom=line.item.uom,
        )
        row.qty.set_value(f"{line.quantity.normalize():f}")

    def _line_changed(self, line: LineState) -> None:
        """Write the line to the draft and ask for its price and availability."""
        line.generation += 1
        if line.item is None:
            return
        values: dict[str, object] = {
            "item_id": line.item.id,
            "part_number": line.item.part_number,
            "description": line.item.description,
            "uom": line.item.uom,
            "list_price": line.item.list_price,
        }
        if line.quantity is not None:
            values["quantity"] = line.quantity
        if line.override is not None:
            values["unit_price"] = line.override
            values["override_reason"] = line.reason
            values["price_source"] = "override"
        drafts.check_line(line.row.number, values)  # what the store cannot hold is refused here
        self.writer.save(line.row.number, values, self._save_line)
        if line.quantity is not None:
            self._quote(line)

    def _save_line(self, number: int | None, values: dict[str, object]) -> None:
        assert self.draft.id is not None and number is not None, "the draft has the customer"
        drafts.save_line(self.desk.store, self.draft.id, number, values, actor=self.desk.user.name)

    def _add_line_now(self) -> None:
        """A new empty line, usable at once."""
        self.lines.append(LineState(self.grid.add_row()))

    # -- workers: price and availability ---------------------------------------------------------

    def _quote(self, line: LineState) -> None:
        if self.customer is None or line.item is None or line.quantity is None:
            return
        self._price_worker(line, line.generation)
        self._stock_worker(line, line.generation)

    @work(thread=True, group="price")
    def _price_worker(self, line: LineState, generation: int) -> None:
        assert self.customer is not None and line.item is not None and line.quantity is not None
        try:
            result = order_entry.quote_price(
                self.desk.store,
                self.desk.settings,
                customer_id=self.customer.id,
                order_date=self.today,
                promotion_code="",
                ship_to_id=self.ship_to_id,
                item_id=line.item.id,
                quantity=line.quantity,
                override_price=line.override,
                override_reason=line.reason or ("-" if line.override is not None else ""),
                line_no=line.row.number,
            )
        except OrderdeskError as error:
            self.app.call_from_thread(self._line_problem, line, generation, str(error))
            return
        self.app.call_from_thread(self._priced, line, generation, result)

    @work(thread=True, group="stock")
    def _stock_worker(self, line: LineState, generation: int) -> None:
        assert line.item is not None and line.quantity is not None
        try:
            result = order_entry.quote_stock(
                self.desk.store,
                item_id=line.item.id,
                quantity=line.quantity,
                order_id=self.draft.id,
            )
        except OrderdeskError as error:
            self.app.call_from_thread(self._line_problem, line, generation, str(error))
            return
        self.app.call_from_thread(self._stocked, line, generation, result)

    def _line_problem(self, line: LineState, generation: int, message: str) -> None:
        if generation == line.generation and line in self.lines:
            line.row.paint(stock=f"[red]{escape(message)}[/]")

    def _priced(self, line: LineState, generation: int, result: LineResult) -> None:
        if generation != line.generation or line not in self.lines:
            return  # the line changed since: a newer quote is on its way
        before = line.price
        line.price = result
        changed = before is not None and before.unit_price != result.unit_price
        text = f"{result.unit_price:,.4f} {escape(result.price_source)}"
        if result.below_floor:
            text += " [b red]under floor[/]"
        if not result.quantity_check.ok:
            text += f" [yellow]{escape(result.quantity_check.message)}[/]"
        if changed:
            text = f"[reverse]changed[/] {text}"
        line.row.paint(quote=text, ext=f"{result.extended:,.2f}")
        values: dict[str, object] = {
            "unit_price": result.unit_price,
            "list_price": result.list_price,
            "price_source": result.price_source,
            "extended": result.extended,
        }
        self.writer.save(line.row.number, values, self._save_line)
        self._refresh_totals()
        self._refresh_missing()

    def _stocked(self, line: LineState, generation: int, result: LineAvailability) -> None:
        if generation != line.generation or line not in self.lines:
            return
        before = line.stock
        line.stock = result
        where = self._where(result)
        if result.shortfall <= 0:
            text = f"[green]✓ {where}[/]"
        elif result.rest_date is not None:
            text = (
                f"[yellow]{where or '0'} now, {result.shortfall.normalize():f} "
                f"{result.rest_date:%m/%d}[/] F7"
            )
        else:
            text = f"[red]{where or '0'} now, short {result.shortfall.normalize():f}[/] F7"
        if before is not None and before.now_quantity != result.now_quantity:
            text = f"[reverse]changed[/] {text}"
        line.row.paint(stock=text)

    def _where(self, result: LineAvailability) -> str:
        """What ships now, by warehouse: "10 ELK" or "6 ELK+4 RNO"."""
        if not self._warehouses:
            self._warehouses = order_entry.warehouse_codes(self.desk.store)
        return "+".join(
            f"{piece.quantity.normalize():f} {self._warehouses.get(piece.warehouse_id or 0, '?')}"
            for piece in result.ship_now
        )

    def _reprice_all(self) -> None:
        for line in self.lines:
            if line.item is not None and line.quantity is not None:
                line.generation += 1
                self._quote(line)

    def _refresh_totals(self) -> None:
        total = sum((ln.price.extended for ln in self.lines if ln.price is not None), Decimal(0))
        currency = self.customer.currency if self.customer else ""
        lines = sum(1 for ln in self.lines if ln.item is not None)
        draft = f"draft [b]{self.draft_number}[/b] (autosaved) · " if self.draft_number else ""
        self.query_one("#totals", Static).update(
            f"{draft}{lines} line{'s' if lines != 1 else ''} · "
            f"merchandise [b]{total:,.2f} {currency}[/b]",
            layout=False,
        )
        if self.customer is not None:  # not checked: the store refusing a total is shown
            self.writer.save(None, {"subtotal": total, "total": total}, self._save_header)

    # -- what is still missing ---------------------------------------------------------------------

    def missing(self) -> list[str]:
        """What must be filled in before the order can be submitted."""
        todo = []
        if self.customer is None:
            todo.append("customer")
        if not self.header["po"].value.strip():
            todo.append("customer PO")
        if self.customer is not None and self.ship_to_id is None:
            todo.append("ship-to")
        filled = [ln for ln in self.lines if not ln.empty]
        if not filled:
            todo.append("at least one line")
        for line in filled:
            n = line.row.number
            if line.item is None:
                todo.append(f"line {n} part")
            elif line.quantity is None:
                todo.append(f"line {n} quantity")
            if line.override is not None and not line.reason:
                todo.append(f"line {n} override reason")
            if line.price is not None and not line.price.quantity_check.ok:
                todo.append(f"line {n} quantity: {line.price.quantity_check.message}")
        return todo

    def _refresh_missing(self) -> None:
        todo = self.missing()
        text = "Missing: " + ", ".join(todo) if todo else "[green]complete: F9 submits[/]"
        self.query_one("#missing", Static).update(self.unsaved.status() or text, layout=False)

    # -- as-you-type matches -------------------------------------------------------------------

    def _show_matches_for(self, f: Field) -> None:
        self._show_matches("")

    def _lookup_as_typed(self, f: Field) -> None:
        """Look up the matches once typing pauses: a lookup per key of a fast typist would
        compete with the typing for the interpreter and be stale before it is drawn."""
        if self._match_timer is not None:
            self._match_timer.stop()
        self._match_timer = self.set_timer(MATCH_PAUSE_S, lambda: self._look_up_now(f))

    def _look_up_now(self, f: Field) -> None:
        self._match_timer = None
        if f is self.active:
            shorthand = split_quantity_part(f.value) if f.field == "part" else None
            self._matches_worker(f.field, shorthand[1] if shorthand else f.value)

    @work(thread=True, exclusive=True, group="matches")
    def _matches_worker(self, kind: str, text: str) -> None:
        from orderdesk_tui.services.lookup import find_customers, find_parts

        if len(text.strip()) < 2:
            self.app.call_from_thread(self._show_matches, "")
            return
        if kind == "customer":
            rows = [
                f"{h.code:<10} {escape(h.name)[:40]:<40} {escape(h.city)[:18]:<18} {h.matched}"
                for h in find_customers(self.desk.store, text, limit=6)
            ]
        else:
            customer_id = self.customer.id if self.customer else None
            rows = [
                f"{escape(h.part_number):<22} {escape(h.description)[:50]:<50} {h.uom:<4} "
                f"{h.list_price:>10,.2f} {h.matched}"
                for h in find_parts(self.desk.store, text, customer_id=customer_id, limit=6)
            ]
        self.app.call_from_thread(self._show_matches, "\n".join(rows) or "[dim]no match[/]")

    def _show_matches(self, markup: str) -> None:
        shown = self.query("#matches")
        if shown:  # else a worker finished after this screen was closed (F9, F3)
            shown.first(Static).update(markup, layout=False)

    # -- writes ------------------------------------------------------------------------------------

    def _write_header(self, values: dict[str, object]) -> None:
        if self.customer is None:
            return
        drafts.check_header(values)  # what the store cannot hold is refused here
        self.writer.save(None, values, self._save_header)

    def _save_header(self, _header: int | None, values: dict[str, object]) -> None:
        assert self.draft.id is not None
        drafts.update_header(self.desk.store, self.draft.id, values, actor=self.desk.user.name)

    def _write_failed(self, error: BaseException) -> None:
        self.post_message(self.WriteFailed(str(error)))

    def _unsaved_changed(self) -> None:
        """From the writer thread: a save failed, or a retry landed."""
        self.post_message(self.UnsavedChanged())

    class UnsavedChanged(Message):
        pass

    def on_order_entry_screen_unsaved_changed(self, _message: UnsavedChanged) -> None:
        self._show_unsaved()

    def _show_unsaved(self) -> None:
        rows = [line.row for line in self.lines]
        self.unsaved.show(self.writer.pending(), self.header, rows)
        self._refresh_missing()

    # -- actions ---------------------------------------------------------------------------

    def action_submit(self) -> None:
        f = self.active
        line = self._line_of(f) if f is not None else None
        on_empty_line = line is not None and line.empty
        if f is not None and not on_empty_line and not self._commit(f, prompt=False):
            also = [t for t in self.missing() if not self.refusal.startswith(t)]
            self._say("[b red]not submitted[/]: " + escape("; ".join([self.refusal, *also])))
            return
        if (refusal := self.unsaved.refusal()) is not None:
            self._refused([refusal])
            return
        todo = self.missing()
        if todo:
            self.keys_gate.close(get_time())
            self.app.bell()
            self._say("[b red]not complete[/]: " + escape(", ".join(todo)))
            return
        self._say("submitting…")
        self._submit_worker(accept_duplicate_po=False)

    @work(thread=True, exclusive=True, group="submit")
    def _submit_worker(self, accept_duplicate_po: bool) -> None:
        from orderdesk_tui.documents.acknowledgement import write_acknowledgement

        self.writer.flush()
        if self.writer.pending():  # a save failed while F9 waited for it
            self.app.call_from_thread(self._refuse_unsaved)
            return
        assert self.draft.id is not None
        try:
            result = submit.submit_order(
                self.desk.store,
                self.draft.id,
                actor=self.desk.user.name,
                settings=self.desk.settings,
                accept_duplicate_po=accept_duplicate_po,
                on_screen=self.app.call_from_thread(self._on_screen),
            )
        except submit.SubmitRefused as refused:
            self.app.call_from_thread(self._refused, refused.problems)
            return
        except OrderdeskError as error:
            self.app.call_from_thread(self._refused, [str(error)])
            return
        text, pdf = write_acknowledgement(self.desk.store, result.order_id)
        self.app.call_from_thread(self._submitted, result, text, str(pdf))

    def _on_screen(self) -> submit.OnScreen:
        """What submit must find saved (the rest of what is shown is checked by `missing`)."""
        lines = {
            ln.row.number: (ln.item.id, ln.quantity)
            for ln in self.lines
            if ln.item is not None and ln.quantity is not None
        }
        po, notes = self.header["po"].value.strip(), self.header["notes"].value.strip()
        return submit.OnScreen(po, self.ship_to_id, self.requested, notes, lines)

    def _refuse_unsaved(self) -> None:
        self._show_unsaved()
        self._refused([self.unsaved.refusal() or "a field is not saved yet"])

    def _refused(self, problems: list[str]) -> None:
        self.keys_gate.close(get_time())
        self.app.bell()
        duplicate = next((p for p in problems if "is already on order" in p), None)
        if duplicate is not None and len(problems) == 1:

            def answer(choice: int | None) -> None:
                if choice == 0:
                    self._submit_worker(accept_duplicate_po=True)

            self.app.push_screen(
                PickDialog("Duplicate customer PO", ["submit anyway", "go back"], duplicate),
                answer,
            )
            return
        self._say("[b red]not submitted[/]: " + escape("; ".join(problems)))

    def _submitted(self, result: submit.SubmitResult, text: str, pdf: str) -> None:
        """The next order starts at once; the acknowledgement waits on F12 (no dialog to
        close, so keys typed ahead go into the new order)."""
        holds = f" · [b red]on hold[/]: {escape('; '.join(result.holds))}" if result.holds else ""
        state = result.state.replace("_", " ")
        summary = (
            f"[b green]order {result.number} {state}[/] · {result.total:,.2f} {result.currency}"
            f"{holds} · acknowledgement {escape(pdf)} · F12 shows it"
        )
        done = Acknowledged(f"Order {result.number} {state}", text, pdf, summary)
        self.app.switch_screen(OrderEntryScreen(self.desk, self.status, previous=done))

    def action_last_ack(self) -> None:
        """F12: the acknowledgement of the order submitted last, as the customer gets it."""
        if self.previous is None:
            self.app.bell()
            self._say("no order submitted from this screen yet")
            return
        footer = f"PDF: {self.previous.pdf} · Esc/F12 close"
        self.app.push_screen(TextDialog(self.previous.title, self.previous.text, footer))

    # -- drafts left open (parked, or a crash) -------------------------------------------------

    @work(thread=True, exclusive=True, group="drafts")
    def _offer_drafts(self) -> None:
        waiting = drafts.open_drafts(self.desk.store, self.desk.user.name)
        if waiting:
            self.app.call_from_thread(self._show_drafts, waiting)

    def _show_drafts(self, waiting: list[drafts.DraftSummary]) -> None:
        if self.customer is not None or self.header["customer"].value:
            return  # typing has started: the drafts stay on F5
        rows = [f"[b]{len(waiting)} open draft{'s' if len(waiting) != 1 else ''}[/]: F5 resumes"]
        rows += [escape(_draft_row(d)) for d in waiting[:5]]
        self._show_matches("\n".join(rows))

    def action_drafts(self) -> None:
        """F5: pick one of this coordinator's open drafts to finish it."""
        waiting = [
            d
            for d in drafts.open_drafts(self.desk.store, self.desk.user.name)
            if d.order_id != self.draft.id
        ]
        if not waiting:
            self.app.bell()
            self._say("no other open drafts")
            return

        def chosen(index: int | None) -> None:
            if index is None:
                return
            if self.draft.id is not None:
                self.writer.flush()
                self.notify(f"draft {self.draft_number} kept: F5 offers it back")
            resume = waiting[index].order_id
            self.app.switch_screen(OrderEntryScreen(self.desk, self.status, resume=resume))

        rows = [_draft_row(d) for d in waiting]
        self.app.push_screen(PickDialog("Open drafts", rows, "Pick a draft to finish it"), chosen)

    def action_lookup(self) -> None:
        """F4: the full prompt for the customer or part field, pre-filled with what was typed."""
        f = self.active
        if f is None or f.field not in ("customer", "part"):
            self.app.bell()
            return
        self._prompt(f)

    def _prompt(self, f: Field, *, quiet: bool = False) -> None:
        """The ranked matches for what was typed (a `3*` quantity prefix is kept aside); for a
        part, the part picker (it browses by category when nothing matches). `quiet`: opened by
        a refusal, so the keys typed on before a pause do not reach the dialog either."""
        from orderdesk_tui.services.lookup import find_customers

        text = f.value.strip()
        shorthand = split_quantity_part(text) if f.field == "part" else None
        needle = shorthand[1] if shorthand else text
        gate = self.keys_gate if quiet else None

        def chosen(code: str | None) -> None:
            if code is None:
                return
            f.set_value(f"{shorthand[0].normalize():f}*{code}" if shorthand else code)
            self._leave_field(f, "enter")

        if f.field == "part":
            customer_id = self.customer.id if self.customer else None
            title = f"Pick {f.label}"
            picker = PartPicker(
                self.desk.store, needle, title=title, customer_id=customer_id, gate=gate
            )
            self.app.push_screen(picker, chosen)
            return
        hits = find_customers(self.desk.store, needle, limit=30) if needle else []
        if not hits:
            if not quiet:
                self._fail(f, FieldError(f.label, f"nothing matches '{needle}'"))
            return
        rows = [f"{h.code:<10} {h.name[:48]:<48} {h.city[:20]:<20} {h.matched}" for h in hits]
        dialog = PickDialog(f"Pick {f.label} for '{needle}'", rows)
        dialog.gate = gate
        self.app.push_screen(
            dialog, lambda index: chosen(None if index is None else hits[index].code)
        )

    def action_copy_above(self) -> None:
        f = self.active
        line = self._line_of(f) if f is not None else None
        if f is None or line is None or self.lines.index(line) == 0:
            self.app.bell()
            return
        above = self.lines[self.lines.index(line) - 1].row
        source = {
            "part": above.part,
            "qty": above.qty,
            "price": above.override,
            "reason": above.reason,
        }[f.field]
        f.set_value(source.value)

    def action_delete_line(self) -> None:
        f = self.active
        line = self._line_of(f) if f is not None else None
        if line is None:
            self.app.bell()
            return
        index = self.lines.index(line)
        number = line.row.number
        if self.draft.id is not None:  # the store's lines keep the screen's numbers
            self.writer.submit(
                drafts.delete_line,
                self.desk.store,
                self.draft.id,
                number,
                actor=self.desk.user.name,
            )
            self.writer.line_deleted(number)
        self.grid.remove_row(line.row)
        self.lines.remove(line)
        if not self.lines:
            self._add_line_now()
        self._activate(self.lines[min(index, len(self.lines) - 1)].row.part)
        self._refresh_totals()
        self._refresh_missing()

    def _active_line(self) -> LineState | None:
        line = self._line_of(self.active) if self.active is not None else None
        if line is None or line.item is None:
            self.app.bell()
            return None
        return line

    def action_promise(self) -> None:
        """F7: how to serve a short line, in one key (see the availability engine)."""
        line = self._active_line()
        if line is None:
            return
        if line.stock is None or line.stock.shortfall <= 0:
            self._say("this line ships complete now")
            return
        options = list(line.stock.alternatives)
        if not options:
            self._say(
                "[red]no way to promise this line[/]: " + escape("; ".join(line.stock.explanation))
            )
            return
        rows = []
        for alt in options:
            kind = alt.kind.replace("_", " ")
            text = f"{kind:<18} {alt.quantity.normalize():f} on {alt.day:%a %m/%d}"
            if alt.backorder_quantity > 0 and alt.backorder_day is not None:
                text += f", {alt.backorder_quantity.normalize():f} on {alt.backorder_day:%a %m/%d}"
            if alt.part_number:
                text += f"  {alt.part_number}"
            if alt.detail:
                text += f"  ({alt.detail})"
            rows.append(text)

        def chosen(index: int | None) -> None:
            if index is not None:
                self._apply_promise(line, options[index])

        detail = " · ".join(line.stock.explanation)
        self.app.push_screen(PickDialog(f"Line {line.row.number}: promise", rows, detail), chosen)

    def _apply_promise(self, line: LineState, alt: Alternative) -> None:
        kind = AlternativeKind(alt.kind)
        values: dict[str, object] = {}
        if kind == AlternativeKind.REPLACEMENT and alt.item_id is not None:
            self._swap_item(line, alt.item_id)
            return
        if kind == AlternativeKind.DROP_SHIP:
            values["drop_ship"] = True
        elif alt.warehouse_id is not None:
            values["warehouse_id"] = alt.warehouse_id
        if kind == AlternativeKind.SHIP_COMPLETE:
            self._write_header({"ship_complete": True})
        values["requested_date"] = alt.day
        self.writer.save(line.row.number, values, self._save_line)
        line.row.paint(stock=f"[cyan]{escape(kind.replace('_', ' '))}[/] {alt.day:%m/%d}")
        self._say(f"line {line.row.number}: {kind.replace('_', ' ')}")

    def action_use_replacement(self) -> None:
        """F6: put the replacement item on a discontinued line."""
        line = self._active_line()
        if line is None or line.item is None:
            return
        if line.item.replacement_id is None:
            self._say(f"{line.item.part_number} has no replacement")
            self.app.bell()
            return
        self._swap_item(line, line.item.replacement_id)

    def _swap_item(self, line: LineState, item_id: int) -> None:
        old = line.item.part_number if line.item else ""
        item = order_entry.item_info(self.desk.store, item_id)
        line.item = item
        line.row.part.set_value(item.part_number)
        line.row.paint(desc=f"{escape(item.description)} [dim](was {escape(old)})[/]")
        self._line_changed(line)
        self._refresh_missing()

    def action_park(self) -> None:
        """F10: keep the draft (it is saved already) and start a new order."""
        if self.draft.id is None:
            self.app.bell()
            self._say("nothing to park yet: enter a customer first")
            return
        if self._stays_unsaved("F10"):
            return
        self.notify(f"parked draft {self.draft_number}: F5 on a new order resumes it")
        self.app.switch_screen(OrderEntryScreen(self.desk, self.status))

    def action_leave(self) -> None:
        if self.draft.id is not None:
            if self._stays_unsaved("F3"):
                return
            self.notify("the draft is kept: F5 on a new order (Ctrl+N) resumes it")
        self.app.pop_screen()

    def _stays_unsaved(self, key: str) -> bool:
        """Wait for the saves given so far; True (and say why) if a field is still unsaved and
        `key` was not pressed again to leave anyway."""
        self.writer.flush()
        self._show_unsaved()
        warning = self.unsaved.leave_warning(key, get_time())
        if warning is None:
            return False
        self.app.bell()
        self._say(warning)
        return True

    def action_history(self) -> None:
        """F11: start from the customer's history: copy the last order, or add usual items."""
        if self.customer is None:
            self._fail(self.header["customer"], FieldError("customer", "enter the customer first"))
            return
        self._history_worker(self.customer.id)

    @work(thread=True, exclusive=True, group="history")
    def _history_worker(self, customer_id: int) -> None:
        last = order_history.last_order(self.desk.store, customer_id)
        usual = order_history.usual_items(self.desk.store, customer_id, today=self.today)
        self.app.call_from_thread(self._offer_history, last, usual)

    def _offer_history(
        self, last: order_history.PastOrder | None, usual: list[order_history.UsualItem]
    ) -> None:
        if last is None and not usual:
            self._say(f"{self.customer.code if self.customer else ''} has no order history yet")
            return
        rows: list[str] = []
        if last is not None:
            rows.append(
                f"copy last order {last.number} (PO {last.customer_po or '-'}, "
                f"{last.entered_at:%Y-%m-%d}, {len(last.lines)} lines)"
            )
        rows += [
            f"{u.part_number:<22} {u.description[:40]:<40} usual {u.usual_quantity.normalize():f}"
            f" {u.uom:<3} last {u.last_date:%m/%d/%y} {u.times_ordered}x"
            + ("" if u.status == "active" else f" {u.status.upper()}")
            for u in usual
        ]

        def chosen(index: int | None) -> None:
            if index is None:
                return
            if last is not None and index == 0:
                problems = self._add_items([(ln.part_number, ln.quantity) for ln in last.lines])
                copied = len(last.lines) - len(problems)
                self._say(f"copied {copied} lines of {last.number}" + problems_note(problems))
                return
            item = usual[index - (1 if last is not None else 0)]
            problems = self._add_items([(item.part_number, item.usual_quantity)])
            self._say(f"added {item.part_number}" + problems_note(problems))
            if not problems:
                self._offer_history(last, usual)  # pick another, Esc when done

        self.app.push_screen(PickDialog("Usual items and last order", rows), chosen)

    def _add_items(self, wanted: list[tuple[str, Decimal]]) -> list[str]:
        """Put these parts and quantities on empty lines, as if typed; returns the problems."""
        problems = []
        for part, quantity in wanted:
            line = next((ln for ln in self.lines if ln.empty), None)
            if line is None:
                self._add_line_now()
                line = self.lines[-1]
            line.row.part.set_value(part)
            line.row.qty.set_value(f"{quantity.normalize():f}")
            try:
                self._commit_line_field(line, line.row.part)
                self._commit_line_field(line, line.row.qty)
            except OrderdeskError as error:
                problems.append(f"{part}: {error}")
        self._activate(self._next_empty_part())
        self._refresh_missing()
        if problems:
            self.app.bell()
        return problems

    def _load_draft(self, order_id: int) -> None:
        """Fill the screen from a stored draft (resumed after a park or a crash)."""
        order, saved = drafts.load_draft(self.desk.store, order_id)
        self.draft.id = order.id
        self._writes_pending_create = True
        customer = order_entry.customer_info(self.desk.store, order.customer_id)
        self.customer = customer
        h = self.header
        h["customer"].set_value(customer.code)
        self._set_customer_info(customer)
        h["po"].set_value(order.customer_po)
        h["ship_via"].set_value(order.ship_via)
        h["freight"].set_value(order.freight_terms)
        h["priority"].set_value(order.priority)
        h["notes"].set_value(order.notes)
        if order.requested_date is not None:
            self.requested = order.requested_date
            h["requested"].set_value(order.requested_date.isoformat())
            self.query_one("#requested-info", Static).update(f"{order.requested_date:%a %d %b}")
        if order.ship_to_id is not None:
            address = order_entry.address(self.desk.store, order.ship_to_id)
            self.ship_to_id = address.id
            h["ship_to"].set_value(address.code)
            self._show_ship_to(address)
        for stored in saved:
            while len(self.lines) < stored.line_no:  # rows keep the stored line numbers
                self._add_line_now()
            line = self.lines[stored.line_no - 1]
            if stored.item_id is not None:
                line.item = order_entry.item_info(self.desk.store, stored.item_id)
                line.row.part.set_value(line.item.part_number)
                line.row.paint(desc=escape(line.item.description))
            if stored.quantity > 0:
                line.quantity = stored.quantity
                line.row.qty.set_value(f"{stored.quantity.normalize():f}")
            if stored.override_reason:
                line.override, line.reason = stored.unit_price, stored.override_reason
                line.row.override.set_value(f"{stored.unit_price.normalize():f}")
                line.row.reason.set_value(stored.override_reason)
            line.generation += 1
            self._quote(line)
        self._draft_started(order.number)
        self._activate(self._next_empty_part())
        self._refresh_missing()
