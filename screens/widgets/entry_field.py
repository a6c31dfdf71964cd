"""A one-line entry field whose keys are applied by its screen, in the order they were typed.

Textual hands each key to the focused widget's own message queue, so in a fast burst the keys
after an Enter can reach the old field before the focus moves. Entry screens avoid that: the
app passes every key straight to the screen's `type_ahead_key()`, which edits these fields
synchronously and moves between them before the next key is looked at (see app.on_event).
"""

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from screens.widgets.editable_text import EditableText


class EntryField(EditableText, Widget):
    DEFAULT_CSS = """
    EntryField { height: 1; width: 14; background: $surface-lighten-2; color: $text; }
    EntryField.-active { background: $accent 35%; }
    EntryField.-error { background: $error 45%; }
    EntryField.-unsaved { background: $warning 45%; text-style: underline; }
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
        self.fresh = False
        self.error = False
        #: Its last save failed: shown until a retry lands (services.autosave).
        self.unsaved = False
        self.placeholder = placeholder
        self.label = label or field
        self.styles.width = width

    def render(self) -> Text:
        return self.as_text(self.placeholder)

    def watch_active(self, active: bool) -> None:
        self.set_class(active, "-active")

    def set_error(self, error: bool) -> None:
        self.error = error
        self.set_class(error, "-error")

    def set_unsaved(self, unsaved: bool) -> None:
        self.unsaved = unsaved
        self.set_class(unsaved, "-unsaved")

    def reveal(self) -> None:
        """Scroll into view once laid out."""
        self.screen.call_after_refresh(self.scroll_visible, animate=False)
