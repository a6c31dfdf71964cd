"""Users of the desk and their roles; supervisors carry a PIN for on-the-spot overrides."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import Role, string, utcnow, version_field


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = string(64, unique=True, index=True)
    full_name: str = string(120, default="")
    role: str = string(20, default=Role.COORDINATOR)
    #: scrypt hash and salt of the override PIN, hex; never the PIN itself.
    pin_hash: str | None = string(128, default=None, nullable=True)
    pin_salt: str | None = string(64, default=None, nullable=True)
    failed_pin_attempts: int = Field(default=0)
    locked_until: datetime | None = None
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()
