"""ATP and allocation from the store (services.availability, services.allocation), on SQLite
and PostgreSQL: which rows count as stock, supply and demand; what `allocate` writes (lines,
stock levels, promised dates, audit, stock holds); bad input writes nothing."""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from orderdesk_tui.domain.availability.results import AlternativeKind, Source
from orderdesk_tui.errors import FieldError, RuleViolation
from orderdesk_tui.models import (
    AuditEvent,
    Customer,
    Hold,
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    Warehouse,
)
from orderdesk_tui.models.base import HoldKind, OrderState
from orderdesk_tui.services.allocation import allocate
from orderdesk_tui.services.availability import (
    check_line,
    item_projection,
    line_availability,
    order_availability,
)
from orderdesk_tui.store import Store

TODAY = date(2026, 3, 2)
D = Decimal
K = AlternativeKind


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


@dataclass
class World:
    customer: int
    main: int
    west: int
    east: int
    old: int
    a: int  # active, stocked MAIN/WEST (+ an inactive warehouse), demand from other orders
    b: int  # discontinued, replaced by c
    c: int  # replacement, stocked in EAST
    d: int  # drop ship allowed, no stock
    e: int  # supplied by purchase orders
    so_entered: int


def _world(store: Store) -> World:
    with store.session() as s:
        cust = Customer(code="ACME01", name="Acme Industrial Supply")
        whs = [
            Warehouse(code="MAIN", name="Main DC"),
            Warehouse(code="WEST", name="West DC"),
            Warehouse(code="EAST", name="East DC"),
            Warehouse(code="OLD", name="Closed DC", active=False),
        ]
        items = [
            Item(part_number="BRG-A", description="Bearing", lead_time_days=10),
            Item(part_number="VLV-B", description="Valve (old)", status="discontinued"),
            Item(part_number="VLV-C", description="Valve (new)", lead_time_days=5),
            Item(part_number="HSE-D", description="Hose", lead_time_days=7, drop_ship_allowed=True),
            Item(part_number="FLT-E", description="Filter", lead_time_days=20),
        ]
        s.add(cust)
        s.add_all(whs + items)
        s.flush()
        main, west, east, old = (w.id for w in whs)
        a, b, c, d, e = (i.id for i in items)
        items[1].replacement_item_id = c
        assert cust.id and main and west and east and old and a and b and c and d and e
        s.add_all(
            [
                StockLevel(item_id=a, warehouse_id=main, on_hand=D(10), allocated=D(2)),
                StockLevel(item_id=a, warehouse_id=west, on_hand=D(5)),
                StockLevel(item_id=a, warehouse_id=old, on_hand=D(100)),
                StockLevel(item_id=b, warehouse_id=main, on_hand=D(2)),
                StockLevel(item_id=c, warehouse_id=east, on_hand=D(30)),
                StockLevel(item_id=e, warehouse_id=main, on_hand=D(3)),
            ]
        )

        def order(number: str, state: str, *lines: SalesOrderLine) -> int:
            so = SalesOrder(number=number, customer_id=cust.id, state=state, requested_date=day(9))
            s.add(so)
            s.flush()
            assert so.id
            for n, line in enumerate(lines, 1):
                line.order_id, line.line_no = so.id, n
                s.add(line)
            return so.id

        # MAIN free 8: SO1 waits for 4 (due day 3), SO6 for 3 (no warehouse: MAIN, due day 9)
        so1 = order(
            "SO1",
            OrderState.ENTERED,
            SalesOrderLine(
                item_id=a,
                quantity=D(6),
                quantity_allocated=D(2),
                quantity_backordered=D(4),
                warehouse_id=main,
                requested_date=day(3),
            ),
        )
        order("SO2", OrderState.DRAFT, SalesOrderLine(item_id=a, quantity=D(50)))
        order(
            "SO3",
            OrderState.CANCELLED,
            SalesOrderLine(item_id=a, quantity=D(50), quantity_cancelled=D(50)),
        )
        order(
            "SO4",
            OrderState.RELEASED,
            SalesOrderLine(item_id=a, quantity=D(40), drop_ship=True),
        )
        order(
            "SO5",
            OrderState.SHIPPED,
            SalesOrderLine(item_id=a, quantity=D(5), quantity_shipped=D(5), warehouse_id=main),
        )
        order("SO6", OrderState.ACKNOWLEDGED, SalesOrderLine(item_id=a, quantity=D(3)))
        so7 = order("SO7", OrderState.RELEASED, SalesOrderLine(item_id=e, quantity=D(1)))
        so7_line = s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == so7)).one()

        def po(number: str, *, state: str = "open", kind: str = "replenishment", **kw: object):
            p = PurchaseOrder(number=number, vendor_name="Vendor", state=state, kind=kind, **kw)
            s.add(p)
            s.flush()
            assert p.id
            return p.id

        def pol(po_id: int, qty: int, **kw: object) -> None:
            s.add(PurchaseOrderLine(purchase_order_id=po_id, item_id=e, quantity=D(qty), **kw))

        # FLT-E: 6 open on PO-OPEN (day 5), 5 on PO-NOWH (no warehouse -> MAIN, line ETA day 8)
        pol(po("PO-OPEN", warehouse_id=main, eta=day(5)), 10, quantity_received=D(4))
        pol(po("PO-NOWH", eta=day(30)), 5, eta=day(8))
        pol(po("PO-CANC", state="cancelled", warehouse_id=main, eta=day(1)), 100)
        pol(po("PO-RECV", state="received", warehouse_id=main, eta=day(1)), 100)
        pol(po("PO-DROP", kind="drop_ship", eta=day(1)), 100)
        pol(
            po("PO-SPEC", kind="special_buy", warehouse_id=main, eta=day(1)),
            100,
            sales_order_line_id=so7_line.id,
        )
        pol(po("PO-DONE", warehouse_id=main, eta=day(2)), 7, quantity_received=D(7))
        return World(cust.id, main, west, east, old, a, b, c, d, e, so1)


