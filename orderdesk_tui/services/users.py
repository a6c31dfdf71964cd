"""Users, roles and the supervisor override (name + PIN, checked on the spot).

PINs are stored only as a salted scrypt hash (a memory-hard KDF from the standard library).
Repeated wrong PINs lock the supervisor's override for a while; every attempt is audited.
"""

import getpass
import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from orderdesk_tui.errors import OrderdeskError, PermissionDenied
from orderdesk_tui.models import User
from orderdesk_tui.models.base import Role, utcnow
from orderdesk_tui.services.audit import record
from orderdesk_tui.store import Store

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
#: Roles that can approve a supervisor-only action.
APPROVERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


def hash_pin(pin: str, salt: bytes) -> str:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT).hex()


def validate_pin(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise OrderdeskError("a PIN is 4 to 12 digits")


def login_name(explicit: str | None) -> str:
    """The acting user: `--user` / ORDERDESK_USER if given, else the OS login."""
    return (explicit or getpass.getuser()).strip().lower()


def ensure_user(store: Store, name: str) -> User:
    """The user row for `name`; a first-time login becomes a coordinator (audited)."""
    with store.immediate() as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None:
            user = User(name=name, role=Role.COORDINATOR)
            session.add(user)
            session.flush()
            assert user.id is not None
            record(
                session,
                actor=name,
                entity="users",
                entity_id=user.id,
                action="user.registered",
                changes={"role": (None, user.role)},
                reason="first start as this login",
            )
        elif not user.active:
            raise PermissionDenied(f"user '{name}' is deactivated; ask an admin")
        return user


def add_user(store: Store, name: str, role: str, *, actor: str, pin: str | None = None) -> User:
    name = name.strip().lower()
    if role not in set(Role):
        raise OrderdeskError(f"role '{role}' is not one of {', '.join(Role)}")
    if not name or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise OrderdeskError(f"user name '{name}' must be letters, digits, '.', '-' or '_'")
    if pin is not None:
        validate_pin(pin)
    with store.immediate() as session:
        if session.exec(select(User).where(User.name == name)).first() is not None:
            raise OrderdeskError(f"user '{name}' already exists")
        user = User(name=name, role=role)
        if pin is not None:
            salt = secrets.token_bytes(16)
            user.pin_salt, user.pin_hash = salt.hex(), hash_pin(pin, salt)
        session.add(user)
        session.flush()
        assert user.id is not None
        record(
            session,
            actor=actor,
            entity="users",
            entity_id=user.id,
            action="user.added",
            changes={"role": (None, role), "pin": (None, "set" if pin else None)},
        )
        return user


def set_pin(store: Store, name: str, pin: str, *, actor: str) -> None:
    validate_pin(pin)
    with store.immediate() as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None:
            raise OrderdeskError(f"no user '{name}'")
        salt = secrets.token_bytes(16)
        user.pin_salt, user.pin_hash = salt.hex(), hash_pin(pin, salt)
        user.failed_pin_attempts, user.locked_until = 0, None
        user.version += 1
        assert user.id is not None
        record(session, actor=actor, entity="users", entity_id=user.id, action="user.pin_set")


def list_users(store: Store) -> list[User]:
    with store.session() as session:
        return list(session.exec(select(User).order_by(User.name)))


def verify_override(
    store: Store,
    name: str,
    pin: str,
    *,
    requested_by: str,
    purpose: str,
    max_attempts: int = 5,
    lockout_minutes: int = 15,
) -> User:
    """Check a supervisor's name and PIN for an action `requested_by` asked for.

    Returns the supervisor; raises PermissionDenied saying why (unknown, not a supervisor, no
    PIN set, wrong PIN with attempts left, locked until hh:mm). Each attempt is audited.
    """
    name = name.strip().lower()
    with store.immediate() as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None or not user.active:
            raise PermissionDenied(f"'{name}' is not an active user")
        if user.role not in APPROVERS:
            raise PermissionDenied(f"'{name}' is a {user.role}; this needs a supervisor")
        if not user.pin_hash or not user.pin_salt:
            raise PermissionDenied(f"supervisor '{name}' has no PIN set (orderdesk user pin)")
        now = utcnow()
        assert user.id is not None
        if user.locked_until is not None and user.locked_until > now:
            # refused without checking the PIN, but audited like any other attempt
            local = user.locked_until.astimezone().strftime("%H:%M")
            message = f"override by '{name}' is locked until {local}"
        elif hmac.compare_digest(hash_pin(pin, bytes.fromhex(user.pin_salt)), user.pin_hash):
            user.failed_pin_attempts, user.locked_until = 0, None
            record(
                session,
                actor=requested_by,
                approved_by=name,
                entity="users",
                entity_id=user.id,
                action="override.granted",
                reason=purpose,
            )
            return user
        else:
            # counted in the database, so two terminals typing wrong PINs both count
            session.execute(
                update(User)
                .where(col(User.id) == user.id)
                .values(failed_pin_attempts=col(User.failed_pin_attempts) + 1)
            )
            session.refresh(user)
            left = max_attempts - user.failed_pin_attempts
            if left <= 0:
                user.locked_until = now + timedelta(minutes=lockout_minutes)
                user.failed_pin_attempts = 0
                message = f"wrong PIN; override by '{name}' locked for {lockout_minutes} minutes"
            else:
                message = f"wrong PIN for '{name}' ({left} attempt{'s' if left != 1 else ''} left)"
        record(
            session,
            actor=requested_by,
            entity="users",
            entity_id=user.id,
            action="override.refused",
            reason=f"{purpose}: {message}",
        )
    raise PermissionDenied(message)
