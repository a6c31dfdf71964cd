"""Read the store for the KPIs: the orders of a period under filters, as `domain.kpi` facts.

A **period** selects orders by the date that makes them count: orders *due* in it (first
promised date in the period) for fill, on-time, perfect order, accuracy and backorder rate;
orders *entered* in it for order history, days to process, SLAs and coordinators. Filters:
customer code, ship-to code, item category, warehouse code, coordinator (who entered it or
has it assigned) and source (keyboard, edi, ...). Category and warehouse select lines: an
order counts with its lines that match. Drafts and cancelled orders never count.

Speed: one query for the orders and lines of the period (indexes of migration 0020 on the
two period dates), one for their error causes or holds when the report needs them.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased
from sqlmodel import col

from orderdesk_tui.domain.credit import OPEN_ORDER_STATES
from orderdesk_tui.domain.entry_shorthand import parse_date
from orderdesk_tui.domain.kpi.facts import LineFact
from orderdesk_tui.domain.kpi.process import HoldSpan, OrderTimes
from orderdesk_tui.domain.kpi.quality import ErrorCause, cause_of
from orderdesk_tui.domain.order_states import State
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import (
    RMA,
    Address,
    AuditEvent,
    Customer,
    Hold,
    Invoice,
    Item,
    RMALine,
    SalesOrder,
    SalesOrderLine,
    Warehouse,
)
from orderdesk_tui.store import Store

NOT_REAL = (State.DRAFT, State.CANCELLED)
_MONTH_DAY = re.compile(r"\d{1,2}[/.-]\d{1,2}")
FILTERS = ("customer", "ship_to", "category", "warehouse", "coordinator", "source")


@dataclass(frozen=True)
class Period:
    """Days `start` to `end`, both included."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    @classmethod
    def month_of(cls, day: date) -> "Period":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(first, following - timedelta(days=1))

    @classmethod
    def parse(cls, text: str, today: date) -> "Period":
        """`this` (month), `last` (month), `2026-11` (a month), or FROM TO / FROM..TO with the
        entry screen's date shorthands (`t`, `-30`, `11/1`, `2026-11-01`)."""
        raw = text.strip().lower()
        if raw in {"", "this", "this month"}:
            return cls.month_of(today)
        if raw in {"last", "last month"}:
            return cls.month_of(today.replace(day=1) - timedelta(days=1))
        if len(raw) == 7 and raw[4] == "-" and raw[:4].isdigit() and raw[5:].isdigit():
            return cls.month_of(parse_date(raw + "-01", today, field="period"))
        parts = raw.replace("..", " ").split()
        if len(parts) != 2:
            raise FieldError("period", f"'{text}': type this, last, 2026-11 or FROM TO")
        # a bare day or month/day means the past here, unlike on an order's dates
        first = _past(parse_date(parts[0], today, field="from"), parts[0], today)
        last = _past(parse_date(parts[1], today, field="to"), parts[1], today)
        if last < first:
            raise FieldError("to", f"{last.isoformat()} is before {first.isoformat()}")
        return cls(first, last)


def _past(day: date, typed: str, today: date) -> date:
    """A day typed without a year that the entry shorthand put after today is meant in the past
    here: a month/day a year earlier, a bare day number the latest such day up to today."""
    raw = typed.strip()
    if day <= today:
        return day
    if _MONTH_DAY.fullmatch(raw):
        return day.replace(year=day.year - 1, day=min(day.day, 28 if day.month == 2 else 31))
    if raw.isdigit():
        year, month = today.year, today.month
        for _ in range(3):  # this month, else the last month that has that day
            try:
                candidate = date(year, month, int(raw))
            except ValueError:
                candidate = None
            if candidate is not None and candidate <= today:
                return candidate
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return day


@dataclass(frozen=True)
class Filters:
    customer: str = ""
    ship_to: str = ""
    category: str = ""
    warehouse: str = ""
    coordinator: str = ""
    source: str = ""

    @classmethod
    def parse(cls, text: str) -> "Filters":
        """`customer=C100 source=edi ...`; FieldError naming a filter it does not know."""
        found: dict[str, str] = {}
        for part in text.split():
            name, sep, value = part.partition("=")
            name = name.replace("-", "_").lower()
            if not sep or name not in FILTERS:
                raise FieldError("filters", f"'{part}': use NAME=VALUE, NAME one of "
                                 f"{', '.join(FILTERS)}")  # fmt: skip
            found[name] = value
        return cls(**found)

    @property
    def label(self) -> str:
        return " ".join(f"{name}={getattr(self, name)}" for name in FILTERS if getattr(self, name))


