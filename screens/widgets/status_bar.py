"""The status bar on every screen: user and role, store, ERP sync state, outbox count, clock,
and (only then) a note that reads go to the primary because no replica answers.

The app owns one `DeskStatus` and changes it (sync state, outbox count); each screen's bar
reads it on its one-second clock tick, so no screen needs to know the others.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static


@dataclass
class DeskStatus:
    user: str
    role: str
    store: str
    erp_state: str = "not configured"
    #: Pending outbox entries; None until first counted.
    outbox: int | None = None
    #: Why reads go to the primary though the store has replicas; "" while they don't.
    read_note: Callable[[], str] = lambda: ""


class StatusBar(Horizontal):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; }
    StatusBar > Static { width: auto; padding: 0 1; }
    StatusBar > #status-store { width: 1fr; color: $text-muted; }
    StatusBar > #status-erp.-problem { background: $error; }
    StatusBar > #status-reads { background: $warning; color: $text; }
    StatusBar > #status-outbox.-waiting { color: $warning; }
    """

    def __init__(self, status: DeskStatus) -> None:
        super().__init__()
        self.status = status

    def compose(self) -> ComposeResult:
        yield Static(f"{self.status.user} ({self.status.role})", id="status-user")
        yield Static(self.status.store, id="status-store")
        yield Static(id="status-reads")
        yield Static(id="status-erp")
        yield Static(id="status-outbox")
        yield Static(id="status-clock")

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1, self.tick)

    def tick(self) -> None:
        status = self.status
        erp = self.query_one("#status-erp", Static)
        erp.update(f"ERP {status.erp_state}")
        erp.set_class(status.erp_state in {"error", "unreachable"}, "-problem")
        note = status.read_note()
        reads = self.query_one("#status-reads", Static)
        reads.update(note)
        reads.display = bool(note)
        outbox = self.query_one("#status-outbox", Static)
        outbox.update("outbox …" if status.outbox is None else f"outbox {status.outbox}")
        outbox.set_class(bool(status.outbox), "-waiting")
        clock = self.query_one("#status-clock", Static)
        clock.update(datetime.now().strftime("%H:%M:%S"), layout=False)
