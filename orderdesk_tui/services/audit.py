"""Audit events and versioned updates: every change to a user-edited row goes through here."""

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel

from orderdesk_tui.errors import StaleEdit
from orderdesk_tui.models import AuditEvent
from orderdesk_tui.models.base import table_of, utcnow
from orderdesk_tui.store import rows_changed

Row = TypeVar("Row", bound=SQLModel)
Changes = dict[str, tuple[Any, Any]]


def entity_of(row: SQLModel) -> str:
    """The entity an audit event names for `row`: its table."""
    return str(table_of(type(row)).name)


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
    changes: Changes | None = None,
    order_id: int | None = None,
    reason: str = "",
    approved_by: str = "",
) -> AuditEvent:
    """Add an audit event to the session's transaction: who, when, what, old -> new."""
    event = AuditEvent(
        **_event_values(actor, entity, entity_id, action, changes, order_id, reason, approved_by)
    )
    session.add(event)
    return event


def record_insert(
    session: Session,
    row: SQLModel,
    values: dict[str, Any],
    *,
    actor: str,
    action: str,
    order_id: int | None = None,
    reason: str = "",
) -> Changes:
    """Insert `row` (flushed, so it has its id) and audit it as created. Only `values` are in
    the audit event, as {field: (None, value)}: the fields the person gave, not the columns
    the service sets around them (the parent's id, a default mark). Returns those changes."""
    session.add(row)
    session.flush()
    changes: Changes = {k: (None, v) for k, v in values.items()}
    record(
        session,
        actor=actor,
        entity=entity_of(row),
        entity_id=row.id,  # type: ignore[attr-defined]
        action=action,
        changes=changes,
        order_id=order_id,
        reason=reason,
    )
    return changes


def _event_values(
    actor: str,
    entity: str,
    entity_id: int,
    action: str,
    changes: Changes | None,
    order_id: int | None,
    reason: str,
    approved_by: str,
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor": actor,
        "approved_by": approved_by,
        "entity": entity,
        "entity_id": entity_id,
        "order_id": order_id,
        "action": action,
        "changes": json.dumps(
            {k: [_plain(old), _plain(new)] for k, (old, new) in (changes or {}).items()},
            sort_keys=True,
        ),
        "reason": reason,
    }


@dataclass(frozen=True, slots=True)
class VersionedUpdate:
    """One row's change for `apply_updates`: write `values` if the row is still at
    `expected_version`, audited as `action` with `reason`."""

    row: SQLModel
    values: dict[str, Any]
    expected_version: int
    action: str
    reason: str = ""


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
) -> Changes:
    """Write `values` to `row` if nobody changed it since `expected_version`, and audit it.

    The check is a conditional UPDATE (… WHERE version = expected), so it holds across
    processes and terminals, not only within this session. Raises StaleEdit otherwise.
    Returns the {field: (old, new)} that actually changed.
    """
    update = VersionedUpdate(row, values, expected_version, action, reason)
    return apply_updates(
        session, [update], actor=actor, order_id=order_id, approved_by=approved_by
    )[0]


def apply_updates(
    session: Session,
    updates: Sequence[VersionedUpdate],
    *,
    actor: str,
    order_id: int | None = None,
    approved_by: str = "",
) -> list[Changes]:
    """`apply_update` for many rows at once, with the same checks and one audit event each.

    One executemany UPDATE per table and set of columns (… WHERE id = ? AND version = ?), one
    SELECT per table to reload the rows (a single row comes back from its UPDATE … RETURNING),
    and one executemany INSERT of the audit events (the ORM would insert them one by one on
    SQLite, to read back each id): allocating a 10-line order is a handful of statements
    instead of sixty. If any row was changed by someone
    else, StaleEdit names it and the caller's transaction must roll back, as with
    `apply_update`. Returns each update's {field: (old, new)}.
    """
    changes = [
        {k: (getattr(u.row, k), v) for k, v in u.values.items() if getattr(u.row, k) != v}
        for u in updates
    ]
    stamp = utcnow()
    groups: dict[tuple[type[SQLModel], tuple[str, ...]], list[VersionedUpdate]] = defaultdict(list)
    for u in updates:
        groups[(type(u.row), tuple(sorted(u.values)))].append(u)
    reload: dict[type[SQLModel], list[int]] = defaultdict(list)
    for (model, _), group in groups.items():
        table = table_of(model)
        params = [
            {
                **u.values,
                **({"updated_at": stamp} if "updated_at" in table.c else {}),
                "version": u.expected_version + 1,
                "b_id": u.row.id,  # type: ignore[attr-defined]
                "b_version": u.expected_version,
            }
            for u in group
        ]
        stmt = table.update().where(
            table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version")
        )
        if len(group) == 1:  # the row comes back from the UPDATE itself
            written = session.execute(stmt.returning(*table.c), params[0]).first()
            if written is None:
                _raise_stale(session, table, group)
            _load(group[0].row, written)
            continue
        result = session.execute(stmt, params)
        if rows_changed(result) != len(params):
            _raise_stale(session, table, group)
        reload[model].extend(u.row.id for u in group)  # type: ignore[attr-defined]
    for model, ids in reload.items():
        session.execute(
            select(model)
            .where(model.id.in_(ids))  # type: ignore[attr-defined]
            .execution_options(populate_existing=True)
        ).all()
    events = [
        _event_values(
            actor,
            entity_of(u.row),
            u.row.id,  # type: ignore[attr-defined]
            u.action,
            changed,
            order_id,
            u.reason,
            approved_by,
        )
        for u, changed in zip(updates, changes, strict=True)
    ]
    if events:
        session.execute(insert(table_of(AuditEvent)), events)
    return changes


def _load(row: SQLModel, written: Any) -> None:
    """Give `row` the values its UPDATE … RETURNING read back, as a refresh would."""
    for prop in sa_inspect(type(row)).column_attrs:
        set_committed_value(row, prop.key, written._mapping[prop.columns[0]])


def _raise_stale(session: Session, table: Any, group: Sequence[VersionedUpdate]) -> None:
    """StaleEdit for the first row of `group` the UPDATE missed: one that is not at the next
    version with the values written (if another writer made the very same change, the first
    row is named; the batch fails all the same)."""
    columns = sorted(group[0].values)
    current = {
        row.id: row._mapping
        for row in session.execute(
            select(table.c.id, table.c.version, *(table.c[k] for k in columns)).where(
                table.c.id.in_([u.row.id for u in group])  # type: ignore[attr-defined]
            )
        )
    }
    missed = [
        u
        for u in group
        if (row := current.get(u.row.id)) is None  # type: ignore[attr-defined]
        or row["version"] != u.expected_version + 1
        or any(row[k] != u.values[k] for k in columns)
    ]
    first = (missed or list(group))[0]
    row = current.get(first.row.id)  # type: ignore[attr-defined]
    raise StaleEdit(
        str(table.name),
        first.row.id,  # type: ignore[attr-defined]
        first.expected_version,
        None if row is None else row["version"],
    )
