"""Users, roles and the supervisor override (name + PIN), on SQLite and PostgreSQL."""

import json
import re

import pytest
from sqlmodel import col, select

from orderdesk_tui.errors import OrderdeskError, PermissionDenied
from orderdesk_tui.models import AuditEvent, User
from orderdesk_tui.services import users
from orderdesk_tui.store import Store

PIN = "482913"


def _events(store: Store, action: str | None = None) -> list[AuditEvent]:
    with store.session() as session:
        stmt = select(AuditEvent).where(AuditEvent.entity == "users").order_by(col(AuditEvent.id))
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return list(session.exec(stmt))


def _user(store: Store, name: str) -> User:
    with store.session() as session:
        return session.exec(select(User).where(User.name == name)).one()


def _verify(store: Store, name: str, pin: str) -> User:
    return users.verify_override(
        store,
        name,
        pin,
        requested_by="casey",
        purpose="release credit hold on SO0000042",
        max_attempts=3,
        lockout_minutes=15,
    )


# -- add_user ----------------------------------------------------------------------------------


def test_add_user_and_list(store: Store) -> None:
    added = users.add_user(store, "  Sam.Ortiz ", "supervisor", actor="admin", pin=PIN)
    users.add_user(store, "casey", "coordinator", actor="admin")
    assert added.name == "sam.ortiz" and added.role == "supervisor"
    listed = [(u.name, u.role, bool(u.pin_hash)) for u in users.list_users(store)]
    assert listed == [("casey", "coordinator", False), ("sam.ortiz", "supervisor", True)]
    event = _events(store, "user.added")[0]
    assert event.actor == "admin"
    assert json.loads(event.changes) == {"pin": [None, "set"], "role": [None, "supervisor"]}
    assert PIN not in event.changes


BAD_USERS = [
    ("sam", "boss", None, "role 'boss' is not one of"),
    ("sam smith", "coordinator", None, "must be letters, digits"),
    ("", "coordinator", None, "must be letters, digits"),
    ("robert'); drop", "coordinator", None, "must be letters, digits"),
    ("sam", "supervisor", "12ab", "4 to 12 digits"),
    ("sam", "supervisor", "123", "4 to 12 digits"),
    ("sam", "supervisor", "1234567890123", "4 to 12 digits"),
]


def test_add_user_refuses_bad_input(store: Store) -> None:
    for name, role, pin, match in BAD_USERS:
        with pytest.raises(OrderdeskError, match=re.escape(match)):
            users.add_user(store, name, role, actor="admin", pin=pin)
    assert users.list_users(store) == []
    assert _events(store) == []


def test_add_user_refuses_a_duplicate(store: Store) -> None:
    users.add_user(store, "sam", "coordinator", actor="admin")
    with pytest.raises(OrderdeskError, match="already exists"):
        users.add_user(store, "SAM", "supervisor", actor="admin")
    assert [(u.name, u.role) for u in users.list_users(store)] == [("sam", "coordinator")]


def test_pin_is_stored_only_as_a_salted_scrypt_hash(store: Store) -> None:
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN)
    users.add_user(store, "alex", "supervisor", actor="admin", pin=PIN)
    sam, alex = _user(store, "sam"), _user(store, "alex")
    assert sam.pin_hash and sam.pin_salt and alex.pin_hash and alex.pin_salt
    for user in (sam, alex):
        assert PIN not in user.pin_hash and PIN not in user.pin_salt
        assert len(bytes.fromhex(user.pin_salt)) == 16
        assert len(bytes.fromhex(user.pin_hash)) == 32
        assert users.hash_pin(PIN, bytes.fromhex(user.pin_salt)) == user.pin_hash
    # the same PIN under two salts gives two different hashes
    assert sam.pin_salt != alex.pin_salt
    assert sam.pin_hash != alex.pin_hash
    # and nowhere in the store is the PIN itself
    with store.session() as session:
        texts = [e.changes + e.reason for e in session.exec(select(AuditEvent))]
    assert all(PIN not in t for t in texts)


def test_set_pin_replaces_the_hash_and_clears_a_lock(store: Store) -> None:
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN)
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            _verify(store, "sam", "000000")
    assert _user(store, "sam").locked_until is not None
    users.set_pin(store, "sam", "7777", actor="admin")
    sam = _user(store, "sam")
    assert sam.locked_until is None and sam.failed_pin_attempts == 0
    assert _verify(store, "sam", "7777").name == "sam"
    with pytest.raises(PermissionDenied, match="wrong PIN"):
        _verify(store, "sam", PIN)
    with pytest.raises(OrderdeskError, match="no user 'nobody'"):
        users.set_pin(store, "nobody", "1234", actor="admin")


# -- verify_override ---------------------------------------------------------------------------


