"""Users, roles, who is acting and the supervisor override (name + PIN), on SQLite and
PostgreSQL: each way round them the issue names is tried and refused."""

import json
import re
from typing import Any

import pytest
from sqlmodel import col, select

from orderdesk_tui.errors import OrderdeskError, PermissionDenied
from orderdesk_tui.models import AuditEvent, User, UserSecret
from orderdesk_tui.services import credentials, users
from orderdesk_tui.services.credentials import Kind
from orderdesk_tui.services.users import Approval
from orderdesk_tui.store import Store

PIN = "482913"
PASSWORD = "correct horse"


def _events(store: Store, action: str | None = None) -> list[AuditEvent]:
    with store.session() as session:
        stmt = select(AuditEvent).where(AuditEvent.entity == "users").order_by(col(AuditEvent.id))
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return list(session.exec(stmt))


def _secret(store: Store, name: str) -> UserSecret:
    with store.session() as session:
        return session.exec(
            select(UserSecret).join(User).where(User.name == name)  # type: ignore[arg-type]
        ).one()


def _verify(store: Store, name: str, pin: str) -> User:
    return users.verify_override(
        store,
        Approval(name, pin, max_attempts=3, lockout_minutes=15),
        requested_by="casey",
        purpose="release credit hold on SO0000042",
    )


def _deactivate(store: Store, name: str) -> None:
    with store.session() as session:
        session.exec(select(User).where(User.name == name)).one().active = False


# -- add_user, admins ---------------------------------------------------------------------------


def test_add_user_and_list(store: Store) -> None:
    added = users.add_user(store, "  Sam.Ortiz ", "supervisor", actor="admin", pin=PIN)
    users.add_user(store, "casey", "coordinator", actor="admin", password=PASSWORD)
    assert added.name == "sam.ortiz" and added.role == "supervisor"
    listed = [(u.name, u.role, u.has_pin, u.has_password) for u in users.list_users(store)]
    assert listed == [
        ("casey", "coordinator", False, True),
        ("sam.ortiz", "supervisor", True, False),
    ]
    event = _events(store, "user.added")[0]
    assert event.actor == "admin"
    assert json.loads(event.changes) == {
        "pin": [None, "set"],
        "role": [None, "supervisor"],
        "password": [None, None],
    }
    assert PIN not in event.changes


BAD_USERS = [
    ("sam", "boss", None, "role 'boss' is not one of"),
    ("sam smith", "coordinator", None, "must be letters, digits"),
    ("", "coordinator", None, "must be letters, digits"),
    ("robert'); drop", "coordinator", None, "must be letters, digits"),
    ("sam", "supervisor", "12ab56", "6 to 12 digits"),
    ("sam", "supervisor", "2468", "6 to 12 digits"),  # 4 digits: 92 s to brute-force offline
    ("sam", "supervisor", "12345", "6 to 12 digits"),
    ("sam", "supervisor", "1234567890123", "6 to 12 digits"),
]


def test_add_user_refuses_bad_input(store: Store) -> None:
    for name, role, pin, match in BAD_USERS:
        with pytest.raises(OrderdeskError, match=re.escape(match)):
            users.add_user(store, name, role, actor="admin", pin=pin)
    with pytest.raises(OrderdeskError, match="at least 8 characters"):
        users.add_user(store, "sam", "supervisor", actor="admin", password="short")
    assert users.list_users(store) == []
    assert _events(store) == []


def test_add_user_refuses_a_duplicate(store: Store) -> None:
    users.add_user(store, "sam", "coordinator", actor="admin")
    with pytest.raises(OrderdeskError, match="already exists"):
        users.add_user(store, "SAM", "supervisor", actor="admin")
    assert [(u.name, u.role) for u in users.list_users(store)] == [("sam", "coordinator")]


