"""The app as a coordinator uses it: Pilot presses keys, the screen and the store are checked."""

import json
from datetime import date
from pathlib import Path

from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.config import Settings
from orderdesk_tui.models import AuditEvent, Hold, Note, SalesOrder
from orderdesk_tui.models.base import HoldKind, OrderState
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store
from screens.dialogs import NoteDialog, ReasonDialog, SupervisorDialog
from screens.order_list import OrderListScreen
from screens.order_view import OrderViewScreen
from tests.ui import SIZE, make_app, text_of, wait_for


def order_with(store: Store, **where: object) -> SalesOrder:
    with store.session() as session:
        stmt = select(SalesOrder).where(SalesOrder.customer_po != "")
        for key, value in where.items():
            stmt = stmt.where(getattr(SalesOrder, key) == value)
        order = session.exec(stmt.order_by(SalesOrder.id)).first()
        assert order is not None, f"demo data has no order with {where}"
        return order


async def open_order_by_po(pilot, app: OrderDeskApp, po: str) -> OrderViewScreen:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, OrderListScreen)
    await pilot.press("slash")
    assert isinstance(app.focused, Input)
    await pilot.press(*po)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.table.total >= 1 and screen.filter.text == po)
    await wait_for(pilot, lambda: screen.table.current is not None)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen) and app.screen.detail)
    view = app.screen
    assert isinstance(view, OrderViewScreen)
    return view


async def test_find_by_po_open_and_note_from_palette(demo_store: Store) -> None:
    target = order_with(demo_store, state=OrderState.ACKNOWLEDGED)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        list_screen = app.screen
        assert isinstance(list_screen, OrderListScreen)
        await wait_for(pilot, lambda: list_screen.table.total > 300)
        view = await open_order_by_po(pilot, app, target.customer_po)
        header = text_of(view.query_one("#order-header", Static))
        assert target.number in header and target.customer_po in header
        assert view.lines.row_count > 0

        await pilot.press("ctrl+p")
        await pilot.press(*"Note")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"Customer called: needs it by Friday")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen))
        await wait_for(pilot, lambda: view.query_one("#notes-table", DataTable).row_count > 0)

    with demo_store.session() as session:
        notes = session.exec(select(Note).where(Note.order_id == target.id)).all()
        assert [n.body for n in notes][-1] == "Customer called: needs it by Friday"
        assert notes[-1].author == "alice" and notes[-1].channel == "phone"
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.order_id == target.id, AuditEvent.action == "note.added"
            )
        ).all()
        assert events and events[-1].actor == "alice"


def credit_held_order(store: Store) -> tuple[SalesOrder, Hold]:
    with store.session() as session:
        row = session.exec(
            select(SalesOrder, Hold)
            .join(Hold, Hold.order_id == SalesOrder.id)
            .where(
                Hold.kind == HoldKind.CREDIT,
                Hold.released_at == None,  # noqa: E711
                SalesOrder.customer_po != "",
            )
        ).first()
        assert row is not None, "demo data has no order on an open credit hold"
        return row


async def test_a_user_object_claiming_supervisor_is_refused_by_the_service(
    demo_store: Store,
) -> None:
    """The app built in code with a User that says "supervisor" (alice is a coordinator in the
    store): the screen asks for no override, and the service, reading the users table, refuses."""
    order, hold = credit_held_order(demo_store)
    posing = ensure_user(demo_store, "alice").model_copy(update={"role": "supervisor"})
    app = OrderDeskApp(store=demo_store, settings=Settings(), user=posing)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_order_by_po(pilot, app, order.customer_po)
        view.query_one("#order-tabs").active = "holds"
        table = view.query_one("#holds-table", DataTable)
        table.focus()
        table.move_cursor(row=[row.value for row in table.rows].index(str(hold.id)))
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"paid by wire today", "enter")
        await wait_for(
            pilot,
            lambda: any(
                "needs a supervisor override" in str(n.message) for n in app._notifications
            ),
        )
        assert isinstance(app.screen, OrderViewScreen)
    with demo_store.session() as session:
        kept = session.get(Hold, hold.id)
        assert kept is not None and kept.released_at is None
        assert not session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "hold.released", AuditEvent.entity_id == hold.id
            )
        ).first()


async def test_credit_hold_release_needs_supervisor_pin(demo_store: Store) -> None:
    order, hold = credit_held_order(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_order_by_po(pilot, app, order.customer_po)
        assert "HOLD" in text_of(view.query_one("#order-header", Static))
        await pilot.press("f2")  # back to the list and in again keeps working
        await wait_for(pilot, lambda: isinstance(app.screen, OrderListScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen) and app.screen.detail)
        view = app.screen
        assert isinstance(view, OrderViewScreen)
        view.query_one("#order-tabs").active = "holds"
        table = view.query_one("#holds-table", DataTable)
        table.focus()
        keys = [row.value for row in table.rows]
        table.move_cursor(row=keys.index(str(hold.id)))
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("enter")  # no reason: refused, dialog stays
        assert isinstance(app.screen, ReasonDialog)
        assert "reason is required" in text_of(app.screen.query_one(".dialog-error", Static))
        await pilot.press(*"paid by wire today")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorDialog))
        await pilot.press(*"sam", "enter", *"1111", "enter")
        await wait_for(
            pilot, lambda: "wrong PIN" in text_of(app.screen.query_one(".dialog-error", Static))
        )
        assert isinstance(app.screen, SupervisorDialog)
        assert app.screen.query_one("#supervisor", Input).value == "sam"  # kept
        await pilot.press(*"246810", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen))
        await wait_for(pilot, lambda: not any(h.id == hold.id for h in view.detail.active_holds))

    with demo_store.session() as session:
        released = session.get(Hold, hold.id)
        assert released is not None and released.released_at is not None
        assert released.released_by == "alice"
        assert released.release_reason == "paid by wire today"
        event = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "holds",
                AuditEvent.entity_id == hold.id,
                AuditEvent.action == "hold.released",
            )
        ).one()
        assert event.approved_by == "sam"
        assert json.loads(event.changes)["released_by"] == ["", "alice"]
        refused = session.exec(
            select(AuditEvent).where(AuditEvent.action == "override.refused")
        ).all()
        assert len(refused) == 1


