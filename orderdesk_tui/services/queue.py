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
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Exists,
    Integer,
    and_,
    case,
    cast,
    exists,
    extract,
    false,
    func,
    or_,
    select,
)
from sqlmodel import col

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


def _epoch(column: Any, sqlite: bool) -> ColumnElement[int]:
    """A timestamp column as whole seconds since 1970 (UTC): reading ten thousand of these as
    numbers is many times cheaper than as datetimes."""
    if sqlite:
        return cast(func.strftime("%s", column), Integer)
    return cast(extract("epoch", column), BigInteger)


def _moment(epoch: int | None, fallback: datetime) -> datetime:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else fallback


def _late_backorders(today: date) -> Exists:
    line = SalesOrderLine.__table__  # type: ignore[attr-defined]
    return exists().where(
        line.c.order_id == col(SalesOrder.id),
        line.c.quantity_backordered > 0,
        line.c.last_promised_date < today,
    )


DRAFT = Reason(ReasonKind.DRAFT, "incomplete")
ACK_LATE = Reason(ReasonKind.SLA, "ack SLA late")
ACK_DUE = Reason(ReasonKind.SLA, "ack SLA due")
RUSH = Reason(ReasonKind.RUSH)
LATE_BACKORDER = Reason(ReasonKind.BACKORDER, "past promise")


def _orders(
    conn: Connection, sqlite: bool, policy: SlaPolicy, now: datetime
) -> dict[int, QueueItem]:
    late_backorder = _late_backorders(now.astimezone(policy.calendar.tz).date())
    state = col(SalesOrder.state)
    since = case(
        (state == OrderState.DRAFT, func.coalesce(SalesOrder.received_at, SalesOrder.created_at)),
        else_=func.coalesce(SalesOrder.entered_at, SalesOrder.received_at, SalesOrder.created_at),
    )
    stmt = (
        select(
            SalesOrder.id,
            SalesOrder.number,
            SalesOrder.state,
            SalesOrder.priority,
            SalesOrder.total,
            SalesOrder.currency,
            _epoch(since, sqlite),
            col(SalesOrder.acknowledged_at).is_(None),
            SalesOrder.customer_id,
            Customer.code,
            Customer.name,
            Customer.service_tier,
            late_backorder,
        )
        .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
        .where(
            or_(
                state.in_((OrderState.DRAFT, OrderState.ON_HOLD)),
                and_(state.in_(UNACKNOWLEDGED), col(SalesOrder.acknowledged_at).is_(None)),
                and_(col(SalesOrder.priority) == Priority.RUSH, state.in_(RUSH_STATES)),
                and_(state.in_(OPEN_STATES), late_backorder),
            )
        )
    )
    now_at = policy.calendar.position(now)
    items: dict[int, QueueItem] = {}
    for row in conn.execute(stmt):
        oid, number, order_state, priority, total, currency, since_s, unacked = row[:8]
        customer_id, code, name, tier, late = row[8:]
        reasons: list[Reason] = []
        sla = None
        started = _moment(since_s, now)
        if order_state == OrderState.DRAFT:
            reasons.append(DRAFT)
            sla = policy.clock_at(SlaKind.ENTRY, tier, started, now_at)
        elif unacked and order_state in UNACKNOWLEDGED:
            sla = policy.clock_at(SlaKind.ACK, tier, started, now_at)
            if sla.left_s <= policy.warn_s:
                reasons.append(ACK_LATE if sla.breached else ACK_DUE)
        rush = priority == Priority.RUSH
        if rush and order_state in RUSH_STATES:
            reasons.append(RUSH)
        if late:
            reasons.append(LATE_BACKORDER)
        items[oid] = QueueItem(
            subject=Subject.ORDER,
            subject_id=oid,
            number=number,
            customer_code=code,
            customer_name=name,
            tier=tier,
            value=total,
            currency=currency,
            since=started,
            reasons=reasons,
            order_id=oid,
            customer_id=customer_id,
            order_state=order_state,
            rush=rush,
            sla=sla,
        )
    return items


