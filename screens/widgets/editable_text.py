"""The editing keys shared by every one-line entry field, whether a widget or a grid cell.

The entry screen applies keys itself, in the order they were typed (see `type_ahead_key`), so
a field is only a value and a cursor; how it is drawn is up to its owner.
"""

from rich.text import Text


class EditableText:
    """Value + cursor editing; subclasses provide `value`, `cursor`, `active` and `upper`."""

    value: str
    cursor: int
    active: bool
    upper: bool
    #: Just entered: the first character typed replaces the value (editing keys keep it).
    fresh: bool

    def as_text(self, placeholder: str = "") -> Text:
        """The value as drawn: the cursor in reverse video while the field is active."""
        value = self.value
        if not value and not self.active:
            return Text(placeholder, style="dim")
        text = Text(value)
        if self.active:
            at = min(self.cursor, len(value))
            if at == len(value):
                text.append(" ", style="reverse")
            else:
                text.stylize("reverse", at, at + 1)
        return text

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
