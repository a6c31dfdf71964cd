"""The frame every desk screen shares: the F-key legend and the status bar at the bottom."""

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer

from orderdesk_tui.services.desk import Desk
from screens.widgets.status_bar import DeskStatus, StatusBar


class DeskScreen(Screen[None]):
    DEFAULT_CSS = """
    DeskScreen #frame-bottom { dock: bottom; height: auto; }
    DeskScreen #frame-bottom > Footer { dock: none; }
    DeskScreen #frame-bottom > StatusBar { dock: none; }
    """

    def __init__(self, desk: Desk, status: DeskStatus, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.desk = desk
        self.status = status

    def compose_frame(self) -> ComposeResult:
        """Yield at the end of `compose`: status bar and F-key legend, docked together."""
        with Vertical(id="frame-bottom"):
            yield StatusBar(self.status)
            yield Footer()
