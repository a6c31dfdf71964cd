"""Allocation of stock to an order at submit (or again for what is on backorder).

`allocate` runs at submit in one transaction that no other allocation can interleave with:
`BEGIN IMMEDIATE` on SQLite; on PostgreSQL the order row and then every StockLevel row of its
items are locked FOR UPDATE, in id order so that two orders never deadlock.

Split shipments: a line is allocated from one warehouse unless its promise allows a split
(`SalesOrderLine.split_warehouses`, set by the entry's F7 "split warehouses"); the desk's
default is one warehouse a line (one shipment, one freight charge), and a ship-complete order
never splits. Either way what cannot ship now is backordered with its date (incoming PO, else
lead time) and no stock taken. Each piece is a part of the line (`order_line_parts`, written
through services.line_parts); the line's quantity_allocated / quantity_backordered stay the
sums of its parts and its warehouse_id the first part's, so ATP and every reader keep working.

Availability, which this reads through: `services.availability`.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session, col

from orderdesk_tui.domain.availability.order_promise import promise_order
from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.availability.results import LineAvailability
from orderdesk_tui.domain.money import ZERO
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import SalesOrder, SalesOrderLine, StockLevel
from orderdesk_tui.models.base import HoldKind, OrderState
from orderdesk_tui.services.audit import VersionedUpdate, apply_update, apply_updates, record
from orderdesk_tui.services.availability import (
    StockRow,
    load_supplies,
    open_quantity,
    order_lines,
    stock_requests,
    supply_of,
    today_utc,
)
from orderdesk_tui.services.holds import place_hold
from orderdesk_tui.services.line_parts import (
    PartWrites,
    order_parts,
    plan_allocation,
    plan_settled,
)
from orderdesk_tui.store import Store

#: Orders that can take an allocation (at submit, or again for a backorder).
ALLOCATABLE = frozenset(
    {
        OrderState.DRAFT,
        OrderState.ENTERED,
        OrderState.ON_HOLD,
        OrderState.ACKNOWLEDGED,
        OrderState.RELEASED,
        OrderState.PARTIALLY_SHIPPED,
    }
)


@dataclass(frozen=True, slots=True)
class LineAllocation:
    line_id: int
    line_no: int
    item_id: int
    part_number: str
    #: What this run allocated, and where.
    allocated: Decimal
    warehouse_id: int | None
    #: What stays on backorder, and the date it is promised for (None: cannot be promised).
    backordered: Decimal
    backorder_date: date | None
    #: The line's promised date: when it is complete (today if it all ships now).
    promised_date: date | None
    availability: LineAvailability


@dataclass(frozen=True, slots=True)
class AllocationResult:
    order_id: int
    order_number: str
    lines: tuple[LineAllocation, ...]
    #: The reason of the stock hold placed on the order, "" if none.
    hold_reason: str = ""

    @property
    def allocated(self) -> Decimal:
        return sum((line.allocated for line in self.lines), ZERO)

    @property
    def backordered(self) -> Decimal:
        return sum((line.backordered for line in self.lines), ZERO)

    @property
    def promised_date(self) -> date | None:
        """When the whole order is available; None if some line cannot be promised."""
        dates = [line.promised_date for line in self.lines]
        if any(d is None for d in dates):
            return None
        return max((d for d in dates if d is not None), default=None)


def allocate(
    store: Store, order_id: int, *, actor: str, today: date | None = None
) -> AllocationResult:
    """Allocate stock to the order's lines at submit (or again for what is on backorder), in
    a transaction of its own: `BEGIN IMMEDIATE` on SQLite, the order row locked FOR UPDATE on
    PostgreSQL. See `allocate_in`."""
    with store.immediate() as session:
        order = session.execute(
            select(SalesOrder)
            .where(col(SalesOrder.id) == order_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if order is None:
            raise RuleViolation(f"order {order_id} does not exist")
        return allocate_in(session, order, actor=actor, today=today)


def allocate_in(
    session: Session, order: SalesOrder, *, actor: str, today: date | None = None
) -> AllocationResult:
    """Allocate stock to `order`'s lines inside the caller's transaction (submit's).

    The caller holds the write lock: a `Store.immediate()` session on SQLite; on PostgreSQL
    the order row is locked FOR UPDATE here (again, if the caller did) and then the StockLevel
    rows of every item on the order, in id order, so two orders never deadlock.

    Each line takes what one warehouse (several, for a line whose promise allows a split, but
    never on a ship-complete order) can ship now (never more than on hand - allocated, and
    not what earlier orders' backorders wait for); the rest is backordered with its date
    (incoming PO, else lead time). Writes the line's parts (services.line_parts), the lines
    (quantity_allocated, quantity_backordered, warehouse_id, first/last promised date), the
    order's promised dates, the StockLevel rows (allocated, version) and audit events; a line
    with nothing left to allocate (cut or removed by a change) has its backordered parts
    cancelled. A
    ship-complete order with a shortfall, or a line that cannot be promised at all, gets a
    stock hold. An order past shipping raises
    RuleViolation; a line quantity that is not positive, FieldError (nothing is written).
    """
    today = today or today_utc()
    assert order.id is not None
    order_id = order.id
    session.flush()
    session.execute(
        select(col(SalesOrder.id)).where(col(SalesOrder.id) == order_id).with_for_update()
    )
    if order.state not in ALLOCATABLE:
        raise RuleViolation(
            f"order {order.number} is {order.state.replace('_', ' ')}: "
            "stock is allocated only to orders not yet shipped"
        )
    lines = order_lines(session, order_id)
    work = stock_requests(lines)
    item_ids = sorted({req.item_id for _, req in work})
    locked: list[StockLevel] = []
    if item_ids:
        locked = list(
            session.execute(
                select(StockLevel)
                .where(col(StockLevel.item_id).in_(item_ids))
                .order_by(col(StockLevel.id))
                .with_for_update()
                .execution_options(populate_existing=True)
            ).scalars()
        )
    supplies = load_supplies(
        session,
        item_ids,
        today=today,
        exclude_order_id=order_id,
        stock_rows=[StockRow(s.item_id, s.warehouse_id, s.on_hand, s.allocated) for s in locked],
    )
    for _, req in work:
        supply_of(supplies, req.item_id)
    results = promise_order(
        [req for _, req in work],
        supplies,
        today,
        single_warehouse=True,
        ship_complete=order.ship_complete,
    )
    stock_by_key = {(s.item_id, s.warehouse_id): s for s in locked}
    taken: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    out: list[LineAllocation] = []
    line_updates: list[VersionedUpdate] = []
    parts = order_parts(session, order_id) if lines else {}
    writes = PartWrites(order_id)
    worked = {line.id for line, _ in work}
    for line in lines:
        if line.id not in worked and line.id in parts:
            plan_settled(writes, line, parts[line.id])
    ship_date = _ship_complete_date(order, results, today)
    for (line, _), res in zip(work, results, strict=True):
        assert line.id is not None
        warehouse_id, words = plan_allocation(
            writes, line, parts.get(line.id, ()), res, today=today, ship_date=ship_date
        )
        allocation, update = _line_allocation(line, res, taken, warehouse_id, words)
        out.append(allocation)
        if update is not None:
            line_updates.append(update)
    apply_updates(session, line_updates, actor=actor, order_id=order_id)
    writes.write(session, actor=actor)
    stock_updates: list[VersionedUpdate] = []
    for key, qty in sorted(taken.items(), key=lambda kv: stock_by_key[kv[0]].id or 0):
        stock = stock_by_key[key]
        new = stock.allocated + qty
        if new > stock.on_hand:  # cannot happen: the domain never promises more
            raise RuleViolation(
                f"allocating {fmt_qty(qty)} of item {key[0]} in warehouse {key[1]} would "
                "exceed the stock on hand"
            )
        stock_updates.append(
            VersionedUpdate(
                stock, {"allocated": new}, stock.version, "stock.allocated", f"order {order.number}"
            )
        )
    apply_updates(session, stock_updates, actor=actor, order_id=order_id)
    hold_reason = _hold_reason(order, out)
    _write_order_dates(session, order, lines, actor)
    if out:
        record(
            session,
            actor=actor,
            entity="sales_orders",
            entity_id=order_id,
            action="order.allocated",
            changes={
                "allocated": (None, sum((a.allocated for a in out), ZERO)),
                "backordered": (None, sum((a.backordered for a in out), ZERO)),
            },
            order_id=order_id,
        )
    if hold_reason:
        place_hold(session, order, HoldKind.STOCK, hold_reason, actor=actor)
    return AllocationResult(order_id, order.number, tuple(out), hold_reason)


def _ship_complete_date(
    order: SalesOrder, results: Sequence[LineAvailability], today: date
) -> date | None:
    """The one date a ship-complete order ships (when its last line is complete); None for
    an order that ships what it can, or one a line of which cannot be promised."""
    if not order.ship_complete:
        return None
    dates = [res.complete_date for res in results]
    if any(d is None for d in dates):
        return None
    return max((d for d in dates if d is not None), default=today)


def _line_allocation(
    line: SalesOrderLine,
    res: LineAvailability,
    taken: dict[tuple[int, int], Decimal],
    warehouse_id: int | None,
    parts: str,
) -> tuple[LineAllocation, VersionedUpdate | None]:
    """What `res` allocates to `line` (added to `taken`), and the line's update if it changes.
    `warehouse_id`: the line's first part's; `parts`: its parts in words (the audit reason)."""
    assert line.id is not None and line.item_id is not None
    now = res.now_quantity
    for piece in res.ship_now:
        assert piece.warehouse_id is not None  # stock on hand is in a warehouse
        taken[(line.item_id, piece.warehouse_id)] += piece.quantity
    backordered = res.quantity - now
    promised = res.complete_date
    values: dict[str, object] = {
        "quantity_allocated": line.quantity_allocated + now,
        "quantity_backordered": backordered,
        "warehouse_id": warehouse_id,
    }
    if promised is not None:
        values["last_promised_date"] = promised
        if line.first_promised_date is None:
            values["first_promised_date"] = promised
    update = None
    if any(getattr(line, k) != v for k, v in values.items()):
        reason = f"{_line_reason(res)}; parts {parts}"[:400]
        update = VersionedUpdate(line, values, line.version, "line.allocated", reason)
    allocation = LineAllocation(
        line_id=line.id,
        line_no=line.line_no,
        item_id=line.item_id,
        part_number=res.item.part_number or line.part_number,
        allocated=now,
        warehouse_id=warehouse_id,
        backordered=backordered,
        backorder_date=res.rest_date,
        promised_date=promised,
        availability=res,
    )
    return allocation, update


def _line_reason(res: LineAvailability) -> str:
    projection = res.projection

    def code(warehouse_id: int | None) -> str:
        w = None
        if projection is not None and warehouse_id is not None:
            w = projection.warehouse(warehouse_id)
        return w.warehouse_code if w is not None else f"#{warehouse_id}"

    now = res.now_quantity
    text = f"{fmt_qty(now)} allocated"
    if len(res.ship_now) == 1:
        text += f" in {code(res.ship_now[0].warehouse_id)}"
    elif res.ship_now:
        text += " in " + ", ".join(
            f"{code(p.warehouse_id)} {fmt_qty(p.quantity)}" for p in res.ship_now
        )
    rest = res.quantity - now
    if rest > 0:
        when = res.rest_date.isoformat() if res.rest_date else "no date (cannot be promised)"
        text += f", {fmt_qty(rest)} backordered for {when}"
    return text


def _hold_reason(order: SalesOrder, lines: Sequence[LineAllocation]) -> str:
    never = [a for a in lines if a.promised_date is None]
    if never:
        parts = ", ".join(
            f"{a.part_number} ({fmt_qty(a.availability.unavailable)} {a.availability.item.status}"
            ", nothing on order)"
            for a in never
        )
        return f"cannot be promised: {parts}"
    if order.ship_complete and any(a.backordered > 0 for a in lines):
        short = ", ".join(
            f"{a.part_number} short {fmt_qty(a.backordered)} until {a.promised_date}"
            for a in lines
            if a.backordered > 0
        )
        return f"insufficient stock for ship-complete order: {short}"
    return ""


def _write_order_dates(
    session: Session, order: SalesOrder, lines: Sequence[SalesOrderLine], actor: str
) -> None:
    """The order is promised for when its last open line is complete."""
    promised = [
        line.last_promised_date
        for line in lines
        if line.last_promised_date is not None and open_quantity(line) + line.quantity_allocated > 0
    ]
    if not promised:
        return
    day = max(promised)
    values: dict[str, object] = {"last_promised_date": day}
    if order.first_promised_date is None:
        values["first_promised_date"] = day
    if any(getattr(order, k) != v for k, v in values.items()):
        apply_update(
            session,
            order,
            values,
            expected_version=order.version,
            actor=actor,
            action="order.promised",
            order_id=order.id,
        )
