"""A paste goes to the field it is pasted into: a PO or a note stays in its header field (one
line, cut to the column's length with a message), rows pasted in the grid become lines."""

from decimal import Decimal

from textual import events
from textual.widgets import Static

from orderdesk_tui.models import SalesOrder
from orderdesk_tui.store import Store
from screens.entry_paste import is_lines, one_line
from tests.test_order_entry import SIZE, open_entry, parts_in_stock, settle
from tests.ui import burst, make_app, text_of


def test_what_reads_as_order_lines() -> None:
    assert is_lines("6204-2RS\t4\n6205-ZZ\t2\n")
    assert is_lines("6204-2RS\t4")
    assert is_lines("2*6204-2RS\n3*6205-ZZ")
    assert not is_lines("PO-778812")
    assert not is_lines("  PO-778812\r\n")
    assert one_line("dock 4\r\nring first\tthanks\n") == "dock 4 ring first thanks"


async def test_a_po_pasted_into_the_po_field_is_the_po(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\n")
        await settle(pilot, screen)
        assert screen.active is screen.header["po"]
        app.post_message(events.Paste("PO-778812\n"))
        await settle(pilot, screen)
        assert screen.header["po"].value == "PO-778812"
        assert "pasted" not in text_of(screen.query_one("#message", Static))
        assert all(ln.empty for ln in screen.lines)
        burst(app, "\n")
        await settle(pilot, screen)
        assert screen.active is screen.header["requested"]
        order_id = screen.draft.id
    with demo_store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None and order.customer_po == "PO-778812"


async def test_a_paste_into_the_notes_adds_to_the_note_typed(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\nPO-NOTE\n\n\ncall before ")  # Enter on the empty part: the notes
        await settle(pilot, screen)
        notes = screen.header["notes"]
        assert screen.active is notes
        app.post_message(events.Paste("dock 4\nring twice"))
        await settle(pilot, screen)
        assert screen.active is notes, "the cursor stays in the notes"
        assert notes.value == "call before dock 4 ring twice"
        burst(app, "\n")
        await settle(pilot, screen)
        order_id = screen.draft.id
    with demo_store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None and order.notes == "call before dock 4 ring twice"


async def test_a_paste_longer_than_the_field_is_cut_and_said(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\n")
        await settle(pilot, screen)
        app.post_message(events.Paste("P" * 45))
        await settle(pilot, screen)
        assert screen.header["po"].value == "P" * 40
        message = text_of(screen.query_one("#message", Static))
        assert message.startswith("customer PO") and "40" in message and "5 left out" in message


async def test_rows_pasted_in_the_grid_become_lines_a_single_value_goes_in_the_cell(
    demo_store: Store,
) -> None:
    items = parts_in_stock(demo_store, 2)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\nPO-GRID\n\n")
        await settle(pilot, screen)
        part = screen.lines[0].row.part
        assert screen.active is part
        app.post_message(events.Paste(items[0].part_number.lower()))
        await settle(pilot, screen)
        assert part.value == items[0].part_number and screen.lines[0].item is None
        burst(app, "\n3\n")
        await settle(pilot, screen)
        app.post_message(events.Paste(f"{items[1].part_number}\t5\n"))
        await settle(pilot, screen)
        assert [(ln.item.part_number, ln.quantity) for ln in screen.lines if ln.item] == [
            (items[0].part_number, Decimal(3)),
            (items[1].part_number, Decimal(5)),
        ]
