"""Order entry as a coordinator types it: bursts of keys, bad input, autosave, submit."""

import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual import events
from textual.widgets import Static

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.models import Address, Customer, Item, SalesOrder, SalesOrderLine, SyncOutbox
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services import order_entry
from orderdesk_tui.store import Store
from screens.dialogs import PickDialog, TextDialog
from screens.order_entry import OrderEntryScreen
from tests.ui import burst, make_app

SIZE = (200, 50)


async def settle(pilot, screen: OrderEntryScreen, seconds: float = 0.3) -> None:  # type: ignore[no-untyped-def]
    """Let the writer and the workers finish."""
    await pilot.pause(seconds)
    screen.writer.flush()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.05)


async def open_entry(pilot, app: OrderDeskApp) -> OrderEntryScreen:  # type: ignore[no-untyped-def]
    await pilot.pause(0.2)
    await pilot.press("ctrl+n")
    await pilot.pause(0.2)
    screen = app.screen
    assert isinstance(screen, OrderEntryScreen)
    return screen


def parts_in_stock(store: Store, count: int) -> list[Item]:
    """Active, non-hazmat items with MOQ and multiple 1, so any quantity is valid."""
    with store.session() as session:
        return list(
            session.exec(
                select(Item)
                .where(
                    Item.status == "active",
                    Item.moq == Decimal(1),
                    Item.order_multiple == Decimal(1),
                    Item.hazmat_un_number == "",
                    Item.eccn == "EAR99",
                    Item.fractional_uom == False,  # noqa: E712
                )
                .order_by(col(Item.id))
                .limit(count)
            )
        )


