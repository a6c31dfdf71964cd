"""When an outbox entry is tried again: after a transient failure, by the engine on a
full-jitter exponential backoff (or the ERP's Retry-After); after a permanent one, when a
person re-queues the entity's failed entries (`retry_failed`, `requeue_failed`)."""

import json
import random
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from orderdesk_tui.erp.sync.outbox import CONFLICT_PREFIX, FAILED, ORDERS, PENDING, SYNC_ACTOR
from orderdesk_tui.models import SyncOutbox
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.services.audit import record
from orderdesk_tui.store import Store


@dataclass(frozen=True)
class Backoff:
    """Full-jitter exponential backoff; Retry-After from the ERP wins (capped)."""

    base_s: float = 2.0
    cap_s: float = 300.0
    retry_after_cap_s: float = 3600.0

    def ceiling(self, attempts: int) -> float:
        """The most the delay after the `attempts`-th failed attempt can be."""
        exponent = min(max(attempts - 1, 0), 62)
        return min(self.cap_s, self.base_s * 2.0**exponent)

    def delay(self, attempts: int, rng: random.Random, retry_after: float | None = None) -> float:
        if retry_after is not None and retry_after >= 0:
            return min(float(retry_after), self.retry_after_cap_s)
        return rng.uniform(0.0, self.ceiling(attempts))


def retry_failed(
    store: Store,
    order_id: int,
    *,
    actor: str = SYNC_ACTOR,
    now: datetime | None = None,
    entity: str = ORDERS,
) -> int:
    """Put the order's (or with `entity=CUSTOMERS` the customer's) failed outbox entries back
    to pending, due now; how many. See `requeue_failed`."""
    with store.immediate() as session:
        return len(requeue_failed(session, order_id, actor=actor, now=now, entity=entity))


def failed_entries(session: Session, entity_id: int, *, entity: str = ORDERS) -> list[SyncOutbox]:
    """The order's (or customer's) failed outbox entries, oldest first."""
    return list(
        session.exec(
            select(SyncOutbox)
            .where(
                SyncOutbox.entity == entity,
                SyncOutbox.entity_id == entity_id,
                SyncOutbox.state == FAILED,
            )
            .order_by(col(SyncOutbox.id))
        )
    )


def requeue_failed(
    session: Session,
    entity_id: int,
    *,
    actor: str = SYNC_ACTOR,
    now: datetime | None = None,
    entity: str = ORDERS,
) -> list[SyncOutbox]:
    """`retry_failed` inside the caller's transaction: the entries put back to pending (each
    keeps its `last_error`, the ERP's message), audited as one `erp.retry` event.

    For a conflict this records that a person reconciled the order: the next conflict check
    counts ERP changes from now on. The ERP hold stays until the ERP accepts the order.
    """
    now = now or utcnow()
    entries = failed_entries(session, entity_id, entity=entity)
    for entry in entries:
        if entry.last_error.startswith(CONFLICT_PREFIX):
            payload = json.loads(entry.payload or "{}")
            payload["conflict_resolved_at"] = now.isoformat()
            entry.payload = json.dumps(payload, sort_keys=True)
        entry.state = PENDING
        entry.next_attempt_at = now
        session.add(entry)
    if entries:
        record(
            session,
            actor=actor,
            entity="sync_outbox",
            entity_id=entries[0].id or 0,
            action="erp.retry",
            changes={"state": (FAILED, PENDING)},
            order_id=entity_id if entity == ORDERS else None,
            reason=", ".join(e.operation for e in entries),
        )
    return list(entries)
