"""Users, roles, who is acting, and the supervisor override (name + PIN, checked on the spot).

Identity is what the user proved: the OS login of the process (SSH/PAM authenticated it), or on
PostgreSQL the database role the terminal connected as when that is not the schema owner (each
desk user connecting as their own role). Acting as another desk user takes that user's desk
password. A supervisor's approval is checked by the service that acts, against the users table
inside its own transaction (`approve`), never taken from a `User` the caller built. Adding
users, changing roles and setting someone else's PIN or password are for admins. Every attempt
at a secret is counted (credentials.check) and audited under the real user it names.
"""

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session, select

from orderdesk_tui.errors import OrderdeskError, PermissionDenied
from orderdesk_tui.models import User
from orderdesk_tui.models.base import Role
from orderdesk_tui.services import credentials
from orderdesk_tui.services.audit import record
from orderdesk_tui.services.credentials import Check, Kind
from orderdesk_tui.store import Store

#: Roles that can approve a supervisor-only action.
APPROVERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_LOCKOUT_MINUTES = 15


@dataclass(frozen=True)
class Approval:
    """A supervisor's name and PIN as typed, for the acting service to check itself."""

    name: str
    pin: str = field(repr=False)
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    lockout_minutes: int = DEFAULT_LOCKOUT_MINUTES


@dataclass(frozen=True)
class UserRow:
    name: str
    role: str
    active: bool
    has_pin: bool
    has_password: bool


def _normal(name: str) -> str:
    return name.strip().lower()


def _find(session: Session, name: str) -> User | None:
    return session.exec(select(User).where(User.name == name)).first()


def _active(session: Session, name: str) -> User:
    user = _find(session, name)
    if user is None or not user.active:
        raise PermissionDenied(f"'{name}' is not an active user")
    return user


def database_login(store: Store) -> str | None:
    """The PostgreSQL role this terminal connected as, when it is a desk user's own role (not
    the owner of the schema, whom a shared-role deployment connects as); else None."""
    if store.is_sqlite:
        return None
    with store.session() as session:
        role, owner = session.execute(
            text(
                "SELECT current_user, (SELECT tableowner FROM pg_tables "
                "WHERE tablename = 'users' AND schemaname = current_schema())"
            )
        ).one()
    return None if role == owner else str(role)


def ensure_user(store: Store, name: str) -> User:
    """The user row for `name`; a first-time login becomes a coordinator (audited)."""
    with store.immediate() as session:
        user = _find(session, name)
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


def sign_in(
    store: Store,
    as_user: str | None,
    read_password: Callable[[str], str],
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    lockout_minutes: int = DEFAULT_LOCKOUT_MINUTES,
) -> User:
    """The acting user: the proven login, or `as_user` once their desk password is given."""
    role = database_login(store)
    proven = _normal(role or getpass.getuser())
    if role is None:  # a desk role is added by an admin, never registered on first start
        ensure_user(store, proven)
    with store.session() as session:
        me = _active(session, proven)  # also: the refusals below are audited under a real user
    wanted = _normal(as_user) if as_user else proven
    if wanted == proven:
        return me
    password = read_password(wanted)
    with store.immediate() as session:
        target = _find(session, wanted)
        if target is None or not target.active:
            raise PermissionDenied(f"'{wanted}' is not an active desk user")
        found = credentials.check(
            session,
            wanted,
            Kind.PASSWORD,
            password,
            max_attempts=max_attempts,
            lockout_minutes=lockout_minutes,
        )
        if found.status == "ok":
            return target
        assert target.id is not None
        message = _refusal(found, wanted, Kind.PASSWORD, lockout_minutes)
        record(
            session,
            actor=proven,
            entity="users",
            entity_id=target.id,
            action="signin.refused",
            reason=f"acting as {wanted}: {message}",
        )
    raise PermissionDenied(message)


def _refusal(found: Check, name: str, kind: Kind, lockout_minutes: int) -> str:
    what = "override" if kind == Kind.PIN else "sign-in"
    if found.status == "unset":
        hint = "orderdesk user pin" if kind == Kind.PIN else "orderdesk user password"
        return f"'{name}' has no {kind.label} set ({hint})"
    if found.status == "locked":
        local = found.locked_until.astimezone().strftime("%H:%M") if found.locked_until else "?"
        return f"{what} as '{name}' is locked until {local}"
    if found.status == "locked_now":
        return f"wrong {kind.label}; {what} as '{name}' locked for {lockout_minutes} minutes"
    left = found.attempts_left
    return f"wrong {kind.label} for '{name}' ({left} attempt{'s' if left != 1 else ''} left)"


def _require_admin(session: Session, actor: str, what: str) -> None:
    """Refuse unless `actor` is an active admin; while the store has no admin at all (a new
    store), whoever can open it may add the first users."""
    user = _find(session, actor)
    if user is not None and user.active and user.role == Role.ADMIN:
        return
    if session.exec(select(User.id).where(User.role == Role.ADMIN, User.active == True)).first():  # noqa: E712
        raise PermissionDenied(f"{what} is for admins ('{actor}' is not one)")


