"""Our Textual apps' crash handling: the traceback goes to the log file, not the terminal.

Textual prints an unhandled error as a traceback with the locals of every frame, which is where
a store URL with its password showed up over and over. `LoggedCrashApp` logs the error instead
(secrets masked, see orderdesk_tui.logfile), exits with return code 1 and keeps one line in
`crash` for the command line to print.
"""

from textual.app import App, ReturnType

from orderdesk_tui.logfile import log_unexpected


class LoggedCrashApp(App[ReturnType]):
    #: The one line about the unhandled error that ended the app, if one did.
    crash: str | None = None

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = log_unexpected(error)
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Textual's version renders the traceback (with locals) for the terminal; it is in the
        log already, so just ring and close."""
        self.bell()
        self._close_messages_no_wait()
