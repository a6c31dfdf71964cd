"""A discontinued part with a replacement is asked about once, in one key: Enter takes the
replacement, Esc keeps the old part while stock remains and is refused when none is left."""

from decimal import Decimal

from sqlmodel import col, select
from textual.widgets import Static

from orderdesk_tui.models import Item, SalesOrderLine
from orderdesk_tui.services.order_entry import stock_left
from orderdesk_tui.store import Store
from screens.dialogs import QuestionDialog
from screens.entry_keys import PAUSE_S
from screens.order_entry import OrderEntryScreen
from tests.test_order_entry import SIZE, open_entry, settle
from tests.ui import burst, make_app, text_of, wait_for


def item_id(store: Store, part: str) -> int:
    with store.session() as session:
        found = session.exec(select(Item.id).where(Item.part_number == part)).one()
    assert found is not None
    return found


async def ask(pilot, app, typed: str) -> OrderEntryScreen:  # type: ignore[no-untyped-def]
    screen = await open_entry(pilot, app)
    burst(app, f"acme01\nPO-DISC\n\n{typed}")
    await wait_for(pilot, lambda: isinstance(app.screen, QuestionDialog))
    await pilot.pause(PAUSE_S + 0.1)
    return screen


async def test_enter_takes_the_replacement_keys_typed_blindly_do_not_answer(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ask(pilot, app, "3*vb-a42\n5\n")  # "5⏎" typed on before the question
        question = app.screen
        assert isinstance(question, QuestionDialog), "the blind Enter did not answer it"
        assert screen.lines[0].item is None
        await pilot.press("enter")
        await settle(pilot, screen)
        line = screen.lines[0]
        assert app.screen is screen
        assert line.item is not None and line.item.part_number == "A42"
        assert line.quantity == Decimal(3), "the quantity typed with the part is kept"
        assert screen.active is screen.lines[1].row.part
        order_id = screen.draft.id
    with demo_store.session() as session:
        stored = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
    assert [(ln.part_number, ln.quantity) for ln in stored] == [("A42", Decimal(3))]


async def test_esc_keeps_the_discontinued_part_while_stock_remains(demo_store: Store) -> None:
    assert stock_left(demo_store, item_id(demo_store, "VB-A42")) > 0
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ask(pilot, app, "vb-a42\n")
        assert "Esc keeps VB-A42" in str(app.screen.query(Static).last().render())
        await pilot.press("escape")
        await settle(pilot, screen)
        line = screen.lines[0]
        assert line.item is not None and line.item.part_number == "VB-A42"
        assert screen.active is line.row.qty
        assert "F6→A42" in " ".join(screen.grid.render_line(y).text for y in range(3))


async def test_esc_on_a_discontinued_part_with_no_stock_left_is_refused(
    demo_store: Store,
) -> None:
    assert stock_left(demo_store, item_id(demo_store, "VB-B54")) == 0
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ask(pilot, app, "vb-b54\n")
        await pilot.press("escape")
        await settle(pilot, screen)
        line = screen.lines[0]
        assert app.screen is screen and screen.active is line.row.part
        assert line.item is None and line.row.part.value == "VB-B54"
        message = text_of(screen.query_one("#message", Static))
        assert message.startswith("line 1 part") and "none is left" in message
        await pilot.pause(PAUSE_S + 0.1)
        await pilot.press("enter")  # asked again: Enter takes the replacement
        await wait_for(pilot, lambda: isinstance(app.screen, QuestionDialog))
        await pilot.pause(PAUSE_S + 0.1)
        await pilot.press("enter")
        await settle(pilot, screen)
        assert line.item is not None and line.item.part_number == "B54"
