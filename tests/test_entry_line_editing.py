"""Going back to fix a line of an order (issue 14, "Fixing a line"): Ctrl+G N, overtype and
edit in place, Ctrl+U, field exit, insert and delete a line, refusals; screen and store."""

import json
from decimal import Decimal

from sqlmodel import col, select
from textual import events
from textual.widgets import Static

from orderdesk_tui.models import AuditEvent, Customer, SalesOrderLine
from orderdesk_tui.services import drafts
from orderdesk_tui.store import Store
from screens.entry_keys import PAUSE_S
from screens.order_entry import OrderEntryScreen
from tests.test_order_entry import SIZE, open_entry, parts_in_stock, settle
from tests.ui import burst, make_app, text_of

#: Line n of the draft has quantity 10 * n.
QUANTITIES = [Decimal(10 * n) for n in range(1, 11)]


def ten_line_draft(store: Store) -> int:
    """A draft of ACME01 with 10 lines, as left by a coordinator (alice)."""
    with store.session() as session:
        customer = session.exec(select(Customer).where(Customer.code == "ACME01")).one()
    order = drafts.create_draft(store, actor="alice", customer_id=customer.id or 0)
    assert order.id is not None
    for n, (item, quantity) in enumerate(
        zip(parts_in_stock(store, 10), QUANTITIES, strict=True), start=1
    ):
        values = {
            "item_id": item.id,
            "part_number": item.part_number,
            "description": item.description,
            "uom": item.uom,
            "list_price": item.list_price,
            "quantity": quantity,
        }
        drafts.save_line(store, order.id, n, values, actor="alice")
    return order.id


async def open_draft(pilot, app, order_id: int) -> OrderEntryScreen:  # type: ignore[no-untyped-def]
    entry = await open_entry(pilot, app)
    app.switch_screen(OrderEntryScreen(entry.desk, entry.status, resume=order_id))
    await pilot.pause(0.3)
    screen = app.screen
    assert isinstance(screen, OrderEntryScreen)
    await settle(pilot, screen)
    return screen


def stored_lines(store: Store, order_id: int) -> list[tuple[int, str, Decimal]]:
    with store.session() as session:
        lines = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        return [(ln.line_no, ln.part_number, ln.quantity) for ln in lines]


def drawn_row(screen: OrderEntryScreen, number: int) -> tuple[str, ...]:
    """Line `number` as the grid draws it (it must be in view): its number, part and
    quantity, the first three words (an empty line is its number alone)."""
    return tuple(screen.grid.render_line(number - screen.grid.top).text.split()[:3])


def message(screen: OrderEntryScreen) -> str:
    return text_of(screen.query_one("#message", Static))


async def test_ctrl_g_3_enter_and_the_new_quantity_fix_line_3_in_six_keys(
    demo_store: Store,
) -> None:
    order_id = ten_line_draft(demo_store)
    before = stored_lines(demo_store, order_id)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_draft(pilot, app, order_id)
        assert screen.active is screen.lines[10].row.part  # resumed on the empty line 11
        keys = ["ctrl+g", "3", "enter", "2", "5", "enter"]
        await pilot.press(*keys)
        await settle(pilot, screen)
        assert len(keys) <= 6
        assert screen.lines[2].quantity == Decimal(25)
        assert drawn_row(screen, 3) == ("3", before[2][1], "25")
        assert screen.active is screen.lines[3].row.part  # Enter went on to line 4
        # the same keys typed ahead in one burst, before the screen has drawn any of them
        app.post_message(events.Key("ctrl+g", None))
        burst(app, "7\n5\n")
        await settle(pilot, screen)
        assert drawn_row(screen, 7) == ("7", before[6][1], "5")
    after = stored_lines(demo_store, order_id)
    assert after[2] == (3, before[2][1], Decimal(25))
    assert after[6] == (7, before[6][1], Decimal(5))
    assert [ln for i, ln in enumerate(after) if i not in (2, 6)] == [
        ln for i, ln in enumerate(before) if i not in (2, 6)
    ]
    with demo_store.session() as session:
        changes = [
            json.loads(e.changes)
            for e in session.exec(
                select(AuditEvent).where(
                    AuditEvent.order_id == order_id, AuditEvent.action == "draft.line"
                )
            ).all()
        ]
    quantities = [tuple(Decimal(str(v)) for v in c["quantity"]) for c in changes if "quantity" in c]
    assert (Decimal(30), Decimal(25)) in quantities  # the correction is audited, old -> new


