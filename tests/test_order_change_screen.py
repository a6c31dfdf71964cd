"""Changing an order from the keyboard: order view → F4 → the entry grid in change mode →
F9 → reason → the order changed, its revision on the Revisions tab; a change left open
survives the app being closed and is offered back. On the demo store."""

from decimal import Decimal

from sqlalchemy import text
from sqlmodel import col, select
from textual.widgets import DataTable, Static

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.models import OrderChangeDraft, OrderRevision, SalesOrder, SalesOrderLine
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.store import Store
from screens.dialogs import ReasonDialog
from screens.order_entry import OrderEntryScreen
from screens.order_view import OrderViewScreen
from tests.sync_orders import orderable
from tests.ui import SIZE, make_app, text_of, wait_for


def _plain_order(store: Store) -> tuple[SalesOrder, list[SalesOrderLine]]:
    """An acknowledged demo order of 2+ lines, nothing shipped, every part without MOQ."""
    one = 1000 if store.is_sqlite else 1
    with store.session() as session:
        ids = session.connection().execute(
            text(
                "SELECT o.id FROM sales_orders o WHERE o.state = 'acknowledged' "
                "AND (SELECT count(*) FROM sales_order_lines l WHERE l.order_id = o.id) >= 2 "
                "AND NOT EXISTS (SELECT 1 FROM sales_order_lines l JOIN items i ON i.id = "
                "l.item_id WHERE l.order_id = o.id AND (i.moq <> :one OR i.order_multiple <> :one"
                " OR l.quantity_shipped > 0 OR l.quantity_cancelled > 0)) ORDER BY o.id"
            ),
            {"one": one},
        )
        order_id = next(iter(ids))[0]
        order = session.get(SalesOrder, order_id)
        assert order is not None
        lines = list(
            session.exec(
                select(SalesOrderLine)
                .where(SalesOrderLine.order_id == order_id)
                .order_by(col(SalesOrderLine.line_no))
            )
        )
        return order, lines


async def _open_view(pilot, app: OrderDeskApp, order_id: int) -> OrderViewScreen:  # type: ignore[no-untyped-def]
    app.push_screen(OrderViewScreen(app.desk, app.status, order_id))
    await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen) and app.screen.detail)
    view = app.screen
    assert isinstance(view, OrderViewScreen)
    return view


async def _change_screen(pilot, app: OrderDeskApp) -> OrderEntryScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f4")
    await wait_for(pilot, lambda: isinstance(app.screen, OrderEntryScreen))
    entry = app.screen
    assert isinstance(entry, OrderEntryScreen) and entry.change is not None
    await wait_for(pilot, lambda: "changing order" in text_of(entry.query_one("#message", Static)))
    hint = text_of(entry.query_one("#missing", Static))
    assert hint == "complete: F9 applies the change", hint
    return entry


async def test_change_a_quantity_and_add_a_line_by_keys(demo_store: Store) -> None:
    order, lines = _plain_order(demo_store)
    _, items = orderable(demo_store)
    new_part = next(part for _, part, _, _ in items if part not in {ln.part_number for ln in lines})
    wanted = lines[0].quantity + 3
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await _open_view(pilot, app, order.id or 0)
        entry = await _change_screen(pilot, app)
        assert entry.header["customer"].value == view.detail.customer.code  # type: ignore[union-attr]
        assert [ln.row.part.value for ln in entry.lines] == [ln.part_number for ln in lines]
        assert entry.lines[1].kept == lines[1].extended  # not priced again: as ordered
        # the cursor is on line 1's quantity, ready to overtype
        await pilot.press(*f"{wanted.normalize():f}", "enter")
        await pilot.press("ctrl+g", *str(len(lines)), "enter", "enter")
        for ch in new_part:
            await pilot.press({"-": "minus", ".": "full_stop", "/": "slash"}.get(ch, ch))
        await pilot.press("enter", "4", "enter")
        await wait_for(pilot, lambda: any(ln.price is not None for ln in entry.lines))
        totals = text_of(entry.query_one("#totals", Static))
        assert f"change of {order.number}" in totals
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"customer called", "enter")
        await wait_for(pilot, lambda: app.screen is view)
        await wait_for(pilot, lambda: view.query_one("#revisions-table", DataTable).row_count >= 2)
        table = view.query_one("#revisions-table", DataTable)
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[0] == "1" and first[2] == "alice" and first[4] == "customer called"
        shown = " ".join(str(table.get_row_at(i)[5]) for i in range(table.row_count))
        assert f"line 1 qty {lines[0].quantity.normalize():f} → {wanted.normalize():f}" in shown
        assert f"line {len(lines) + 1} added: {new_part} x 4" in shown

    with demo_store.session() as session:
        stored = session.get(SalesOrder, order.id)
        assert stored is not None and stored.revision == 1
        assert stored.state in (OrderState.ACKNOWLEDGED, OrderState.ON_HOLD)
        after = {
            ln.line_no: ln
            for ln in session.exec(
                select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
            )
        }
        assert after[1].quantity == wanted
        assert after[len(lines) + 1].part_number == new_part
        assert after[len(lines) + 1].quantity == Decimal(4)
        assert after[2].unit_price == lines[1].unit_price  # untouched: its price as ordered
        (rev,) = session.exec(select(OrderRevision).where(OrderRevision.order_id == order.id))
        assert rev.reason == "customer called" and rev.changed_lines == f"1,{len(lines) + 1}"
        assert session.exec(select(OrderChangeDraft)).all() == []


async def test_a_change_left_open_survives_closing_the_app(demo_store: Store) -> None:
    order, lines = _plain_order(demo_store)
    wanted = lines[0].quantity + 2
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open_view(pilot, app, order.id or 0)
        entry = await _change_screen(pilot, app)
        await pilot.press(*f"{wanted.normalize():f}", "enter")
        await wait_for(pilot, lambda: not entry.writer.pending())
        entry.writer.flush()
    # the app is gone (as in a crash): the order is untouched, the typed change is kept
    with demo_store.session() as session:
        line = session.exec(
            select(SalesOrderLine).where(
                SalesOrderLine.order_id == order.id, SalesOrderLine.line_no == 1
            )
        ).one()
        assert line.quantity == lines[0].quantity
        assert len(session.exec(select(OrderChangeDraft)).all()) == 1

    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open_view(pilot, app, order.id or 0)
        entry = await _change_screen(pilot, app)
        message = text_of(entry.query_one("#message", Static))
        assert "your change kept" in message
        assert entry.lines[0].row.qty.value == f"{wanted.normalize():f}"


async def test_shipped_orders_are_refused_with_a_message(demo_store: Store) -> None:
    with demo_store.session() as session:
        shipped = session.exec(
            select(SalesOrder).where(SalesOrder.state == OrderState.SHIPPED)
        ).first()
        assert shipped is not None
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await _open_view(pilot, app, shipped.id or 0)
        await pilot.press("f4")
        await pilot.pause(0.3)
        assert app.screen is view
        assert any("cannot be changed: it is shipped" in n.message for n in app._notifications)
