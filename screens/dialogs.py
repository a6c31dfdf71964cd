"""Typed modal dialogs: a reason, a supervisor override, a note.

Each returns its result through `dismiss()`; None means the user cancelled. What was typed is
kept when a check fails, and the message says what is wrong.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static

from orderdesk_tui.domain.callback_time import parse_callback
from orderdesk_tui.errors import FieldError, NeedsConfirmation, OrderdeskError, StaleEdit
from orderdesk_tui.models.base import NoteChannel
from orderdesk_tui.services.users import Approval
from screens.entry_keys import GatedKeys
from screens.failures import Guarded
from screens.keys import bind
from screens.widgets.desk_input import DeskInput

DIALOG_BINDINGS: list[BindingType] = [
    bind("dialog.ok", "ok", "OK"),
    bind("dialog.cancel", "cancel", "Cancel"),
]


T = TypeVar("T")


class _Dialog(Guarded, ModalScreen[T | None], Generic[T]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = DIALOG_BINDINGS

    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, message: str) -> None:
        error = self.query_one(".dialog-error", Static)
        error.update(Content(message))  # may quote what was typed: never markup
        error.display = True
        self.app.bell()


class ReasonDialog(_Dialog[str]):
    """Ask why (release a hold, cancel an order). An empty reason is refused."""

    def __init__(self, title: str, detail: str = "") -> None:
        super().__init__()
        self._title = title
        self._detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self._title), classes="dialog-title")
            if self._detail:
                yield Static(Content(self._detail), classes="dialog-detail")
            yield DeskInput(placeholder="reason (required)", id="reason")
            yield Static(classes="dialog-error")
            yield Static("Enter OK · Esc/F12 cancel", classes="dialog-help")

    @on(Input.Submitted)
    def action_ok(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.show_error("a reason is required")
            return
        self.dismiss(reason)


class SupervisorDialog(_Dialog[Approval]):
    """A supervisor types name and PIN on the spot; `verify` checks them (in a thread)."""

    def __init__(self, purpose: str, verify: Callable[[str, str], Approval]) -> None:
        super().__init__()
        self._purpose = purpose
        self._verify = verify

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Supervisor override", classes="dialog-title")
            yield Static(Content(self._purpose), classes="dialog-detail")
            yield DeskInput(placeholder="supervisor", id="supervisor")
            yield DeskInput(placeholder="PIN", password=True, id="pin")
            yield Static(classes="dialog-error")
            yield Static("Enter OK · Esc/F12 cancel", classes="dialog-help")

    @on(Input.Submitted, "#supervisor")
    def _to_pin(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def action_ok(self) -> None:
        name = self.query_one("#supervisor", Input).value.strip()
        pin = self.query_one("#pin", Input).value
        if not name:
            self.query_one("#supervisor", Input).focus()
            self.show_error("the supervisor's name is required")
            return
        self._check(name, pin)

    @work(thread=True, exclusive=True)
    def _check(self, name: str, pin: str) -> None:
        try:
            supervisor = self._verify(name, pin)
        except OrderdeskError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, supervisor)

    def _refused(self, message: str) -> None:
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()
        self.show_error(message)


@dataclass(frozen=True)
class NoteInput:
    channel: str
    body: str
    #: "Promised to call back at": the queue lists it when due.
    callback_at: datetime | None = None


class NoteDialog(_Dialog[tuple[str, str] | NoteInput]):
    """A note for the communication log: channel and text, and with `callback=True` an
    optional call-back time. Returns (channel, text), or a NoteInput when asked for the
    call-back."""

    def __init__(self, subject: str, *, callback: bool = False) -> None:
        super().__init__()
        self._subject = subject
        self._callback = callback

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(f"Note on {self._subject}"), classes="dialog-title")
            yield Select(
                [(c.value, c.value) for c in NoteChannel],
                value=NoteChannel.PHONE.value,
                allow_blank=False,
                id="channel",
            )
            yield DeskInput(placeholder="what was said or done", id="body")
            if self._callback:
                yield DeskInput(
                    placeholder="call back at (optional): 14:30, +2h, tomorrow 9am, fri 10:00",
                    id="callback",
                )
            yield Static(classes="dialog-error")
            yield Static("Enter save · Esc/F12 cancel", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one("#body", Input).focus()

    @on(Input.Submitted)
    def action_ok(self) -> None:
        body = self.query_one("#body", Input).value.strip()
        if not body:
            self.query_one("#body", Input).focus()
            self.show_error("the note is empty")
            return
        channel = str(self.query_one("#channel", Select).value)
        if not self._callback:
            self.dismiss((channel, body))
            return
        typed = self.query_one("#callback", Input)
        callback_at = None
        if typed.value.strip():
            try:
                callback_at = parse_callback(typed.value, datetime.now().astimezone())
            except FieldError as error:
                typed.focus()
                self.show_error(str(error))
                return
        self.dismiss(NoteInput(channel, body, callback_at))


class PickDialog(GatedKeys, _Dialog[int]):
    """Choose one of several rows: arrows and Enter, or its number key (1-9). With a `gate`
    (opened by a refusal) the keys typed on before a pause are thrown away (entry_keys)."""

    def __init__(self, title: str, rows: list[str], detail: str = "") -> None:
        super().__init__()
        self._title = title
        self._rows = rows
        self._detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Content(self._title), classes="dialog-title")
            if self._detail:
                yield Static(Content(self._detail), classes="dialog-detail")
            yield OptionList(
                *(
                    Content(f"{n}  {row}" if n <= 9 else f"   {row}")
                    for n, row in enumerate(self._rows, 1)
                ),
                id="choices",
            )
            yield Static("↑↓ Enter or 1-9 choose · Esc/F12 cancel", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            index = int(event.character) - 1
            if index < len(self._rows):
                event.stop()
                self.dismiss(index)

    def action_ok(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self.dismiss(highlighted)


class QuestionDialog(GatedKeys, _Dialog[bool]):
    """A question answered in one key: Enter says yes (True), Esc/F12 no (None)."""

    def __init__(self, title: str, detail: str, keys: str) -> None:
        super().__init__()
        self._title = title
        self._detail = detail
        self._keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self._title, classes="dialog-title")
            yield Static(self._detail, classes="dialog-detail", markup=False)
            yield Static(self._keys, classes="dialog-help", markup=False)

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            self.dismiss(True)

    def action_ok(self) -> None:
        self.dismiss(True)


class PromptDialog(_Dialog[T]):
    """Ask for one value; `check` turns the text into the result or raises OrderdeskError,
    whose message is shown while what was typed stays in the field."""

    def __init__(
        self,
        title: str,
        check: Callable[[str], T],
        *,
        detail: str = "",
        value: str = "",
        placeholder: str = "",
    ) -> None:
        super().__init__()
        self._title = title
        self._check = check
        self._detail = detail
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self._title), classes="dialog-title")
            if self._detail:
                yield Static(self._detail, classes="dialog-detail", markup=False)
            yield DeskInput(value=self._value, placeholder=self._placeholder, id="value")
            yield Static(classes="dialog-error")
            yield Static("Enter OK · Esc/F12 cancel", classes="dialog-help")

    @on(Input.Submitted)
    def action_ok(self) -> None:
        try:
            result = self._check(self.query_one("#value", Input).value)
        except OrderdeskError as exc:
            self.show_error(str(exc))
            return
        self.dismiss(result)


class TextDialog(_Dialog[None]):
    """A read-only text (an acknowledgement) with a line under it; any close key leaves."""

    def __init__(self, title: str, text: str, footer: str = "") -> None:
        super().__init__()
        self._title = title
        self._text = text
        self._footer = footer

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Label(Content(self._title), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(self._text, markup=False)
            yield Static(self._footer or "Esc/F12 close", classes="dialog-help")

    def action_ok(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class FormField:
    #: The key the values are returned under.
    name: str
    #: What the user reads, and the field name FieldError uses for it.
    label: str
    value: str = ""
    hint: str = ""


@dataclass
class FormContext:
    """What a save needs besides the values: the version the form was read at, and whether
    the user confirmed saving over suspected duplicates."""

    version: int | None = None
    confirm_duplicates: bool = False


@dataclass(frozen=True)
class Reread:
    """The record as stored now (after a StaleEdit): values, version, who changed it."""

    values: dict[str, str]
    version: int
    changed_by: str = ""


class FormDialog(_Dialog[T], Generic[T]):
    """Labelled fields, saved with Ctrl+S by `save` in a thread; Enter moves to the next field.

    A FieldError marks its field and says the rule; a suspected duplicate is listed and saved
    on a second Ctrl+S; when someone else saved first (StaleEdit) `reread` fetches the stored
    record and the form says what they changed; in every case what was typed stays."""

    def __init__(
        self,
        title: str,
        fields: list[FormField],
        save: Callable[[dict[str, str], FormContext], T],
        *,
        version: int | None = None,
        reread: Callable[[], Reread] | None = None,
        detail: str = "",
    ) -> None:
        super().__init__()
        self._title = title
        self._fields = fields
        self._save = save
        self._reread = reread
        self._detail = detail
        self._read = {f.name: f.value for f in fields}
        self.context = FormContext(version=version)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide form"):
            yield Label(Content(self._title), classes="dialog-title")
            if self._detail:
                yield Static(Content(self._detail), classes="dialog-detail")
            with VerticalScroll(classes="form-fields"):
                for f in self._fields:
                    with Horizontal(classes="form-row"):
                        yield Label(Content(f.label), classes="form-label")
                        yield DeskInput(
                            f.value, placeholder=f.hint, id=f"f-{f.name.replace('.', '-')}"
                        )
            yield Static(classes="dialog-error")
            yield Static("Enter next field · Ctrl+S save · Esc/F12 cancel", classes="dialog-help")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def input_of(self, name: str) -> Input:
        return self.query_one(f"#f-{name.replace('.', '-')}", Input)

    @property
    def values(self) -> dict[str, str]:
        return {f.name: self.input_of(f.name).value for f in self._fields}

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next(Input)

    def action_ok(self) -> None:
        for widget in self.query(Input):
            widget.remove_class("invalid")
        self._run_save(self.values)

    @work(thread=True, exclusive=True)
    def _run_save(self, values: dict[str, str]) -> None:
        try:
            result = self._save(values, self.context)
        except FieldError as error:
            self.app.call_from_thread(self._field_error, error)
        except StaleEdit as error:
            self._stale(error)
        except NeedsConfirmation as warning:
            self.context.confirm_duplicates = True
            self.app.call_from_thread(
                self.show_error, f"{warning}\nCtrl+S again saves it anyway; Esc to drop it"
            )
        except OrderdeskError as error:
            self.app.call_from_thread(self.show_error, str(error))
        else:
            self.app.call_from_thread(self.dismiss, result)

    def _field_error(self, error: FieldError) -> None:
        wanted = error.field.lower()
        for f in self._fields:
            if wanted in (f.label.lower(), f.name.replace("_", " ")):
                widget = self.input_of(f.name)
                widget.add_class("invalid")
                widget.focus()
                break
        self.show_error(str(error))

    def _stale(self, error: StaleEdit) -> None:
        if self._reread is None:
            self.app.call_from_thread(self.show_error, str(error))
            return
        try:
            now = self._reread()
        except OrderdeskError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.app.call_from_thread(self._merge_theirs, now)

    def _merge_theirs(self, now: Reread) -> None:
        """Take their values into the fields this user left alone; keep what this user typed
        (where both changed a field, this user's text stays and the message says so)."""
        labels = {f.name: f.label for f in self._fields}
        taken, clashes = [], []
        for name, value in now.values.items():
            if name not in labels or self._read.get(name) == value:
                continue
            field = self.input_of(name)
            what = f"{labels[name]}: {self._read.get(name, '')!r} → {value!r}"
            if field.value == self._read.get(name):
                field.value = value
                taken.append(what)
            else:
                clashes.append(what)
        self._read = {**self._read, **now.values}
        self.context.version = now.version
        who = now.changed_by or "someone else"
        lines = [f"{who} saved this record while you were editing."]
        if taken:
            lines.append(f"Taken into the form: {'; '.join(taken)}.")
        if clashes:
            lines.append(f"Also changed by you (yours kept): {'; '.join(clashes)}.")
        lines.append("Your input is kept: Ctrl+S saves it, Esc drops it.")
        self.show_error("\n".join(lines))
