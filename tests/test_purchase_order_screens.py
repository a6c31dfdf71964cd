"""The PO list and PO view as a coordinator uses them (`Ctrl+Y`): keys pressed, then the
screen and the store."""

from datetime import timedelta
from decimal import Decimal

from purchasing_world import World, build_world, buy_for, entered_order
from sqlmodel import select
from textual.widgets import Input, Static

from orderdesk_tui.models import PurchaseOrder, SalesOrder, SalesOrderLine, StockLevel
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services.availability import today_utc
from orderdesk_tui.store import Store
from screens.dialogs import PromptDialog, QuestionDialog, ReasonDialog, TextDialog
from screens.order_view import OrderViewScreen
from screens.purchase_order_view import PurchaseOrderViewScreen
from screens.purchase_orders import PurchaseOrdersScreen
from tests.ui import SIZE, make_app, text_of, wait_for

D = Decimal


def _orders(store: Store) -> tuple[World, int, int]:
    world = build_world(store)
    today = today_utc()
    special = entered_order(
        store,
        world,
        "SO0000001",
        [(world.drive_id, D(2), False)],
        promised=today + timedelta(days=10),
    )
    drop = entered_order(
        store, world, "SO0000002", [(world.bearing_id, D(40), True)], state=OrderState.RELEASED
    )
    buy_for(store, special, today)
    buy_for(store, drop, today)
    return world, special, drop


def _line(store: Store, order_id: int) -> SalesOrderLine:
    with store.session() as s:
        return s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order_id)).one()


def _po(store: Store, number: str) -> PurchaseOrder:
    with store.session() as s:
        return s.exec(select(PurchaseOrder).where(PurchaseOrder.number == number)).one()


async def _open_po(pilot, app, kind_presses: int) -> PurchaseOrderViewScreen:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+y")
    await wait_for(pilot, lambda: isinstance(app.screen, PurchaseOrdersScreen))
    lst = app.screen
    assert isinstance(lst, PurchaseOrdersScreen)
    await wait_for(pilot, lambda: lst.table.total == 2)
    for _ in range(kind_presses):
        await pilot.press("f6")
    await wait_for(pilot, lambda: lst.table.total == 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PurchaseOrderViewScreen))
    view = app.screen
    assert isinstance(view, PurchaseOrderViewScreen)
    await wait_for(pilot, lambda: view.detail is not None)
    return view


async def test_special_buy_po_acknowledged_received_and_cancelled_by_keys(
    sqlite_store: Store,
) -> None:
    world, special, _ = _orders(sqlite_store)
    promised = _line(sqlite_store, special).last_promised_date
    later = today_utc() + timedelta(days=60)
    app = make_app(sqlite_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await _open_po(pilot, app, kind_presses=2)  # all -> replenishment -> special
        header = text_of(view.query_one("#po-header", Static))
        assert "PO000001" in header and "Apex Motor & Drive Co." in header
        assert "special buy" in header
        assert view.lines.current is not None
        assert view.lines.current.waiting is not None
        assert view.lines.current.waiting.order_number == "SO0000001"

        # the vendor's acknowledgement for the whole PO: date and their reference
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        app.screen.query_one("#value", Input).value = f"{later.isoformat()} APEX-7781"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        moved = str(app.screen.query_one(".dialog-body Static", Static).render())
        assert "SO0000001" in moved and "Acme Industrial" in moved and "LATER" in moved
        assert f"{promised} -> " in moved
        await pilot.press("escape")
        po = _po(sqlite_store, "PO000001")
        assert (po.vendor_reference, po.confirmed_date) == ("APEX-7781", later)
        line = _line(sqlite_store, special)
        assert line.first_promised_date == promised and line.last_promised_date is not None
        assert line.last_promised_date > later - timedelta(days=1)

        # a date that does not parse is refused in the dialog, naming the field
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        app.screen.query_one("#value", Input).value = "soon"
        await pilot.press("enter")
        error = app.screen.query_one(".dialog-error", Static)
        await wait_for(pilot, lambda: "confirmed date" in text_of(error))
        await pilot.press("escape")

        # receive 1 of the 2 on the line under the cursor
        await wait_for(pilot, lambda: app.screen is view)
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        field = app.screen.query_one("#value", Input)
        assert field.value == "2"
        field.value = "1"
        await pilot.press("enter")
        await wait_for(pilot, lambda: _line(sqlite_store, special).quantity_allocated == 1)
        with sqlite_store.session() as s:
            level = s.exec(select(StockLevel).where(StockLevel.item_id == world.drive_id)).one()
        assert (level.on_hand, level.allocated) == (1, 1)

        # cancel the rest with a reason
        await wait_for(pilot, lambda: view.detail is not None and view.detail.lines[0].due == 1)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"vendor short", "enter")
        await wait_for(pilot, lambda: _po(sqlite_store, "PO000001").state == "received")

        # Enter opens the customer order waiting on the line; it shows the PO
        await wait_for(pilot, lambda: app.screen is view)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen))
        order_view = app.screen
        assert isinstance(order_view, OrderViewScreen)
        await wait_for(pilot, lambda: order_view.detail is not None)
        assert order_view.detail is not None
        assert order_view.detail.lines[0].purchase == "PO000001 special buy"


async def test_drop_ship_received_ships_the_customer_line(sqlite_store: Store) -> None:
    _, _, drop = _orders(sqlite_store)
    app = make_app(sqlite_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await _open_po(pilot, app, kind_presses=3)  # ... -> drop ship
        header = text_of(view.query_one("#po-header", Static))
        assert "drop ship to Acme Chicago, 1 Main St, Chicago" in header
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, QuestionDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: _line(sqlite_store, drop).quantity_shipped == 40)
    with sqlite_store.session() as s:
        order = s.get(SalesOrder, drop)
        assert order is not None and order.state == OrderState.SHIPPED
    assert _line(sqlite_store, drop).shipped_date == today_utc()
    assert _po(sqlite_store, "PO000002").state == "received"