def test_override_success_is_audited_with_approver(store: Store) -> None:
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN)
    approver = _verify(store, " Sam ", PIN)
    assert approver.name == "sam"
    (event,) = _events(store, "override.granted")
    assert (event.actor, event.approved_by) == ("casey", "sam")
    assert event.reason == "release credit hold on SO0000042"
    # an admin can approve too
    users.add_user(store, "root", "admin", actor="admin", pin=PIN)
    assert _verify(store, "root", PIN).role == "admin"


def test_wrong_pin_counts_down_and_is_audited(store: Store) -> None:
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN)
    with pytest.raises(PermissionDenied, match=r"wrong PIN for 'sam' \(2 attempts left\)"):
        _verify(store, "sam", "000000")
    with pytest.raises(PermissionDenied, match=r"\(1 attempt left\)"):
        _verify(store, "sam", "111111")
    assert _user(store, "sam").failed_pin_attempts == 2
    refused = _events(store, "override.refused")
    assert len(refused) == 2
    assert all(e.actor == "casey" and e.approved_by == "" for e in refused)
    assert "wrong PIN" in refused[0].reason and "SO0000042" in refused[0].reason


def test_lock_out_after_max_attempts(store: Store) -> None:
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN)
    for _ in range(2):
        with pytest.raises(PermissionDenied, match="attempt"):
            _verify(store, "sam", "000000")
    with pytest.raises(PermissionDenied, match="locked for 15 minutes"):
        _verify(store, "sam", "000000")
    assert _user(store, "sam").locked_until is not None
    # locked: even the right PIN is refused, with the time it opens again
    with pytest.raises(PermissionDenied, match=r"locked until \d\d:\d\d"):
        _verify(store, "sam", PIN)
    assert _events(store, "override.granted") == []
    # every attempt is audited, the one refused by the lock included
    refused = _events(store, "override.refused")
    assert len(refused) == 4
    assert "locked for 15 minutes" in refused[2].reason
    assert "locked until" in refused[3].reason


def test_successful_override_resets_the_count(store: Store) -> None:
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN)
    for _ in range(2):
        with pytest.raises(PermissionDenied):
            _verify(store, "sam", "000000")
    _verify(store, "sam", PIN)
    assert _user(store, "sam").failed_pin_attempts == 0
    # two more wrong PINs do not lock: the count started again
    for left in ("2 attempts", "1 attempt"):
        with pytest.raises(PermissionDenied, match=left):
            _verify(store, "sam", "000000")
    assert _user(store, "sam").locked_until is None


def test_only_active_supervisors_with_a_pin_can_approve(store: Store) -> None:
    users.add_user(store, "casey", "coordinator", actor="admin", pin=PIN)
    with pytest.raises(PermissionDenied, match="'casey' is a coordinator; this needs a supervisor"):
        _verify(store, "casey", PIN)
    assert _events(store, "override.granted") == []
    # nor can an unknown user, a supervisor without a PIN, or a deactivated one
    with pytest.raises(PermissionDenied, match="not an active user"):
        _verify(store, "ghost", PIN)
    users.add_user(store, "nopin", "supervisor", actor="admin")
    with pytest.raises(PermissionDenied, match="has no PIN set"):
        _verify(store, "nopin", PIN)
    users.add_user(store, "gone", "supervisor", actor="admin", pin=PIN)
    with store.session() as session:
        gone = session.exec(select(User).where(User.name == "gone")).one()
        gone.active = False
    with pytest.raises(PermissionDenied, match="not an active user"):
        _verify(store, "gone", PIN)


# -- ensure_user / login ------------------------------------------------------------------------


def test_ensure_user_registers_an_unknown_login_as_coordinator(store: Store) -> None:
    user = users.ensure_user(store, "jordan")
    assert (user.name, user.role) == ("jordan", "coordinator")
    (event,) = _events(store, "user.registered")
    assert (event.actor, event.entity_id) == ("jordan", user.id)
    assert json.loads(event.changes) == {"role": [None, "coordinator"]}
    # a second start finds the same user and audits nothing new
    again = users.ensure_user(store, "jordan")
    assert again.id == user.id
    assert len(_events(store, "user.registered")) == 1
    # a known user keeps its role; a deactivated one is refused
    users.add_user(store, "sam", "supervisor", actor="admin")
    assert users.ensure_user(store, "sam").role == "supervisor"
    with store.session() as session:
        sam = session.exec(select(User).where(User.name == "sam")).one()
        sam.active = False
    with pytest.raises(PermissionDenied, match="deactivated"):
        users.ensure_user(store, "sam")


def test_login_name() -> None:
    assert users.login_name("  Pat ") == "pat"
    assert users.login_name(None) == users.login_name("") != ""
