"""A customer's change request (EDI 860) shown as a diff against its order: heading and per line
old → new, and what cannot be applied. Each change is accepted or declined with Space (all
accepted at first); Enter applies the accepted ones with a reason (the 860 named by default);
F8 rejects the whole request with a reason. An 860 that cannot be read, or for an order that
cannot change any more, says why and can only be rejected.

Opened from the queue (screens/queue_item_actions.py); returns a `ChangeAnswer`, None when
left with Esc/F12.
"""

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.services.edi_change import ChangeReview
from screens.dialogs import PromptDialog, _Dialog
from screens.keys import bind, key_of


@dataclass(frozen=True)
class ChangeAnswer:
    #: Indexes (in `ChangeReview.changes`) of the changes accepted; empty when rejected.
    accepted: tuple[int, ...]
    reason: str
    reject: bool = False


def _reason(text: str) -> str:
    if not text.strip():
        raise RuleViolation("a reason is required")
    return text.strip()


class ChangeRequestDialog(_Dialog[ChangeAnswer]):
    BINDINGS = [
        bind("change_request.toggle", "toggle_change", "Accept/decline", priority=True),
        bind("change_request.apply", "apply", "Apply accepted", priority=True),
        bind("change_request.reject", "reject", "Reject request"),
    ]

    def __init__(self, review: ChangeReview) -> None:
        super().__init__()
        self.review = review
        #: Whether each proposed change is accepted; none can be when nothing can be applied.
        self.accepted = [not review.refusal] * len(review.changes)

    def compose(self) -> ComposeResult:
        review = self.review
        order = f" for {review.order_number}" if review.order_number else ""
        po = f" (PO {review.request.po_number})" if review.request is not None else ""
        with Vertical(classes="dialog wide", id="change-request"):
            title = f"Change request: EDI 860 {review.control} from {review.partner}{order}{po}"
            yield Label(Content(title), classes="dialog-title")
            yield OptionList(*self._rows(), id="choices")
            yield Static(Content(self._problems()), id="change-problems", classes="dialog-detail")
            yield Static(classes="dialog-error")
            yield Static(Content(self._help()), classes="dialog-help")

    def _rows(self) -> list[Option]:
        rows = []
        for n, change in enumerate(self.review.changes):
            mark = "[x]" if self.accepted[n] else "[ ]"
            rows.append(Option(Content(f"{mark} {change}   ({change.code})"), id=f"change-{n}"))
        return rows

    def _problems(self) -> str:
        lines = []
        if self.review.refusal:
            lines.append(f"Cannot be applied: {self.review.refusal}")
        if self.review.request is not None:
            lines += [f"Not applicable: {p}" for p in self.review.request.problems]
        return "\n".join(lines)

    def _help(self) -> str:
        reject = key_of(self, "change_request.reject")
        if self.review.refusal:
            return f"{reject} reject with a reason · Esc/F12 close"
        toggle, apply = key_of(self, "change_request.toggle"), key_of(self, "change_request.apply")
        return (
            f"{toggle} accept/decline · {apply} apply the accepted · {reject} reject all "
            "· Esc/F12 close"
        )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def _refresh_rows(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(self._rows())
        options.highlighted = highlighted

    def action_toggle_change(self) -> None:
        options = self.query_one(OptionList)
        if self.review.refusal or options.highlighted is None:
            self.app.bell()
            return
        self.accepted[options.highlighted] = not self.accepted[options.highlighted]
        self._refresh_rows()

    @on(OptionList.OptionSelected)
    def action_apply(self) -> None:
        if self.review.refusal:
            reject = key_of(self, "change_request.reject")
            self.show_error(f"nothing of it can be applied: {reject} rejects it with a reason")
            return
        accepted = tuple(n for n, yes in enumerate(self.accepted) if yes)
        if not accepted:
            reject = key_of(self, "change_request.reject")
            self.show_error(f"no change accepted: {reject} rejects the request with a reason")
            return

        def applied(reason: str | None) -> None:
            if reason is not None:
                self.dismiss(ChangeAnswer(accepted, reason))

        self.app.push_screen(
            PromptDialog(
                f"Apply {len(accepted)} of {len(self.accepted)} changes to "
                f"{self.review.order_number}",
                _reason,
                value=self.review.default_reason,
                placeholder="reason (required)",
            ),
            applied,
        )

    def action_reject(self) -> None:
        def rejected(reason: str | None) -> None:
            if reason is not None:
                self.dismiss(ChangeAnswer((), reason, reject=True))

        self.app.push_screen(
            PromptDialog(
                f"Reject EDI 860 {self.review.control} from {self.review.partner}",
                _reason,
                placeholder="why (required; the buyer is told)",
            ),
            rejected,
        )

    def action_ok(self) -> None:
        self.action_apply()