@pytest.fixture
def slow_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Price and availability answers take 300 ms, as over a slow link."""
    quote_price, quote_stock = order_entry.quote_price, order_entry.quote_stock

    def slow_price(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return quote_price(*args, **kwargs)

    def slow_stock(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return quote_stock(*args, **kwargs)

    monkeypatch.setattr(order_entry, "quote_price", slow_price)
    monkeypatch.setattr(order_entry, "quote_stock", slow_stock)


async def test_ten_line_order_typed_as_one_burst(demo_store: Store, slow_workers: None) -> None:
    items = parts_in_stock(demo_store, 10)
    quantities = [3, 12, 1, 7, 25, 4, 9, 2, 15, 6]
    typed = "acme01\nPO-BURST-1\n+5\n" + "".join(
        f"{item.part_number}\n{qty}\n" for item, qty in zip(items, quantities, strict=True)
    )
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        started = time.perf_counter()
        burst(app, typed)
        await pilot.pause(0.05)
        await settle(pilot, screen, 1.0)
        elapsed = time.perf_counter() - started
        assert screen.header["customer"].value == "ACME01"
        assert screen.header["po"].value == "PO-BURST-1"
        filled = [ln for ln in screen.lines if ln.item is not None]
        assert [ln.item.part_number for ln in filled] == [i.part_number for i in items]
        assert [ln.quantity for ln in filled] == [Decimal(q) for q in quantities]
        assert all(ln.price is not None for ln in filled), "every line was priced"
        assert all(ln.stock is not None for ln in filled), "every line got its availability"
        assert screen.active is screen.lines[10].row.part  # the cursor waits on line 11
        assert elapsed < 30
        order_id = screen.draft.id
    assert order_id is not None
    with demo_store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None and order.state == OrderState.DRAFT
        assert order.customer_po == "PO-BURST-1"
        lines = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        assert [(ln.part_number, ln.quantity) for ln in lines] == [
            (i.part_number, Decimal(q)) for i, q in zip(items, quantities, strict=True)
        ]
        assert all(ln.unit_price > 0 and ln.price_source for ln in lines)


async def test_error_in_a_burst_discards_the_rest_and_stays_on_the_field(
    demo_store: Store,
) -> None:
    items = parts_in_stock(demo_store, 2)
    app = make_app(demo_store)
    bells: list[float] = []
    app.bell = lambda: bells.append(time.monotonic())  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(
            app,
            f"acme01\nPO-ERR\n\n{items[0].part_number}\n-3\n{items[1].part_number}\n5\n",
        )
        await settle(pilot, screen)
        row = screen.lines[0].row
        assert screen.active is row.qty, "the cursor sits on the bad quantity"
        assert row.qty.value == "-3", "what was typed is kept"
        assert row.qty.error
        assert bells, "the bell rang"
        message = str(screen.query_one("#message", Static).render())
        assert "line 1 quantity" in message
        assert [ln.item.part_number for ln in screen.lines if ln.item] == [items[0].part_number]
        assert screen.lines[0].quantity is None, "the keys after the error were not replayed"
        # fixing it carries on normally
        await pilot.press("backspace", "backspace", "4", "enter")
        await settle(pilot, screen)
        assert screen.lines[0].quantity == Decimal(4)
        assert screen.active is screen.lines[1].row.part


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        ("NOSUCHCUST\n", "customer", "no customer matches"),
        ("acme01\nPO-1\nxyz\n", "requested date", "is not a date"),
        ("acme01\nPO-1\n\nNO-SUCH-PART-XYZ\n", "line 1 part", "no part matches"),
        ("acme01\nPO-1\n\n{part}\nabc\n", "line 1 quantity", "number"),
        ("acme01\nPO-1\n\n{part}\n0\n", "line 1 quantity", ""),
    ],
)
async def test_bad_input_names_the_field_and_keeps_the_text(
    demo_store: Store, typed: str, field: str, words: str
) -> None:
    part = parts_in_stock(demo_store, 1)[0].part_number
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, typed.format(part=part))
        await settle(pilot, screen)
        message = str(screen.query_one("#message", Static).render())
        assert message.startswith(field), message
        assert words in message
        assert screen.active is not None and screen.active.label == field
        assert screen.active.value, "the bad text stays for correcting"


async def test_ship_to_of_another_customer_is_refused(demo_store: Store) -> None:
    with demo_store.session() as session:
        other = session.exec(
            select(Address)
            .join(Customer, col(Customer.id) == col(Address.customer_id))
            .where(Customer.code != "ACME01", Address.kind == "ship_to")
        ).first()
        assert other is not None
        acme_codes = set(
            session.exec(
                select(Address.code)
                .join(Customer, col(Customer.id) == col(Address.customer_id))
                .where(Customer.code == "ACME01")
            ).all()
        )
    assert other.code not in acme_codes
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\n")
        await settle(pilot, screen)
        assert screen.active is screen.header["po"]  # Enter on the customer went to the PO
        await pilot.press("tab")  # Tab visits every field: the ship-to comes next
        assert screen.active is screen.header["ship_to"]
        burst(app, other.code + "\n")
        await settle(pilot, screen)
        message = str(screen.query_one("#message", Static).render())
        assert message.startswith("ship-to") and "not an address of this customer" in message
        assert screen.active is screen.header["ship_to"]


async def test_submit_refused_until_complete_then_entered_with_acknowledgement(
    demo_store: Store, tmp_path: Path
) -> None:
    items = parts_in_stock(demo_store, 2)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\n")
        await settle(pilot, screen)
        await pilot.press("f9")
        await settle(pilot, screen)
        message = str(screen.query_one("#message", Static).render())
        assert "not complete" in message and "customer PO" in message
        assert "at least one line" in message
        await pilot.press("escape")  # nothing typed in the PO yet: stays empty
        burst(app, f"PO-SUBMIT-9\n\n{items[0].part_number}\n2\n{items[1].part_number}\n5\n\n")
        await settle(pilot, screen, 0.5)
        assert "complete" in str(screen.query_one("#missing", Static).render())
        order_id = screen.draft.id
        await pilot.press("f9")
        for _ in range(100):
            await pilot.pause(0.1)
            if app.screen is not screen:
                break
        after = app.screen
        assert isinstance(after, OrderEntryScreen) and after is not screen, "a new order is ready"
        summary = ""
        for _ in range(50):  # the new screen paints the summary once it has mounted
            summary = str(after.query_one("#message", Static).render())
            if "acknowledged" in summary or "on hold" in summary:
                break
            await pilot.pause(0.1)
        assert "acknowledged" in summary or "on hold" in summary, summary
        assert after.active is after.header["customer"]
        await pilot.press("f12")
        await pilot.pause(0.2)
        assert isinstance(app.screen, TextDialog)
        ack = str(app.screen.query_one(".dialog-body Static", Static).render())
        assert "PO-SUBMIT-9" in ack and items[0].part_number in ack
    with demo_store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        assert order.state in {OrderState.ACKNOWLEDGED, OrderState.ON_HOLD}
        assert order.entered_at is not None and order.total > 0
        outbox = session.exec(select(SyncOutbox).where(SyncOutbox.entity_id == order_id)).all()
        assert [o.operation for o in outbox] == ["push_order"]


async def test_copy_last_order_and_usual_items(demo_store: Store) -> None:
    from orderdesk_tui.services.order_history import last_order

    with demo_store.session() as session:
        acme = session.exec(select(Customer).where(Customer.code == "ACME01")).one()
    last = last_order(demo_store, acme.id or 0)
    assert last is not None and last.lines
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\n")
        await settle(pilot, screen)
        await pilot.press("f11")
        await settle(pilot, screen)
        assert isinstance(app.screen, PickDialog)
        await pilot.press("1")  # copy the last order
        await settle(pilot, screen)
        assert app.screen is screen
        filled = [ln for ln in screen.lines if ln.item is not None]
        assert [(ln.item.part_number, ln.quantity) for ln in filled] == [
            (ln.part_number, ln.quantity) for ln in last.lines
        ]
        await pilot.press("f11")
        await settle(pilot, screen)
        await pilot.press("2")  # the first usual item: added, the list offered again
        await settle(pilot, screen)
        assert isinstance(app.screen, PickDialog)
        await pilot.press("escape")
        await settle(pilot, screen)
        assert len([ln for ln in screen.lines if ln.item is not None]) == len(last.lines) + 1


async def test_paste_copy_above_and_delete_line(demo_store: Store) -> None:
    items = parts_in_stock(demo_store, 3)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\nPO-PASTE\n\n")
        await settle(pilot, screen)
        pasted = (
            f"{items[0].part_number}\t4\n{items[1].part_number}\t6\r\n2*{items[2].part_number}\n"
        )
        app.post_message(events.Paste(pasted + "NO-SUCH-PART\t1\n"))
        await settle(pilot, screen, 0.5)
        filled = [ln for ln in screen.lines if ln.item is not None]
        assert [(ln.item.part_number, ln.quantity) for ln in filled] == [
            (items[0].part_number, Decimal(4)),
            (items[1].part_number, Decimal(6)),
            (items[2].part_number, Decimal(2)),
        ]
        assert "NO-SUCH-PART" in str(screen.query_one("#message", Static).render())
        # F8 copies the field from the line above; Ctrl+Delete removes a line
        empty = next(ln for ln in screen.lines if ln.item is None and ln is not screen.lines[0])
        screen._activate(empty.row.part)
        empty.row.part.clear()
        await pilot.press("f8")
        assert empty.row.part.value
        await pilot.press("ctrl+delete")
        await settle(pilot, screen)
        await pilot.press("up")
        screen._activate(screen.lines[0].row.part)
        await pilot.press("ctrl+delete")
        await settle(pilot, screen)
        assert [ln.item.part_number for ln in screen.lines if ln.item] == [
            items[1].part_number,
            items[2].part_number,
        ]
        order_id = screen.draft.id
    with demo_store.session() as session:
        stored = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        assert [(ln.line_no, ln.part_number) for ln in stored] == [
            (1, items[1].part_number),
            (2, items[2].part_number),
        ]
