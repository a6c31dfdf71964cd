"""F1: every key in force on the screen below, with its binding id (for bindings.toml)."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static

from screens.keys import bind


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [bind("dialog.cancel", "dismiss_help", "Close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Keys on this screen", classes="dialog-title")
            yield DataTable(cursor_type="row", zebra_stripes=True)
            yield Static(
                "Change a key: put its id and key in bindings.toml in your config dir "
                "(orderdesk doctor shows where).",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "action", "id")
        seen: set[str] = set()
        for active in self._under.active_bindings.values():
            binding = active.binding
            if not binding.description or (binding.id or binding.action) in seen:
                continue
            seen.add(binding.id or binding.action)
            table.add_row(self.app.get_key_display(binding), binding.description, binding.id or "")
        table.focus()

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