async def test_cancel_released_order_with_supervisor(demo_store: Store) -> None:
    order = order_with(demo_store, state=OrderState.RELEASED)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_order_by_po(pilot, app, order.customer_po)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"customer cancelled by phone", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen))
    with demo_store.session() as session:
        unchanged = session.get(SalesOrder, order.id)
        assert unchanged is not None and unchanged.state == OrderState.RELEASED

    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_order_by_po(pilot, app, order.customer_po)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"customer cancelled by phone", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorDialog))
        await pilot.press(*"sam", "enter", *"246810", "enter")
        await wait_for(pilot, lambda: view.detail.order.state == OrderState.CANCELLED)
        assert "cancelled: customer cancelled by phone" in text_of(
            view.query_one("#order-header", Static)
        )
    with demo_store.session() as session:
        cancelled = session.get(SalesOrder, order.id)
        assert cancelled is not None and cancelled.state == OrderState.CANCELLED


async def test_state_filter_and_status_bar(demo_store: Store) -> None:
    app = make_app(demo_store, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, OrderListScreen)
        await wait_for(pilot, lambda: screen.table.total > 0)
        everything = screen.table.total
        await pilot.press("f7")  # first state: draft
        await wait_for(pilot, lambda: screen.table.total != everything)
        assert screen.filter.state == "draft"
        assert "state: draft" in text_of(screen.query_one("#state-label", Static))
        with demo_store.session() as session:
            drafts = session.exec(select(SalesOrder).where(SalesOrder.state == "draft")).all()
        assert screen.table.total == len(drafts)
        await pilot.press("f8")
        await wait_for(pilot, lambda: screen.table.total == everything)
        user = text_of(screen.query_one("#status-user", Static))
        assert user == "sam (supervisor)"
        assert "sqlite" in text_of(screen.query_one("#status-store", Static))
        assert "ERP not configured" in text_of(screen.query_one("#status-erp", Static))
        await wait_for(pilot, lambda: app.status.outbox is not None)


async def test_user_keymap_override_and_conflict_report(demo_store: Store, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "bindings.toml").write_text(
        '"order.add_note" = "f12"\n"order.cancel" = "f6"\n', encoding="utf-8"
    )
    order = order_with(demo_store, state=OrderState.ENTERED)
    app = make_app(demo_store)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        notes = [n.message for n in app._notifications]
        view = await open_order_by_po(pilot, app, order.customer_po)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is view)
        await pilot.press("f10")  # the conflicting override was dropped: cancel keeps F10
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
    assert any("order.cancel" in n and "order.release_hold" in n for n in notes), notes


async def test_orders_list_pages_through_a_large_store(tmp_path: Path) -> None:
    from orderdesk_tui.seed.scale import seed_scale

    store = Store(f"sqlite:///{tmp_path / 'scale.sqlite3'}")
    store.upgrade()
    seed_scale(store, 5000, today=date(2026, 11, 27))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, OrderListScreen)
        await wait_for(pilot, lambda: screen.table.total > 500)
        await pilot.press("end")
        await wait_for(pilot, lambda: screen.table.current is not None)
        last = screen.table.current
        with store.session() as session:
            oldest = session.exec(select(SalesOrder).order_by(SalesOrder.id)).first()
        assert oldest is not None and last is not None and last.number == oldest.number
        await pilot.press("home")
        await wait_for(pilot, lambda: screen.table.current is not None)
        assert screen.table.cursor == 0
        assert screen.table.current is not None


async def test_the_desk_opens_where_the_user_works(demo_store: Store) -> None:
    """`[desk] start_screen`: a new order (typing goes straight into it) or the queue, with
    the order list under it."""
    from orderdesk_tui.config import DeskSettings, Settings
    from screens.order_entry import OrderEntryScreen
    from screens.queue import QueueScreen

    app = make_app(demo_store, settings=Settings(desk=DeskSettings(start_screen="entry")))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, OrderEntryScreen))
        entry = app.screen
        assert isinstance(entry, OrderEntryScreen)
        await pilot.press(*"acme01")
        await wait_for(pilot, lambda: entry.customer is not None)
        assert entry.active is entry.header["po"]
        assert isinstance(app.screen_stack[-2], OrderListScreen)
    app = make_app(demo_store, settings=Settings(desk=DeskSettings(start_screen="queue")))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderListScreen))
