"""Read replicas: which server a read goes to, and how far behind a replica is.

A PostgreSQL store may name streaming replicas (`[store] read_url`). Reads that nothing is
written from (wallboards, the queue's first load, reports, exports, lookups) take
`Store.read_session()`, which hands out a `ReadSession` on a replica; every write, and every read
that a write depends on (availability at submit, credit, version checks), keeps
`Store.session()` / `Store.immediate()` on the primary. The choice is made at the call site.

Each terminal prefers one replica (chosen by its process id, so terminals spread over several)
and stays with it: its reads never go back in time. A replica that does not answer is left
for `RETRY_S` and its readers read the primary meanwhile (`ReplicaSet.note` says so, the status
bar shows it); the next read after that tries it again and goes back to it when it answers.

A replica is behind the primary by the time since the last transaction it replayed, while it
has received more than it has replayed (nothing waiting: not behind, however quiet the primary).
LISTEN/NOTIFY does not reach a replica: live views listen on the primary (services.live), and
a read made because of a notice first waits (`catch_up`, at most `CATCH_UP_S`) until the
replica has replayed what the primary had written when it was asked.
"""

import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

#: Seconds a replica that did not answer is left alone before a read tries it again.
RETRY_S = 5.0
#: Seconds a replica gets to answer a new connection (the primary's are the Store's).
CONNECT_TIMEOUT_S = 2
#: Longest wait for a replica to replay what the primary wrote before a read after a notice.
CATCH_UP_S = 1.0

#: Behind by the last replayed transaction's age, only while received WAL waits to be replayed.
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NULL"
    " OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) END"
)


class ReadSession(Session):
    """A session for reads only, on a replica or (none configured or none answering) the
    primary; it never commits. `replica` names the replica serving it, None for the primary."""

    def __init__(self, bind: Connection, replica: str | None) -> None:
        super().__init__(bind, expire_on_commit=False)
        self.replica = replica


@dataclass
class Replica:
    url: str
    shown: str
    engine: Engine
    #: time.monotonic() before which this replica is not tried (it did not answer).
    away_until: float = 0.0
    #: Why it did not answer the last time it was tried; "" once it answers.
    problem: str = ""


class ReplicaSet:
    """The replicas of one store and which of them this terminal reads from."""

    def __init__(self, urls: Sequence[str], shown: Sequence[str]) -> None:
        self._lock = threading.Lock()
        self.replicas = [
            Replica(
                url,
                label,
                create_engine(
                    url,
                    pool_pre_ping=True,
                    connect_args={
                        "connect_timeout": CONNECT_TIMEOUT_S,
                        "options": "-c default_transaction_read_only=on",
                    },
                ),
            )
            for url, label in zip(urls, shown, strict=True)
        ]
        #: The replica this terminal prefers, then the others in turn.
        self._first = os.getpid() % len(self.replicas) if self.replicas else 0

    def _order(self) -> list[Replica]:
        return self.replicas[self._first :] + self.replicas[: self._first]

    @property
    def note(self) -> str:
        """What the status bar says about reads: empty while they go where they should."""
        with self._lock:
            away = [r for r in self.replicas if r.problem]
        if not away or len(away) < len(self.replicas):
            return ""
        return f"replica away ({away[0].problem}): reading the primary"

    def _mark_away(self, replica: Replica, exc: DBAPIError) -> None:
        with self._lock:
            replica.away_until = time.monotonic() + RETRY_S
            replica.problem = first_line(exc)

    def connect(self) -> tuple[Connection, Replica] | None:
        """A connection to the first replica that answers, or None: read the primary."""
        now = time.monotonic()
        for replica in self._order():
            if replica.away_until > now:
                continue
            try:
                conn = replica.engine.connect()
            except DBAPIError as exc:
                self._mark_away(replica, exc)
                continue
            with self._lock:
                replica.away_until, replica.problem = 0.0, ""
            return conn, replica
        return None

    @contextmanager
    def session(self, primary: Engine) -> Iterator[ReadSession]:
        """A ReadSession on a replica that answers, else on the primary. A replica that fails
        in the middle of the reads is left for a while; the error goes to the caller."""
        found = self.connect()
        conn, replica = found if found else (primary.connect(), None)
        try:
            # closing it (no rollback) keeps what was read loaded; the pool ends the transaction
            with ReadSession(conn, replica.shown if replica else None) as session:
                yield session
        except DBAPIError as exc:
            if replica is not None and exc.connection_invalidated:
                self._mark_away(replica, exc)
            raise
        finally:
            conn.close()

    def lag_s(self, session: ReadSession) -> float | None:
        """How far (seconds) the replica serving `session` is behind; None on the primary."""
        if session.replica is None:
            return None
        lag = session.connection().exec_driver_sql(LAG_SQL).scalar_one()
        return max(0.0, float(lag or 0))

    def catch_up(self, primary: Engine, timeout_s: float = CATCH_UP_S) -> None:
        """Wait until this terminal's replica has replayed what the primary has written now
        (a change just notified), at most `timeout_s`; a replica or primary away: no wait."""
        if not self.replicas:
            return
        try:
            with primary.connect() as conn:
                written = conn.exec_driver_sql("SELECT pg_current_wal_lsn()::text").scalar_one()
        except DBAPIError:
            return
        found = self.connect()
        if found is None:
            return
        conn, _replica = found
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                done = conn.exec_driver_sql(
                    "SELECT coalesce(pg_last_wal_replay_lsn() >= %(lsn)s::pg_lsn, true)",
                    {"lsn": written},
                ).scalar_one()
                conn.rollback()
                if done:
                    return
                time.sleep(0.01)
        except DBAPIError:
            return
        finally:
            conn.close()

    def dispose(self) -> None:
        for replica in self.replicas:
            replica.engine.dispose()


def replica_label(url: str) -> str:
    """host:port/database of a replica, for the status bar and the wallboard."""
    parsed = make_url(url)
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


def first_line(exc: DBAPIError) -> str:
    """The driver's first line of a database error (what a one-line message quotes)."""
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
