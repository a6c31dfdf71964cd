"""The push's side in the store: claiming due outbox entries (with a lease), reading what an
entry sends at send time, and settling its outcome (done, rescheduled, failed with an ERP
hold). Each method is one transaction, run in a thread by `push.Pusher`."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, exists, func, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from orderdesk_tui.erp.connector import (
    AddressPayload,
    CustomerPayload,
    ErpOrderRef,
    OrderPayload,
    PurchasePayload,
)
from orderdesk_tui.erp.sync.base import EngineBase
from orderdesk_tui.erp.sync.outbox import (
    CUSTOMERS,
    DONE,
    FAILED,
    LAST_PUSH_ERROR,
    LAST_PUSH_OK,
    ORDERS,
    PENDING,
    PURCHASES,
    PUSH_ADDRESS,
    PUSH_CANCEL,
    PUSH_ORDER,
    SYNC_ACTOR,
    aware,
    fit,
    put_state,
)
from orderdesk_tui.erp.sync.payload import (
    SyncProblem,
    order_payload,
    postal_address,
    purchase_payload,
)
from orderdesk_tui.models import Address, Customer, Hold, PurchaseOrder, SalesOrder, SyncOutbox
from orderdesk_tui.models.base import AddressKind, HoldKind, OrderState
from orderdesk_tui.services.audit import apply_update
from orderdesk_tui.services.holds import open_hold, place_hold
from orderdesk_tui.store import rows_changed


@dataclass(frozen=True)
class Claim:
    """An outbox entry this engine holds the lease on, as read when it was claimed."""

    id: int
    entity: str
    entity_id: int
    operation: str
    payload: dict[str, Any]
    #: Counting this one.
    attempts: int

    @property
    def label(self) -> str:
        """`push_order SO0001234`, `push_address ACME01 ST-01`, for messages."""
        what = self.payload.get("number") or self.payload.get("code") or self.entity_id
        if self.operation == PUSH_ADDRESS:
            return f"{self.operation} {what} {self.payload.get('address', '')}".rstrip()
        return f"{self.operation} {what}"


@dataclass(frozen=True)
class OrderView:
    """What the engine needs of one of our orders, read in one transaction."""

    id: int
    number: str
    state: str
    erp_id: str
    erp_number: str
    payload: OrderPayload

    @property
    def ref(self) -> ErpOrderRef | None:
        return ErpOrderRef(self.erp_id, self.erp_number) if self.erp_id else None


def _note_purchase_ref(session: Session, po_id: int, ref: ErpOrderRef) -> None:
    """The ERP purchase of our PO, kept on it (shown in the PO view)."""
    po = session.get(PurchaseOrder, po_id, with_for_update=True)
    if po is not None and (po.erp_id, po.erp_number) != (ref.erp_id, ref.erp_number):
        po.erp_id, po.erp_number = ref.erp_id, ref.erp_number
        session.add(po)


def _release_erp_holds(session: Session, order: SalesOrder, reason: str, at: datetime) -> None:
    """Release the order's open ERP hold (the ERP took the order) and leave on_hold if clear."""
    assert order.id is not None
    holds = session.exec(
        select(Hold).where(
            Hold.order_id == order.id,
            Hold.kind == str(HoldKind.ERP),
            Hold.released_at == None,  # noqa: E711
        )
    ).all()
    if not holds:
        return
    for hold in holds:
        apply_update(
            session,
            hold,
            {"released_by": SYNC_ACTOR, "released_at": at, "release_reason": reason},
            expected_version=hold.version,
            actor=SYNC_ACTOR,
            action="hold.released",
            order_id=order.id,
            reason=reason,
        )
    still_open = session.exec(
        select(Hold.id).where(Hold.order_id == order.id, Hold.released_at == None)  # noqa: E711
    ).first()
    session.refresh(order)
    if still_open is None and order.state == OrderState.ON_HOLD:
        apply_update(
            session,
            order,
            {"state": OrderState.ENTERED},
            expected_version=order.version,
            actor=SYNC_ACTOR,
            action="order.state",
            order_id=order.id,
            reason="last hold released",
        )


