"""Live across terminals: a change made by another process shows within 2 s, on SQLite
(PRAGMA data_version) and PostgreSQL (LISTEN/NOTIFY); the delay is measured and printed."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import Static

from orderdesk_tui.models import Customer, Hold, SalesOrder
from orderdesk_tui.models.base import HoldKind, OrderState
from orderdesk_tui.services import live
from orderdesk_tui.store import Store
from screens.queue import QueueScreen
from tests.other_terminal import OtherTerminal
from tests.ui import make_app

WRITER = Path(__file__).resolve().parent / "queue_live_writer.py"
LIMIT_S = 2.0


def held_orders(store: Store, count: int) -> list[str]:
    with store.session() as session:
        customer = Customer(code="ACME01", name="Acme Industrial Supply", service_tier="gold")
        session.add(customer)
        session.flush()
        numbers = []
        for n in range(count):
            order = SalesOrder(
                number=f"SO00000{n:02d}",
                customer_id=customer.id or 0,
                state=OrderState.ON_HOLD,
                total=Decimal("1500.00"),
                entered_at=datetime.now(UTC) - timedelta(hours=1),
                acknowledged_at=datetime.now(UTC),
            )
            session.add(order)
            session.flush()
            session.add(
                Hold(order_id=order.id or 0, kind=HoldKind.STOCK, reason="short", raised_by="x")
            )
            numbers.append(order.number)
    return numbers


class Writer(OtherTerminal):
    """The other terminal, in its own process."""

    def __init__(self, url: str) -> None:
        super().__init__(WRITER, url, "bob")

    def take(self, number: str) -> float:
        """Take the item over there; the monotonic time its commit ended."""
        reply = self.ask(number)
        assert not reply.startswith("error"), reply
        return float(reply)


@pytest.fixture
def writer(store: Store) -> Iterator[Writer]:
    other = Writer(store.url)
    yield other
    other.close()


def test_a_watch_sees_another_process_commit(store: Store, writer: Writer) -> None:
    numbers = held_orders(store, 3)
    watch = live.watch(store)
    delays = []
    try:
        assert not watch.wait(0.3)  # nothing happened yet
        for number in numbers:
            committed = writer.take(number)
            assert watch.wait(LIMIT_S)
            delays.append(time.monotonic() - committed)
            while watch.wait(0.3):  # the rest of the same burst
                pass
    finally:
        watch.close()
    kind = "sqlite" if store.is_sqlite else "postgresql"
    print(f"\n{kind}: watch saw the other process's commit after {max(delays) * 1000:.0f} ms")
    assert max(delays) < LIMIT_S


async def test_the_queue_on_screen_shows_another_terminals_take(
    store: Store, writer: Writer
) -> None:
    numbers = held_orders(store, 2)
    app = make_app(store)
    delays = []
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("ctrl+t")
        for _ in range(100):
            if isinstance(app.screen, QueueScreen) and len(app.screen.table.rows) == 2:
                break
            await pilot.pause(0.05)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        await pilot.pause(0.6)  # the watch is listening
        for number in numbers:
            committed = writer.take(number)
            while not any(i.number == number and i.assignee == "bob" for i in screen.table.rows):
                assert time.monotonic() - committed < 5, "the change never showed"
                await pilot.pause(0.02)
            delays.append(time.monotonic() - committed)
        count = str(screen.query_one("#queue-count", Static).render())
        assert "live" in count
    kind = "sqlite" if store.is_sqlite else "postgresql"
    print(f"\n{kind}: another terminal's take on screen after {max(delays) * 1000:.0f} ms")
    assert max(delays) < LIMIT_S
