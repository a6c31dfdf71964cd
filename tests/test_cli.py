"""The real `orderdesk` command in a subprocess: db upgrade, users, doctor, and bad input that
must end as one line on stderr with a non-zero exit, never a traceback."""

import http.server
import os
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from orderdesk_tui.models import Customer, User, UserSecret
from orderdesk_tui.store import Store

REFUSING_PG = "postgresql+psycopg://postgres@127.0.0.1:1/x"
ERP_KEY = "s3cr3t-key"


def run(
    tmp_path: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`orderdesk ARGS` with its config, data and log dirs in tmp_path and only the given
    ORDERDESK_*."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ORDERDESK_")}
    environ.update(
        ORDERDESK_CONFIG_DIR=str(tmp_path / "config"),
        ORDERDESK_DATA_DIR=str(tmp_path / "data"),
        ORDERDESK_LOG_DIR=str(tmp_path / "log"),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "orderdesk_tui.cli", *args],
        env=environ,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def one_line_failure(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (asserting there is exactly one)."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("orderdesk:")
    return lines[0]


def _config(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / "config" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def _store_with_a_customer(path: Path) -> Store:
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    with store.session() as session:
        session.add(Customer(code="KEEP01", name="Keep Me Supply"))
    return store


def _newer_store(path: Path) -> None:
    store = _store_with_a_customer(path)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    store.dispose()


def _still_intact(path: Path, revision: str = "ffff9999") -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(revision,)]
        assert conn.execute("SELECT code FROM customers").fetchall() == [("KEEP01",)]


# -- db upgrade and users ----------------------------------------------------------------------


def test_db_upgrade_creates_a_new_sqlite_store_then_says_current(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "desk.sqlite3"
    first = run(tmp_path, "--db", str(path), "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert path.is_file()
    store = Store(f"sqlite:///{path}")
    head = store.head_revision()
    assert store.current_revision() == head
    store.dispose()
    assert f"schema empty -> {head}" in first.stdout
    assert str(path) in first.stdout

    again = run(tmp_path, "--db", str(path), "db", "upgrade")
    assert again.returncode == 0, again.stderr
    assert f"schema {head} is current" in again.stdout

    # ORDERDESK_DB names the store as well as --db does
    by_env = run(tmp_path, "db", "upgrade", ORDERDESK_DB=str(path))
    assert "is current" in by_env.stdout


def test_users_on_a_postgresql_store(tmp_path: Path, pg_database: str) -> None:
    upgraded = run(tmp_path, "--db", pg_database, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "schema empty ->" in upgraded.stdout
    assert "postgresql" in upgraded.stdout

    added = run(
        tmp_path,
        "--db",
        pg_database,
        "user",
        "add",
        "sam",
        "--role",
        "supervisor",
        "--pin",
        stdin="482913\n",
    )
    assert added.returncode == 0, added.stderr
    assert "added sam (supervisor) with a PIN" in added.stdout
    assert "482913" not in added.stdout + added.stderr

    listed = run(tmp_path, "--db", pg_database, "user", "list")
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^sam\s+supervisor\s+PIN", listed.stdout, re.MULTILINE), listed.stdout

    store = Store(pg_database)
    try:
        with store.session() as session:
            sam = session.exec(
                select(UserSecret).join(User).where(User.name == "sam")  # type: ignore[arg-type]
            ).one()
        assert sam.pin_hash and "482913" not in sam.pin_hash
    finally:
        store.dispose()

    duplicate = run(tmp_path, "--db", pg_database, "user", "add", "sam", "--role", "admin")
    assert "already exists" in one_line_failure(duplicate)
    bad_pin = run(
        tmp_path,
        "--db",
        pg_database,
        "user",
        "add",
        "kim",
        "--role",
        "admin",
        "--pin",
        stdin="12ab\n",
    )
    assert "6 to 12 digits" in one_line_failure(bad_pin)


# -- doctor ------------------------------------------------------------------------------------


def _doctor(tmp_path: Path, store_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    result = run(tmp_path, "--db", str(store_path), "doctor", **env)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def _lines(result: subprocess.CompletedProcess[str]) -> dict[str, list[str]]:
    """Doctor output by check name: {"store": ["ok   store ..."], ...}."""
    out: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^(ok  |FAIL) (\w+)\s", line)
        assert match, line
        out.setdefault(match.group(2), []).append(line)
    return out


def _failing(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode != 0
    return [line for line in result.stdout.splitlines() if line.startswith("FAIL")]


@pytest.fixture
def healthy(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "data" / "desk.sqlite3"
    store = _store_with_a_customer(path)
    store.dispose()
    yield path


def test_doctor_on_a_healthy_store(tmp_path: Path, healthy: Path) -> None:
    result = _doctor(tmp_path, healthy)
    assert result.returncode == 0, result.stdout
    lines = _lines(result)
    assert set(lines) == {"config", "setting", "store", "perms", "keymap", "erp", "mail", "log"}
    assert str(tmp_path / "log" / "orderdesk.log") in lines["log"][0]
    assert any(line.startswith("ok   setting [desk] ") for line in lines["setting"])
    assert all(line.startswith("ok") for group in lines.values() for line in group)
    assert "config.toml" in lines["config"][0]
    assert str(healthy) in lines["store"][0] and "(current)" in lines["store"][0]
    assert "bindings.toml" in lines["keymap"][0]
    assert "not configured" in lines["erp"][0]


def test_doctor_fails_on_a_newer_store(tmp_path: Path, healthy: Path) -> None:
    _newer_store(tmp_path / "newer.sqlite3")
    (fail,) = _failing(_doctor(tmp_path, tmp_path / "newer.sqlite3"))
    assert fail.startswith("FAIL store") and "newer" in fail and "ffff9999" in fail
    _still_intact(tmp_path / "newer.sqlite3")


def test_doctor_fails_on_a_corrupt_config(tmp_path: Path, healthy: Path) -> None:
    config = _config(tmp_path, "config.toml", "[desk\npage_size = 3\n")
    (fail,) = _failing(_doctor(tmp_path, healthy))
    assert fail.startswith("FAIL config") and str(config) in fail and "not valid TOML" in fail


def test_doctor_fails_on_unknown_binding_ids(tmp_path: Path, healthy: Path) -> None:
    bindings = _config(tmp_path, "bindings.toml", '[orders]\n"orders.serch" = "f5"\n')
    (fail,) = _failing(_doctor(tmp_path, healthy))
    assert fail.startswith("FAIL keymap")
    assert f"{bindings}:2" in fail and "orders.serch" in fail


def test_doctor_fails_on_a_key_no_keyboard_has(tmp_path: Path, healthy: Path) -> None:
    bindings = _config(tmp_path, "bindings.toml", '\n"order.cancel" = "banana"\n')
    (fail,) = _failing(_doctor(tmp_path, healthy))
    assert fail.startswith("FAIL keymap")
    assert f"{bindings}:2: order.cancel: bad key 'banana'" in fail


def test_doctor_fails_on_a_corrupt_bindings_file(tmp_path: Path, healthy: Path) -> None:
    bindings = _config(tmp_path, "bindings.toml", '[orders\n"x" = \n')
    (fail,) = _failing(_doctor(tmp_path, healthy))
    assert fail.startswith("FAIL keymap") and str(bindings) in fail


def test_doctor_does_not_create_a_missing_store(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "desk.sqlite3"
    (fail,) = _failing(_doctor(tmp_path, missing))
    assert fail.startswith("FAIL store") and str(missing) in fail and "does not exist" in fail
    assert not missing.parent.exists()


class _ErpStub(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def test_doctor_checks_the_erp_and_never_prints_its_key(tmp_path: Path, healthy: Path) -> None:
    refused = _doctor(
        tmp_path, healthy, ORDERDESK_ERP_URL="http://127.0.0.1:1", ORDERDESK_ERP_KEY=ERP_KEY
    )
    (fail,) = _failing(refused)
    assert fail.startswith("FAIL erp") and "http://127.0.0.1:1" in fail
    assert ERP_KEY not in refused.stdout + refused.stderr

    server = http.server.HTTPServer(("127.0.0.1", 0), _ErpStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        reached = _doctor(tmp_path, healthy, ORDERDESK_ERP_URL=url, ORDERDESK_ERP_KEY=ERP_KEY)
    finally:
        server.shutdown()
        server.server_close()
    assert reached.returncode == 0, reached.stdout
    (erp,) = _lines(reached)["erp"]
    assert "reachable" in erp and "key set" in erp
    assert ERP_KEY not in reached.stdout + reached.stderr


# -- bad input: one line, non-zero, no traceback, nothing touched ---------------------------------


def test_store_path_under_a_regular_file(tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("keep")
    for args in (["db", "upgrade"], ["user", "list"], []):  # [] starts the TUI
        line = one_line_failure(run(tmp_path, "--db", str(blocker / "desk.sqlite3"), *args))
        assert str(blocker) in line
    assert blocker.read_text() == "keep"


def test_store_whose_schema_is_newer(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    _newer_store(path)
    for args in (["db", "upgrade"], ["user", "add", "kim", "--role", "coordinator"]):
        line = one_line_failure(run(tmp_path, "--db", str(path), *args))
        assert "newer" in line and "ffff9999" in line
    _still_intact(path)


def test_corrupt_config(tmp_path: Path) -> None:
    config = _config(tmp_path, "config.toml", 'store = "x\n')
    line = one_line_failure(run(tmp_path, "--db", str(tmp_path / "s.sqlite3"), "db", "upgrade"))
    assert str(config) in line and "not valid TOML" in line
    assert not (tmp_path / "s.sqlite3").exists()
    bad_value = _config(tmp_path, "config.toml", '[desk]\npage_size = "x"\n')
    line = one_line_failure(run(tmp_path, "user", "list"))
    assert str(bad_value) in line and "desk.page_size" in line


def test_refusing_postgresql_url(tmp_path: Path) -> None:
    line = one_line_failure(run(tmp_path, "--db", REFUSING_PG, "db", "upgrade"))
    assert "127.0.0.1" in line and "refused" in line.lower()


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    line = one_line_failure(run(tmp_path, "--db", str(notes), "db", "upgrade"))
    assert "not a database" in line
    assert notes.read_text() == "not a database\n"


def test_store_locked_past_the_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    _store_with_a_customer(path).dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        result = run(
            tmp_path,
            "--db",
            str(path),
            "user",
            "add",
            "kim",
            "--role",
            "coordinator",
            ORDERDESK_STORE_BUSY_TIMEOUT_S="0.2",
        )
    finally:
        holder.rollback()
        holder.close()
    assert "locked" in one_line_failure(result)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM users").fetchall() == []
