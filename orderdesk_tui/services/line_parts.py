"""The parts of order lines (models.line_part): written by allocation, given back by
deallocation, read by the order view.

A line's parts are the truth of where and when it is fulfilled; its columns are their sums
(`quantity_allocated`, `quantity_backordered`) and its first warehouse (`warehouse_id`), so
ATP and every reader of lines keep working. What a line holds beyond its holding parts (a line
allocated before parts existed, or by a seed) counts as allocated in the line's warehouse.

Known gap: ATP (services.availability) counts a line's open quantity as demand in the line's
warehouse. For a split line whose backordered part waits in another warehouse, that demand is
counted in the first warehouse: totals by date are right, the per-warehouse split of that
demand is not. Reading backordered parts in ATP_QUERY would close it.

Why a table and not child lines: see models.line_part.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.availability.results import LineAvailability
from orderdesk_tui.domain.money import ZERO
from orderdesk_tui.models import OrderLinePart, SalesOrderLine
from orderdesk_tui.models.base import table_of, utcnow
from orderdesk_tui.models.line_part import HOLDING, PartState
from orderdesk_tui.services.audit import VersionedUpdate, apply_updates

#: Parts that still give stock back when freed (picked units are in the warehouse's hands).
FREEABLE = frozenset({PartState.ALLOCATED, PartState.RELEASED})


def order_parts(session: Session, order_id: int) -> dict[int, list[OrderLinePart]]:
    """The order's parts by line id, in part order, as stored now."""
    return orders_parts(session, [order_id])


def orders_parts(session: Session, order_ids: Iterable[int]) -> dict[int, list[OrderLinePart]]:
    """The parts of these orders by line id, in part order, as stored now (one statement)."""
    return _read(session, col(OrderLinePart.order_id), order_ids)


def line_parts(session: Session, line_ids: Iterable[int]) -> dict[int, list[OrderLinePart]]:
    """The parts of these lines by line id, in part order, as stored now."""
    return _read(session, col(OrderLinePart.line_id), line_ids)


def _read(session: Session, column: Any, ids: Iterable[int]) -> dict[int, list[OrderLinePart]]:
    wanted = sorted(set(ids))
    out: dict[int, list[OrderLinePart]] = defaultdict(list)
    if not wanted:
        return out
    for part in session.exec(
        select(OrderLinePart)
        .where(column.in_(wanted))
        .order_by(col(OrderLinePart.line_id), col(OrderLinePart.part_no))
        .execution_options(populate_existing=True)
    ):
        out[part.line_id].append(part)
    return out


def unparted(line: SalesOrderLine, parts: Sequence[OrderLinePart]) -> Decimal:
    """What the line holds allocated that no part accounts for (allocated before parts)."""
    held = sum((p.quantity for p in parts if p.state in HOLDING), ZERO)
    return max(line.quantity_allocated - held, ZERO)


# -- allocation writes parts ----------------------------------------------------------------------


@dataclass(slots=True)
class _Part:
    """A part as the allocation leaves it: an existing row (`row`) or a new one."""

    part_no: int
    warehouse_id: int | None
    quantity: Decimal
    promised_date: date | None
    state: str
    row: OrderLinePart | None = None


@dataclass(slots=True)
class PartWrites:
    """What an allocation run writes to order_line_parts, in three statements at most (and
    a reload). `order_id`: the order the audit events are filed under (None: a rush's batch
    over many orders, filed by its caller)."""

    order_id: int | None
    inserts: list[dict[str, object]] = field(default_factory=list)
    updates: list[VersionedUpdate] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)

    def write(self, session: Session, *, actor: str) -> None:
        if self.deletes:
            session.execute(delete(OrderLinePart).where(col(OrderLinePart.id).in_(self.deletes)))
        apply_updates(session, self.updates, actor=actor, order_id=self.order_id)
        if self.inserts:
            session.execute(insert(table_of(OrderLinePart)), self.inserts)