@pytest.fixture
def world(store: Store) -> World:
    return _world(store)


def test_stock_supply_and_demand_that_count(store: Store, world: World) -> None:
    with store.session() as s:
        res = line_availability(s, world.a, 3, preferred_warehouse_id=world.main, today=TODAY)
        # MAIN: 10 - 2 allocated - 4 (SO1) - 3 (SO6, no warehouse) = 1; WEST 5; OLD inactive
        assert [(p.warehouse_id, p.quantity) for p in res.ship_now] == [
            (world.main, 1),
            (world.west, 2),
        ]
        p = item_projection(s, world.a, today=TODAY)
        assert [w.warehouse_code for w in p.warehouses] == ["MAIN", "WEST"]
        main = p.warehouse(world.main)
        assert main is not None
        assert [(b.day, b.demand, b.projected) for b in main.buckets] == [
            (TODAY, 0, 8),
            (day(3), 4, 4),
            (day(9), 3, 1),
        ]
        # the line's own order is not demand
        own = line_availability(s, world.a, 3, exclude_order_id=world.so_entered, today=TODAY)
        assert [(p.warehouse_id, p.quantity) for p in own.ship_now] == [(world.main, 3)]


def test_purchase_orders_that_count(store: Store, world: World) -> None:
    res = check_line(store, world.e, 12, today=TODAY)
    assert [(p.warehouse_id, p.quantity) for p in res.ship_now] == [(world.main, 3)]
    assert [(p.quantity, p.day, p.source, p.reference) for p in res.later] == [
        (6, day(5), Source.PURCHASE_ORDER, "PO-OPEN"),
        (3, day(8), Source.PURCHASE_ORDER, "PO-NOWH"),
    ]
    assert res.complete_date == day(8)
    # 3 + 6 + 5 supply, 1 waited for by SO7 (its special buy PO does not count): 7 at lead time
    more = check_line(store, world.e, 20, today=TODAY)
    assert [(p.quantity, p.day, p.source) for p in more.later][-1] == (7, day(20), Source.LEAD_TIME)


