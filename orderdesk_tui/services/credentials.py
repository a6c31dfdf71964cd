"""The secrets of desk users, an override PIN and a desk password: hashing, checking, setting.

Each is kept only as a salted scrypt hash (a memory-hard KDF from the standard library) in
`user_secrets`. On PostgreSQL that table is reachable only through the SECURITY DEFINER
functions of migration 0011, so these calls go through them; on SQLite the same rules run
here, on the table the store file's mode (0600) guards. A check counts wrong attempts in the
store (two terminals guessing both count) and, after too many, locks the user out for a while.
Callers check in an `immediate()` session, so the count is written under the write lock.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from orderdesk_tui.errors import OrderdeskError, PermissionDenied
from orderdesk_tui.models import User, UserSecret
from orderdesk_tui.models.base import utcnow

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
#: Whatever the caller asks, a check allows at most this many wrong attempts before a lock-out
#: and locks for at least this long (the PostgreSQL function keeps the same bounds).
MAX_ATTEMPTS_CEILING = 10
LOCKOUT_MINUTES_FLOOR = 1
PIN_DIGITS = (6, 12)
PASSWORD_MIN = 8


class Kind(StrEnum):
    PIN = "pin"
    PASSWORD = "password"

    @property
    def label(self) -> str:
        return "PIN" if self == Kind.PIN else "desk password"


@dataclass(frozen=True)
class Check:
    """What a check found: ok, unset (no such secret), wrong, locked, or locked_now."""

    status: str
    attempts_left: int = 0
    locked_until: datetime | None = None


def hash_secret(secret: str, salt: bytes) -> str:
    return hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT).hex()


def validate(kind: Kind, secret: str) -> None:
    low, high = PIN_DIGITS
    if kind == Kind.PIN and not (secret.isdigit() and low <= len(secret) <= high):
        raise OrderdeskError(f"a PIN is {low} to {high} digits")
    if kind == Kind.PASSWORD and len(secret) < PASSWORD_MIN:
        raise OrderdeskError(f"a desk password is at least {PASSWORD_MIN} characters")


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _row(session: Session, name: str) -> UserSecret | None:
    return session.exec(
        select(UserSecret)
        .join(User, User.id == UserSecret.user_id)  # type: ignore[arg-type]
        .where(User.name == name, User.active == True)  # noqa: E712
        .with_for_update()
    ).first()


def check(
    session: Session,
    name: str,
    kind: Kind,
    secret: str,
    *,
    max_attempts: int,
    lockout_minutes: int,
) -> Check:
    """Check `secret` against the stored hash of user `name`, counting a wrong attempt."""
    if _postgres(session):
        salt = session.execute(
            text("SELECT orderdesk_secret_salt(:name, :kind)"), {"name": name, "kind": kind.value}
        ).scalar()
        if salt is None:
            return Check("unset")
        status, left, until = session.execute(
            text("SELECT * FROM orderdesk_check_secret(:n, :k, :h, :most, :mins)"),
            {
                "n": name,
                "k": kind.value,
                "h": hash_secret(secret, bytes.fromhex(salt)),
                "most": max_attempts,
                "mins": lockout_minutes,
            },
        ).one()
        return Check(status, left, until)
    row = _row(session, name)
    stored, salt = (
        (None, None)
        if row is None
        else (row.pin_hash, row.pin_salt)
        if kind == Kind.PIN
        else (row.password_hash, row.password_salt)
    )
    if row is None or stored is None or salt is None:
        return Check("unset")
    most = min(max(max_attempts, 1), MAX_ATTEMPTS_CEILING)
    now = utcnow()
    if row.locked_until is not None and row.locked_until > now:
        return Check("locked", 0, row.locked_until)
    if hmac.compare_digest(hash_secret(secret, bytes.fromhex(salt)), stored):
        row.failed_attempts, row.locked_until = 0, None
        session.flush()
        return Check("ok", most)
    if row.failed_attempts + 1 >= most:
        row.failed_attempts = 0
        row.locked_until = now + timedelta(minutes=max(lockout_minutes, LOCKOUT_MINUTES_FLOOR))
        session.flush()
        return Check("locked_now", 0, row.locked_until)
    row.failed_attempts += 1
    session.flush()
    return Check("wrong", most - row.failed_attempts)


def set_secret(session: Session, user: User, kind: Kind, secret: str) -> None:
    """Store a new hash (fresh salt) and clear any lock-out; the caller checked who may."""
    validate(kind, secret)
    salt = secrets.token_bytes(16)
    digest = hash_secret(secret, salt)
    if _postgres(session):
        try:
            with session.begin_nested():
                session.execute(
                    text("SELECT orderdesk_set_secret(:n, :k, :s, :h)"),
                    {"n": user.name, "k": kind.value, "s": salt.hex(), "h": digest},
                )
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == "42501":  # insufficient_privilege
                raise PermissionDenied(
                    f"setting the {kind.label} of '{user.name}' is for admins"
                ) from None
            raise
        return
    assert user.id is not None
    row = session.get(UserSecret, user.id) or UserSecret(user_id=user.id)
    if kind == Kind.PIN:
        row.pin_salt, row.pin_hash = salt.hex(), digest
    else:
        row.password_salt, row.password_hash = salt.hex(), digest
    row.failed_attempts, row.locked_until = 0, None
    session.add(row)
    session.flush()


def flags(session: Session) -> dict[int, tuple[bool, bool]]:
    """user id -> (has a PIN, has a desk password)."""
    if _postgres(session):
        rows = session.execute(text("SELECT * FROM orderdesk_secret_flags()")).all()
        return {uid: (pin, password) for uid, pin, password in rows}
    return {
        row.user_id: (row.pin_hash is not None, row.password_hash is not None)
        for row in session.exec(select(UserSecret))
    }
