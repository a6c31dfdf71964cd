"""Secrets are masked everywhere (terminal, `doctor`, `sync status`, the log) and no input or
failure shows a traceback: the real `orderdesk` in a subprocess, a planted password and key."""

import asyncio
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from orderdesk_tui.logfile import MaskSecrets
from orderdesk_tui.masking import mask, register_secret, register_url
from orderdesk_tui.store import Store
from tests.test_cli import _config, one_line_failure, run

PASSWORD = "Pl4nted-Pw"
ERP_KEY = "Pl4nted-erp-key"


def _with_password(url: str) -> str:
    """The test server trusts every login, so a planted password still connects."""
    return url.replace("postgres@", f"postgres:{PASSWORD}@", 1)


def _leaks(result: subprocess.CompletedProcess[str], *secrets: str) -> list[str]:
    shown = result.stdout + result.stderr
    return [s for s in (PASSWORD, ERP_KEY, *secrets) if s in shown]


def _log(tmp_path: Path) -> str:
    return (tmp_path / "log" / "orderdesk.log").read_text(encoding="utf-8")


# -- the masking helper and the log filter --


def test_urls_are_masked_whether_they_parse_or_not() -> None:
    assert mask("postgresql://user:hunter2@host/db") == "postgresql://user:***@host/db"
    assert (
        mask("postgresql+psycopg://u:p@ss@h:notaport/x")
        == "postgresql+psycopg://u:***@h:notaport/x"
    )
    assert mask("http://erp.local/?database=x&key=abc123") == "http://erp.local/?database=x&key=***"
    assert mask("http://erp.local:8000/path") == "http://erp.local:8000/path"
    register_url("https://svc:Zq9-secret@erp.example.com/")
    assert mask("the ERP said Zq9-secret is wrong") == "the ERP said *** is wrong"


def test_the_log_filter_masks_messages_and_tracebacks() -> None:
    register_secret("filter-s3cret")
    try:
        raise RuntimeError("connect with filter-s3cret failed")
    except RuntimeError as exc:
        record = logging.LogRecord(
            "orderdesk", logging.ERROR, __file__, 1, "key %s", ("filter-s3cret",), None
        )
        record.exc_info = (type(exc), exc, exc.__traceback__)
    assert MaskSecrets().filter(record)
    text = logging.Formatter().format(record)
    assert "filter-s3cret" not in text
    assert "key ***" in text and "Traceback" in text and "RuntimeError: connect with ***" in text


# -- bad input: one line, non-zero, no traceback, no secret --


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["wallboard", "--serve", "--port", "-1"], "'-1' is not a port"),
        (["wallboard", "--serve", "--host", "256.1.1.1"], "256.1.1.1"),
        (["wallboard", "--rotate", "nan"], "'nan' is not a number of seconds"),
        (["sync", "run", "--interval", "-1"], "'-1' is not a number of seconds"),
        (["sync", "run", "--interval", "nan"], "'nan' is not a number of seconds"),
        (
            ["--db", f"postgresql+psycopg://bob:{PASSWORD}@127.0.0.1:notaport/x", "user", "list"],
            "postgresql+psycopg://bob:***@127.0.0.1:notaport/x",
        ),
        (["--db", "d" * 300, "user", "list"], "File name too long"),
        (["user", "list", "--db", f"postgresql://bob:{PASSWORD}@127.0.0.1:1/x"], "bob:***@"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    result = run(tmp_path, *args)
    assert says in one_line_failure(result)
    assert _leaks(result) == []
    assert not (tmp_path / "data").exists()  # nothing was created on the way


def test_non_utf8_config_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'[desk]\nuser = "J\xfcrgen"\n')
    line = one_line_failure(run(tmp_path, "user", "list"))
    assert str(path) in line and "not UTF-8" in line


def test_unknown_orderdesk_variable_is_one_line(tmp_path: Path) -> None:
    line = one_line_failure(run(tmp_path, "user", "list", ORDERDESK_DESK_PAGESIZE="50"))
    assert "ORDERDESK_DESK_PAGESIZE" in line and "did you mean ORDERDESK_DESK_PAGE_SIZE" in line


def test_a_strict_config_value_is_one_line(tmp_path: Path) -> None:
    config = _config(tmp_path, "config.toml", "[desk]\npin_max_attempts = true\n")
    line = one_line_failure(run(tmp_path, "user", "list"))
    assert str(config) in line and "desk.pin_max_attempts" in line


# -- unexpected errors: one line, the traceback in the log with secrets masked --

_PLANTED_CRASH = """
import sys
from orderdesk_tui.services import users

def crash(store):
    raise RuntimeError(f"boom near {store.url} with {sys.argv[-1]} and key {sys.argv[-2]}")

users.list_users = crash
from orderdesk_tui.cli import main
sys.exit(main(sys.argv[1:-2]))
"""


