"""Available-to-promise (ATP): what can be promised, from where and when. Pure: no I/O.

Per warehouse, the projection is time-phased (one bucket per date on which something changes):

    projected(d) = on hand - allocated + incoming supply due by d - open demand due by d
    ATP(d)       = max(0, min over t >= d of projected(t))

The look-ahead minimum keeps a promise made for date d from taking stock that an earlier
commitment due later than d still needs (the cumulative ATP with look-ahead of SAP and Tryton:
research/ORDER_DESK_DEFINITIONS.md section 2). Open demand is the unallocated remainder of
other orders' lines (backorders); allocated stock is already out of `on hand - allocated`.
Supply and demand dated before today count today. The total is the sum over warehouses.

For one line (`promise_line`): what ships now and from where (the preferred warehouse first,
then the others, most available first), then the rest by date from incoming supply (purchase
order ETA), then, for an item that can still be bought, the lead-time date (today + lead time).
A discontinued or obsolete item has no lead-time date: what supply does not cover is
`unavailable`. "Ships now" is stock on hand only: supply due today is promised for today but
not allocated before it is received. Alternatives: another warehouse, the replacement item,
partial now + backorder, ship complete later, drop ship (where the item allows it), and in
single-warehouse mode the split across warehouses.

Nothing here promises more than supply: by every date d, what is promised from warehouse w is
at most ATP_w(d) <= on hand - allocated + incoming by d (hypothesis tests hold it to that).
"""

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from orderdesk_tui.domain.pricing.units import MAX_QUANTITY
from orderdesk_tui.errors import FieldError

ZERO = Decimal(0)
#: Quantities are stored with 3 places (models.types.Quantity).
QUANTITY_PLACES = 3
#: Item statuses that can still be bought (the others get no lead-time date).
ORDERABLE = frozenset({"active"})


# -- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockPosition:
    """One item in one warehouse: what is on the shelf and how much of it is already taken."""

    warehouse_id: int
    on_hand: Decimal
    allocated: Decimal
    warehouse_code: str = ""


@dataclass(frozen=True, slots=True)
class Supply:
    """Incoming supply: the open quantity of a purchase order line and when it is due."""

    warehouse_id: int
    quantity: Decimal
    #: None: no ETA given, counted at today + the item's lead time.
    eta: date | None
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Demand:
    """Open demand: the unallocated remainder of another order's line, and its date."""

    warehouse_id: int
    quantity: Decimal
    due: date
    reference: str = ""


@dataclass(frozen=True, slots=True)
class ItemFacts:
    item_id: int
    part_number: str = ""
    status: str = "active"
    lead_time_days: int = 14
    drop_ship_allowed: bool = False
    replacement_item_id: int | None = None
    fractional_uom: bool = False
    uom: str = "EA"

    @property
    def orderable(self) -> bool:
        return self.status in ORDERABLE


