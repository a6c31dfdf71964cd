"""The RMA screens as a coordinator uses them: keys pressed, then the screen and the store."""

from decimal import Decimal

from sqlmodel import col, select
from textual.widgets import DataTable, Input, Static

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.config import Settings
from orderdesk_tui.models import (
    RMA,
    AuditEvent,
    Invoice,
    Note,
    RMALine,
    StockLevel,
    Warehouse,
)
from orderdesk_tui.store import Store
from screens.dialogs import NoteDialog, PickDialog, PromptDialog, SupervisorDialog, TextDialog
from screens.order_view import OrderViewScreen
from screens.rma import RmaScreen
from screens.rma_list import RmaListScreen
from screens.rma_new import RmaNewScreen
from tests import ui
from tests.test_app import open_order_by_po, order_with
from tests.ui import SIZE, text_of, wait_for

#: Windows wide enough that the demo's lines stay returnable whenever the tests run.
WIDE = Settings.model_validate(
    {"returns": {"window_days": {"excess": 3650, "damaged": 3650, "ordered_in_error": 30}}}
)


def make_app(store: Store, user: str = "alice", settings: Settings = WIDE) -> OrderDeskApp:
    return ui.make_app(store, user, settings)


def _rmas(store: Store) -> list[RMA]:
    with store.session() as session:
        return list(session.exec(select(RMA).order_by(col(RMA.id))))


async def _new_rma(pilot, app: OrderDeskApp, find: str) -> RmaNewScreen:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(app.screen, RmaListScreen))
    lst = app.screen
    assert isinstance(lst, RmaListScreen)
    await wait_for(pilot, lambda: lst.table.total == 8)
    await pilot.press("f6")
    await wait_for(pilot, lambda: isinstance(app.screen, RmaNewScreen))
    screen = app.screen
    assert isinstance(screen, RmaNewScreen)
    assert isinstance(app.focused, Input)
    await pilot.press(*find, "enter")
    await wait_for(pilot, lambda: bool(screen.lines))
    return screen


async def _pick(pilot, app: OrderDeskApp, row: int, typed: str) -> None:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#rma-pick-table", DataTable)
    table.move_cursor(row=row)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
    field = app.screen.query_one("#value", Input)
    field.value = ""
    await pilot.press(*typed, "enter")


async def test_return_from_request_to_credit_by_keyboard(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        new = await _new_rma(pilot, app, "SO0000194")
        assert new.lines[0].part_number == "6208-2RS"
        await _pick(pilot, app, 0, "2")
        await wait_for(pilot, lambda: app.screen is new and bool(new.picked))
        cell = new.query_one("#rma-pick-table", DataTable).get_cell_at((0, 0))
        assert str(cell) == "▶ 2"
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.press("6")  # excess
        await wait_for(pilot, lambda: new.reason == "excess")
        assert "excess stock" in text_of(new.query_one("#rma-form", Static))
        assess = new.query_one("#rma-assess", Static)
        await wait_for(pilot, lambda: "within the return policy" in text_of(assess))
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaScreen) and app.screen.detail)
        view = app.screen
        assert isinstance(view, RmaScreen) and view.detail is not None
        rma = view.detail.rma
        assert rma.number.startswith("RQ") and rma.state == "requested"
        with demo_store.session() as session:
            line = session.exec(select(RMALine).where(RMALine.rma_id == rma.id)).one()
        assert line.quantity_requested == 2 and line.reason_code == "excess"
        header = text_of(view.query_one("#rma-header", Static))
        assert "REQUESTED" in header and "next: authorise" in header

        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        number = _rmas(demo_store)[-1].number
        assert number.startswith("RMA")
        assert number in str(app.screen.query_one(".dialog-body Static", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is view and view.detail.rma.number == number)

        await pilot.press("f6")  # receive: 2 authorised, 2 came
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail.rma.state == "received")
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press(*"unused, sealed", "enter")
        await wait_for(pilot, lambda: view.detail.rma.state == "inspected")

        with demo_store.session() as session:
            chi = session.exec(select(Warehouse).where(Warehouse.code == "CHI")).one()
            before = session.exec(
                select(StockLevel.on_hand).where(
                    StockLevel.item_id == line.item_id, StockLevel.warehouse_id == chi.id
                )
            ).one()
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.press("1")  # restock
        await wait_for(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.press("1")  # CHI, first of the warehouses by code
        await wait_for(pilot, lambda: view.detail.rma.state == "dispositioned")
        with demo_store.session() as session:
            after = session.exec(
                select(StockLevel.on_hand).where(
                    StockLevel.item_id == line.item_id, StockLevel.warehouse_id == chi.id
                )
            ).one()
        assert after == before + 2

        await pilot.press("f9")  # credit: alice is a coordinator, sam approves
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorDialog))
        await pilot.press(*"sam", "enter", *"246810", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        memo_text = str(app.screen.query_one(".dialog-body Static", Static).render())
        assert "CREDIT MEMO" in memo_text and "Restocking fee" in memo_text
        await pilot.press("escape")
        await wait_for(pilot, lambda: view.detail.rma.state == "credited")
        await pilot.press("f11")
        await wait_for(pilot, lambda: view.detail.rma.state == "closed")

    stored = _rmas(demo_store)[-1]
    assert stored.state == "closed" and stored.credit_memo_id is not None
    with demo_store.session() as session:
        memo = session.get(Invoice, stored.credit_memo_id)
        credited = session.exec(select(AuditEvent).where(AuditEvent.action == "rma.credited")).one()
    assert memo is not None and memo.kind == "credit_memo"
    # 2 x 31.74 = 63.48; excess 20 % fee, ACME01 is gold and pays half: 6.35
    assert stored.restocking_fee == Decimal("6.35")
    assert (credited.actor, credited.approved_by) == ("alice", "sam")


async def test_bad_picks_are_refused_and_nothing_is_written(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        new = await _new_rma(pilot, app, "SO0000194")
        await _pick(pilot, app, 0, "9")  # 5 shipped
        dialog = app.screen
        assert isinstance(dialog, PromptDialog)
        error = dialog.query_one(".dialog-error", Static)
        await wait_for(pilot, lambda: error.display)
        assert "9 is more than can be returned (5 shipped" in text_of(error)
        assert dialog.query_one("#value", Input).value == "9"  # what was typed stays
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is new)
        await pilot.press("f9")  # nothing picked
        await wait_for(pilot, lambda: any("lines: pick at least one" in n.message
                                          for n in app._notifications))  # fmt: skip
        await _pick(pilot, app, 0, "1")
        await wait_for(pilot, lambda: app.screen is new and bool(new.picked))
        await pilot.press("f9")  # no reason yet
        await wait_for(pilot, lambda: any("reason: choose a reason code" in n.message
                                          for n in app._notifications))  # fmt: skip
        # a line of another customer cannot join this RMA
        await pilot.press("f5", *"SN84567784", "enter")
        await wait_for(pilot, lambda: new.lines and new.lines[0].customer_code == "NSTR01")
        new.query_one("#rma-pick-table", DataTable).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("rule rma.customer" in n.message
                                          for n in app._notifications))  # fmt: skip
        assert not isinstance(app.screen, PromptDialog)
    assert len(_rmas(demo_store)) == 8