@dataclass(frozen=True)
class OrderInfo:
    id: int
    number: str
    customer: str
    customer_name: str
    state: str
    source: str
    entered_by: str
    currency: str
    total: Decimal
    times: OrderTimes


@dataclass
class PeriodData:
    """The orders of a period (by id) and their lines as facts."""

    period: Period
    as_of: date
    orders: dict[int, OrderInfo] = field(default_factory=dict)
    lines: list[LineFact] = field(default_factory=list)
    #: line facts keyed to their item's part number and category (top items, breakdowns)
    items: list[tuple[str, str]] = field(default_factory=list)


def _order_filters(filters: Filters, *, real_only: bool = True) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if real_only:
        where.append(col(SalesOrder.state).not_in(NOT_REAL))
    if filters.customer:
        where.append(col(Customer.code) == filters.customer.upper())
    if filters.source:
        where.append(col(SalesOrder.source) == filters.source.lower())
    if filters.coordinator:
        who = filters.coordinator
        where.append(or_(col(SalesOrder.entered_by) == who, col(SalesOrder.assigned_to) == who))
    if filters.ship_to:
        ship_to = aliased(Address)
        where.append(
            col(SalesOrder.ship_to_id).in_(
                select(col(ship_to.id)).where(col(ship_to.code) == filters.ship_to)
            )
        )
    return where


