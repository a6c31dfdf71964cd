"""Open every screen of the desk headless, started as the README's first command starts it.

    python tests/smoke_screens.py

`orderdesk` (no arguments, no --user: the OS login) on a brand-new default store, which loads
the demo, then every screen in turn: order list, order view (each tab), order entry, the queue
(and another terminal's change showing in it: the live feed), customer lookup and view, the PO
list and a PO, RMA list and new return, help, the command palette; then `orderdesk wallboard`
with every pane. Any exception, or a screen that does not show within STEP_S, exits non-zero
with the traceback.

It uses only what the installed package provides (no pytest, no test helpers), so `.ci/run`
runs it in a clean venv with the plain wheel (`pip install .`, no extras) to find what the
test install cannot see, such as a module of an extra imported at import time. The store and
config live in a temporary directory; ORDERDESK_* variables of the caller are ignored.
"""

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable

#: Seconds a screen has to show (the first start loads the demo before the first screen).
STEP_S = 30.0
SIZE = (160, 48)
STARTED = time.perf_counter()


class ScreenDidNotShow(AssertionError):
    pass


async def until(pilot: Pilot[Any], what: str, condition: Callable[[], object]) -> None:
    deadline = time.monotonic() + STEP_S
    while not condition():
        if time.monotonic() > deadline:
            shown = type(pilot.app.screen).__name__
            raise ScreenDidNotShow(f"{what}: not shown within {STEP_S:.0f} s (on {shown})")
        await pilot.pause(0.05)
    print(f"  ok {what} ({time.perf_counter() - STARTED:.1f} s)", flush=True)


def rows_shown(app: App[Any]) -> bool:
    """The screen's list (`table`: paged or live) or one of its DataTables has rows."""
    table = getattr(app.screen, "table", None)
    if table is not None:
        return bool(len(table.rows) if hasattr(table, "rows") else table.row_count)
    return any(table.row_count for table in app.screen.query(DataTable))


