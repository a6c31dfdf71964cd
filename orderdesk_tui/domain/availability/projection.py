"""The time-phased projection of one item: per warehouse, one bucket per date on which supply or
demand falls due, with the running balance and the look-ahead ATP; and the total over the
warehouses (the formulas are in the package doc)."""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from orderdesk_tui.domain.availability.inputs import ItemFacts, ItemSupply, StockPosition, lead_date
from orderdesk_tui.domain.money import ZERO


@dataclass(frozen=True, slots=True)
class Bucket:
    """One date of a projection: what arrives, what is due, the running balance and the ATP."""

    day: date
    supply: Decimal
    demand: Decimal
    projected: Decimal
    atp: Decimal


@dataclass(frozen=True, slots=True)
class WarehouseProjection:
    warehouse_id: int
    warehouse_code: str
    on_hand: Decimal
    allocated: Decimal
    #: First bucket is today; the others are the dates on which supply or demand falls due.
    buckets: tuple[Bucket, ...]
    #: PO numbers arriving per date (for the explanation of a promise).
    references: tuple[tuple[date, tuple[str, ...]], ...] = ()
    days: tuple[date, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.days:
            object.__setattr__(self, "days", tuple(b.day for b in self.buckets))

    @property
    def free(self) -> Decimal:
        return self.on_hand - self.allocated

    @property
    def now(self) -> Decimal:
        """What can be allocated today: ATP today, but only out of stock on hand."""
        return max(ZERO, min(self.buckets[0].atp, self.free))

    def atp_on(self, day: date) -> Decimal:
        return _step(self.buckets, day, self.days).atp

    def projected_on(self, day: date) -> Decimal:
        return _step(self.buckets, day, self.days).projected

    def references_on(self, day: date) -> tuple[str, ...]:
        for d, names in self.references:
            if d == day:
                return names
        return ()


@dataclass(frozen=True, slots=True)
class Projection:
    """An item's time-phased availability, per warehouse and in total."""

    item: ItemFacts
    today: date
    warehouses: tuple[WarehouseProjection, ...]
    total: tuple[Bucket, ...]

    def warehouse(self, warehouse_id: int) -> WarehouseProjection | None:
        for w in self.warehouses:
            if w.warehouse_id == warehouse_id:
                return w
        return None

    def atp_on(self, day: date, warehouse_id: int | None = None) -> Decimal:
        if warehouse_id is None:
            return _step(self.total, day).atp
        w = self.warehouse(warehouse_id)
        return ZERO if w is None else w.atp_on(day)

    @property
    def now(self) -> Decimal:
        """What all warehouses together can allocate today."""
        return sum((w.now for w in self.warehouses), ZERO)


def _step(buckets: Sequence[Bucket], day: date, days: Sequence[date] | None = None) -> Bucket:
    """The bucket in force on `day` (the last one dated on or before it; today for the past)."""
    i = bisect_right(days if days is not None else [b.day for b in buckets], day) - 1
    return buckets[max(i, 0)]


def project(supply: ItemSupply, today: date) -> Projection:
    """The time-phased projection of one item in every warehouse it is stocked, supplied or
    demanded in, and the total over them."""
    item = supply.item
    positions: dict[int, StockPosition] = {}
    for s in supply.stock:
        if s.warehouse_id in positions:  # one row per warehouse; tolerate repeats by adding
            p = positions[s.warehouse_id]
            s = replace(s, on_hand=p.on_hand + s.on_hand, allocated=p.allocated + s.allocated)
        positions[s.warehouse_id] = s
    incoming: dict[int, dict[date, Decimal]] = {}
    refs: dict[int, dict[date, list[str]]] = {}
    due: dict[int, dict[date, Decimal]] = {}
    for po in supply.supply:
        if po.quantity <= 0:
            continue
        day = max(po.eta or lead_date(item, today), today)
        per = incoming.setdefault(po.warehouse_id, {})
        per[day] = per.get(day, ZERO) + po.quantity
        if po.reference:
            names = refs.setdefault(po.warehouse_id, {}).setdefault(day, [])
            if po.reference not in names:
                names.append(po.reference)
    for d in supply.demand:
        if d.quantity <= 0:
            continue
        day = max(d.due, today)
        per = due.setdefault(d.warehouse_id, {})
        per[day] = per.get(day, ZERO) + d.quantity
    warehouse_ids = sorted(set(positions) | set(incoming) | set(due))
    projections: list[WarehouseProjection] = []
    for wid in warehouse_ids:
        pos = positions.get(wid) or StockPosition(wid, ZERO, ZERO)
        ins, outs = incoming.get(wid, {}), due.get(wid, {})
        days = sorted({today} | set(ins) | set(outs))
        running = pos.on_hand - pos.allocated
        rows: list[tuple[date, Decimal, Decimal, Decimal]] = []
        for day in days:
            s_in, d_out = ins.get(day, ZERO), outs.get(day, ZERO)
            running += s_in - d_out
            rows.append((day, s_in, d_out, running))
        atps: list[Decimal] = [ZERO] * len(rows)
        low: Decimal | None = None
        for i in range(len(rows) - 1, -1, -1):
            low = rows[i][3] if low is None else min(low, rows[i][3])
            atps[i] = max(ZERO, low)
        projections.append(
            WarehouseProjection(
                warehouse_id=wid,
                warehouse_code=pos.warehouse_code or f"#{wid}",
                on_hand=pos.on_hand,
                allocated=pos.allocated,
                buckets=tuple(
                    Bucket(day, s_in, d_out, proj, atp)
                    for (day, s_in, d_out, proj), atp in zip(rows, atps, strict=True)
                ),
                references=tuple(
                    (day, tuple(names)) for day, names in sorted(refs.get(wid, {}).items())
                ),
            )
        )
    return Projection(
        item=item, today=today, warehouses=tuple(projections), total=_total(projections, today)
    )


def _total(projections: Sequence[WarehouseProjection], today: date) -> tuple[Bucket, ...]:
    """The sum over warehouses, date by date (each warehouse's step value on every date)."""
    supply: dict[date, Decimal] = {today: ZERO}
    demand: dict[date, Decimal] = {today: ZERO}
    for w in projections:
        for b in w.buckets:
            supply[b.day] = supply.get(b.day, ZERO) + b.supply
            demand[b.day] = demand.get(b.day, ZERO) + b.demand
    days = sorted(supply)
    projected = [ZERO] * len(days)
    atp = [ZERO] * len(days)
    for w in projections:
        j = 0
        for i, day in enumerate(days):  # both sorted: walk the warehouse's steps along
            while j + 1 < len(w.buckets) and w.buckets[j + 1].day <= day:
                j += 1
            projected[i] += w.buckets[j].projected
            atp[i] += w.buckets[j].atp
    return tuple(
        Bucket(day, supply[day], demand[day], projected[i], atp[i]) for i, day in enumerate(days)
    )
