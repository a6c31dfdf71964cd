"""What the main screens look like, as SVG snapshots at the smallest supported terminal
(120x36) and at 160x48 (pytest-textual-snapshot; see README, "Snapshot tests").

The setup is fixed so that a snapshot changes only when a screen does: the demo store (as of
2026-11-27), the clock frozen at 2026-11-27 17:30 UTC, the time zone UTC, the store's path
shown as a fixed name, no cursor blink, and each shot taken once the screen's data is shown.
Regenerate with `pytest -n 0 tests/test_snapshots.py --snapshot-update`, then look at them.
"""

import os
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import func
from sqlmodel import col, select
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.config import Settings
from orderdesk_tui.models import Customer, Item, SalesOrder, SalesOrderLine
from orderdesk_tui.store import Store
from screens.customer_view import CustomerViewScreen
from screens.dialogs import QuestionDialog
from screens.entry_keys import PAUSE_S
from screens.order_entry import OrderEntryScreen
from screens.order_list import OrderListScreen
from screens.order_view import OrderViewScreen
from screens.queue import QueueScreen
from screens.rma_list import RmaListScreen
from screens.wallboard import WallboardApp
from screens.widgets.status_bar import StatusBar
from tests.ui import burst, make_app, wait_for

#: The smallest terminal every screen is made for (README), and a common wide one.
SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((160, 48), id="160x48")]
NOW = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)

SnapCompare = Callable[..., bool]
Steps = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    """Every clock the desk reads says NOW, in UTC (monotonic time, which Textual's timers
    use, runs on)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    with time_machine.travel(NOW, tick=False):
        yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def desk(store: Store) -> App[Any]:
    app = make_app(store)
    app.status.store = "desk.sqlite3"  # not the test's temporary path
    return app


def shoot(snap_compare: SnapCompare, app: App[Any], size: tuple[int, int], steps: Steps) -> bool:
    """Run `steps`, stop every cursor blinking, and compare the screen with its snapshot."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await steps(pilot)
        status = getattr(pilot.app, "status", None)  # the desk's bar; the wallboard has none
        if status is not None:  # the outbox is counted in a worker: "outbox …" until then
            await wait_for(pilot, lambda: status.outbox is not None)
            for bar in pilot.app.screen.query(StatusBar):
                bar.tick()  # now, not on its next one-second tick
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause(0.1)

    return snap_compare(app, terminal_size=size, run_before=run_before)


def busiest_hazmat_order(store: Store) -> int:
    """The order with the most lines among those with a hazmat line."""
    with store.session() as session:
        hazmat = (
            select(SalesOrderLine.order_id)
            .join(Item, col(Item.id) == col(SalesOrderLine.item_id))
            .where(Item.hazmat_un_number != "")
        )
        found = session.exec(
            select(SalesOrder.id)
            .join(SalesOrderLine, col(SalesOrderLine.order_id) == col(SalesOrder.id))
            .where(col(SalesOrder.id).in_(hazmat), SalesOrder.state != "draft")
            .group_by(col(SalesOrder.id))
            .order_by(func.count().desc(), col(SalesOrder.id))
        ).first()
        assert found is not None
        return found


def customer_id(store: Store, code: str) -> int:
    with store.session() as session:
        found = session.exec(select(Customer.id).where(Customer.code == code)).one()
        assert found is not None
        return found


@pytest.mark.parametrize("size", SIZES)
def test_order_list(snap_compare: SnapCompare, demo_store: Store, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, OrderListScreen)
        await wait_for(pilot, lambda: screen.table.current is not None)

    assert shoot(snap_compare, desk(demo_store), size, steps)


@pytest.mark.parametrize("size", SIZES)
def test_order_entry_with_a_discontinued_part_and_a_long_quantity(
    snap_compare: SnapCompare, demo_store: Store, size: tuple[int, int]
) -> None:
    """The replacement of a discontinued part (F6) is never cut; a quantity longer than the
    column shows its end, marked, never silently cut."""

    async def steps(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, OrderDeskApp)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderEntryScreen))
        screen = app.screen
        assert isinstance(screen, OrderEntryScreen)
        burst(app, "acme01PO-SNAP-1\n\nBAT-NICD-18V-2AH\n")
        await wait_for(pilot, lambda: isinstance(app.screen, QuestionDialog))
        await pilot.pause(PAUSE_S + 0.1)
        await pilot.press("escape")  # keep the discontinued part: its replacement shows on F6
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.pause(PAUSE_S + 0.1)
        burst(app, "4\nBAT-LI-18V-5AH\n999999999\n")
        burst(app, "B54\n12345678901234567890")
        await wait_for(pilot, lambda: len(screen.lines) >= 3)
        await pilot.pause(0.5)
        screen.writer.flush()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store), size, steps)


@pytest.mark.parametrize("size", SIZES)
def test_order_view_lines(
    snap_compare: SnapCompare, demo_store: Store, size: tuple[int, int]
) -> None:
    order_id = busiest_hazmat_order(demo_store)

    async def steps(pilot: Pilot[Any]) -> None:
        app = pilot.app
        app.push_screen(OrderViewScreen(app.desk, app.status, order_id))  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None)
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store), size, steps)


@pytest.mark.parametrize("size", SIZES)
def test_queue(snap_compare: SnapCompare, demo_store: Store, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+t")
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, QueueScreen) and pilot.app.screen.view is not None,
        )

    assert shoot(snap_compare, desk(demo_store), size, steps)


@pytest.mark.parametrize("size", SIZES)
def test_customer_view(snap_compare: SnapCompare, demo_store: Store, size: tuple[int, int]) -> None:
    summit = customer_id(demo_store, "SUMM01")

    async def steps(pilot: Pilot[Any]) -> None:
        app = pilot.app
        app.push_screen(CustomerViewScreen(app.desk, app.status, summit))  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: getattr(app.screen, "view", None) is not None)
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store), size, steps)


@pytest.mark.parametrize("size", SIZES)
def test_rma_list(snap_compare: SnapCompare, demo_store: Store, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+r")
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, RmaListScreen)
                and pilot.app.screen.table.current is not None
            ),
        )

    assert shoot(snap_compare, desk(demo_store), size, steps)


@pytest.mark.parametrize("size", SIZES)
def test_wallboard(snap_compare: SnapCompare, demo_store: Store, size: tuple[int, int]) -> None:
    app = WallboardApp(demo_store, Settings(), poll_s=3600, rotate_s=3600, ticker_s=3600)

    async def steps(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: app.figures is not None)

    assert shoot(snap_compare, app, size, steps)
