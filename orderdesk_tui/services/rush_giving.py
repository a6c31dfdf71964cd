"""The orders that give units to a rush: who they are, and taking from them in one go.

Which lines give (services.rush has the rule in words): not rush, not split (F7), of orders
that are not rush and not ship-complete (a ship-complete order that gives one unit cannot ship
at all), in state entered, on hold or acknowledged, holding the part in the rush line's
warehouse (any warehouse, for a split rush line); those wanted latest first (requested date),
then entered latest, then the newest.

Taking is set-based, so that a rush across a hundred orders stays well under the 200 ms the
desk allows it (bench/rush_reallocation.py): one `free_allocation_in` for every giving line,
the rush lines and stock rows written once, and every loser re-promised from one read of the
part's supply and demand: what it lost becomes a backorder promised for the date
`allocation.allocate_in` would give it (the same domain promise, each order seeing the others'
demand but not its own). The parts (services.line_parts) are kept exact from one read of the
touched orders' parts and one batch of part writes: the taken units join the rush line's
allocated part in their warehouse and its backordered parts are trimmed (`plan_taken`); each
loser's backordered parts are replaced by its new promise (`plan_allocation`, nothing now).
An order that could take free stock back at once (it should not: the
rush took only what free stock could not give) is re-allocated by `allocate_in` itself. The
events the batch writes name no order (those calls take one); they are filed under their
orders before the transaction ends.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, false, func, insert, select, update
from sqlmodel import Session, col

from orderdesk_tui.config import MailSettings
from orderdesk_tui.domain.availability.order_promise import promise_order
from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import ZERO
from orderdesk_tui.models import (
    AuditEvent,
    Customer,
    Note,
    OrderLinePart,
    OrderRevision,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
)
from orderdesk_tui.models.base import (
    HoldKind,
    NoteChannel,
    OrderState,
    Priority,
    table_of,
    utcnow,
)
from orderdesk_tui.services.allocation import allocate_in
from orderdesk_tui.services.audit import VersionedUpdate, apply_updates
from orderdesk_tui.services.availability import load_supplies, open_quantity, stock_requests
from orderdesk_tui.services.deallocation import free_allocation_in
from orderdesk_tui.services.holds import place_hold
from orderdesk_tui.services.line_parts import PartWrites, orders_parts, plan_allocation, plan_taken
from orderdesk_tui.services.mail_outbox import enqueue_reacknowledgement
from orderdesk_tui.services.order_diff import FieldDiff
from orderdesk_tui.services.revision_log import revision_values

#: Orders whose allocations a rush may take: not yet released to the warehouse.
GIVING_STATES = (OrderState.ENTERED, OrderState.ON_HOLD, OrderState.ACKNOWLEDGED)


@dataclass(frozen=True)
class Loss:
    """What one order gave to a rush: (part number, quantity) per part."""

    order_id: int
    number: str
    parts: tuple[tuple[str, Decimal], ...]
    #: (line number, allocated before, allocated after) of each line that gave.
    lines: tuple[tuple[int, Decimal, Decimal], ...] = ()

    @property
    def units(self) -> Decimal:
        return sum((q for _, q in self.parts), ZERO)

    def text(self, rush_number: str) -> str:
        units = ", ".join(f"{fmt_qty(q)} units of {part}" for part, q in self.parts)
        return f"{units} taken by rush order {rush_number}"


def _giving(item_ids: Sequence[int], order_id: int) -> list[object]:
    return [
        col(SalesOrderLine.item_id).in_(item_ids),
        col(SalesOrderLine.quantity_allocated) > 0,
        col(SalesOrder.state).in_(GIVING_STATES),
        col(SalesOrder.ship_complete) == false(),
        col(SalesOrder.id) != order_id,
    ]


def givers(
    session: Session, order_id: int, item_ids: Sequence[int]
) -> list[tuple[SalesOrderLine, str]]:
    """The lines that may give to a rush, the first to give first, with their order number."""
    wanted = func.coalesce(col(SalesOrderLine.requested_date), col(SalesOrder.requested_date))
    rows = session.execute(
        select(SalesOrderLine, col(SalesOrder.number))
        .join(SalesOrder, col(SalesOrder.id) == col(SalesOrderLine.order_id))
        .where(
            *_giving(item_ids, order_id),  # type: ignore[arg-type]
            col(SalesOrderLine.rush) == false(),
            # a split line may hold in several warehouses; what it gives must come back
            # from the rush line's (deallocation frees its latest part, wherever it is)
            col(SalesOrderLine.split_warehouses) == false(),
            col(SalesOrder.priority) != Priority.RUSH,
        )
        .order_by(
            wanted.desc().nulls_last(),
            col(SalesOrder.entered_at).desc().nulls_last(),
            col(SalesOrder.id).desc(),
            col(SalesOrderLine.line_no).desc(),
        )
        .execution_options(populate_existing=True)
    ).all()
    return [(line, number) for line, number in rows]


def lock_orders(session: Session, order_id: int, item_ids: Sequence[int]) -> None:
    """Lock `order_id` and the orders that may give it `item_ids`, in id order: every order a
    rush may write, before any stock row (two rushes taking from the same orders queue up)."""
    candidates = session.execute(
        select(col(SalesOrderLine.order_id))
        .join(SalesOrder, col(SalesOrder.id) == col(SalesOrderLine.order_id))
        .where(*_giving(item_ids, order_id))  # type: ignore[arg-type]
        .distinct()
    ).scalars()
    session.execute(
        select(col(SalesOrder.id))
        .where(col(SalesOrder.id).in_(sorted({*candidates, order_id})))
        .order_by(col(SalesOrder.id))
        .with_for_update()
    )


#: (giving line, its order number, quantity, the rush line it goes to)
Move = tuple[SalesOrderLine, str, Decimal, SalesOrderLine]


def plan(
    rush_lines: Sequence[SalesOrderLine], giving: Sequence[tuple[SalesOrderLine, str]]
) -> list[Move]:
    """Who gives what to which rush line: each line's shortfall from the first givers in its
    warehouse (in any warehouse, for a line whose promise allows a split: F7)."""
    left = {line.id: line.quantity_allocated for line, _ in giving}
    moves: list[Move] = []
    for rush in rush_lines:
        need = open_quantity(rush)
        if rush.warehouse_id is None:
            continue
        for giver, number in giving:
            if need <= 0:
                break
            if giver.item_id != rush.item_id:
                continue
            if giver.warehouse_id != rush.warehouse_id and not rush.split_warehouses:
                continue
            give = min(need, left[giver.id])
            if give > 0:
                left[giver.id] -= give
                need -= give
                moves.append((giver, number, give, rush))
    return moves


def take(
    session: Session,
    order: SalesOrder,
    rush_lines: Sequence[SalesOrderLine],
    moves: Sequence[Move],
    *,
    actor: str,
    today: date,
    mail: MailSettings | None = None,
) -> tuple[Loss, ...]:
    """Move the planned units to the rush lines and re-promise every order that gave."""
    mark = session.execute(select(func.coalesce(func.max(col(AuditEvent.id)), 0))).scalar_one()
    per_line: dict[int, tuple[SalesOrderLine, Decimal]] = {}
    per_order: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    numbers: dict[int, str] = {}
    for giver, number, qty, rush in moves:
        assert giver.id is not None
        held = per_line.get(giver.id)
        per_line[giver.id] = (giver, qty + (held[1] if held else ZERO))
        per_order[giver.order_id][rush.part_number or str(rush.item_id)] += qty
        numbers[giver.order_id] = number
    before = {lid: line.quantity_allocated for lid, (line, _) in per_line.items()}
    free_allocation_in(
        session,
        list(per_line.values()),
        actor=actor,
        order_id=None,
        reason=f"taken by rush order {order.number}",
    )
    losses = tuple(
        Loss(
            oid,
            numbers[oid],
            tuple(per_order[oid].items()),
            tuple(
                (line.line_no, before[lid], line.quantity_allocated)
                for lid, (line, _) in per_line.items()
                if line.order_id == oid
            ),
        )
        for oid in sorted(per_order)
    )
    assert order.id is not None
    parts = orders_parts(session, [order.id, *per_order])
    writes = PartWrites(None)
    _give_to_rush(session, order, rush_lines, moves, parts, writes, actor=actor, today=today)
    again = _repromise(
        session, losses, order.number, parts, writes, actor=actor, today=today, mail=mail
    )
    writes.write(session, actor=actor)
    _file_under_orders(session, mark)
    for loser in again:  # free stock after all: allocate_in allocates it (and writes parts)
        allocate_in(session, loser, actor=actor, today=today)
    return losses


def _give_to_rush(
    session: Session,
    order: SalesOrder,
    rush_lines: Sequence[SalesOrderLine],
    moves: Sequence[Move],
    parts: Mapping[int, Sequence[OrderLinePart]],
    writes: PartWrites,
    *,
    actor: str,
    today: date,
) -> None:
    """The freed units onto the rush lines and their parts (added to `writes`), and back into
    the stock rows' `allocated`."""
    gained: dict[int | None, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for giver, _, qty, rush in moves:
        assert giver.warehouse_id is not None  # a giver holds stock in its (one) warehouse
        gained[rush.id][giver.warehouse_id] += qty
    updates: list[VersionedUpdate] = []
    per_stock: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for rush in rush_lines:
        taken = sorted(gained.get(rush.id, {}).items())
        qty = sum((q for _, q in taken), ZERO)
        if not qty:
            continue
        assert rush.item_id is not None
        for wid, q in taken:
            per_stock[(rush.item_id, wid)] += q
        backordered = max(rush.quantity_backordered - qty, ZERO)
        first = plan_taken(
            writes,
            rush,
            parts.get(rush.id or 0, ()),
            taken,
            backordered=backordered,
            today=today,
            reason=f"{fmt_qty(qty)} taken for rush",
        )
        values: dict[str, object] = {
            "quantity_allocated": rush.quantity_allocated + qty,
            "quantity_backordered": backordered,
        }
        if first != rush.warehouse_id:
            values["warehouse_id"] = first
        if open_quantity(rush) - qty <= 0:
            values["last_promised_date"] = today
            if rush.first_promised_date is None:
                values["first_promised_date"] = today
        updates.append(
            VersionedUpdate(
                rush, values, rush.version, "line.allocated", f"{fmt_qty(qty)} taken for rush"
            )
        )
    apply_updates(session, updates, actor=actor, order_id=order.id)
    stock_updates = []
    for stock in session.execute(
        select(StockLevel)
        .where(col(StockLevel.item_id).in_(sorted({k[0] for k in per_stock})))
        .order_by(col(StockLevel.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalars():
        qty = per_stock.get((stock.item_id, stock.warehouse_id), ZERO)
        if qty:
            stock_updates.append(
                VersionedUpdate(
                    stock,
                    {"allocated": stock.allocated + qty},
                    stock.version,
                    "stock.allocated",
                    f"rush order {order.number}",
                )
            )
    apply_updates(session, stock_updates, actor=actor, order_id=order.id)


def _repromise(
    session: Session,
    losses: Sequence[Loss],
    rush_number: str,
    parts: Mapping[int, Sequence[OrderLinePart]],
    writes: PartWrites,
    *,
    actor: str,
    today: date,
    mail: MailSettings | None,
) -> list[SalesOrder]:
    """Each loser's open quantity backordered for the date allocate_in would promise it, its
    backordered parts replaced to match (added to `writes`); its promised dates, revision,
    audit event and a note with a call-back due now. Returns the losers that could take free
    stock after all (the caller allocates them once the parts are written)."""
    ids = [loss.order_id for loss in losses]
    orders = {
        o.id: o
        for o in session.execute(
            select(SalesOrder)
            .where(col(SalesOrder.id).in_(ids))
            .execution_options(populate_existing=True)
        ).scalars()
    }
    lines: dict[int, list[SalesOrderLine]] = defaultdict(list)
    for line in session.execute(
        select(SalesOrderLine)
        .where(col(SalesOrderLine.order_id).in_(ids))
        .order_by(col(SalesOrderLine.order_id), col(SalesOrderLine.line_no))
        .execution_options(populate_existing=True)
    ).scalars():
        lines[line.order_id].append(line)
    work = {oid: stock_requests(lines[oid]) for oid in ids}
    item_ids = sorted({req.item_id for reqs in work.values() for _, req in reqs})
    supplies = load_supplies(session, item_ids, today=today)
    line_updates: list[VersionedUpdate] = []
    order_updates: list[VersionedUpdate] = []
    holds: list[tuple[SalesOrder, str]] = []
    revisions: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    again: list[SalesOrder] = []
    now = utcnow()
    for loss in losses:
        loser = orders[loss.order_id]
        own = {
            item_id: replace(s, demand=tuple(d for d in s.demand if d.reference != loser.number))
            for item_id, s in supplies.items()
        }
        requests = work[loss.order_id]
        results = promise_order([req for _, req in requests], own, today, single_warehouse=True)
        promised: dict[int | None, date | None] = {}
        if any(res.now_quantity > 0 for res in results):
            again.append(loser)  # free stock after all: allocate_in allocates it
            requests, results = [], []
        for (line, _), res in zip(requests, results, strict=True):
            assert line.id is not None
            warehouse_id, _words = plan_allocation(
                writes, line, parts.get(line.id, ()), res, today=today, ship_date=None
            )
            values: dict[str, object] = {"quantity_backordered": res.quantity}
            if warehouse_id != line.warehouse_id:
                values["warehouse_id"] = warehouse_id
            promised[line.id] = res.complete_date
            if res.complete_date is None:
                holds.append((loser, f"cannot be promised: {line.part_number}"))
            else:
                values["last_promised_date"] = res.complete_date
                if line.first_promised_date is None:
                    values["first_promised_date"] = res.complete_date
            line_updates.append(
                VersionedUpdate(
                    line, values, line.version, "line.backordered", loss.text(rush_number)
                )
            )
        dates = [
            promised.get(line.id, line.last_promised_date)
            for line in lines[loss.order_id]
            if open_quantity(line) + line.quantity_allocated > 0
        ]
        day = max((d for d in dates if d is not None), default=loser.last_promised_date)
        if loser in again:
            day = loser.last_promised_date
        changes = [FieldDiff(n, "allocated", fmt_qty(a), fmt_qty(b)) for n, a, b in loss.lines]
        if day != loser.last_promised_date:
            changes.append(
                FieldDiff(None, "promised", str(loser.last_promised_date or ""), str(day))
            )
        revision = loser.revision + 1
        values = {"revision": revision, "last_promised_date": day}
        if loser.first_promised_date is None:
            values["first_promised_date"] = day
        order_updates.append(
            VersionedUpdate(
                loser, values, loser.version, "order.rush_taken", loss.text(rush_number)
            )
        )
        assert loser.id is not None
        revisions.append(
            revision_values(
                loser.id,
                revision,
                changes,
                actor=actor,
                source="rush",
                reason=loss.text(rush_number),
                reacknowledge=day != loser.last_promised_date,
            )
        )
        moved = ""
        if day != loser.last_promised_date:
            moved = f"; promised {loser.last_promised_date or '-'} → {day}"
        notes.append(
            {
                "order_id": loser.id,
                "customer_id": loser.customer_id,
                "channel": NoteChannel.INTERNAL,
                "body": f"{loss.text(rush_number)}{moved}: tell the customer",
                "author": actor,
                "created_at": now,
                "callback_at": now,
                "callback_done": False,
            }
        )
    apply_updates(session, line_updates, actor=actor)
    apply_updates(session, order_updates, actor=actor)
    # many rows in one INSERT each (the ORM would build and insert them one by one)
    session.execute(insert(table_of(OrderRevision)), revisions)
    session.execute(insert(table_of(Note)), notes)
    # the customers in one read, held here: each acknowledgement looks its order's up (the
    # session keeps rows only while something refers to them: one SELECT per loser otherwise)
    told = sorted({orders[r["order_id"]].customer_id for r in revisions if r["reacknowledge"]})
    customers = (
        session.execute(select(Customer).where(col(Customer.id).in_(told))).all() if told else []
    )
    for row in revisions:  # a moved promise: the revised acknowledgement (or 855 change)
        if row["reacknowledge"]:
            enqueue_reacknowledgement(
                session, mail or MailSettings(), orders[row["order_id"]], OrderRevision(**row)
            )
    del customers  # held until the acknowledgements are queued
    for loser, reason in holds:
        place_hold(session, loser, HoldKind.STOCK, reason, actor=actor)
    return again


def _file_under_orders(session: Session, after_id: int) -> None:
    """The batch's order, line and part events (written with no order) filed under their
    orders, in one statement."""
    line_order = (
        select(col(SalesOrderLine.order_id))
        .where(col(SalesOrderLine.id) == col(AuditEvent.entity_id))
        .scalar_subquery()
    )
    part_order = (
        select(col(OrderLinePart.order_id))
        .where(col(OrderLinePart.id) == col(AuditEvent.entity_id))
        .scalar_subquery()
    )
    entity = col(AuditEvent.entity)
    session.execute(
        update(AuditEvent)
        .where(
            col(AuditEvent.id) > after_id,
            col(AuditEvent.order_id).is_(None),
            entity.in_(("sales_orders", "sales_order_lines", "order_line_parts")),
        )
        .values(
            order_id=case(
                (entity == "sales_orders", col(AuditEvent.entity_id)),
                (entity == "sales_order_lines", line_order),
                else_=part_order,
            )
        )
    )
