"""The entry screen's flow between orders and fields: auto-skip, drafts on F5, the next order
ready after F9, and the lines grid as drawn (rows, cursor cell, scrolling)."""

from decimal import Decimal

from textual.widgets import Static

from orderdesk_tui.config import DeskSettings, Settings
from orderdesk_tui.store import Store
from screens.dialogs import PickDialog
from screens.order_entry import OrderEntryScreen
from tests.test_order_entry import SIZE, open_entry, parts_in_stock, settle
from tests.ui import burst, make_app, text_of


def grid_text(screen: OrderEntryScreen) -> list[str]:
    """The lines grid as drawn, one string per screen line."""
    grid = screen.grid
    return [grid.render_line(y).text for y in range(grid.size.height)]


async def test_a_whole_customer_code_moves_on_by_itself(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01PO-AS-1\n")  # no Enter after the code
        await settle(pilot, screen)
        assert screen.customer is not None and screen.customer.code == "ACME01"
        assert screen.header["po"].value == "PO-AS-1"
        assert screen.active is screen.header["requested"]
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\nPO-AS-2\n")  # an Enter out of habit right after it is not applied
        await settle(pilot, screen)
        assert screen.header["po"].value == "PO-AS-2"
        assert screen.active is screen.header["requested"]


async def test_auto_skip_can_be_turned_off(demo_store: Store) -> None:
    settings = Settings(desk=DeskSettings(customer_code_autoskip=False))
    app = make_app(demo_store, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01PO")
        await settle(pilot, screen)
        assert screen.header["customer"].value == "ACME01PO"
        assert screen.active is screen.header["customer"] and screen.customer is None


async def test_a_po_in_the_customers_format_moves_on_and_one_outside_it_is_flagged(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        # NSTR01's POs follow 45########: the whole PO moves on to the requested date, and
        # the Enter typed there leaves the date empty (it is not taken for a habit Enter)
        burst(app, "nstr014510055301\n")
        await settle(pilot, screen)
        assert screen.header["po"].value == "4510055301"
        assert screen.header["requested"].value == ""
        assert screen.active is screen.lines[0].row.part
        assert "PO format" not in text_of(screen.query_one("#message", Static))
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "glms01GL014-18302+7\n")  # GLMS01: GL###-#####, then a date
        await settle(pilot, screen)
        assert screen.header["po"].value == "GL014-18302"
        assert screen.header["requested"].value != "" and screen.active is screen.lines[0].row.part
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "nstr01451005\n")  # too short for the format: no skip, Enter, flagged
        await settle(pilot, screen)
        assert screen.header["po"].value == "451005"
        assert screen.active is screen.header["requested"]
        message = text_of(screen.query_one("#message", Static))
        assert "PO 451005 is not in NSTR01's PO format 45########: check it" in message
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme014500187211")  # ACME01 has no PO format: the PO stays open
        await settle(pilot, screen)
        assert screen.active is screen.header["po"]


async def test_open_drafts_are_listed_and_f5_resumes_one(demo_store: Store) -> None:
    item = parts_in_stock(demo_store, 1)[0]
    app = make_app(demo_store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        first = await open_entry(pilot, app)
        burst(app, f"acme01PO-PARK-1\n\n{item.part_number}\n7\n")
        await settle(pilot, first)
        assert first.draft.id is not None
        await pilot.press("f10")  # park it: a new order starts
        await pilot.pause(0.2)
        second = app.screen
        assert isinstance(second, OrderEntryScreen) and second is not first
        await settle(pilot, second)
        listed = str(second.query_one("#matches", Static).render())
        assert "F5 resumes" in listed and first.draft_number in listed
        await pilot.press("f5")
        await pilot.pause(0.2)
        assert isinstance(app.screen, PickDialog)
        rows = [str(o.prompt) for o in app.screen.query_one("OptionList").options]  # type: ignore[attr-defined]
        index = next(n for n, r in enumerate(rows) if first.draft_number in r)
        await pilot.press(str(index + 1))
        await pilot.pause(0.3)
        resumed = app.screen
        assert isinstance(resumed, OrderEntryScreen) and resumed.draft.id == first.draft.id
        await settle(pilot, resumed)
        assert resumed.header["po"].value == "PO-PARK-1"
        assert [(ln.item.part_number, ln.quantity) for ln in resumed.lines if ln.item] == [
            (item.part_number, Decimal(7))
        ]


async def test_f12_before_any_submit_says_so(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        await pilot.press("f12")
        await pilot.pause(0.1)
        assert app.screen is screen
        assert "no order submitted" in str(screen.query_one("#message", Static).render())


async def test_the_grid_draws_every_line_and_follows_the_cursor(demo_store: Store) -> None:
    items = parts_in_stock(demo_store, 30)
    app = make_app(demo_store)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01PO-GRID\n\n")
        burst(app, "".join(f"{i.part_number}\n{n + 1}\n" for n, i in enumerate(items)))
        await settle(pilot, screen, 1.0)
        await pilot.pause(0.1)
        drawn = grid_text(screen)
        room = screen.grid.size.height - 1
        assert room < 31, "the test needs more lines than fit"
        assert "Part" in drawn[0] and "Availability" in drawn[0]
        assert "▲" in drawn[0], "the header says lines are scrolled out of view"
        # the cursor's line (31, empty) is drawn last; the lines above it in order
        assert drawn[room].lstrip().startswith("31")
        last = items[-1]
        assert any(row.split()[1:3] == [last.part_number, "30"] for row in drawn[1:])
        assert screen.grid.row_on_screen(screen.lines[-1].row)
        # every drawn line shows its price and availability once the workers answered
        shown = [row for row in drawn[1:room] if row.split() and row.split()[0].isdigit()]
        assert shown and all(("✓" in row or "now" in row) for row in shown), shown
        # Up arrows back to line 1 (leaving the empty line 31 is fine): the grid scrolls back
        for _ in range(30):
            await pilot.press("up")
        await pilot.pause(0.1)
        drawn = grid_text(screen)
        assert drawn[1].split()[:3] == ["1", items[0].part_number, "1"]
        assert screen.active is screen.lines[0].row.part
