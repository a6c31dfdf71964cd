"""A rush keeps line parts exact (services.rush_giving, services.line_parts) on both stores:
the rush line's taken units join its allocated part and its backorder is trimmed, each loser's
backordered part says what it waits for and when, and stock rows move in the parts' warehouses."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from orderdesk_tui.models import AuditEvent, OrderLinePart, SalesOrderLine, StockLevel, Warehouse
from orderdesk_tui.models.line_part import HOLDING, PartState
from orderdesk_tui.services.allocation import allocate
from orderdesk_tui.services.order_queries import load_order
from orderdesk_tui.store import Store
from tests.rush_world import TODAY, World, add_order, build_world
from tests.sql_statements import recorded_statements
from tests.test_rush import _rush

LATER = TODAY + timedelta(days=14)  # the item's lead time


def _parts_hold(store: Store) -> None:
    """For every line: holding parts sum to quantity_allocated, backordered parts to
    quantity_backordered, its warehouse is its first live part's; every stock row's allocated
    is what the parts hold in it."""
    with store.session() as session:
        parts: dict[int, list[OrderLinePart]] = defaultdict(list)
        for part in session.exec(select(OrderLinePart)):
            parts[part.line_id].append(part)
        held: dict[tuple[int | None, int | None], Decimal] = defaultdict(Decimal)
        for line in session.exec(select(SalesOrderLine)):
            mine = parts[line.id or 0]
            holding = sum((p.quantity for p in mine if p.state in HOLDING), Decimal(0))
            waiting = sum(
                (p.quantity for p in mine if p.state == PartState.BACKORDERED), Decimal(0)
            )
            assert (line.line_no, holding) == (line.line_no, line.quantity_allocated)
            assert (line.line_no, waiting) == (line.line_no, line.quantity_backordered)
            live = [p.warehouse_id for p in mine if p.state != PartState.CANCELLED]
            assert line.warehouse_id == next(iter(live), line.warehouse_id)  # its first part's
            for p in mine:
                if p.state in HOLDING:
                    held[(line.item_id, p.warehouse_id)] += p.quantity
        for stock in session.exec(select(StockLevel)):
            assert stock.allocated == held[(stock.item_id, stock.warehouse_id)]


def _view(store: Store, order_id: int) -> list[tuple[int, str, Decimal, object, str]]:
    [line] = load_order(store, order_id).lines
    return [(p.part_no, p.warehouse, p.quantity, p.promised, p.state) for p in line.parts]


def _allocated_order(store: Store, world: World, number: str, qty: int, **kw: object) -> int:
    """An order allocated by services.allocation (its line has parts)."""
    order_id = add_order(store, world, number, [qty], allocated=[0], **kw)  # type: ignore[arg-type]
    allocate(store, order_id, actor="casey", today=TODAY)
    return order_id


def test_a_rush_keeps_the_parts_of_the_rush_line_and_the_losers_exact(store: Store) -> None:
    world = build_world(store, on_hand=30)
    parted = _allocated_order(store, world, "SO0000001", 10, requested=TODAY + timedelta(30))
    seeded = add_order(store, world, "SO0000002", [10], requested=TODAY + timedelta(20))
    wanted = _allocated_order(store, world, "SO0000003", 25)
    assert _view(store, wanted) == [
        (1, "DAL", Decimal(10), TODAY, PartState.ALLOCATED),
        (2, "DAL", Decimal(15), LATER, PartState.BACKORDERED),
    ]

    result = _rush(store, wanted)

    assert [(loss.number, loss.units) for loss in result.losses] == [
        ("SO0000001", Decimal(10)),
        ("SO0000002", Decimal(5)),
    ]
    _parts_hold(store)
    # the rush line: the taken units joined its allocated part, its backorder is cancelled
    assert _view(store, wanted) == [
        (1, "DAL", Decimal(25), TODAY, PartState.ALLOCATED),
        (2, "DAL", Decimal(15), LATER, PartState.CANCELLED),
    ]
    # the losers: what they lost waits in a backordered part for the date they were promised
    assert _view(store, parted) == [
        (1, "DAL", Decimal(10), TODAY, PartState.CANCELLED),
        (2, "DAL", Decimal(10), LATER, PartState.BACKORDERED),
    ]
    # a line allocated before parts: what it still holds becomes a part of its own
    seeded_parts = _view(store, seeded)
    assert (Decimal(5), PartState.ALLOCATED) in [(q, s) for _, _, q, _, s in seeded_parts]
    assert (2, "DAL", Decimal(5), LATER, PartState.BACKORDERED) in seeded_parts
    with store.session() as session:  # the batch's part events are filed under their orders
        events = session.exec(
            select(AuditEvent).where(AuditEvent.entity == "order_line_parts")
        ).all()
        assert events and all(e.order_id is not None for e in events)


def test_a_rush_line_split_across_warehouses_takes_in_each(store: Store) -> None:
    world = build_world(store, on_hand=20)
    with store.session() as session:
        hou = Warehouse(code="HOU", name="Houston DC")
        session.add(hou)
        session.flush()
        assert hou.id is not None
        hou_id = hou.id
        session.add(StockLevel(item_id=world.item_id, warehouse_id=hou_id, on_hand=Decimal(10)))
    dal_giver = add_order(store, world, "SO0000001", [20], requested=TODAY + timedelta(30))
    hou_giver = _allocated_order(store, world, "SO0000002", 10, requested=TODAY + timedelta(20))
    assert _view(store, hou_giver) == [(1, "HOU", Decimal(10), TODAY, PartState.ALLOCATED)]
    wanted = add_order(store, world, "SO0000003", [25], allocated=[0])
    with store.session() as session:
        line = session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == wanted)).one()
        line.split_warehouses = True
        line.warehouse_id = hou_id  # entered for HOU: its backorder waits there

    result = _rush(store, wanted)

    # F7 split: the rush line takes from givers in any warehouse, the first to give first
    assert [(loss.number, loss.units) for loss in result.losses] == [
        ("SO0000001", Decimal(20)),
        ("SO0000002", Decimal(5)),
    ]
    _parts_hold(store)
    [backorder, *taken] = _view(store, wanted)
    assert backorder[1:] == ("HOU", Decimal(25), LATER, PartState.CANCELLED)
    assert taken == [
        (2, "DAL", Decimal(20), TODAY, PartState.ALLOCATED),
        (3, "HOU", Decimal(5), TODAY, PartState.ALLOCATED),
    ]
    with store.session() as session:  # the line's warehouse is its first live part's
        line = session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == wanted)).one()
        assert line.warehouse_id == world.warehouse_id
    assert _view(store, dal_giver) == [(1, "DAL", Decimal(20), LATER, PartState.BACKORDERED)]
    assert _view(store, hou_giver) == [
        (1, "HOU", Decimal(5), TODAY, PartState.ALLOCATED),
        (2, "HOU", Decimal(5), LATER, PartState.BACKORDERED),
    ]


def test_a_split_line_gives_nothing_to_a_rush(store: Store) -> None:
    world = build_world(store, on_hand=10)
    giver = add_order(store, world, "SO0000001", [10])
    with store.session() as session:
        line = session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == giver)).one()
        line.split_warehouses = True  # it may hold in several warehouses
    wanted = add_order(store, world, "SO0000002", [5], allocated=[0])

    result = _rush(store, wanted)

    assert result.losses == () and result.still_short == 5


def test_a_rush_sends_as_many_statements_for_six_losers_as_for_two(store: Store) -> None:
    world = build_world(store, on_hand=80)
    for n in range(8):
        add_order(store, world, f"SO00000{n + 10}", [10], requested=TODAY + timedelta(n + 1))
    two = add_order(store, world, "SO0000020", [20], allocated=[0])
    six = add_order(store, world, "SO0000021", [60], allocated=[0])

    with recorded_statements(store) as small:
        assert len(_rush(store, two).losses) == 2
    with recorded_statements(store) as big:
        assert len(_rush(store, six).losses) == 6

    _parts_hold(store)
    assert len(big) == len(small)
