"""Shared fixtures: real stores on disk (SQLite) and on the local PostgreSQL server.

PostgreSQL is part of the test bed (127.0.0.1:5432, user postgres, trust auth). When it does not
answer, the tests that need it fail with that message rather than skip: a green run must mean
both stores were tested. ORDERDESK_TEST_PG overrides the server URL.
"""

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest
import time_machine

from orderdesk_tui.seed.demo import load_demo
from orderdesk_tui.store import Store

#: The real Tryton 8.2 fixture (`tryton`) for the ERP tests.
pytest_plugins = ["conftest_tryton"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `starts_first` (minutes long) run first: with xdist's work stealing
    (pyproject's addopts) one worker runs them while the other takes the rest of the suite."""
    items.sort(key=lambda item: item.get_closest_marker("starts_first") is None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What the long runs report (their `summary` property: counts, faults, seconds) is shown
    at the end, also when xdist workers ran them."""
    lines = [
        f"{report.nodeid}: {value}"
        for report in terminalreporter.stats.get("passed", [])
        for name, value in report.user_properties
        if name == "summary"
    ]
    if lines:
        terminalreporter.write_sep("-", "summaries")
        for line in lines:
            terminalreporter.write_line(line)


PG_SERVER = os.environ.get("ORDERDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {PG_SERVER} does not answer ({exc}); the store tests need it")


def _pg_url(name: str) -> str:
    base = PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def _new_database(template: str | None = None) -> str:
    name = f"od_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as admin:
        suffix = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{suffix}')
    return name


def _drop_database(name: str) -> None:
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards; yields its URL."""
    name = _new_database()
    try:
        yield _pg_url(name)
    finally:
        _drop_database(name)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A database upgraded to the current schema once per run, copied for each test (fast)."""
    name = _new_database()
    template = Store(_pg_url(name))
    template.upgrade()
    template.dispose()
    try:
        yield name
    finally:
        _drop_database(name)


@pytest.fixture
def pg_store_url(pg_template: str) -> Iterator[str]:
    """A new PostgreSQL database already at the current schema; dropped afterwards."""
    name = _new_database(template=pg_template)
    try:
        yield _pg_url(name)
    finally:
        _drop_database(name)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the developer's own config, keymap, default store or log."""
    monkeypatch.setenv("ORDERDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ORDERDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ORDERDESK_LOG_DIR", str(tmp_path / "log"))
    for name in list(os.environ):
        if name.startswith("ORDERDESK_") and name not in {
            "ORDERDESK_CONFIG_DIR",
            "ORDERDESK_DATA_DIR",
            "ORDERDESK_LOG_DIR",
            "ORDERDESK_TEST_PG",
        }:
            monkeypatch.delenv(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("pg_database")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An upgraded, empty store of each kind."""
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
        s.upgrade()
    else:
        s = Store(request.getfixturevalue("pg_store_url"))
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    s.upgrade()
    yield s
    s.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data loaded once (as of 2026-11-27); each test gets its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    load_demo(store, today=date(2026, 11, 27))
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return path


@pytest.fixture
def demo_store(demo_template: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "desk.sqlite3"
    shutil.copy(demo_template, path)
    store = Store(f"sqlite:///{path}")
    yield store
    store.dispose()


#: The moment the snapshot tests are taken at: the demo store's "now" (2026-11-27), late afternoon.
SNAPSHOT_NOW = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)


@pytest.fixture
def frozen_clock() -> Iterator[datetime]:
    """Every clock the desk reads says SNAPSHOT_NOW, in UTC (monotonic time, which Textual's
    timers use, runs on): for tests whose screen shows times (the snapshot tests)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    with time_machine.travel(SNAPSHOT_NOW, tick=False):
        yield SNAPSHOT_NOW
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()
