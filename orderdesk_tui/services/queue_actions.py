"""What a coordinator does to a queue item: take it, snooze it, escalate it, close a callback,
send again what the ERP refused; and the same on many items at once.

Every change names the version of the item's queue state the person saw: if someone else acted
on the item since, the change is refused with who did what (QueueItemChanged), and nothing the
person typed is thrown away by the service (the screen offers it again). Releasing a hold and
adding a note go through services.order_actions, with its rules (a reason; a supervisor for
credit, price and compliance holds).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from orderdesk_tui.domain.queue_items import QueueItem, ReasonKind, Subject
from orderdesk_tui.errors import OrderdeskError, RuleViolation, StaleEdit
from orderdesk_tui.models import Note, QueueState, User
from orderdesk_tui.models.base import HoldKind, utcnow
from orderdesk_tui.services import callbacks, edi_change, erp_retry, mail_outbox, order_actions
from orderdesk_tui.services.audit import apply_update, record_insert
from orderdesk_tui.store import Store


class QueueItemChanged(StaleEdit):
    """Someone acted on the item since it was read; says who did what."""

    def __init__(self, number: str, row: QueueState | None, expected: int) -> None:
        done = []
        if row is not None:
            if row.assignee:
                done.append(f"taken by {row.assignee}")
            if row.snoozed_until is not None:
                done.append(f"snoozed by {row.snoozed_by}")
            if row.escalated_at is not None:
                done.append(f"escalated by {row.escalated_by}")
        what = ", ".join(done) or "it was changed"
        self.entity = "queue_states"
        self.entity_id = row.id or 0 if row is not None else 0
        self.expected = expected
        self.current = row.version if row is not None else None
        OrderdeskError.__init__(
            self, f"{number} changed since you read it ({what}); it is shown as it is now"
        )


def _change_state(
    store: Store,
    item: QueueItem,
    values: dict[str, Any],
    *,
    actor: User,
    action: str,
    reason: str = "",
) -> QueueState:
    """Apply `values` to the item's queue state if it is still at the version the person saw."""
    try:
        with store.immediate() as session:
            row = _state_row(session, item)
            if row is None:
                if item.state_version != 0:
                    raise QueueItemChanged(item.number, None, item.state_version)
                row = QueueState(subject=str(item.subject), subject_id=item.subject_id, **values)
                record_insert(
                    session,
                    row,
                    values,
                    actor=actor.name,
                    action=action,
                    order_id=item.order_id,
                    reason=reason,
                )
                return row
            if row.version != item.state_version:
                raise QueueItemChanged(item.number, row, item.state_version)
            try:
                apply_update(
                    session,
                    row,
                    values,
                    expected_version=item.state_version,
                    actor=actor.name,
                    action=action,
                    order_id=item.order_id,
                    reason=reason,
                )
            except StaleEdit:
                current = _state_row(session, item)
                raise QueueItemChanged(item.number, current, item.state_version) from None
            return row
    except IntegrityError:  # two first actions at once (PostgreSQL): the other one won
        with store.session() as session:
            raise QueueItemChanged(
                item.number, _state_row(session, item), item.state_version
            ) from None


def _state_row(session: Session, item: QueueItem) -> QueueState | None:
    return session.exec(
        select(QueueState).where(
            QueueState.subject == str(item.subject), QueueState.subject_id == item.subject_id
        )
    ).first()


def take(store: Store, item: QueueItem, *, actor: User) -> QueueState:
    """Put the item on `actor`'s plate (from whoever had it, who sees it in the audit)."""
    if item.assignee == actor.name:
        raise RuleViolation(f"{item.number} is already yours")
    values = {"assignee": actor.name, "taken_at": utcnow()}
    return _change_state(store, item, values, actor=actor, action="queue.take")


def give_back(store: Store, item: QueueItem, *, actor: User) -> QueueState:
    """Leave the item for anyone again."""
    if not item.assignee:
        raise RuleViolation(f"nobody has {item.number}")
    return _change_state(
        store, item, {"assignee": "", "taken_at": None}, actor=actor, action="queue.give_back"
    )


def snooze(store: Store, item: QueueItem, until: datetime, *, actor: User) -> QueueState:
    if until <= datetime.now(UTC):
        raise RuleViolation("snooze until: that time has already passed")
    return _change_state(
        store,
        item,
        {"snoozed_until": until, "snoozed_by": actor.name},
        actor=actor,
        action="queue.snooze",
    )


