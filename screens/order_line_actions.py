"""The order view's rush and cancel-remaining keys: `F5` marks the order rush (or, on a rush
order, clears it), `Shift+F5` the line under the cursor on the Lines tab, `Shift+F10` cancels
what remains of that line or of the whole order. Each asks a reason; cancelling what remains of
an order the warehouse has asks for a supervisor too. The change runs in a thread and the
status line says what it did ("SO0000123: order marked rush; 12 units taken from 3 orders").

Mixed into `OrderViewScreen` (screens/order_view.py); `view` is that screen, typed, so these
methods are checked against it (mypy takes no subclass as `self`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from textual.widgets import TabbedContent

from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.models.base import Priority
from orderdesk_tui.services import cancel_remaining, rush
from orderdesk_tui.services.order_queries import LineView
from orderdesk_tui.services.rush import RushResult
from screens.dialogs import PickDialog, ReasonDialog
from screens.order_view_parts import line_at

if TYPE_CHECKING:
    from screens.order_view import OrderViewScreen


def _remaining(line: LineView) -> Decimal:
    return line.quantity - line.shipped - line.cancelled


class OrderLineActions:
    """Rush and cancel-remaining actions of `OrderViewScreen`."""

    @property
    def view(self) -> OrderViewScreen:
        return cast("OrderViewScreen", self)

    def _line_under_cursor(self) -> LineView | None:
        """The line the cursor is on (or whose part it is on), when the Lines tab is shown."""
        if self.view.query_one(TabbedContent).active != "lines":
            return None
        table = self.view.lines
        return line_at(table.rows, table.cursor) if table.row_count else None

    def _rush_with_reason(self, dialog: ReasonDialog, act: Callable[[str], RushResult]) -> None:
        """Ask `dialog`'s reason, then run `act(reason)` in a thread; the status line says
        what it did."""
        view = self.view

        def answered(reason: str | None) -> None:
            if reason is not None:
                view.run_change(lambda: act(reason), lambda result: result.summary)

        view.app.push_screen(dialog, answered)

    def action_rush(self) -> None:
        """Mark the order rush, or clear the rush of a rush order; with a reason."""
        view = self.view
        if view.detail is None:
            return
        order = view.detail.order
        user, store, number, version = view.desk.user, view.desk.store, order.number, order.version
        mail, order_id = view.desk.settings.mail, order.id or 0
        if order.priority == Priority.RUSH:
            self._rush_with_reason(
                ReasonDialog(f"Clear the rush on {number}", "it goes back to normal priority"),
                lambda reason: rush.clear_order(
                    store, order_id, expected_version=version, actor=user, reason=reason
                ),
            )
            return
        self._rush_with_reason(
            ReasonDialog(
                f"Rush order {number}",
                "it jumps the queue; what stock cannot give is taken from normal orders "
                "not yet released",
            ),
            lambda reason: rush.mark_order(
                store, order_id, expected_version=version, actor=user, reason=reason, mail=mail
            ),
        )

    def action_rush_line(self) -> None:
        """Mark the line under the cursor rush (or clear it), with a reason."""
        view = self.view
        if view.detail is None:
            return
        line = self._line_under_cursor()
        if line is None:
            view.query_one(TabbedContent).active = "lines"
            view.lines.focus()
            view.notify("put the cursor on a line of the Lines tab, then rush it again")
            return
        order = view.detail.order
        user, store, number = view.desk.user, view.desk.store, order.number
        mail = view.desk.settings.mail
        order_id, line_id, version = order.id or 0, line.line_id, line.version
        if order.priority == Priority.RUSH:
            view.notify(f"{number} is rush as a whole: every line already is", severity="warning")
            return
        if line.rush:
            self._rush_with_reason(
                ReasonDialog(f"Clear the rush on line {line.line_no} of {number}"),
                lambda reason: rush.clear_line(
                    store, order_id, line_id, expected_version=version, actor=user, reason=reason
                ),
            )
            return
        self._rush_with_reason(
            ReasonDialog(
                f"Rush line {line.line_no} ({line.part_number}) of {number}",
                "what stock cannot give is taken from normal orders not yet released",
            ),
            lambda reason: rush.mark_line(
                store,
                order_id,
                line_id,
                expected_version=version,
                actor=user,
                reason=reason,
                mail=mail,
            ),
        )

    def action_cancel_remaining(self) -> None:
        """Cancel what remains of the line under the cursor, or of the whole order."""
        view = self.view
        if view.detail is None:
            return
        order = view.detail.order
        if order.state not in cancel_remaining.OPEN_STATES:
            view.notify(
                f"order {order.number} is {order.state.replace('_', ' ')}: "
                "nothing remains to cancel",
                severity="warning",
            )
            view.app.bell()
            return
        open_lines = [ln for ln in view.detail.lines if _remaining(ln) > 0]
        if not open_lines:
            view.notify(f"nothing remains to cancel on {order.number}", severity="warning")
            return
        total = sum((_remaining(ln) for ln in open_lines), Decimal(0))
        whole = f"every line of {order.number}: {fmt_qty(total)} remaining"
        line = self._line_under_cursor()
        if line is None or _remaining(line) <= 0:
            self._cancel_remaining_of(None, whole)
            return
        one = f"line {line.line_no} {line.part_number}: {fmt_qty(_remaining(line))} remaining"

        def picked(choice: int | None) -> None:
            if choice == 0:
                self._cancel_remaining_of(line, one)
            elif choice == 1:
                self._cancel_remaining_of(None, whole)

        view.app.push_screen(
            PickDialog(f"Cancel the remaining quantity on {order.number}", [one, whole]), picked
        )

    def _cancel_remaining_of(self, line: LineView | None, what: str) -> None:
        view = self.view
        assert view.detail is not None
        order = view.detail.order
        user, store, number, version = view.desk.user, view.desk.store, order.number, order.version
        mail = view.desk.settings.mail
        order_id, line_id = order.id or 0, line.line_id if line is not None else None

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return
            view.with_supervisor(
                cancel_remaining.needs_supervisor(order.state),
                f"cancel what remains of {order.state.replace('_', ' ')} order {number}",
                lambda approval: view.run_change(
                    lambda: cancel_remaining.cancel_remaining(
                        store,
                        order_id,
                        line_id=line_id,
                        expected_version=version,
                        actor=user,
                        reason=reason,
                        approval=approval,
                        mail=mail,
                    ),
                    lambda result: result.summary,
                ),
            )

        view.app.push_screen(ReasonDialog(f"Cancel the remaining quantity: {what}"), with_reason)
