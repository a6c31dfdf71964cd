"""Rush orders and lines (services.rush) on both stores: who gives units to a rush, who never
does, the losers re-promised with their audit, note and revision, and marking and clearing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from orderdesk_tui.config import Settings, SlaSettings
from orderdesk_tui.errors import RuleViolation, StaleEdit
from orderdesk_tui.models import (
    AuditEvent,
    Note,
    OrderRevision,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    SyncOutbox,
)
from orderdesk_tui.models.base import OrderState, Priority
from orderdesk_tui.services import drafts, rush
from orderdesk_tui.services.queue import load_queue
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.store import Store
from tests.rush_world import COORDINATOR, TODAY, World, add_order, build_world, lines_of, order_of
from tests.test_submit_statements import _orderable


def _allocated(store: Store, order_id: int) -> Decimal:
    return sum((ln.quantity_allocated for ln in lines_of(store, order_id)), Decimal(0))


def _stock_holds(store: Store, world: World) -> None:
    """The invariant: the stock row's allocated is what the lines hold, never over on hand."""
    with store.session() as session:
        stock = session.get(StockLevel, world.stock_id)
        assert stock is not None
        held = sum(
            (
                ln.quantity_allocated
                for ln in session.exec(
                    select(SalesOrderLine).where(SalesOrderLine.item_id == world.item_id)
                )
            ),
            Decimal(0),
        )
        assert stock.allocated == held <= stock.on_hand


def _rush(store: Store, order_id: int, reason: str = "line down at the plant") -> rush.RushResult:
    return rush.mark_order(
        store,
        order_id,
        expected_version=order_of(store, order_id).version,
        actor=COORDINATOR,
        reason=reason,
        today=TODAY,
    )


def test_a_rush_takes_from_the_orders_wanted_latest_and_re_promises_them(store: Store) -> None:
    world = build_world(store, on_hand=40)
    soon = add_order(store, world, "SO0000001", [10], requested=TODAY + timedelta(days=2))
    late = add_order(store, world, "SO0000002", [10], requested=TODAY + timedelta(days=30))
    older = add_order(store, world, "SO0000003", [10], entered_minutes_ago=300)
    newer = add_order(store, world, "SO0000004", [10], entered_minutes_ago=10)
    wanted = add_order(store, world, "SO0000005", [18], allocated=[0])

    result = _rush(store, wanted)

    assert result.summary == ("SO0000005: order marked rush; 18 units taken from 2 orders")
    assert [(loss.number, loss.units) for loss in result.losses] == [
        ("SO0000002", Decimal(10)),
        ("SO0000004", Decimal(8)),
    ]
    assert _allocated(store, wanted) == 18
    assert _allocated(store, late) == 0 and _allocated(store, newer) == 2
    assert _allocated(store, soon) == 10 and _allocated(store, older) == 10
    _stock_holds(store, world)
    # the losers: what they lost is a backorder promised for the item's lead time
    [lost] = lines_of(store, newer)
    assert lost.quantity_backordered == 8
    assert lost.last_promised_date == TODAY + timedelta(days=14)
    assert lost.first_promised_date == TODAY  # on-time is still measured against it
    with store.session() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "order.rush_taken")
        ).all()
        assert {(e.order_id, e.reason) for e in events} == {
            (late, "10 units of P-100 taken by rush order SO0000005"),
            (newer, "8 units of P-100 taken by rush order SO0000005"),
        }
        notes = session.exec(select(Note).order_by(col(Note.order_id))).all()
        assert [(n.order_id, n.callback_at is not None) for n in notes] == [
            (late, True),
            (newer, True),
        ]
        assert notes[1].body.startswith("8 units of P-100 taken by rush order SO0000005")
        revisions = {r.order_id: r for r in session.exec(select(OrderRevision)).all()}
        assert revisions[wanted].source == "rush" and "priority normal → rush" in (
            revisions[wanted].summary
        )
        assert revisions[newer].summary.startswith("line 1 allocated 10 → 2")
        assert revisions[newer].reacknowledge  # its promise moved
        # the ERP hears nothing of a rush: a Tryton sale has no priority
        assert session.exec(select(SyncOutbox)).all() == []
    rushed = order_of(store, wanted)
    assert rushed.priority == Priority.RUSH and rushed.rushed_by == "casey"
    assert rushed.rush_reason == "line down at the plant" and rushed.revision == 1
    assert order_of(store, newer).revision == 1


def test_free_stock_first_and_never_from_released_rush_or_rush_lines(store: Store) -> None:
    world = build_world(store, on_hand=45)
    add_order(store, world, "SO0000001", [10], state=OrderState.RELEASED)
    add_order(store, world, "SO0000002", [10], priority=Priority.RUSH)
    rush_line_order = add_order(store, world, "SO0000003", [10, 10])
    with store.session() as session:
        line = session.exec(
            select(SalesOrderLine).where(
                SalesOrderLine.order_id == rush_line_order, SalesOrderLine.line_no == 1
            )
        ).one()
        line.rush = True
    wanted = add_order(store, world, "SO0000004", [20], allocated=[0])

    result = _rush(store, wanted)

    # 5 free, then 10 from line 2 of SO0000003 (line 1 is rush); 5 stay short
    assert [(loss.number, loss.units) for loss in result.losses] == [("SO0000003", 10)]
    assert result.still_short == 5
    assert result.summary.endswith("10 units taken from 1 order; 5 still short (backordered)")
    assert [ln.quantity_allocated for ln in lines_of(store, rush_line_order)] == [10, 0]
    [line] = lines_of(store, wanted)
    assert line.quantity_allocated == 15 and line.quantity_backordered == 5
    _stock_holds(store, world)


