"""Who acts is who they are, through the real `orderdesk` command: `--user` (and ORDERDESK_USER)
asks for that user's desk password, admin commands need an admin, and a SQLite store is
readable by its owner only (doctor says when it is not)."""

import getpass
import stat
from pathlib import Path

import pytest

from orderdesk_tui.services import users
from orderdesk_tui.store import Store
from tests.test_cli import one_line_failure, run

ME = getpass.getuser().strip().lower()


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A store with an admin and a supervisor who have desk passwords; this OS login is not
    yet a desk user (its first command registers it as a coordinator)."""
    path = tmp_path / "desk" / "desk.sqlite3"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    users.add_user(store, "dana", "admin", actor="setup", password="dana-secret", pin="135791")
    users.add_user(store, "sam", "supervisor", actor="dana", password="sam-secret", pin="246810")
    store.dispose()
    return path


def _roles(path: Path) -> dict[str, str]:
    store = Store(f"sqlite:///{path}")
    try:
        return {u.name: u.role for u in users.list_users(store)}
    finally:
        store.dispose()


def test_user_flag_asks_for_that_users_password(tmp_path: Path, desk: Path) -> None:
    db = ("--db", str(desk))
    # --user sam and ORDERDESK_USER=sam: without sam's password, refused; the TUI never starts
    for how in (
        run(tmp_path, *db, "--user", "sam", "user", "role", ME, "admin", stdin="guess\n"),
        run(tmp_path, *db, "--user", "sam", stdin="\n"),
        run(tmp_path, *db, "user", "list", stdin="dana-secret?\n", ORDERDESK_USER="dana"),
    ):
        assert "wrong desk password" in one_line_failure(how)
    assert _roles(desk)[ME] == "coordinator"
    # with it, sam acts as sam
    listed = run(tmp_path, *db, "--user", "Sam", "user", "list", stdin="sam-secret\n")
    assert listed.returncode == 0, listed.stderr
    assert "sam-secret" not in listed.stdout + listed.stderr
    # as yourself (the OS login) no password is asked
    own = run(tmp_path, *db, "user", "password", stdin="my own passphrase\n")
    assert own.returncode == 0, own.stderr
    assert f"desk password set for {ME}" in own.stdout


def test_admin_commands_need_an_admin(tmp_path: Path, desk: Path) -> None:
    db = ("--db", str(desk))
    for args in (
        ("user", "add", "mallory", "--role", "supervisor"),
        ("user", "role", ME, "supervisor"),
    ):
        assert "is for admins" in one_line_failure(run(tmp_path, *db, *args))
    # resetting a supervisor's PIN (which would clear their lock-out) is not a coordinator's
    reset = run(tmp_path, *db, "user", "pin", "sam", stdin="000000\n")
    assert "setting another user's PIN is for admins" in one_line_failure(reset)
    # a supervisor is no admin either
    as_sam = run(
        tmp_path, *db, "--user", "sam", "user", "add", "x", "--role", "admin", stdin="sam-secret\n"
    )
    assert "is for admins" in one_line_failure(as_sam)
    assert set(_roles(desk)) == {"dana", "sam", ME}
    # the admin, who proved it with their password, may
    promoted = run(
        tmp_path, *db, "--user", "dana", "user", "role", ME, "supervisor", stdin="dana-secret\n"
    )
    assert promoted.returncode == 0, promoted.stderr
    assert _roles(desk)[ME] == "supervisor"
    pin = run(tmp_path, *db, "--user", "dana", "user", "pin", "sam", stdin="dana-secret\n864209\n")
    assert pin.returncode == 0, pin.stderr
    assert "PIN set for sam" in pin.stdout
    short = run(tmp_path, *db, "user", "pin", stdin="2468\n")
    assert "6 to 12 digits" in one_line_failure(short)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_store_is_its_owners_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "desk.sqlite3"
    created = run(tmp_path, "--db", str(path), "--create", "user", "list")
    assert created.returncode == 0, created.stderr
    assert _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    # its write-ahead log and shared memory take the same mode while it is open
    store = Store(f"sqlite:///{path}")
    with store.session() as session:
        users.ensure_user(store, "kim")
        session.connection()
        for suffix in ("-wal", "-shm"):
            assert _mode(path.with_name(path.name + suffix)) == 0o600
    store.dispose()

    clean = run(tmp_path, "--db", str(path), "doctor")
    assert any(line.startswith("ok   perms") for line in clean.stdout.splitlines()), clean.stdout
    path.chmod(0o644)
    path.parent.chmod(0o755)
    wide = run(tmp_path, "--db", str(path), "doctor")
    assert wide.returncode != 0
    (perms,) = [line for line in wide.stdout.splitlines() if " perms " in line]
    assert perms.startswith("FAIL") and "644" in perms and "755" in perms
    assert "chmod 600" in perms