class OutboxClaims(EngineBase):
    """Claims and outcomes of outbox entries in the store (see the module docstring)."""

    # -- claims and what they send ---------------------------------------------------------

    def _claim_statement(self) -> Any:
        """The claim query, built once (statement construction costs more than running it)."""
        if self._claim_stmt is None:
            # The head of each order's queue: its oldest pending entry (the state index finds
            # the pending ones: the backlog is scanned, not the history) ...
            # Orders and customers: other entities (RMAs, credit memos) wait until a connector
            # maps them.
            heads = (
                select(func.min(SyncOutbox.id))
                .where(
                    SyncOutbox.state == PENDING,
                    col(SyncOutbox.entity).in_([ORDERS, CUSTOMERS, PURCHASES]),
                )
                .group_by(col(SyncOutbox.entity), col(SyncOutbox.entity_id))
            )
            # ... unless an earlier entry of the order failed for good (a cancel still goes:
            # _push_cancel; a customer's later entries carry the fix: they go).
            failed_before = aliased(SyncOutbox)
            blocked = exists().where(
                col(SyncOutbox.entity) == ORDERS,
                col(failed_before.state) == FAILED,
                col(failed_before.entity) == SyncOutbox.entity,
                col(failed_before.entity_id) == SyncOutbox.entity_id,
                col(failed_before.id) < SyncOutbox.id,
                col(SyncOutbox.operation) != PUSH_CANCEL,
            )
            stmt = (
                select(SyncOutbox)
                .where(
                    col(SyncOutbox.id).in_(heads.scalar_subquery()),
                    SyncOutbox.next_attempt_at <= bindparam("due_by"),
                    ~blocked,
                    col(SyncOutbox.id).not_in(bindparam("seen", expanding=True)),
                )
                .order_by(col(SyncOutbox.id))
                .limit(bindparam("limit"))
            )
            if not self.store.is_sqlite:  # another engine's claim in flight is skipped
                stmt = stmt.with_for_update(skip_locked=True, of=SyncOutbox)
            self._claim_stmt = stmt
        return self._claim_stmt

    def _claim(self, due_by: datetime, seen: frozenset[int], limit: int = 1) -> list[Claim]:
        """Take up to `limit` of the oldest due entries whose earlier entries (same order) are
        settled: count the attempt and lease each, in one transaction."""
        with self.store.immediate() as session:
            entries = session.exec(
                self._claim_statement(),
                params={"due_by": due_by, "seen": sorted(seen), "limit": limit},
            ).all()
            lease_until = self._now() + timedelta(seconds=self.lease_s)
            claims = []
            for entry in entries:
                taken = rows_changed(
                    session.execute(
                        update(SyncOutbox)
                        .where(
                            col(SyncOutbox.id) == entry.id,
                            col(SyncOutbox.state) == PENDING,
                            col(SyncOutbox.attempts) == entry.attempts,
                        )
                        .values(attempts=entry.attempts + 1, next_attempt_at=lease_until)
                        .execution_options(synchronize_session=False)
                    ),
                )
                if taken == 1:
                    assert entry.id is not None
                    claims.append(
                        Claim(
                            id=entry.id,
                            entity=entry.entity,
                            entity_id=entry.entity_id,
                            operation=entry.operation,
                            payload=json.loads(entry.payload or "{}"),
                            attempts=entry.attempts + 1,
                        )
                    )
            return claims

    def _release_claim(self, claim: Claim, delay: float | None = None) -> None:
        """Give a claimed entry back (the engine was stopped mid-request: a create may still
        land, so it comes due after `settle_s`; never sent: at once)."""
        if delay is None:
            delay = self.settle_s if claim.operation == PUSH_ORDER else 0.0
        with self.store.session() as session:
            session.execute(
                update(SyncOutbox)
                .where(col(SyncOutbox.id) == claim.id, col(SyncOutbox.state) == PENDING)
                .values(next_attempt_at=self._now() + timedelta(seconds=delay))
                .execution_options(synchronize_session=False)
            )

    def _load_order(self, order_id: int) -> OrderView:
        with self.store.session() as session:
            order = session.get(SalesOrder, order_id)
            if order is None:
                raise SyncProblem(f"order {order_id} no longer exists")
            assert order.id is not None
            return OrderView(
                id=order.id,
                number=order.number,
                state=order.state,
                erp_id=order.erp_id,
                erp_number=order.erp_number,
                payload=order_payload(session, order),
            )

    def _last_synced_at(self, claim: Claim) -> datetime | None:
        with self.store.session() as session:
            last = session.exec(
                select(func.max(SyncOutbox.done_at)).where(
                    SyncOutbox.entity == claim.entity,
                    SyncOutbox.entity_id == claim.entity_id,
                    SyncOutbox.state == DONE,
                    SyncOutbox.erp_ref != "",
                )
            ).one()
        return aware(last)

    def _note_checked(self, claim: Claim) -> None:
        """Record on the entry that its conflict check passed (see `Pusher._conflict`)."""
        claim.payload["conflict_checked_at"] = self._now().isoformat()
        with self.store.session() as session:
            session.execute(
                update(SyncOutbox)
                .where(col(SyncOutbox.id) == claim.id, col(SyncOutbox.state) == PENDING)
                .values(payload=json.dumps(claim.payload, sort_keys=True))
                .execution_options(synchronize_session=False)
            )

    def _load_customer(self, claim: Claim) -> CustomerPayload:
        """The customer as stored now; a deleted one is sent as inactive, by its code."""
        with self.store.session() as session:
            customer = session.get(Customer, claim.entity_id)
            if customer is None:
                return CustomerPayload(
                    code=str(claim.payload.get("code") or ""), name="", active=False
                )
            return CustomerPayload(
                code=customer.code,
                name=customer.name,
                active=customer.active,
                tax_id=customer.tax_id,
                tax_id_type=customer.tax_id_type,
            )

    def _load_address(self, claim: Claim, code: str) -> AddressPayload:
        with self.store.session() as session:
            address = session.exec(
                select(Address).where(Address.customer_id == claim.entity_id, Address.code == code)
            ).first()
        if address is None:
            raise SyncProblem(f"customer {claim.payload.get('code')}: no address {code!r} now")
        postal = postal_address(address)
        assert postal is not None
        return AddressPayload(
            customer=self._load_customer(claim),
            address=postal,
            invoice=address.kind == AddressKind.BILL_TO,
            active=address.active,
            previous_code=str(claim.payload.get("previous_address") or ""),
        )

    def _load_purchase(self, po_id: int) -> PurchasePayload:
        with self.store.session() as session:
            po = session.get(PurchaseOrder, po_id)
            if po is None:
                raise SyncProblem(f"purchase order {po_id} no longer exists")
            return purchase_payload(session, po)

    # -- push outcomes (each one transaction, run in a thread) -----------------------------

    def _succeed(self, claim: Claim, ref: ErpOrderRef | None, note: str) -> None:
        def write() -> None:
            now = self._now()
            with self.store.immediate() as session:
                entry = session.get(SyncOutbox, claim.id, with_for_update=True)
                if entry is None or entry.state != PENDING:
                    return  # settled by another engine after our lease ran out
                order = (
                    session.get(SalesOrder, claim.entity_id, with_for_update=True)
                    if claim.entity == ORDERS
                    else None
                )
                if order is not None and ref is not None:
                    if (order.erp_id, order.erp_number) != (ref.erp_id, ref.erp_number):
                        apply_update(
                            session,
                            order,
                            {"erp_id": ref.erp_id, "erp_number": ref.erp_number},
                            expected_version=order.version,
                            actor=self.actor,
                            action="order.erp_synced",
                            order_id=order.id,
                            reason=f"{self.connector.name}: {claim.operation}",
                        )
                    _release_erp_holds(
                        session, order, f"{self.connector.name} accepted {claim.operation}", now
                    )
                if claim.entity == PURCHASES and ref is not None:
                    _note_purchase_ref(session, claim.entity_id, ref)
                entry.state, entry.done_at = DONE, now
                entry.erp_ref = fit(ref.erp_id if ref else "", 40)
                entry.last_error = fit(note, 1000)
                session.add(entry)
                if claim.entity == CUSTOMERS:
                    self._settle_superseded(session, claim, now)
                label = f"{claim.operation} {order.number}" if order is not None else claim.label
                put_state(session, LAST_PUSH_OK, label, now)

        self._with_retry(write)

    def _settle_superseded(self, session: Session, claim: Claim, now: datetime) -> None:
        """Earlier failed entries that this one sent again (it sent what is stored now: the
        same customer, or the same address) are done; a failed new customer's entry stays
        failed unless this one sent its bill-to too."""
        failed = session.exec(
            select(SyncOutbox).where(
                SyncOutbox.entity == CUSTOMERS,
                SyncOutbox.entity_id == claim.entity_id,
                SyncOutbox.operation == claim.operation,
                SyncOutbox.state == FAILED,
                col(SyncOutbox.id) < claim.id,
            )
        ).all()
        for entry in failed:
            payload = json.loads(entry.payload or "{}")
            if payload.get("bill_to") and not claim.payload.get("bill_to"):
                continue
            if payload.get("address") == claim.payload.get("address"):
                entry.state, entry.done_at = DONE, now
                entry.last_error = fit(f"sent by entry {claim.id}; was: {entry.last_error}", 1000)
                session.add(entry)

    def _reschedule(self, claim: Claim, delay: float, message: str) -> None:
        now = self._now()
        with self.store.immediate() as session:
            session.execute(
                update(SyncOutbox)
                .where(col(SyncOutbox.id) == claim.id, col(SyncOutbox.state) == PENDING)
                .values(
                    next_attempt_at=now + timedelta(seconds=delay),
                    last_error=fit(message, 1000),
                )
                .execution_options(synchronize_session=False)
            )
            put_state(session, LAST_PUSH_ERROR, fit(f"{claim.label}: {message}", 1000), now)

    def _fail(self, claim: Claim, message: str, hold_reason: str) -> None:
        def write() -> None:
            now = self._now()
            with self.store.immediate() as session:
                entry = session.get(SyncOutbox, claim.id, with_for_update=True)
                if entry is None or entry.state != PENDING:
                    return
                entry.state = FAILED
                entry.last_error = fit(message, 1000)
                entry.next_attempt_at = now
                session.add(entry)
                order = (
                    session.get(SalesOrder, claim.entity_id, with_for_update=True)
                    if claim.entity == ORDERS
                    else None
                )
                if order is not None:
                    reason = fit(hold_reason, 400)
                    if place_hold(session, order, HoldKind.ERP, reason, actor=self.actor) is None:
                        self._restate_hold(session, order.id or 0, reason)
                put_state(session, LAST_PUSH_ERROR, fit(f"{claim.label}: {message}", 1000), now)

        self._with_retry(write)

    def _restate_hold(self, session: Session, order_id: int, reason: str) -> None:
        """The order's open ERP hold says what the ERP answered this time (a retry refused
        for another reason than the first), so the queue and the order show the current one."""
        hold = open_hold(session, order_id, HoldKind.ERP)
        if hold is not None and hold.reason != reason:
            apply_update(
                session,
                hold,
                {"reason": reason},
                expected_version=hold.version,
                actor=self.actor,
                action="hold.reason",
                order_id=order_id,
            )