def test_nothing_taken_when_stock_is_free(store: Store) -> None:
    world = build_world(store, on_hand=100)
    add_order(store, world, "SO0000001", [10])
    wanted = add_order(store, world, "SO0000002", [30], allocated=[0])
    result = _rush(store, wanted)
    assert result.losses == () and result.summary.endswith("nothing needed taking")
    assert _allocated(store, wanted) == 30
    _stock_holds(store, world)


def test_a_ship_complete_rush_takes_nothing(store: Store) -> None:
    world = build_world(store, on_hand=10)
    giver = add_order(store, world, "SO0000001", [10])
    wanted = add_order(store, world, "SO0000002", [5], allocated=[0])
    with store.session() as session:
        order = session.get(SalesOrder, wanted)
        assert order is not None
        order.ship_complete = True
    result = _rush(store, wanted)
    assert result.losses == () and "ship-complete: nothing taken" in result.summary
    assert _allocated(store, giver) == 10


def test_a_rush_line_takes_for_that_line_only(store: Store) -> None:
    world = build_world(store, on_hand=20)
    giver = add_order(store, world, "SO0000001", [20])
    wanted = add_order(store, world, "SO0000002", [5, 5], allocated=[0, 0])
    _, second = lines_of(store, wanted)
    result = rush.mark_line(
        store,
        wanted,
        second.id or 0,
        expected_version=second.version,
        actor=COORDINATOR,
        reason="this one is for the repair",
        today=TODAY,
    )
    assert result.summary == "SO0000002: line 2 marked rush; 5 units taken from 1 order"
    assert [ln.quantity_allocated for ln in lines_of(store, wanted)] == [0, 5]
    assert [ln.rush for ln in lines_of(store, wanted)] == [False, True]
    assert _allocated(store, giver) == 15
    order = order_of(store, wanted)
    assert order.priority == Priority.NORMAL and order.rushed_at is not None
    # the queue: a normal order with a rush line is rush work, on the rush SLA, first
    items = load_queue(store, SlaSettings()).items
    assert items[0].number == "SO0000002" and items[0].reason_text.startswith("RUSH")
    assert items[0].sla is not None and items[0].sla.kind == "rush"
    _stock_holds(store, world)

    cleared = rush.clear_line(
        store,
        wanted,
        second.id or 0,
        expected_version=lines_of(store, wanted)[1].version,
        actor=COORDINATOR,
        reason="repair postponed",
    )
    assert cleared.summary == "SO0000002: line 2 is no longer rush"
    order = order_of(store, wanted)
    assert order.rushed_at is None and order.rush_reason == ""
    assert _allocated(store, wanted) == 5  # what it took stays allocated
    assert all(i.number != "SO0000002" for i in load_queue(store, SlaSettings()).items)


def test_clearing_and_refusals(store: Store) -> None:
    world = build_world(store)
    wanted = add_order(store, world, "SO0000001", [5])
    with pytest.raises(RuleViolation, match="needs a reason"):
        rush.mark_order(store, wanted, expected_version=1, actor=COORDINATOR, reason="  ")
    with pytest.raises(StaleEdit):
        rush.mark_order(
            store, wanted, expected_version=99, actor=COORDINATOR, reason="x", today=TODAY
        )
    assert order_of(store, wanted).priority == Priority.NORMAL  # nothing written
    _rush(store, wanted)
    with pytest.raises(RuleViolation, match="already rush"):
        _rush(store, wanted)
    result = rush.clear_order(
        store,
        wanted,
        expected_version=order_of(store, wanted).version,
        actor=COORDINATOR,
        reason="customer found stock",
    )
    assert result.summary == "SO0000001: order is no longer rush"
    order = order_of(store, wanted)
    assert order.priority == Priority.NORMAL and order.rushed_at is None and order.revision == 2
    with store.session() as session:
        revisions = session.exec(
            select(OrderRevision).order_by(col(OrderRevision.revision_no))
        ).all()
        assert [r.summary for r in revisions] == [
            "priority normal → rush",
            "priority rush → normal",
        ]
        assert not revisions[1].reacknowledge
    shipped = add_order(store, world, "SO0000002", [5], state=OrderState.SHIPPED)
    with pytest.raises(RuleViolation, match="is shipped: only entered orders"):
        _rush(store, shipped)


def test_submit_of_a_rush_order_takes_from_normal_orders(demo_store: Store) -> None:
    customer, items = _orderable(demo_store)
    item_id = items[0]
    with demo_store.session() as session:  # no free stock of the part anywhere
        stocks = session.exec(select(StockLevel).where(StockLevel.item_id == item_id)).all()
        for stock in stocks:
            stock.on_hand = stock.allocated
        stocks[0].on_hand += 5  # what the giver below holds
        world = World(customer, item_id, stocks[0].warehouse_id, stocks[0].id or 0)
    giver = add_order(demo_store, world, "SO9000001", [5])
    draft = drafts.create_draft(demo_store, actor="alice", customer_id=customer)
    assert draft.id is not None
    drafts.update_header(
        demo_store, draft.id, {"customer_po": "RUSH-1", "priority": "rush"}, actor="alice"
    )
    drafts.save_line(
        demo_store, draft.id, 1, {"item_id": item_id, "quantity": Decimal(3)}, actor="alice"
    )
    result = submit_order(demo_store, draft.id, actor="alice", settings=Settings())
    assert [ln.quantity_allocated for ln in lines_of(demo_store, result.order_id)] == [3]
    assert lines_of(demo_store, giver)[0].quantity_allocated == 2
    with demo_store.session() as session:
        event = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "order.rush_taken", AuditEvent.order_id == giver
            )
        ).one()
        assert event.reason.endswith(f"taken by rush order {result.number}")
