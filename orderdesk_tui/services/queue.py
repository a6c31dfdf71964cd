"""The work queue: everything needing a person, gathered in a handful of set-based reads.

Sources (one query each, never a query per order): orders in draft, on hold, not acknowledged,
rush or with a late backorder, with their open holds; RMAs waiting for a step; callbacks due
from the communication log; customers' change requests (inbound EDI 860s nobody has handled
yet, or could not read); and the queue's own per-item state (who took it, snoozes,
escalations). The domain then gives each item its SLA clock and priority, and the list is
sorted most urgent first.

A change request is worked like an acknowledgement: its clock is the acknowledgement SLA of the
customer's tier, from when the 860 was received. It leaves the queue when the EDI document is
marked handled (state `acknowledged`), not through a queue action.
"""

import gc
import threading
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from heapq import heappop, heappush
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Exists,
    Integer,
    case,
    cast,
    exists,
    extract,
    false,
    func,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.sql import Executable
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
from orderdesk_tui.models import (
    RMA,
    Customer,
    EDIDocument,
    Hold,
    Note,
    QueueChange,
    QueueState,
    SalesOrder,
    SalesOrderLine,
)
from orderdesk_tui.models.base import OrderState, Priority
from orderdesk_tui.models.types import Money
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
#: EDI 860 (purchase order change request, buyer initiated) in these states waits for a person:
#: received or parsed and not yet answered, or not readable at all.
CHANGE_SET = "860"
CHANGE_WAITING = ("received", "parsed", "error")


@dataclass
class QueueSnapshot:
    """The whole queue as read at `now`, most urgent first (snoozed items included)."""

    items: list[QueueItem]
    now: datetime
    warn_s: int

    def visible(self, flt: QueueFilter, user: str) -> list[QueueItem]:
        ctx = Context(user=user, now=self.now, warn_s=self.warn_s)
        return flt.select(self.items, ctx)


def _epoch(column: Any, sqlite: bool) -> ColumnElement[int]:
    """A timestamp column as whole seconds since 1970 (UTC): reading ten thousand of these as
    numbers is many times cheaper than as datetimes."""
    if sqlite:
        return cast(func.strftime("%s", column), Integer)
    return cast(extract("epoch", column), BigInteger)


def _raw(conn: Connection, stmt: Executable) -> list[tuple[Any, ...]]:
    """The rows as the driver returns them: SQLAlchemy's Row objects cost ~2 µs each, which
    is most of a ten-thousand-item refresh. Only columns whose stored form is what Python
    wants are read this way (ids, strings, epoch numbers, flags); money goes through `_money`.
    """
    result = conn.execute(stmt)
    try:
        return result.cursor.fetchall()  # type: ignore[attr-defined,no-any-return]
    finally:
        result.close()


def _money(conn: Connection) -> Any:
    """Stored money (integer cents on SQLite, NUMERIC on PostgreSQL) to Decimal."""
    dialect = conn.dialect
    return lambda value: Money.process_result_value(value, dialect)


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
CHANGE_REQUESTED = Reason(ReasonKind.CHANGE, "requested")
ORDER, RMA_ITEM, NOTE, CHANGE = Subject.ORDER, Subject.RMA, Subject.NOTE, Subject.CHANGE


@dataclass(frozen=True)
class _Rows:
    """One read of every source, as plain tuples; `mark` is where the change feed was read up
    to (see `_feed_mark`)."""

    orders: dict[int, tuple[Any, ...]]
    holds: dict[int, tuple[tuple[Any, ...], ...]]
    rmas: list[tuple[Any, ...]]
    callbacks: list[tuple[Any, ...]]
    changes: list[tuple[Any, ...]]
    states: dict[tuple[str, int], tuple[Any, ...]]
    mark: int | str


#: More orders changed than this since the last read: read them all again (one plain read beats
#: an IN list of thousands of ids).
MAX_CHANGED = 500


