"""The work queue: everything needing a person, gathered in a handful of set-based reads.

Sources (one query each, never a query per order): orders in draft, on hold, not acknowledged,
rush or with a late backorder, with their open holds; RMAs waiting for a step; callbacks due
from the communication log; and the queue's own per-item state (who took it, snoozes,
escalations). The domain then gives each item its SLA clock and priority, and the list is
sorted most urgent first.

Change requests (a customer's change to an order already acknowledged) have no model in the
store yet, so they cannot appear here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import and_, exists, false, or_, select
from sqlmodel import Session, col

from orderdesk_tui.config import SlaSettings
from orderdesk_tui.domain.priority import score
from orderdesk_tui.domain.queue_filter import Context, QueueFilter
from orderdesk_tui.domain.queue_items import (
    RMA_STEPS,
    HoldRef,
    QueueItem,
    Reason,
    ReasonKind,
    Subject,
)
from orderdesk_tui.domain.sla import SlaKind, SlaPolicy
from orderdesk_tui.models import RMA, Customer, Hold, Note, QueueState, SalesOrder, SalesOrderLine
from orderdesk_tui.models.base import OrderState, Priority
from orderdesk_tui.services.sla_clock import sla_policy
from orderdesk_tui.store import Store

#: Orders before acknowledgement: the acknowledgement SLA is running.
UNACKNOWLEDGED = (OrderState.ENTERED, OrderState.ON_HOLD)
#: A rush order needs pushing until it is released to the warehouse.
RUSH_STATES = (OrderState.ENTERED, OrderState.ON_HOLD, OrderState.ACKNOWLEDGED)
#: Orders whose backordered lines can still ship.
OPEN_STATES = (
    OrderState.ENTERED,
    OrderState.ON_HOLD,
    OrderState.ACKNOWLEDGED,
    OrderState.RELEASED,
    OrderState.PARTIALLY_SHIPPED,
)


@dataclass
class QueueSnapshot:
    """The whole queue as read at `now`, most urgent first (snoozed items included)."""

    items: list[QueueItem]
    now: datetime
    warn_s: int

    def visible(self, flt: QueueFilter, user: str) -> list[QueueItem]:
        ctx = Context(user=user, now=self.now, warn_s=self.warn_s)
        return [item for item in self.items if flt.matches(item, ctx)]


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC; PostgreSQL aware. The domain wants aware."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _late_backorders(today: datetime) -> object:
    line = SalesOrderLine.__table__  # type: ignore[attr-defined]
    return exists().where(
        line.c.order_id == col(SalesOrder.id),
        line.c.quantity_backordered > 0,
        line.c.last_promised_date < today.date(),
    )


def _orders(session: Session, policy: SlaPolicy, now: datetime) -> dict[int, QueueItem]:
    late_backorder = _late_backorders(now.astimezone(policy.calendar.tz))
    stmt = (
        select(
            SalesOrder.id,
            SalesOrder.number,
            SalesOrder.state,
            SalesOrder.priority,
            SalesOrder.total,
            SalesOrder.currency,
            SalesOrder.received_at,
            SalesOrder.entered_at,
            SalesOrder.created_at,
            SalesOrder.acknowledged_at,
            SalesOrder.customer_id,
            Customer.code,
            Customer.name,
            Customer.service_tier,
            late_backorder.label("late_backorder"),  # type: ignore[attr-defined]
        )
        .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
        .where(
            or_(
                col(SalesOrder.state).in_((OrderState.DRAFT, OrderState.ON_HOLD)),
                and_(
                    col(SalesOrder.state).in_(UNACKNOWLEDGED),
                    col(SalesOrder.acknowledged_at).is_(None),
                ),
                and_(
                    col(SalesOrder.priority) == Priority.RUSH,
                    col(SalesOrder.state).in_(RUSH_STATES),
                ),
                and_(col(SalesOrder.state).in_(OPEN_STATES), late_backorder),  # type: ignore[arg-type]
            )
        )
    )
    items: dict[int, QueueItem] = {}
    for row in session.execute(stmt):
        oid, number, state, priority, total, currency, received, entered, created = row[:9]
        acked, customer_id, code, name, tier, late = row[9:]
        reasons: list[Reason] = []
        sla = None
        since = _aware(received or created) or now
        if state == OrderState.DRAFT:
            reasons.append(Reason(ReasonKind.DRAFT, "incomplete"))
            sla = policy.clock(SlaKind.ENTRY, tier, since, now)
        elif state in UNACKNOWLEDGED and acked is None:
            since = _aware(entered) or since
            sla = policy.clock(SlaKind.ACK, tier, since, now)
            if sla.left_s <= policy.warn_s:
                state_text = "ack SLA late" if sla.breached else "ack SLA due"
                reasons.append(Reason(ReasonKind.SLA, state_text))
        rush = priority == Priority.RUSH
        if rush and state in RUSH_STATES:
            reasons.append(Reason(ReasonKind.RUSH))
        if late:
            reasons.append(Reason(ReasonKind.BACKORDER, "past promise"))
        items[oid] = QueueItem(
            subject=Subject.ORDER,
            subject_id=oid,
            number=number,
            customer_code=code,
            customer_name=name,
            tier=tier,
            value=total,
            currency=currency,
            since=since,
            reasons=reasons,
            order_id=oid,
            customer_id=customer_id,
            order_state=state,
            rush=rush,
            sla=sla,
        )
    return items


def _attach_holds(session: Session, orders: dict[int, QueueItem]) -> None:
    stmt = (
        select(Hold.id, Hold.order_id, Hold.kind, Hold.reason, Hold.version, Hold.raised_at)
        .join(SalesOrder, col(SalesOrder.id) == col(Hold.order_id))
        .where(
            col(Hold.released_at).is_(None),
            col(SalesOrder.state).not_in((OrderState.CANCELLED, OrderState.CLOSED)),
        )
        .order_by(col(Hold.raised_at))
    )
    for hold_id, order_id, kind, reason, version, raised in session.execute(stmt):
        item = orders.get(order_id)
        if item is None:  # a hold on an order outside the queue's states (e.g. shipped)
            continue
        item.holds.append(HoldRef(hold_id, kind, reason, version))
        item.reasons.insert(len(item.holds) - 1, Reason(ReasonKind.HOLD, kind))
        if item.sla is None:
            item.since = min(item.since, _aware(raised) or item.since)


def _rmas(session: Session, now: datetime) -> list[QueueItem]:
    stmt = (
        select(
            RMA.id,
            RMA.number,
            RMA.state,
            RMA.requested_at,
            RMA.received_at,
            RMA.credit_amount,
            RMA.order_id,
            RMA.customer_id,
            Customer.code,
            Customer.name,
            Customer.service_tier,
            Customer.currency,
        )
        .join(Customer, col(Customer.id) == col(RMA.customer_id))
        .where(col(RMA.state).in_(tuple(RMA_STEPS)))
    )
    out = []
    for row in session.execute(stmt):
        rid, number, state, requested, received, amount, order_id, customer_id = row[:8]
        code, name, tier, cur = row[8:]
        since = _aware(received if state != "requested" and received else requested) or now
        out.append(
            QueueItem(
                subject=Subject.RMA,
                subject_id=rid,
                number=number,
                customer_code=code,
                customer_name=name,
                tier=tier,
                value=amount,
                currency=cur,
                since=since,
                reasons=[Reason(ReasonKind.RMA, RMA_STEPS[state])],
                order_id=order_id,
                customer_id=customer_id,
                order_state=state,
            )
        )
    return out


def _callbacks(session: Session, now: datetime) -> list[QueueItem]:
    stmt = (
        select(
            Note.id,
            Note.body,
            Note.callback_at,
            Note.order_id,
            Note.author,
            Note.customer_id,
            SalesOrder.number,
            SalesOrder.total,
            Customer.code,
            Customer.name,
            Customer.service_tier,
            Customer.currency,
        )
        .outerjoin(SalesOrder, col(SalesOrder.id) == col(Note.order_id))
        .outerjoin(Customer, col(Customer.id) == col(Note.customer_id))
        .where(col(Note.callback_at) <= now, col(Note.callback_done) == false())
    )
    out = []
    for row in session.execute(stmt):
        nid, body, at, order_id, author, customer_id = row[:6]
        number, total, code, name, tier, cur = row[6:]
        out.append(
            QueueItem(
                subject=Subject.NOTE,
                subject_id=nid,
                number=number or f"note {nid}",
                customer_code=code or "",
                customer_name=name or "",
                tier=tier or "standard",
                value=total if total is not None else Decimal("0.00"),
                currency=cur or "",
                since=_aware(at) or now,
                reasons=[Reason(ReasonKind.CALLBACK, f"promised by {author}")],
                order_id=order_id,
                customer_id=customer_id,
                note_text=body,
            )
        )
    return out


def _attach_states(session: Session, items: Iterable[QueueItem], now: datetime) -> None:
    """Who has each item, snoozes and escalations: only rows that still say something."""
    by_key = {item.key: item for item in items}
    stmt = select(
        QueueState.subject,
        QueueState.subject_id,
        QueueState.assignee,
        QueueState.snoozed_until,
        QueueState.escalated_at,
        QueueState.version,
    )
    for subject, subject_id, assignee, snoozed, escalated, version in session.execute(stmt):
        item = by_key.get((Subject(subject), subject_id))
        if item is None:
            continue
        item.assignee = assignee
        item.snoozed_until = _aware(snoozed)
        item.escalated = escalated is not None
        item.state_version = version


def load_queue(store: Store, sla: SlaSettings, now: datetime | None = None) -> QueueSnapshot:
    now = now or datetime.now(UTC)
    policy = sla_policy(sla, now)
    with store.session() as session:
        orders = _orders(session, policy, now)
        _attach_holds(session, orders)
        items = [item for item in orders.values() if item.reasons]
        items += _rmas(session, now)
        items += _callbacks(session, now)
        _attach_states(session, items, now)
    for item in items:
        item.priority = score(
            value=item.value,
            tier=item.tier,
            rush=item.rush,
            work=tuple((str(r.kind), r.label) for r in item.reasons),
            sla=item.sla,
            warn_s=policy.warn_s,
            escalated=item.escalated,
        )
    items.sort(key=lambda i: (-i.priority.score, i.since))
    return QueueSnapshot(items, now, policy.warn_s)
