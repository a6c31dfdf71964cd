"""The sync engine: sends the outbox to the ERP and pulls master data back, for any connector.

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

Idempotency. The order is built from the store at send time (`order_payload`). Before creating,
on every attempt after the first (a previous attempt may have reached the ERP: a lost answer,
a crash), and at once after a transient failure of the create, the engine asks
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

Conflicts. Before a change or cancel the engine reads the ERP order's state: if the ERP changed
it after our last successful sync of that order (its `changed_at`, less `conflict_grace_s`), the
entry fails with an ERP hold "changed in both places" and nothing is sent; `retry_failed` after
the coordinator has reconciled sends it (the conflict check then starts from that moment).
An entry is checked once: a retry after a half-done change does not see our own writes as the
ERP's.

Pull. Customers, items and stock since the cursors kept in `sync_cursors`, one transaction a
page; changed customers and items are audited. The ERP is the system of record for them.

The store is synchronous (SQLAlchemy); every store call runs in a thread (`asyncio.to_thread`)
so that a store waiting on another terminal's lock never stalls requests in flight.
"""

import asyncio
import contextlib
import json
import logging
import random
import threading
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import bindparam, exists, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from orderdesk_tui.erp.connector import (
    AddressPayload,
    Connector,
    CustomerPayload,
    ErpCustomer,
    ErpError,
    ErpItem,
    ErpOrderRef,
    ErpStock,
    OrderLinePayload,
    OrderPayload,
    PermanentErpError,
    PostalAddress,
    PullPage,
    TransientErpError,
)
from orderdesk_tui.errors import StaleEdit
from orderdesk_tui.models import (
    Address,
    Customer,
    Hold,
    Item,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    SyncOutbox,
    Warehouse,
)
from orderdesk_tui.models.base import AddressKind, HoldKind, ItemStatus, OrderState, utcnow
from orderdesk_tui.models.sync_state import SyncCursor
from orderdesk_tui.services.audit import apply_update, record, record_insert
from orderdesk_tui.services.holds import open_hold, place_hold
from orderdesk_tui.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The actor written on audit events and holds the engine makes.
SYNC_ACTOR = "erp-sync"
ORDERS, CUSTOMERS = "sales_orders", "customers"
PUSH_ORDER, PUSH_CHANGE, PUSH_CANCEL = "push_order", "push_change", "push_cancel"
PUSH_CUSTOMER, PUSH_ADDRESS = "push_customer", "push_address"
PENDING, DONE, FAILED = "pending", "done", "failed"
CONFLICT_PREFIX = "changed in both places"
#: ERP order states of an order created but not yet confirmed (an attempt stopped half-way);
#: a connector may say otherwise with an `incomplete_states` attribute.
INCOMPLETE_STATES = frozenset({"draft", "quotation"})
#: ERP states in which an order can no longer conflict with a change of ours.
_ERP_DONE_STATES = frozenset({"cancelled", "cancel", "done"})
#: Cursor names in `sync_cursors`.
PULL_KINDS = ("customers", "items", "stock")
LAST_PUSH_OK, LAST_PUSH_ERROR = "push.last_success", "push.last_error"
LAST_PULL_OK, LAST_PULL_ERROR = "pull.last_success", "pull.last_error"

_Q4 = Decimal("0.0001")


class SyncProblem(Exception):
    """Our own data cannot be sent (order gone, no lines): fails the entry like a refusal."""


class _UnsettledCreate(TransientErpError):
    """A create failed in a way that may have reached the ERP, and the lookup found nothing
    yet: retried no sooner than `settle_s`."""


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


@dataclass
class PullReport:
    """What one `pull_once` did, per kind: records received, rows changed here, skipped."""

    received: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [
            f"{kind} {self.received.get(kind, 0)} received/{self.changed.get(kind, 0)} changed"
            + (f"/{self.skipped[kind]} skipped" if self.skipped.get(kind) else "")
            for kind in PULL_KINDS
            if kind in self.received
        ]
        return ", ".join(parts) or "nothing pulled"


@dataclass(frozen=True)
class SyncStatus:
    """The outbox and the engine's latest outcomes, for `orderdesk sync status` and the bar."""

    pending: int
    failed: int
    done_today: int
    last_error: str
    last_error_at: datetime | None
    last_success_at: datetime | None
    last_pull_at: datetime | None
    #: idle, online, syncing, unreachable, error, stopped (the status bar shows it as is).
    erp_state: str


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


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def _is_auth_error(exc: BaseException) -> bool:
    """The ERP refused our credentials (a connector's ErpAuthError, HTTP 401)."""
    return any(cls.__name__ == "ErpAuthError" for cls in type(exc).__mro__)


