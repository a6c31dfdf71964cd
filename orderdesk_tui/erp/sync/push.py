"""The push: due outbox entries claimed and sent to the ERP, `concurrency` at a time.

Push. Due `pending` outbox entries (next_attempt_at <= now) are claimed (up to `concurrency` in
one transaction) and sent by `concurrency` workers, so at most that many ERP requests are in
flight. Claiming counts the attempt and leases the entry (next_attempt_at moves `lease_s`
ahead), so several engines on one store (every terminal runs one) never send the same entry at
once, and an engine that dies mid-request leaves an entry that comes due again when its lease
ends; one stopped cleanly gives its entries back. All state is in the store: a new engine
continues where the last one stopped.

Order. Entries of one order go in the order they were written: a change or cancel waits until
the order's push_order is done (a cancel also goes when the push_order failed for good: there
is then nothing in the ERP, or the lookup below finds what there is).

Idempotency. The order is built from the store at send time (`payload.order_payload`). Before
creating, on every attempt after the first (a previous attempt may have reached the ERP: a lost
answer, a crash), and at once after a transient failure of the create, the engine asks
`connector.find_order(number)`; an ERP order found by our number is taken as ours instead of
creating a second. An order found in one of the connector's `incomplete_states` (created, not
yet confirmed: an attempt stopped half-way) is completed by `push_order`, which resumes the
order it finds by reference. A create that fails ambiguously (timeout, dropped connection) and
is not found yet is retried no sooner than `settle_s`, so an ERP still working on it can
commit first.

Failures. TransientErpError (network, timeout, 5xx, 429): attempts grow, the next attempt is
after a full-jitter exponential backoff, uniform in [0, min(cap, base * 2**(attempts-1))], or
after the ERP's Retry-After when it gives one; the entry stays pending. PermanentErpError: the
entry fails and the order gets an ERP hold with the ERP's message; `retry_failed(order_id)`
re-queues it once fixed, and the hold is released when the ERP accepts the order. A refused
key (a connector's ErpAuthError) is not the order's fault: no hold, the pass stops, the entries
stay pending.

Customers. `push_customer` / `push_address` entries (entity "customers", written by
services/customer_master.py) go in entry order per customer, with the same claims, retries and
backoff; the customer and the address are read from the store at send time, so an entry sends
what is stored now (a deleted customer is deactivated in the ERP). Connectors find the
customer by its code before creating it, so a create repeated after a lost answer updates
instead. A refusal fails the entry with the ERP's message (`orderdesk sync status` lists it)
and puts no hold on any order; it does not hold back the customer's later entries, which carry
the fix, and `retry_failed(customer_id, entity=CUSTOMERS)` sends it again. Other entities
(RMAs, credit memos) wait in the outbox until a connector maps them.

Purchases. `push_purchase` entries (entity "purchase_orders", written by services.purchasing,
vendor_ack and receiving whenever a PO changes) send the PO as stored now; the connector finds
the ERP purchase by our PO number, so a repeat updates instead of creating. A refusal fails
the entry (no hold: a PO is not a customer order); the ERP purchase's number is kept on the PO.

Conflicts. Before a change or cancel the engine reads the ERP order's state: if the ERP changed
it after our last successful sync of that order (its `changed_at`, less `conflict_grace_s`), the
entry fails with an ERP hold "changed in both places" and nothing is sent; `retry_failed` after
the coordinator has reconciled sends it (the conflict check then starts from that moment).
An entry is checked once: a retry after a half-done change does not see our own writes as the
ERP's.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from orderdesk_tui.erp.connector import (
    ErpError,
    ErpOrderRef,
    PermanentErpError,
    TransientErpError,
)
from orderdesk_tui.erp.sync.claims import Claim, OrderView, OutboxClaims
from orderdesk_tui.erp.sync.outbox import (
    CONFLICT_PREFIX,
    CUSTOMERS,
    ORDERS,
    PURCHASES,
    PUSH_ADDRESS,
    PUSH_CANCEL,
    PUSH_CHANGE,
    PUSH_CUSTOMER,
    PUSH_ORDER,
    PUSH_PURCHASE,
    aware,
)
from orderdesk_tui.erp.sync.payload import SyncProblem
from orderdesk_tui.models.base import OrderState

log = logging.getLogger(__name__)

#: ERP states in which an order can no longer conflict with a change of ours.
_ERP_DONE_STATES = frozenset({"cancelled", "cancel", "done"})


class _UnsettledCreate(TransientErpError):
    """A create failed in a way that may have reached the ERP, and the lookup found nothing
    yet: retried no sooner than `settle_s`."""


@dataclass
class PushReport:
    """What one `push_once` did."""

    sent: int = 0
    done: int = 0
    retried: int = 0
    failed: int = 0
    conflicts: int = 0
    #: Entries settled without a request (cancelled before it reached the ERP, nothing to do).
    skipped: int = 0
    #: Creates that found the ERP order by our number instead of creating a second one.
    found_existing: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{self.sent} sent", f"{self.done} done"]
        for name in ("retried", "failed", "conflicts", "skipped", "found_existing"):
            if value := getattr(self, name):
                parts.append(f"{value} {name.replace('_', ' ')}")
        return ", ".join(parts)


def _is_auth_error(exc: BaseException) -> bool:
    """The ERP refused our credentials (a connector's ErpAuthError, HTTP 401)."""
    return any(cls.__name__ == "ErpAuthError" for cls in type(exc).__mro__)


class Pusher(OutboxClaims):
    """Sends claimed outbox entries to the connector (see the module docstring)."""

    async def push_once(self) -> PushReport:
        """Send every entry due now (each at most once), `concurrency` at a time."""
        report = PushReport()
        seen: set[int] = set()
        started = self._now()
        #: Claimed in a batch (one transaction for up to `concurrency`), not yet taken up.
        waiting: list[Claim] = []
        claim_lock = asyncio.Lock()
        self._halted = False
        before = self.erp_state

        async def next_claim() -> Claim | None:
            # (asked again each time: an entry done meanwhile may have unblocked its order's
            # next one)
            async with claim_lock:
                if not waiting and len(seen) < self.max_batch:
                    limit = min(self.concurrency, self.max_batch - len(seen))
                    batch = await self._db(self._claim, started, frozenset(seen), limit)
                    seen.update(c.id for c in batch)
                    waiting.extend(batch)
                return waiting.pop(0) if waiting else None

        async def worker() -> None:
            while not self._halted and (claim := await next_claim()) is not None:
                await self._process(claim, report)

        if self.erp_state in {"idle", "online"}:
            self.erp_state = "syncing"
        try:
            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        finally:
            for claim in waiting:  # stopped or halted: give back what was not taken up
                await asyncio.shield(asyncio.to_thread(self._release_claim, claim, 0.0))
            if self.erp_state == "syncing":  # no trouble met: online if it answered
                self.erp_state = "online" if report.done or report.failed else before
        return report

    async def _process(self, claim: Claim, report: PushReport) -> None:
        try:
            handler = {
                (ORDERS, PUSH_ORDER): self._push_order,
                (ORDERS, PUSH_CHANGE): self._push_change,
                (ORDERS, PUSH_CANCEL): self._push_cancel,
                (CUSTOMERS, PUSH_CUSTOMER): self._push_customer,
                (CUSTOMERS, PUSH_ADDRESS): self._push_address,
                (PURCHASES, PUSH_PURCHASE): self._push_purchase,
            }.get((claim.entity, claim.operation))
            if handler is None:
                raise SyncProblem(f"{claim.entity} {claim.operation}: not known to this engine")
            await handler(claim, report)
        except asyncio.CancelledError:
            await asyncio.shield(asyncio.to_thread(self._release_claim, claim))
            raise
        except TransientErpError as exc:
            report.retried += 1
            report.errors.append(f"{claim.label}: {exc}")
            self._note_erp_error(exc)
            delay = self.backoff.delay(claim.attempts, self.rng, exc.retry_after)
            if isinstance(exc, _UnsettledCreate) and exc.retry_after is None:
                delay = max(delay, self.settle_s)
            await self._db(self._reschedule, claim, delay, str(exc))
        except (PermanentErpError, SyncProblem) as exc:
            if _is_auth_error(exc):
                # The key, not the order: no hold; stop this pass, keep the entries pending.
                self._halted = True
                self.erp_state = "error"
                report.retried += 1
                report.errors.append(f"{claim.label}: {exc}")
                delay = self.backoff.delay(claim.attempts, self.rng)
                await self._db(self._reschedule, claim, max(delay, self.poll_interval_s), str(exc))
                return
            report.failed += 1
            report.errors.append(f"{claim.label}: {exc}")
            if isinstance(exc, PermanentErpError):
                self.erp_state = "online"
            why = "ERP refused" if isinstance(exc, PermanentErpError) else "not sent to the ERP"
            await self._db(self._fail, claim, str(exc), f"{why}: {exc}")
        except ErpError as exc:  # neither kind: treat as transient, a retry may tell more
            report.retried += 1
            report.errors.append(f"{claim.label}: {exc}")
            self._note_erp_error(exc)
            delay = self.backoff.delay(claim.attempts, self.rng)
            await self._db(self._reschedule, claim, delay, str(exc))
        except Exception as exc:  # a bug or the store: keep the entry, retry later, say why
            log.exception("sync of outbox entry %s failed", claim.id)
            report.retried += 1
            message = f"{type(exc).__name__}: {exc}"
            report.errors.append(f"{claim.label}: {message}")
            delay = self.backoff.delay(claim.attempts, self.rng)
            try:
                await self._db(self._reschedule, claim, delay, message)
            except Exception:
                log.debug("cannot reschedule entry %s; its lease will expire", claim.id)

    async def _find(self, number: str) -> ErpOrderRef | None:
        return await self.connector.find_order(number)

    async def _push_order(self, claim: Claim, report: PushReport) -> None:
        order = await self._db(self._load_order, claim.entity_id)
        if order.ref is not None:  # stored already (an earlier entry, or a retry after a crash)
            await self._db(self._succeed, claim, order.ref, "already in the ERP")
            report.done += 1
            return
        ref: ErpOrderRef | None = None
        if claim.attempts > 1 or self.lookup_before_first_create:
            report.sent += 1
            ref = await self._find(order.number)
            if ref is not None:
                report.found_existing += 1
                ref = await self._complete_found(ref, order, report)
        if ref is None and order.state == OrderState.CANCELLED:
            await self._db(self._succeed, claim, None, "cancelled before it reached the ERP")
            report.skipped += 1
            return
        if ref is None:
            if not order.payload.lines:
                raise SyncProblem(f"order {order.number} has no open lines to send")
            report.sent += 1
            try:
                ref = await self.connector.push_order(order.payload)
            except TransientErpError as exc:
                # The ERP may have committed before the answer was lost: look before retrying.
                try:
                    ref = await self._find(order.number)
                    if ref is not None:
                        report.found_existing += 1
                        ref = await self._complete_found(ref, order, report)
                except TransientErpError:
                    ref = None
                if ref is None:
                    raise _UnsettledCreate(str(exc), retry_after=exc.retry_after) from exc
        self.erp_state = "online"
        await self._db(self._succeed, claim, ref, "")
        report.done += 1

    async def _complete_found(
        self, ref: ErpOrderRef, order: OrderView, report: PushReport
    ) -> ErpOrderRef:
        """An order found by our number that an earlier attempt left half-way (created, not
        confirmed: one of the connector's `incomplete_states`) is completed by calling
        `push_order` again, which resumes the order it finds by reference (Tryton's does;
        connectors that create atomically never report such a state)."""
        if order.state == OrderState.CANCELLED:
            return ref  # the cancel that follows takes it as it is
        report.sent += 1
        state = await self.connector.order_state(ref)
        if state.state not in self.incomplete_states:
            return state.ref if state.ref.erp_number else ref
        report.sent += 1
        return await self.connector.push_order(order.payload)

    async def _ref_for(
        self, claim: Claim, order: OrderView, report: PushReport
    ) -> ErpOrderRef | None:
        if order.ref is not None:
            return order.ref
        report.sent += 1
        return await self._find(order.number)

    async def _conflict(self, claim: Claim, ref: ErpOrderRef) -> str | None:
        """The conflict message if the ERP changed the order since our last sync of it.

        Checked once per entry: once passed, a retry after a failure half-way (the connector
        wrote part of our change or cancel) must not take our own writes for the ERP's."""
        if claim.payload.get("conflict_checked_at"):
            return None
        state = await self.connector.order_state(ref)
        changed_at = aware(state.changed_at)
        if changed_at is None:
            return None
        if claim.operation == PUSH_CANCEL and state.state in _ERP_DONE_STATES:
            return None  # cancelling what the ERP closed or cancelled itself changes nothing
        baseline = await self._db(self._last_synced_at, claim)
        resolved = claim.payload.get("conflict_resolved_at")
        if resolved:
            resolved_at = aware(datetime.fromisoformat(resolved))
            baseline = max(b for b in (baseline, resolved_at) if b is not None)
        if baseline is None:
            return None
        if changed_at > baseline + timedelta(seconds=self.conflict_grace_s):
            return (
                f"{CONFLICT_PREFIX}: ERP {ref.erp_number or ref.erp_id} changed at "
                f"{changed_at:%Y-%m-%d %H:%M:%S} UTC after our last sync at "
                f"{baseline:%Y-%m-%d %H:%M:%S} UTC; nothing was sent"
            )
        await self._db(self._note_checked, claim)
        return None

    async def _target(
        self, claim: Claim, report: PushReport, what: str
    ) -> tuple[OrderView, ErpOrderRef] | None:
        """The order and its ERP reference for a change or cancel, or None when it was settled
        here: not in the ERP (nothing to `what`) or changed in both places (a conflict)."""
        order = await self._db(self._load_order, claim.entity_id)
        ref = await self._ref_for(claim, order, report)
        if ref is None:
            await self._db(self._succeed, claim, None, f"not in the ERP: nothing to {what}")
            report.skipped += 1
            return None
        report.sent += 1
        if (conflict := await self._conflict(claim, ref)) is not None:
            report.conflicts += 1
            await self._db(self._fail, claim, conflict, conflict)
            return None
        report.sent += 1
        return order, ref

    async def _push_change(self, claim: Claim, report: PushReport) -> None:
        target = await self._target(claim, report, "change")
        if target is None:
            return
        order, ref = target
        new_ref = await self.connector.push_change(ref, order.payload)
        self.erp_state = "online"
        await self._db(self._succeed, claim, new_ref, "")
        report.done += 1

    async def _push_cancel(self, claim: Claim, report: PushReport) -> None:
        target = await self._target(claim, report, "cancel")
        if target is None:
            return
        _, ref = target
        reason = str(claim.payload.get("reason") or "cancelled")
        await self.connector.push_cancel(ref, reason)
        self.erp_state = "online"
        await self._db(self._succeed, claim, ref, "")
        report.done += 1

    async def _push_customer(self, claim: Claim, report: PushReport) -> None:
        customer = await self._db(self._load_customer, claim)
        if not customer.code:
            raise SyncProblem(f"customer {claim.entity_id} has no code to find it by")
        report.sent += 1
        await self.connector.push_customer(customer)
        bill_to = claim.payload.get("bill_to")
        if customer.name and isinstance(bill_to, dict):  # a new customer's first address
            address = await self._db(self._load_address, claim, str(bill_to.get("code") or ""))
            report.sent += 1
            await self.connector.push_address(address)
        self.erp_state = "online"
        await self._db(self._succeed, claim, None, "")
        report.done += 1

    async def _push_address(self, claim: Claim, report: PushReport) -> None:
        address = await self._db(self._load_address, claim, str(claim.payload.get("address", "")))
        report.sent += 1
        await self.connector.push_address(address)
        self.erp_state = "online"
        await self._db(self._succeed, claim, None, "")
        report.done += 1

    async def _push_purchase(self, claim: Claim, report: PushReport) -> None:
        purchase = await self._db(self._load_purchase, claim.entity_id)
        report.sent += 1
        ref = await self.connector.push_purchase(purchase)
        self.erp_state = "online"
        await self._db(self._succeed, claim, ref, "")
        report.done += 1