async def test_late_return_needs_a_supervisor_on_the_spot(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        new = await _new_rma(pilot, app, "SO0000129")  # shipped 2026-09-29
        await _pick(pilot, app, 0, "1")
        await wait_for(pilot, lambda: app.screen is new and bool(new.picked))
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.press("4")  # ordered in error: 30 days
        await wait_for(pilot, lambda: new.reason == "ordered_in_error")
        assess = new.query_one("#rma-assess", Static)
        await wait_for(pilot, lambda: "needs a supervisor" in text_of(assess))
        assert "30 days after shipment" in text_of(assess)
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorDialog))
        purpose = text_of(app.screen.query_one(".dialog-detail", Static))
        assert "rule rma.window" in purpose and "30 days after shipment" in purpose
        await pilot.press(*"bob", "enter", *"1234", "enter")  # bob is no supervisor
        error = app.screen.query_one(".dialog-error", Static)
        await wait_for(pilot, lambda: error.display)
        assert "this needs a supervisor" in text_of(error)
        assert len(_rmas(demo_store)) == 8
        app.screen.query_one("#supervisor", Input).value = "sam"
        app.screen.query_one("#pin", Input).focus()
        await pilot.press(*"246810", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaScreen))
    rma = _rmas(demo_store)[-1]
    with demo_store.session() as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.entity == "rmas", AuditEvent.entity_id == rma.id)
        ).one()
    assert (rma.state, event.approved_by) == ("requested", "sam")


async def test_reject_and_steps_out_of_order(demo_store: Store) -> None:
    requested = next(r for r in _rmas(demo_store) if r.state == "requested")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaListScreen))
        lst = app.screen
        assert isinstance(lst, RmaListScreen)
        await pilot.press("slash", *requested.number, "enter")
        await wait_for(pilot, lambda: lst.table.total == 1 and lst.table.current is not None)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaScreen) and app.screen.detail)
        view = app.screen
        await pilot.press("f8")  # disposition before inspection
        await wait_for(pilot, lambda: any("is requested" in n.message
                                          for n in app._notifications))  # fmt: skip
        assert app.screen is view
        await pilot.press("ctrl+x")
        await wait_for(pilot, lambda: app.screen is not view)
        await pilot.press(*"customer found the parts", "enter")
        await wait_for(pilot, lambda: view.detail.rma.state == "rejected")
        assert "rejected: customer found the parts" in text_of(
            view.query_one("#rma-header", Static)
        )
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"told the buyer by phone", "enter")
        await wait_for(pilot, lambda: len(view.detail.notes) == 1)
    with demo_store.session() as session:
        note = session.exec(select(Note).where(Note.rma_id == requested.id)).one()
    assert (note.author, note.channel, note.customer_id) == (
        "alice",
        "phone",
        requested.customer_id,
    )


async def test_list_report_and_start_from_an_order(demo_store: Store) -> None:
    order = order_with(demo_store, number="SO0000194")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_order_by_po(pilot, app, order.customer_po)
        assert isinstance(view, OrderViewScreen)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaNewScreen) and app.screen.lines)
        assert {ln.order_number for ln in app.screen.lines} == {"SO0000194"}
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is view)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaListScreen))
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        app.screen.query_one("#value", Input).value = "2026-01-01 2026-12-31 customer"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        body = str(app.screen.query_one(".dialog-body Static", Static).render())
        assert "IRON01" in body and "Ironworks" in body
