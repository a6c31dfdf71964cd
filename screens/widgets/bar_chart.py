"""A report's chart in the terminal: a trend as Textual's Sparkline over labelled bars, a
breakdown as labelled horizontal bars (block characters, eighths for the last cell)."""

from rich.cells import cell_len, set_cell_size
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Sparkline, Static

from orderdesk_tui.reports.table import Chart

EIGHTHS = " ▏▎▍▌▋▊▉"
LABEL_WIDTH = 16


def bar(value: float, most: float, width: int) -> str:
    """`value` of `most` as a bar `width` cells long at most."""
    if most <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = round(value / most * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[rest] if rest else "")


def bar_lines(chart: Chart, width: int) -> list[str]:
    """One line per point: label, bar, value."""
    if not chart.points:
        return ["(nothing to draw)"]
    most = max(value for _, value in chart.points)
    room = max(4, width - LABEL_WIDTH - 10)
    lines = []
    for label, value in chart.points:
        name = (
            label if cell_len(label) <= LABEL_WIDTH else set_cell_size(label, LABEL_WIDTH - 1) + "…"
        )
        shown = f"{value:,.1f}".removesuffix(".0")
        lines.append(f"{set_cell_size(name, LABEL_WIDTH)} {bar(value, most, room)} {shown}")
    return lines


class ChartPane(Vertical):
    DEFAULT_CSS = """
    ChartPane { padding: 0 1; }
    ChartPane > #chart-caption { height: 1; text-style: bold; }
    ChartPane > Sparkline { height: 4; margin: 0 0 1 0; }
    ChartPane > #chart-bars { height: auto; }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.chart: Chart | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="chart-caption")
        yield Sparkline([], id="chart-trend")
        yield Static(id="chart-bars")

    def show(self, chart: Chart | None) -> None:
        self.chart = chart
        caption = self.query_one("#chart-caption", Static)
        trend = self.query_one("#chart-trend", Sparkline)
        bars = self.query_one("#chart-bars", Static)
        if chart is None:
            caption.update("")
            trend.display = False
            bars.update("")
            return
        kind = "trend" if chart.kind == "trend" else "by"
        caption.update(Content(f"{chart.caption} ({kind})"))
        trend.display = chart.kind == "trend" and len(chart.points) > 1
        trend.data = [value for _, value in chart.points]
        bars.update(Content("\n".join(bar_lines(chart, self.size.width or 60))))

    def on_resize(self) -> None:
        if self.chart is not None:
            self.query_one("#chart-bars", Static).update(
                Content("\n".join(bar_lines(self.chart, self.size.width)))
            )
