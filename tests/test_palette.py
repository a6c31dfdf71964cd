"""The command palette's jumps: an order or RMA number, or a customer, typed in Ctrl+P and
opened with Enter; and the store reads behind them, which stay on indexes."""

from typing import Any

import pytest
from sqlmodel import select
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.models import RMA, Customer, PurchaseOrder, SalesOrder
from orderdesk_tui.services.number_search import (
    orders_by_number,
    purchases_by_number,
    rmas_by_number,
)
from orderdesk_tui.store import Store
from screens.customer_view import CustomerViewScreen
from screens.order_view import OrderViewScreen
from screens.purchase_order_view import PurchaseOrderViewScreen
from screens.rma import RmaScreen
from tests.sql_statements import recorded_statements
from tests.ui import SIZE, keys_of, make_app, wait_for


async def _palette(pilot: Pilot[Any], app: OrderDeskApp, typed: str) -> CommandList:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*(key for key, _ in keys_of(typed)))
    return app.screen.query_one(CommandList)


def _first(commands: CommandList) -> str:
    """The text of the highlighted (top) hit, "" while there is none."""
    if not commands.option_count or commands.highlighted != 0:
        return ""
    option = commands.get_option_at_index(0)
    hit = getattr(option, "hit", None)
    return hit.text or "" if hit is not None else ""


async def test_an_order_number_opens_the_order(demo_store: Store) -> None:
    with demo_store.session() as session:
        order = session.exec(select(SalesOrder).where(SalesOrder.number == "SO0000123")).one()
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        commands = await _palette(pilot, app, order.number)
        await wait_for(pilot, lambda: _first(commands) == f"Order {order.number}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen) and app.screen.detail)
        assert isinstance(app.screen, OrderViewScreen)
        assert app.screen.detail.order.id == order.id

        # the digits alone are the same order
        commands = await _palette(pilot, app, "123")
        await wait_for(pilot, lambda: _first(commands) == f"Order {order.number}")


async def test_a_customer_name_opens_the_customer(demo_store: Store) -> None:
    with demo_store.session() as session:
        customer = session.exec(select(Customer).where(Customer.code == "NSTR01")).one()
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        commands = await _palette(pilot, app, "Northstar Automotive")
        await wait_for(pilot, lambda: _first(commands).startswith("Customer NSTR01"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerViewScreen))
        assert isinstance(app.screen, CustomerViewScreen)
        assert app.screen.customer_id == customer.id


async def test_an_rma_number_opens_the_rma(demo_store: Store) -> None:
    with demo_store.session() as session:
        rma = session.exec(select(RMA).where(RMA.number == "RMA000003")).one()
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        commands = await _palette(pilot, app, "rma000003")
        await wait_for(pilot, lambda: _first(commands) == "RMA RMA000003")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaScreen) and app.screen.detail)
        assert isinstance(app.screen, RmaScreen)
        assert app.screen.detail.rma.id == rma.id


async def test_a_po_number_opens_the_purchase_order(demo_store: Store) -> None:
    with demo_store.session() as session:
        po = session.exec(select(PurchaseOrder).where(PurchaseOrder.number == "PO000004")).one()
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        commands = await _palette(pilot, app, "po000004")
        await wait_for(pilot, lambda: _first(commands) == "PO PO000004")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PurchaseOrderViewScreen) and app.screen.detail
        )
        assert isinstance(app.screen, PurchaseOrderViewScreen)
        assert app.screen.detail is not None and app.screen.detail.id == po.id


async def test_a_number_nothing_has_says_so(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        commands = await _palette(pilot, app, "SO9999999")
        await wait_for(
            pilot,
            lambda: (
                commands.option_count == 1
                and commands.get_option_at_index(0).id == CommandPalette._NO_MATCHES
            ),
        )
        assert "No matches found" in str(commands.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))


@pytest.mark.parametrize(
    ("search", "typed", "table"),
    [
        (orders_by_number, "SO00001", "sales_orders"),
        (rmas_by_number, "12", "rmas"),
        (purchases_by_number, "PO00001", "purchase_orders"),
    ],
)
def test_number_searches_read_the_number_index(
    demo_store: Store, search: Any, typed: str, table: str
) -> None:
    """A range or an equality on the unique number index, never a scan of the table: as fast
    on a million orders as on the demo's."""
    with recorded_statements(demo_store, "SELECT") as statements:
        search(demo_store, typed)
    queries = [s for s in statements if f"FROM {table}" in s]
    assert queries
    with demo_store.engine.connect() as conn:
        for query in queries:
            params = tuple("X" for _ in range(query.count("?")))
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + query, params)
            plan = " ".join(str(row[-1]) for row in rows)
            assert f"SCAN {table}" not in plan, plan
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
