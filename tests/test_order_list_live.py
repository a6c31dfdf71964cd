"""The order list is live: orders entered elsewhere show when the list is shown again (F2
back) and, while it is open, within 2 s of another terminal's commit (SQLite data_version,
PostgreSQL LISTEN/NOTIFY); the cursor stays on the order it was on."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Static

from orderdesk_tui.models import Customer, SalesOrder
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services.order_queries import OrderFilter, order_position
from orderdesk_tui.store import Store
from screens.order_list import OrderListScreen
from screens.rma_list import RmaListScreen
from tests.other_terminal import OtherTerminal
from tests.ui import make_app, text_of, wait_for

WRITER = Path(__file__).resolve().parent / "order_live_writer.py"
LIMIT_S = 2.0


def add_orders(store: Store, numbers: list[str], code: str = "ACME01") -> None:
    with store.session() as session:
        customer = session.exec(select(Customer).where(Customer.code == code)).first()
        if customer is None:
            customer = Customer(code=code, name="Acme Industrial Supply")
            session.add(customer)
            session.flush()
        for number in numbers:
            session.add(
                SalesOrder(
                    number=number,
                    customer_id=customer.id or 0,
                    state=OrderState.ENTERED,
                    total=Decimal("10.00"),
                    entered_at=datetime.now(UTC),
                )
            )


async def open_list(pilot: Pilot[Any], total: int) -> OrderListScreen:
    screen = pilot.app.screen
    assert isinstance(screen, OrderListScreen)
    await wait_for(pilot, lambda: screen.table.total == total and screen.table.current)
    return screen


def numbers(screen: OrderListScreen, count: int) -> list[str]:
    rows = [screen.table.row_at(i) for i in range(count)]
    return [row.number if row is not None else "?" for row in rows]


def test_position_counts_newer_orders_of_the_filter(sqlite_store: Store) -> None:
    add_orders(sqlite_store, [f"SO{n:04d}" for n in range(5)])
    with sqlite_store.session() as session:
        ids = [i or 0 for i in session.exec(select(SalesOrder.id).order_by(col(SalesOrder.id)))]
    assert order_position(sqlite_store, OrderFilter(), ids[0]) == 4  # oldest: at the bottom
    assert order_position(sqlite_store, OrderFilter(), ids[-1]) == 0
    assert order_position(sqlite_store, OrderFilter(state="draft"), ids[0]) is None


async def test_back_on_the_list_shows_orders_entered_meanwhile(sqlite_store: Store) -> None:
    add_orders(sqlite_store, [f"SO{n:04d}" for n in range(30)])
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_list(pilot, 30)
        await pilot.press("down", "down")
        await wait_for(pilot, lambda: screen.table.current is not None)
        on = screen.table.current
        assert on is not None and on.number == "SO0027"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaListScreen))
        add_orders(sqlite_store, [f"SO{n:04d}" for n in range(30, 34)])  # four more, elsewhere
        await pilot.pause(1.0)  # the list is covered: it does not read meanwhile
        assert screen.table.total == 30
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.screen is screen and screen.table.total == 34)
        assert numbers(screen, 5) == ["SO0033", "SO0032", "SO0031", "SO0030", "SO0029"]
        current = screen.table.current
        assert current is not None and current.number == "SO0027" and screen.table.cursor == 6
        assert "34 orders" in text_of(screen.query_one("#orders-count", Static))


class Writer(OtherTerminal):
    """The other terminal, in its own process."""

    def __init__(self, url: str) -> None:
        super().__init__(WRITER, url, "ACME01")

    def enter(self, number: str) -> float:
        """Write the order over there; the monotonic time its commit ended."""
        return float(self.ask(number))


@pytest.fixture
def writer(store: Store) -> Iterator[Writer]:
    add_orders(store, [f"SO{n:04d}" for n in range(60)])
    other = Writer(store.url)
    yield other
    other.close()


async def test_the_open_list_shows_another_terminals_order_and_keeps_its_cursor(
    store: Store, writer: Writer
) -> None:
    app = make_app(store)
    delays = []
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_list(pilot, 60)
        await pilot.press("down", "down", "down")
        await wait_for(pilot, lambda: screen.table.current is not None)
        await pilot.pause(0.6)  # the watch is listening
        for n, number in enumerate(("SO0900", "SO0901"), start=1):
            committed = writer.enter(number)
            while screen.table.total != 60 + n or screen.table.row_at(0) is None:
                assert time.monotonic() - committed < 5, "the new order never showed"
                await pilot.pause(0.02)
            delays.append(time.monotonic() - committed)
            top = screen.table.row_at(0)
            assert top is not None and top.number == number
            current = screen.table.current
            assert current is not None and current.number == "SO0056"
            assert screen.table.cursor == 3 + n
    kind = "sqlite" if store.is_sqlite else "postgresql"
    print(f"\n{kind}: another terminal's order on the list after {max(delays) * 1000:.0f} ms")
    assert max(delays) < LIMIT_S