def test_discontinued_item_offers_its_replacement(store: Store, world: World) -> None:
    res = check_line(store, world.b, 5, today=TODAY)
    assert res.now_quantity == 2 and res.unavailable == 3 and res.complete_date is None
    (alt,) = res.alternatives
    assert (alt.kind, alt.item_id, alt.part_number, alt.quantity, alt.day) == (
        K.REPLACEMENT,
        world.c,
        "VLV-C",
        5,
        TODAY,
    )


def test_drop_ship_alternative(store: Store, world: World) -> None:
    res = check_line(store, world.d, 4, today=TODAY)
    assert res.now_quantity == 0
    drop = [a for a in res.alternatives if a.kind is K.DROP_SHIP]
    assert [(a.quantity, a.day) for a in drop] == [(4, day(7))]


@pytest.mark.parametrize("qty", [0, -2, "abc", "1.5", ""])
def test_bad_quantity_or_item(store: Store, world: World, qty: object) -> None:
    with pytest.raises(FieldError) as err:
        check_line(store, world.a, qty, today=TODAY)
    assert err.value.field == "quantity"
    with pytest.raises(FieldError) as err:
        check_line(store, 999_999, 1, today=TODAY)
    assert err.value.field == "item"


# -- allocation ---------------------------------------------------------------------------------


def _new_order(
    store: Store,
    world: World,
    lines: list[tuple[int, object]],
    *,
    state: str = OrderState.DRAFT,
    ship_complete: bool = False,
    number: str = "SO100",
) -> int:
    with store.session() as s:
        so = SalesOrder(
            number=number, customer_id=world.customer, state=state, ship_complete=ship_complete
        )
        s.add(so)
        s.flush()
        assert so.id
        for n, (item_id, qty) in enumerate(lines, 1):
            extra = qty if isinstance(qty, dict) else {"quantity": D(qty)}  # type: ignore[arg-type]
            s.add(SalesOrderLine(order_id=so.id, line_no=n, item_id=item_id, **extra))
        return so.id


def _stock(store: Store, item_id: int, warehouse_id: int) -> StockLevel:
    with store.session() as s:
        return s.exec(
            select(StockLevel).where(
                StockLevel.item_id == item_id, StockLevel.warehouse_id == warehouse_id
            )
        ).one()


def _lines(store: Store, order_id: int) -> list[SalesOrderLine]:
    with store.session() as s:
        return list(
            s.exec(
                select(SalesOrderLine)
                .where(SalesOrderLine.order_id == order_id)
                .order_by(SalesOrderLine.line_no)  # type: ignore[arg-type]
            )
        )


def _events(store: Store, order_id: int) -> list[AuditEvent]:
    with store.session() as s:
        return list(
            s.exec(
                select(AuditEvent).where(AuditEvent.order_id == order_id).order_by(AuditEvent.id)  # type: ignore[arg-type]
            )
        )


