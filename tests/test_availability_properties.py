"""Property tests of the ATP rules: whatever the stock, supply and demand, a promise never
exceeds supply (on hand - allocated + incoming by that date), what ships now never exceeds the
free stock, and the lines of an order never promise the same units twice."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from orderdesk_tui.domain.availability.inputs import (
    Demand,
    ItemFacts,
    ItemSupply,
    LineRequest,
    StockPosition,
    Supply,
)
from orderdesk_tui.domain.availability.line_promise import promise_line
from orderdesk_tui.domain.availability.order_promise import promise_order
from orderdesk_tui.domain.availability.projection import project
from orderdesk_tui.domain.availability.results import AlternativeKind, LineAvailability, Source
from orderdesk_tui.domain.money import ZERO

TODAY = date(2026, 6, 1)
WAREHOUSES = (1, 2, 3)

quantities = st.integers(min_value=0, max_value=60).map(Decimal)
offsets = st.integers(min_value=-10, max_value=45)


@st.composite
def item_supplies(draw: st.DrawFn, item_id: int = 1) -> ItemSupply:
    stocked = draw(st.lists(st.sampled_from(WAREHOUSES), unique=True, max_size=3))
    stock = tuple(
        StockPosition(w, draw(quantities), draw(quantities), f"W{w}") for w in sorted(stocked)
    )
    supply = tuple(
        Supply(
            draw(st.sampled_from(WAREHOUSES)),
            draw(quantities),
            draw(st.none() | offsets.map(lambda n: TODAY + timedelta(days=n))),
            f"PO-{i}",
        )
        for i in range(draw(st.integers(0, 4)))
    )
    demand = tuple(
        Demand(
            draw(st.sampled_from(WAREHOUSES)),
            draw(quantities),
            TODAY + timedelta(days=draw(offsets)),
            f"SO-{i}",
        )
        for i in range(draw(st.integers(0, 4)))
    )
    item = ItemFacts(
        item_id=item_id,
        part_number=f"P{item_id}",
        status=draw(st.sampled_from(("active", "active", "discontinued", "obsolete"))),
        lead_time_days=draw(st.integers(0, 40)),
        drop_ship_allowed=draw(st.booleans()),
        replacement_item_id=2 if item_id == 1 else None,
    )
    return ItemSupply(item, stock, supply, demand, default_warehouse_id=1)


def _incoming_by(s: ItemSupply, warehouse: int, day: date) -> Decimal:
    lead = TODAY + timedelta(days=max(s.item.lead_time_days, 0))
    return sum(
        (
            x.quantity
            for x in s.supply
            if x.warehouse_id == warehouse and x.quantity > 0 and max(x.eta or lead, TODAY) <= day
        ),
        ZERO,
    )


def _free(s: ItemSupply, warehouse: int) -> Decimal:
    return sum((p.on_hand - p.allocated for p in s.stock if p.warehouse_id == warehouse), ZERO)


def _checkpoints(s: ItemSupply, results: list[LineAvailability]) -> list[date]:
    days = {TODAY, TODAY + timedelta(days=s.item.lead_time_days)}
    days |= {max(x.eta, TODAY) for x in s.supply if x.eta}
    days |= {max(d.due, TODAY) for d in s.demand}
    days |= {p.day for r in results for p in r.later}
    return sorted(days)


def _promised_by(results: list[LineAvailability], warehouse: int, day: date) -> Decimal:
    """Units promised out of this warehouse's stock or incoming supply by `day`."""
    return sum(
        (
            p.quantity
            for r in results
            for p in (*r.ship_now, *r.later)
            if p.warehouse_id == warehouse and p.source is not Source.LEAD_TIME and p.day <= day
        ),
        ZERO,
    )


def _assert_within_supply(s: ItemSupply, results: list[LineAvailability]) -> None:
    projection = project(s, TODAY)
    for w in WAREHOUSES:
        now = sum((p.quantity for r in results for p in r.ship_now if p.warehouse_id == w), ZERO)
        assert now <= max(_free(s, w), ZERO), "ships now more than on hand - allocated"
        for day in _checkpoints(s, results):
            promised = _promised_by(results, w, day)
            supply_cap = max(_free(s, w) + _incoming_by(s, w, day), ZERO)
            assert promised <= projection.atp_on(day, w) <= supply_cap, (w, day)


