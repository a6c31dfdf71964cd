"""The frame every desk screen shares: the F-key legend and the status bar at the bottom."""

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer

from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.users import APPROVERS, Approval
from screens.failures import Guarded
from screens.widgets.status_bar import DeskStatus, StatusBar


class DeskScreen(Guarded, Screen[None]):
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

    def with_supervisor(
        self, needed: bool, purpose: str, then: Callable[[Approval | None], object]
    ) -> None:
        """Run `then` with the supervisor's approval: none needed, the user is one, or an
        override typed here (which the service checks again as it acts)."""
        from screens.dialogs import SupervisorDialog

        if not needed or self.desk.user.role in APPROVERS:
            then(None)
            return

        def done(supervisor: Approval | None) -> None:
            if supervisor is None:
                self.notify("not done: no supervisor override", severity="warning")
            else:
                then(supervisor)

        self.app.push_screen(
            SupervisorDialog(purpose, lambda n, p: self.desk.verify_supervisor(n, p, purpose)),
            done,
        )
