"""The store: engine and sessions on SQLite (WAL, the default) or PostgreSQL, plus migrations.

SQLite runs with foreign keys on, WAL and a busy timeout, and with the driver's own transaction
handling switched off so that a writer that must not lose a race (stock allocation) can take the
write lock up front with `BEGIN IMMEDIATE` (`Store.immediate()`). PostgreSQL uses row locks
(`SELECT ... FOR UPDATE`) for the same purpose.

SQLite's query planner needs row statistics (ANALYZE) to prefer a selective index: without
them it guesses, and on the 1M-order store it read every open purchase order to find one item's
incoming supply. `upgrade()` gathers them for a store that has none, and every connection runs
`PRAGMA optimize` as it closes (SQLite's advice for long-lived databases) to keep them current;
`analysis_limit` bounds both to a sample, a tenth of a second on the 1M store.

A store opened `read_only` (what `doctor` inspects) is never written: SQLite opens the file with
`mode=ro` and skips the WAL switch and the `optimize`; PostgreSQL sessions are read-only.

A PostgreSQL store may have streaming replicas (`read_urls`): `read_session()` reads from one
(read_replicas.py says which reads may), `session()` and `immediate()` are the primary's.
"""

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from sqlalchemy import CursorResult, Result, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlmodel import Session, SQLModel

import orderdesk_tui.models  # noqa: F401  (registers every table on the metadata)
from orderdesk_tui.errors import StoreError
from orderdesk_tui.masking import mask
from orderdesk_tui.migrations import HEAD, REVISIONS
from orderdesk_tui.paths import default_store_path
from orderdesk_tui.read_replicas import ReadSession, ReplicaSet, first_line, replica_label

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def resolve_url(url_or_path: str | None) -> str:
    """A SQLAlchemy URL from `--db`: a URL as is, a path as a SQLite file, empty as the default."""
    if not url_or_path:
        return f"sqlite:///{default_store_path()}"
    if "://" in url_or_path:
        if url_or_path.startswith("postgresql://"):
            return "postgresql+psycopg://" + url_or_path.removeprefix("postgresql://")
        return url_or_path
    return f"sqlite:///{Path(url_or_path).expanduser().resolve()}"


def display_url(url: str) -> str:
    """The URL with any password (and secret query value) hidden, wherever it is shown."""
    try:
        return mask(make_url(url).render_as_string(hide_password=True))
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return mask(url)


def _sqlite_pragmas(busy_timeout_s: float, *, read_only: bool = False) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see on_begin)
        cur = dbapi_conn.cursor()
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cur.close()

    return on_connect


def _sqlite_optimize_on_close(dbapi_conn: Any, _record: Any) -> None:
    """Refresh the planner statistics of the tables this connection used, if they are stale.

    Never worth waiting for: if another writer holds the lock, it is done next time."""
    with contextlib.suppress(sqlite3.Error):
        dbapi_conn.execute("PRAGMA busy_timeout=50")
        dbapi_conn.execute("PRAGMA optimize")


#: Rows ANALYZE samples per index (SQLite's recommended 100-1000).
ANALYSIS_LIMIT = 400


#: PostgreSQL connections per terminal: one for the screen's work and one for a worker thread
#: (a queue refresh while the coordinator types) stay open; a burst may open a few more, closed
#: again when returned. 64 terminals then hold ~130 connections with their LISTEN ones: raise
#: max_connections from its default 100, or put PgBouncer in front. Every connection is
#: pinged as it is checked out (pool_pre_ping), so a terminal survives a PostgreSQL restart:
#: the connections the restart broke are replaced rather than handed to a screen.
PG_POOL_SIZE = 2
PG_POOL_OVERFLOW = 3
#: How long a checkout waits for a free connection before it fails (seconds).
PG_POOL_TIMEOUT_S = 10


class CommitUncertain(StoreError):
    """The connection broke while the database committed (a restart at that very moment):
    whether the transaction was saved is not known, so it is not run again."""


