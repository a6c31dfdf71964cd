"""Typed modal dialogs: a reason, a supervisor override, a note.

Each returns its result through `dismiss()`; None means the user cancelled. What was typed is
kept when a check fails, and the message says what is wrong.
"""

from collections.abc import Callable
from typing import Generic, TypeVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static

from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.models import User
from orderdesk_tui.models.base import NoteChannel
from screens.keys import bind

DIALOG_BINDINGS = [
    bind("dialog.ok", "ok", "OK"),
    bind("dialog.cancel", "cancel", "Cancel"),
]


T = TypeVar("T")


class _Dialog(ModalScreen[T | None], Generic[T]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = DIALOG_BINDINGS

    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, message: str) -> None:
        error = self.query_one(".dialog-error", Static)
        error.update(message)
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
            yield Label(self._title, classes="dialog-title")
            if self._detail:
                yield Static(self._detail, classes="dialog-detail")
            yield Input(placeholder="reason (required)", id="reason")
            yield Static(classes="dialog-error")
            yield Static("Enter OK · Esc/F12 cancel", classes="dialog-help")

    @on(Input.Submitted)
    def action_ok(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.show_error("a reason is required")
            return
        self.dismiss(reason)


class SupervisorDialog(_Dialog[User]):
    """A supervisor types name and PIN on the spot; `verify` checks them (in a thread)."""

    def __init__(self, purpose: str, verify: Callable[[str, str], User]) -> None:
        super().__init__()
        self._purpose = purpose
        self._verify = verify

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Supervisor override", classes="dialog-title")
            yield Static(self._purpose, classes="dialog-detail")
            yield Input(placeholder="supervisor", id="supervisor")
            yield Input(placeholder="PIN", password=True, id="pin")
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


class NoteDialog(_Dialog[tuple[str, str]]):
    """A note for the communication log: channel and text."""

    def __init__(self, subject: str) -> None:
        super().__init__()
        self._subject = subject

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Note on {self._subject}", classes="dialog-title")
            yield Select(
                [(c.value, c.value) for c in NoteChannel],
                value=NoteChannel.PHONE.value,
                allow_blank=False,
                id="channel",
            )
            yield Input(placeholder="what was said or done", id="body")
            yield Static(classes="dialog-error")
            yield Static("Enter save · Esc/F12 cancel", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one("#body", Input).focus()

    @on(Input.Submitted)
    def action_ok(self) -> None:
        body = self.query_one("#body", Input).value.strip()
        if not body:
            self.show_error("the note is empty")
            return
        channel = self.query_one("#channel", Select).value
        self.dismiss((str(channel), body))


class PickDialog(_Dialog[int]):
    """Choose one of several rows: arrows and Enter, or its number key (1-9)."""

    def __init__(self, title: str, rows: list[str], detail: str = "") -> None:
        super().__init__()
        self._title = title
        self._rows = rows
        self._detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self._title, classes="dialog-title")
            if self._detail:
                yield Static(self._detail, classes="dialog-detail")
            yield OptionList(
                *(f"{n}  {row}" if n <= 9 else f"   {row}" for n, row in enumerate(self._rows, 1)),
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


class TextDialog(_Dialog[None]):
    """A read-only text (an acknowledgement) with a line under it; any close key leaves."""

    def __init__(self, title: str, text: str, footer: str = "") -> None:
        super().__init__()
        self._title = title
        self._text = text
        self._footer = footer

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Label(self._title, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(self._text, markup=False)
            yield Static(self._footer or "Esc/F12 close", classes="dialog-help")

    def action_ok(self) -> None:
        self.dismiss(None)


class InputDialog(_Dialog[T], Generic[T]):
    """One line to type (a time, a reason); `read` turns it into the result or raises an
    OrderdeskError whose message is shown while the typed text stays for correcting."""

    def __init__(
        self, title: str, read: Callable[[str], T], *, placeholder: str = "", value: str = ""
    ) -> None:
        super().__init__()
        self._title = title
        self._read = read
        self._placeholder = placeholder
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="dialog-title")
            yield Input(value=self._value, placeholder=self._placeholder, id="answer")
            yield Static(classes="dialog-error")
            yield Static("Enter OK · Esc/F12 cancel", classes="dialog-help")

    @on(Input.Submitted)
    def action_ok(self) -> None:
        try:
            result = self._read(self.query_one("#answer", Input).value)
        except OrderdeskError as exc:
            self.show_error(str(exc))
            return
        self.dismiss(result)