async def drive_desk(app: App[Any], pilot: Pilot[Any]) -> None:
    from orderdesk_tui.services import queue_actions
    from orderdesk_tui.services.users import ensure_user
    from orderdesk_tui.store import Store
    from screens.customer_lookup import CustomerLookupScreen
    from screens.customer_view import CustomerViewScreen
    from screens.help import HelpScreen
    from screens.order_entry import OrderEntryScreen
    from screens.order_list import OrderListScreen
    from screens.order_view import OrderViewScreen
    from screens.purchase_order_view import PurchaseOrderViewScreen
    from screens.purchase_orders import PurchaseOrdersScreen
    from screens.queue import QueueScreen
    from screens.reports import ReportsScreen
    from screens.rma_list import RmaListScreen
    from screens.rma_new import RmaNewScreen

    def on(kind: type) -> Callable[[], bool]:
        return lambda: isinstance(app.screen, kind)

    orders = app.screen
    await until(pilot, "order list", lambda: on(OrderListScreen)() and rows_shown(app))
    assert isinstance(orders, OrderListScreen)
    while orders.table.current is None or orders.table.current.state == "draft":
        await pilot.press("down")  # a draft opens in order entry
    await pilot.press("enter")
    await until(pilot, "order view", lambda: on(OrderViewScreen)() and rows_shown(app))
    for _ in range(5):  # every tab: lines, holds, notes, shipments, history
        await pilot.press("tab")
    await pilot.press("f3")
    await until(pilot, "order list again", on(OrderListScreen))

    await pilot.press("ctrl+n")
    await until(pilot, "order entry", on(OrderEntryScreen))
    await pilot.press("f3")
    await until(pilot, "order list after entry", on(OrderListScreen))

    await pilot.press("ctrl+t")
    await until(pilot, "queue", lambda: on(QueueScreen)() and rows_shown(app))
    queue = app.screen
    assert isinstance(queue, QueueScreen)
    await pilot.pause(0.6)  # the change watch is listening
    item = next(row for row in queue.table.rows if not row.assignee)
    other = Store(app.desk.store.url, create=False)  # type: ignore[attr-defined]
    try:  # another terminal takes the item; the live feed brings it to this screen
        queue_actions.take(other, item, actor=ensure_user(other, "bob"))
    finally:
        other.dispose()
    await until(
        pilot,
        f"queue: another terminal's take of {item.number} (live feed)",
        lambda: any(r.number == item.number and r.assignee == "bob" for r in queue.table.rows),
    )

    await pilot.press("ctrl+l")
    await until(pilot, "customer lookup", on(CustomerLookupScreen))
    await pilot.press(*"acme01")
    await until(pilot, "customer lookup matches", lambda: rows_shown(app))
    await pilot.press("down", "enter")
    await until(pilot, "customer view", lambda: on(CustomerViewScreen)() and rows_shown(app))
    for _ in range(9):  # every tab
        await pilot.press("tab")

    await pilot.press("ctrl+y")
    await until(pilot, "PO list", lambda: on(PurchaseOrdersScreen)() and rows_shown(app))
    await pilot.press("enter")
    await until(
        pilot,
        "PO view",
        lambda: on(PurchaseOrderViewScreen)() and getattr(app.screen, "detail", None) is not None,
    )

    await pilot.press("ctrl+r")
    await until(pilot, "RMA list", lambda: on(RmaListScreen)() and rows_shown(app))
    await pilot.press("f6")
    await until(pilot, "new return", on(RmaNewScreen))

    await pilot.press("ctrl+f")
    await until(pilot, "reports", lambda: on(ReportsScreen)() and rows_shown(app))

    await pilot.press("f1")
    await until(pilot, "help", on(HelpScreen))
    await pilot.press("escape")
    await pilot.press("ctrl+p")
    await until(pilot, "command palette", on(CommandPalette))
    await pilot.press(*"queue")
    await pilot.press("escape")
    await until(pilot, "palette closed", lambda: not on(CommandPalette)())


async def drive_wallboard(app: App[Any], pilot: Pilot[Any]) -> None:
    await until(pilot, "wallboard", lambda: getattr(app, "figures", None) is not None)
    await pilot.pause(2.0)  # --rotate 0.4: every pane shows
    if getattr(app, "stale_since", None) is not None:
        raise ScreenDidNotShow(f"wallboard went stale: {getattr(app, 'problem', '')}")
    print("  ok wallboard panes", flush=True)


def run_headless(app_class: type[App[Any]], drive: Callable[..., Awaitable[None]]) -> None:
    """Make `app_class.run()` (what the CLI calls) run headless under `drive`."""

    def run(self: App[Any], *args: object, **kwargs: object) -> None:
        async def main() -> None:
            async with self.run_test(size=SIZE) as pilot:
                await drive(self, pilot)

        asyncio.run(main())

    app_class.run = run  # type: ignore[assignment,method-assign]


def main() -> int:
    for name in [name for name in os.environ if name.startswith("ORDERDESK_")]:
        del os.environ[name]
    with tempfile.TemporaryDirectory(prefix="orderdesk-smoke-") as tmp:
        os.environ["ORDERDESK_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["ORDERDESK_CONFIG_DIR"] = str(Path(tmp) / "config")
        import orderdesk_tui
        from orderdesk_tui import cli
        from orderdesk_tui.app import OrderDeskApp
        from screens.wallboard import WallboardApp

        print(f"smoke: orderdesk_tui from {Path(orderdesk_tui.__file__).parent}", flush=True)
        run_headless(OrderDeskApp, drive_desk)
        if cli.main([]) != 0:
            return 1
        run_headless(WallboardApp, drive_wallboard)
        if cli.main(["wallboard", "--rotate", "0.4"]) != 0:
            return 1
        print(f"smoke: every screen opened in {time.perf_counter() - STARTED:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
