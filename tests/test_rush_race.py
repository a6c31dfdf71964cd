"""Rushes racing each other and cancels on PostgreSQL: many terminals at once never allocate
more than is on hand, never let a deadlock escape, and no rush order loses units to another."""

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlmodel import select

from orderdesk_tui.config import Settings
from orderdesk_tui.errors import StaleEdit
from orderdesk_tui.models import Address, SalesOrder, SalesOrderLine, StockLevel
from orderdesk_tui.models.base import Priority
from orderdesk_tui.services import drafts, rush
from orderdesk_tui.services.cancel_remaining import cancel_remaining
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.store import Store
from tests.rush_world import COORDINATOR, TODAY, add_order, build_world

ORDERS = 30
RUSHES = 10


def _version(store: Store, order_id: int) -> int:
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        return order.version


def _as_a_user(work: Callable[[int], Any], store: Store, order_id: int) -> Any:
    """What a person does when told the order changed meanwhile: look again, press again."""
    for _ in range(10):
        try:
            return work(_version(store, order_id))
        except StaleEdit:
            continue
    raise AssertionError(f"order {order_id} kept changing")


def _rush(store: Store, order_id: int) -> None:
    """Rush `order_id` as a coordinator would: at the version the order has now."""
    _as_a_user(
        lambda version: rush.mark_order(
            store,
            order_id,
            expected_version=version,
            actor=COORDINATOR,
            reason="race",
            today=TODAY,
        ),
        store,
        order_id,
    )


def test_concurrent_rushes_and_cancels_never_over_allocate(pg_store_url: str) -> None:
    store = Store(pg_store_url)
    try:
        world = build_world(store, on_hand=ORDERS * 10)
        orders = [
            add_order(
                store, world, f"SO{n:07d}", [20], allocated=[10], entered_minutes_ago=1000 - n
            )
            for n in range(ORDERS)
        ]
        rushed, cancelled = orders[:RUSHES], orders[-3:]
        errors: list[BaseException] = []
        start = threading.Barrier(len(rushed) + len(cancelled))

        def rush_one(order_id: int) -> None:
            start.wait()
            try:
                _rush(store, order_id)
            except BaseException as exc:
                errors.append(exc)

        def cancel_one(order_id: int) -> None:
            start.wait()
            try:
                _as_a_user(
                    lambda version: cancel_remaining(
                        store,
                        order_id,
                        line_id=None,
                        expected_version=version,
                        actor=COORDINATOR,
                        reason="customer cut it",
                    ),
                    store,
                    order_id,
                )
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=rush_one, args=(o,)) for o in rushed] + [
            threading.Thread(target=cancel_one, args=(o,)) for o in cancelled
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        with store.session() as session:
            stock = session.get(StockLevel, world.stock_id)
            assert stock is not None
            lines = {
                line.order_id: line
                for line in session.exec(
                    select(SalesOrderLine).where(SalesOrderLine.item_id == world.item_id)
                )
            }
            held = sum((line.quantity_allocated for line in lines.values()), Decimal(0))
            assert stock.allocated == held <= stock.on_hand
            # 100 units wanted by the rushes, 200 held by orders that may give: every rush served
            assert all(lines[o].quantity_allocated == 20 for o in rushed)
            assert all(lines[o].quantity_allocated == 0 for o in cancelled)
            # the cancelled orders, entered last, may have given to a rush before their cancel
            assert ORDERS * 10 - 3 * 10 <= held <= ORDERS * 10
            for order_id in rushed:
                order = session.get(SalesOrder, order_id)
                assert order is not None and order.priority == Priority.RUSH
    finally:
        store.dispose()


def test_rush_submits_racing_rushes_keep_the_stock_right(pg_store_url: str) -> None:
    """Submits of rush orders (which lock the givers after the stock rows) beside rushes of
    entered orders: deadlocks, if any, are run again; nothing over-allocates."""
    store = Store(pg_store_url)
    try:
        world = build_world(store, on_hand=220)
        with store.session() as session:
            ship_to = Address(
                customer_id=world.customer_id,
                code="MAIN",
                name="Acme",
                line1="1 Main St",
                city="Dallas",
                region="TX",
                postal_code="75201",
            )
            session.add(ship_to)
            session.flush()
            ship_to_id = ship_to.id
        for n in range(20):
            add_order(store, world, f"NO{n:07d}", [10], entered_minutes_ago=1000 - n)
        rushed = [
            add_order(store, world, f"RO{n:07d}", [15], allocated=[5], entered_minutes_ago=5)
            for n in range(4)
        ]
        drafts_ids = []
        for n in range(4):
            draft = drafts.create_draft(store, actor="casey", customer_id=world.customer_id)
            assert draft.id is not None
            drafts.update_header(
                store,
                draft.id,
                {"customer_po": f"RUSH-{n}", "priority": "rush", "ship_to_id": ship_to_id},
                actor="casey",
            )
            drafts.save_line(
                store,
                draft.id,
                1,
                {"item_id": world.item_id, "quantity": Decimal(10)},
                actor="casey",
            )
            drafts_ids.append(draft.id)
        errors: list[BaseException] = []
        start = threading.Barrier(len(rushed) + len(drafts_ids))

        def rush_one(order_id: int) -> None:
            start.wait()
            try:
                _rush(store, order_id)
            except BaseException as exc:
                errors.append(exc)

        def submit_one(draft_id: int) -> None:
            start.wait()
            try:
                submit_order(store, draft_id, actor="casey", settings=Settings(), today=TODAY)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=rush_one, args=(o,)) for o in rushed] + [
            threading.Thread(target=submit_one, args=(d,)) for d in drafts_ids
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        with store.session() as session:
            stock = session.get(StockLevel, world.stock_id)
            assert stock is not None
            lines = session.exec(
                select(SalesOrderLine).where(SalesOrderLine.item_id == world.item_id)
            ).all()
            held = sum((line.quantity_allocated for line in lines), Decimal(0))
            assert stock.allocated == held == stock.on_hand  # 220 held, 80 more wanted
            by_order = {line.order_id: line for line in lines}
            assert all(by_order[o].quantity_allocated == 15 for o in rushed)
            assert all(by_order[d].quantity_allocated == 10 for d in drafts_ids)
    finally:
        store.dispose()