def _assert_well_formed(r: LineAvailability) -> None:
    pieces = (*r.ship_now, *r.later)
    assert all(p.quantity > 0 for p in pieces)
    assert r.now_quantity + sum((p.quantity for p in r.later), ZERO) + r.unavailable == r.quantity
    assert r.unavailable >= 0
    assert all(p.day == TODAY and p.source is Source.STOCK for p in r.ship_now)
    assert all(p.day >= TODAY for p in r.later)
    lead_day = TODAY + timedelta(days=r.item.lead_time_days)
    for p in r.later:
        if p.source is Source.LEAD_TIME:
            assert r.item.orderable and p.day == lead_day
    if r.unavailable > 0:
        assert not r.item.orderable and r.complete_date is None
    for a in r.alternatives:
        assert a.quantity > 0 and a.quantity + a.backorder_quantity <= r.quantity
        assert a.day >= TODAY
        if a.kind is AlternativeKind.DROP_SHIP:
            assert r.item.drop_ship_allowed and r.item.orderable


@settings(max_examples=400, deadline=None)
@given(
    s=item_supplies(),
    qty=st.integers(1, 150),
    preferred=st.sampled_from((None, 1, 2, 3, 4)),
    single=st.booleans(),
)
def test_one_line_never_promises_more_than_supply(
    s: ItemSupply, qty: int, preferred: int | None, single: bool
) -> None:
    r = promise_line(s, qty, TODAY, preferred_warehouse_id=preferred, single_warehouse=single)
    _assert_well_formed(r)
    _assert_within_supply(s, [r])
    if single:
        assert len({p.warehouse_id for p in (*r.ship_now, *r.later)}) <= 1


@settings(max_examples=300, deadline=None)
@given(
    s=item_supplies(),
    qtys=st.lists(st.integers(1, 40), min_size=1, max_size=5),
    single=st.booleans(),
)
def test_order_lines_together_never_promise_more_than_supply(
    s: ItemSupply, qtys: list[int], single: bool
) -> None:
    results = promise_order(
        [LineRequest(1, q) for q in qtys], {1: s}, TODAY, single_warehouse=single
    )
    for r in results:
        _assert_well_formed(r)
    _assert_within_supply(s, results)
    # lines are served in order: a later line never ships now what an earlier one lacked
    firsts = [r.now_quantity for r in results]
    assert sum(firsts) <= sum((max(_free(s, w), ZERO) for w in WAREHOUSES), ZERO)


@settings(max_examples=300, deadline=None)
@given(s=item_supplies())
def test_projection_is_monotone_non_negative_and_sums(s: ItemSupply) -> None:
    p = project(s, TODAY)
    for w in p.warehouses:
        atps = [b.atp for b in w.buckets]
        assert atps == sorted(atps), "ATP never falls as the date moves out"
        assert all(a >= 0 for a in atps)
        assert all(b.atp <= max(b.projected, ZERO) for b in w.buckets)
        assert w.buckets[0].day == TODAY
    for b in p.total:
        assert b.atp == sum((w.atp_on(b.day) for w in p.warehouses), ZERO)
        assert b.projected == sum((w.projected_on(b.day) for w in p.warehouses), ZERO)


@settings(max_examples=200, deadline=None)
@given(s=item_supplies(), r=item_supplies(item_id=2), qty=st.integers(1, 100))
def test_replacement_alternative_within_its_supply(s: ItemSupply, r: ItemSupply, qty: int) -> None:
    res = promise_line(s, qty, TODAY, replacement=r)
    _assert_well_formed(res)
    repl = [a for a in res.alternatives if a.kind is AlternativeKind.REPLACEMENT]
    if s.item.orderable and res.shortfall == 0:
        assert not repl, "a replacement is offered only when the item is short or not orderable"
    now_cap = sum((max(_free(r, w), ZERO) for w in WAREHOUSES), ZERO)
    lead_day = TODAY + timedelta(days=r.item.lead_time_days)
    for a in repl:
        assert a.item_id == 2
        if a.day == TODAY and lead_day > TODAY:
            assert a.quantity <= now_cap + sum(
                (_incoming_by(r, w, TODAY) for w in WAREHOUSES), ZERO
            )