def plan_allocation(
    writes: PartWrites,
    line: SalesOrderLine,
    parts: Sequence[OrderLinePart],
    res: LineAvailability,
    *,
    today: date,
    ship_date: date | None,
) -> tuple[int | None, str]:
    """Add to `writes` the parts `res` leaves `line` with: what ships now is added to the
    line's allocated part in that warehouse (a new part if it has none there); what is
    promised later replaces the line's backordered parts, one per warehouse and date (what
    cannot be promised at all is a backordered part without a date). `ship_date`: the date a
    ship-complete order ships, given to every part of the line (None: parts ship when ready).
    Returns the line's warehouse (its first live part's) and the parts in words."""
    plan, nxt = _as_planned(line, parts)
    for piece in res.ship_now:
        nxt = _join_now(plan, piece.warehouse_id, piece.quantity, nxt, today)
    wanted: dict[tuple[int | None, date | None], Decimal] = defaultdict(lambda: ZERO)
    for piece in res.later:
        wanted[(piece.warehouse_id, piece.day)] += piece.quantity
    if res.unavailable > 0:
        wanted[(line.warehouse_id, None)] += res.unavailable
    waiting = [p for p in plan if p.state == PartState.BACKORDERED]
    for (wid, day), qty in wanted.items():
        if waiting:
            reuse = waiting.pop(0)
            reuse.warehouse_id, reuse.quantity, reuse.promised_date = wid, qty, day
        else:
            plan.append(_Part(nxt, wid, qty, day, PartState.BACKORDERED))
            nxt += 1
    for gone in waiting:
        plan.remove(gone)
        assert gone.row is not None and gone.row.id is not None
        writes.deletes.append(gone.row.id)
    if ship_date is not None:
        for p in plan:
            if p.state in (PartState.ALLOCATED, PartState.BACKORDERED):
                p.promised_date = ship_date
    _stage(writes, line, plan)
    live = [p for p in plan if p.state != PartState.CANCELLED]
    return _first_warehouse(line, live), "; ".join(describe(p) for p in live)


def plan_taken(
    writes: PartWrites,
    line: SalesOrderLine,
    parts: Sequence[OrderLinePart],
    taken: Sequence[tuple[int, Decimal]],
    *,
    backordered: Decimal,
    today: date,
    reason: str,
) -> int | None:
    """Add to `writes` the parts of a line (a rush's) that took units from other lines,
    `taken` [(warehouse id, quantity)]: they join its allocated part in that warehouse, as what
    ships now does in `plan_allocation` (a new part if it has none there), and its backordered
    parts come down to `backordered`, the latest promised first (`plan_trim`). `line` is as it
    was before. Returns the line's warehouse (its first live part's, as `plan_allocation`)."""
    plan, nxt = _as_planned(line, parts)
    for warehouse_id, quantity in taken:
        nxt = _join_now(plan, warehouse_id, quantity, nxt, today)
    _stage(writes, line, plan)
    trims = plan_trim(parts, backordered, reason)
    writes.updates.extend(trims)
    gone = {id(u.row) for u in trims if u.values.get("state") == PartState.CANCELLED}
    live = [p for p in plan if p.state != PartState.CANCELLED and id(p.row) not in gone]
    return _first_warehouse(line, live)


def _first_warehouse(line: SalesOrderLine, live: Sequence[_Part]) -> int | None:
    first = next((p.warehouse_id for p in live if p.warehouse_id is not None), None)
    return first or line.warehouse_id


def _as_planned(line: SalesOrderLine, parts: Sequence[OrderLinePart]) -> tuple[list[_Part], int]:
    """The line's parts to plan on, with what it holds beyond them (allocated before parts)
    as an allocated part in its warehouse; and the next part number."""
    assert line.id is not None
    nxt = max((p.part_no for p in parts), default=0) + 1
    plan = [
        _Part(p.part_no, p.warehouse_id, p.quantity, p.promised_date, p.state, p) for p in parts
    ]
    old = unparted(line, parts)
    if old > 0:
        plan.append(
            _Part(nxt, line.warehouse_id, old, line.last_promised_date, PartState.ALLOCATED)
        )
        nxt += 1
    return plan, nxt


def _join_now(
    plan: list[_Part], warehouse_id: int | None, quantity: Decimal, nxt: int, today: date
) -> int:
    """What ships now joins the allocated part in its warehouse (a new part, promised today, if
    there is none). Returns the next part number."""
    same = next(
        (p for p in plan if p.state == PartState.ALLOCATED and p.warehouse_id == warehouse_id),
        None,
    )
    if same is not None:
        same.quantity += quantity
        return nxt
    plan.append(_Part(nxt, warehouse_id, quantity, today, PartState.ALLOCATED))
    return nxt + 1


def plan_settled(writes: PartWrites, line: SalesOrderLine, parts: Sequence[OrderLinePart]) -> None:
    """A line with nothing left to allocate (cut, removed, its rest cancelled) waits for no
    supply: add to `writes` the cancelling of its backordered parts."""
    writes.updates.extend(
        VersionedUpdate(
            p, {"state": PartState.CANCELLED}, p.version, "part.cancelled", f"line {line.line_no}"
        )
        for p in parts
        if p.state == PartState.BACKORDERED
    )


def _stage(writes: PartWrites, line: SalesOrderLine, plan: Sequence[_Part]) -> None:
    stamp = utcnow()
    for p in plan:
        values: dict[str, object] = {
            "warehouse_id": p.warehouse_id,
            "quantity": p.quantity,
            "promised_date": p.promised_date,
            "state": p.state,
        }
        if p.row is None:
            writes.inserts.append(
                {
                    **values,
                    "order_id": line.order_id,
                    "line_id": line.id,
                    "part_no": p.part_no,
                    "created_at": stamp,
                    "updated_at": stamp,
                    "version": 1,
                }
            )
        elif any(getattr(p.row, k) != v for k, v in values.items()):
            writes.updates.append(
                VersionedUpdate(
                    p.row, values, p.row.version, "part.allocated", f"line {line.line_no}"
                )
            )


