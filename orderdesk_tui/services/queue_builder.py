"""Queue items from the rows `services.queue_reads` reads: each with its reasons, its SLA clock
and its score as of a moment.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from orderdesk_tui.domain.priority import score
from orderdesk_tui.domain.queue_items import (
    RMA_STEPS,
    HoldRef,
    QueueItem,
    Reason,
    ReasonKind,
    Subject,
)
from orderdesk_tui.domain.sla import SlaKind, SlaPolicy
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services.mail_outbox import ACK as ACK_MAIL
from orderdesk_tui.services.mail_outbox import FAILED as MAIL_FAILED
from orderdesk_tui.services.mail_outbox import REACK

#: Orders before acknowledgement: the acknowledgement SLA is running (and, for a customer who
#: gets acknowledgements by mail, until the SMTP server accepts the mail, whatever the state).
UNACKNOWLEDGED = (OrderState.ENTERED, OrderState.ON_HOLD)
#: A rush order needs pushing until it is released to the warehouse.
RUSH_STATES = (OrderState.ENTERED, OrderState.ON_HOLD, OrderState.ACKNOWLEDGED)


def _moment(epoch: int | None, fallback: datetime) -> datetime:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else fallback


DRAFT = Reason(ReasonKind.DRAFT, "incomplete")
ACK_LATE = Reason(ReasonKind.SLA, "ack SLA late")
ACK_DUE = Reason(ReasonKind.SLA, "ack SLA due")
#: A changed order whose revised acknowledgement the server has not accepted yet: clocked by
#: the ack SLA from the change (the re-ack's queueing).
REACK_LATE = Reason(ReasonKind.SLA, "re-ack late")
REACK_DUE = Reason(ReasonKind.SLA, "re-ack due")
RUSH = Reason(ReasonKind.RUSH)
LATE_BACKORDER = Reason(ReasonKind.BACKORDER, "past promise")
CHANGE_REQUESTED = Reason(ReasonKind.CHANGE, "requested")


class ItemBuilder:
    """Makes queue items from rows, with their SLA clock and score as of `now`."""

    def __init__(self, policy: SlaPolicy, now: datetime, money: Callable[[Any], Decimal]) -> None:
        self.policy = policy
        self.now = now
        self.now_at = policy.calendar.position(now)
        self.money = money

    def _finish(self, item: QueueItem, state: tuple[Any, ...] | None) -> QueueItem:
        if state is not None:
            assignee, snoozed, escalated, version = state
            item.assignee = assignee
            item.snoozed_until = snoozed
            item.escalated = bool(escalated)
            item.state_version = version
        item.priority = score(
            value=item.value,
            tier=item.tier,
            rush=item.rush,
            work=item.reasons,
            sla=item.sla,
            warn_s=self.policy.warn_s,
            escalated=item.escalated,
        )
        return item

    def order(
        self,
        row: tuple[Any, ...],
        holds: tuple[tuple[Any, ...], ...] | None,
        state: tuple[Any, ...] | None,
        mails: tuple[tuple[Any, ...], ...] | None = None,
    ) -> QueueItem | None:
        """The order's item, or None when it needs nobody yet. `mails`: its mails the SMTP
        server has not accepted, (kind, state, last error, queued at, accepted for some): an
        acknowledgement among them keeps the ack SLA running (met when the server accepts it
        for anyone), a re-acknowledgement runs the ack SLA from its queueing, and each one the
        server refused or deferred says why."""
        oid, number, order_state, _priority, total, currency, since_s, unacked = row[:8]
        customer_id, code, name, tier, late, rush_s = row[8:]
        policy = self.policy
        reasons: list[Reason] = [Reason(ReasonKind.HOLD, h[1]) for h in holds or ()]
        ack_unsent = False
        reack_s: int | None = None
        for kind, mail_state, error, queued_s, delivered in mails or ():
            ack_unsent = ack_unsent or (kind == ACK_MAIL and not delivered)
            if kind == REACK and not delivered:
                reack_s = queued_s if reack_s is None else min(reack_s, queued_s)
            if error:
                what = "refused" if mail_state == MAIL_FAILED else "not sent"
                reasons.append(Reason(ReasonKind.MAIL, f"{what}: {error}"))
        sla = None
        started = _moment(since_s, self.now)
        if order_state == OrderState.DRAFT:
            reasons.append(DRAFT)
            sla = policy.clock_at(SlaKind.ENTRY, tier, started, self.now_at)
        elif (unacked and order_state in UNACKNOWLEDGED) or ack_unsent:
            sla = policy.clock_at(SlaKind.ACK, tier, started, self.now_at)
            if sla.left_s <= policy.warn_s:
                reasons.append(ACK_LATE if sla.breached else ACK_DUE)
        elif reack_s is not None:
            started = _moment(reack_s, self.now)
            sla = policy.clock_at(SlaKind.ACK, tier, started, self.now_at)
            if sla.left_s <= policy.warn_s:
                reasons.append(REACK_LATE if sla.breached else REACK_DUE)
        # the order or one of its lines is rush: its own SLA, until released
        rush = rush_s is not None
        if rush and order_state in RUSH_STATES:
            reasons.insert(0, RUSH)
            clock = policy.clock_at(SlaKind.RUSH, tier, _moment(rush_s, self.now), self.now_at)
            if sla is None or clock.left_s < sla.left_s:
                sla = clock
        if late:
            reasons.append(LATE_BACKORDER)
        if not reasons:  # an unacknowledged order with time to spare: not yet anyone's work
            return None
        item = QueueItem(
            subject=Subject.ORDER,
            subject_id=oid,
            number=number,
            customer_code=code,
            customer_name=name,
            tier=tier,
            value=self.money(total),
            currency=currency,
            since=started,
            reasons=reasons,
            order_id=oid,
            customer_id=customer_id,
            order_state=order_state,
            rush=rush,
            holds=[HoldRef(*h) for h in holds or ()],
            sla=sla,
        )
        return self._finish(item, state)

    def rma(self, row: tuple[Any, ...], state: tuple[Any, ...] | None) -> QueueItem:
        rid, number, rma_state, since_s, amount, order_id, customer_id = row[:7]
        code, name, tier, currency = row[7:]
        item = QueueItem(
            subject=Subject.RMA,
            subject_id=rid,
            number=number,
            customer_code=code,
            customer_name=name,
            tier=tier,
            value=self.money(amount),
            currency=currency,
            since=_moment(since_s, self.now),
            reasons=[Reason(ReasonKind.RMA, RMA_STEPS[rma_state])],
            order_id=order_id,
            customer_id=customer_id,
            order_state=rma_state,
        )
        return self._finish(item, state)

    def callback(self, row: tuple[Any, ...], state: tuple[Any, ...] | None) -> QueueItem:
        nid, body, at_s, order_id, author, customer_id = row[:6]
        number, total, code, name, tier, currency = row[6:]
        item = QueueItem(
            subject=Subject.NOTE,
            subject_id=nid,
            number=number or f"note {nid}",
            customer_code=code or "",
            customer_name=name or "",
            tier=tier or "standard",
            value=self.money(total) if total is not None else Decimal("0.00"),
            currency=currency or "",
            since=_moment(at_s, self.now),
            reasons=[Reason(ReasonKind.CALLBACK, f"promised by {author}")],
            order_id=order_id,
            customer_id=customer_id,
            note_text=body,
        )
        return self._finish(item, state)

    def change(self, row: tuple[Any, ...], state: tuple[Any, ...] | None) -> QueueItem:
        """A change request: the order it changes (if the 860 could be matched to one), clocked
        like an acknowledgement from the 860's receipt."""
        did, doc_state, error, at_s, order_id, customer_id, partner = row[:7]
        number, order_state, total, currency, code, name, tier = row[7:]
        tier = tier or "standard"
        started = _moment(at_s, self.now)
        reason = CHANGE_REQUESTED
        if doc_state == "error":
            why = (error or "").strip().splitlines()
            reason = Reason(ReasonKind.CHANGE, f"unreadable: {why[0]}" if why else "unreadable")
        item = QueueItem(
            subject=Subject.CHANGE,
            subject_id=did,
            number=number or f"860 #{did}",
            customer_code=code or partner,
            customer_name=name or "",
            tier=tier,
            value=self.money(total) if total is not None else Decimal("0.00"),
            currency=currency or "",
            since=started,
            reasons=[reason],
            order_id=order_id,
            customer_id=customer_id,
            order_state=order_state or "",
            sla=self.policy.clock_at(SlaKind.ACK, tier, started, self.now_at),
        )
        return self._finish(item, state)
