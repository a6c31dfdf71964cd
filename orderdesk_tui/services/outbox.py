"""Enqueue ERP work in the caller's transaction, so a change and its sync land together."""

import json
import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from orderdesk_tui.models import SyncOutbox
from orderdesk_tui.store import Store


def enqueue(
    session: Session, *, entity: str, entity_id: int, operation: str, payload: dict[str, Any]
) -> SyncOutbox:
    entry = SyncOutbox(
        entity=entity,
        entity_id=entity_id,
        operation=operation,
        payload=json.dumps(payload, sort_keys=True, default=str),
        idempotency_key=f"{entity}:{entity_id}:{operation}:{uuid.uuid4().hex}",
    )
    session.add(entry)
    return entry


def pending_count(store: Store) -> int:
    with store.session() as session:
        stmt = select(func.count()).select_from(SyncOutbox).where(SyncOutbox.state == "pending")
        return int(session.exec(stmt).one())
