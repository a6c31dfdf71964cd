"""The order view's rush and cancel-remaining keys, pressed as a coordinator would: F5 rushes
the order (the status line says what it took), Shift+F5 the line under the cursor,
Shift+F10 cancels what remains; the screen and the store are checked."""

from pathlib import Path

from sqlmodel import select
from textual.widgets import Digits, Label, Static, TabbedContent

from orderdesk_tui.config import Settings
from orderdesk_tui.models import Note
from orderdesk_tui.models.base import OrderState, Priority
from orderdesk_tui.services import rush
from orderdesk_tui.store import Store
from screens.dialogs import PickDialog, ReasonDialog, SupervisorDialog
from screens.wallboard import WallboardApp
from tests.rush_world import COORDINATOR, add_order, build_world, lines_of, order_of
from tests.test_app import open_order_by_po
from tests.test_queue_screen import open_queue
from tests.ui import SIZE, make_app, text_of, wait_for


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'rush.sqlite3'}")
    store.upgrade()
    return store


def _said(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_f5_rushes_the_order_and_says_what_it_took(tmp_path: Path) -> None:
    store = _store(tmp_path)
    world = build_world(store, on_hand=20)
    giver = add_order(store, world, "SO0000001", [20])
    wanted = add_order(store, world, "SO0000002", [12], allocated=[0])
    app = make_app(store, user="casey")
    async with app.run_test(size=SIZE) as pilot:
        view = await open_order_by_po(pilot, app, "PO-SO0000002")
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("enter")  # no reason: refused, the dialog stays
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"customer line down", "enter")
        await wait_for(
            pilot, lambda: view.detail is not None and view.detail.order.priority == "rush"
        )
        assert "SO0000002: order marked rush; 12 units taken from 1 order" in _said(app)
        assert "RUSH" in text_of(view.query_one("#order-header", Static))
        # F5 again asks to clear it
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"found another way", "enter")
        await wait_for(
            pilot, lambda: view.detail is not None and view.detail.order.priority == "normal"
        )
        assert "SO0000002: order is no longer rush" in _said(app)
    assert lines_of(store, wanted)[0].quantity_allocated == 12
    assert lines_of(store, giver)[0].quantity_allocated == 8
    with store.session() as session:
        note = session.exec(select(Note)).one()
        assert note.order_id == giver and "12 units of P-100 taken" in note.body
    store.dispose()


async def test_shift_f5_rushes_the_line_under_the_cursor(tmp_path: Path) -> None:
    store = _store(tmp_path)
    world = build_world(store, on_hand=10)
    add_order(store, world, "SO0000001", [10])
    wanted = add_order(store, world, "SO0000002", [3, 4], allocated=[0, 0])
    app = make_app(store, user="casey")
    async with app.run_test(size=SIZE) as pilot:
        view = await open_order_by_po(pilot, app, "PO-SO0000002")
        assert view.query_one(TabbedContent).active == "lines"
        view.lines.focus()
        await pilot.press("down")  # line 2
        await wait_for(
            pilot, lambda: view.lines.current is not None and view.lines.current.line_no == 2
        )
        await pilot.press("shift+f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"for the repair crew", "enter")
        await wait_for(pilot, lambda: any("line 2 marked rush" in s for s in _said(app)))
        await wait_for(pilot, lambda: view.detail is not None and view.detail.lines[1].rush)
        assert "RUSH" in view.lines.render_line(1).text
    assert [(ln.rush, ln.quantity_allocated) for ln in lines_of(store, wanted)] == [
        (False, 0),
        (True, 4),
    ]
    assert order_of(store, wanted).priority == Priority.NORMAL
    store.dispose()


async def test_shift_f10_cancels_the_remaining_quantity(tmp_path: Path) -> None:
    store = _store(tmp_path)
    world = build_world(store, on_hand=100)
    order_id = add_order(store, world, "SO0000001", [10, 5], allocated=[10, 0])
    released = add_order(store, world, "SO0000002", [8], state=OrderState.RELEASED)
    app = make_app(store, user="casey")
    async with app.run_test(size=SIZE) as pilot:
        view = await open_order_by_po(pilot, app, "PO-SO0000001")
        view.lines.focus()
        await pilot.press("shift+f10")
        await wait_for(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.press("1")  # the line under the cursor: line 1
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"customer cut the line", "enter")
        await wait_for(
            pilot, lambda: "SO0000001: remaining quantity cancelled (line 1 10)" in _said(app)
        )
        # line 1 has nothing left: Shift+F10 on it goes to the whole order at once
        await pilot.press("shift+f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"rest not needed", "enter")
        await wait_for(
            pilot,
            lambda: view.detail is not None and view.detail.order.state == OrderState.CANCELLED,
        )
    assert [ln.quantity_cancelled for ln in lines_of(store, order_id)] == [10, 5]

    app = make_app(store, user="casey")
    async with app.run_test(size=SIZE) as pilot:  # a released order needs a supervisor
        view = await open_order_by_po(pilot, app, "PO-SO0000002")
        view.query_one(TabbedContent).active = "holds"
        await pilot.press("shift+f10")  # not on the Lines tab: the whole order
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"customer cancelled", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorDialog))
        await pilot.press(*"sam", "enter", *"604913", "enter")
        await wait_for(
            pilot,
            lambda: view.detail is not None and view.detail.order.state == OrderState.CANCELLED,
        )
    assert [ln.quantity_cancelled for ln in lines_of(store, released)] == [8]
    store.dispose()


async def test_a_rushed_order_heads_the_queue_and_shows_on_the_wallboard(tmp_path: Path) -> None:
    store = _store(tmp_path)
    world = build_world(store, on_hand=100)
    add_order(store, world, "SO0000001", [10], state=OrderState.ON_HOLD)
    wanted = add_order(store, world, "SO0000002", [5])
    rush.mark_order(
        store,
        wanted,
        expected_version=order_of(store, wanted).version,
        actor=COORDINATOR,
        reason="plant down",
    )
    app = make_app(store, user="casey")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot, app)
        first = queue.table.rows[0]
        assert first.number == "SO0000002" and first.reason_text == "RUSH"
        assert first.sla is not None and first.sla.kind == "rush"
        assert "RUSH" in queue.table.render_line(0).text
    board = WallboardApp(store, Settings(), poll_s=0.3)
    async with board.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: board.figures is not None)
        assert board.query_one("#kpi-rush", Digits).value == "1"
        assert str(board.query_one("#kpi-rush-oldest", Label).render()).startswith("oldest ")
        assert board.query_one(".kpi-rush").has_class("-rush")
    store.dispose()