def _python(tmp_path: Path, code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ORDERDESK_")}
    environ.update(
        ORDERDESK_CONFIG_DIR=str(tmp_path / "config"),
        ORDERDESK_DATA_DIR=str(tmp_path / "data"),
        ORDERDESK_LOG_DIR=str(tmp_path / "log"),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )


def test_an_unexpected_error_is_one_line_and_logged_masked(
    tmp_path: Path, pg_store_url: str
) -> None:
    url = _with_password(pg_store_url)
    result = _python(
        tmp_path,
        _PLANTED_CRASH,
        "--db",
        url,
        "user",
        "list",
        ERP_KEY,
        PASSWORD,
        ORDERDESK_ERP_KEY=ERP_KEY,
    )
    line = one_line_failure(result)
    assert "unexpected error (RuntimeError: boom" in line
    assert str(tmp_path / "log" / "orderdesk.log") in line
    assert _leaks(result) == []
    log = _log(tmp_path)
    assert "Traceback" in log and "RuntimeError: boom" in log and "postgres:***@" in log
    assert PASSWORD not in log and ERP_KEY not in log


_PLANTED_TUI_CRASH = """
import sys
from textual.app import App
from orderdesk_tui.app import OrderDeskApp

def crash(self):
    raise RuntimeError(f"screen failed on {self.desk.store.url}")

OrderDeskApp.on_mount = crash
run = App.run
App.run = lambda self, **kw: run(self, headless=True)
from orderdesk_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_crash_of_the_app_is_one_line_not_a_dump_of_locals(
    tmp_path: Path, pg_store_url: str
) -> None:
    """Textual prints a crash with every frame's locals (the store URL, password and all,
    many times over); ours goes to the log, masked, and the terminal gets one line."""
    result = _python(tmp_path, _PLANTED_TUI_CRASH, "--db", _with_password(pg_store_url))
    line = one_line_failure(result)
    assert "RuntimeError: screen failed on postgresql+psycopg://postgres:***@" in line
    assert _leaks(result) == []
    log = _log(tmp_path)
    assert "Traceback" in log and "in crash" in log and PASSWORD not in log


# -- doctor and sync status mask; doctor changes nothing --


def test_doctor_and_sync_status_mask_store_and_erp_credentials(
    tmp_path: Path, pg_store_url: str
) -> None:
    env = {
        "ORDERDESK_DB": _with_password(pg_store_url),
        "ORDERDESK_ERP_URL": f"http://desk:{PASSWORD}-erp@127.0.0.1:1/?key={ERP_KEY}",
        "ORDERDESK_ERP_KEY": ERP_KEY,
    }
    doctor = run(tmp_path, "doctor", **env)
    assert "Traceback" not in doctor.stdout + doctor.stderr
    assert _leaks(doctor) == []
    assert "url=postgresql+psycopg://postgres:***@" in doctor.stdout  # the settings line
    assert "ok   store   postgresql+psycopg://postgres:***@" in doctor.stdout
    assert "http://desk:***@127.0.0.1:1/?key=***" in doctor.stdout  # settings and erp lines
    assert f"ok   log     {tmp_path / 'log' / 'orderdesk.log'}" in doctor.stdout

    status = run(tmp_path, "sync", "status", **env)
    assert status.returncode == 0, status.stderr
    assert "erp: tryton at http://desk:***@127.0.0.1:1/?key=***" in status.stdout
    assert _leaks(status) == []


def _file_state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.mark.parametrize("kind", ["zero-byte", "rollback-journal", "current"])
def test_doctor_only_reads_the_store(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "inspected.sqlite3"
    if kind == "zero-byte":
        path.touch()
    else:
        store = Store(f"sqlite:///{path}")
        store.upgrade()
        store.dispose()
        if kind == "rollback-journal":
            with sqlite3.connect(path) as conn:
                conn.execute("PRAGMA journal_mode=DELETE")
    before = _file_state(path)
    time.sleep(0.01)
    result = run(tmp_path, "--db", str(path), "doctor")
    assert "Traceback" not in result.stdout + result.stderr
    assert _file_state(path) == before
    if kind == "rollback-journal":
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    if kind == "zero-byte":
        assert "FAIL store" in result.stdout and "empty" in result.stdout


# -- a mistyped --db is not a new store; options after the command; --version --


def test_a_missing_store_path_is_refused_unless_asked_to_create(tmp_path: Path) -> None:
    typo = tmp_path / "desk-typo.sqlite3"
    for args in (["sync", "status"], ["user", "list"], []):  # [] starts the TUI
        line = one_line_failure(run(tmp_path, "--db", str(typo), *args))
        assert f"store {typo} does not exist" in line and "--create" in line
    assert not typo.exists()

    created = run(tmp_path, "user", "list", "--db", str(typo), "--create")
    assert created.returncode == 0, created.stderr
    assert typo.is_file()

    # the default store (no --db) is still made on first use, as the README's first command needs
    default = run(tmp_path, "user", "list")
    assert default.returncode == 0, default.stderr
    assert (tmp_path / "data" / "orderdesk.sqlite3").is_file()


def test_store_options_after_the_command_and_seed_creates(tmp_path: Path) -> None:
    path = tmp_path / "scaled.sqlite3"
    seeded = run(tmp_path, "seed", "--scale", "20", "--db", str(path))
    assert seeded.returncode == 0, seeded.stderr
    assert str(path) in seeded.stdout.splitlines()[-1]
    listed = run(tmp_path, "user", "list", "--db", str(path))
    assert listed.returncode == 0, listed.stderr
    upgraded = run(tmp_path, "--db", str(tmp_path / "other"), "db", "upgrade", "--db", str(path))
    assert "is current" in upgraded.stdout  # the later --db wins
    assert not (tmp_path / "other").exists()


def test_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = run(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"orderdesk {version('orderdesk')}"


# -- wallboard --serve: a token off loopback, a cap on viewers, one process per board --


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


async def _watch(port: int, token: str, server_pid: int) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    async with aiohttp.ClientSession() as session:
        for name, path in (("bare", "/ws"), ("wrong", "/ws/not-the-token")):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"ws://127.0.0.1:{port}{path}")
            seen[name] = refused.value.status
        board = await session.ws_connect(f"ws://127.0.0.1:{port}/ws/{token}?width=100&height=30")
        first = await board.receive(timeout=30)
        seen["first"] = first.type
        seen["children"] = [
            Path(f"/proc/{c}/cmdline").read_bytes().split(b"\0") for c in _children(server_pid)
        ]
        with pytest.raises(aiohttp.WSServerHandshakeError) as full:
            await session.ws_connect(f"ws://127.0.0.1:{port}/ws/{token}")
        seen["second"] = full.value.status
        await board.close()
    return seen


def test_wallboard_serve_off_loopback_needs_the_token_and_caps_viewers(
    tmp_path: Path,
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'board.sqlite3'}")
    store.upgrade()
    store.dispose()
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ORDERDESK_")}
    environ.update(
        ORDERDESK_CONFIG_DIR=str(tmp_path / "config"),
        ORDERDESK_DATA_DIR=str(tmp_path / "data"),
        ORDERDESK_LOG_DIR=str(tmp_path / "log"),
        ORDERDESK_WALLBOARD_MAX_VIEWERS="1",
    )
    command = [sys.executable, "-m", "orderdesk_tui.cli", "--db", str(tmp_path / "board.sqlite3")]
    proc = subprocess.Popen(
        [*command, "wallboard", "--serve", "--host", "0.0.0.0", "--port", str(port)],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        started = proc.stdout.readline()
        assert f"open http://0.0.0.0:{port}/?token=" in started and "at most 1 viewers" in started
        token = started.split("?token=")[1].split()[0]
        assert len(token) >= 16

        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/?token=x", timeout=10).status_code == 401
        page = httpx.get(f"http://127.0.0.1:{port}/?token={token}", timeout=10)
        assert page.status_code == 200
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws/{token}"' in page.text

        seen = asyncio.run(_watch(port, token, proc.pid))
        assert seen["bare"] == 401 and seen["wrong"] == 401
        assert seen["first"] == aiohttp.WSMsgType.BINARY  # the board's first frame
        (board,) = seen["children"]
        assert board[0] == sys.executable.encode() and b"wallboard" in board  # no shell
        assert seen["second"] == 503
    finally:
        proc.terminate()
        proc.wait(timeout=15)


async def test_a_configured_token_is_asked_for_even_on_loopback() -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from orderdesk_tui.wallboard_serve import WallboardServer, is_loopback

    assert is_loopback("localhost") and is_loopback("127.0.0.2") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("desk-pc.local")
    server = WallboardServer("true", host="127.0.0.1", port=1, token="c0nfigured", max_viewers=2)
    async with TestClient(TestServer(await server._make_app())) as client:
        assert (await client.get("/")).status == 401
        assert (await client.get("/ws")).status == 401
        page = await client.get("/?token=c0nfigured")
        assert page.status == 200
        assert "/ws/c0nfigured" in await page.text()


async def test_an_erp_url_password_is_masked_in_the_connectors_errors() -> None:
    """Its errors are stored as the outbox's last error and shown in the app and `sync status`."""
    from pydantic import SecretStr

    from orderdesk_tui.config import ErpSettings
    from orderdesk_tui.erp.connector import TransientErpError
    from orderdesk_tui.erp.tryton.connector import TrytonConnector

    settings = ErpSettings(
        url=f"http://desk:{PASSWORD}@127.0.0.1:{_free_port()}",
        database="orderdesk",
        key=SecretStr(ERP_KEY),
    )
    async with TrytonConnector(settings) as down:
        with pytest.raises(TransientErpError) as info:
            await down.find_order("SO0000001")
    assert "cannot reach Tryton at http://desk:***@127.0.0.1:" in str(info.value)
    assert PASSWORD not in str(info.value) and ERP_KEY not in str(info.value)
