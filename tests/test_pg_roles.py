"""PostgreSQL with one database role per desk user, set up with the SQL the README shows: the
desk takes `current_user` as the user, and a coordinator's role can neither read the secrets
nor change roles or anyone else's PIN, while overrides still work through the functions."""

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from orderdesk_tui.errors import PermissionDenied
from orderdesk_tui.services import users
from orderdesk_tui.services.credentials import Kind
from orderdesk_tui.services.users import Approval
from orderdesk_tui.store import Store

README = Path(__file__).resolve().parents[1] / "README.md"
PIN = "604913"


def _readme_sql() -> str:
    section = README.read_text(encoding="utf-8").split("one database role per desk user", 1)[1]
    match = re.search(r"```sql\n(.*?)```", section, re.DOTALL)
    assert match, "README: the per-role SQL block"
    return match.group(1)


class Roles:
    """The README's role names made unique to this test (roles are cluster-wide)."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.names = {
            n: f"{n}_{tag}" for n in ("orderdesk_desk", "orderdesk_admins", "alice", "sam", "admin")
        }

    def __getitem__(self, name: str) -> str:
        return self.names[name]

    def sql(self) -> str:
        pattern = re.compile(r"\b(" + "|".join(self.names) + r")\b")
        return pattern.sub(lambda m: self.names[m.group(1)], _readme_sql())


@pytest.fixture
def per_role(pg_store_url: str) -> Iterator[tuple[Store, Roles]]:
    """The store's owner connection, after the README's setup with alice, sam and admin."""
    owner = Store(pg_store_url)
    roles = Roles()
    users.add_user(owner, roles["admin"], "admin", actor="setup", pin=PIN)
    users.add_user(owner, roles["alice"], "coordinator", actor=roles["admin"])
    users.add_user(owner, roles["sam"], "supervisor", actor=roles["admin"], pin=PIN)
    with owner.engine.begin() as conn:
        conn.exec_driver_sql(roles.sql())
    try:
        yield owner, roles
    finally:
        with owner.engine.begin() as conn:
            for role in roles.names.values():
                conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
        owner.dispose()
        with Store(pg_store_url).engine.begin() as conn:
            for role in reversed(roles.names.values()):
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')


def _as(owner: Store, role: str) -> Store:
    return Store(make_url(owner.url).set(username=role).render_as_string(hide_password=False))


def _refused(store: Store, sql: str) -> None:
    with pytest.raises(DBAPIError, match="permission denied"), store.session() as session:
        session.execute(text(sql))


def test_each_desk_user_is_their_database_role(per_role: tuple[Store, Roles]) -> None:
    owner, roles = per_role
    alice = _as(owner, roles["alice"])
    try:
        # identity: the role, with no password of the desk's own and no OS login involved
        assert users.database_login(alice) == roles["alice"]
        asked: list[str] = []

        def prompt(name: str) -> str:
            asked.append(name)
            return ""

        signed = users.sign_in(alice, None, prompt)
        assert (signed.name, signed.role, asked) == (roles["alice"], "coordinator", [])
        # the secrets are not hers to read, nor the roles to change
        _refused(alice, "SELECT pin_hash FROM user_secrets")
        _refused(alice, f"UPDATE users SET role = 'admin' WHERE name = '{roles['alice']}'")
        with pytest.raises(PermissionDenied, match="is for admins"):
            users.set_secret(alice, roles["sam"], Kind.PIN, "111111", actor=roles["alice"])
        # not even by calling the function herself, claiming to be someone else
        with pytest.raises(DBAPIError, match="is for admins"), alice.session() as session:
            session.execute(
                text("SELECT orderdesk_set_secret(:n, 'pin', '00', '00')"), {"n": roles["sam"]}
            )
        # a supervisor's override works through the functions, and is counted there
        approval = Approval(roles["sam"], PIN)
        assert (
            users.verify_override(alice, approval, requested_by=roles["alice"], purpose="t").name
            == roles["sam"]
        )
        with pytest.raises(PermissionDenied, match="wrong PIN"):
            users.verify_override(
                alice, Approval(roles["sam"], "000000"), requested_by=roles["alice"], purpose="t"
            )
        # her own password is hers to set
        users.set_secret(alice, roles["alice"], Kind.PASSWORD, "alice's own", actor=roles["alice"])
        assert {u.name: u.has_password for u in users.list_users(alice)}[roles["alice"]]
    finally:
        alice.dispose()
    with owner.session() as session:
        failed = session.execute(
            text(
                "SELECT s.failed_attempts FROM user_secrets s JOIN users u ON u.id = s.user_id "
                "WHERE u.name = :n"
            ),
            {"n": roles["sam"]},
        ).scalar()
    assert failed == 1


def test_the_admin_role_adds_users_and_changes_roles(per_role: tuple[Store, Roles]) -> None:
    owner, roles = per_role
    admin = _as(owner, roles["admin"])
    try:
        assert users.sign_in(admin, None, lambda _: "").role == "admin"
        users.set_role(admin, roles["alice"], "supervisor", actor=roles["admin"])
        users.set_secret(admin, roles["alice"], Kind.PIN, "135791", actor=roles["admin"])
        users.add_user(admin, f"kim_{roles['alice']}", "coordinator", actor=roles["admin"])
    finally:
        admin.dispose()
    assert {u.name: u.role for u in users.list_users(owner)}[roles["alice"]] == "supervisor"
