"""A discontinued part with a replacement, typed on a line: asked about once, in one key.

Enter takes the replacement. Esc keeps the part typed while stock of it remains (the last ones
are sold); with none left it is refused, as nothing more of it will come. The question stops
the typing as a refusal does: keys typed on before a pause are thrown away (entry_keys), so no
key typed blindly answers it. A quantity typed with the part (`3*VB-B54`) is kept either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orderdesk_tui.domain.entry_shorthand import split_quantity_part
from orderdesk_tui.errors import FieldError, OrderdeskError
from orderdesk_tui.models.base import ItemStatus
from orderdesk_tui.services import order_entry
from screens.dialogs import QuestionDialog
from screens.textual_private import event_time

if TYPE_CHECKING:
    from screens.entry_lines import Field, LineState
    from screens.order_entry import OrderEntryScreen


def ask(screen: OrderEntryScreen, line: LineState, f: Field) -> bool:
    """True if the part typed in `f` is a discontinued part with a replacement, not yet on
    the line: the question is asked, and its answer leaves the field."""
    typed = f.value.strip()
    shorthand = split_quantity_part(typed)
    prefix = f"{shorthand[0].normalize():f}*" if shorthand else ""
    typed = shorthand[1] if shorthand else typed
    if screen.customer is None or not typed:
        return False
    if line.item is not None and line.item.part_number == typed.upper():
        return False  # already on the line (asked before, or F6)
    store = screen.desk.store
    try:
        item = screen.grid.resolve_part(typed, screen.customer.id)
    except OrderdeskError:
        return False  # the commit says why
    if item.status != ItemStatus.DISCONTINUED or item.replacement_id is None:
        return False
    left = order_entry.stock_left(store, item.id)
    old, new = item.part_number, item.replacement_part
    screen.refusal = f"{f.label}: {old} is discontinued, its replacement is {new}"
    keep = f"Esc keeps {old} ({left.normalize():f} left)" if left > 0 else f"none of {old} left"
    question = QuestionDialog(
        f"{f.label}: {old} is discontinued",
        f"{old} {item.description}\nreplaced by {new}",
        f"Enter takes {new} · {keep}",
    )
    question.gate = screen.keys_gate
    screen.keys_gate.close(event_time())
    screen.app.bell()

    def answered(take: bool | None) -> None:
        if take:
            chosen = order_entry.item_info(store, item.replacement_id or 0)
        elif left > 0:
            chosen = item
        else:
            rule = f"{old} is discontinued and none is left: Enter on it takes {new}"
            screen._fail(f, FieldError(f.label, rule))
            return
        screen.grid.take_item(line, chosen)
        f.set_value(prefix + chosen.part_number)
        screen._leave_field(f, "enter")

    screen.app.push_screen(question, answered)
    return True
