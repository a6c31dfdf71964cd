"""Promising one line (`promise_line`): fill the quantity from stock now (preferred warehouse
first), then incoming supply by date, then the lead-time date; or from one warehouse only when
the line is allocated onto one; then the alternatives and the explanation."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from orderdesk_tui.domain.availability.inputs import ItemFacts, ItemSupply, lead_date
from orderdesk_tui.domain.availability.projection import Projection, project
from orderdesk_tui.domain.availability.quantities import fmt_qty, parse_quantity
from orderdesk_tui.domain.availability.results import (
    Alternative,
    AlternativeKind,
    LineAvailability,
    Piece,
    Source,
)
from orderdesk_tui.domain.money import ZERO


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
                    lead_date(item, today),
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
        day = lead_date(item, today)
        alts.append(
            Alternative(
                AlternativeKind.DROP_SHIP,
                qty,
                day,
                detail=f"vendor ships direct, {item.lead_time_days} days",
            )
        )
    return alts
