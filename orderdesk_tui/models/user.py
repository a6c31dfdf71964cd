"""Users of the desk and their roles, and apart from them their secrets (override PIN, desk
password, lock-out), which coordinators must not be able to read.

On PostgreSQL `user_secrets` is reachable only through SECURITY DEFINER functions (migration
0011); on SQLite the store file's mode (0600) guards it.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import Role, string, utcnow, version_field


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = string(64, unique=True, index=True)
    full_name: str = string(120, default="")
    role: str = string(20, default=Role.COORDINATOR)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()


class UserSecret(SQLModel, table=True):
    """scrypt hashes and salts (hex) of a user's override PIN and desk password, never the
    secrets themselves, and the wrong attempts at either that lead to a lock-out."""

    __tablename__ = "user_secrets"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    pin_hash: str | None = string(128, default=None, nullable=True)
    pin_salt: str | None = string(64, default=None, nullable=True)
    password_hash: str | None = string(128, default=None, nullable=True)
    password_salt: str | None = string(64, default=None, nullable=True)
    failed_attempts: int = Field(default=0)
    locked_until: datetime | None = None
