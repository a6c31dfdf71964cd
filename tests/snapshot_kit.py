"""What the snapshot tests share: the looks every screen is shot in, the desk they run, and the
shot itself (pytest-textual-snapshot; see README, "Snapshot tests").

The setup is fixed so that a snapshot changes only when a screen does: the demo store (as of
2026-11-27), the clock frozen (conftest's `frozen_clock`), the time zone UTC, the store's path
shown as a fixed name, no cursor blink, and each shot taken once the screen's data is shown.
Regenerate with `pytest -n 0 tests/test_snapshots*.py --snapshot-update`, then look at them.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from orderdesk_tui.models import Customer, Hold, Item, SalesOrder, SalesOrderLine
from orderdesk_tui.store import Store
from screens.order_list import OrderListScreen
from screens.widgets.status_bar import StatusBar
from tests.ui import make_app, wait_for

SnapCompare = Callable[..., bool]
Steps = Callable[[Pilot[Any]], Awaitable[None]]


@dataclass(frozen=True)
class Look:
    """A terminal size and a theme to shoot a screen in."""

    size: tuple[int, int]
    theme: str


#: The smallest terminal every screen is made for (README) and a big one, each in a dark and a
#: light theme: every screen and every dialog is shot in all four.
LOOKS = [
    pytest.param(Look(size, theme), id=f"{size[0]}x{size[1]}-{theme.removeprefix('textual-')}")
    for size in ((120, 36), (200, 50))
    for theme in ("textual-dark", "textual-light")
]


def desk(store: Store, look: Look) -> App[Any]:
    app = make_app(store)
    app.status.store = "desk.sqlite3"  # not the test's temporary path
    app.theme = look.theme
    return app


def shoot(snap_compare: SnapCompare, app: App[Any], look: Look, steps: Steps) -> bool:
    """Run `steps`, stop every cursor blinking, and compare the screen with its snapshot."""
    app.theme = look.theme

    async def run_before(pilot: Pilot[Any]) -> None:
        await steps(pilot)
        status = getattr(pilot.app, "status", None)  # the desk's bar; the wallboard has none
        if status is not None:  # the outbox is counted in a worker: "outbox …" until then
            await wait_for(pilot, lambda: status.outbox is not None)
            for screen in pilot.app.screen_stack:
                for bar in screen.query(StatusBar):
                    bar.tick()  # now, not on its next one-second tick
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause(0.1)

    return snap_compare(app, terminal_size=look.size, run_before=run_before)


async def open_order_list(pilot: Pilot[Any]) -> OrderListScreen:
    """The desk's first screen, once its rows are shown."""
    screen = pilot.app.screen
    assert isinstance(screen, OrderListScreen)
    await wait_for(pilot, lambda: screen.table.current is not None)
    return screen


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


def held_order(store: Store, kind: str) -> int:
    """The first order with an open hold of `kind`."""
    with store.session() as session:
        found = session.exec(
            select(Hold.order_id)
            .where(Hold.kind == kind, col(Hold.released_at).is_(None))
            .order_by(col(Hold.order_id))
        ).first()
        assert found is not None, f"the demo has no open {kind} hold"
        return found


def customer_id(store: Store, code: str) -> int:
    with store.session() as session:
        found = session.exec(select(Customer.id).where(Customer.code == code)).one()
        assert found is not None
        return found


def order_number(store: Store, order_id: int) -> str:
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        return order.number
