"""A lookup or drafts worker of order entry that finishes after its screen was closed (F9
switches to a fresh screen; under load a worker can outlive it) does nothing: it used to
raise NoMatches for '#matches' and close the desk (bench/keystrokes.py, 2 busy cores)."""

from orderdesk_tui.services import drafts
from orderdesk_tui.store import Store
from screens.order_entry import OrderEntryScreen
from screens.order_list import OrderListScreen
from tests.ui import SIZE, make_app, wait_for


async def test_drafts_shown_after_the_screen_closed_do_nothing(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderEntryScreen))
        closed = app.screen
        assert isinstance(closed, OrderEntryScreen)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderListScreen))
        await pilot.pause(0.2)
        waiting = drafts.open_drafts(demo_store, "alice")
        assert waiting
        closed._show_drafts(waiting)  # what the worker's call_from_thread runs, too late
        await pilot.pause(0.1)
        assert isinstance(app.screen, OrderListScreen)