def wake(store: Store, item: QueueItem, *, actor: User) -> QueueState:
    if item.snoozed_until is None:
        raise RuleViolation(f"{item.number} is not snoozed")
    return _change_state(
        store, item, {"snoozed_until": None, "snoozed_by": ""}, actor=actor, action="queue.wake"
    )


def escalate(store: Store, item: QueueItem, reason: str, *, actor: User) -> QueueState:
    reason = reason.strip()
    if not reason:
        raise RuleViolation("an item is escalated with a reason")
    if item.escalated:
        raise RuleViolation(f"{item.number} is already escalated")
    return _change_state(
        store,
        item,
        {"escalated_at": utcnow(), "escalated_by": actor.name, "escalation_reason": reason},
        actor=actor,
        action="queue.escalate",
        reason=reason,
    )


def callback_done(store: Store, item: QueueItem, *, actor: User) -> None:
    """Mark a due callback as made (the note stays in the log); one made since the queue was
    read is refused as a change to the item."""
    if item.subject != Subject.NOTE:
        raise RuleViolation(f"{item.number} is not a callback")
    with store.immediate() as session:
        note = session.get(Note, item.subject_id)
        if note is None:
            raise RuleViolation(f"the note of {item.number} no longer exists")
        try:
            callbacks.mark_done_in(session, note, actor=actor)
        except callbacks.CallbackAlreadyDone:
            current = _state_row(session, item)
            raise QueueItemChanged(item.number, current, item.state_version) from None


def change_handled(store: Store, item: QueueItem, *, actor: User) -> None:
    """Mark a customer's change request (an inbound EDI 860) handled once the order has been
    changed to match, or the buyer told why not: it leaves the queue. One handled since the
    queue was read is refused as a change to the item."""
    if item.subject != Subject.CHANGE:
        raise RuleViolation(f"{item.number} is not a change request")
    with store.immediate() as session:
        doc = edi_change.locked_waiting(session, item.subject_id)
        if doc is None:
            current = _state_row(session, item)
            raise QueueItemChanged(item.number, current, item.state_version)
        edi_change.mark_handled(session, doc, actor=actor.name, action="edi.change_handled")


def add_note(store: Store, item: QueueItem, channel: str, body: str, *, actor: User) -> Note:
    """A note in the communication log of the item's order (else its customer). Notes are only
    ever added, so two people noting one item never conflict."""
    if item.order_id is None and item.customer_id is None:
        raise RuleViolation(f"{item.number} has no order or customer to note it on")
    return order_actions.add_note(
        store,
        actor=actor,
        body=body,
        channel=channel,
        order_id=item.order_id,
        customer_id=item.customer_id,
    )


def retry_erp(store: Store, item: QueueItem, *, actor: User) -> erp_retry.Retried:
    """Re-queue what the ERP refused for the item's order (see services.erp_retry); only for
    an order on an ERP hold. The hold stays until the ERP accepts the order."""
    if item.order_id is None or HoldKind.ERP not in item.hold_kinds:
        raise RuleViolation(f"{item.number} is not on an ERP hold")
    return erp_retry.retry_order(store, item.order_id, actor=actor)


def retry_mail(store: Store, item: QueueItem, *, actor: User) -> mail_outbox.MailRetried:
    """Send the item's refused or deferred mails again (services.mail_outbox.retry_mail)."""
    if item.order_id is None or not any(r.kind == ReasonKind.MAIL for r in item.reasons):
        raise RuleViolation(f"{item.number} has no refused mail")
    return mail_outbox.retry_mail(store, item.order_id, actor=actor)


@dataclass
class BulkOutcome:
    done: list[QueueItem] = field(default_factory=list)
    #: Items refused, with the reason (changed by someone else, a rule, a role).
    refused: list[tuple[QueueItem, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = f"{len(self.done)} done"
        if self.refused:
            first = self.refused[0][1]
            text += f", {len(self.refused)} not done (first: {first})"
        return text


def for_each(items: list[QueueItem], change: Callable[[QueueItem], object]) -> BulkOutcome:
    """Apply `change` to each selected item in its own transaction: one item that changed or
    is refused does not undo the others, and each refusal is reported."""
    outcome = BulkOutcome()
    for item in items:
        try:
            change(item)
        except OrderdeskError as exc:
            outcome.refused.append((item, str(exc)))
        else:
            outcome.done.append(item)
    return outcome