def _commit(session: Session) -> None:
    """Commit; a connection that breaks during the COMMIT itself raises CommitUncertain. A
    connection that broke before it (services.contention.connection_lost) means nothing of the
    transaction was saved, and so does one that broke while the last changes were flushed."""
    session.flush()
    try:
        session.commit()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        raise CommitUncertain(
            f"the connection to the database broke while it saved ({first_line(exc)}): "
            "look whether it was saved before doing it again"
        ) from exc


def _sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get("begin_immediate"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


class Store:
    """One store (a SQLite file or a PostgreSQL database) and the sessions on it."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_s: float = 10.0,
        create: bool = True,
        read_only: bool = False,
        read_urls: Sequence[str] = (),
    ) -> None:
        """`create=False` refuses a SQLite file that does not exist; `read_only` implies it.
        `read_urls`: streaming replicas of this PostgreSQL store, for `read_session()`."""
        self.url = url
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError) as exc:  # ValueError: port 'notaport'
            reason = "" if isinstance(exc, ArgumentError) else f" ({exc})"
            raise StoreError(
                f"store URL '{display_url(url)}' is not a valid database URL{reason}"
            ) from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            path = self._prepare_sqlite_file(parsed.database, create=create and not read_only)
            if read_only:
                uri = f"file:{quote(str(path))}?mode=ro"
                self.engine = create_engine(
                    "sqlite://",
                    creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
                )
            else:
                self.engine = create_engine(url, connect_args={"check_same_thread": False})
                event.listen(self.engine, "close", _sqlite_optimize_on_close)
            event.listen(
                self.engine, "connect", _sqlite_pragmas(busy_timeout_s, read_only=read_only)
            )
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            connect_args: dict[str, Any] = {"connect_timeout": 5}
            if read_only:
                connect_args["options"] = "-c default_transaction_read_only=on"
            try:
                self.engine = create_engine(
                    url,
                    pool_pre_ping=True,
                    pool_size=PG_POOL_SIZE,
                    max_overflow=PG_POOL_OVERFLOW,
                    pool_timeout=PG_POOL_TIMEOUT_S,
                    connect_args=connect_args,
                )
            except NoSuchModuleError:
                raise StoreError(
                    f"store URL '{display_url(url)}': no driver for it; for PostgreSQL use "
                    "postgresql+psycopg://... and install orderdesk[postgres]"
                ) from None
            except ModuleNotFoundError as exc:
                raise StoreError(
                    f"store URL '{display_url(url)}' needs the Python package '{exc.name}' "
                    "(pip install 'orderdesk[postgres]')"
                ) from None
        if read_urls and self.is_sqlite:
            raise StoreError(
                f"store '{display_url(url)}' is a SQLite file: read replicas (store.read_url) "
                "are PostgreSQL streaming replicas of a PostgreSQL store"
            )
        resolved = [resolve_url(u) for u in read_urls]
        self.replicas = ReplicaSet(resolved, [replica_label(u) for u in resolved])

    @staticmethod
    def _prepare_sqlite_file(database: str | None, *, create: bool) -> Path:
        if not database or database == ":memory:":
            raise StoreError("a SQLite store must be a file (shared by terminals), not :memory:")
        path = Path(database)
        try:
            exists = path.exists()
        except OSError as exc:  # a name too long for the file system
            raise StoreError(f"store path {path}: {exc.strerror}") from None
        if not create and not exists:
            raise StoreError(
                f"store {path} does not exist; `orderdesk db upgrade` (or --create) creates it"
            )
        try:
            # only its owner reads the store: it holds the PIN and password hashes
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create store directory {path.parent}: {exc.strerror}"
            ) from None
        if path.is_dir():
            raise StoreError(f"store path {path} is a directory, not a file")
        if not exists:
            # created 0600 before SQLite opens it; its -wal and -shm files take the same mode
            try:
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            except OSError as exc:
                raise StoreError(f"cannot create store {path}: {exc.strerror}") from None
        return path

    @property
    def display_url(self) -> str:
        return display_url(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                _commit(session)
            except BaseException:
                session.rollback()
                raise

    @property
    def has_replicas(self) -> bool:
        return bool(self.replicas.replicas)

    @property
    def read_note(self) -> str:
        """Why reads go to the primary though replicas are configured; "" while they don't."""
        return self.replicas.note

    @contextmanager
    def read_session(self) -> Iterator[ReadSession]:
        """A session for reads that nothing is written from, on a replica when the store has
        one that answers (else the primary); never committed. Reads a write depends on take
        `session()` or `immediate()`."""
        with self.replicas.session(self.engine) as session:
            yield session

    def replica_lag_s(self, session: ReadSession) -> float | None:
        """Seconds the replica serving `session` is behind the primary; None on the primary."""
        return self.replicas.lag_s(session)

    def catch_up_replica(self) -> None:
        """Before a read prompted by a change notice: wait (briefly) until this terminal's
        replica has replayed what the primary has written."""
        if not self.is_sqlite:
            self.replicas.catch_up(self.engine)

    @contextmanager
    def immediate(self) -> Iterator[Session]:
        """A session that holds the write lock from its first statement (SQLite BEGIN IMMEDIATE).

        On PostgreSQL this is an ordinary transaction; callers lock rows with FOR UPDATE.
        """
        bind = (
            self.engine.execution_options(begin_immediate=True) if self.is_sqlite else self.engine
        )
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                _commit(session)
            except BaseException:
                session.rollback()
                raise

    def ping(self) -> None:
        """Open a connection and run a trivial query; raise StoreError with the reason."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError as exc:
            raise StoreError(f"cannot open store {self.display_url}: {first_line(exc)}") from None

    # -- migrations -------------------------------------------------------------------------

    def alembic_config(self) -> Any:
        """An Alembic config running on this store's engine (imported only when needed)."""
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["engine"] = self.engine
        return cfg

    @staticmethod
    def head_revision() -> str:
        return HEAD

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError as exc:
            raise StoreError(f"cannot open store {self.display_url}: {first_line(exc)}") from None

    def check_not_newer(self) -> str | None:
        """The store's revision; StoreError if it was written by a newer orderdesk."""
        current = self.current_revision()
        if current is not None and current not in REVISIONS:
            raise StoreError(
                f"store {self.display_url} has schema revision {current}, newer than this "
                f"orderdesk knows (up to {HEAD}); upgrade orderdesk, the store was left untouched"
            )
        return current

    def upgrade(self, revision: str = "head") -> tuple[str | None, str]:
        """Create or upgrade the schema; returns (revision before, revision after)."""
        before = self.check_not_newer()
        if before == HEAD and revision in {"head", HEAD}:
            self.ensure_statistics()
            return before, before
        from alembic import command

        try:
            command.upgrade(self.alembic_config(), revision)
        except DBAPIError as exc:
            raise StoreError(
                f"cannot upgrade store {self.display_url}: {first_line(exc)}"
            ) from None
        after = self.current_revision()
        assert after is not None
        self.ensure_statistics()
        return before, after

    def ensure_statistics(self) -> None:
        """ANALYZE a SQLite store if one of its tables has rows but no planner statistics (a
        store seeded or bulk-loaded since it was last analyzed). One query when there is
        nothing to do. PostgreSQL's autovacuum keeps its own statistics."""
        if not self.is_sqlite:
            return
        with self.engine.connect() as conn:
            if conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).first():
                unanalyzed = " UNION ALL ".join(
                    f"SELECT 1 WHERE EXISTS (SELECT 1 FROM {name}) "
                    f"AND NOT EXISTS (SELECT 1 FROM sqlite_stat1 WHERE tbl = '{name}')"
                    for name in SQLModel.metadata.tables
                )
                if not conn.exec_driver_sql(f"SELECT 1 FROM ({unanalyzed}) LIMIT 1").first():
                    return
        with self.engine.execution_options(begin_immediate=True).begin() as conn:
            conn.exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        self.engine.dispose()
        self.replicas.dispose()


def open_store(
    url_or_path: str | None,
    *,
    busy_timeout_s: float = 10.0,
    create: bool = True,
    read_urls: Sequence[str] = (),
) -> Store:
    return Store(
        resolve_url(url_or_path),
        busy_timeout_s=busy_timeout_s,
        create=create,
        read_urls=read_urls,
    )


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched: its result is a CursorResult, which
    Session.execute's annotation (Result) does not say."""
    return cast(CursorResult[Any], result).rowcount
