"""The order view's change keys and its Revisions tab.

`OrderChangeActions` is a mixin of the order view: F4 opens the order for change in the entry
grid (screens/entry_change.py) — the coordinator's own working copy when one was left (after
a crash or F10), with the choice to start again when the order changed since — and the
Revisions tab lists each applied change: revision, when, who, why, approver, and its diff one
change a row. Coming back from the change reads the order again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import work
from textual.widgets import TabbedContent

from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.models import OrderRevision
from orderdesk_tui.services import change_drafts, order_change
from orderdesk_tui.services.change_drafts import ChangeDraft
from screens.dialogs import PickDialog

if TYPE_CHECKING:
    from screens.order_view import OrderViewScreen

#: The Revisions tab's columns.
REVISION_COLUMNS = ("Rev", "When", "Who", "Approved by", "Why", "Change")


def revision_rows(revisions: list[OrderRevision]) -> list[tuple[str, ...]]:
    """Each revision's first change on its own row with who and why; its other changes below."""
    rows: list[tuple[str, ...]] = []
    for rev in revisions:
        changes = order_change.diff_lines(rev) or [""]
        when = rev.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        rows.append(
            (str(rev.revision_no), when, rev.actor, rev.approved_by, rev.reason, changes[0])
        )
        rows += [("", "", "", "", "", text) for text in changes[1:]]
    return rows


class OrderChangeActions:
    """F4 (change the order) and the Revisions tab of the order view."""

    @property
    def view(self) -> OrderViewScreen:
        return cast("OrderViewScreen", self)

    #: A change screen was opened from here: coming back reads the order again.
    _back_from_change = False

    def on_screen_resume(self) -> None:
        """Back from a change (applied or kept): the order as it now is."""
        if self._back_from_change:
            self._back_from_change = False
            self.view.reload()

    def action_change_order(self) -> None:
        view = self.view
        if view.detail is None:
            return
        order = view.detail.order
        refusal = order_change.change_refusal(order.state)
        if refusal is not None:
            view.app.bell()
            view.notify(f"order {order.number} cannot be changed: {refusal}", severity="warning")
            return
        self._open_change(order.id or 0, discard=None)

    @work(thread=True, exclusive=True, group="open-change")
    def _open_change(self, order_id: int, discard: int | None) -> None:
        view = self.view
        try:
            if discard is not None:
                change_drafts.discard(view.desk.store, discard)
            change = change_drafts.open_change(view.desk.store, order_id, actor=view.desk.user.name)
        except OrderdeskError as error:
            view.app.call_from_thread(view.failed, str(error))
            return
        view.app.call_from_thread(self._change_opened, change)

    def _change_opened(self, change: ChangeDraft) -> None:
        view = self.view
        if not change.overtaken:
            self._enter_change(change)
            return

        def chosen(index: int | None) -> None:
            if index == 0:
                self._enter_change(change)
            elif index == 1:
                self._open_change(change.order_id, discard=change.id)

        rows = [
            "resume my change (applying it shows both versions)",
            "discard my change and start again from the order as it is now",
        ]
        detail = f"{change.number} was changed on another terminal since you started your change"
        view.app.push_screen(PickDialog(f"Change of {change.number}", rows, detail), chosen)

    def _enter_change(self, change: ChangeDraft) -> None:
        from screens.order_entry import OrderEntryScreen

        view = self.view
        self._back_from_change = True
        view.app.push_screen(OrderEntryScreen(view.desk, view.status, change=change))

    def show_revisions(self) -> None:
        self._load_revisions(self.view.order_id)

    @work(thread=True, exclusive=True, group="revisions")
    def _load_revisions(self, order_id: int) -> None:
        view = self.view
        try:
            revisions = order_change.revisions(view.desk.store, order_id)
        except OrderdeskError as error:
            view.app.call_from_thread(view.failed, str(error))
            return
        view.app.call_from_thread(self._show_revisions, revisions)

    def _show_revisions(self, revisions: list[OrderRevision]) -> None:
        view = self.view
        view.fill("revisions-table", revision_rows(revisions))
        tabs = view.query_one(TabbedContent)
        tabs.get_tab("revisions").label = f"Revisions ({len(revisions)})"
