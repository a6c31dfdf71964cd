"""ATP domain rules (orderdesk_tui.domain.availability), table-driven: what ships now and from
where, the rest by date (PO ETA, else lead time), the alternatives, the time-phased projection
and bad input. No store: plain frozen inputs."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest

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
from orderdesk_tui.domain.availability.quantities import parse_quantity
from orderdesk_tui.domain.availability.results import AlternativeKind, Source
from orderdesk_tui.errors import FieldError

TODAY = date(2026, 3, 2)
MAIN, WEST, EAST = 1, 2, 3
CODES = {MAIN: "MAIN", WEST: "WEST", EAST: "EAST"}
D = Decimal
K = AlternativeKind


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


def supply_of(
    stock: dict[int, int | tuple[int, int]] | None = None,
    *,
    pos: tuple[tuple[int, int, int | None, str], ...] = (),
    demand: tuple[tuple[int, int, int], ...] = (),
    item_id: int = 1,
    status: str = "active",
    lead: int = 14,
    drop_ship: bool = False,
    replacement: int | None = None,
    fractional: bool = False,
) -> ItemSupply:
    """stock: warehouse -> on hand or (on hand, allocated); pos: (warehouse, qty, eta in days
    or None, number); demand: (warehouse, qty, due in days)."""
    positions = []
    for wid, v in (stock or {}).items():
        on_hand, allocated = v if isinstance(v, tuple) else (v, 0)
        positions.append(StockPosition(wid, D(on_hand), D(allocated), CODES[wid]))
    return ItemSupply(
        item=ItemFacts(
            item_id=item_id,
            part_number=f"P-{item_id}",
            status=status,
            lead_time_days=lead,
            drop_ship_allowed=drop_ship,
            replacement_item_id=replacement,
            fractional_uom=fractional,
            uom="FT" if fractional else "EA",
        ),
        stock=tuple(positions),
        supply=tuple(
            Supply(w, D(q), None if eta is None else day(eta), ref) for w, q, eta, ref in pos
        ),
        demand=tuple(Demand(w, D(q), day(due), f"SO-{i}") for i, (w, q, due) in enumerate(demand)),
        default_warehouse_id=MAIN,
    )


@dataclass
class Case:
    name: str
    supply: ItemSupply
    quantity: int | str
    #: (warehouse, qty) shipping now, in order
    now: list[tuple[int, int]]
    #: (qty, days from today, source, warehouse)
    later: list[tuple[int, int, Source, int | None]] = field(default_factory=list)
    unavailable: int = 0
    complete: int | None = 0
    alternatives: list[AlternativeKind] = field(default_factory=list)
    preferred: int | None = None
    single: bool = False
    ship_complete: bool = False
    replacement: ItemSupply | None = None


PO, LT = Source.PURCHASE_ORDER, Source.LEAD_TIME

CASES = [
    Case("enough in the preferred warehouse", supply_of({MAIN: 10, WEST: 5}), 5, [(MAIN, 5)]),
    Case(
        "default warehouse first when none is preferred",
        supply_of({MAIN: 3, WEST: 9}),
        3,
        [(MAIN, 3)],
    ),
    Case(
        "preferred short: the rest from the others, most available first",
        supply_of({MAIN: 3, WEST: 4, EAST: 6}),
        8,
        [(MAIN, 3), (EAST, 5)],
        alternatives=[K.OTHER_WAREHOUSE, K.OTHER_WAREHOUSE],
    ),
    Case(
        "split across all three warehouses",
        supply_of({MAIN: 3, WEST: 4, EAST: 2}),
        9,
        [(WEST, 4), (MAIN, 3), (EAST, 2)],
        preferred=WEST,
        alternatives=[K.OTHER_WAREHOUSE, K.OTHER_WAREHOUSE],
    ),
    Case(
        "allocated stock is not available",
        supply_of({MAIN: (10, 8)}),
        5,
        [(MAIN, 2)],
        later=[(3, 14, LT, MAIN)],
        complete=14,
        alternatives=[K.PARTIAL_BACKORDER, K.SHIP_COMPLETE],
    ),
    Case(
        "shortfall covered by a PO: the rest on its ETA",
        supply_of({MAIN: 3}, pos=((MAIN, 10, 5, "PO-1"),)),
        8,
        [(MAIN, 3)],
        later=[(5, 5, PO, MAIN)],
        complete=5,
        alternatives=[K.PARTIAL_BACKORDER, K.SHIP_COMPLETE],
    ),
    Case(
        "shortfall with no PO: the rest at today + lead time",
        supply_of({MAIN: 3}, lead=21),
        8,
        [(MAIN, 3)],
        later=[(5, 21, LT, MAIN)],
        complete=21,
        alternatives=[K.PARTIAL_BACKORDER, K.SHIP_COMPLETE],
    ),
    Case(
        "PO covers part, lead time the rest",
        supply_of({}, pos=((MAIN, 4, 30, "PO-2"),), lead=10),
        6,
        [],
        later=[(2, 10, LT, MAIN), (4, 30, PO, MAIN)],
        complete=30,
        alternatives=[K.SHIP_COMPLETE],
    ),
    Case(
        "two POs, earliest first",
        supply_of({}, pos=((MAIN, 2, 9, "PO-B"), (MAIN, 2, 4, "PO-A")), lead=60),
        3,
        [],
        later=[(2, 4, PO, MAIN), (1, 9, PO, MAIN)],
        complete=9,
        alternatives=[K.SHIP_COMPLETE],
    ),
    Case(
        "PO to another warehouse",
        supply_of({MAIN: 1}, pos=((WEST, 5, 3, "PO-W"),), lead=30),
        4,
        [(MAIN, 1)],
        later=[(3, 3, PO, WEST)],
        complete=3,
        alternatives=[K.PARTIAL_BACKORDER, K.SHIP_COMPLETE],
    ),
    Case(
        "open demand (a backorder) comes first",
        supply_of({MAIN: 10}, demand=((MAIN, 7, 3),)),
        5,
        [(MAIN, 3)],
        later=[(2, 14, LT, MAIN)],
        complete=14,
        alternatives=[K.PARTIAL_BACKORDER, K.SHIP_COMPLETE],
    ),
    Case(
        "look-ahead: a later backorder covered by a PO frees today's stock",
        supply_of({MAIN: 5}, pos=((MAIN, 5, 5, "PO-3"),), demand=((MAIN, 5, 10),)),
        5,
        [(MAIN, 5)],
    ),
    Case(
        "look-ahead: a later backorder with no PO keeps today's stock",
        supply_of({MAIN: 5}, demand=((MAIN, 5, 10),)),
        5,
        [],
        later=[(5, 14, LT, MAIN)],
        complete=14,
        alternatives=[K.SHIP_COMPLETE],
    ),
    Case(
        "overdue PO: promised today, not allocated before it is received",
        supply_of({MAIN: 0}, pos=((MAIN, 6, -3, "PO-OLD"),)),
        4,
        [],
        later=[(4, 0, PO, MAIN)],
        complete=0,
        alternatives=[K.SHIP_COMPLETE],
    ),
    Case(
        "PO without an ETA counts at the lead time",
        supply_of({}, pos=((MAIN, 6, None, "PO-X"),), lead=12),
        4,
        [],
        later=[(4, 12, PO, MAIN)],
        complete=12,
        alternatives=[K.SHIP_COMPLETE],
    ),
    Case(
        "more allocated than on hand promises nothing now",
        supply_of({MAIN: (3, 5)}, lead=7),
        1,
        [],
        later=[(1, 7, LT, MAIN)],
        complete=7,
        alternatives=[K.SHIP_COMPLETE],
    ),
    Case(
        "discontinued with a replacement",
        supply_of({MAIN: 2}, status="discontinued", replacement=2),
        5,
        [(MAIN, 2)],
        unavailable=3,
        complete=None,
        alternatives=[K.REPLACEMENT],
        replacement=supply_of({MAIN: 10}, item_id=2),
    ),
    Case(
        "discontinued in stock still offers the replacement",
        supply_of({MAIN: 20}, status="discontinued", replacement=2),
        5,
        [(MAIN, 5)],
        alternatives=[K.REPLACEMENT],
        replacement=supply_of({WEST: 1}, item_id=2, lead=5),
    ),
    Case(
        "short active item with a replacement",
        supply_of({MAIN: 1}, replacement=2, lead=30),
        4,
        [(MAIN, 1)],
        later=[(3, 30, LT, MAIN)],
        complete=30,
        alternatives=[K.REPLACEMENT, K.PARTIAL_BACKORDER, K.SHIP_COMPLETE],
        replacement=supply_of({EAST: 8}, item_id=2),
    ),
    Case(
        "obsolete, nothing anywhere: cannot be promised, no drop ship",
        supply_of({}, status="obsolete", drop_ship=True),
        5,
        [],
        unavailable=5,
        complete=None,
    ),
    Case(
        "discontinued but a PO is still due",
        supply_of({}, pos=((MAIN, 3, 6, "PO-L"),), status="discontinued"),
        5,
        [],
        later=[(3, 6, PO, MAIN)],
        unavailable=2,
        complete=None,
    ),
    Case(
        "drop ship where the item allows it",
        supply_of({MAIN: 0}, drop_ship=True, lead=7),
        10,
        [],
        later=[(10, 7, LT, MAIN)],
        complete=7,
        alternatives=[K.SHIP_COMPLETE, K.DROP_SHIP],
    ),
    Case(
        "single warehouse: another one that ships it all",
        supply_of({MAIN: 3, WEST: 10}),
        8,
        [(WEST, 8)],
        single=True,
        alternatives=[K.OTHER_WAREHOUSE],
    ),
    Case(
        "single warehouse: the most now wins",
        supply_of({MAIN: 3, WEST: 4}, pos=((MAIN, 5, 2, "PO-M"),), lead=20),
        8,
        [(WEST, 4)],
        later=[(4, 20, LT, WEST)],
        complete=20,
        single=True,
        alternatives=[
            K.OTHER_WAREHOUSE,
            K.SPLIT_WAREHOUSES,
            K.PARTIAL_BACKORDER,
            K.SHIP_COMPLETE,
        ],
    ),
    Case(
        "single warehouse, ship complete: the earliest complete date wins",
        supply_of({MAIN: 3, WEST: 4}, pos=((MAIN, 5, 2, "PO-M"),), lead=20),
        8,
        [(MAIN, 3)],
        later=[(5, 2, PO, MAIN)],
        complete=2,
        single=True,
        ship_complete=True,
        alternatives=[
            K.OTHER_WAREHOUSE,
            K.SPLIT_WAREHOUSES,
            K.PARTIAL_BACKORDER,
            K.SHIP_COMPLETE,
        ],
    ),
    Case(
        "single warehouse: the preferred one when it ships it all",
        supply_of({MAIN: 10, WEST: 10}),
        8,
        [(WEST, 8)],
        preferred=WEST,
        single=True,
    ),
    Case(
        "fractional unit",
        supply_of({MAIN: 10}, fractional=True),
        "2.5",
        [(MAIN, Decimal("2.5"))],  # type: ignore[list-item]
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_promise_line(case: Case) -> None:
    res = promise_line(
        case.supply,
        case.quantity,
        TODAY,
        preferred_warehouse_id=case.preferred,
        single_warehouse=case.single,
        ship_complete=case.ship_complete,
        replacement=case.replacement,
    )
    assert [(p.warehouse_id, p.quantity) for p in res.ship_now] == [(w, D(q)) for w, q in case.now]
    assert all(p.source is Source.STOCK and p.day == TODAY for p in res.ship_now)
    assert [(p.quantity, p.day, p.source, p.warehouse_id) for p in res.later] == [
        (D(q), day(n), src, w) for q, n, src, w in case.later
    ]
    assert res.unavailable == case.unavailable
    assert res.complete_date == (None if case.complete is None else day(case.complete))
    assert list(res.alternative_kinds) == case.alternatives
    assert res.now_quantity + sum(p.quantity for p in res.later) + res.unavailable == res.quantity


def test_po_pieces_name_their_purchase_orders() -> None:
    res = promise_line(supply_of({MAIN: 1}, pos=((MAIN, 9, 5, "PO-77"),)), 6, TODAY)
    assert [p.reference for p in res.later] == ["PO-77"]
    assert res.rest_date == day(5)
    assert any("PO-77" in line for line in res.explanation)


def test_alternatives_carry_quantities_and_dates() -> None:
    res = promise_line(
        supply_of(
            {MAIN: 2, WEST: 3},
            pos=((MAIN, 10, 4, "PO-1"),),
            drop_ship=True,
            lead=10,
            replacement=2,
        ),
        12,
        TODAY,
        replacement=supply_of({MAIN: 5}, item_id=2, pos=((MAIN, 20, 6, "PO-R"),)),
    )
    by_kind = {a.kind: a for a in res.alternatives}
    # 2 + 3 now, 7 of the 10 on PO-1 on day 4
    assert res.now_quantity == 5 and res.complete_date == day(4)
    west = by_kind[K.OTHER_WAREHOUSE]
    assert (west.warehouse_id, west.quantity, west.day) == (WEST, 3, TODAY)
    assert (west.backorder_quantity, west.backorder_day) == (9, day(10))
    repl = by_kind[K.REPLACEMENT]
    assert (repl.item_id, repl.part_number, repl.quantity, repl.day) == (2, "P-2", 5, TODAY)
    assert (repl.backorder_quantity, repl.backorder_day) == (7, day(6))
    partial = by_kind[K.PARTIAL_BACKORDER]
    assert (partial.quantity, partial.day) == (5, TODAY)
    assert (partial.backorder_quantity, partial.backorder_day) == (7, day(4))
    complete = by_kind[K.SHIP_COMPLETE]
    assert (complete.quantity, complete.day) == (12, day(4))
    drop = by_kind[K.DROP_SHIP]
    assert (drop.quantity, drop.day) == (12, day(10))


def test_projection_by_date_per_warehouse_and_total() -> None:
    s = supply_of(
        {MAIN: (10, 2), WEST: 4},
        pos=((MAIN, 5, 4, "PO-1"),),
        demand=((MAIN, 6, 2), (MAIN, 1, 6)),
    )
    p = project(s, TODAY)
    main = p.warehouse(MAIN)
    assert main is not None
    # free 8; -6 on day 2 -> 2; +5 on day 4 -> 7; -1 on day 6 -> 6
    assert [(b.day, b.projected, b.atp) for b in main.buckets] == [
        (day(0), 8, 2),
        (day(2), 2, 2),
        (day(4), 7, 6),
        (day(6), 6, 6),
    ]
    assert [main.atp_on(day(n)) for n in (-5, 0, 1, 3, 4, 5, 100)] == [2, 2, 2, 2, 6, 6, 6]
    assert [(b.day, b.supply, b.demand, b.atp) for b in p.total] == [
        (day(0), 0, 0, 6),
        (day(2), 0, 6, 6),
        (day(4), 5, 0, 10),
        (day(6), 0, 1, 10),
    ]
    assert p.atp_on(day(3)) == 6 and p.atp_on(day(5), WEST) == 4 and p.now == 6
    assert p.atp_on(day(5), EAST) == 0


def test_projection_never_negative_and_past_dates_count_today() -> None:
    s = supply_of({MAIN: 1}, pos=((MAIN, 2, -10, "PO-LATE"),), demand=((MAIN, 9, -30),))
    p = project(s, TODAY)
    main = p.warehouse(MAIN)
    assert main is not None
    assert [(b.day, b.supply, b.demand, b.projected, b.atp) for b in main.buckets] == [
        (TODAY, 2, 9, -6, 0)
    ]


def test_supply_only_warehouse_appears_in_the_projection() -> None:
    p = project(supply_of({MAIN: 1}, pos=((EAST, 4, 3, "PO-E"),)), TODAY)
    assert [w.warehouse_id for w in p.warehouses] == [MAIN, EAST]
    assert p.atp_on(day(3), EAST) == 4 and p.atp_on(day(2), EAST) == 0


def test_promise_order_lines_do_not_share_stock() -> None:
    s = supply_of({MAIN: 5, WEST: 2}, pos=((MAIN, 3, 5, "PO-1"),), lead=20)
    reqs = [LineRequest(1, 4), LineRequest(1, "4"), LineRequest(1, 4)]
    first, second, third = promise_order(reqs, {1: s}, TODAY)
    assert first.now_quantity == 4 and first.complete_date == TODAY
    assert [(p.warehouse_id, p.quantity) for p in second.ship_now] == [(MAIN, 1), (WEST, 2)]
    assert [(p.quantity, p.day) for p in second.later] == [(1, day(5))]
    assert third.now_quantity == 0
    assert [(p.quantity, p.day, p.source) for p in third.later] == [
        (2, day(5), PO),
        (2, day(20), LT),
    ]


def test_promise_order_single_warehouse() -> None:
    s = supply_of({MAIN: 5, WEST: 6})
    a, b = promise_order(
        [LineRequest(1, 5), LineRequest(1, 5, preferred_warehouse_id=MAIN)],
        {1: s},
        TODAY,
        single_warehouse=True,
    )
    assert [(p.warehouse_id, p.quantity) for p in a.ship_now] == [(MAIN, 5)]
    assert [(p.warehouse_id, p.quantity) for p in b.ship_now] == [(WEST, 5)]


def test_only_warehouse_keeps_the_line_where_it_is() -> None:
    s = supply_of({MAIN: 1, WEST: 50}, lead=9)
    res = promise_line(s, 4, TODAY, only_warehouse_id=MAIN)
    assert [(p.warehouse_id, p.quantity) for p in res.ship_now] == [(MAIN, 1)]
    assert [(p.warehouse_id, p.quantity, p.day) for p in res.later] == [(MAIN, 3, day(9))]
    assert K.OTHER_WAREHOUSE in res.alternative_kinds


def test_explanation_reads_like_the_arithmetic() -> None:
    res = promise_line(
        supply_of({MAIN: (12, 4)}, pos=((MAIN, 10, 8, "PO-9"),), demand=((MAIN, 3, 1),)),
        10,
        TODAY,
    )
    text = "\n".join(res.explanation)
    assert "MAIN: 12 on hand - 4 allocated - 3 open demand + 10 incoming; ATP today 5" in text
    assert "ships now: 5 from MAIN" in text
    assert f"5 on {day(8).isoformat()} (incoming PO-9 to MAIN)" in text


# -- bad input -----------------------------------------------------------------------------------

BAD = [
    (0, "must be greater than zero"),
    (-3, "must be greater than zero"),
    ("0", "must be greater than zero"),
    ("-1.5", "must be greater than zero"),
    ("abc", "'abc' is not a number"),
    ("12 boxes", "is not a number"),
    ("", "is required"),
    ("   ", "is required"),
    (None, "must be a number"),
    (True, "must be a number"),
    (1.5, "not a float"),
    ("NaN", "finite"),
    ("Infinity", "finite"),
    ("1.0001", "at most 3 decimal places"),
    ("2.5", "EA is counted in whole units"),
    ([3], "must be a number"),
]


@pytest.mark.parametrize(("value", "rule"), BAD, ids=[repr(v) for v, _ in BAD])
def test_bad_quantity_names_field_and_rule(value: object, rule: str) -> None:
    with pytest.raises(FieldError) as err:
        promise_line(supply_of({MAIN: 10}), value, TODAY)
    assert err.value.field == "quantity"
    assert rule in err.value.rule
    assert str(err.value).startswith("quantity: ")


@pytest.mark.parametrize(
    ("value", "expected", "fractional"),
    [
        ("1,250", D(1250), False),
        (" 7 ", D(7), False),
        (3, D(3), False),
        (D("4.000"), D(4), False),
        ("2.125", D("2.125"), True),
    ],
)
def test_good_quantities(value: object, expected: Decimal, fractional: bool) -> None:
    assert parse_quantity(value, fractional=fractional) == expected


def test_promise_order_checks_every_quantity_first() -> None:
    s = supply_of({MAIN: 10})
    with pytest.raises(FieldError) as err:
        promise_order(
            [
                LineRequest(1, 2, field="line 1 quantity"),
                LineRequest(1, "x", field="line 2 quantity"),
            ],
            {1: s},
            TODAY,
        )
    assert err.value.field == "line 2 quantity"


def test_promise_order_unknown_item() -> None:
    with pytest.raises(FieldError) as err:
        promise_order([LineRequest(99, 1)], {1: supply_of({MAIN: 1})}, TODAY)
    assert err.value.field == "item"