def _line_filters(filters: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.category:
        where.append(col(Item.category) == filters.category)
    if filters.warehouse:
        where.append(
            col(SalesOrderLine.warehouse_id).in_(
                select(col(Warehouse.id)).where(col(Warehouse.code) == filters.warehouse.upper())
            )
        )
    return where


def _stamp(moment: datetime | str | None) -> datetime | None:
    """A timestamp as read raw: SQLite gives text without the zone (it is UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class _Scaled(dict[Decimal | int, Decimal]):
    """A Quantity/UnitPrice column read raw (SQLite's scaled integer, PostgreSQL's Decimal) as
    its Decimal: `reader[raw]`, each value converted once (a month's lines repeat few)."""

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale

    def __missing__(self, raw: Decimal | int) -> Decimal:
        value = raw if isinstance(raw, Decimal) else Decimal(raw).scaleb(-self.scale)
        self[raw] = value
        return value


class _Days(dict[date | str | None, date | None]):
    """A date column read raw (SQLite's ISO text, PostgreSQL's date): `days[raw]`."""

    def __missing__(self, raw: date | str | None) -> date | None:
        value = date.fromisoformat(raw) if isinstance(raw, str) else raw
        self[raw] = value
        return value


def _raw(column: Any) -> Any:
    """`column` without its result conversion (done by hand above: 40,000 lines a month)."""
    return type_coerce(column, Integer if column.type.python_type is Decimal else String)


def load_period(
    store: Store,
    period: Period,
    filters: Filters,
    *,
    by: str = "due",
    as_of: date | None = None,
    items: bool = False,
) -> PeriodData:
    """Orders due (`by="due"`) or entered (`by="entered"`) in `period`, with their lines (or,
    `by="backordered"`, the lines on backorder now and their orders, any period); the
    order's timestamps only for `by="entered"` (the reports that read them), each line's part
    and category only with `items`. Two queries: the orders, then their lines."""
    as_of = as_of or datetime.now(UTC).date()
    line_where = _line_filters(filters)
    if by == "backordered":  # open backorders, whenever due (partial index of migration 0006)
        # a literal 0, as the partial index says it (a bound parameter would not use it)
        on_backorder = col(SalesOrderLine.quantity_backordered) > literal_column("0")
        line_where.append(on_backorder)
        anchor: ColumnElement[bool] = col(SalesOrder.id).in_(
            select(col(SalesOrderLine.order_id)).where(on_backorder)
        )
    elif by == "due":
        anchor = and_(
            col(SalesOrder.first_promised_date) >= period.start,
            col(SalesOrder.first_promised_date) <= period.end,
        )
    else:
        anchor = and_(
            col(SalesOrder.entered_at) >= period.since, col(SalesOrder.entered_at) < period.until
        )
    where = [anchor, *_order_filters(filters)]
    if line_where:  # only orders with a line that matches
        matching = (
            select(col(SalesOrderLine.order_id))
            .outerjoin(Item, col(Item.id) == col(SalesOrderLine.item_id))
            .where(*line_where)
        )
        where.append(col(SalesOrder.id).in_(matching))
    stamps = (
        SalesOrder.received_at, SalesOrder.entered_at, SalesOrder.acknowledged_at,
        SalesOrder.released_at, SalesOrder.shipped_at, SalesOrder.invoiced_at,
    )  # fmt: skip
    timed = by == "entered"
    order_cols = [
        col(SalesOrder.id), col(SalesOrder.number), col(Customer.code), col(Customer.name),
        col(SalesOrder.state), col(SalesOrder.source), col(SalesOrder.entered_by),
        col(SalesOrder.currency), col(SalesOrder.total), col(Customer.service_tier),
        *(_raw(col(c)) for c in (stamps if timed else ())),
    ]  # fmt: skip
    scope = (
        select(*order_cols)
        .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
        .where(*where)
    )
    line_cols = [
        col(SalesOrderLine.order_id), *(_raw(col(c)) for c in (
            SalesOrderLine.quantity, SalesOrderLine.quantity_shipped,
            SalesOrderLine.quantity_cancelled, SalesOrderLine.unit_price,
            SalesOrderLine.requested_date, SalesOrderLine.first_promised_date,
            SalesOrderLine.last_promised_date, SalesOrderLine.shipped_date,
            SalesOrderLine.quantity_backordered,
        )),
    ]  # fmt: skip
    if items:
        line_cols += [col(SalesOrderLine.part_number), col(Item.category)]
    order_ids = (
        select(col(SalesOrder.id))
        .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
        .where(*where)
    )
    lines_stmt = select(*line_cols).where(col(SalesOrderLine.order_id).in_(order_ids), *line_where)
    if items or line_where:
        lines_stmt = lines_stmt.outerjoin(Item, col(Item.id) == col(SalesOrderLine.item_id))
    with store.read_session() as session:  # Core rows: no ORM loading for 40,000 lines
        connection = session.connection()
        order_rows: Sequence[Any] = connection.execute(scope).all()
        line_rows: Sequence[Any] = connection.execute(lines_stmt).all()
    data = PeriodData(period, as_of)
    day, qty, price = _Days(), _Scaled(3), _Scaled(4)
    for row in order_rows:
        order_id = row[0]
        times = OrderTimes(order_id, tier=row[9])
        if timed:
            received, entered, acknowledged, released, shipped, invoiced = map(_stamp, row[10:16])
            times = OrderTimes(order_id, received, entered, acknowledged, released, shipped,
                               invoiced, tier=row[9])  # fmt: skip
        data.orders[order_id] = OrderInfo(
            id=order_id, number=row[1], customer=row[2], customer_name=row[3], state=row[4],
            source=row[5], entered_by=row[6], currency=row[7], total=row[8], times=times,
        )  # fmt: skip
    currency = {order_id: info.currency for order_id, info in data.orders.items()}
    lines = data.lines
    for row in line_rows:
        lines.append(
            LineFact(
                row[0],
                qty[row[1]],
                qty[row[2]],
                qty[row[3]],
                price[row[4]],
                currency[row[0]],
                day[row[5]],
                day[row[6]],
                day[row[7]],
                day[row[8]],
                qty[row[9]],
            )
        )
        if items:
            data.items.append((row[10], row[11] or ""))
    return data


def error_causes(store: Store, order_ids: Iterable[int]) -> dict[int, frozenset[ErrorCause]]:
    """Error causes per order, from RMA line reasons (else the RMA's) and credit memo reasons;
    rejected RMAs found no error."""
    ids = list(order_ids)
    found: dict[int, set[ErrorCause]] = {}
    with store.read_session() as session:
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for order_id, line_reason, rma_reason in session.execute(
                select(col(RMA.order_id), col(RMALine.reason_code), col(RMA.reason_code))
                .outerjoin(RMALine, col(RMALine.rma_id) == col(RMA.id))
                .where(col(RMA.order_id).in_(chunk), col(RMA.state) != "rejected")
            ):
                cause = cause_of(rma_reason=line_reason or rma_reason)
                if cause is not None:
                    found.setdefault(order_id, set()).add(cause)
            for order_id, reason in session.execute(
                select(col(Invoice.order_id), col(Invoice.reason_code)).where(
                    col(Invoice.order_id).in_(chunk),
                    col(Invoice.kind) == "credit_memo",
                    col(Invoice.reason_code) != "",
                )
            ):
                cause = cause_of(credit_reason=reason)
                if cause is not None:
                    found.setdefault(order_id, set()).add(cause)
    return {order_id: frozenset(causes) for order_id, causes in found.items()}


def holds_of(store: Store, order_ids: Iterable[int]) -> list[HoldSpan]:
    ids = list(order_ids)
    spans: list[HoldSpan] = []
    with store.read_session() as session:
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for order_id, kind, raised, released in session.execute(
                select(
                    col(Hold.order_id), col(Hold.kind), col(Hold.raised_at), col(Hold.released_at)
                ).where(col(Hold.order_id).in_(chunk))
            ):
                spans.append(HoldSpan(order_id, kind, _stamp(raised) or raised, _stamp(released)))
    return spans


def open_backorder_lines(store: Store, filters: Filters, today: date) -> PeriodData:
    """Every line with units on backorder now (of real orders), as facts, with their orders."""
    return load_period(store, Period(today, today), filters, by="backordered", as_of=today)


@dataclass(frozen=True)
class OrderRow:
    """One order of a drill-down."""

    id: int
    number: str
    customer: str
    customer_name: str
    state: str
    entered_at: datetime | None
    promised: date | None
    shipped_at: datetime | None
    total: Decimal
    currency: str


def orders_by_id(store: Store, ids: Sequence[int], limit: int = 5000) -> list[OrderRow]:
    """The orders behind a figure, in id order (at most `limit`)."""
    wanted = sorted(set(ids))[:limit]
    out: list[OrderRow] = []
    with store.read_session() as session:
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            for o, code, name in session.execute(
                select(SalesOrder, col(Customer.code), col(Customer.name))
                .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
                .where(col(SalesOrder.id).in_(chunk))
                .order_by(col(SalesOrder.id))
            ):
                out.append(
                    OrderRow(
                        o.id or 0,
                        o.number,
                        code,
                        name,
                        o.state,
                        _stamp(o.entered_at),
                        o.last_promised_date,
                        _stamp(o.shipped_at),
                        o.total,
                        o.currency,
                    )
                )
    return out


def holds_raised(store: Store, period: Period, filters: Filters) -> list[HoldSpan]:
    """Holds raised in the period on orders the filters select."""
    stmt = (
        select(col(Hold.order_id), col(Hold.kind), col(Hold.raised_at), col(Hold.released_at))
        .join(SalesOrder, col(SalesOrder.id) == col(Hold.order_id))
        .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
        .where(
            col(Hold.raised_at) >= period.since,
            col(Hold.raised_at) < period.until,
            *_order_filters(filters, real_only=False),  # a since-cancelled order's hold counts
        )
    )
    with store.read_session() as session:
        return [
            HoldSpan(order_id, kind, _stamp(raised) or raised, _stamp(released))
            for order_id, kind, raised, released in session.execute(stmt)
        ]


def open_orders(store: Store, filters: Filters) -> list[tuple[int, str, datetime | None]]:
    """(id, state, entered at) of every open order the filters select."""
    stmt = (
        select(col(SalesOrder.id), col(SalesOrder.state), col(SalesOrder.entered_at))
        .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
        .where(col(SalesOrder.state).in_(OPEN_ORDER_STATES), *_order_filters(filters))
    )
    with store.read_session() as session:
        return [(i, state, _stamp(at)) for i, state, at in session.execute(stmt)]


def data_version(store: Store) -> tuple[int, ...]:
    """What changes whenever a report's figures can: the newest audit event (every change to an
    order, hold, RMA or customer writes one), order, invoice, RMA and hold. Five reads of a
    primary key's end: cheap enough to ask before every cached report."""
    newest = [
        select(func.max(column)).scalar_subquery()
        for column in (
            col(AuditEvent.id), col(SalesOrder.id), col(Invoice.id), col(RMA.id), col(Hold.id),
        )
    ]  # fmt: skip
    with store.read_session() as session:
        row = session.execute(select(*newest)).one()
    return tuple(int(value or 0) for value in row)