def _fit(value: str | None, length: int) -> str:
    return (value or "")[:length]


def net_unit_price(line: SalesOrderLine) -> Decimal:
    """The unit price after the line discount %, then the amount off (as domain.pricing)."""
    net = line.unit_price
    if line.discount_percent:
        net = (net * (Decimal(100) - line.discount_percent) / Decimal(100)).quantize(_Q4)
    if line.discount_amount:
        net = net - line.discount_amount
    return net


def _postal(address: Address | None) -> PostalAddress | None:
    if address is None:
        return None
    street = address.line1 if not address.line2 else f"{address.line1}\n{address.line2}"
    return PostalAddress(
        code=address.code,
        name=address.name,
        street=street,
        city=address.city,
        postal_code=address.postal_code,
        country=address.country,
        region=address.region,
    )


def _default_address(session: Session, customer_id: int, kind: AddressKind) -> Address | None:
    return session.exec(
        select(Address)
        .where(Address.customer_id == customer_id, Address.kind == kind, Address.active)
        .order_by(col(Address.is_default).desc(), col(Address.id))
    ).first()


def order_payload(session: Session, order: SalesOrder) -> OrderPayload:
    """Our order as the ERP receives it: customer, addresses and open lines, from the store."""
    customer = session.get(Customer, order.customer_id)
    if customer is None:
        raise SyncProblem(f"order {order.number}: its customer no longer exists")
    bill_to = session.get(Address, order.bill_to_id) if order.bill_to_id else None
    bill_to = bill_to or _default_address(session, customer.id or 0, AddressKind.BILL_TO)
    ship_to = session.get(Address, order.ship_to_id) if order.ship_to_id else None
    rows = session.exec(
        select(SalesOrderLine)
        .where(SalesOrderLine.order_id == order.id)
        .order_by(col(SalesOrderLine.line_no))
    ).all()
    lines = tuple(
        OrderLinePayload(
            line_no=line.line_no,
            part_number=line.part_number,
            description=line.description,
            quantity=line.quantity - line.quantity_cancelled,
            uom=line.uom,
            unit_price=net_unit_price(line),
        )
        for line in rows
        if line.item_id is not None and line.quantity - line.quantity_cancelled > 0
    )
    return OrderPayload(
        number=order.number,
        customer_code=customer.code,
        customer_name=customer.name,
        customer_po=order.customer_po,
        currency=order.currency,
        bill_to=_postal(bill_to),
        ship_to=_postal(ship_to),
        lines=lines,
        requested_date=order.requested_date,
        payment_terms=order.payment_terms or customer.payment_terms,
        notes=order.notes,
    )


def _put_state(session: Session, name: str, value: str, at: datetime) -> None:
    """Upsert one `sync_cursors` row (race-free on both stores)."""
    dialect = session.get_bind().dialect.name
    table = SyncCursor.__table__  # type: ignore[attr-defined]
    values = {"name": name, "cursor": value, "updated_at": at}
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).values(**values)
    else:
        stmt = sqlite.insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={"cursor": value, "updated_at": at}
    )
    session.execute(stmt)


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


def read_status(store: Store, *, now: datetime | None = None, erp_state: str = "") -> SyncStatus:
    """Counts and latest outcomes from the store (no connector needed)."""
    now = now or utcnow()
    local_midnight = datetime.combine(now.astimezone().date(), time(), now.astimezone().tzinfo)
    with store.session() as session:
        counts = dict(
            session.exec(  # type: ignore[call-overload]
                select(SyncOutbox.state, func.count())
                .where(col(SyncOutbox.state).in_([PENDING, FAILED]))
                .group_by(SyncOutbox.state)
            ).all()
        )
        done_today = session.exec(
            select(func.count())
            .select_from(SyncOutbox)
            .where(SyncOutbox.state == DONE, col(SyncOutbox.done_at) >= local_midnight)
        ).one()
        rows = {
            row.name: row
            for row in session.exec(
                select(SyncCursor).where(
                    col(SyncCursor.name).in_(
                        [LAST_PUSH_OK, LAST_PUSH_ERROR, LAST_PULL_OK, LAST_PULL_ERROR]
                    )
                )
            )
        }

    def at(name: str) -> datetime | None:
        return _aware(rows[name].updated_at) if name in rows else None

    errors = [(at(n), rows[n].cursor) for n in (LAST_PUSH_ERROR, LAST_PULL_ERROR) if n in rows]
    errors.sort(key=lambda pair: pair[0] or datetime.min.replace(tzinfo=UTC))
    last_error_at, last_error = errors[-1] if errors else (None, "")
    successes = [t for t in (at(LAST_PUSH_OK), at(LAST_PULL_OK)) if t is not None]
    last_success_at = max(successes) if successes else None
    if not erp_state:
        if last_error_at and (last_success_at is None or last_error_at > last_success_at):
            erp_state = "error"
        elif last_success_at:
            erp_state = "online"
        else:
            erp_state = "idle"
    return SyncStatus(
        pending=int(counts.get(PENDING, 0)),
        failed=int(counts.get(FAILED, 0)),
        done_today=int(done_today),
        last_error=last_error,
        last_error_at=last_error_at,
        last_success_at=last_success_at,
        last_pull_at=at(LAST_PULL_OK),
        erp_state=erp_state,
    )


