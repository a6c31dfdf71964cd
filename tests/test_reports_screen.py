"""The reports screen from the keyboard: Ctrl+F from anywhere, pick a report, type a period,
read the figure worked out by hand (tests/kpi_data.py), Enter to the orders behind it, Enter
to the order."""

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from orderdesk_tui.store import Store
from screens.order_view import OrderViewScreen
from screens.reports import ReportOrdersScreen, ReportsScreen
from screens.widgets.bar_chart import ChartPane, bar
from tests.kpi_data import build
from tests.test_no_exit import failing, failure_shown
from tests.ui import SIZE, make_app, text_of, wait_for


async def type_into(pilot: Pilot[Any], text: str) -> None:
    await pilot.press("ctrl+u")  # what the field held
    await pilot.press(*text)
    await pilot.press("enter")


async def test_ctrl_f_pick_period_figure_drill_down_and_order(sqlite_store: Store) -> None:
    """Fill rate for November: line fill first-time 3/4 = 75 %; the one order behind the
    missed line is SO-2, and Enter opens it."""
    ids = build(sqlite_store)
    app = make_app(sqlite_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert screen.focused is screen.kinds
        await pilot.press("down", "enter")  # the second report: fill rate
        assert screen.kind.name == "fill-rate"
        await pilot.press("f5")
        assert isinstance(screen.focused, Input) and screen.focused.id == "report-period"
        await type_into(pilot, "11/1 11/30")
        title = screen.query_one("#report-title", Static)
        await wait_for(pilot, lambda: "2026-11-01 to 2026-11-30" in text_of(title)
                       and "reading" not in text_of(title))  # fmt: skip
        assert text_of(title).startswith("Fill rate")
        assert screen.focused is screen.table
        first = screen.table.cells(screen.table.rows[0])
        assert "Line fill rate" in first and "75.0%" in first
        assert "First-time" in text_of(screen.query_one("#report-header", Static))
        chart = screen.query_one(ChartPane)
        assert chart.chart is not None and chart.chart.kind == "trend"

        await pilot.press("enter")
        drill = app.screen
        assert isinstance(drill, ReportOrdersScreen)
        await wait_for(pilot, lambda: drill.table.rows)
        assert [o.number for o in drill.table.rows] == ["SO-2"]
        assert "1 order" in text_of(drill.query_one("#drill-count", Static))
        await pilot.press("enter")
        order = app.screen
        assert isinstance(order, OrderViewScreen) and order.order_id == ids["SO-2"]

        await pilot.press("ctrl+f")  # from anywhere: back to the report, as it was
        assert app.screen is screen and screen.kind.name == "fill-rate"


async def test_filters_and_bad_input_say_what_and_keep_the_report(sqlite_store: Store) -> None:
    """Customer BETA1 alone: SO-3, shipped in full on time: 100 %. A filter the desk does not
    know and a period that is no date are named; the last report stays on screen."""
    build(sqlite_store)
    app = make_app(sqlite_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await pilot.press("down", "enter", "f5")
        await type_into(pilot, "2026-11")
        await pilot.press("f6")
        await type_into(pilot, "customer=BETA1")
        title = screen.query_one("#report-title", Static)
        await wait_for(pilot, lambda: "customer=BETA1" in text_of(title))
        await wait_for(pilot, lambda: "100.0%" in screen.table.cells(screen.table.rows[0]))
        await pilot.press("f6")
        await type_into(pilot, "colour=red")
        await pilot.pause()
        assert screen.filters.customer == "BETA1"
        assert any("filters: 'colour=red'" in n.message for n in app._notifications)
        await pilot.press("f5")
        await type_into(pilot, "someday")
        await pilot.pause()
        assert any("period" in n.message for n in app._notifications)
        assert screen.period.start.isoformat() == "2026-11-01"
        assert screen.query_one("#report-period", Input).value == "someday"  # nothing lost


async def test_a_store_failure_is_one_line_and_the_screen_stays(sqlite_store: Store) -> None:
    build(sqlite_store)
    app = make_app(sqlite_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await wait_for(pilot, lambda: screen.report is not None)
        with failing(sqlite_store):
            await pilot.press("down", "enter")
            await failure_shown(pilot, app, "build")
        assert "build failed" in text_of(screen.query_one("#report-title", Static))
        await pilot.press("f4", "enter")  # the same key tries again
        await wait_for(pilot, lambda: screen.report is not None and "Fill" in screen.report.title)


def test_bars_scale_to_the_largest_value() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 16, 2) == "▏"
    assert bar(0, 10, 4) == "" and bar(3, 0, 4) == ""
