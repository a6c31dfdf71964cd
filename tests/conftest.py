"""Shared fixtures: real stores on disk (SQLite) and on the local PostgreSQL server.

PostgreSQL is part of the test bed (127.0.0.1:5432, user postgres, trust auth). When it does not
answer, the tests that need it fail with that message rather than skip: a green run must mean
both stores were tested. ORDERDESK_TEST_PG overrides the server URL.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from orderdesk_tui.store import Store

PG_SERVER = os.environ.get("ORDERDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {PG_SERVER} does not answer ({exc}); the store tests need it")


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards; yields its URL."""
    name = f"od_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the developer's own config, keymap or default store."""
    monkeypatch.setenv("ORDERDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ORDERDESK_DATA_DIR", str(tmp_path / "data"))
    for name in list(os.environ):
        if name.startswith("ORDERDESK_") and name not in {
            "ORDERDESK_CONFIG_DIR",
            "ORDERDESK_DATA_DIR",
            "ORDERDESK_TEST_PG",
        }:
            monkeypatch.delenv(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("pg_database")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An upgraded, empty store of each kind."""
    s = Store(store_url)
    s.upgrade()
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    s.upgrade()
    yield s
    s.dispose()
