"""F9 submits what is on screen, or nothing (issue 13, part 1).

(a) SQLite: another terminal holds the write lock past the busy timeout while a saved quantity
is changed: the field is marked unsaved, the status line names it, F9 is refused naming it, and
once the lock goes the retry lands and F9 submits the quantity on screen. (b) PostgreSQL: a
quantity the store cannot hold (1e15) is refused as it is typed, with the limit, and never
reaches the store. Field limits come from the model's columns, on both stores.
"""

import sqlite3
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlmodel import col, select
from textual.widgets import Static

from orderdesk_tui.config import Settings
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import (
    Address,
    Customer,
    Item,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    Warehouse,
)
from orderdesk_tui.models.base import FreightTerms, OrderState
from orderdesk_tui.services import drafts
from orderdesk_tui.services.submit import OnScreen, SubmitRefused, submit_order
from orderdesk_tui.store import Store
from screens.order_entry import OrderEntryScreen
from tests.test_order_entry import SIZE, open_entry, parts_in_stock, settle
from tests.ui import burst, make_app, text_of, wait_for


def _status(screen: OrderEntryScreen) -> str:
    return text_of(screen.query_one("#missing", Static))


def _message(screen: OrderEntryScreen) -> str:
    return text_of(screen.query_one("#message", Static))


def _lines(store: Store, order_id: int) -> list[tuple[str, Decimal]]:
    with store.session() as s:
        rows = s.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        return [(ln.part_number, ln.quantity) for ln in rows]


def _state(store: Store, order_id: int) -> str:
    with store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None
        return order.state


async def _submit(pilot, screen: OrderEntryScreen) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f9")
    await wait_for(pilot, lambda: pilot.app.screen is not screen, timeout=15)


async def test_a_save_the_locked_store_refused_is_marked_retried_and_blocks_f9(
    demo_store: Store,
) -> None:
    part = parts_in_stock(demo_store, 1)[0].part_number
    path = demo_store.engine.url.database
    assert path is not None
    store = Store(demo_store.url, busy_timeout_s=0.3)  # a terminal with a short busy timeout
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, f"acme01\nPO-LOCKED-1\n\n{part}\n5\n")
        await settle(pilot, screen, 0.5)
        await pilot.press("up", "tab")  # back to line 1's quantity
        await settle(pilot, screen)
        order_id = screen.draft.id
        assert order_id is not None and _lines(store, order_id) == [(part, Decimal(5))]
        assert screen.active is screen.lines[0].row.qty
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another terminal writes, for longer than 0.3 s
        try:
            burst(app, "7\n")
            await pilot.press("f9")  # at once: the save is still waiting for the lock
            await wait_for(pilot, lambda: "NOT SAVED" in _status(screen))
            await wait_for(pilot, lambda: "not submitted" in _message(screen))
            assert "line 1 quantity" in _message(screen)
            assert "line 1 quantity" in _status(screen)
            assert "database is locked" in _status(screen)
            assert screen.lines[0].row.qty.value == "7"
            assert screen.lines[0].row.qty.unsaved, "the field is marked on screen"
            await pilot.press("f9")
            await pilot.pause(0.2)
            assert app.screen is screen
            assert "not submitted" in _message(screen) and "line 1 quantity" in _message(screen)
            assert _state(store, order_id) == OrderState.DRAFT
            assert _lines(store, order_id) == [(part, Decimal(5))]
        finally:
            other.execute("ROLLBACK")
            other.close()
        # the lock is gone: the retry lands by itself, nothing typed again
        await wait_for(pilot, lambda: "complete: F9 submits" in _status(screen), timeout=20)
        assert not screen.lines[0].row.qty.unsaved
        assert _lines(store, order_id) == [(part, Decimal(7))]
        await _submit(pilot, screen)
    assert _state(store, order_id) in {OrderState.ACKNOWLEDGED, OrderState.ON_HOLD}
    assert _lines(store, order_id) == [(part, Decimal(7))]
    store.dispose()


def _small_desk(store: Store) -> tuple[int, int, int]:
    """One customer (ship-to, credit) and one item in stock; their ids and the ship-to's."""
    with store.session() as s:
        customer = Customer(
            code="PGC01",
            name="Postgres Pumps",
            credit_limit=Decimal("100000.00"),
            freight_terms=FreightTerms.COLLECT,
        )
        warehouse = Warehouse(code="MAIN", name="Main DC")
        item = Item(part_number="PG-1", description="Pump seal", list_price=Decimal("12.50"))
        s.add_all([customer, warehouse, item])
        s.flush()
        assert customer.id and warehouse.id and item.id
        address = Address(
            customer_id=customer.id,
            code="MAIN",
            name="Postgres Pumps Dock",
            line1="1 Harbor Way",
            city="Portland",
            region="OR",
            postal_code="97201",
            is_default=True,
        )
        s.add(address)
        s.add(StockLevel(item_id=item.id, warehouse_id=warehouse.id, on_hand=Decimal(100)))
        s.flush()
        assert address.id
        return customer.id, item.id, address.id


