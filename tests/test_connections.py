"""A terminal's PostgreSQL connections (issue 16): no backend is left `idle in transaction`
after a submit or a refused one, nor by any main screen once it has shown what it read (row
locks and snapshots held by an idle terminal would stall every other one), and the pool
survives its connections being cut, as a PostgreSQL restart cuts them (pool_pre_ping replaces
a dead connection before a service gets it; tests/test_pg_restart.py restarts a server)."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url
from textual.pilot import Pilot

from orderdesk_tui.config import Settings
from orderdesk_tui.seed.demo import load_demo
from orderdesk_tui.services.submit import SubmitRefused, submit_order
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store
from screens.customer_lookup import CustomerLookupScreen
from screens.order_list import OrderListScreen
from screens.order_view import OrderViewScreen
from screens.queue import QueueScreen
from screens.rma_list import RmaListScreen
from screens.wallboard import WallboardApp
from tests.conftest import PG_SERVER
from tests.test_order_entry import open_entry, parts_in_stock, settle
from tests.test_submit_statements import ACTOR, _draft, _orderable
from tests.ui import SIZE, burst, make_app, wait_for


@pytest.fixture
def pg_store(pg_store_url: str) -> Iterator[Store]:
    store = Store(pg_store_url)
    yield store
    store.dispose()


def _backends(store: Store) -> list[str]:
    """The state of every backend on the store's database but the one asking."""
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT state FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (make_url(store.url).database,),
        ).fetchall()
    return [row[0] for row in rows]


def test_no_backend_is_left_idle_in_transaction_after_submits(pg_store: Store) -> None:
    load_demo(pg_store, today=date(2026, 11, 27))
    customer, items = _orderable(pg_store)
    entered = _draft(pg_store, customer, items[:3], "CONN-1")
    twin = _draft(pg_store, customer, items[3:6], "CONN-1")
    assert submit_order(pg_store, entered, actor=ACTOR, settings=Settings()).state
    with pytest.raises(SubmitRefused, match="already on order"):
        submit_order(pg_store, twin, actor=ACTOR, settings=Settings())
    states = _backends(pg_store)
    assert states, "the pool keeps its connections open"
    assert set(states) == {"idle"}, states


def test_the_pool_survives_its_connections_being_cut(pg_store: Store) -> None:
    ensure_user(pg_store, "alice")
    assert _backends(pg_store) == ["idle"]
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        cut = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (make_url(pg_store.url).database,),
        ).fetchone()
    assert cut == (1,)
    assert ensure_user(pg_store, "bob").name == "bob"  # on a fresh connection, no error


async def _states_once_quiet(pilot: Pilot[Any], store: Store) -> list[str]:
    """The backends' states once the screen has read what it shows: a transaction under way
    may be seen for a moment, one left open stays (the live views' LISTEN workers never end,
    so this waits on the states, not on the workers)."""
    await pilot.pause(0.5)
    for _ in range(60):
        states = _backends(store)
        if "idle in transaction" not in states:
            return states
        await pilot.pause(0.05)
    return states


async def test_no_main_screen_leaves_a_backend_idle_in_transaction(pg_store: Store) -> None:
    load_demo(pg_store, today=date(2026, 11, 27))
    items = parts_in_stock(pg_store, 1)
    seen: dict[str, list[str]] = {}
    app = make_app(pg_store)
    async with app.run_test(size=SIZE) as pilot:
        orders = app.screen
        assert isinstance(orders, OrderListScreen)
        await wait_for(pilot, lambda: orders.table.current is not None)
        seen["order list"] = await _states_once_quiet(pilot, pg_store)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen))
        seen["order view"] = await _states_once_quiet(pilot, pg_store)
        for key, kind in (
            ("ctrl+t", QueueScreen),
            ("ctrl+r", RmaListScreen),
            ("ctrl+l", CustomerLookupScreen),
        ):
            await pilot.press(key)
            await wait_for(pilot, lambda k=kind: isinstance(app.screen, k))  # type: ignore[misc]
            seen[kind.__name__] = await _states_once_quiet(pilot, pg_store)
        await pilot.press("f2")
        entry = await open_entry(pilot, app)
        burst(app, f"acme01\nPO-IDLE\n\n{items[0].part_number}\n2\n")
        await settle(pilot, entry, 0.5)
        seen["order entry"] = await _states_once_quiet(pilot, pg_store)
    board = WallboardApp(pg_store, Settings(), poll_s=0.3, rotate_s=60)
    async with board.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: board.figures is not None)
        seen["wallboard"] = await _states_once_quiet(pilot, pg_store)
    left = {screen: states for screen, states in seen.items() if "idle in transaction" in states}
    assert not left, left
    assert all(seen.values()), seen  # each screen did hold connections, all idle between reads
