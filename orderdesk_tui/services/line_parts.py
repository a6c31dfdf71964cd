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
    out: dict[int, list[OrderLinePart]] = defaultdict(list)
    for part in session.exec(
        select(OrderLinePart)
        .where(col(OrderLinePart.order_id) == order_id)
        .order_by(col(OrderLinePart.line_id), col(OrderLinePart.part_no))
        .execution_options(populate_existing=True)
    ):
        out[part.line_id].append(part)
    return out


def line_parts(session: Session, line_ids: Iterable[int]) -> dict[int, list[OrderLinePart]]:
    """The parts of these lines by line id, in part order, as stored now."""
    ids = sorted(set(line_ids))
    out: dict[int, list[OrderLinePart]] = defaultdict(list)
    if not ids:
        return out
    for part in session.exec(
        select(OrderLinePart)
        .where(col(OrderLinePart.line_id).in_(ids))
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
    """What an allocation run writes to order_line_parts, in three statements at most."""

    order_id: int
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
    for piece in res.ship_now:
        same = next(
            (
                p
                for p in plan
                if p.state == PartState.ALLOCATED and p.warehouse_id == piece.warehouse_id
            ),
            None,
        )
        if same is not None:
            same.quantity += piece.quantity
        else:
            plan.append(_Part(nxt, piece.warehouse_id, piece.quantity, today, PartState.ALLOCATED))
            nxt += 1
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
    first = next((p.warehouse_id for p in live if p.warehouse_id is not None), None)
    return first or line.warehouse_id, "; ".join(describe(p) for p in live)


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
    updates: list[VersionedUpdate] = []
    for line in lines:
        waiting = sorted(
            (p for p in parts.get(line.id or 0, ()) if p.state == PartState.BACKORDERED),
            key=lambda p: (p.promised_date or date.max, p.part_no),
            reverse=True,
        )
        excess = sum((p.quantity for p in waiting), ZERO) - line.quantity_backordered
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
            updates.append(
                VersionedUpdate(part, values, part.version, "part.cancelled", reason[:400])
            )
    apply_updates(session, updates, actor=actor, order_id=order_id)