@pytest.fixture
def pg_desk(pg_store_url: str) -> Iterator[Store]:
    """A PostgreSQL store with one customer and one item (`_small_desk`)."""
    store = Store(pg_store_url)
    _small_desk(store)
    yield store
    store.dispose()


async def test_b_a_quantity_the_store_cannot_hold_is_refused_as_typed_on_postgresql(
    pg_desk: Store,
) -> None:
    app = make_app(pg_desk)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "pgc01\nPO-PG-1\n\npg-1\n5\n")
        await settle(pilot, screen, 0.5)
        order_id = screen.draft.id
        assert order_id is not None and _lines(pg_desk, order_id) == [("PG-1", Decimal(5))]
        await pilot.press("up", "tab")
        await settle(pilot, screen)
        burst(app, "1e15\n")
        await settle(pilot, screen)
        assert screen.active is screen.lines[0].row.qty, "the cursor stays on the quantity"
        assert screen.lines[0].row.qty.value == "1e15", "what was typed is kept"
        assert "line 1 quantity" in _message(screen)
        assert "at most 1,000,000,000 on one line" in _message(screen)
        await pilot.press("f9")
        await settle(pilot, screen)
        assert app.screen is screen
        assert _state(pg_desk, order_id) == OrderState.DRAFT
        assert _lines(pg_desk, order_id) == [("PG-1", Decimal(5))]
        await pilot.press("ctrl+u")  # the refused text stays as typed, not selected: clear it
        burst(app, "7\n")
        await settle(pilot, screen)
        await _submit(pilot, screen)
    assert _state(pg_desk, order_id) in {OrderState.ACKNOWLEDGED, OrderState.ON_HOLD}
    assert _lines(pg_desk, order_id) == [("PG-1", Decimal(7))]


