"""Columns adapt to the width: nothing important is cut from the smallest supported terminal
(120 columns) up, and what does not fit ends in a marker instead of being silently cut."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip

from orderdesk_tui.services.order_queries import LineView, OrderRow
from orderdesk_tui.store import Store
from screens.dialogs import QuestionDialog
from screens.entry_keys import PAUSE_S
from screens.order_entry import OrderEntryScreen
from screens.order_list import ORDER_COLUMNS
from screens.order_view import LINE_COLUMNS, OrderViewScreen
from screens.widgets.line_table import Column, cell, fit_widths
from screens.widgets.lines_grid import COLUMNS, LinesGrid, column_widths
from screens.widgets.list_table import ListTable
from tests.test_snapshots import busiest_hazmat_order
from tests.ui import burst, make_app, wait_for


def col(title: str, width: int, **kw: Any) -> Column[str]:
    return Column(title, width, lambda row: row, **kw)


def test_columns_keep_their_width_when_there_is_room_and_flex_ones_take_the_rest() -> None:
    columns = [col("A", 4), col("Name", 10, least=6, flex=1), col("C", 5)]
    assert fit_widths(columns, 21) == [4, 10, 5]
    assert fit_widths(columns, 31) == [4, 20, 5]


def test_short_of_room_flex_columns_give_way_first_then_the_right_most() -> None:
    columns = [
        col("Part", 10, least=6),
        col("Name", 20, least=8, flex=1),
        col("Note", 12, least=0),
        col("Qty", 6),
    ]
    assert fit_widths(columns, 45) == [10, 14, 12, 6]  # the name gives way first
    assert fit_widths(columns, 35) == [10, 8, 8, 6]
    # a column that may be left out goes rather than show less than its title
    assert fit_widths(columns, 27) == [10, 9, 0, 6]  # and the cell it frees goes to the name
    assert fit_widths(columns, 23) == [7, 8, 0, 6]


def test_a_value_wider_than_its_cell_ends_in_a_marker() -> None:
    assert cell("12345678901234567890", 8, right=True) == "1234567…"
    assert cell("42", 8, right=True) == "      42"
    assert cell("Promised", 8) == "Promised"


def test_a_wide_character_takes_two_cells_and_is_cut_by_cells() -> None:
    assert cell("日本", 6) == "日本  " and cell_len(cell("日本", 6)) == 6
    assert cell("日本", 6, right=True) == "  日本"
    assert cell("日本語の部品", 6) == "日本 …"  # 語 would be halved: a space, then the marker
    assert cell("🔩 bolt", 8) == "🔩 bolt "


PAIRS = [("日本製ボルト", "A"), ("plain bolt", "B"), ("🔩🔩 box", "C"), ("日本", "D")]


class _TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.table: ListTable[tuple[str, str]] = ListTable(
            [Column("Part", 12, lambda row: row[0]), Column("Code", 4, lambda row: row[1])],
            key=lambda row: row[1],
        )

    def compose(self) -> ComposeResult:
        yield self.table

    def on_mount(self) -> None:
        self.table.show(PAIRS * 10)


def screen_lines(app: App[Any], height: int) -> list[str]:
    """The top lines of the terminal as the compositor sends them (Textual has no public API
    for the composed screen but an SVG)."""
    strips = app.screen._compositor.render_strips()
    return [Strip(strip).text for strip in strips[:height]]


def at_cell(line: str, x: int) -> str:
    """The character shown at terminal cell `x` (a wide character takes two cells)."""
    for char in line:
        if x < cell_len(char):
            return char
        x -= cell_len(char)
    return ""


async def test_a_wide_character_keeps_the_next_column_in_place() -> None:
    app = _TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        lines = screen_lines(app, len(PAIRS))
        # the gutter (2), the part (12), a space: every code at the same cell, 15
        assert [at_cell(line, 15) for line in lines] == [code for _, code in PAIRS], lines
        assert lines[0].startswith("  日本製ボルト A")


async def test_a_cursor_move_draws_the_row_it_left_and_the_row_it_reached() -> None:
    app = _TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        table.focus()
        await pilot.pause()
        drawn: list[int] = []
        draw = table.render_line

        def counted(y: int) -> Strip:
            drawn.append(y)
            return draw(y)

        table.render_line = counted  # type: ignore[method-assign]
        await pilot.press("down")
        await pilot.pause()
        assert sorted(drawn) == [0, 1]
        drawn.clear()
        await pilot.press("down", "down")
        await pilot.pause()
        assert sorted(set(drawn)) == [1, 2, 3]
        drawn.clear()
        table.toggle_mark()  # a mark redraws its own row only
        await pilot.pause()
        assert drawn == [3]
        assert table.render_line(3).text.startswith("▶ ")


def test_money_columns_follow_the_rows_currency() -> None:
    """JPY has no minor unit, BHD three: the columns show what the currency has."""
    row = OrderRow(
        1, "SO1", "C1", "Name", "PO", "entered", "", Decimal("1234.5"), "USD", None, None, None
    )
    total = next(c for c in ORDER_COLUMNS if c.title == "Total")
    assert total.value(row) == "1,234.50"
    assert total.value(replace(row, currency="JPY")) == "1,235"
    assert total.value(replace(row, currency="BHD")) == "1,234.500"
    line = LineView(
        1, "P", "D", Decimal(3), "EA", Decimal("411.5"), "list", Decimal("1234.5"), "JPY",
        "CHI", Decimal(0), Decimal(0), Decimal(0), date(2026, 12, 7), "",
    )  # fmt: skip
    shown = {c.title: c.value(line) for c in LINE_COLUMNS}
    assert (shown["Price"], shown["Extended"]) == ("411.5", "1,235")
    shown = {c.title: c.value(replace(line, currency="USD")) for c in LINE_COLUMNS}
    assert (shown["Price"], shown["Extended"]) == ("411.50", "1,234.50")


def test_every_order_line_column_and_the_whole_grid_fit_at_120_columns() -> None:
    widths = dict(zip([c.title for c in LINE_COLUMNS], fit_widths(LINE_COLUMNS, 118), strict=True))
    for title in ("Part", "Qty", "Price", "Extended", "Shipped", "B/O", "Promised", "Hazmat"):
        assert widths[title] >= len(title)
    assert widths["Part"] == 22 and widths["Qty"] >= len("1000000000")
    assert sum(w for w in widths.values() if w) + sum(1 for w in widths.values() if w) - 1 <= 118
    grid = column_widths(120)
    assert sum(grid.values()) <= 120 and set(grid) == {c.key for c in COLUMNS}
    assert grid["qty"] - 1 >= len("1000000000")  # the largest quantity the engines take
    assert grid["desc"] - 1 >= len("F6→HHCS-0500-13X200-ZP")  # the longest replacement


def grid_lines(grid: LinesGrid) -> list[str]:
    return [grid.render_line(y).text for y in range(4)]


async def test_entry_shows_the_replacement_and_whole_quantities_at_120_columns(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderEntryScreen))
        screen = app.screen
        assert isinstance(screen, OrderEntryScreen)
        burst(app, "acme01PO-NARROW\n\nBAT-NICD-18V-2AH\n")
        await wait_for(pilot, lambda: isinstance(app.screen, QuestionDialog))
        await pilot.pause(PAUSE_S + 0.1)
        await pilot.press("escape")  # keep the discontinued part (stock is left)
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.pause(PAUSE_S + 0.1)
        burst(app, "4\nBAT-LI-18V-5AH\n999999999\n")
        burst(app, "B54\n12345678901234567890")
        await wait_for(pilot, lambda: len(screen.lines) >= 3)
        await pilot.pause(0.5)
        _, first, second, third = grid_lines(screen.grid)
        assert "F6→BAT-LI-18V-5AH" in first
        assert " 999999999 " in second
        assert "…234567890" in third  # typed at its end: the end shows, marked


async def open_view(pilot: Pilot[Any], order_id: int) -> OrderViewScreen:
    app = pilot.app
    app.push_screen(OrderViewScreen(app.desk, app.status, order_id))  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None)
    await pilot.pause(0.1)
    view = app.screen
    assert isinstance(view, OrderViewScreen)
    return view


async def test_order_view_lines_show_promise_and_hazmat_at_120_and_160(demo_store: Store) -> None:
    order_id = busiest_hazmat_order(demo_store)
    for size in ((120, 36), (160, 48)):
        app = make_app(demo_store)
        async with app.run_test(size=size) as pilot:
            view = await open_view(pilot, order_id)
            header = view.lines.header
            assert "Promised" in header and "Hazmat" in header
            assert view.lines.virtual_size.width <= view.lines.size.width
            shown = [view.lines.render_line(y).text for y in range(view.lines.row_count)]
            assert any(" cl " in line for line in shown)  # the hazmat class is on screen