def test_allocate_writes_lines_stock_dates_and_audit(store: Store, world: World) -> None:
    oid = _new_order(
        store, world, [(world.c, 4), (world.e, 5), (world.d, {"quantity": D(2), "drop_ship": True})]
    )
    before_e = _stock(store, world.e, world.main)
    result = allocate(store, oid, actor="casey", today=TODAY)
    assert result.allocated == 7 and result.backordered == 2
    assert result.promised_date == day(5) and result.hold_reason == ""
    c_line, e_line, d_line = _lines(store, oid)
    assert (c_line.quantity_allocated, c_line.quantity_backordered, c_line.warehouse_id) == (
        4,
        0,
        world.east,
    )
    assert c_line.first_promised_date == c_line.last_promised_date == TODAY
    assert (e_line.quantity_allocated, e_line.quantity_backordered, e_line.warehouse_id) == (
        3,
        2,
        world.main,
    )
    assert e_line.first_promised_date == e_line.last_promised_date == day(5)
    assert (d_line.quantity_allocated, d_line.version) == (0, 1)  # drop ship: not allocated
    e_stock = _stock(store, world.e, world.main)
    assert (e_stock.allocated, e_stock.version) == (3, before_e.version + 1)
    assert _stock(store, world.c, world.east).allocated == 4
    with store.session() as s:
        order = s.get(SalesOrder, oid)
        assert order is not None
        assert order.first_promised_date == order.last_promised_date == day(5)
    actions = [e.action for e in _events(store, oid)]
    assert actions.count("line.allocated") == 2 and actions.count("stock.allocated") == 2
    assert "order.allocated" in actions and "order.promised" in actions
    line_event = next(e for e in _events(store, oid) if e.entity_id == e_line.id)
    assert json.loads(line_event.changes)["quantity_allocated"] == ["0.000", "3.000"]
    assert "backordered for " + day(5).isoformat() in line_event.reason


def test_allocate_again_takes_new_stock_keeps_first_promise(store: Store, world: World) -> None:
    oid = _new_order(store, world, [(world.e, 14)])
    first = allocate(store, oid, actor="casey", today=TODAY)
    assert (first.allocated, first.backordered) == (3, 11)
    # 6 on PO-OPEN, 4 of PO-NOWH's 5 (SO7 waits for 1), the last one at lead time
    assert first.lines[0].backorder_date == day(20)
    # nothing changed: a second run allocates nothing and moves nothing
    again = allocate(store, oid, actor="casey", today=TODAY)
    assert (again.allocated, again.backordered) == (0, 11)
    assert _stock(store, world.e, world.main).allocated == 3
    # PO-OPEN is received into MAIN and a new PO is placed; six days later, allocate again
    with store.session() as s:
        stock = s.exec(
            select(StockLevel).where(
                StockLevel.item_id == world.e, StockLevel.warehouse_id == world.main
            )
        ).one()
        stock.on_hand += 6
        pol = s.exec(
            select(PurchaseOrderLine).join(PurchaseOrder).where(PurchaseOrder.number == "PO-OPEN")
        ).one()
        pol.quantity_received = pol.quantity
        new = PurchaseOrder(number="PO-NEW", vendor_name="V", warehouse_id=world.main, eta=day(7))
        s.add(new)
        s.flush()
        assert new.id
        s.add(PurchaseOrderLine(purchase_order_id=new.id, item_id=world.e, quantity=D(10)))
    later = allocate(store, oid, actor="casey", today=day(6))
    assert (later.allocated, later.backordered) == (6, 5)
    assert later.lines[0].backorder_date == day(7)
    (line,) = _lines(store, oid)
    assert (line.quantity_allocated, line.quantity_backordered) == (9, 5)
    assert line.first_promised_date == day(20)  # set once
    assert line.last_promised_date == day(7)
    assert _stock(store, world.e, world.main).allocated == 9
    with store.session() as s:
        order = s.get(SalesOrder, oid)
        assert order is not None
        assert (order.first_promised_date, order.last_promised_date) == (day(20), day(7))


def test_allocate_respects_earlier_backorders(store: Store, world: World) -> None:
    oid = _new_order(store, world, [(world.a, {"quantity": D(4), "warehouse_id": world.main})])
    result = allocate(store, oid, actor="casey", today=TODAY)
    # MAIN can give 1 (the rest is SO1's and SO6's); WEST can give all 4: one warehouse per line
    (line,) = result.lines
    assert (line.allocated, line.warehouse_id, line.backordered) == (4, world.west, 0)
    assert _stock(store, world.a, world.main).allocated == 2
    assert _stock(store, world.a, world.west).allocated == 4