def test_admin_commands_need_an_admin(store: Store) -> None:
    """A new store takes its first users from whoever opens it; once it has an admin, adding a
    user, changing a role or setting someone else's PIN or password is theirs alone."""
    users.add_user(store, "root", "admin", actor="first-start", pin=PIN)
    users.add_user(store, "casey", "coordinator", actor="root", password=PASSWORD)
    users.add_user(store, "sam", "supervisor", actor="root", pin=PIN)
    before = _events(store)
    for attempt in (
        lambda: users.add_user(store, "mallory", "supervisor", actor="casey"),
        lambda: users.add_user(store, "mallory", "admin", actor="ghost"),
        lambda: users.set_secret(store, "sam", Kind.PIN, "111111", actor="casey"),
        lambda: users.set_secret(store, "sam", Kind.PASSWORD, "taken over", actor="casey"),
        lambda: users.set_role(store, "casey", "supervisor", actor="casey"),
        lambda: users.set_role(store, "casey", "admin", actor="sam"),
    ):
        with pytest.raises(PermissionDenied, match="is for admins"):
            attempt()
    assert _events(store) == before
    assert [(u.name, u.role) for u in users.list_users(store)] == [
        ("casey", "coordinator"),
        ("root", "admin"),
        ("sam", "supervisor"),
    ]
    assert _verify(store, "sam", PIN).name == "sam"  # sam's PIN unchanged
    # their own PIN and password are anyone's to set; an admin sets anyone's and any role
    users.set_secret(store, "sam", Kind.PIN, "135791", actor="sam")
    users.set_secret(store, "casey", Kind.PASSWORD, "new password", actor="casey")
    users.set_secret(store, "sam", Kind.PIN, "246802", actor="root")
    assert users.set_role(store, "casey", "supervisor", actor="root").role == "supervisor"
    (role_event,) = _events(store, "user.role")
    assert (role_event.actor, json.loads(role_event.changes)) == (
        "root",
        {"role": ["coordinator", "supervisor"]},
    )


def test_secrets_are_stored_only_as_salted_scrypt_hashes(store: Store) -> None:
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN, password=PASSWORD)
    users.add_user(store, "alex", "supervisor", actor="admin", pin=PIN)
    sam, alex = _secret(store, "sam"), _secret(store, "alex")
    assert sam.pin_hash and sam.pin_salt and alex.pin_hash and alex.pin_salt
    assert sam.password_hash and sam.password_salt
    for user in (sam, alex):
        assert user.pin_hash and user.pin_salt
        assert PIN not in user.pin_hash and PIN not in user.pin_salt
        assert len(bytes.fromhex(user.pin_salt)) == 16
        assert len(bytes.fromhex(user.pin_hash)) == 32
        assert credentials.hash_secret(PIN, bytes.fromhex(user.pin_salt)) == user.pin_hash
    assert credentials.hash_secret(PASSWORD, bytes.fromhex(sam.password_salt)) == (
        sam.password_hash
    )
    # the same PIN under two salts gives two different hashes
    assert sam.pin_salt != alex.pin_salt
    assert sam.pin_hash != alex.pin_hash
    # the users table itself holds no secret any more
    with store.engine.connect() as conn:
        columns = set(conn.exec_driver_sql("SELECT * FROM users").keys())
    assert not {c for c in columns if "pin" in c or "password" in c or "locked" in c}
    # and nowhere in the store is the PIN itself
    with store.session() as session:
        texts = [e.changes + e.reason for e in session.exec(select(AuditEvent))]
    assert all(PIN not in t and PASSWORD not in t for t in texts)


def test_set_pin_replaces_the_hash_and_clears_a_lock(store: Store) -> None:
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN)
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            _verify(store, "sam", "000000")
    assert _secret(store, "sam").locked_until is not None
    users.set_secret(store, "sam", Kind.PIN, "777777", actor="admin")
    sam = _secret(store, "sam")
    assert sam.locked_until is None and sam.failed_attempts == 0
    assert _verify(store, "sam", "777777").name == "sam"
    with pytest.raises(PermissionDenied, match="wrong PIN"):
        _verify(store, "sam", PIN)
    with pytest.raises(OrderdeskError, match="no user 'nobody'"):
        users.set_secret(store, "nobody", Kind.PIN, "123456", actor="admin")


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
    assert _secret(store, "sam").failed_attempts == 2
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
    assert _secret(store, "sam").locked_until is not None
    # locked: even the right PIN is refused, with the time it opens again
    with pytest.raises(PermissionDenied, match=r"locked until \d\d:\d\d"):
        _verify(store, "sam", PIN)
    assert _events(store, "override.granted") == []
    # every attempt is audited, the one refused by the lock included
    refused = _events(store, "override.refused")
    assert len(refused) == 4
    assert "locked for 15 minutes" in refused[2].reason
    assert "locked until" in refused[3].reason


