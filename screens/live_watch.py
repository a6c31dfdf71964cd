"""Following another terminal's changes from a screen (services.live), shared by the live
views: the queue, the order list and the wallboard."""

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.worker import get_current_worker

from orderdesk_tui.services import live
from orderdesk_tui.store import Store

#: A live watch that failed (store away) is tried again after this long.
REWATCH_S = 5.0


def follow_store(app: App[Any], store: Store, changed: Callable[[], object]) -> None:
    """Call from a thread worker: run `changed` on the UI thread after each change to the
    store, until the worker is cancelled. A store that is away is watched again a little
    later (a PostgreSQL restart), and `changed` runs once it is back: what changed while the
    watch was away sent no notice it heard. What is on screen stays meanwhile."""
    worker = get_current_worker()
    watch: live.ChangeWatch | None = None
    retry_at = 0.0
    lost = False
    while not worker.is_cancelled:
        if watch is None and time.monotonic() < retry_at:
            time.sleep(0.5)
            continue
        try:
            if watch is None:
                watch = live.watch(store)
                if lost and not worker.is_cancelled:
                    lost = False
                    app.call_from_thread(changed)
            if watch.wait(0.5) and not worker.is_cancelled:
                app.call_from_thread(changed)
        except Exception:
            lost = True
            if watch is not None:
                watch.close()
            watch, retry_at = None, time.monotonic() + REWATCH_S
    if watch is not None:
        watch.close()
