"""What the queue does to its items (F4 take, F6 release a hold, F7 snooze, F8 escalate, F9
note, F10 done, F11 send again to the ERP or the mail server, Shift+F10 review a change
request): on the marked rows, else the row under the cursor, each change in a thread, a row
changed under the person offered again with what they typed.

Mixed into `QueueScreen` (screens/queue.py), which reads and shows the queue; `queue` is that
screen, typed, so these methods are checked against it (mypy takes no subclass as `self`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.screen import ModalScreen

from orderdesk_tui.domain.queue_items import HoldRef, QueueItem, ReasonKind, Subject
from orderdesk_tui.domain.snooze import EXAMPLES, parse_until
from orderdesk_tui.errors import OrderdeskError, PermissionDenied, RuleViolation
from orderdesk_tui.models.base import SUPERVISOR_HOLDS, HoldKind
from orderdesk_tui.services import edi_change, order_actions, queue_actions
from orderdesk_tui.services.edi_change import ChangeReview
from orderdesk_tui.services.order_change import ChangeConflict
from orderdesk_tui.services.queue_actions import QueueItemChanged
from orderdesk_tui.services.sla_clock import desk_zone
from orderdesk_tui.services.users import Approval
from screens.change_request import ChangeAnswer, ChangeRequestDialog
from screens.dialogs import NoteDialog, PickDialog, PromptDialog, ReasonDialog, TextDialog
from screens.keys import key_of

if TYPE_CHECKING:
    from screens.queue import QueueScreen


class QueueItemActions:
    """The item actions of `QueueScreen`."""

    @property
    def queue(self) -> QueueScreen:
        return cast("QueueScreen", self)

    def _targets(self) -> list[QueueItem]:
        """The marked rows, else the row under the cursor."""
        marked = self.queue.table.marked_rows()
        if marked:
            return marked
        return [self.queue.table.current] if self.queue.table.current is not None else []

    def _act(
        self,
        items: list[QueueItem],
        change: Callable[[QueueItem], Any],
        done: str,
        retry: Callable[[], None] | None = None,
        *,
        say: Callable[[Any], str] | None = None,
    ) -> None:
        if not items:
            self.queue.app.bell()
            return
        self._run(items, change, done, retry, say)

    @work(thread=True, group="queue-change")
    def _run(
        self,
        items: list[QueueItem],
        change: Callable[[QueueItem], Any],
        done: str,
        retry: Callable[[], None] | None,
        say: Callable[[Any], str] | None,
    ) -> None:
        """Apply `change` to each item in a thread; say what happened (for one item `say` of
        what `change` returned, if given); show the store as it is. If an item changed under
        the person, `retry` offers what they typed again."""
        if len(items) == 1:
            try:
                result = change(items[0])
            except QueueItemChanged as exc:
                self.queue.app.call_from_thread(self._changed, str(exc), retry)
            except OrderdeskError as exc:
                self.queue.app.call_from_thread(
                    self.queue.notify, str(exc), severity="error", timeout=8
                )
                self.queue.app.call_from_thread(self.queue.app.bell)
            else:
                said = say(result) if say is not None else f"{items[0].number}: {done}"
                self.queue.app.call_from_thread(self.queue.notify, said)
        else:
            outcome = queue_actions.for_each(items, change)
            severity = "warning" if outcome.refused else "information"
            self.queue.app.call_from_thread(
                self.queue.notify, f"{done}: {outcome.summary}", severity=severity, timeout=10
            )
            self.queue.app.call_from_thread(self.queue.table.clear_marks)
        self.queue.app.call_from_thread(self.queue.reload)

    def _changed(self, message: str, retry: Callable[[], None] | None) -> None:
        self.queue.app.bell()
        self.queue.notify(message, severity="warning", timeout=10)
        if retry is not None:
            self.queue.set_timer(0.3, retry)

    def action_take(self) -> None:
        user = self.queue.desk.user
        self._act(
            self._targets(),
            lambda i: queue_actions.take(self.queue.desk.store, i, actor=user),
            "taken",
        )

    def action_give_back(self) -> None:
        user = self.queue.desk.user
        self._act(
            self._targets(),
            lambda i: queue_actions.give_back(self.queue.desk.store, i, actor=user),
            "given back",
        )

    def _ask_for_targets(
        self,
        dialog: Callable[[str], ModalScreen[Any]],
        then: Callable[[list[QueueItem], Any], None],
    ) -> None:
        """Ask once about the marked rows (else the row under the cursor), named in the dialog;
        `then` gets them and the answer, unless the dialog is cancelled."""
        items = self._targets()
        if not items:
            self.queue.app.bell()
            return

        def answered(answer: Any) -> None:
            if answer is not None:
                then(items, answer)

        self.queue.app.push_screen(dialog(self._what(items)), answered)

    def action_snooze(self, typed: str = "") -> None:
        sla = self.queue.desk.settings.sla
        zone = desk_zone(sla)
        opening = datetime.strptime(sla.opens, "%H:%M").time()

        def read(text: str) -> tuple[datetime, str]:
            return parse_until(text, datetime.now(UTC), zone, opening), text

        def snooze(items: list[QueueItem], answer: tuple[datetime, str]) -> None:
            until, text = answer
            user = self.queue.desk.user
            self._act(
                items,
                lambda i: queue_actions.snooze(self.queue.desk.store, i, until, actor=user),
                f"snoozed until {until.astimezone(zone):%a %H:%M}",
                retry=lambda: self.action_snooze(text),
            )

        self._ask_for_targets(
            lambda what: PromptDialog(
                f"Snooze {what} until", read, placeholder=EXAMPLES, value=typed
            ),
            snooze,
        )

    def action_escalate(self, typed: str = "") -> None:
        def read(text: str) -> str:
            if not text.strip():
                raise RuleViolation("an item is escalated with a reason")
            return text.strip()

        def escalate(items: list[QueueItem], reason: str) -> None:
            user = self.queue.desk.user
            self._act(
                items,
                lambda i: queue_actions.escalate(self.queue.desk.store, i, reason, actor=user),
                "escalated",
                retry=lambda: self.action_escalate(reason),
            )

        self._ask_for_targets(
            lambda what: PromptDialog(
                f"Escalate {what}", read, placeholder="why (required)", value=typed
            ),
            escalate,
        )

    def action_add_note(self) -> None:
        def save(items: list[QueueItem], note: tuple[str, str]) -> None:
            channel, body = note
            user = self.queue.desk.user
            self._act(
                items,
                lambda i: queue_actions.add_note(
                    self.queue.desk.store, i, channel, body, actor=user
                ),
                "note added",
            )

        self._ask_for_targets(NoteDialog, save)

    def action_done(self) -> None:
        """F10: a call-back made, or a change request handled (the order changed to match)."""
        calls = [i for i in self._targets() if i.subject == Subject.NOTE]
        changes = [i for i in self._targets() if i.subject == Subject.CHANGE]
        if not calls and not changes:
            self.queue.notify(
                "nothing to mark done here: call-backs and change requests", severity="warning"
            )
            return
        user = self.queue.desk.user
        if calls:
            self._act(
                calls,
                lambda i: queue_actions.callback_done(self.queue.desk.store, i, actor=user),
                "callback made",
            )
        if changes:
            self._act(
                changes,
                lambda i: queue_actions.change_handled(self.queue.desk.store, i, actor=user),
                "change request handled",
            )

    def action_apply_change(self) -> None:
        """Shift+F10: the change request under the cursor as a diff against its order, to apply
        line by line or reject (screens/change_request.py)."""
        item = self.queue.table.current
        if item is None or item.subject != Subject.CHANGE:
            key = key_of(self.queue, "queue.apply_change")
            self.queue.notify(f"{key} reviews a change request (EDI 860)", severity="warning")
            return
        self._review(item)

    @work(thread=True, exclusive=True, group="queue-review")
    def _review(self, item: QueueItem) -> None:
        try:
            checked = edi_change.review(self.queue.desk.store, item.subject_id)
        except OrderdeskError as exc:
            self.queue.app.call_from_thread(
                self.queue.notify, str(exc), severity="error", timeout=8
            )
            return
        self.queue.app.call_from_thread(self._show_review, item, checked)

    def _show_review(self, item: QueueItem, checked: ChangeReview) -> None:
        def answered(answer: ChangeAnswer | None) -> None:
            if answer is not None:
                self._answer(item, checked, answer, None)

        self.queue.app.push_screen(ChangeRequestDialog(checked), answered)

    @work(thread=True, group="queue-change")
    def _answer(
        self,
        item: QueueItem,
        checked: ChangeReview,
        answer: ChangeAnswer,
        approval: Approval | None,
    ) -> None:
        """Apply or reject in a thread; a change priced under the margin floor (or cancelling
        a released order) asks for a supervisor and is applied again with the approval."""
        store, user = self.queue.desk.store, self.queue.desk.user
        try:
            if answer.reject:
                edi_change.reject(store, checked, answer.reason, actor=user)
                said = f"{item.number}: change request rejected"
            else:
                said = edi_change.apply(
                    store,
                    checked,
                    answer.accepted,
                    answer.reason,
                    actor=user,
                    settings=self.queue.desk.settings,
                    approval=approval,
                ).said
        except PermissionDenied as exc:
            if approval is not None:
                self.queue.app.call_from_thread(self._refused, str(exc))
                return
            self.queue.app.call_from_thread(
                self.queue.with_supervisor,
                True,
                str(exc),
                lambda supervisor: self._answer(item, checked, answer, supervisor),
            )
            return
        except ChangeConflict as conflict:
            self.queue.app.call_from_thread(self._conflict, item, conflict)
            return
        except OrderdeskError as exc:
            self.queue.app.call_from_thread(self._refused, str(exc))
            return
        self.queue.app.call_from_thread(self.queue.notify, said, timeout=8)
        self.queue.app.call_from_thread(self.queue.reload)

    def _conflict(self, item: QueueItem, conflict: ChangeConflict) -> None:
        """The order changed on another terminal since the request was read: nothing was
        written; both versions are shown, and the request stays for a fresh look."""
        self.queue.app.bell()
        self.queue.notify(
            f"{item.number}: not applied, the order was changed meanwhile; nothing overwritten",
            severity="error",
            timeout=12,
        )
        key = key_of(self.queue, "queue.apply_change")
        title = f"Order {conflict.number} changed meanwhile (version {conflict.expected} → "
        title += f"{conflict.current})"
        footer = f"Esc/F12 close · the request stays in the queue: {key} reads it again"
        self.queue.app.push_screen(TextDialog(title, conflict.both_versions(), footer))
        self.queue.reload()

    def _refused(self, message: str) -> None:
        self.queue.app.bell()
        self.queue.notify(message, severity="error", timeout=12)
        self.queue.reload()

    def action_erp_retry(self) -> None:
        """Send again what the ERP refused for the orders on an ERP hold (marked, else the row
        under the cursor), once the cause is fixed; the holds clear when the ERP accepts. A
        mail to the customer the SMTP server refused or deferred is sent again too."""
        by_order: dict[int, QueueItem] = {}  # an order once, whatever rows name it
        mails: dict[int, QueueItem] = {}
        for item in self._targets():
            if item.order_id is not None and HoldKind.ERP in item.hold_kinds:
                by_order.setdefault(item.order_id, item)
            if item.order_id is not None and any(r.kind == ReasonKind.MAIL for r in item.reasons):
                mails.setdefault(item.order_id, item)
        items = list(by_order.values())
        user = self.queue.desk.user
        if mails:
            self._act(
                list(mails.values()),
                lambda i: queue_actions.retry_mail(self.queue.desk.store, i, actor=user),
                "mails queued again",
                say=lambda retried: retried.summary,
            )
        if not items:
            if not mails:
                self.queue.notify(
                    "no ERP hold or refused mail here: nothing to send again", severity="warning"
                )
            return
        self._act(
            items,
            lambda i: queue_actions.retry_erp(self.queue.desk.store, i, actor=user),
            "ERP entries re-queued (each hold clears when the ERP accepts the order)",
            say=lambda retried: retried.summary,
        )

    def action_release_hold(self) -> None:
        items = [i for i in self._targets() if i.holds]
        if not items:
            self.queue.notify("no open hold here", severity="warning")
            return
        kinds = sorted({h.kind for i in items for h in i.holds})
        if len(kinds) == 1:
            self._release_kind(items, kinds[0])
            return

        def picked(index: int | None) -> None:
            if index is not None:
                self._release_kind(items, kinds[index])

        rows = [f"{kind} hold ({sum(kind in i.hold_kinds for i in items)})" for kind in kinds]
        self.queue.app.push_screen(
            PickDialog("Release which hold?", rows, self._what(items)), picked
        )

    def _release_kind(self, items: list[QueueItem], kind: str) -> None:
        holding = [i for i in items if kind in i.hold_kinds]
        first: HoldRef = next(h for h in holding[0].holds if h.kind == kind)
        detail = first.reason if len(holding) == 1 else f"{len(holding)} orders"

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return
            purpose = f"release {kind} hold on {self._what(holding)}"
            self.queue.with_supervisor(
                kind in SUPERVISOR_HOLDS,
                purpose,
                lambda approval: self._release(holding, kind, reason, approval),
            )

        self.queue.app.push_screen(ReasonDialog(f"Release {kind} hold", detail), with_reason)

    def _release(
        self, items: list[QueueItem], kind: str, reason: str, approval: Approval | None
    ) -> None:
        user = self.queue.desk.user

        def release(item: QueueItem) -> object:
            hold = next(h for h in item.holds if h.kind == kind)
            return order_actions.release_hold(
                self.queue.desk.store,
                hold.id,
                expected_version=hold.version,
                actor=user,
                reason=reason,
                approval=approval,
            )

        self._act(items, release, f"{kind} hold released")

    @staticmethod
    def _what(items: list[QueueItem]) -> str:
        return items[0].number if len(items) == 1 else f"{len(items)} items"