@dataclass(frozen=True, slots=True)
class ItemSupply:
    """Everything ATP needs about one item: facts, stock per warehouse, supply and demand."""

    item: ItemFacts
    stock: tuple[StockPosition, ...] = ()
    supply: tuple[Supply, ...] = ()
    demand: tuple[Demand, ...] = ()
    #: The warehouse a line ships from when it names none (the main DC).
    default_warehouse_id: int | None = None


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One line of an order, for `promise_order`."""

    item_id: int
    quantity: Decimal | int | str
    preferred_warehouse_id: int | None = None
    #: The only warehouse this line may use (a line already partly allocated there).
    only_warehouse_id: int | None = None
    #: How the line is named in a FieldError ("line 3 quantity").
    field: str = "quantity"


# -- bad input ----------------------------------------------------------------------------------


def parse_quantity(
    value: object, *, field: str = "quantity", fractional: bool = True, uom: str = ""
) -> Decimal:
    """A positive Decimal quantity from what was typed or received, or FieldError naming
    `field` and the rule (not a number, zero or negative, too many places, whole units only)."""
    if isinstance(value, bool) or value is None:
        raise FieldError(field, "must be a number")
    if isinstance(value, float):
        raise FieldError(field, "must be an exact decimal number, not a float")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            raise FieldError(field, "is required")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise FieldError(field, f"'{value.strip()}' is not a number") from None
    else:
        raise FieldError(field, "must be a number")
    if not number.is_finite():
        raise FieldError(field, "must be a finite number")
    if number <= 0:
        raise FieldError(field, "must be greater than zero")
    if number > MAX_QUANTITY:
        raise FieldError(field, f"at most {MAX_QUANTITY:,} on one line")
    exponent = number.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > QUANTITY_PLACES:
        raise FieldError(field, f"at most {QUANTITY_PLACES} decimal places")
    if places and not fractional:
        raise FieldError(field, f"{uom or 'this unit'} is counted in whole units")
    return number


# -- projection ---------------------------------------------------------------------------------


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


def _lead_date(item: ItemFacts, today: date) -> date:
    return today + timedelta(days=max(item.lead_time_days, 0))


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
    for s in supply.supply:
        if s.quantity <= 0:
            continue
        day = max(s.eta or _lead_date(item, today), today)
        per = incoming.setdefault(s.warehouse_id, {})
        per[day] = per.get(day, ZERO) + s.quantity
        if s.reference:
            names = refs.setdefault(s.warehouse_id, {}).setdefault(day, [])
            if s.reference not in names:
                names.append(s.reference)
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


# -- promising one line -------------------------------------------------------------------------


class Source(StrEnum):
    STOCK = "stock"
    PURCHASE_ORDER = "purchase_order"
    LEAD_TIME = "lead_time"


class AlternativeKind(StrEnum):
    OTHER_WAREHOUSE = "other_warehouse"
    SPLIT_WAREHOUSES = "split_warehouses"
    REPLACEMENT = "replacement"
    PARTIAL_BACKORDER = "partial_backorder"
    SHIP_COMPLETE = "ship_complete"
    DROP_SHIP = "drop_ship"


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of a line's promise: this quantity, on this date, from this warehouse and source."""

    quantity: Decimal
    day: date
    warehouse_id: int | None
    source: Source
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another way to serve the line: `quantity` on `day`, then `backorder_quantity` on
    `backorder_day` (zero and None when the first part covers it all)."""

    kind: AlternativeKind
    quantity: Decimal
    day: date
    warehouse_id: int | None = None
    item_id: int | None = None
    part_number: str = ""
    backorder_quantity: Decimal = ZERO
    backorder_day: date | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class LineAvailability:
    """The answer for one line: what ships now and from where, the rest by date, what cannot
    be promised at all, the alternatives and the reasoning in words."""

    item: ItemFacts
    quantity: Decimal
    today: date
    ship_now: tuple[Piece, ...]
    later: tuple[Piece, ...]
    unavailable: Decimal
    alternatives: tuple[Alternative, ...] = ()
    explanation: tuple[str, ...] = ()
    projection: Projection | None = field(default=None, compare=False, repr=False)

    @property
    def now_quantity(self) -> Decimal:
        return sum((p.quantity for p in self.ship_now), ZERO)

    @property
    def shortfall(self) -> Decimal:
        """What does not ship now (promised later or not at all)."""
        return self.quantity - self.now_quantity

    @property
    def promised_quantity(self) -> Decimal:
        return self.quantity - self.unavailable

    @property
    def complete_date(self) -> date | None:
        """When the whole line is available (today if it ships now); None if it never is."""
        if self.unavailable > 0:
            return None
        return max((p.day for p in self.later), default=self.today)

    @property
    def rest_date(self) -> date | None:
        """When the shortfall is available: None if there is none or it cannot be promised."""
        if not self.later or self.unavailable > 0:
            return None
        return max(p.day for p in self.later)

    @property
    def warehouse_ids(self) -> tuple[int, ...]:
        seen: list[int] = []
        for p in (*self.ship_now, *self.later):
            if p.warehouse_id is not None and p.warehouse_id not in seen:
                seen.append(p.warehouse_id)
        return tuple(seen)

    @property
    def alternative_kinds(self) -> tuple[AlternativeKind, ...]:
        return tuple(a.kind for a in self.alternatives)


def fmt_qty(value: Decimal) -> str:
    """A quantity as people write it: 5, 2.5, 1,250."""
    return f"{value.normalize():,f}"


@dataclass(slots=True)
class _Plan:
    today: date
    now: list[Piece]
    later: list[Piece]
    unavailable: Decimal

    @property
    def now_qty(self) -> Decimal:
        return sum((p.quantity for p in self.now), ZERO)

    @property
    def complete(self) -> date | None:
        """When the whole quantity is available (today if it all ships now)."""
        if self.unavailable > 0:
            return None
        return max((p.day for p in self.later), default=self.today)


def _plan(
    projection: Projection, quantity: Decimal, order: Sequence[int], lead_warehouse: int | None
) -> _Plan:
    """Fill `quantity` from the warehouses in `order`: stock now, then supply by date, then
    the lead-time date (orderable items only)."""
    today, item = projection.today, projection.item
    by_id = {w.warehouse_id: w for w in projection.warehouses}
    chosen = [by_id[w] for w in order if w in by_id]
    taken = {w.warehouse_id: ZERO for w in chosen}
    remaining = quantity
    now: list[Piece] = []
    for w in chosen:
        if remaining <= 0:
            break
        take = min(w.now, remaining)
        if take > 0:
            now.append(Piece(take, today, w.warehouse_id, Source.STOCK))
            taken[w.warehouse_id] += take
            remaining -= take
    later: list[Piece] = []
    if remaining > 0:
        days = sorted({b.day for w in chosen for b in w.buckets})
        for day in days:
            for w in chosen:
                if remaining <= 0:
                    break
                extra = w.atp_on(day) - taken[w.warehouse_id]
                if extra <= 0:
                    continue
                take = min(extra, remaining)
                ref = ", ".join(w.references_on(day))
                later.append(Piece(take, day, w.warehouse_id, Source.PURCHASE_ORDER, ref))
                taken[w.warehouse_id] += take
                remaining -= take
            if remaining <= 0:
                break
    unavailable = ZERO
    if remaining > 0:
        if item.orderable:
            later.append(
                Piece(
                    remaining,
                    _lead_date(item, today),
                    lead_warehouse,
                    Source.LEAD_TIME,
                    f"lead time {item.lead_time_days} days",
                )
            )
        else:
            unavailable = remaining
    return _Plan(today, now, later, unavailable)


def _preferred(supply: ItemSupply, projection: Projection, preferred: int | None) -> int | None:
    if preferred is not None:
        return preferred
    if supply.default_warehouse_id is not None:
        return supply.default_warehouse_id
    return min((w.warehouse_id for w in projection.warehouses), default=None)


def _split_order(projection: Projection, first: int | None) -> list[int]:
    others = sorted(
        (w for w in projection.warehouses if w.warehouse_id != first),
        key=lambda w: (-w.now, w.warehouse_id),
    )
    return ([first] if first is not None else []) + [w.warehouse_id for w in others]


def _single_choice(
    projection: Projection,
    quantity: Decimal,
    preferred: int | None,
    allowed: Iterable[int],
    ship_complete: bool,
) -> tuple[int | None, _Plan]:
    """The one warehouse that serves the line best: all now if one can (the preferred first);
    else the most now and then the earliest complete date, or for a ship-complete order the
    earliest complete date and then the most now."""
    best: tuple[tuple[object, ...], int | None, _Plan] | None = None
    for wid in allowed:
        plan = _plan(projection, quantity, [wid], wid)
        complete = plan.complete or date.max
        ranks = (complete, -plan.now_qty) if ship_complete else (-plan.now_qty, complete)
        key = (plan.now_qty < quantity, *ranks, wid != preferred, wid)
        if best is None or key < best[0]:
            best = (key, wid, plan)
    if best is None:
        return preferred, _plan(projection, quantity, [], preferred)
    return best[1], best[2]


def _alternative(
    kind: AlternativeKind,
    plan: _Plan,
    quantity: Decimal,
    today: date,
    *,
    warehouse_id: int | None = None,
    item: ItemFacts | None = None,
    detail: str = "",
) -> Alternative | None:
    now = plan.now_qty
    item_id = item.item_id if item is not None else None
    part = item.part_number if item is not None else ""
    if now >= quantity:
        return Alternative(kind, quantity, today, warehouse_id, item_id, part, detail=detail)
    rest = quantity - now - plan.unavailable
    rest_day = max((p.day for p in plan.later), default=None) if rest > 0 else None
    if now > 0:
        return Alternative(
            kind, now, today, warehouse_id, item_id, part, rest, rest_day, detail=detail
        )
    if rest > 0 and rest_day is not None:
        return Alternative(kind, rest, rest_day, warehouse_id, item_id, part, detail=detail)
    return None


def _code(projection: Projection, warehouse_id: int | None) -> str:
    if warehouse_id is None:
        return "-"
    w = projection.warehouse(warehouse_id)
    return w.warehouse_code if w is not None else f"#{warehouse_id}"


def _explain(
    projection: Projection, quantity: Decimal, plan: _Plan, preferred: int | None
) -> tuple[str, ...]:
    item, today = projection.item, projection.today
    lines: list[str] = []
    for w in projection.warehouses:
        b0 = w.buckets[0]
        supply = sum((b.supply for b in w.buckets), ZERO)
        demand = sum((b.demand for b in w.buckets), ZERO)
        lines.append(
            f"{w.warehouse_code}: {fmt_qty(w.on_hand)} on hand - {fmt_qty(w.allocated)} "
            f"allocated - {fmt_qty(demand)} open demand + {fmt_qty(supply)} incoming; "
            f"ATP today {fmt_qty(min(b0.atp, max(w.free, ZERO)))}"
        )
    if not projection.warehouses:
        lines.append("not stocked in any warehouse and nothing on order")
    if preferred is not None:
        lines.append(f"preferred warehouse {_code(projection, preferred)}")
    if plan.now:
        parts = ", ".join(
            f"{fmt_qty(p.quantity)} from {_code(projection, p.warehouse_id)}" for p in plan.now
        )
        lines.append(f"ships now: {parts}")
    else:
        lines.append("nothing ships now")
    for p in plan.later:
        where = _code(projection, p.warehouse_id)
        if p.source is Source.PURCHASE_ORDER:
            why = f"incoming {p.reference} to {where}" if p.reference else f"incoming to {where}"
        else:
            why = f"no supply on order: {p.reference}"
        lines.append(f"{fmt_qty(p.quantity)} on {p.day.isoformat()} ({why})")
    if plan.unavailable > 0:
        lines.append(
            f"{fmt_qty(plan.unavailable)} cannot be promised: the item is {item.status} "
            "and nothing more is on order"
        )
    if quantity and not plan.later and plan.unavailable == 0:
        lines.append(f"all {fmt_qty(quantity)} ship {today.isoformat()}")
    return tuple(lines)


def promise_line(
    supply: ItemSupply,
    quantity: object,
    today: date,
    *,
    preferred_warehouse_id: int | None = None,
    only_warehouse_id: int | None = None,
    single_warehouse: bool = False,
    ship_complete: bool = False,
    replacement: ItemSupply | None = None,
    field: str = "quantity",
    alternatives: bool = True,
) -> LineAvailability:
    """What can be promised for `quantity` of the item: see the module doc.

    `single_warehouse` (allocation onto one order line) ships from one warehouse only: the
    preferred one if it can ship all now, else the one that ships the most now (with
    `ship_complete`: the one complete soonest); `only_warehouse_id` forces it.
    `replacement` is the replacement item's supply, offered when the item is not orderable or
    short. Raises FieldError for a quantity that is not a positive number.
    """
    item = supply.item
    qty = parse_quantity(quantity, field=field, fractional=item.fractional_uom, uom=item.uom)
    projection = project(supply, today)
    preferred = _preferred(supply, projection, only_warehouse_id or preferred_warehouse_id)
    if only_warehouse_id is not None:
        chosen: int | None = only_warehouse_id
        plan = _plan(projection, qty, [only_warehouse_id], only_warehouse_id)
    elif single_warehouse:
        allowed = [w.warehouse_id for w in projection.warehouses]
        if preferred is not None and preferred not in allowed:
            allowed.append(preferred)
        chosen, plan = _single_choice(projection, qty, preferred, allowed, ship_complete)
    else:
        chosen = preferred
        plan = _plan(projection, qty, _split_order(projection, preferred), preferred)
    alts: list[Alternative] = []
    short = plan.now_qty < qty
    split = any(p.warehouse_id != chosen for p in plan.now)
    switched = chosen != preferred
    if alternatives and (short or split or switched or not item.orderable):
        single = single_warehouse or only_warehouse_id is not None
        alts = _alternatives(
            projection, qty, plan, chosen, preferred, single, switched, replacement
        )
    return LineAvailability(
        item=item,
        quantity=qty,
        today=today,
        ship_now=tuple(plan.now),
        later=tuple(sorted(plan.later, key=lambda p: (p.day, p.warehouse_id or 0))),
        unavailable=plan.unavailable,
        alternatives=tuple(alts),
        explanation=_explain(projection, qty, plan, preferred),
        projection=projection,
    )


def _alternatives(
    projection: Projection,
    qty: Decimal,
    plan: _Plan,
    chosen: int | None,
    preferred: int | None,
    single: bool,
    switched: bool,
    replacement: ItemSupply | None,
) -> list[Alternative]:
    item, today = projection.item, projection.today
    alts: list[Alternative] = []
    short = plan.now_qty < qty
    split = any(p.warehouse_id != chosen for p in plan.now)
    if short or split or switched:
        for w in sorted(projection.warehouses, key=lambda w: (-w.now, w.warehouse_id)):
            if w.warehouse_id == chosen or (w.now <= 0 and w.warehouse_id != preferred):
                continue
            other = _plan(projection, qty, [w.warehouse_id], w.warehouse_id)
            alt = _alternative(
                AlternativeKind.OTHER_WAREHOUSE,
                other,
                qty,
                today,
                warehouse_id=w.warehouse_id,
                detail=f"from {w.warehouse_code}",
            )
            if alt is not None:
                alts.append(alt)
        if single:
            spread = _plan(projection, qty, _split_order(projection, chosen), chosen)
            if len(spread.now) > 1 and spread.now_qty > plan.now_qty:
                alt = _alternative(
                    AlternativeKind.SPLIT_WAREHOUSES,
                    spread,
                    qty,
                    today,
                    detail="now from "
                    + ", ".join(_code(projection, p.warehouse_id) for p in spread.now),
                )
                if alt is not None:
                    alts.append(alt)
    wanted = short or not item.orderable
    if wanted and replacement is not None and replacement.item.item_id != item.item_id:
        r_proj = project(replacement, today)
        r_first = _preferred(replacement, r_proj, chosen)
        r_plan = _plan(r_proj, qty, _split_order(r_proj, r_first), r_first)
        alt = _alternative(
            AlternativeKind.REPLACEMENT,
            r_plan,
            qty,
            today,
            item=replacement.item,
            detail=f"replacement {replacement.item.part_number or replacement.item.item_id}"
            + ("" if item.orderable else f" for {item.status} {item.part_number}".rstrip()),
        )
        if alt is not None:
            alts.append(alt)
    complete = plan.complete
    if short and plan.now_qty > 0 and plan.unavailable == 0 and complete is not None:
        alts.append(
            Alternative(
                AlternativeKind.PARTIAL_BACKORDER,
                plan.now_qty,
                today,
                chosen,
                backorder_quantity=qty - plan.now_qty,
                backorder_day=complete,
                detail=f"ship {fmt_qty(plan.now_qty)} now, backorder "
                f"{fmt_qty(qty - plan.now_qty)} for {complete.isoformat()}",
            )
        )
    if short and plan.unavailable == 0 and complete is not None:
        alts.append(
            Alternative(
                AlternativeKind.SHIP_COMPLETE,
                qty,
                complete,
                chosen,
                detail=f"ship all {fmt_qty(qty)} on {complete.isoformat()}",
            )
        )
    if short and item.drop_ship_allowed and item.orderable:
        day = _lead_date(item, today)
        alts.append(
            Alternative(
                AlternativeKind.DROP_SHIP,
                qty,
                day,
                detail=f"vendor ships direct, {item.lead_time_days} days",
            )
        )
    return alts


# -- promising an order -------------------------------------------------------------------------


def consume(supply: ItemSupply, line: LineAvailability) -> ItemSupply:
    """The item's supply after `line` was promised: what ships now is allocated, what is
    promised later becomes open demand on its date (so later lines queue behind it)."""
    stock = list(supply.stock)
    for piece in line.ship_now:
        for i, s in enumerate(stock):
            if s.warehouse_id == piece.warehouse_id:
                stock[i] = replace(s, allocated=s.allocated + piece.quantity)
                break
    demand = list(supply.demand)
    for piece in line.later:
        wid = piece.warehouse_id
        if wid is None:
            wid = supply.default_warehouse_id
        if wid is None:
            continue
        demand.append(Demand(wid, piece.quantity, piece.day, "this order"))
    return replace(supply, stock=tuple(stock), demand=tuple(demand))


def promise_order(
    lines: Sequence[LineRequest],
    supplies: Mapping[int, ItemSupply],
    today: date,
    *,
    single_warehouse: bool = False,
    ship_complete: bool = False,
    alternatives: bool = True,
) -> list[LineAvailability]:
    """Promise the lines in order; each line sees what the lines before it took (two lines of
    the same item never promise the same stock twice). Every quantity is checked first, so a
    bad one raises FieldError before anything is promised."""
    quantities = []
    for req in lines:
        item = supplies[req.item_id].item if req.item_id in supplies else None
        quantities.append(
            parse_quantity(
                req.quantity,
                field=req.field,
                fractional=item.fractional_uom if item is not None else True,
                uom=item.uom if item is not None else "",
            )
        )
    current = dict(supplies)
    results: list[LineAvailability] = []
    for req, qty in zip(lines, quantities, strict=True):
        if req.item_id not in current:
            raise FieldError("item", f"no item with id {req.item_id}")
        supply = current[req.item_id]
        repl_id = supply.item.replacement_item_id
        result = promise_line(
            supply,
            qty,
            today,
            preferred_warehouse_id=req.preferred_warehouse_id,
            only_warehouse_id=req.only_warehouse_id,
            single_warehouse=single_warehouse,
            ship_complete=ship_complete,
            replacement=current.get(repl_id) if repl_id is not None else None,
            field=req.field,
            alternatives=alternatives,
        )
        current[req.item_id] = consume(supply, result)
        results.append(result)
    return results
