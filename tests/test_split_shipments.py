"""Split shipments (issue #17): a line fulfilled from several warehouses and dates, as parts
(order_line_parts, services.line_parts), on SQLite and PostgreSQL. What allocation writes (parts,
the line's sums, the stock rows), what freeing gives back and where, and that a ship-complete
order never splits."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.models import (
    AuditEvent,
    Customer,
    Item,
    OrderLinePart,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    Warehouse,
)
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services import cancel_remaining, drafts, order_actions
from orderdesk_tui.services.allocation import allocate
from orderdesk_tui.services.availability import item_projection
from orderdesk_tui.services.deallocation import free_allocation_in
from orderdesk_tui.services.order_queries import load_order
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store
from tests.test_submit_statements import _orderable

TODAY = date(2026, 3, 2)
D = Decimal


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


@dataclass
class World:
    customer: int
    wh1: int
    wh2: int
    x: int  # 60 in WH1, 50 in WH2
    y: int  # 30 in WH1, 100 on PO-Y due day 10 to WH1


@pytest.fixture
def world(store: Store) -> World:
    with store.session() as s:
        cust = Customer(code="SPLIT1", name="Split Customer")
        wh1, wh2 = Warehouse(code="WH1", name="One"), Warehouse(code="WH2", name="Two")
        x = Item(part_number="SPL-X", description="Split item", lead_time_days=20)
        y = Item(part_number="SPL-Y", description="Item on order", lead_time_days=20)
        s.add_all([cust, wh1, wh2, x, y])
        s.flush()
        assert cust.id and wh1.id and wh2.id and x.id and y.id
        s.add_all(
            [
                StockLevel(item_id=x.id, warehouse_id=wh1.id, on_hand=D(60)),
                StockLevel(item_id=x.id, warehouse_id=wh2.id, on_hand=D(50)),
                StockLevel(item_id=y.id, warehouse_id=wh1.id, on_hand=D(30)),
            ]
        )
        po = PurchaseOrder(number="PO-Y", vendor_name="Vendor", warehouse_id=wh1.id, eta=day(10))
        s.add(po)
        s.flush()
        assert po.id
        s.add(PurchaseOrderLine(purchase_order_id=po.id, item_id=y.id, quantity=D(100)))
        return World(cust.id, wh1.id, wh2.id, x.id, y.id)


def _order(
    store: Store, w: World, item: int, qty: int, *, split: bool = False, complete: bool = False
) -> int:
    with store.session() as s:
        so = SalesOrder(
            number=f"SO-{item}-{qty}-{split:d}{complete:d}",
            customer_id=w.customer,
            state=OrderState.ENTERED,
            ship_complete=complete,
        )
        s.add(so)
        s.flush()
        assert so.id
        s.add(
            SalesOrderLine(
                order_id=so.id, line_no=1, item_id=item, quantity=D(qty), split_warehouses=split
            )
        )
        return so.id


def _parts(store: Store, order_id: int) -> list[tuple[int, int | None, Decimal, date | None, str]]:
    with store.session() as s:
        return [
            (p.part_no, p.warehouse_id, p.quantity, p.promised_date, p.state)
            for p in s.exec(
                select(OrderLinePart)
                .where(OrderLinePart.order_id == order_id)
                .order_by(col(OrderLinePart.part_no))
            )
        ]


def _stock(store: Store, item: int) -> dict[int, Decimal]:
    with store.session() as s:
        rows = s.exec(select(StockLevel).where(StockLevel.item_id == item)).all()
        return {r.warehouse_id: r.allocated for r in rows}


def _line(store: Store, order_id: int) -> SalesOrderLine:
    with store.session() as s:
        return s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order_id)).one()


def test_a_100_unit_line_splits_60_wh1_and_40_wh2(store: Store, world: World) -> None:
    order = _order(store, world, world.x, 100, split=True)
    result = allocate(store, order, actor="alice", today=TODAY)
    assert result.allocated == 100 and result.backordered == 0
    assert _parts(store, order) == [
        (1, world.wh1, 60, TODAY, "allocated"),
        (2, world.wh2, 40, TODAY, "allocated"),
    ]
    assert _stock(store, world.x) == {world.wh1: 60, world.wh2: 40}
    line = _line(store, order)
    assert (line.quantity_allocated, line.quantity_backordered, line.warehouse_id) == (
        100,
        0,
        world.wh1,
    )
    with store.session() as s:
        reason = s.exec(
            select(AuditEvent.reason).where(
                AuditEvent.order_id == order, AuditEvent.action == "line.allocated"
            )
        ).one()
    assert "100 allocated in WH1 60, WH2 40" in reason


def test_without_the_split_choice_a_line_takes_one_warehouse(store: Store, world: World) -> None:
    order = _order(store, world, world.x, 100)
    allocate(store, order, actor="alice", today=TODAY)
    parts = _parts(store, order)
    assert [(p[1], p[2], p[4]) for p in parts] == [
        (world.wh1, 60, "allocated"),
        (world.wh1, 40, "backordered"),
    ]
    assert _stock(store, world.x) == {world.wh1: 60, world.wh2: 0}


def test_partial_now_and_the_rest_on_the_po_date(store: Store, world: World) -> None:
    order = _order(store, world, world.y, 50)
    allocate(store, order, actor="alice", today=TODAY)
    assert _parts(store, order) == [
        (1, world.wh1, 30, TODAY, "allocated"),
        (2, world.wh1, 20, day(10), "backordered"),
    ]
    assert _stock(store, world.y) == {world.wh1: 30}  # the backorder takes no stock
    line = _line(store, order)
    assert (line.quantity_allocated, line.quantity_backordered) == (30, 20)
    assert line.last_promised_date == day(10)


def test_a_ship_complete_order_never_splits(store: Store, world: World) -> None:
    order = _order(store, world, world.x, 100, split=True, complete=True)
    allocate(store, order, actor="alice", today=TODAY)
    parts = _parts(store, order)
    assert {p[1] for p in parts} == {world.wh1}, "one warehouse"
    assert {p[3] for p in parts} == {day(20)}, "one date: when it is all there (lead time)"
    assert sum(p[2] for p in parts) == 100
    assert _stock(store, world.x) == {world.wh1: 60, world.wh2: 0}


def test_freeing_a_split_line_gives_back_to_each_warehouse(store: Store, world: World) -> None:
    order = _order(store, world, world.x, 100, split=True)
    allocate(store, order, actor="alice", today=TODAY)
    with store.immediate() as s:
        line = s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order)).one()
        freed = free_allocation_in(s, [(line, D(50))], actor="bob", order_id=order, reason="cut")
        assert freed == {line.id: 50}
    # the same date: the last allocated part (WH2's 40) first, then 10 of WH1's
    assert _stock(store, world.x) == {world.wh1: 50, world.wh2: 0}
    assert _parts(store, order) == [
        (1, world.wh1, 50, TODAY, "allocated"),
        (2, world.wh2, 40, TODAY, "cancelled"),
    ]
    assert _line(store, order).quantity_allocated == 50
    with store.session() as s:
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.order_id == order))]
    assert actions.count("part.deallocated") == 2 and actions.count("stock.deallocated") == 2


def test_allocating_again_fills_the_backorder_into_the_allocated_part(
    store: Store, world: World
) -> None:
    order = _order(store, world, world.y, 50)
    allocate(store, order, actor="alice", today=TODAY)
    with store.session() as s:  # 25 more arrive: allocating again adds to the part in WH1
        stock = s.exec(select(StockLevel).where(StockLevel.item_id == world.y)).one()
        stock.on_hand += 25
        s.add(stock)
    allocate(store, order, actor="alice", today=TODAY)
    assert _parts(store, order) == [(1, world.wh1, 50, TODAY, "allocated")]
    assert _stock(store, world.y) == {world.wh1: 50}


def test_a_line_allocated_before_parts_frees_from_its_warehouse(store: Store, world: World) -> None:
    order = _order(store, world, world.x, 10)
    with store.session() as s:  # as a seed or an older version left it: no parts
        line = s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order)).one()
        line.quantity_allocated, line.warehouse_id = D(10), world.wh2
        stock = s.exec(
            select(StockLevel).where(
                StockLevel.item_id == world.x, StockLevel.warehouse_id == world.wh2
            )
        ).one()
        stock.allocated = D(10)
        s.add_all([line, stock])
    with store.immediate() as s:
        line = s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order)).one()
        free_allocation_in(s, [(line, D(4))], actor="bob", order_id=order, reason="cut")
    assert _stock(store, world.x) == {world.wh1: 0, world.wh2: 6}


def test_the_order_view_reads_the_parts(store: Store, world: World) -> None:
    order = _order(store, world, world.y, 50)
    allocate(store, order, actor="alice", today=TODAY)
    (line,) = load_order(store, order).lines
    assert [
        (p.part_no, p.of, p.warehouse, p.quantity, p.promised, p.state) for p in line.parts
    ] == [
        (1, 2, "WH1", 30, TODAY, "allocated"),
        (2, 2, "WH1", 20, day(10), "backordered"),
    ]


#: BAT-LI-18V-5AH, UN3480: stocked in CHI (1) and RNO (2) in the demo; TOR (3) may not hold it.
HAZMAT_ITEM, CHI, RNO, TOR = 510, 1, 2, 3


def test_a_hazmat_line_split_into_a_warehouse_that_may_not_hold_it_is_held(
    demo_store: Store,
) -> None:
    customer, _ = _orderable(demo_store)
    with demo_store.session() as s:
        rows = {
            r.warehouse_id: r
            for r in s.exec(select(StockLevel).where(StockLevel.item_id == HAZMAT_ITEM))
        }
        rows[CHI].on_hand += 5
        rows[RNO].on_hand = rows[RNO].allocated
        s.add_all([rows[CHI], rows[RNO]])
        s.add(StockLevel(item_id=HAZMAT_ITEM, warehouse_id=TOR, on_hand=D(1000)))
    with demo_store.session() as s:
        chi = item_projection(s, HAZMAT_ITEM).warehouse(CHI)
        assert chi is not None and chi.now > 0
        wanted = chi.now + 3  # CHI first (the line's warehouse), the rest from TOR
    order = drafts.create_draft(demo_store, actor="alice", customer_id=customer)
    assert order.id is not None
    drafts.update_header(demo_store, order.id, {"customer_po": "HAZ-SPLIT"}, actor="alice")
    line = {"item_id": HAZMAT_ITEM, "quantity": wanted, "split_warehouses": True}
    drafts.save_line(demo_store, order.id, 1, line, actor="alice")
    result = submit_order(demo_store, order.id, actor="alice", settings=Settings())
    assert {p[1] for p in _parts(demo_store, order.id)} == {CHI, TOR}
    assert _line(demo_store, order.id).warehouse_id == CHI
    compliance = [h for h in result.holds if h.startswith("compliance")]
    assert compliance and "TOR" in compliance[0], result.holds


def test_cancelling_the_order_cancels_every_part(store: Store, world: World) -> None:
    order = _order(store, world, world.y, 50)
    allocate(store, order, actor="alice", today=TODAY)
    with store.session() as s:
        version = s.exec(select(SalesOrder.version).where(SalesOrder.id == order)).one()
    order_actions.cancel_order(
        store,
        order,
        expected_version=version,
        actor=ensure_user(store, "alice"),
        reason="customer called",
    )
    assert _parts(store, order) == [
        (1, world.wh1, 30, TODAY, "cancelled"),
        (2, world.wh1, 20, day(10), "cancelled"),
    ]
    assert _stock(store, world.y) == {world.wh1: 0}


def test_a_line_cut_to_what_it_holds_has_its_backorder_cancelled(
    store: Store, world: World
) -> None:
    order = _order(store, world, world.y, 50)
    allocate(store, order, actor="alice", today=TODAY)
    with store.session() as s:  # a change cuts the line to the 30 it holds (services.change_plan)
        line = s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order)).one()
        line.quantity, line.quantity_backordered = D(30), D(0)
        s.add(line)
    allocate(store, order, actor="alice", today=TODAY)
    assert _parts(store, order) == [
        (1, world.wh1, 30, TODAY, "allocated"),
        (2, world.wh1, 20, day(10), "cancelled"),
    ]


def test_cancel_remaining_cancels_the_backordered_part(store: Store, world: World) -> None:
    order = _order(store, world, world.y, 50)
    allocate(store, order, actor="alice", today=TODAY)
    with store.session() as s:
        version = s.exec(select(SalesOrder.version).where(SalesOrder.id == order)).one()
    cancel_remaining.cancel_remaining(
        store,
        order,
        line_id=None,
        expected_version=version,
        actor=ensure_user(store, "alice"),
        reason="customer takes what is here",
    )
    # the 30 allocated go back too (allocated units are cancelled first), the 20 waiting
    parts = _parts(store, order)
    assert [p[4] for p in parts] == ["cancelled", "cancelled"]
    assert _stock(store, world.y) == {world.wh1: 0}