async def test_typing_overtypes_a_field_but_cursor_keys_edit_it_in_place(
    demo_store: Store,
) -> None:
    order_id = ten_line_draft(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_draft(pilot, app, order_id)
        qty = screen.lines[2].row.qty
        await pilot.press("ctrl+g", "3", "enter")
        assert screen.active is qty and qty.value == "30"
        await pilot.press("4")  # overtype: the first character replaces the field
        assert qty.value == "4"
        await pilot.press("ctrl+g", "3", "enter")  # leaving the field for a jump saves it
        assert screen.lines[2].quantity == Decimal(4)
        await pilot.press("home", "1")  # Home: edit in place
        assert qty.value == "14"
        await pilot.press("end", "backspace", "5")
        assert qty.value == "15"
        await pilot.press("enter")
        await settle(pilot, screen)
        await pilot.press("ctrl+g", "4", "enter", "left", "7")  # Left: in place, too
        assert screen.lines[3].row.qty.value == "470"
        await pilot.press("enter")
        await settle(pilot, screen)
        assert screen.lines[2].quantity == Decimal(15)
        assert screen.lines[3].quantity == Decimal(470)
    after = stored_lines(demo_store, order_id)
    assert (after[2][2], after[3][2]) == (Decimal(15), Decimal(470))


async def test_ctrl_u_clears_a_field_and_field_exit_cuts_its_rest_and_moves_on(
    demo_store: Store,
) -> None:
    order_id = ten_line_draft(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_draft(pilot, app, order_id)
        row = screen.lines[1].row
        await pilot.press("ctrl+g", "2", "enter", "home", "ctrl+u")
        assert row.qty.value == "" and screen.active is row.qty
        await pilot.press("6", "enter")
        await settle(pilot, screen)
        assert screen.lines[1].quantity == Decimal(6)
        # line 5 holds 50: Home, Right, then Field Exit keeps "5", saves it, and goes on (Tab)
        await pilot.press("ctrl+g", "5", "enter", "home", "right", "ctrl+k")
        await settle(pilot, screen)
        assert screen.lines[4].row.qty.value == "5"
        assert screen.lines[4].quantity == Decimal(5)
        assert screen.active is screen.lines[4].row.override
    after = stored_lines(demo_store, order_id)
    assert (after[1][2], after[4][2]) == (Decimal(6), Decimal(5))


async def test_a_line_is_inserted_above_the_cursor_and_the_lines_renumber(
    demo_store: Store,
) -> None:
    order_id = ten_line_draft(demo_store)
    before = stored_lines(demo_store, order_id)
    extra = parts_in_stock(demo_store, 11)[10]
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_draft(pilot, app, order_id)
        await pilot.press("ctrl+g", "3", "enter", "ctrl+e")
        assert screen.active is screen.lines[2].row.part and screen.lines[2].empty
        assert [drawn_row(screen, n)[:2] for n in (2, 3, 4)] == [
            ("2", before[1][1]),
            ("3",),
            ("4", before[2][1]),
        ]
        assert screen.lines[3].row.qty.label == "line 4 quantity"
        assert "line 3 inserted" in message(screen)
        burst(app, f"{extra.part_number}\n7\n")
        await settle(pilot, screen)
        assert drawn_row(screen, 3) == ("3", extra.part_number, "7")
        assert screen.active is screen.lines[3].row.part
        # Ctrl+Insert is the same key; an insert on line 1 moves every line down
        await pilot.press("ctrl+g", "1", "enter", "ctrl+insert")
        await settle(pilot, screen)
        assert screen.lines[0].empty and drawn_row(screen, 2)[1] == before[0][1]
        # left empty, the inserted line goes away again: no gap in the line numbers
        await pilot.press("down")
        await settle(pilot, screen)
        assert drawn_row(screen, 1)[:2] == ("1", before[0][1])
        assert screen.active is screen.lines[0].row.part and len(screen.lines) == 12
        # deleting line 5 (the old line 4) closes the gap on screen and in the store
        await pilot.press("ctrl+g", "5", "enter", "ctrl+d")
        await settle(pilot, screen)
        assert drawn_row(screen, 5) == ("5", before[4][1], "50")
    want = [before[0], before[1], (3, extra.part_number, Decimal(7))]
    want += [(n, part, qty) for n, (_, part, qty) in enumerate(before[2:], start=4)]
    del want[4]  # the old line 4
    want = [(n, part, qty) for n, (_, part, qty) in enumerate(want, start=1)]
    assert stored_lines(demo_store, order_id) == want
    with demo_store.session() as session:
        inserted = session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.order_id == order_id,
                col(AuditEvent.action).in_(["draft.line_inserted", "draft.line_removed"]),
            )
            .order_by(col(AuditEvent.id))
        ).all()
    assert [(e.action, json.loads(e.changes)) for e in inserted] == [
        ("draft.line_inserted", {"line_no": [None, 3]}),
        ("draft.line_inserted", {"line_no": [None, 1]}),
        ("draft.line_removed", {"line_no": [1, None]}),
    ]
    assert {e.actor for e in inserted} == {"alice"}


async def test_a_line_number_that_is_no_line_is_refused_and_the_cursor_stays(
    demo_store: Store,
) -> None:
    order_id = ten_line_draft(demo_store)
    before = stored_lines(demo_store, order_id)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_draft(pilot, app, order_id)
        await pilot.press("ctrl+g", "4", "enter")
        qty = screen.lines[3].row.qty
        # typed ahead: "99" is no line of this order; the "25" meant for it is thrown away,
        # it does not overtype the line 4 quantity the cursor stayed on
        app.post_message(events.Key("ctrl+g", None))
        burst(app, "99\n25\n")
        await settle(pilot, screen)
        assert "no line 99" in message(screen) and "lines 1 to 11" in message(screen)
        assert screen.active is qty and qty.value == "40"
        assert screen.line_editor.wanted is None
        # in the prompt: a letter rings and is not taken, Backspace and Esc work
        await pilot.press("ctrl+g", "x", "1", "2", "backspace")
        assert screen.line_editor.wanted == "1" and "go to line: 1" in message(screen)
        await pilot.press("escape")
        assert screen.line_editor.wanted is None and screen.active is qty
        await pilot.press("ctrl+g", "0", "enter")
        assert "no line 0" in message(screen) and screen.active is qty
        await pilot.pause(PAUSE_S)  # the keys typed on right after a refusal are thrown away
        # insert with the cursor in the header: nothing to insert above
        screen._activate(screen.header["po"])
        await pilot.press("ctrl+e")
        assert "go to a line first" in message(screen) and len(screen.lines) == 11
    assert stored_lines(demo_store, order_id) == before
