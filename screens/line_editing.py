"""Going back to fix a line, green-screen style: jump to a line, field exit, clear, insert.

Changing the quantity of line 3 is `Ctrl+G 3 Enter`, then the new quantity and Enter: the jump
lands on the line's quantity (its part while it has none) with overtype armed, so the first
character typed replaces the field (5250 style; Left, Right, Home or End first edit in place).
The line-number prompt is modal and takes its keys in the order typed, like every field of the
entry screen; a number that is not a line is refused and the keys typed after it are dropped,
so they cannot overtype the field the cursor stayed on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

from orderdesk_tui.services import change_drafts, drafts
from screens.keys import key_of
from screens.textual_private import event_time

if TYPE_CHECKING:
    from screens.entry_lines import Field, LineState
    from screens.order_entry import OrderEntryScreen

#: The screen actions of these keys ([entry] in bindings.toml).
ACTIONS = frozenset({"goto_line", "insert_line", "field_exit", "clear_field"})
#: Digits the line-number prompt takes (a longer number is no line of any order).
MAX_DIGITS = 4


class LineEditor:
    """The line-editing keys of the entry screen, applied as they are typed."""

    def __init__(self, screen: OrderEntryScreen) -> None:
        self.screen = screen
        #: The digits typed after Ctrl+G; None while no line number is being asked for.
        self.wanted: str | None = None
        #: The line just inserted, while the cursor is on it: left empty, it goes away again.
        self.inserted: LineState | None = None

    def take(self, event: events.Key, action: str | None) -> bool:
        """Apply `event` if it is one of these keys or the prompt is open; True if taken.
        `action`: the screen's own action for the key (screens/entry_keys.own_action)."""
        if self.wanted is not None:
            self._prompt_key(event, action)
            return True
        if action not in ACTIONS:
            return False
        getattr(self.screen, f"action_{action}")()
        return True

    # -- Ctrl+G: go to line N ------------------------------------------------------------------

    def goto_line(self) -> None:
        self.wanted = ""
        self._show_prompt()

    def _show_prompt(self) -> None:
        self.screen._say(
            f"[b]go to line:[/] [reverse]{self.wanted} [/]  "
            f"[dim]1 to {len(self.screen.lines)}, Enter goes, Esc cancels[/]"
        )

    def _prompt_key(self, event: events.Key, action: str | None) -> None:
        assert self.wanted is not None
        key = event.key
        if key in ("enter", "tab"):
            self._go(self.wanted)
        elif key == "escape" or action == "goto_line":
            self.wanted = None
            self.screen._say("")
        elif key == "backspace":
            self.wanted = self.wanted[:-1]
            self._show_prompt()
        elif event.character and event.character.isdigit() and len(self.wanted) < MAX_DIGITS:
            self.wanted += event.character
            self._show_prompt()
        else:
            self.screen.app.bell()

    def _go(self, digits: str) -> None:
        self.wanted = None
        screen = self.screen
        if not digits:
            screen._say("")
            return
        number = int(digits)
        if not 1 <= number <= len(screen.lines):
            screen.keys_gate.close(event_time())  # what was typed for that line is thrown away
            screen.app.bell()
            last = len(screen.lines)
            screen._say(f"[b $error]no line {number}[/]: this order has lines 1 to {last}")
            return
        f = screen.active
        if f is not None and not screen._commit(f):
            return
        line = screen.lines[number - 1]
        screen._activate(line.row.qty if line.item is not None else line.row.part)
        screen._say("")

    # -- field keys ---------------------------------------------------------------------------

    def field_exit(self) -> None:
        """Clear from the cursor to the end of the field, save it, and go on (as Tab)."""
        f = self.screen.active
        if f is None:
            return
        f.set_value(f.value[: f.cursor])
        f.fresh = False
        self.screen._leave_field(f, "tab")

    def clear_field(self) -> None:
        f = self.screen.active
        if f is None:
            return
        f.clear()
        f.fresh = False
        f.set_error(False)

    # -- lines ------------------------------------------------------------------------------

    def insert_line(self) -> None:
        """A new empty line above the cursor's line; the lines below move down one number."""
        screen = self.screen
        f = screen.active
        line = screen.grid.line_of(f)
        if screen.change is not None:
            screen.app.bell()
            screen._say("in a change, new lines go after the last one: Enter on an empty part")
            return
        if f is None or line is None:
            screen.app.bell()
            screen._say(
                f"{key_of(screen, 'entry.insert_line')} inserts a line above the cursor's line: "
                "go to a line first"
            )
            return
        if not screen._commit(f):
            return
        index = screen.lines.index(line)
        new = screen.grid.insert_line(index)
        screen.writer.submit(self._make_room, index + 1)
        screen.writer.line_inserted(index + 1)
        self.inserted = new
        screen._activate(new.row.part)
        screen._refresh_missing()
        screen._say(f"line {index + 1} inserted: the lines below it moved down one")

    def moving_to(self, f: Field) -> None:
        """The cursor moves to `f`: a line inserted and left empty is taken out again, so an
        order never keeps a gap in its line numbers."""
        line, self.inserted = self.inserted, None
        screen = self.screen
        if line is None or line not in screen.lines or not line.empty:
            return
        if f in line.row.cells:
            self.inserted = line
            return
        screen.grid.remove_line(line)
        screen.writer.submit(self._close_gap, line.row.number)
        screen.writer.line_deleted(line.row.number)

    def _close_gap(self, number: int) -> None:
        screen = self.screen
        if screen.change is not None:
            change_drafts.remove_line(screen.desk.store, screen.change.id, number)
        elif screen.draft.id is not None:
            user = screen.desk.user.name
            drafts.delete_line(screen.desk.store, screen.draft.id, number, actor=user)

    def _make_room(self, number: int) -> None:
        """On the writer thread, after the writes before it (the draft may be new)."""
        screen = self.screen
        if screen.draft.id is not None:
            drafts.insert_line(
                screen.desk.store, screen.draft.id, number, actor=screen.desk.user.name
            )


class LineEditingActions:
    """The screen's actions for these keys (the legend and the command palette run them)."""

    line_editor: LineEditor

    def action_goto_line(self) -> None:
        self.line_editor.goto_line()

    def action_insert_line(self) -> None:
        self.line_editor.insert_line()

    def action_field_exit(self) -> None:
        self.line_editor.field_exit()

    def action_clear_field(self) -> None:
        self.line_editor.clear_field()