def test_ship_complete_shortfall_places_a_stock_hold(store: Store, world: World) -> None:
    oid = _new_order(store, world, [(world.e, 5)], state=OrderState.ENTERED, ship_complete=True)
    result = allocate(store, oid, actor="casey", today=TODAY)
    assert "ship-complete" in result.hold_reason and "FLT-E short 2" in result.hold_reason
    with store.session() as s:
        hold = s.exec(select(Hold).where(Hold.order_id == oid)).one()
        assert hold.kind == HoldKind.STOCK and hold.released_at is None
        order = s.get(SalesOrder, oid)
        assert order is not None and order.state == OrderState.ON_HOLD


def test_item_that_cannot_be_promised_places_a_stock_hold(store: Store, world: World) -> None:
    oid = _new_order(store, world, [(world.b, 5)])
    result = allocate(store, oid, actor="casey", today=TODAY)
    (line,) = result.lines
    assert (line.allocated, line.backordered, line.promised_date) == (2, 3, None)
    assert result.promised_date is None
    assert "VLV-B (3 discontinued" in result.hold_reason
    assert K.REPLACEMENT in line.availability.alternative_kinds
    (row,) = _lines(store, oid)
    assert row.last_promised_date is None and row.quantity_allocated == 2


@pytest.mark.parametrize("state", [OrderState.SHIPPED, OrderState.CANCELLED, OrderState.CLOSED])
def test_allocate_refuses_finished_orders(store: Store, world: World, state: str) -> None:
    oid = _new_order(store, world, [(world.c, 4)], state=state)
    with pytest.raises(RuleViolation, match="not yet shipped"):
        allocate(store, oid, actor="casey", today=TODAY)
    assert _stock(store, world.c, world.east).allocated == 0
    assert _events(store, oid) == []


def test_allocate_bad_line_quantity_writes_nothing(store: Store, world: World) -> None:
    oid = _new_order(store, world, [(world.c, 4), (world.c, 0)])
    with pytest.raises(FieldError) as err:
        allocate(store, oid, actor="casey", today=TODAY)
    assert err.value.field == "line 2 quantity"
    assert [line.quantity_allocated for line in _lines(store, oid)] == [0, 0]
    assert _stock(store, world.c, world.east).allocated == 0
    assert _events(store, oid) == []
    with pytest.raises(RuleViolation, match="does not exist"):
        allocate(store, 424242, actor="casey", today=TODAY)


def test_order_availability_lines_see_each_other(store: Store, world: World) -> None:
    oid = _new_order(store, world, [(world.c, 20), (world.c, 20)])
    with store.session() as s:
        (l1, r1), (l2, r2) = order_availability(s, oid, today=TODAY)
    assert (l1.line_no, r1.now_quantity) == (1, 20)
    assert (l2.line_no, r2.now_quantity, r2.complete_date) == (2, 10, day(5))


def test_sqlite_reads_demand_through_the_open_demand_index(sqlite_store: Store) -> None:
    """Not every line an item ever had: a hot item has thousands of closed ones, and SQLite's
    planner would take the plain item_id index (bench/atp.py, the 20 hottest items)."""
    from sqlalchemy import bindparam, text

    from orderdesk_tui.services.availability import ATP_QUERY_SQLITE

    plan_sql = text("EXPLAIN QUERY PLAN " + ATP_QUERY_SQLITE.element.text).bindparams(
        bindparam("ids", expanding=True),
        bindparam("supply_kinds", expanding=True),
        bindparam("demand_states", expanding=True),
    )
    params = {"ids": [1], "supply_kinds": ["stock"], "demand_states": ["entered"], "exclude": 0}
    with sqlite_store.session() as session:
        plan = [row[-1] for row in session.connection().execute(plan_sql, params)]
    lines = [step for step in plan if "sales_order_lines" in step]
    assert lines == ["SEARCH l USING INDEX ix_sales_order_lines_open_demand (item_id=?)"], plan