def _attach_holds(conn: Connection, orders: dict[int, QueueItem]) -> None:
    stmt = (
        select(Hold.id, Hold.order_id, Hold.kind, Hold.reason, Hold.version)
        .join(SalesOrder, col(SalesOrder.id) == col(Hold.order_id))
        .where(
            col(Hold.released_at).is_(None),
            col(SalesOrder.state).not_in((OrderState.CANCELLED, OrderState.CLOSED)),
        )
        .order_by(col(Hold.id))
    )
    for hold_id, order_id, kind, reason, version in conn.execute(stmt):
        item = orders.get(order_id)
        if item is None:  # a hold on an order outside the queue's states (e.g. shipped)
            continue
        item.holds.append(HoldRef(hold_id, kind, reason, version))
        item.reasons.insert(len(item.holds) - 1, Reason(ReasonKind.HOLD, kind))


def _rmas(conn: Connection, sqlite: bool, now: datetime) -> list[QueueItem]:
    waiting_since = case(
        (col(RMA.state) == "requested", RMA.requested_at),
        else_=func.coalesce(RMA.received_at, RMA.requested_at),
    )
    stmt = (
        select(
            RMA.id,
            RMA.number,
            RMA.state,
            _epoch(waiting_since, sqlite),
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
    for row in conn.execute(stmt):
        rid, number, state, since_s, amount, order_id, customer_id = row[:7]
        code, name, tier, currency = row[7:]
        out.append(
            QueueItem(
                subject=Subject.RMA,
                subject_id=rid,
                number=number,
                customer_code=code,
                customer_name=name,
                tier=tier,
                value=amount,
                currency=currency,
                since=_moment(since_s, now),
                reasons=[Reason(ReasonKind.RMA, RMA_STEPS[state])],
                order_id=order_id,
                customer_id=customer_id,
                order_state=state,
            )
        )
    return out


def _callbacks(conn: Connection, sqlite: bool, now: datetime) -> list[QueueItem]:
    stmt = (
        select(
            Note.id,
            Note.body,
            _epoch(Note.callback_at, sqlite),
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
    for row in conn.execute(stmt):
        nid, body, at_s, order_id, author, customer_id = row[:6]
        number, total, code, name, tier, currency = row[6:]
        out.append(
            QueueItem(
                subject=Subject.NOTE,
                subject_id=nid,
                number=number or f"note {nid}",
                customer_code=code or "",
                customer_name=name or "",
                tier=tier or "standard",
                value=total if total is not None else Decimal("0.00"),
                currency=currency or "",
                since=_moment(at_s, now),
                reasons=[Reason(ReasonKind.CALLBACK, f"promised by {author}")],
                order_id=order_id,
                customer_id=customer_id,
                note_text=body,
            )
        )
    return out


def _attach_states(conn: Connection, items: Iterable[QueueItem]) -> None:
    """Who has each item, snoozes and escalations."""
    by_key = {item.key: item for item in items}
    stmt = select(
        QueueState.subject,
        QueueState.subject_id,
        QueueState.assignee,
        QueueState.snoozed_until,
        QueueState.escalated_at.is_not(None),  # type: ignore[union-attr]
        QueueState.version,
    )
    for subject, subject_id, assignee, snoozed, escalated, version in conn.execute(stmt):
        item = by_key.get((Subject(subject), subject_id))
        if item is None:
            continue
        item.assignee = assignee
        item.snoozed_until = snoozed
        item.escalated = bool(escalated)
        item.state_version = version


def load_queue(store: Store, sla: SlaSettings, now: datetime | None = None) -> QueueSnapshot:
    now = now or datetime.now(UTC)
    policy = sla_policy(sla, now)
    sqlite = store.is_sqlite
    with store.session() as session:
        conn = session.connection()
        orders = _orders(conn, sqlite, policy, now)
        _attach_holds(conn, orders)
        items = [item for item in orders.values() if item.reasons]
        items += _rmas(conn, sqlite, now)
        items += _callbacks(conn, sqlite, now)
        _attach_states(conn, items)
    for item in items:
        item.priority = score(
            value=item.value,
            tier=item.tier,
            rush=item.rush,
            work=item.reasons,
            sla=item.sla,
            warn_s=policy.warn_s,
            escalated=item.escalated,
        )
    items.sort(key=lambda i: (-i.priority.score, i.since))
    return QueueSnapshot(items, now, policy.warn_s)
