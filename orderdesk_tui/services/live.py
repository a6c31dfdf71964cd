"""Knowing, cheaply, that another terminal changed the store, so live views refresh in time.

SQLite: `PRAGMA data_version` on one connection kept open changes whenever another connection
(any process, or this one's pool) commits; reading it costs microseconds, so it is polled fifty
times a second (another terminal's change on screen within ~100 ms, bench/queue_refresh.py).
PostgreSQL: migration 0006 puts a statement trigger on the watched tables that sends NOTIFY
on channel `orderdesk_changes`; this LISTENs on a connection of its own.

`ChangeWatch.wait(timeout)` blocks (call it from a thread worker) and says whether something
changed; a store that goes away raises, and the caller reconnects with a new watch.

psycopg is imported by the PostgreSQL watch only: it comes with the `postgres` extra, and the
plain install (SQLite) must open the queue without it.
"""

import sqlite3
import time
from typing import Protocol

from orderdesk_tui.store import Store

CHANNEL = "orderdesk_changes"
#: Seconds between two reads of SQLite's data_version (0.2 gave ~200 ms to a live screen).
SQLITE_POLL_S = 0.02
#: After the first notice, how long to collect the others of the same burst.
BURST_S = 0.05


class ChangeWatch(Protocol):
    def wait(self, timeout: float) -> bool: ...

    def close(self) -> None: ...


class SqliteWatch:
    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._version = self._read()

    def _read(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            current = self._read()
            if current != self._version:
                self._version = current
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(SQLITE_POLL_S, left))

    def close(self) -> None:
        self._conn.close()


class PostgresWatch:
    def __init__(self, url: str) -> None:
        import psycopg  # only a PostgreSQL store has it (the Store checked it is installed)

        self._conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
        self._conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> bool:
        got = any(True for _ in self._conn.notifies(timeout=timeout, stop_after=1))
        if got:  # one refresh for a burst of statements
            for _ in self._conn.notifies(timeout=BURST_S):
                pass
        return got

    def close(self) -> None:
        self._conn.close()


def watch(store: Store) -> ChangeWatch:
    """A watch on `store`; raises if the store cannot be reached."""
    url = store.engine.url
    if store.is_sqlite:
        assert url.database is not None
        return SqliteWatch(url.database)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return PostgresWatch(plain)
