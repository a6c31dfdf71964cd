"""A customer's buying history, to start a repeat order in a few keys (KEYBOARD.md lesson 7).

`usual_items` is the assortment list: what this customer buys, how often, when last and in what
quantity usually. `last_order` is the previous order to copy. Both read only real orders (not
drafts, not cancelled ones) and net quantities (ordered less cancelled); a line cancelled in full
is as if it was never ordered.

Speed: both start from the customer's orders (index on `sales_orders.customer_id`) and reach the
lines through `sales_order_lines.order_id`, so a customer with a few hundred orders answers as
fast on the million-line store as on the demo. `usual_items` is one aggregate query plus one for
the recent quantities of the items it found; `last_order` is one query for the order and one for
its lines. Never a query per item.

Dates are UTC calendar dates of `entered_at` (falling back to `created_at`), as the store keeps
them.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, distinct, exists, func, type_coerce
from sqlmodel import col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from orderdesk_tui.models import Item, SalesOrder, SalesOrderLine
from orderdesk_tui.models.base import OrderState, utcnow
from orderdesk_tui.models.types import Quantity
from orderdesk_tui.store import Store

#: Orders that never became (or stopped being) real demand.
NOT_REAL = (OrderState.DRAFT, OrderState.CANCELLED)
#: How many of the customer's most recent orders of an item decide its usual quantity.
USUAL_SAMPLE = 10


@dataclass(frozen=True)
class UsualItem:
    item_id: int
    part_number: str
    description: str
    uom: str
    #: On how many of the customer's orders (in the window) the item was.
    times_ordered: int
    last_date: date
    #: The most common quantity over the customer's last `USUAL_SAMPLE` orders of the item;
    #: on a tie, the one ordered most recently.
    usual_quantity: Decimal
    last_quantity: Decimal
    #: The item's status now ("active", "discontinued", "obsolete"), to flag it on the list.
    status: str


@dataclass(frozen=True)
class PastLine:
    item_id: int | None
    part_number: str
    #: Ordered less cancelled.
    quantity: Decimal
    #: The item's status now ("" for a line without an item).
    status: str


@dataclass(frozen=True)
class PastOrder:
    order_id: int
    number: str
    customer_po: str
    entered_at: datetime
    lines: tuple[PastLine, ...]


def _when() -> ColumnElement[datetime]:
    """When the order was placed: entered, or created if it never recorded an entry time."""
    return type_coerce(func.coalesce(SalesOrder.entered_at, SalesOrder.created_at), UTCDateTime())


def _net() -> ColumnElement[Decimal]:
    return type_coerce(
        col(SalesOrderLine.quantity) - col(SalesOrderLine.quantity_cancelled), Quantity
    )


def _real_orders(customer_id: int) -> list[ColumnElement[bool]]:
    return [
        col(SalesOrder.customer_id) == customer_id,
        col(SalesOrder.state).not_in(NOT_REAL),
    ]


def _cutoff(since_days: int | None, today: date | None) -> datetime | None:
    if since_days is None:
        return None
    day = (today or utcnow().date()) - timedelta(days=since_days)
    return datetime.combine(day, time.min, tzinfo=UTC)


def usual_items(
    store: Store,
    customer_id: int,
    *,
    limit: int = 40,
    since_days: int | None = 365,
    today: date | None = None,
) -> list[UsualItem]:
    """What the customer buys, most often ordered first, then most recently ordered.

    Only orders placed on or after `today - since_days` count (`since_days=None`: all of them);
    `today` defaults to the current UTC date.
    """
    if limit <= 0:
        return []
    when, net = _when(), _net()
    where = [
        *_real_orders(customer_id),
        col(SalesOrderLine.item_id).is_not(None),
        net > 0,
    ]
    cutoff = _cutoff(since_days, today)
    if cutoff is not None:
        where.append(when >= cutoff)
    times = func.count(distinct(col(SalesOrderLine.order_id))).label("times")
    last_at = func.max(when).label("last_at")
    ranked = (
        sa.select(  # sqlmodel's select is typed for 4 columns at most
            col(Item.id),
            col(Item.part_number),
            col(Item.description),
            col(Item.uom),
            col(Item.status),
            times,
            last_at,
        )
        .select_from(SalesOrder)
        .join(SalesOrderLine, col(SalesOrderLine.order_id) == SalesOrder.id)
        .join(Item, col(Item.id) == SalesOrderLine.item_id)
        .where(*where)
        .group_by(col(Item.id))
        .order_by(times.desc(), last_at.desc(), col(Item.part_number))
        .limit(limit)
    )
    with store.session() as session:
        rows = session.execute(ranked).all()
        if not rows:
            return []
        # Per order, the item's net quantity; the last USUAL_SAMPLE orders of each item.
        per_order = (
            select(
                col(SalesOrderLine.item_id).label("item_id"),
                col(SalesOrder.id).label("order_id"),
                when.label("at"),
                func.sum(net).label("qty"),
            )
            .select_from(SalesOrder)
            .join(SalesOrderLine, col(SalesOrderLine.order_id) == SalesOrder.id)
            .where(*where, col(SalesOrderLine.item_id).in_([row[0] for row in rows]))
            .group_by(col(SalesOrderLine.item_id), col(SalesOrder.id))
            .subquery()
        )
        recency = (
            func.row_number()
            .over(
                partition_by=per_order.c.item_id,
                order_by=(per_order.c.at.desc(), per_order.c.order_id.desc()),
            )
            .label("recency")
        )
        numbered = select(per_order.c.item_id, per_order.c.qty, recency).subquery()
        recent = session.exec(
            select(numbered.c.item_id, numbered.c.qty)
            .where(numbered.c.recency <= USUAL_SAMPLE)
            .order_by(numbered.c.item_id, numbered.c.recency)
        ).all()
    quantities: dict[int, list[Decimal]] = {}
    for item_id, qty in recent:
        quantities.setdefault(item_id, []).append(qty)
    result = []
    for item_id, part_number, description, uom, status, count, last in rows:
        history = quantities.get(item_id) or [Decimal(0)]  # newest first
        result.append(
            UsualItem(
                item_id=item_id,
                part_number=part_number,
                description=description,
                uom=uom,
                times_ordered=count,
                last_date=last.date(),
                usual_quantity=_mode_newest_first(history),
                last_quantity=history[0],
                status=status,
            )
        )
    return result


def _mode_newest_first(quantities: list[Decimal]) -> Decimal:
    """The most common quantity; among equally common ones, the newest (list is newest first)."""
    counts = Counter(quantities)
    top = max(counts.values())
    return next(q for q in quantities if counts[q] == top)


def last_order(store: Store, customer_id: int) -> PastOrder | None:
    """The customer's most recent real order that still has something to copy, with its lines
    (net of cancelled quantities; lines cancelled in full left out), in line order."""
    when, net = _when(), _net()
    has_lines = exists().where(col(SalesOrderLine.order_id) == SalesOrder.id, net > 0)
    newest = (
        select(SalesOrder.id, SalesOrder.number, SalesOrder.customer_po, when)
        .where(*_real_orders(customer_id), has_lines)
        .order_by(when.desc(), col(SalesOrder.id).desc())
        .limit(1)
    )
    with store.session() as session:
        found = session.exec(newest).first()
        if found is None:
            return None
        order_id, number, customer_po, entered_at = found
        assert order_id is not None  # a stored order's id
        lines = session.execute(
            sa.select(
                col(SalesOrderLine.item_id),
                col(SalesOrderLine.part_number),
                col(Item.part_number),
                net,
                col(Item.status),
            )
            .outerjoin(Item, col(Item.id) == SalesOrderLine.item_id)
            .where(and_(col(SalesOrderLine.order_id) == order_id, net > 0))
            .order_by(col(SalesOrderLine.line_no))
        ).all()
    return PastOrder(
        order_id=order_id,
        number=number,
        customer_po=customer_po,
        entered_at=entered_at,
        lines=tuple(
            PastLine(item_id, line_part or item_part or "", qty, status or "")
            for item_id, line_part, item_part, qty, status in lines
        ),
    )
