"""A one-line entry field whose keys are applied by its screen, in the order they were typed.

Textual hands each key to the focused widget's own message queue, so in a fast burst the keys
after an Enter can reach the old field before the focus moves. Entry screens avoid that: the
app passes every key straight to the screen's `type_ahead_key()`, which edits these fields
synchronously and moves between them before the next key is looked at (see app.on_event).
"""

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class EntryField(Widget):
    DEFAULT_CSS = """
    EntryField { height: 1; width: 14; background: $surface-lighten-2; color: $text; }
    EntryField.-active { background: $accent 35%; }
    EntryField.-error { background: $error 45%; }
    EntryField.-readonly { background: transparent; color: $text-muted; }
    """

    value: reactive[str] = reactive("", layout=False)
    cursor: reactive[int] = reactive(0, layout=False)
    active: reactive[bool] = reactive(False, layout=False)

    def __init__(
        self,
        field: str,
        *,
        width: int = 14,
        upper: bool = False,
        placeholder: str = "",
        label: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.field = field
        self.upper = upper
        #: Just entered: the first character typed replaces the value (editing keys keep it).
        self.fresh = False
        self.placeholder = placeholder
        self.label = label or field
        self.styles.width = width

    def render(self) -> Text:
        value = self.value
        if not value and not self.active:
            return Text(self.placeholder, style="dim")
        text = Text(value)
        if self.active:
            at = min(self.cursor, len(value))
            if at == len(value):
                text.append(" ", style="reverse")
            else:
                text.stylize("reverse", at, at + 1)
        return text

    def watch_active(self, active: bool) -> None:
        self.set_class(active, "-active")

    def set_error(self, error: bool) -> None:
        self.set_class(error, "-error")

    # -- editing, called by the screen in key order ------------------------------------------

    def set_value(self, value: str) -> None:
        self.value = value.upper() if self.upper else value
        self.cursor = len(self.value)

    def insert(self, text: str) -> None:
        if self.upper:
            text = text.upper()
        at = min(self.cursor, len(self.value))
        self.value = self.value[:at] + text + self.value[at:]
        self.cursor = at + len(text)

    def backspace(self) -> None:
        at = min(self.cursor, len(self.value))
        if at:
            self.value = self.value[: at - 1] + self.value[at:]
            self.cursor = at - 1

    def delete(self) -> None:
        at = self.cursor
        self.value = self.value[:at] + self.value[at + 1 :]

    def move(self, delta: int) -> None:
        self.cursor = max(0, min(len(self.value), self.cursor + delta))

    def home(self) -> None:
        self.cursor = 0

    def end(self) -> None:
        self.cursor = len(self.value)

    def clear(self) -> None:
        self.value = ""
        self.cursor = 0
