"""The part picker: an unknown part opens it, F4 on an empty part browses the catalog by
category, typing searches; F9 on a refused part says why the order did not go."""

from sqlmodel import select
from textual.widgets import OptionList, Static

from orderdesk_tui.models import Item
from orderdesk_tui.store import Store
from screens.entry_keys import PAUSE_S
from screens.order_entry import OrderEntryScreen
from screens.part_picker import PartPicker
from tests.test_order_entry import SIZE, open_entry, settle
from tests.ui import burst, make_app, text_of, wait_for


def detail(picker: PartPicker) -> str:
    return text_of(picker.query_one("#picker-detail", Static))


async def picker_of(pilot, app) -> PartPicker:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, PartPicker) and app.screen.rows)
    assert isinstance(app.screen, PartPicker)
    return app.screen


async def test_an_unknown_part_opens_the_picker_and_typing_searches(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\nPO-PICK\n\nZZZ-NOPE-999\n5\n")  # the 5 is typed on, unseen
        picker = await picker_of(pilot, app)
        message = text_of(screen.query_one("#message", Static))
        assert message.startswith("line 1 part") and "no part matches" in message
        assert "no part matches 'ZZZ-NOPE-999'" in detail(picker)
        assert [r.kind for r in picker.rows] == ["category"] * len(picker.rows)
        assert "bearings" in [r.value for r in picker.rows]
        assert picker.query_one("#search").value == "ZZZ-NOPE-999"  # type: ignore[attr-defined]
        await pilot.pause(PAUSE_S + 0.1)
        await pilot.press("ctrl+u")  # clear the search line (Input's own key)
        for key in "6204":
            await pilot.press(key)
        await wait_for(pilot, lambda: picker.rows and picker.rows[0].kind == "part")
        assert all("6204" in r.value for r in picker.rows[:2])
        wanted = picker.rows[0].value
        await pilot.press("enter")
        await settle(pilot, screen)
        assert app.screen is screen
        line = screen.lines[0]
        assert line.item is not None and line.item.part_number == wanted
        assert screen.active is line.row.qty, "picked: on to the quantity"


async def test_f4_on_an_empty_part_browses_by_category(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\nPO-BROWSE\n\n")
        await settle(pilot, screen)
        assert screen.active is screen.lines[0].row.part
        await pilot.press("f4")
        picker = await picker_of(pilot, app)
        categories = [r.value for r in picker.rows]
        assert categories == sorted(categories) and "bearings" in categories
        for _ in range(categories.index("fasteners")):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: picker.rows[0].kind == "part")
        assert "category fasteners" in detail(picker)
        first_page = [r.value for r in picker.rows if r.kind == "part"]
        assert len(first_page) == 40 and picker.rows[-1].kind == "more"
        await pilot.press(*["pagedown"] * 4)  # to the last row: the next page
        assert picker.query_one("#choices", OptionList).highlighted == len(picker.rows) - 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: len([r for r in picker.rows if r.kind == "part"]) > 40)
        assert [r.value for r in picker.rows[:40]] == first_page
        await pilot.press("down", "enter")  # the first part of the second page
        await settle(pilot, screen)
        assert isinstance(app.screen, OrderEntryScreen)
        line = screen.lines[0]
        assert line.item is not None and line.item.part_number not in first_page


async def test_f9_on_a_refused_part_says_why_nothing_was_submitted(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\nPO-F9\n\nZZZ-NOPE-999\n")
        await picker_of(pilot, app)
        await pilot.pause(PAUSE_S + 0.1)
        await pilot.press("escape")
        await settle(pilot, screen)
        assert app.screen is screen and screen.active is screen.lines[0].row.part
        await pilot.pause(PAUSE_S + 0.1)
        await pilot.press("f9")
        await settle(pilot, screen)
        assert app.screen is screen, "no picker over the answer"
        message = text_of(screen.query_one("#message", Static))
        assert message.startswith("not submitted"), message
        assert "line 1 part: no part matches 'ZZZ-NOPE-999'" in message
        assert screen.lines[0].row.part.value == "ZZZ-NOPE-999"
        assert "customer PO" not in message, "the PO was given"


async def test_a_description_is_shown_as_stored_not_read_as_markup(demo_store: Store) -> None:
    with demo_store.session() as session:
        item = session.exec(select(Item).where(Item.part_number == "6204-2RS")).one()
        item.description = "Deep groove ball bearing [zinc] sealed"
        session.add(item)
        session.commit()
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\nPO-MARKUP\n\n6204-2rs")
        await settle(pilot, screen)
        await pilot.press("f4")
        picker = await picker_of(pilot, app)
        choices = picker.query_one("#choices", OptionList)
        assert "bearing [zinc] sealed" in choices.render_line(0).text
