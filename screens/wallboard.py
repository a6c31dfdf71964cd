"""The supervisors' wallboard: a read-only, full-screen view for a wall terminal.

Big digits for what matters across a room (open orders, SLA breaches, items due within the
hour, today's fill and on-time rates, open rush orders with the oldest one's age), panes that
rotate on their own (holds by reason, the oldest waiting items, orders entered per hour today)
and a ticker of the latest events. It needs
no keyboard. It polls the store in a thread and schedules the next poll only when one is done
(so a slow store never piles up reads), and polls at once when another terminal changes the
store (the live feed, on the primary: a wall terminal reading a replica sees a submit within
a second or two); when the store goes away it keeps the last figures, says "stale since
hh:mm" and keeps trying, and picks up again when the store is back. A replica further behind
than `store.replica_lag_warn_s`, or replicas away (read from the primary), show in the title.
"""

from datetime import UTC, datetime

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Digits, Label, Static

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.sla import format_duration
from orderdesk_tui.services.failures import store_reason
from orderdesk_tui.services.queue import QueueReader
from orderdesk_tui.services.sla_clock import desk_zone
from orderdesk_tui.services.wallboard import WallboardFigures, read_wallboard
from orderdesk_tui.store import Store
from screens.crash_log import LoggedCrashApp
from screens.live_watch import follow_store
from screens.markup import escape
from screens.theme import start_theme

PANES = ("holds", "oldest", "hourly")
#: Cells the widest hold bar takes.
BAR_WIDTH = 60


#: Rows of the per-hour bar chart, and cells per hour.
CHART_ROWS = 12
HOUR_CELLS = 5


def hour_chart(per_hour: list[int]) -> str:
    """A bar per hour of the day, the count on top, hours underneath, aligned to the cell."""
    top = max(per_hour) or 1
    heights = [round(CHART_ROWS * n / top) for n in per_hour]
    lines = []
    for level in range(CHART_ROWS + 1, 0, -1):  # one row over the tallest bar for its count
        cells = []
        for n, height in zip(per_hour, heights, strict=True):
            if height >= level:
                cells.append("███".ljust(HOUR_CELLS))
            elif height == level - 1 and n:
                cells.append(str(n).center(3).ljust(HOUR_CELLS))
            else:
                cells.append(" " * HOUR_CELLS)
        lines.append("".join(cells).rstrip())
    lines.append("".join(f"{hour:02d}".center(3).ljust(HOUR_CELLS) for hour in range(24)))
    total = sum(per_hour)
    if total:
        peak = max(range(24), key=lambda h: per_hour[h])
        lines.append(f"{total} entered today, busiest hour {peak:02d}:00 ({per_hour[peak]})")
    else:
        lines.append("no order entered yet today")
    return "\n".join(lines)


def _rate(value: object) -> str:
    return "-" if value is None else f"{value}%"


