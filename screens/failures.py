"""The desk's one error policy: nothing that fails while it runs closes it.

Whatever raises — a store or ERP call in a worker, an action run by a key or the palette, a
screen's message handler — is logged with its traceback and shown as one line naming the
action and what failed (services/failures.py words it). The desk keeps running, the fields
keep what was typed, and the same key tries again. The app catches actions and the workers
Textual would exit for (OrderDeskApp); `Guarded` catches a screen's own handlers and its
workers started with exit_on_error=False (Textual only logs those).
"""

import inspect
import logging
from typing import Any

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.timer import Timer, TimerCallback
from textual.worker import Worker, WorkerState

from orderdesk_tui.services.failures import describe_failure

log = logging.getLogger(__name__)


def action_label(name: str) -> str:
    """A worker's, action's or handler's name as words: `_submit_worker` -> `submit`."""
    words = [w for w in name.removeprefix("on_").split("_") if w and w != "worker"]
    return " ".join(words) or "the action"


def report_failure(app: App[Any], action: str, error: BaseException, where: object = None) -> None:
    """Log `error` with its traceback and tell the user in one line; nothing else changes.

    A screen with a message line of its own (`show_failure(line)`) shows it there as well."""
    line = f"{action} failed: {describe_failure(error)}; try again"
    log.error("%s failed", action, exc_info=error)
    app.notify(line, severity="error", timeout=10)
    show = getattr(where, "show_failure", None)
    if callable(show):
        try:
            show(line)
        except Exception:  # the screen is gone or half-built: the notice is enough
            log.exception("could not show %r on %r", line, where)


def report_worker(app: App[Any], worker: Worker[object]) -> None:
    """A worker ended in error: report it under its name (`_submit_worker` -> `submit`)."""
    if worker.error is not None:
        report_failure(app, action_label(worker.name), worker.error, worker.node)


def quiet_failure(message: Message) -> Worker[object] | None:
    """The worker this message says failed, if Textual would not report it (exit_on_error
    False: Textual only logs it; with True it goes to App._handle_exception)."""
    if isinstance(message, Worker.StateChanged) and message.state == WorkerState.ERROR:
        return None if message.worker.exit_on_error else message.worker
    return None


class Guarded(MessagePump):
    """A screen whose message handlers and timers cannot close the app: an error in one is
    reported and the screen goes on (Textual would exit the app)."""

    async def _on_message(self, message: Message) -> None:
        try:
            await super()._on_message(message)
        except Exception as error:
            report_failure(self.app, action_label(message.handler_name), error, self)
        worker = quiet_failure(message)
        if worker is not None:
            report_worker(self.app, worker)

    def _guard(self, callback: TimerCallback | None) -> TimerCallback | None:
        if callback is None:
            return None
        name = getattr(callback, "__name__", "")
        label = action_label(name) if name.isidentifier() else "update"

        async def guarded() -> None:
            try:
                result = callback()
                if inspect.isawaitable(result):
                    await result
            except Exception as error:
                report_failure(self.app, label, error, self)

        return guarded

    def set_timer(
        self,
        delay: float,
        callback: TimerCallback | None = None,
        *,
        name: str | None = None,
        pause: bool = False,
    ) -> Timer:
        return super().set_timer(delay, self._guard(callback), name=name, pause=pause)

    def set_interval(
        self,
        interval: float,
        callback: TimerCallback | None = None,
        *,
        name: str | None = None,
        repeat: int = 0,
        pause: bool = False,
    ) -> Timer:
        guarded = self._guard(callback)
        return super().set_interval(interval, guarded, name=name, repeat=repeat, pause=pause)
