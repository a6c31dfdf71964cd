"""Audit events and versioned updates: every change to a user-edited row goes through here."""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import update
from sqlmodel import Session, SQLModel

from orderdesk_tui.errors import StaleEdit
from orderdesk_tui.models import AuditEvent
from orderdesk_tui.models.base import utcnow

Row = TypeVar("Row", bound=SQLModel)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def record(
    session: Session,
    *,
    actor: str,
    entity: str,
    entity_id: int,
    action: str,
    changes: dict[str, tuple[Any, Any]] | None = None,
    order_id: int | None = None,
    reason: str = "",
    approved_by: str = "",
) -> AuditEvent:
    """Add an audit event to the session's transaction: who, when, what, old -> new."""
    event = AuditEvent(
        actor=actor,
        approved_by=approved_by,
        entity=entity,
        entity_id=entity_id,
        order_id=order_id,
        action=action,
        changes=json.dumps(
            {k: [_plain(old), _plain(new)] for k, (old, new) in (changes or {}).items()},
            sort_keys=True,
        ),
        reason=reason,
    )
    session.add(event)
    return event


def apply_update(
    session: Session,
    row: Row,
    values: dict[str, Any],
    *,
    expected_version: int,
    actor: str,
    action: str,
    order_id: int | None = None,
    reason: str = "",
    approved_by: str = "",
) -> dict[str, tuple[Any, Any]]:
    """Write `values` to `row` if nobody changed it since `expected_version`, and audit it.

    The check is a conditional UPDATE (… WHERE version = expected), so it holds across
    processes and terminals, not only within this session. Raises StaleEdit otherwise.
    Returns the {field: (old, new)} that actually changed.
    """
    model = type(row)
    table = model.__table__  # type: ignore[attr-defined]
    entity = str(table.name)
    row_id = row.id  # type: ignore[attr-defined]
    changes = {k: (getattr(row, k), v) for k, v in values.items() if getattr(row, k) != v}
    stamped = dict(values)
    if "updated_at" in table.c:
        stamped["updated_at"] = utcnow()
    result = session.execute(
        update(model)
        .where(table.c.id == row_id, table.c.version == expected_version)
        .values(**stamped, version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        current = session.execute(
            table.select().with_only_columns(table.c.version).where(table.c.id == row_id)
        ).scalar()
        raise StaleEdit(entity, row_id, expected_version, current)
    session.refresh(row)
    record(
        session,
        actor=actor,
        entity=entity,
        entity_id=row_id,
        action=action,
        changes=changes,
        order_id=order_id,
        reason=reason,
        approved_by=approved_by,
    )
    return changes
