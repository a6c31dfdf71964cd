"""The queue's set-based reads: one query per source, never a query per order, as plain tuples.

Orders in draft, on hold, not acknowledged, rush, with a late backorder or a mail the SMTP
server has not accepted, with their open holds and open mails; RMAs waiting for a step;
callbacks due from the communication log; customers' change requests (inbound EDI 860s nobody
has handled yet, or could not read); and the queue's own per-item state. A later read of the
same day asks the change feed (models.queue.QueueChange) which orders changed and reads only
those again. `services.queue_builder` makes items of the
rows; `services.queue` keeps a screen's queue current.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
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

from orderdesk_tui.domain.queue_items import RMA_STEPS, Subject
from orderdesk_tui.models import (
    RMA,
    Customer,
    EDIDocument,
    Hold,
    MailOutbox,
    Note,
    QueueChange,
    QueueState,
    SalesOrder,
    SalesOrderLine,
)
from orderdesk_tui.models.base import OrderState, Priority, table_of
from orderdesk_tui.models.types import Money
from orderdesk_tui.services.mail_outbox import OPEN as MAIL_NOT_SENT

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
#: Order states in which a mail the server has not accepted no longer matters to the queue.
MAIL_DONE_STATES = (OrderState.DRAFT, OrderState.CANCELLED, OrderState.CLOSED)
CHANGE_WAITING = ("received", "parsed", "error")


def _epoch(column: Any, sqlite: bool) -> ColumnElement[int]:
    """A timestamp column as whole seconds since 1970 (UTC): reading ten thousand of these as
    numbers is many times cheaper than as datetimes."""
    if sqlite:
        return cast(func.strftime("%s", column), Integer)
    return cast(extract("epoch", column), BigInteger)


def _raw(conn: Connection, stmt: Executable) -> Sequence[tuple[Any, ...]]:
    """The rows as the driver returns them: SQLAlchemy's Row objects cost ~2 µs each, which
    is most of a ten-thousand-item refresh. Only columns whose stored form is what Python
    wants are read this way (ids, strings, epoch numbers, flags); money goes through
    `money_reader`.
    """
    result = conn.execute(stmt)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def money_reader(conn: Connection) -> Callable[[Any], Decimal]:
    """Stored money (integer cents on SQLite, NUMERIC on PostgreSQL, never NULL) to Decimal."""
    dialect = conn.dialect

    def read(value: Any) -> Decimal:
        money = Money.process_result_value(value, dialect)
        assert money is not None
        return money

    return read


def _late_backorders(today: date) -> Exists:
    line = table_of(SalesOrderLine)
    return exists().where(
        line.c.order_id == col(SalesOrder.id),
        line.c.quantity_backordered > 0,
        line.c.last_promised_date < today,
    )


@dataclass(frozen=True)
class QueueRows:
    """One read of every source, as plain tuples; `mark` is where the change feed was read up
    to (see `_feed_mark`)."""

    orders: dict[int, tuple[Any, ...]]
    holds: dict[int, tuple[tuple[Any, ...], ...]]
    rmas: Sequence[tuple[Any, ...]]
    callbacks: Sequence[tuple[Any, ...]]
    changes: Sequence[tuple[Any, ...]]
    states: dict[tuple[str, int], tuple[Any, ...]]
    mark: int | str
    #: Order id -> its mails the server has not accepted yet: (kind, state, last error, queued
    #: at (epoch s), accepted for some recipients already).
    mails: dict[int, tuple[tuple[Any, ...], ...]] = field(default_factory=dict)


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
        last = conn.execute(select(func.max(col(QueueChange.seq)))).scalar_one()
        return last or 0  # an empty feed
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
    feed = _raw(conn, select(col(QueueChange.kind), col(QueueChange.ref_id)).where(since))
    if len(feed) > MAX_CHANGED:
        return None
    orders = {ref for kind, ref in feed if kind == Subject.ORDER}
    customers = {ref for kind, ref in feed if kind == "customer"}
    if customers:  # their name, code or tier shows on every item of theirs
        orders.update(oid for oid, row in known.items() if row[8] in customers)
    return orders if len(orders) <= MAX_CHANGED else None


def read_rows(
    conn: Connection, sqlite: bool, today: date, now: datetime, before: QueueRows | None
) -> tuple[QueueRows, set[int] | None]:
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
    rush = or_(col(SalesOrder.priority) == Priority.RUSH, col(SalesOrder.rushed_at).is_not(None))
    rush_since = func.coalesce(SalesOrder.rushed_at, SalesOrder.entered_at, SalesOrder.created_at)
    columns = (
        col(SalesOrder.id),
        col(SalesOrder.number),
        col(SalesOrder.state),
        col(SalesOrder.priority),
        col(SalesOrder.total),
        col(SalesOrder.currency),
        _epoch(since, sqlite),
        col(SalesOrder.acknowledged_at).is_(None),
        col(SalesOrder.customer_id),
        col(Customer.code),
        col(Customer.name),
        col(Customer.service_tier),
        late_backorder,
        # when the order (or a line of it) became rush; NULL: not rush
        case((rush, _epoch(rush_since, sqlite)), else_=None),
    )
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
    # An order with a mail the server has not accepted: its ack SLA runs on, or the refusal
    # needs a person (read from the mail table's small index of open mails).
    unsent = select(col(MailOutbox.order_id)).where(col(MailOutbox.state).in_(MAIL_NOT_SENT))
    orders = union_all(
        *(
            select(*columns)
            .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
            .where(state == order_state, condition, some_orders)
            for order_state, condition in needs_person.items()
        ),
        select(*columns)
        .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
        .where(col(SalesOrder.id).in_(unsent), state.not_in(MAIL_DONE_STATES), some_orders),
    )
    holds = (
        select(
            col(Hold.order_id), col(Hold.id), col(Hold.kind), col(Hold.reason), col(Hold.version)
        )
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
        col(RMA.state_changed_at),
        case(
            (col(RMA.state) == "requested", RMA.requested_at),
            else_=func.coalesce(RMA.received_at, RMA.requested_at),
        ),
    )
    rmas = (
        select(
            col(RMA.id),
            col(RMA.number),
            col(RMA.state),
            _epoch(waiting_since, sqlite),
            col(RMA.credit_amount),
            col(RMA.order_id),
            col(RMA.customer_id),
            col(Customer.code),
            col(Customer.name),
            col(Customer.service_tier),
            col(Customer.currency),
        )
        .join(Customer, col(Customer.id) == col(RMA.customer_id))
        .where(col(RMA.state).in_(tuple(RMA_STEPS)))
    )
    callbacks = (
        select(
            col(Note.id),
            col(Note.body),
            _epoch(Note.callback_at, sqlite),
            col(Note.order_id),
            col(Note.author),
            col(Note.customer_id),
            col(SalesOrder.number),
            col(SalesOrder.total),
            col(Customer.code),
            col(Customer.name),
            col(Customer.service_tier),
            col(Customer.currency),
        )
        .outerjoin(SalesOrder, col(SalesOrder.id) == col(Note.order_id))
        .outerjoin(Customer, col(Customer.id) == col(Note.customer_id))
        .where(col(Note.callback_at) <= now, col(Note.callback_done) == false())
    )
    changes = (
        select(
            col(EDIDocument.id),
            col(EDIDocument.state),
            col(EDIDocument.error),
            _epoch(EDIDocument.received_at, sqlite),
            col(EDIDocument.order_id),
            col(Customer.id),
            col(EDIDocument.partner_id),
            col(SalesOrder.number),
            col(SalesOrder.state),
            col(SalesOrder.total),
            func.coalesce(SalesOrder.currency, Customer.currency),
            col(Customer.code),
            col(Customer.name),
            col(Customer.service_tier),
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
        col(QueueState.subject),
        col(QueueState.subject_id),
        col(QueueState.assignee),
        col(QueueState.snoozed_until),
        col(QueueState.escalated_at).is_not(None),
        col(QueueState.version),
    )
    if only is not None:  # orders' states only for the orders read again
        subject = col(QueueState.subject)
        states = states.where(
            or_(subject != Subject.ORDER, col(QueueState.subject_id).in_(only) if only else false())
        )
    holds_read = {order_id: tuple(rows) for order_id, rows in by_order.items()}
    # few rows, and snoozed_until wants its datetime type: read the ordinary way
    states_read = {(row[0], row[1]): tuple(row[2:]) for row in conn.execute(states)}
    if before is not None and only is not None:
        order_rows, holds_read, states_read = _merged(
            before, only, order_rows, holds_read, states_read
        )
    mails: dict[int, list[tuple[Any, ...]]] = {}
    for order_id, *mail in _raw(
        conn,
        select(
            col(MailOutbox.order_id),
            col(MailOutbox.kind),
            col(MailOutbox.state),
            col(MailOutbox.last_error),
            _epoch(MailOutbox.created_at, sqlite),
            col(MailOutbox.sent_at).is_not(None),
        )
        .where(col(MailOutbox.state).in_(MAIL_NOT_SENT))
        .order_by(col(MailOutbox.id)),
    ):
        mails.setdefault(order_id, []).append(tuple(mail))
    rows = QueueRows(
        orders=order_rows,
        holds=holds_read,
        rmas=_raw(conn, rmas),
        callbacks=_raw(conn, callbacks),
        changes=_raw(conn, changes),
        states=states_read,
        mark=mark,
        mails={order_id: tuple(rows) for order_id, rows in mails.items()},
    )
    return rows, only


def _merged(
    before: QueueRows,
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
        key: state
        for key, state in before.states.items()
        if key[0] == Subject.ORDER and key[1] not in only
    }
    merged_states.update(states)
    return merged_orders, merged_holds, merged_states