def describe(part: _Part | OrderLinePart) -> str:
    """ "2: 40 WH#2 backordered 2026-12-17" (the warehouse by id: words for audit reasons)."""
    where = f"WH#{part.warehouse_id}" if part.warehouse_id is not None else "no warehouse"
    when = part.promised_date.isoformat() if part.promised_date else "no date"
    return f"{part.part_no}: {fmt_qty(part.quantity)} {where} {part.state} {when}"


# -- deallocation takes from parts ----------------------------------------------------------------


def plan_free(
    line: SalesOrderLine, parts: Sequence[OrderLinePart], give: Decimal, reason: str
) -> tuple[list[tuple[int | None, Decimal]], list[VersionedUpdate]]:
    """Where `give` of the line's allocation comes back from, and the part updates.

    Latest promised first, and among parts promised the same day the last allocated (highest
    part number) first: the units the customer waits longest for, or got last, go back first.
    What the line holds beyond its parts (allocated before parts) goes back last, from the
    line's warehouse. A part freed whole is cancelled (its quantity kept, as what it was);
    one freed in part keeps the rest. Returns [(warehouse id, quantity)] and the updates."""
    back: list[tuple[int | None, Decimal]] = []
    updates: list[VersionedUpdate] = []
    left = give
    order = sorted(
        (p for p in parts if p.state in FREEABLE and p.quantity > 0),
        key=lambda p: (p.promised_date or date.max, p.part_no),
        reverse=True,
    )
    for part in order:
        if left <= 0:
            break
        take = min(part.quantity, left)
        left -= take
        back.append((part.warehouse_id, take))
        values: dict[str, object] = (
            {"state": PartState.CANCELLED}
            if take == part.quantity
            else {"quantity": part.quantity - take}
        )
        updates.append(
            VersionedUpdate(
                part,
                values,
                part.version,
                "part.deallocated",
                f"line {line.line_no} part {part.part_no}: {fmt_qty(take)} freed: {reason}"[:400],
            )
        )
    if left > 0:
        back.append((line.warehouse_id, left))
    return back, updates


def cancel_backorders(
    session: Session,
    lines: Sequence[SalesOrderLine],
    *,
    actor: str,
    order_id: int | None,
    reason: str,
) -> None:
    """Cancel the backordered parts of `lines` (their rest is cancelled: nothing waits for
    supply any more). The caller writes the lines' quantity_backordered."""
    ids = [line.id for line in lines if line.id is not None and line.quantity_backordered > 0]
    updates = [
        VersionedUpdate(p, {"state": PartState.CANCELLED}, p.version, "part.cancelled", reason)
        for parts in line_parts(session, ids).values()
        for p in parts
        if p.state == PartState.BACKORDERED
    ]
    apply_updates(session, updates, actor=actor, order_id=order_id)


def trim_backorders(
    session: Session,
    lines: Sequence[SalesOrderLine],
    *,
    actor: str,
    order_id: int | None,
    reason: str,
) -> None:
    """Bring the backordered parts of `lines` down to each line's `quantity_backordered`
    (after a cut of what waits: cancel remaining), the latest promised first: a part cut whole
    is cancelled, one cut in part keeps the rest."""
    parts = line_parts(session, [line.id for line in lines if line.id is not None])
    updates = [
        u
        for line in lines
        for u in plan_trim(parts.get(line.id or 0, ()), line.quantity_backordered, reason)
    ]
    apply_updates(session, updates, actor=actor, order_id=order_id)


def plan_trim(parts: Sequence[OrderLinePart], keep: Decimal, reason: str) -> list[VersionedUpdate]:
    """The updates that bring a line's backordered `parts` down to `keep`, the latest promised
    first: a part cut whole is cancelled, one cut in part keeps the rest."""
    waiting = sorted(
        (p for p in parts if p.state == PartState.BACKORDERED),
        key=lambda p: (p.promised_date or date.max, p.part_no),
        reverse=True,
    )
    excess = sum((p.quantity for p in waiting), ZERO) - keep
    updates: list[VersionedUpdate] = []
    for part in waiting:
        if excess <= 0:
            break
        cut = min(part.quantity, excess)
        excess -= cut
        values: dict[str, object] = (
            {"state": PartState.CANCELLED}
            if cut == part.quantity
            else {"quantity": part.quantity - cut}
        )
        updates.append(VersionedUpdate(part, values, part.version, "part.cancelled", reason[:400]))
    return updates
