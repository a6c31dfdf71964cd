"""Where the sync engine stands: pull cursors per kind of master data, and its last outcomes.

One row per name: `pull.customers`, `pull.items`, `pull.stock` hold the ERP's cursor to ask
from next time; `push.last_success`, `push.last_error`, `pull.last_success`, `pull.last_error`
hold the engine's latest outcome (the time is `updated_at`), so `orderdesk sync status` and
every terminal's status bar read the same facts after a restart.
"""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import string, utcnow


class SyncCursor(SQLModel, table=True):
    __tablename__ = "sync_cursors"

    name: str = string(40, primary_key=True)
    cursor: str = Field(default="", sa_type=Text)
    updated_at: datetime = Field(default_factory=utcnow)