async def test_a_po_longer_than_its_column_is_refused_as_typed(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\n" + "P" * 41 + "\n")
        await settle(pilot, screen)
        assert screen.active is screen.header["po"]
        assert "customer PO: at most 40 characters (this has 41)" in _message(screen)
        order_id = screen.draft.id
    assert order_id is not None
    with demo_store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None and order.customer_po == ""


def test_values_a_column_cannot_hold_are_refused_at_the_service_on_both_stores(
    store: Store,
) -> None:
    with store.session() as s:
        customer = Customer(code="LIM01", name="Limits Inc")
        item = Item(part_number="LIM-1", description="limited")
        s.add_all([customer, item])
        s.flush()
        assert customer.id and item.id
        customer_id, item_id = customer.id, item.id
    order = drafts.create_draft(store, actor="alice", customer_id=customer_id)
    assert order.id is not None
    with pytest.raises(FieldError, match=r"customer PO: at most 40 characters \(this has 10,000\)"):
        drafts.update_header(store, order.id, {"customer_po": "P" * 10_000}, actor="alice")
    with pytest.raises(FieldError, match="order notes: at most 2,000 characters"):
        drafts.update_header(store, order.id, {"notes": "n" * 2001}, actor="alice")
    for bad, rule in (
        ("NaN", "must be a finite number"),
        ("Infinity", "must be a finite number"),
        ("1e15", "must be less than 1,000,000,000,000,000"),
        ("1.0005", "at most 3 decimal places"),
    ):
        with pytest.raises(FieldError, match=f"line 1 quantity: {rule}"):
            values = {"item_id": item_id, "quantity": Decimal(bad)}
            drafts.save_line(store, order.id, 1, values, actor="alice")
    with pytest.raises(FieldError, match="line 1 description: at most 200 characters"):
        drafts.save_line(store, order.id, 1, {"description": "d" * 201}, actor="alice")
    drafts.update_header(store, order.id, {"customer_po": "P" * 40}, actor="alice")
    with store.session() as s:
        stored = s.get(SalesOrder, order.id)
        assert stored is not None and stored.customer_po == "P" * 40
        assert s.exec(select(SalesOrderLine)).all() == []


def test_autosave_keeps_a_refused_save_retries_it_and_a_newer_save_settles_it() -> None:
    from orderdesk_tui.services.autosave import Autosave

    stored: dict[int | None, dict[str, object]] = {}
    refuse = {"count": 2}
    changes: list[int] = []

    def write(scope: int | None, values: dict[str, object]) -> None:
        if refuse["count"] > 0:
            refuse["count"] -= 1
            raise RuntimeError("database is locked")
        stored.setdefault(scope, {}).update(values)

    saver = Autosave(lambda error: None, lambda: changes.append(1), backoff_s=(0.05,))
    try:
        saver.save(1, {"quantity": 7}, write)
        saver.flush()
        pending = saver.pending()
        assert [(p.scope, p.columns, p.error) for p in pending] == [
            (1, ("quantity",), "database is locked")
        ]
        for _ in range(100):  # the second attempt fails too, the third lands
            if not saver.pending():
                break
            time.sleep(0.02)
            saver.flush()
        assert saver.pending() == [] and stored == {1: {"quantity": 7}}
        refuse["count"] = 10**6  # refused until told otherwise, retries included
        saver.save(2, {"quantity": 3}, write)
        saver.line_deleted(1)  # line 2 moves up: its pending value with it
        saver.flush()
        assert [p.scope for p in saver.pending()] == [1]
        refuse["count"] = 0
        saver.save(1, {"quantity": 4}, write)  # typed again before the retry: it wins
        saver.flush()
        assert saver.pending() == [] and stored[1] == {"quantity": 4}
        refuse["count"] = 10**6
        saver.save(2, {"quantity": 9}, write)
        saver.line_inserted(2)  # a line inserted above it: it is line 3 now
        saver.line_inserted(4)  # below it: it stays
        saver.flush()
        assert [p.scope for p in saver.pending()] == [3]
        refuse["count"] = 0
        for _ in range(100):  # the retry lands on line 3
            if not saver.pending():
                break
            time.sleep(0.02)
            saver.flush()
        assert saver.pending() == [] and stored[3] == {"quantity": 9}
        assert changes, "the screen was told each time"
    finally:
        saver.close()


def test_submit_refuses_a_draft_that_is_not_what_the_screen_shows(store: Store) -> None:
    customer_id, item_id, ship_to_id = _small_desk(store)
    order = drafts.create_draft(store, actor="alice", customer_id=customer_id)
    assert order.id is not None
    drafts.update_header(store, order.id, {"customer_po": "PO-SCREEN-1"}, actor="alice")
    drafts.save_line(
        store, order.id, 1, {"item_id": item_id, "quantity": Decimal(5)}, actor="alice"
    )
    shown = {1: (item_id, Decimal(7)), 2: (item_id, Decimal(1))}
    screen = OnScreen("PO-SCREEN-2", ship_to_id, None, "", shown)
    with pytest.raises(SubmitRefused) as refused:
        submit_order(store, order.id, actor="alice", settings=Settings(), on_screen=screen)
    assert refused.value.problems == [
        "customer PO on screen is not saved yet",
        "line 1 quantity 7 on screen is not saved yet (saved: 5)",
        "line 2 part on screen is not saved yet",
    ]
    assert _state(store, order.id) == OrderState.DRAFT
    screen = OnScreen("PO-SCREEN-1", ship_to_id, None, "", {1: (item_id, Decimal(5))})
    result = submit_order(store, order.id, actor="alice", settings=Settings(), on_screen=screen)
    assert result.state == OrderState.ACKNOWLEDGED


async def test_a_requested_date_cleared_on_screen_is_cleared_in_the_draft(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\nPO-CLEAR-1\n+5\n")
        await settle(pilot, screen)
        order_id = screen.draft.id
        assert order_id is not None
        with demo_store.session() as s:
            order = s.get(SalesOrder, order_id)
            assert order is not None and order.requested_date is not None
        await pilot.press(*["shift+tab"] * 5)  # line 1's part → notes … → requested date
        assert screen.active is screen.header["requested"]
        await pilot.press("escape", "enter")  # Esc empties the field
        await settle(pilot, screen)
        assert screen.header["requested"].value == ""
    with demo_store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None and order.requested_date is None


async def test_leaving_with_a_field_unsaved_warns_then_the_save_lands_after_the_screen_goes(
    demo_store: Store,
) -> None:
    """F3 with a save refused is refused once, naming the field; F3 again leaves, and the
    desk keeps retrying: the value typed reaches the draft once the lock is gone."""
    part = parts_in_stock(demo_store, 1)[0].part_number
    path = demo_store.engine.url.database
    assert path is not None
    store = Store(demo_store.url, busy_timeout_s=0.3)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, f"acme01\nPO-LEAVE-1\n\n{part}\n5\n")
        await settle(pilot, screen, 0.5)
        await pilot.press("up", "tab")
        await settle(pilot, screen)
        order_id = screen.draft.id
        assert order_id is not None
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            burst(app, "9\n")
            await wait_for(pilot, lambda: "NOT SAVED" in _status(screen))
            await pilot.press("f3")
            await wait_for(pilot, lambda: "not saved yet" in _message(screen))
            assert app.screen is screen, "the first F3 stays: line 1 quantity is not saved"
            assert "line 1 quantity" in _message(screen) and "F3 again" in _message(screen)
            await pilot.press("f3")
            await wait_for(pilot, lambda: app.screen is not screen)
            assert _lines(store, order_id) == [(part, Decimal(5))]
        finally:
            other.execute("ROLLBACK")
            other.close()
        for _ in range(200):  # the retry lands with the screen gone
            if _lines(store, order_id) == [(part, Decimal(9))]:
                break
            await pilot.pause(0.1)
        assert _lines(store, order_id) == [(part, Decimal(9))]
    store.dispose()
