"""Sending again what the ERP refused for good, once the coordinator has fixed the cause.

A permanent refusal (an unknown product, a validation error, a conflict) fails the outbox entry
and, for an order, puts an ERP hold with the ERP's message (erp/sync/push.py). Retrying puts the
order's (or a customer's) failed entries back to pending in one transaction, audited as
`erp.retry`; the sync engine sends them on its next pass, and the ERP hold is released only
when the ERP accepts the order. Nothing here talks to the ERP: a retry works offline.
"""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from orderdesk_tui.erp.sync.outbox import CUSTOMERS, ORDERS, PENDING
from orderdesk_tui.erp.sync.retry import failed_entries as engine_failed_entries
from orderdesk_tui.erp.sync.retry import requeue_failed
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import Customer, SalesOrder, SyncOutbox, User
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.store import Store


class NothingFailed(RuleViolation):
    """The order (or customer) has no failed ERP entry: nothing to send again."""


@dataclass(frozen=True)
class FailedEntry:
    """An outbox entry the ERP refused: what it was and the ERP's message."""

    operation: str
    error: str


@dataclass(frozen=True)
class Retried:
    """What a retry re-queued: for `subject` (`SO0001234`, `customer ACME01`)."""

    subject: str
    entries: tuple[FailedEntry, ...]
    is_order: bool

    @property
    def summary(self) -> str:
        count = len(self.entries)
        operations = ", ".join(e.operation for e in self.entries)
        then = (
            "the ERP hold clears when the ERP accepts the order"
            if self.is_order
            else "sent on the next sync pass"
        )
        noun = "entry" if count == 1 else "entries"
        return f"{self.subject}: {count} failed ERP {noun} re-queued ({operations}); {then}"


def failed_entries(session: Session, entity_id: int, *, entity: str = ORDERS) -> list[FailedEntry]:
    """The failed outbox entries of an order (or customer), oldest first, with the ERP's
    message: what the coordinator has to fix before a retry."""
    return [
        FailedEntry(e.operation, e.last_error)
        for e in engine_failed_entries(session, entity_id, entity=entity)
    ]


def retry_order(store: Store, order_id: int, *, actor: User) -> Retried:
    """Re-queue the order's failed ERP entries; NothingFailed when there are none."""
    with store.immediate() as session:
        order = session.get(SalesOrder, order_id)
        if order is None:
            raise RuleViolation(f"order {order_id} no longer exists")
        return _requeue(session, order.number, order_id, ORDERS, actor)


def retry_order_number(store: Store, number: str, *, actor: User) -> Retried:
    """`retry_order` for an order typed by its number."""
    wanted = number.strip().upper()
    with store.session() as session:
        order_id = session.exec(select(SalesOrder.id).where(SalesOrder.number == wanted)).first()
    if order_id is None:
        raise RuleViolation(f"order {wanted or number!r}: no such order number")
    return retry_order(store, order_id, actor=actor)


def retry_customer(store: Store, code: str, *, actor: User) -> Retried:
    """Re-queue the customer's failed ERP entries (push_customer, push_address)."""
    wanted = code.strip().upper()
    with store.immediate() as session:
        customer_id = session.exec(select(Customer.id).where(Customer.code == wanted)).first()
        if customer_id is None:
            raise RuleViolation(f"customer {wanted or code!r}: no such customer code")
        return _requeue(session, f"customer {wanted}", customer_id, CUSTOMERS, actor)


def _requeue(session: Session, subject: str, entity_id: int, entity: str, actor: User) -> Retried:
    entries = requeue_failed(session, entity_id, actor=actor.name, now=utcnow(), entity=entity)
    if not entries:
        waiting = session.exec(
            select(func.count())
            .select_from(SyncOutbox)
            .where(
                SyncOutbox.entity == entity,
                SyncOutbox.entity_id == entity_id,
                SyncOutbox.state == PENDING,
            )
        ).one()
        why = (
            f"{waiting} ERP {'entry waits' if waiting == 1 else 'entries wait'} to be sent"
            if waiting
            else "no ERP entry waits either"
        )
        raise NothingFailed(f"nothing failed for {subject}: nothing to retry ({why})")
    return Retried(
        subject,
        tuple(FailedEntry(e.operation, e.last_error) for e in entries),
        is_order=entity == ORDERS,
    )
