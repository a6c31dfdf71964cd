"""Cancelling the remaining quantity of a line or an order (services.cancel_remaining), on both
stores: what is cancelled and freed, what stays (shipped, picked), where the order moves, the
ERP entry, the revision, and the supervisor for orders the warehouse has."""

import json
from decimal import Decimal

import pytest
from sqlmodel import col, select

from orderdesk_tui.errors import PermissionDenied, RuleViolation, StaleEdit
from orderdesk_tui.models import (
    AuditEvent,
    Customer,
    EDIDocument,
    OrderRevision,
    Shipment,
    ShipmentLine,
    StockLevel,
    SyncOutbox,
)
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services.cancel_remaining import cancel_remaining
from orderdesk_tui.services.users import Approval
from orderdesk_tui.store import Store
from tests.rush_world import COORDINATOR, PIN, World, add_order, build_world, lines_of, order_of


def _stock(store: Store, world: World) -> StockLevel:
    with store.session() as session:
        stock = session.get(StockLevel, world.stock_id)
        assert stock is not None
        return stock


def _outbox(store: Store) -> list[tuple[str, str]]:
    with store.session() as session:
        return [
            (e.operation, json.loads(e.payload)["reason"])
            for e in session.exec(select(SyncOutbox).order_by(col(SyncOutbox.id)))
        ]


def _cancel(
    store: Store, order_id: int, line_id: int | None, reason: str = "customer cut it", **kw: object
) -> str:
    return cancel_remaining(
        store,
        order_id,
        line_id=line_id,
        expected_version=order_of(store, order_id).version,
        actor=COORDINATOR,
        reason=reason,
        **kw,  # type: ignore[arg-type]
    ).summary


def test_a_line_then_the_rest_of_the_order(store: Store) -> None:
    world = build_world(store, on_hand=100)
    order_id = add_order(store, world, "SO0000001", [10, 5], allocated=[6, 0])
    first, second = lines_of(store, order_id)

    said = _cancel(store, order_id, first.id)

    assert said == "SO0000001: remaining quantity cancelled (line 1 10)"
    first, second = lines_of(store, order_id)
    assert (first.quantity_cancelled, first.quantity_allocated, first.quantity_backordered) == (
        10,
        0,
        0,
    )
    assert second.quantity_cancelled == 0 and second.quantity_backordered == 5
    assert _stock(store, world).allocated == 0  # the 6 went back
    order = order_of(store, order_id)
    assert order.state == OrderState.ACKNOWLEDGED and order.revision == 1
    assert _outbox(store) == [("push_change", "customer cut it")]

    said = _cancel(store, order_id, None, "rest not needed")

    assert said.endswith("(line 2 5); the order is now cancelled")
    order = order_of(store, order_id)
    assert order.state == OrderState.CANCELLED and order.cancel_reason == "rest not needed"
    assert _outbox(store)[-1] == ("push_cancel", "rest not needed")
    with store.session() as session:
        revisions = session.exec(
            select(OrderRevision).order_by(col(OrderRevision.revision_no))
        ).all()
        assert [(r.source, r.summary, r.changed_lines, r.reacknowledge) for r in revisions] == [
            ("cancel_remaining", "line 1 qty 10 → 0", "1", True),
            ("cancel_remaining", "line 2 qty 5 → 0", "2", True),
        ]
        actions = [e.action for e in session.exec(select(AuditEvent))]
        assert actions.count("line.cancelled") == 2 and "line.deallocated" in actions


def test_a_partly_shipped_order_needs_a_supervisor_and_ends_shipped(store: Store) -> None:
    world = build_world(store, on_hand=100)
    order_id = add_order(
        store,
        world,
        "SO0000001",
        [10, 4],
        allocated=[0, 4],
        shipped=[6, 0],
        state=OrderState.PARTIALLY_SHIPPED,
    )
    with pytest.raises(PermissionDenied, match="needs a supervisor override"):
        _cancel(store, order_id, None)
    assert [ln.quantity_cancelled for ln in lines_of(store, order_id)] == [0, 0]

    said = _cancel(store, order_id, None, approval=Approval("sam", PIN))

    assert said.endswith("(line 1 4, line 2 4); the order is now shipped")
    first, second = lines_of(store, order_id)
    assert (first.quantity_shipped, first.quantity_cancelled) == (6, 4)
    assert (second.quantity_allocated, second.quantity_cancelled) == (0, 4)
    order = order_of(store, order_id)
    assert order.state == OrderState.SHIPPED and order.shipped_at is not None
    assert _outbox(store) == [("push_change", "customer cut it")]
    with store.session() as session:
        revision = session.exec(select(OrderRevision)).one()
        assert revision.approved_by == "sam"


def test_what_the_warehouse_picked_stays(store: Store) -> None:
    world = build_world(store, on_hand=100)
    order_id = add_order(store, world, "SO0000001", [10], state=OrderState.ACKNOWLEDGED)
    [line] = lines_of(store, order_id)
    with store.session() as session:
        shipment = Shipment(
            number="SH1", order_id=order_id, warehouse_id=world.warehouse_id, state="picked"
        )
        session.add(shipment)
        session.flush()
        session.add(
            ShipmentLine(
                shipment_id=shipment.id or 0, order_line_id=line.id or 0, quantity=Decimal(7)
            )
        )
    said = _cancel(store, order_id, line.id)
    assert said == "SO0000001: remaining quantity cancelled (line 1 3)"
    [line] = lines_of(store, order_id)
    assert line.quantity_cancelled == 3 and line.quantity_allocated == 7
    assert _stock(store, world).allocated == 7
    with pytest.raises(RuleViolation, match="line 1: nothing remains to cancel"):
        _cancel(store, order_id, line.id)


def test_refusals_change_nothing(store: Store) -> None:
    world = build_world(store)
    order_id = add_order(store, world, "SO0000001", [10])
    [line] = lines_of(store, order_id)
    with pytest.raises(RuleViolation, match="needs a reason"):
        _cancel(store, order_id, line.id, reason=" ")
    with pytest.raises(StaleEdit):
        cancel_remaining(
            store,
            order_id,
            line_id=line.id,
            expected_version=99,
            actor=COORDINATOR,
            reason="x",
        )
    shipped = add_order(store, world, "SO0000002", [5], state=OrderState.SHIPPED)
    with pytest.raises(RuleViolation, match="is shipped: nothing remains to cancel"):
        _cancel(store, shipped, None)
    assert [ln.quantity_cancelled for ln in lines_of(store, order_id)] == [0]
    assert _outbox(store) == []


def test_an_edi_partner_gets_an_855_change(store: Store) -> None:
    world = build_world(store)
    with store.session() as session:
        customer = session.get(Customer, world.customer_id)
        assert customer is not None
        customer.edi_partner_id = "ACMEEDI"
    order_id = add_order(store, world, "SO0000001", [10, 5])
    _cancel(store, order_id, lines_of(store, order_id)[1].id)
    with store.session() as session:
        [document] = session.exec(select(EDIDocument)).all()
        assert (document.transaction_set, document.direction, document.revision_no) == (
            "855",
            "out",
            1,
        )
        assert document.order_id == order_id