def _feed_mark(conn: Connection, sqlite: bool) -> int | str:
    """Where the next read of the change feed starts. SQLite: the last `seq`, read in the same
    transaction (one snapshot) as the rows; writers commit one at a time, so a later change
    gets a higher `seq`. PostgreSQL: the snapshot taken before the rows are read (as text,
    `xmin:xmax:running,...`): a feed row written by a transaction it does not see (still
    running then, or begun after) may be missing from this read, and is read next time.
    A snapshot, not only its oldest running transaction: that one may be anywhere in the
    cluster (another database's long transaction), and would hold every later change back."""
    if sqlite:
        return int(conn.execute(select(func.coalesce(func.max(QueueChange.seq), 0))).scalar_one())
    return str(conn.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar_one())


def _changed_since(
    conn: Connection, sqlite: bool, mark: int | str, known: dict[int, tuple[Any, ...]]
) -> set[int] | None:
    """Ids of the orders to read again since `mark`: changed ones, and the known ones of a
    changed customer; None when so many changed that reading everything is cheaper."""
    if sqlite:
        since: ColumnElement[bool] = col(QueueChange.seq) > int(mark)
    else:
        snapshot = str(mark)
        since = col(QueueChange.txid) >= int(snapshot.split(":", 1)[0])
        since &= text(
            "NOT pg_visible_in_snapshot(txid::text::xid8, CAST(:snapshot AS pg_snapshot))"
        ).bindparams(snapshot=snapshot)
    feed = _raw(conn, select(QueueChange.kind, QueueChange.ref_id).where(since))
    if len(feed) > MAX_CHANGED:
        return None
    orders = {ref for kind, ref in feed if kind == ORDER}
    customers = {ref for kind, ref in feed if kind == "customer"}
    if customers:  # their name, code or tier shows on every item of theirs
        orders.update(oid for oid, row in known.items() if row[8] in customers)
    return orders if len(orders) <= MAX_CHANGED else None


