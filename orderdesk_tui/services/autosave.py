"""Autosave that keeps what the store refused: a draft field whose write failed stays pending,
is retried with backoff, and is reported until it lands.

The entry screen saves each field as it is left (services.drafts, one writer thread). A save
can fail: the SQLite file is locked past the busy timeout by another terminal, the PostgreSQL
server is gone for a moment. The values of a failed save are kept by scope (the header, or a
line number) and column, the newest value of a column replacing an older one, and written
again after 0.5, 1, 2, 4 … s (at most 15 s apart) in the same writer thread, so a retry never
overtakes a newer save. A later successful save of a column also settles it. `pending()` says
what is not saved yet; the screen shows it and refuses to submit while anything is.
"""

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from orderdesk_tui.services.drafts import DraftWriter
from orderdesk_tui.services.failures import store_reason

#: Which part of the draft a save writes: None for the header, else the line number.
Scope = int | None
#: Writes `values` to `scope` of the draft (raises when the store refuses).
Write = Callable[[Scope, dict[str, Any]], None]
#: Seconds before each retry; the last one repeats.
BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)


@dataclass(frozen=True)
class Pending:
    """Columns of one scope not saved yet, and why the last attempt failed."""

    scope: Scope
    columns: tuple[str, ...]
    error: str


class Autosave(DraftWriter):
    """A DraftWriter whose `save`s are kept until they land (see the module docstring)."""

    def __init__(
        self,
        on_error: Callable[[BaseException], None],
        on_pending: Callable[[], None],
        backoff_s: tuple[float, ...] = BACKOFF_S,
    ) -> None:
        super().__init__(on_error)
        self._on_pending = on_pending
        self._backoff = backoff_s
        self._lock = threading.Lock()
        self._values: dict[Scope, dict[str, Any]] = {}
        self._errors: dict[Scope, str] = {}
        self._writes: dict[Scope, Write] = {}
        self._attempt = 0
        self._timer: threading.Timer | None = None
        self._closed = False
        self._draining = False

    def save(self, scope: Scope, values: dict[str, Any], write: Write) -> Future[Any]:
        """Write `values` to `scope` in turn; if it fails they stay pending and are retried."""
        return self.submit(self._save, scope, dict(values), write)

    def line_deleted(self, line_no: int) -> None:
        """Line `line_no` is gone and the lines after it moved up: so do their pending values.

        Call it right after submitting the delete, so that it runs in the same turn."""
        self.submit(self._renumber, line_no, -1)

    def line_inserted(self, line_no: int) -> None:
        """A line was inserted as `line_no`: the pending values from it on move down one."""
        self.submit(self._renumber, line_no, 1)

    def pending(self) -> list[Pending]:
        """What is not saved yet, header first then by line."""
        with self._lock:
            return [
                Pending(scope, tuple(values), self._errors.get(scope, ""))
                for scope, values in sorted(
                    self._values.items(), key=lambda kv: -1 if kv[0] is None else kv[0]
                )
            ]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
        super().close()

    def close_when_saved(self) -> None:
        """Close now if everything landed, else keep retrying and close once it has: the
        screen that typed the values may be gone, its values are not."""
        with self._lock:
            self._draining = True
            saved = not self._values
        if saved:
            self.close()

    # -- in the writer thread ---------------------------------------------------------------

    def _save(self, scope: Scope, values: dict[str, Any], write: Write) -> None:
        try:
            write(scope, values)
        except Exception as error:  # any refusal: the values stay pending, shown and retried
            with self._lock:
                self._values.setdefault(scope, {}).update(values)
                self._errors[scope] = store_reason(error)
                self._writes[scope] = write
            self._schedule_retry()
        else:
            if not self._settle(scope, values):
                return
        self._on_pending()

    def _settle(self, scope: Scope, values: dict[str, Any]) -> bool:
        """Drop the pending values these saved; True if there were any."""
        with self._lock:
            waiting = self._values.get(scope)
            if not waiting or not waiting.keys() & values.keys():
                return False
            for name in values:
                waiting.pop(name, None)
            if not waiting:
                del self._values[scope]
                self._errors.pop(scope, None)
            return True

    def _retry(self) -> None:
        with self._lock:
            self._timer = None
            todo = [
                (scope, dict(values), self._writes[scope]) for scope, values in self._values.items()
            ]
        for scope, values, write in todo:
            try:
                write(scope, values)
            except Exception as error:  # still refused: try again later
                with self._lock:
                    self._errors[scope] = store_reason(error)
            else:
                self._settle(scope, values)
        with self._lock:
            self._attempt = self._attempt + 1 if self._values else 0
            drained = self._draining and not self._values
            if drained:
                self._closed = True
        if drained:  # the last pending save landed after its screen closed
            self.shutdown_soon()
            return
        self._schedule_retry()
        self._on_pending()

    def _renumber(self, line_no: int, step: int) -> None:
        def moved(scope: Scope) -> Scope:
            if scope is None or scope < line_no or (step < 0 and scope == line_no):
                return scope
            return scope + step

        with self._lock:
            gone = line_no if step < 0 else -1
            self._values = {moved(s): v for s, v in self._values.items() if s != gone}
            self._errors = {moved(s): v for s, v in self._errors.items() if s != gone}
            self._writes = {moved(s): v for s, v in self._writes.items() if s != gone}
        self._on_pending()

    def _schedule_retry(self) -> None:
        with self._lock:
            if self._closed or self._timer is not None or not self._values:
                return
            delay = self._backoff[min(self._attempt, len(self._backoff) - 1)]
            self._timer = threading.Timer(delay, self._retry_soon)
            self._timer.daemon = True
            self._timer.start()

    def _retry_soon(self) -> None:
        """From the timer's thread: queue the retry behind the writes given meanwhile."""
        with self._lock:  # close() shuts the pool down under the same lock
            if not self._closed:
                self.submit(self._retry)
