"""What every screen looks like, as SVG snapshots at the smallest supported terminal (120x36)
and at 200x50, in a dark and a light theme (tests/snapshot_kit.py: the looks, the frozen setup,
how to regenerate). The dialogs are in tests/test_snapshots_dialogs.py.
"""

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.config import Settings
from orderdesk_tui.store import Store
from screens.customer_lookup import CustomerLookupScreen
from screens.customer_view import CustomerViewScreen
from screens.dialogs import QuestionDialog
from screens.entry_keys import PAUSE_S
from screens.help import HelpScreen
from screens.order_entry import OrderEntryScreen
from screens.order_view import OrderViewScreen
from screens.queue import QueueScreen
from screens.rma import RmaScreen
from screens.rma_list import RmaListScreen
from screens.rma_new import RmaNewScreen
from screens.wallboard import WallboardApp
from tests.snapshot_kit import (
    LOOKS,
    Look,
    SnapCompare,
    busiest_hazmat_order,
    customer_id,
    desk,
    open_order_list,
    order_number,
    shoot,
)
from tests.ui import burst, wait_for

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.mark.parametrize("look", LOOKS)
def test_order_list(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    assert shoot(snap_compare, desk(demo_store, look), look, open_order_list)


@pytest.mark.parametrize("look", LOOKS)
def test_order_entry_with_a_discontinued_part_and_a_long_quantity(
    snap_compare: SnapCompare, demo_store: Store, look: Look
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

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_order_view_lines(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    order_id = busiest_hazmat_order(demo_store)

    async def steps(pilot: Pilot[Any]) -> None:
        app = pilot.app
        app.push_screen(OrderViewScreen(app.desk, app.status, order_id))  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None)
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_queue(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+t")
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, QueueScreen) and pilot.app.screen.view is not None,
        )

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_customer_view(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    summit = customer_id(demo_store, "SUMM01")

    async def steps(pilot: Pilot[Any]) -> None:
        app = pilot.app
        app.push_screen(CustomerViewScreen(app.desk, app.status, summit))  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: getattr(app.screen, "view", None) is not None)
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_rma_list(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+r")
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, RmaListScreen)
                and pilot.app.screen.table.current is not None
            ),
        )

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_wallboard(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    app = WallboardApp(demo_store, Settings(), poll_s=3600, rotate_s=3600, ticker_s=3600)

    async def steps(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: app.figures is not None)

    assert shoot(snap_compare, app, look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_customer_lookup(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    """Hits for an order number as typed, and that order's tracking under them."""
    number = order_number(demo_store, busiest_hazmat_order(demo_store))

    async def steps(pilot: Pilot[Any]) -> None:
        await open_order_list(pilot)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CustomerLookupScreen))
        screen = pilot.app.screen
        assert isinstance(screen, CustomerLookupScreen)
        burst(pilot.app, number)
        await wait_for(pilot, lambda: bool(screen.hits) and screen.tracked is not None)
        await pilot.pause(0.2)
        # Textual 8.2.8's DataTable can keep its header drawn at the widths of the empty table
        # when rows arrive while it is busy (the rows are right): a coordinator sees it put
        # right on the next repaint, the snapshot must not depend on when that comes.
        for table in screen.query(DataTable):
            table.refresh()
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_rma_detail(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    """The first RMA in the list, opened with Enter."""

    async def steps(pilot: Pilot[Any]) -> None:
        await open_order_list(pilot)
        await pilot.press("ctrl+r")
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, RmaListScreen)
                and pilot.app.screen.table.current is not None
            ),
        )
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, RmaScreen) and pilot.app.screen.detail is not None,
        )
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_rma_new_for_a_customer(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    """A new return: the customer's returnable lines found by code, the form under them."""

    async def steps(pilot: Pilot[Any]) -> None:
        await open_order_list(pilot)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RmaListScreen))
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RmaNewScreen))
        screen = pilot.app.screen
        assert isinstance(screen, RmaNewScreen)
        burst(pilot.app, "SUMM01\n")
        await wait_for(pilot, lambda: bool(screen.lines))
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_help_over_the_order_list(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    """F1: the keys in force on the screen under it, with their binding ids."""

    async def steps(pilot: Pilot[Any]) -> None:
        await open_order_list(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)