def _read(
    conn: Connection, sqlite: bool, today: date, now: datetime, before: _Rows | None
) -> tuple[_Rows, set[int] | None]:
    """Every source read; with `before` (the last read, same day), only the orders the change
    feed names since then are read again, merged into `before`'s. Returns the rows and the ids
    of the orders read again (None: all of them)."""
    if not sqlite:
        # The planner's cost for the orders query crosses jit_above_cost, and compiling it
        # costs more (~70 ms) than running it (~25 ms): these are short reads.
        conn.exec_driver_sql("SET LOCAL jit = off")
    mark = _feed_mark(conn, sqlite)
    only = None if before is None else _changed_since(conn, sqlite, before.mark, before.orders)
    late_backorder = _late_backorders(today)
    state = col(SalesOrder.state)
    since = case(
        (state == OrderState.DRAFT, func.coalesce(SalesOrder.received_at, SalesOrder.created_at)),
        else_=func.coalesce(SalesOrder.entered_at, SalesOrder.received_at, SalesOrder.created_at),
    )
    columns = (
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
    rush = col(SalesOrder.priority) == Priority.RUSH
    # Why an order in each state needs a person. One SELECT per state, each an equality on
    # the state index, so finished orders (most of history) are never read, whatever the
    # planner's statistics say about the states overall.
    needs_person: dict[str, ColumnElement[bool]] = {
        OrderState.DRAFT: true(),
        OrderState.ON_HOLD: true(),
        OrderState.ENTERED: or_(col(SalesOrder.acknowledged_at).is_(None), rush, late_backorder),
        OrderState.ACKNOWLEDGED: or_(rush, late_backorder),
        OrderState.RELEASED: late_backorder,
        OrderState.PARTIALLY_SHIPPED: late_backorder,
    }
    some_orders = true() if only is None else col(SalesOrder.id).in_(only)
    orders = union_all(
        *(
            select(*columns)
            .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
            .where(state == order_state, condition, some_orders)
            for order_state, condition in needs_person.items()
        )
    )
    holds = (
        select(Hold.order_id, Hold.id, Hold.kind, Hold.reason, Hold.version)
        .join(SalesOrder, col(SalesOrder.id) == col(Hold.order_id))
        .where(
            col(Hold.released_at).is_(None),
            col(SalesOrder.state).not_in((OrderState.CANCELLED, OrderState.CLOSED)),
            some_orders,
        )
        .order_by(col(Hold.id))
    )
    order_rows: dict[int, tuple[Any, ...]] = {}
    by_order: dict[int, list[tuple[Any, ...]]] = {}
    if only is None or only:
        order_rows = {row[0]: row for row in _raw(conn, orders)}
        for row in _raw(conn, holds):
            by_order.setdefault(row[0], []).append(row[1:])
    # the step waits on us since the RMA reached its state (older rows: from their dates)
    waiting_since = func.coalesce(
        RMA.state_changed_at,
        case(
            (col(RMA.state) == "requested", RMA.requested_at),
            else_=func.coalesce(RMA.received_at, RMA.requested_at),
        ),
    )
    rmas = (
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
    callbacks = (
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
    changes = (
        select(
            EDIDocument.id,
            EDIDocument.state,
            EDIDocument.error,
            _epoch(EDIDocument.received_at, sqlite),
            EDIDocument.order_id,
            Customer.id,
            EDIDocument.partner_id,
            SalesOrder.number,
            SalesOrder.state,
            SalesOrder.total,
            func.coalesce(SalesOrder.currency, Customer.currency),
            Customer.code,
            Customer.name,
            Customer.service_tier,
        )
        .outerjoin(SalesOrder, col(SalesOrder.id) == col(EDIDocument.order_id))
        .outerjoin(
            Customer,
            col(Customer.id) == func.coalesce(EDIDocument.customer_id, SalesOrder.customer_id),
        )
        .where(
            col(EDIDocument.transaction_set) == CHANGE_SET,
            col(EDIDocument.direction) == "in",
            col(EDIDocument.state).in_(CHANGE_WAITING),
        )
    )
    states = select(
        QueueState.subject,
        QueueState.subject_id,
        QueueState.assignee,
        QueueState.snoozed_until,
        col(QueueState.escalated_at).is_not(None),
        QueueState.version,
    )
    if only is not None:  # orders' states only for the orders read again
        subject = col(QueueState.subject)
        states = states.where(
            or_(subject != ORDER, col(QueueState.subject_id).in_(only) if only else false())
        )
    holds_read = {order_id: tuple(rows) for order_id, rows in by_order.items()}
    # few rows, and snoozed_until wants its datetime type: read the ordinary way
    states_read = {(row[0], row[1]): tuple(row[2:]) for row in conn.execute(states)}
    if before is not None and only is not None:
        order_rows, holds_read, states_read = _merged(
            before, only, order_rows, holds_read, states_read
        )
    rows = _Rows(
        orders=order_rows,
        holds=holds_read,
        rmas=_raw(conn, rmas),
        callbacks=_raw(conn, callbacks),
        changes=_raw(conn, changes),
        states=states_read,
        mark=mark,
    )
    return rows, only


def _merged(
    before: _Rows,
    only: set[int],
    orders: dict[int, tuple[Any, ...]],
    holds: dict[int, tuple[tuple[Any, ...], ...]],
    states: dict[tuple[str, int], tuple[Any, ...]],
) -> tuple[
    dict[int, tuple[Any, ...]],
    dict[int, tuple[tuple[Any, ...], ...]],
    dict[tuple[str, int], tuple[Any, ...]],
]:
    """The last read's orders, holds and order states with those of `only` replaced by what
    was just read (an order no longer read has left the queue)."""
    merged_orders = {oid: row for oid, row in before.orders.items() if oid not in only}
    merged_orders.update(orders)
    merged_holds = {oid: rows for oid, rows in before.holds.items() if oid not in only}
    merged_holds.update(holds)
    merged_states = {
        key: state for key, state in before.states.items() if key[0] == ORDER and key[1] not in only
    }
    merged_states.update(states)
    return merged_orders, merged_holds, merged_states


@contextmanager
def _no_collection() -> Iterator[None]:
    """No garbage collection during a read: it allocates tens of thousands of tuples that are
    all kept, and the collector's passes over them doubled the slowest refreshes (125 -> 60 ms
    at p95 for 10,000 items, bench/queue_refresh.py). Collection resumes right after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class QueueReader:
    """Reads the queue for a screen again and again, rebuilding only the items that changed.

    The first read of the day runs the set-based queries over every open order (a few tens of
    ms for ten thousand items). Later reads ask the change feed (models.queue.QueueChange)
    which orders changed since and read only those again, plus the small sources (RMAs,
    call-backs, change requests) whole. An item whose rows are exactly as last time is reused
    as it was built, SLA clock and score included. An item whose clock runs (drafts,
    unacknowledged orders, change requests, and those not yet due) is built again from the
    rows already read once it is `RESCORE_S` old, so clocks and the items that fall due with
    time stay that current; the items built in one read get their next build spread over the
    second half of that time, so a later read rebuilds a share of them, never all at once.
    Everything else scores the same whatever the time. That keeps a refresh cheap however long
    the queue is.
    """

    RESCORE_S = 30.0

    def __init__(self, store: Store, sla: SlaSettings) -> None:
        self.store = store
        self.sla = sla
        self._lock = threading.Lock()
        self._built: dict[tuple[Subject, int], tuple[Any, QueueItem | None]] = {}
        self._rows: _Rows | None = None
        self._today: date | None = None
        #: The items of the last read, most urgent first; what went and came since (a read).
        self._items: list[QueueItem] = []
        self._gone: list[QueueItem] = []
        self._added: list[QueueItem] = []
        #: Items whose clock runs: when each is due to be built again (a heap, and the
        #: current due per key: a heap entry for another time is stale), and those built in
        #: this read.
        self._due: list[tuple[datetime, int, tuple[Subject, int]]] = []
        self._due_at: dict[tuple[Subject, int], datetime] = {}
        self._clocked: list[tuple[Subject, int]] = []
        self._scheduled = 0
        #: The latest read, for a screen that opens to show at once while it reads again.
        self.last: QueueSnapshot | None = None

    def read(self, now: datetime | None = None) -> QueueSnapshot:
        now = now or datetime.now(UTC)
        policy = sla_policy(self.sla, now)
        with self._lock, _no_collection():
            today = now.astimezone(policy.calendar.tz).date()
            # a new day judges every backorder's promise anew: read everything
            before = self._rows if today == self._today else None
            with self.store.session() as session:
                conn = session.connection()
                rows, only = _read(conn, self.store.is_sqlite, today, now, before)
            build = _Builder(policy, now, _money(conn))
            self._gone, self._added, self._clocked = [], [], []
            built = self._built
            visit: Iterable[int] = rows.orders
            if only is not None:  # the other orders' items stand as built
                visit = only
            else:  # every order looked at: those no longer read have left the queue
                for key in [k for k in built if k[0] == ORDER and k[1] not in rows.orders]:
                    self._drop(key)
            for order_id in visit:
                key = (ORDER, order_id)
                if (row := rows.orders.get(order_id)) is None:
                    self._drop(key)
                    continue
                holds = rows.holds.get(order_id)
                state = rows.states.get((ORDER, order_id))
                signature = (row, holds, state)
                known = built.get(key)
                if known is None or known[0] != signature:
                    self._put(key, signature, build.order(row, holds, state))
            seen: set[tuple[Subject, int]] = set()
            for subject, source, make in (
                (RMA_ITEM, rows.rmas, build.rma),
                (NOTE, rows.callbacks, build.callback),
                (CHANGE, rows.changes, build.change),
            ):
                for row in source:
                    key = (subject, row[0])
                    seen.add(key)
                    state = rows.states.get((subject, row[0]))
                    signature = (row, state)
                    known = built.get(key)
                    if known is None or known[0] != signature:
                        self._put(key, signature, make(row, state))
            for key in [k for k in built if k[0] != ORDER and k not in seen]:
                self._drop(key)
            self._rescore(now, build)
            self._schedule(now)
            self._rows = rows
            self._today = today
            self._items = self._ranked(resort=only is None)
        self.last = QueueSnapshot(list(self._items), now, policy.warn_s)
        return self.last

    def _put(self, key: tuple[Subject, int], signature: Any, item: QueueItem | None) -> None:
        self._drop(key)
        self._built[key] = (signature, item)
        if item is not None:
            self._added.append(item)
        if item is None or item.sla is not None:  # its clock runs
            self._clocked.append(key)

    def _drop(self, key: tuple[Subject, int]) -> None:
        self._due_at.pop(key, None)
        known = self._built.pop(key, None)
        if known is not None and known[1] is not None:
            self._gone.append(known[1])

    def _rescore(self, now: datetime, build: "_Builder") -> None:
        """Build again, from the rows they were built from, the items whose time has come."""
        makers: dict[Subject, Callable[..., QueueItem | None]] = {
            ORDER: build.order,
            RMA_ITEM: build.rma,
            NOTE: build.callback,
            CHANGE: build.change,
        }
        due = self._due
        while due and due[0][0] <= now:
            at, _, key = heappop(due)
            if self._due_at.get(key) != at:  # built again or gone since it was scheduled
                continue
            signature = self._built[key][0]
            self._put(key, signature, makers[key[0]](*signature))

    def _schedule(self, now: datetime) -> None:
        """When the items built in this read are built again: spread over the second half of
        RESCORE_S, in the order they were built."""
        count = len(self._clocked)
        for n, key in enumerate(self._clocked, 1):
            at = now + timedelta(seconds=self.RESCORE_S * (0.5 + 0.5 * n / count))
            self._due_at[key] = at
            self._scheduled += 1
            heappush(self._due, (at, self._scheduled, key))

    def _ranked(self, resort: bool) -> list[QueueItem]:
        """The items most urgent first: the last list with the items that went taken out and
        the new ones put in their place (a few binary searches), or sorted again whole when
        much changed."""
        if not resort and len(self._gone) + len(self._added) <= MAX_CHANGED:
            items = list(self._items)  # the last snapshot keeps its own list
            for item in self._gone:
                at = bisect_left(items, _rank(item), key=_rank)
                while at < len(items) and items[at] is not item:  # equal ranks: find this one
                    at += 1
                if at == len(items):  # not where it should be: a read that failed half-way
                    break
                del items[at]
            else:
                for item in self._added:
                    insort(items, item, key=_rank)
                return items
        items = [item for _, item in self._built.values() if item is not None]
        items.sort(key=_rank)
        return items


def _rank(item: QueueItem) -> tuple[int, datetime, str, int]:
    """Queue order: highest score first, then longest waiting; ties by subject and id, so the
    order is the same however the list was made."""
    return -item.priority.score, item.since, item.subject, item.subject_id


class _Builder:
    """Makes queue items from rows, with their SLA clock and score as of `now`."""

    def __init__(self, policy: SlaPolicy, now: datetime, money: Any) -> None:
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
    ) -> QueueItem | None:
        oid, number, order_state, priority, total, currency, since_s, unacked = row[:8]
        customer_id, code, name, tier, late = row[8:]
        policy = self.policy
        reasons: list[Reason] = [Reason(ReasonKind.HOLD, h[1]) for h in holds or ()]
        sla = None
        started = _moment(since_s, self.now)
        if order_state == OrderState.DRAFT:
            reasons.append(DRAFT)
            sla = policy.clock_at(SlaKind.ENTRY, tier, started, self.now_at)
        elif unacked and order_state in UNACKNOWLEDGED:
            sla = policy.clock_at(SlaKind.ACK, tier, started, self.now_at)
            if sla.left_s <= policy.warn_s:
                reasons.append(ACK_LATE if sla.breached else ACK_DUE)
        rush = priority == Priority.RUSH
        if rush and order_state in RUSH_STATES:
            reasons.append(RUSH)
        if late:
            reasons.append(LATE_BACKORDER)
        if not reasons:  # an unacknowledged order with time to spare: not yet anyone's work
            return None
        item = QueueItem(
            subject=ORDER,
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
            subject=RMA_ITEM,
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
            subject=NOTE,
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
            subject=CHANGE,
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


def load_queue(store: Store, sla: SlaSettings, now: datetime | None = None) -> QueueSnapshot:
    """The queue read once, every item built as of `now`."""
    return QueueReader(store, sla).read(now)
