"""The sync engine: sends the outbox to the ERP and pulls master data back, for any connector.

`SyncEngine` pushes (`push`: claims, order, idempotency, failures, conflicts) and pulls
(`pull`), and `run` repeats both until stopped. A failed entry is sent again after a backoff or
when a person re-queues it (`retry`); `status` reads the outcomes for the CLI and the status bar.

The store is synchronous (SQLAlchemy); every store call runs in a thread (`asyncio.to_thread`)
so that a store waiting on another terminal's lock never stalls requests in flight.
"""

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from orderdesk_tui.erp.connector import ErpError
from orderdesk_tui.erp.sync.outbox import LAST_PUSH_ERROR, ORDERS
from orderdesk_tui.erp.sync.pull import Puller
from orderdesk_tui.erp.sync.push import Pusher
from orderdesk_tui.erp.sync.retry import retry_failed
from orderdesk_tui.erp.sync.status import SyncStatus, read_status

log = logging.getLogger(__name__)


class SyncEngine(Pusher, Puller):
    """Moves the outbox to one ERP and master data back; see the module docstring and those
    of `push` and `pull`."""

    def status(self) -> SyncStatus:
        return read_status(self.store, now=self._now(), erp_state=self.erp_state)

    def retry_failed(self, order_id: int, *, actor: str | None = None, entity: str = ORDERS) -> int:
        return retry_failed(
            self.store, order_id, actor=actor or self.actor, now=self._now(), entity=entity
        )

    async def run(
        self,
        stop: asyncio.Event | threading.Event,
        *,
        on_cycle: Callable[[SyncStatus], Any] | None = None,
    ) -> None:
        """Push, and pull every `pull_interval_s`, until `stop` is set; never raises on ERP or
        store trouble (it is recorded and the loop goes on after the poll interval)."""
        next_pull = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                try:
                    report = await self.push_once()
                    if report.errors:
                        log.info("sync push: %s; %s", report, report.errors[-1])
                    if loop.time() >= next_pull:
                        next_pull = loop.time() + self.pull_interval_s
                        await self.pull_once()
                except ErpError as exc:  # a connector error outside an entry
                    self._note_erp_error(exc)
                except Exception as exc:  # the store went away: keep trying, say so
                    log.exception("sync cycle failed")
                    self.erp_state = "error"
                    try:
                        await self._db(self._note_state, LAST_PUSH_ERROR, f"sync: {exc}")
                    except Exception:
                        log.debug("cannot record the sync error", exc_info=True)
                if on_cycle is not None:
                    try:
                        result = on_cycle(await self._db(self.status))
                        if asyncio.iscoroutine(result):
                            await result
                    except Exception:
                        log.exception("sync status callback failed")
                await _wait(stop, self.poll_interval_s)
        finally:
            self.erp_state = "stopped"


async def _wait(stop: asyncio.Event | threading.Event, seconds: float) -> None:
    if isinstance(stop, asyncio.Event):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not stop.is_set() and loop.time() < deadline:
        await asyncio.sleep(min(0.1, deadline - loop.time()))