def add_user(
    store: Store,
    name: str,
    role: str,
    *,
    actor: str,
    pin: str | None = None,
    password: str | None = None,
) -> User:
    name = _normal(name)
    if role not in set(Role):
        raise OrderdeskError(f"role '{role}' is not one of {', '.join(Role)}")
    if not name or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise OrderdeskError(f"user name '{name}' must be letters, digits, '.', '-' or '_'")
    if pin is not None:
        credentials.validate(Kind.PIN, pin)
    if password is not None:
        credentials.validate(Kind.PASSWORD, password)
    with store.immediate() as session:
        _require_admin(session, actor, "adding a user")
        if _find(session, name) is not None:
            raise OrderdeskError(f"user '{name}' already exists")
        user = User(name=name, role=role)
        session.add(user)
        session.flush()
        assert user.id is not None
        for kind, secret in ((Kind.PIN, pin), (Kind.PASSWORD, password)):
            if secret is not None:
                credentials.set_secret(session, user, kind, secret)
        record(
            session,
            actor=actor,
            entity="users",
            entity_id=user.id,
            action="user.added",
            changes={
                "role": (None, role),
                "pin": (None, "set" if pin else None),
                "password": (None, "set" if password else None),
            },
        )
        return user


def set_secret(store: Store, name: str, kind: Kind, secret: str, *, actor: str) -> None:
    """Set a user's PIN or desk password (and clear their lock-out): their own, or an admin."""
    name = _normal(name)
    credentials.validate(kind, secret)
    with store.immediate() as session:
        if name != actor:
            _require_admin(session, actor, f"setting another user's {kind.label}")
        user = _find(session, name)
        if user is None:
            raise OrderdeskError(f"no user '{name}'")
        credentials.set_secret(session, user, kind, secret)
        assert user.id is not None
        record(session, actor=actor, entity="users", entity_id=user.id, action=f"user.{kind}_set")


def set_role(store: Store, name: str, role: str, *, actor: str) -> User:
    name = _normal(name)
    if role not in set(Role):
        raise OrderdeskError(f"role '{role}' is not one of {', '.join(Role)}")
    with store.immediate() as session:
        _require_admin(session, actor, "changing a role")
        user = _find(session, name)
        if user is None:
            raise OrderdeskError(f"no user '{name}'")
        before = user.role
        user.role = role
        user.version += 1
        assert user.id is not None
        record(
            session,
            actor=actor,
            entity="users",
            entity_id=user.id,
            action="user.role",
            changes={"role": (before, role)},
        )
        return user


def list_users(store: Store) -> list[UserRow]:
    with store.session() as session:
        secret = credentials.flags(session)
        return [
            UserRow(u.name, u.role, u.active, *secret.get(u.id or 0, (False, False)))
            for u in session.exec(select(User).order_by(User.name))
        ]


def _check_override(
    session: Session, approval: Approval, *, requested_by: str, purpose: str
) -> tuple[User, Check]:
    """The supervisor named and what the check of their PIN found (counted, not audited).
    Unknown users, non-supervisors and a missing PIN are refused at once."""
    name = _normal(approval.name)
    user = _active(session, name)
    if user.role not in APPROVERS:
        raise PermissionDenied(f"'{name}' is a {user.role}; this needs a supervisor")
    found = credentials.check(
        session,
        name,
        Kind.PIN,
        approval.pin,
        max_attempts=approval.max_attempts,
        lockout_minutes=approval.lockout_minutes,
    )
    if found.status == "unset":
        raise PermissionDenied(f"supervisor '{name}' has no PIN set (orderdesk user pin)")
    return user, found


def _record_refusal(
    session: Session, user: User, found: Check, approval: Approval, requested_by: str, purpose: str
) -> str:
    message = _refusal(found, user.name, Kind.PIN, approval.lockout_minutes)
    assert user.id is not None
    record(
        session,
        actor=requested_by,
        entity="users",
        entity_id=user.id,
        action="override.refused",
        reason=f"{purpose}: {message}",
    )
    return message


def verify_override(store: Store, approval: Approval, *, requested_by: str, purpose: str) -> User:
    """Check a supervisor's name and PIN at the dialog, for an action `requested_by` asked for.

    Returns the supervisor; raises PermissionDenied saying why (unknown, not a supervisor, no
    PIN set, wrong PIN with attempts left, locked until hh:mm). Each attempt is audited. The
    service that then acts checks the same approval again (`approve`): this one only lets the
    dialog say at once what is wrong.
    """
    with store.immediate() as session:
        user, found = _check_override(session, approval, requested_by=requested_by, purpose=purpose)
        assert user.id is not None
        if found.status == "ok":
            record(
                session,
                actor=requested_by,
                approved_by=user.name,
                entity="users",
                entity_id=user.id,
                action="override.granted",
                reason=purpose,
            )
            return user
        message = _record_refusal(session, user, found, approval, requested_by, purpose)
    raise PermissionDenied(message)


def approve(session: Session, actor: str, approval: Approval | None, rule: str) -> str:
    """Who approves a supervisor-only step, checked in the acting transaction: "" when the
    actor (as the users table has them) is a supervisor, else the override's supervisor.

    Call it before the transaction writes: a wrong PIN rolls back what the action did and
    commits only the counted attempt and its audit, then raises."""
    if _active(session, actor).role in APPROVERS:
        return ""
    if approval is None:
        raise PermissionDenied(f"{rule}: needs a supervisor override")
    user, found = _check_override(session, approval, requested_by=actor, purpose=rule)
    if found.status == "ok":
        return user.name
    session.rollback()  # nothing of the refused action stays; count the attempt on its own
    user, found = _check_override(session, approval, requested_by=actor, purpose=rule)
    message = _record_refusal(session, user, found, approval, actor, rule)
    session.commit()
    raise PermissionDenied(message)


def is_approver(session: Session, actor: str) -> bool:
    """Whether `actor`, as the users table has them now, may approve on their own."""
    return _active(session, actor).role in APPROVERS