class SyncEngine:
    """Moves the outbox to one ERP and master data back; see the module docstring."""

    def __init__(
        self,
        store: Store,
        connector: Connector,
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        concurrency: int = 4,
        backoff_base_s: float = 2.0,
        backoff_cap_s: float = 300.0,
        retry_after_cap_s: float = 3600.0,
        settle_s: float = 10.0,
        lease_s: float = 300.0,
        conflict_grace_s: float = 5.0,
        poll_interval_s: float = 2.0,
        pull_interval_s: float = 60.0,
        max_batch: int = 1000,
        max_pull_pages: int = 100,
        lookup_before_first_create: bool = False,
        actor: str = SYNC_ACTOR,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.store = store
        self.connector = connector
        self.clock = clock
        self.rng = rng or random.Random()
        self.concurrency = concurrency
        self.backoff = Backoff(backoff_base_s, backoff_cap_s, retry_after_cap_s)
        self.settle_s = settle_s
        self.lease_s = lease_s
        self.conflict_grace_s = conflict_grace_s
        self.poll_interval_s = poll_interval_s
        self.pull_interval_s = pull_interval_s
        self.max_batch = max_batch
        self.max_pull_pages = max_pull_pages
        self.lookup_before_first_create = lookup_before_first_create
        self.actor = actor
        self.incomplete_states: frozenset[str] = frozenset(
            getattr(connector, "incomplete_states", INCOMPLETE_STATES)
        )
        #: idle, syncing, online, unreachable, error, stopped: this engine's view of the ERP.
        self.erp_state = "idle"
        self._halted = False
        self._claim_stmt: Any = None

    # -- helpers ---------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self.clock()
        return _aware(now) or utcnow()

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    def _with_retry(self, fn: Callable[[], T]) -> T:
        """Run a write transaction again when another terminal changed the row meanwhile."""
        for attempt in range(5):
            try:
                return fn()
            except StaleEdit:
                if attempt == 4:
                    raise
        raise AssertionError("unreachable")

    # -- public API ------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        return read_status(self.store, now=self._now(), erp_state=self.erp_state)

    def retry_failed(self, order_id: int, *, actor: str | None = None, entity: str = ORDERS) -> int:
        return retry_failed(
            self.store, order_id, actor=actor or self.actor, now=self._now(), entity=entity
        )

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

    async def pull_once(self) -> PullReport:
        """Pull customers, items and stock changed since the stored cursors."""
        report = PullReport()
        pullers: dict[str, Callable[[str | None], Awaitable[PullPage[Any]]]] = {
            "customers": self.connector.pull_customers,
            "items": self.connector.pull_items,
            "stock": self.connector.pull_stock,
        }
        appliers: dict[str, Callable[[Iterable[Any], str | None], tuple[int, int]]] = {
            "customers": self._apply_customers,
            "items": self._apply_items,
            "stock": self._apply_stock,
        }
        for kind in PULL_KINDS:
            report.received[kind] = report.changed[kind] = report.skipped[kind] = 0
            cursor = await self._db(self._get_cursor, f"pull.{kind}")
            try:
                for _ in range(self.max_pull_pages):
                    page = await pullers[kind](cursor)
                    new_cursor = page.cursor if page.cursor is not None else cursor
                    changed, skipped = await self._db(
                        appliers[kind], page.records, (f"pull.{kind}", new_cursor)
                    )
                    report.received[kind] += len(page.records)
                    report.changed[kind] += changed
                    report.skipped[kind] += skipped
                    if not page.records or new_cursor == cursor:
                        break
                    cursor = new_cursor
            except ErpError as exc:
                message = f"pull {kind}: {exc}"
                report.errors.append(message)
                self._note_erp_error(exc)
                await self._db(self._note_state, LAST_PULL_ERROR, message)
                if isinstance(exc, TransientErpError):
                    break  # the ERP is away: the other kinds would fail the same way
        if not report.errors:
            self.erp_state = "online"
            await self._db(self._note_state, LAST_PULL_OK, str(report))
        return report

    async def run(
        self,
        stop: asyncio.Event | threading.Event,
        *,
        on_cycle: Callable[[SyncStatus], Any] | None = None,
    ) -> None:
        """Push, and pull every `pull_interval_s`, until `stop` is set; never raises on ERP or
        store trouble (it is recorded and the loop goes on after the poll interval)."""
        next_pull = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                try:
                    report = await self.push_once()
                    if report.errors:
                        log.info("sync push: %s; %s", report, report.errors[-1])
                    if loop.time() >= next_pull:
                        next_pull = loop.time() + self.pull_interval_s
                        await self.pull_once()
                except ErpError as exc:  # a connector error outside an entry
                    self._note_erp_error(exc)
                except Exception as exc:  # the store went away: keep trying, say so
                    log.exception("sync cycle failed")
                    self.erp_state = "error"
                    try:
                        await self._db(self._note_state, LAST_PUSH_ERROR, f"sync: {exc}")
                    except Exception:
                        log.debug("cannot record the sync error", exc_info=True)
                if on_cycle is not None:
                    try:
                        result = on_cycle(await self._db(self.status))
                        if asyncio.iscoroutine(result):
                            await result
                    except Exception:
                        log.exception("sync status callback failed")
                await _wait(stop, self.poll_interval_s)
        finally:
            self.erp_state = "stopped"

    # -- push ------------------------------------------------------------------------------

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
                    col(SyncOutbox.entity).in_([ORDERS, CUSTOMERS]),
                )
                .group_by(col(SyncOutbox.entity), col(SyncOutbox.entity_id))
            )
            # ... unless an earlier entry of the order failed for good (a cancel still goes:
            # _push_cancel; a customer's later entries carry the fix: they go).
            failed_before = aliased(SyncOutbox)
            blocked = exists().where(
                SyncOutbox.entity == ORDERS,
                failed_before.state == FAILED,
                failed_before.entity == SyncOutbox.entity,
                failed_before.entity_id == SyncOutbox.entity_id,
                failed_before.id < SyncOutbox.id,  # type: ignore[operator]
                SyncOutbox.operation != PUSH_CANCEL,
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
                stmt = stmt.with_for_update(skip_locked=True, of=SyncOutbox)  # type: ignore[arg-type]
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
                taken = session.execute(
                    update(SyncOutbox)
                    .where(
                        col(SyncOutbox.id) == entry.id,
                        col(SyncOutbox.state) == PENDING,
                        col(SyncOutbox.attempts) == entry.attempts,
                    )
                    .values(attempts=entry.attempts + 1, next_attempt_at=lease_until)
                    .execution_options(synchronize_session=False)
                )
                if taken.rowcount == 1:  # type: ignore[attr-defined]
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
        return _aware(last)

    async def _process(self, claim: Claim, report: PushReport) -> None:
        try:
            handler = {
                (ORDERS, PUSH_ORDER): self._push_order,
                (ORDERS, PUSH_CHANGE): self._push_change,
                (ORDERS, PUSH_CANCEL): self._push_cancel,
                (CUSTOMERS, PUSH_CUSTOMER): self._push_customer,
                (CUSTOMERS, PUSH_ADDRESS): self._push_address,
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

    def _note_erp_error(self, exc: ErpError) -> None:
        self.erp_state = "unreachable" if isinstance(exc, TransientErpError) else "error"

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
        changed_at = _aware(state.changed_at)
        if changed_at is None:
            return None
        if claim.operation == PUSH_CANCEL and state.state in _ERP_DONE_STATES:
            return None  # cancelling what the ERP closed or cancelled itself changes nothing
        baseline = await self._db(self._last_synced_at, claim)
        resolved = claim.payload.get("conflict_resolved_at")
        if resolved:
            resolved_at = _aware(datetime.fromisoformat(resolved))
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

    def _note_checked(self, claim: Claim) -> None:
        """Record on the entry that its conflict check passed (see `_conflict`)."""
        claim.payload["conflict_checked_at"] = self._now().isoformat()
        with self.store.session() as session:
            session.execute(
                update(SyncOutbox)
                .where(col(SyncOutbox.id) == claim.id, col(SyncOutbox.state) == PENDING)
                .values(payload=json.dumps(claim.payload, sort_keys=True))
                .execution_options(synchronize_session=False)
            )

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
        postal = _postal(address)
        assert postal is not None
        return AddressPayload(
            customer=self._load_customer(claim),
            address=postal,
            invoice=address.kind == AddressKind.BILL_TO,
            active=address.active,
            previous_code=str(claim.payload.get("previous_address") or ""),
        )

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
                entry.state, entry.done_at = DONE, now
                entry.erp_ref = _fit(ref.erp_id if ref else "", 40)
                entry.last_error = _fit(note, 1000)
                session.add(entry)
                if claim.entity == CUSTOMERS:
                    self._settle_superseded(session, claim, now)
                label = f"{claim.operation} {order.number}" if order is not None else claim.label
                _put_state(session, LAST_PUSH_OK, label, now)

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
                entry.last_error = _fit(f"sent by entry {claim.id}; was: {entry.last_error}", 1000)
                session.add(entry)

    def _reschedule(self, claim: Claim, delay: float, message: str) -> None:
        now = self._now()
        with self.store.immediate() as session:
            session.execute(
                update(SyncOutbox)
                .where(col(SyncOutbox.id) == claim.id, col(SyncOutbox.state) == PENDING)
                .values(
                    next_attempt_at=now + timedelta(seconds=delay),
                    last_error=_fit(message, 1000),
                )
                .execution_options(synchronize_session=False)
            )
            _put_state(session, LAST_PUSH_ERROR, _fit(f"{claim.label}: {message}", 1000), now)

    def _fail(self, claim: Claim, message: str, hold_reason: str) -> None:
        def write() -> None:
            now = self._now()
            with self.store.immediate() as session:
                entry = session.get(SyncOutbox, claim.id, with_for_update=True)
                if entry is None or entry.state != PENDING:
                    return
                entry.state = FAILED
                entry.last_error = _fit(message, 1000)
                entry.next_attempt_at = now
                session.add(entry)
                order = (
                    session.get(SalesOrder, claim.entity_id, with_for_update=True)
                    if claim.entity == ORDERS
                    else None
                )
                if order is not None:
                    reason = _fit(hold_reason, 400)
                    if place_hold(session, order, HoldKind.ERP, reason, actor=self.actor) is None:
                        self._restate_hold(session, order.id or 0, reason)
                _put_state(session, LAST_PUSH_ERROR, _fit(f"{claim.label}: {message}", 1000), now)

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

    def _note_state(self, name: str, value: str) -> None:
        with self.store.session() as session:
            _put_state(session, name, _fit(value, 1000), self._now())

    # -- pull ------------------------------------------------------------------------------

    def _get_cursor(self, name: str) -> str | None:
        with self.store.session() as session:
            row = session.get(SyncCursor, name)
            return row.cursor if row is not None and row.cursor else None

    def _save_cursor(self, session: Session, cursor: tuple[str, str | None]) -> None:
        name, value = cursor
        _put_state(session, name, value or "", self._now())

    def _apply_customers(
        self, records: Iterable[ErpCustomer], cursor: tuple[str, str | None]
    ) -> tuple[int, int]:
        changed = 0
        with self.store.immediate() as session:
            for rec in records:
                customer = session.exec(select(Customer).where(Customer.code == rec.code)).first()
                if customer is None:
                    created = {"code": _fit(rec.code, 20), "name": _fit(rec.name, 120)}
                    customer = Customer(**created, active=rec.active)
                    record_insert(
                        session,
                        customer,
                        created,
                        actor=self.actor,
                        action="customer.pulled",
                        reason=f"new in {self.connector.name}",
                    )
                    changed += 1
                else:
                    values = {"name": _fit(rec.name, 120), "active": rec.active}
                    if any(getattr(customer, k) != v for k, v in values.items()):
                        apply_update(
                            session,
                            customer,
                            values,
                            expected_version=customer.version,
                            actor=self.actor,
                            action="customer.pulled",
                            reason=f"changed in {self.connector.name}",
                        )
                        changed += 1
                assert customer.id is not None
                for postal in rec.addresses:
                    changed += self._apply_address(session, customer.id, postal)
            self._save_cursor(session, cursor)
        return changed, 0

    def _apply_address(self, session: Session, customer_id: int, postal: PostalAddress) -> int:
        street, _, line2 = postal.street.partition("\n")
        values = {
            "name": _fit(postal.name, 120),
            "line1": _fit(street, 120),
            "line2": _fit(line2, 120),
            "city": _fit(postal.city, 80),
            "postal_code": _fit(postal.postal_code, 20),
            "country": _fit(postal.country, 2),
            "region": _fit(postal.region, 40),
        }
        code = _fit(postal.code, 20)
        address = session.exec(
            select(Address).where(Address.customer_id == customer_id, Address.code == code)
        ).first()
        if address is None:
            address = Address(
                customer_id=customer_id, code=code, kind=AddressKind.SHIP_TO, **values
            )
            record_insert(
                session,
                address,
                values,
                actor=self.actor,
                action="address.pulled",
                reason=f"new in {self.connector.name}",
            )
            return 1
        if all(getattr(address, k) == v for k, v in values.items()):
            return 0
        apply_update(
            session,
            address,
            values,
            expected_version=address.version,
            actor=self.actor,
            action="address.pulled",
            reason=f"changed in {self.connector.name}",
        )
        return 1

    def _apply_items(
        self, records: Iterable[ErpItem], cursor: tuple[str, str | None]
    ) -> tuple[int, int]:
        changed = 0
        with self.store.immediate() as session:
            for rec in records:
                item = session.exec(select(Item).where(Item.part_number == rec.part_number)).first()
                values: dict[str, Any] = {
                    "description": _fit(rec.description, 200),
                    "uom": _fit(rec.uom, 6),
                }
                if rec.list_price is not None:
                    values["list_price"] = rec.list_price.quantize(_Q4)
                if rec.cost is not None:
                    values["cost"] = rec.cost.quantize(_Q4)
                if item is None:
                    status = ItemStatus.ACTIVE if rec.active else ItemStatus.DISCONTINUED
                    item = Item(part_number=_fit(rec.part_number, 40), status=status, **values)
                    record_insert(
                        session,
                        item,
                        values,
                        actor=self.actor,
                        action="item.pulled",
                        reason=f"new in {self.connector.name}",
                    )
                    changed += 1
                    continue
                if rec.active and item.status != ItemStatus.ACTIVE:
                    values["status"] = ItemStatus.ACTIVE
                elif not rec.active and item.status == ItemStatus.ACTIVE:
                    values["status"] = ItemStatus.DISCONTINUED
                if any(getattr(item, k) != v for k, v in values.items()):
                    apply_update(
                        session,
                        item,
                        values,
                        expected_version=item.version,
                        actor=self.actor,
                        action="item.pulled",
                        reason=f"changed in {self.connector.name}",
                    )
                    changed += 1
            self._save_cursor(session, cursor)
        return changed, 0

    def _apply_stock(
        self, records: Iterable[ErpStock], cursor: tuple[str, str | None]
    ) -> tuple[int, int]:
        changed = skipped = 0
        with self.store.immediate() as session:
            items: dict[str, int | None] = {}
            warehouses = {w.code: w.id for w in session.exec(select(Warehouse))}
            for rec in records:
                if rec.part_number not in items:
                    items[rec.part_number] = session.exec(
                        select(Item.id).where(Item.part_number == rec.part_number)
                    ).first()
                item_id, warehouse_id = items[rec.part_number], warehouses.get(rec.warehouse_code)
                if item_id is None or warehouse_id is None:
                    skipped += 1
                    continue
                level = session.exec(
                    select(StockLevel)
                    .where(StockLevel.item_id == item_id, StockLevel.warehouse_id == warehouse_id)
                    .with_for_update()
                ).first()
                if level is None:
                    session.add(
                        StockLevel(item_id=item_id, warehouse_id=warehouse_id, on_hand=rec.on_hand)
                    )
                    changed += 1
                elif level.on_hand != rec.on_hand:
                    level.on_hand = rec.on_hand
                    level.updated_at = self._now()
                    level.version += 1
                    session.add(level)
                    changed += 1
            self._save_cursor(session, cursor)
        return changed, skipped


async def _wait(stop: asyncio.Event | threading.Event, seconds: float) -> None:
    if isinstance(stop, asyncio.Event):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not stop.is_set() and loop.time() < deadline:
        await asyncio.sleep(min(0.1, deadline - loop.time()))


__all__ = [
    "Backoff",
    "PullReport",
    "PushReport",
    "SyncEngine",
    "SyncProblem",
    "SyncStatus",
    "failed_entries",
    "order_payload",
    "read_status",
    "requeue_failed",
    "retry_failed",
]
