"""The RMA's line-by-line steps: receive (F6) and inspect (F7) ask each line in turn and record
the answers together; disposition (F8) decides the highlighted line (restock asks where).

Mixed into `RmaScreen` (screens/rma.py); `rma_screen` is that screen, typed, so these methods
are checked against it (mypy takes no subclass as `self`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.widgets import DataTable

from orderdesk_tui.domain import returns as rules
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import User
from orderdesk_tui.services import returns
from orderdesk_tui.services.order_entry import warehouse_codes
from orderdesk_tui.services.rma_detail import RmaLineView
from orderdesk_tui.store import Store
from screens.dialogs import PickDialog, PromptDialog

if TYPE_CHECKING:
    from screens.rma import RmaScreen

DISPOSITIONS = [d.value for d in rules.Disposition]


class LineStep(Protocol):
    """A returns step that records an answer per line ({line id: answer}): receive, inspect."""

    def __call__(
        self,
        store: Store,
        rma_id: int,
        answers: Mapping[int, Any],
        /,
        *,
        expected_version: int,
        actor: User,
    ) -> object: ...


def num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def parse_quantity(text: str, most: Decimal) -> Decimal:
    try:
        value = Decimal(text.strip() or "0")
    except InvalidOperation:
        raise FieldError("received", f"'{text}' is not a number") from None
    if not 0 <= value <= most:
        raise FieldError("received", f"between 0 and the {num(most)} authorised")
    return value


def parse_findings(text: str) -> str:
    if not text.strip():
        raise FieldError("findings", "say what inspection found")
    return text.strip()


class RmaLineSteps:
    """The line steps of `RmaScreen`."""

    @property
    def rma_screen(self) -> RmaScreen:
        return cast("RmaScreen", self)

    def _record_each(
        self,
        lines: Sequence[RmaLineView],
        dialog: Callable[[RmaLineView], PromptDialog[Any]],
        record: LineStep,
        done: str,
    ) -> None:
        """One dialog per line in turn; once all are answered, `record` (a returns step taking
        {line id: answer}) applies them to the RMA as it was when the dialogs opened."""
        assert self.rma_screen.detail is not None
        version = self.rma_screen.detail.rma.version
        answers: dict[int, Any] = {}

        def ask(index: int) -> None:
            if index == len(lines):
                self.rma_screen.run_change(
                    lambda: record(
                        self.rma_screen.desk.store,
                        self.rma_screen.rma_id,
                        answers,
                        expected_version=version,
                        actor=self.rma_screen.desk.user,
                    ),
                    done,
                )
                return

            def answered(value: Any) -> None:
                if value is None:
                    self.rma_screen.notify("nothing recorded", severity="warning")
                    return
                answers[lines[index].id] = value
                ask(index + 1)

            self.rma_screen.app.push_screen(dialog(lines[index]), answered)

        ask(0)

    def _current_line(self) -> RmaLineView | None:
        if self.rma_screen.detail is None or not self.rma_screen.detail.lines:
            return None
        table = self.rma_screen.query_one("#rma-lines-table", DataTable)
        return self.rma_screen.detail.lines[
            min(table.cursor_row, len(self.rma_screen.detail.lines) - 1)
        ]

    def action_receive(self) -> None:
        if (
            not self.rma_screen._in_state(rules.RmaState.AUTHORISED)
            or self.rma_screen.detail is None
        ):
            return

        def dialog(ln: RmaLineView) -> PromptDialog[Decimal]:
            return PromptDialog(
                f"Received of {ln.part_number}",
                lambda text: parse_quantity(text, ln.requested),
                detail=f"{num(ln.requested)} {ln.uom} authorised; 0 if none came",
                value=num(ln.requested),
            )

        self._record_each(self.rma_screen.detail.lines, dialog, returns.receive, "goods received")

    def action_inspect(self) -> None:
        if not self.rma_screen._in_state(rules.RmaState.RECEIVED) or self.rma_screen.detail is None:
            return
        arrived = [ln for ln in self.rma_screen.detail.lines if ln.received > 0]
        if not arrived:
            self.rma_screen.failed("rule rma.inspect: nothing was received; reject the RMA instead")
            return

        def dialog(ln: RmaLineView) -> PromptDialog[str]:
            return PromptDialog(
                f"Inspection of {ln.part_number} ({num(ln.received)} received)",
                parse_findings,
                detail="what was found: condition, fault confirmed or not, packaging",
                value=ln.findings,
            )

        self._record_each(arrived, dialog, returns.inspect, "inspection recorded")

    def action_disposition(self) -> None:
        if (
            not self.rma_screen._in_state(rules.RmaState.INSPECTED)
            or self.rma_screen.detail is None
        ):
            return
        line = self._current_line()
        if line is None:
            return
        version = self.rma_screen.detail.rma.version

        def decide(code: str, warehouse_id: int | None) -> None:
            self.rma_screen.run_change(
                lambda: returns.disposition(
                    self.rma_screen.desk.store,
                    self.rma_screen.rma_id,
                    line.id,
                    code,
                    expected_version=version,
                    actor=self.rma_screen.desk.user,
                    warehouse_id=warehouse_id,
                ),
                f"{line.part_number}: {code.replace('_', ' ')}",
            )

        def chosen(index: int | None) -> None:
            if index is None:
                return
            code = DISPOSITIONS[index]
            if code != rules.Disposition.RESTOCK:
                decide(code, None)
                return
            warehouses = sorted(
                warehouse_codes(self.rma_screen.desk.store).items(), key=lambda w: w[1]
            )

            def where(pick: int | None) -> None:
                if pick is not None:
                    decide(code, warehouses[pick][0])

            self.rma_screen.app.push_screen(
                PickDialog("Restock to which warehouse?", [c for _, c in warehouses]), where
            )

        vendor = (
            " (vendor warranted: return to vendor recovers the cost)"
            if (line.vendor_recovery)
            else ""
        )
        self.rma_screen.app.push_screen(
            PickDialog(
                f"Disposition of {line.part_number}, {num(line.received)} received",
                [d.replace("_", " ") for d in DISPOSITIONS],
                f"findings: {line.findings}{vendor}",
            ),
            chosen,
        )