class WallboardApp(LoggedCrashApp[None]):
    CSS_PATH = "wallboard.tcss"
    TITLE = "orderdesk wallboard"

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        poll_s: float = 5.0,
        rotate_s: float = 12.0,
        ticker_s: float = 0.25,
    ) -> None:
        super().__init__()
        self._theme_problem = start_theme(self, settings.desk.theme)
        self.store = store
        self.settings = settings
        self.poll_s = poll_s
        self.rotate_s = rotate_s
        self.ticker_s = ticker_s
        self.zone = desk_zone(settings.sla)
        self.figures: WallboardFigures | None = None
        self.reader = QueueReader(store, settings.sla, replica_only=True)
        self.stale_since: datetime | None = None
        #: A poll is running; a change was notified meanwhile; the next poll's timer.
        self._polling = False
        self._changed_meanwhile = False
        self._next_poll: Timer | None = None
        self.problem = ""
        self._ticker_text = ""
        self._ticker_at = 0

    def compose(self) -> ComposeResult:
        yield Static(id="wb-title")
        with Horizontal(id="wb-kpis"):
            for key, title in (
                ("open", "Open orders"),
                ("breached", "SLA breached"),
                ("due", "Due within 1 h"),
                ("fill", "Fill rate today"),
                ("ontime", "On time today"),
                ("rush", "Rush open"),
            ):
                with Vertical(classes=f"kpi kpi-{key}"):
                    yield Label(title, classes="kpi-title")
                    yield Digits("-", id=f"kpi-{key}")
                    if key == "rush":
                        yield Label("", id="kpi-rush-oldest", classes="kpi-note")
        with ContentSwitcher(initial=PANES[0], id="wb-panes"):
            with Vertical(id="holds", classes="pane"):
                yield Label("Holds by reason", classes="pane-title")
                yield Static(id="holds-bars")
            with Vertical(id="oldest", classes="pane"):
                yield Label("Oldest waiting", classes="pane-title")
                yield Static(id="oldest-list")
            with Vertical(id="hourly", classes="pane"):
                yield Label("Orders entered per hour today", classes="pane-title")
                yield Static(id="hourly-chart")
        yield Static(id="wb-ticker")

    def on_mount(self) -> None:
        # Timers belong to the widgets they move, so they stop with them when the board closes.
        self._title()
        if self._theme_problem:
            self.notify(self._theme_problem, severity="warning", timeout=15)
        self.poll_now()
        self.follow_changes()
        self.query_one(ContentSwitcher).set_interval(self.rotate_s, self.rotate)
        self.query_one("#wb-ticker").set_interval(self.ticker_s, self._scroll_ticker)
        self.query_one("#wb-title").set_interval(1.0, self._title)

    # -- reading the store ---------------------------------------------------------------------

    def poll_now(self, after_change: bool = False) -> None:
        """Read the figures now, or (a poll running) again as soon as it is done."""
        if self._polling:
            self._changed_meanwhile = self._changed_meanwhile or after_change
            return
        if self._next_poll is not None:
            self._next_poll.stop()
        self._polling = True
        self.poll(after_change)

    @work(thread=True, exclusive=True, group="wallboard-live", exit_on_error=False)
    def follow_changes(self) -> None:
        follow_store(self, self.store, lambda: self.poll_now(after_change=True))

    @work(thread=True, exclusive=True, group="wallboard-poll", exit_on_error=False)
    def poll(self, after_change: bool = False) -> None:
        try:
            figures = read_wallboard(
                self.store, self.settings, reader=self.reader, after_change=after_change
            )
        except Exception as exc:  # any failure of the store: stale, and try again
            self.call_from_thread(self._after_poll, None, store_reason(exc))
        else:
            self.call_from_thread(self._after_poll, figures, "")

    def _after_poll(self, figures: WallboardFigures | None, problem: str) -> None:
        """Show what the poll found and schedule the next one (not if the board is closing)."""
        self._polling = False
        try:
            panes = self.query_one(ContentSwitcher)
        except NoMatches:
            return
        if figures is None:
            self._stale(problem)
        else:
            self._show(figures)
        if self._changed_meanwhile:
            self._changed_meanwhile = False
            self.poll_now(after_change=True)
        else:
            self._next_poll = panes.set_timer(self.poll_s, self.poll_now)

    def _stale(self, problem: str) -> None:
        if self.stale_since is None:
            self.stale_since = datetime.now(UTC)
        self.problem = problem
        self.screen.add_class("-stale")
        self._title()

    def _show(self, figures: WallboardFigures) -> None:
        self.figures = figures
        self.stale_since = None
        self.problem = ""
        self.screen.remove_class("-stale")
        self._title()
        for key, value in (
            ("open", str(figures.open_orders)),
            ("breached", str(figures.sla_breached)),
            ("due", str(figures.due_within_hour)),
            ("fill", _rate(figures.fill_rate)),
            ("ontime", _rate(figures.on_time_rate)),
            ("rush", str(figures.rush_open)),
        ):
            self.query_one(f"#kpi-{key}", Digits).update(value)
        self.query_one(".kpi-breached").set_class(figures.sla_breached > 0, "-alert")
        self.query_one(".kpi-rush").set_class(figures.rush_open > 0, "-rush")
        oldest = figures.rush_oldest
        age = format_duration(int((figures.at - oldest).total_seconds())) if oldest else ""
        self.query_one("#kpi-rush-oldest", Label).update(f"oldest {age}" if age else "")
        self._holds(figures)
        self._oldest(figures)
        self._hourly(figures)
        self._ticker_text = "   ·   ".join(
            f"{e.at.astimezone(self.zone):%H:%M} {e.actor} {e.action}"
            + (f" {e.order_number}" if e.order_number else "")
            + (f" ({e.reason})" if e.reason else "")
            for e in figures.events
        )

    def _holds(self, figures: WallboardFigures) -> None:
        holds = figures.holds_by_reason
        if not holds:
            text = "no order is on hold"
        else:
            top = max(holds.values())
            text = "\n".join(
                f"{kind:<11} {'█' * max(1, round(BAR_WIDTH * n / top))} {n}"
                for kind, n in holds.items()
            )
        self.query_one("#holds-bars", Static).update(text)

    def _oldest(self, figures: WallboardFigures) -> None:
        rows = [
            f"{format_duration(int((figures.at - i.since).total_seconds())):>7}  {i.number:<10}"
            f" {escape(i.customer_name[:28]):<28}  {escape(i.reason_text[:40])}"
            + (f"  [{escape(i.assignee)}]" if i.assignee else "")
            for i in figures.oldest
        ]
        self.query_one("#oldest-list", Static).update("\n".join(rows) or "nothing is waiting")

    def _hourly(self, figures: WallboardFigures) -> None:
        self.query_one("#hourly-chart", Static).update(hour_chart(figures.entered_per_hour))

    # -- on its own ----------------------------------------------------------------------------

    def rotate(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        current = switcher.current or PANES[0]
        switcher.current = PANES[(PANES.index(current) + 1) % len(PANES)]

    def _title(self) -> None:
        now = datetime.now(UTC).astimezone(self.zone)
        if self.stale_since is not None:
            since = self.stale_since.astimezone(self.zone)
            state = f"STALE since {since:%H:%M} — {escape(self.problem)}; retrying"
        elif self.figures is not None:
            state = f"live · {self.figures.queue_size} items in the queue" + self._reads()
        else:
            state = "connecting…"
        title = self.query_one("#wb-title", Static)
        title.update(f"orderdesk  {now:%a %d %b %H:%M:%S}   {state}", layout=False)

    def _reads(self) -> str:
        """Where the figures come from, when it matters: a replica behind, or none answering."""
        figures = self.figures
        if figures is None:
            return ""
        if figures.read_note:
            return f" · {escape(figures.read_note)}"
        lag = figures.replica_lag_s
        if lag is not None and lag >= self.settings.store.replica_lag_warn_s:
            behind = f"{lag:.0f} s" if lag < 120 else format_duration(int(lag))
            return f" · replica {figures.replica} {behind} behind"
        return ""

    def _scroll_ticker(self) -> None:
        text = self._ticker_text
        ticker = self.query_one("#wb-ticker", Static)
        if not text:
            ticker.update("", layout=False)
            return
        loop = text + "   ·   "
        self._ticker_at = (self._ticker_at + 1) % len(loop)
        width = max(1, ticker.size.width)
        shown = (loop[self._ticker_at :] + loop * (width // len(loop) + 1))[:width]
        ticker.update(escape(shown), layout=False)
