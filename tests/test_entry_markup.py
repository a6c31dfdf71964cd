"""The entry screen's colours are theme variables: they render in the theme's colours, in the
lines grid (drawn from Textual content markup) as in a Static."""

from rich.color import Color as RichColor
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Static

from screens.widgets.lines_grid import LinesGrid


class GridApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LinesGrid(id="lines")
        yield Static("[b $error]not submitted[/]", id="message")


def theme_colour(app: App[None], name: str) -> RichColor:
    return Color.parse(app.theme_variables[name]).rich_color


async def test_theme_variables_render_in_the_lines_grid_and_a_static() -> None:
    app = GridApp()
    async with app.run_test(size=(160, 10)) as pilot:
        grid = app.query_one(LinesGrid)
        row = grid.add_row()
        row.paint(stock="[$success]✓ 10 CHI[/]", quote="[b $error]under floor[/]")
        await pilot.pause()
        segments = list(grid.render_line(1))
        tick = next(s for s in segments if "✓" in s.text)
        floor = next(s for s in segments if "under floor" in s.text)
        assert tick.style is not None and tick.style.color == theme_colour(app, "success")
        assert floor.style is not None and floor.style.color == theme_colour(app, "error")
        assert floor.style.bold
        message = app.query_one("#message", Static)
        drawn = [s for s in message.render_line(0) if "not submitted" in s.text]
        assert drawn and drawn[0].style is not None
        assert drawn[0].style.color == theme_colour(app, "error")
