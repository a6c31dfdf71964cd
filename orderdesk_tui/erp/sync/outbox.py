"""The outbox as the sync engine reads and writes it: the entities, operations and states of
`sync_outbox` rows, and the `sync_cursors` rows in which the engine notes its latest outcomes
and pull cursors. Shared by the push, the pull, the retry and the status."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from orderdesk_tui.models.sync_state import SyncCursor

#: The actor written on audit events and holds the engine makes.
SYNC_ACTOR = "erp-sync"
ORDERS, CUSTOMERS = "sales_orders", "customers"
PUSH_ORDER, PUSH_CHANGE, PUSH_CANCEL = "push_order", "push_change", "push_cancel"
PUSH_CUSTOMER, PUSH_ADDRESS = "push_customer", "push_address"
#: Our purchase orders (services.purchasing), pushed as ERP purchases.
PURCHASES, PUSH_PURCHASE = "purchase_orders", "push_purchase"
PENDING, DONE, FAILED = "pending", "done", "failed"
CONFLICT_PREFIX = "changed in both places"
#: Names in `sync_cursors` of the engine's latest outcomes.
LAST_PUSH_OK, LAST_PUSH_ERROR = "push.last_success", "push.last_error"
LAST_PULL_OK, LAST_PULL_ERROR = "pull.last_success", "pull.last_error"


def aware(value: datetime | None) -> datetime | None:
    """`value` in UTC; a naive one (as SQLite returns it) is taken as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def fit(value: str | None, length: int) -> str:
    """`value` cut to a column of `length` characters (None as empty)."""
    return (value or "")[:length]


def put_state(session: Session, name: str, value: str, at: datetime) -> None:
    """Upsert one `sync_cursors` row (race-free on both stores)."""
    dialect = session.get_bind().dialect.name
    values = {"name": name, "cursor": value, "updated_at": at}
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(SyncCursor).values(**values)
    else:
        stmt = sqlite.insert(SyncCursor).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={"cursor": value, "updated_at": at}
    )
    session.execute(stmt)