def test_a_caller_cannot_lift_the_attempt_limit(store: Store) -> None:
    """The limits come with the approval, but the check keeps a ceiling of its own."""
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN)
    greedy = Approval("sam", "000000", max_attempts=1_000_000, lockout_minutes=0)
    for _ in range(credentials.MAX_ATTEMPTS_CEILING - 1):
        with pytest.raises(PermissionDenied, match="attempt"):
            users.verify_override(store, greedy, requested_by="casey", purpose="guessing")
    with pytest.raises(PermissionDenied, match="locked"):
        users.verify_override(store, greedy, requested_by="casey", purpose="guessing")
    assert _secret(store, "sam").locked_until is not None


def test_successful_override_resets_the_count(store: Store) -> None:
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN)
    for _ in range(2):
        with pytest.raises(PermissionDenied):
            _verify(store, "sam", "000000")
    _verify(store, "sam", PIN)
    assert _secret(store, "sam").failed_attempts == 0
    # two more wrong PINs do not lock: the count started again
    for left in ("2 attempts", "1 attempt"):
        with pytest.raises(PermissionDenied, match=left):
            _verify(store, "sam", "000000")
    assert _secret(store, "sam").locked_until is None


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
    _deactivate(store, "gone")
    with pytest.raises(PermissionDenied, match="not an active user"):
        _verify(store, "gone", PIN)
    # the audit names only real users: no event for the ghost, none approved by anyone
    assert {e.actor for e in _events(store)} <= {"admin", "casey"}
    assert all(e.approved_by == "" for e in _events(store))


# -- who is acting ------------------------------------------------------------------------------


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
    _deactivate(store, "sam")
    with pytest.raises(PermissionDenied, match="deactivated"):
        users.ensure_user(store, "sam")


class _Prompt:
    """Answers the password prompt and remembers whom it was asked for."""

    def __init__(self, answer: str) -> None:
        self.answer, self.asked = answer, list[str]()

    def __call__(self, name: str) -> str:
        self.asked.append(name)
        return self.answer


def test_sign_in_is_the_os_login_and_acting_as_another_takes_their_password(
    store: Store, monkeypatch: Any
) -> None:
    monkeypatch.setattr(users.getpass, "getuser", lambda: "Jordan")
    users.add_user(store, "sam", "supervisor", actor="admin", pin=PIN, password=PASSWORD)
    users.add_user(store, "nopass", "supervisor", actor="admin", pin=PIN)
    # no --user: the OS login, registered as a coordinator, no password asked
    prompt = _Prompt("never")
    assert (users.sign_in(store, None, prompt).name, prompt.asked) == ("jordan", [])
    assert users.sign_in(store, " JORDAN ", prompt).name == "jordan"
    assert prompt.asked == []
    # --user sam: sam's password, or nothing
    for wrong, match in (("", r"wrong desk password for 'sam' \(4"), ("sam", r"\(3 attempts")):
        with pytest.raises(PermissionDenied, match=match):
            users.sign_in(store, "sam", _Prompt(wrong))
    with pytest.raises(PermissionDenied, match="'nopass' has no desk password set"):
        users.sign_in(store, "nopass", _Prompt(PIN))
    with pytest.raises(PermissionDenied, match="'ghost' is not an active desk user"):
        users.sign_in(store, "ghost", _Prompt(PASSWORD))
    refused = _events(store, "signin.refused")
    assert [e.actor for e in refused] == ["jordan"] * 3
    assert all(PASSWORD not in e.reason for e in refused)
    prompt = _Prompt(PASSWORD)
    sam = users.sign_in(store, "Sam", prompt)
    assert (sam.name, sam.role, prompt.asked) == ("sam", "supervisor", ["sam"])
    assert _secret(store, "sam").failed_attempts == 0
