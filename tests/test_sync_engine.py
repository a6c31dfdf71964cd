"""The sync engine against an in-memory ERP with scripted faults, on SQLite and PostgreSQL.

The FakeConnector keeps sales by reference as an ERP would, and can be told, per method, to
fail the next calls: a transient error (with or without Retry-After), a permanent refusal, or a
"lost answer" (the sale is committed, then the call fails as if the reply never came back).
"""

import argparse
import asyncio
import json
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from orderdesk_tui.erp.connector import (
    ErpCustomer,
    ErpItem,
    ErpOrderRef,
    ErpOrderState,
    ErpStock,
    OrderPayload,
    PermanentErpError,
    PostalAddress,
    PullPage,
    TransientErpError,
)
from orderdesk_tui.erp.sync.engine import SyncEngine
from orderdesk_tui.erp.sync.outbox import CONFLICT_PREFIX
from orderdesk_tui.erp.sync.retry import Backoff, retry_failed
from orderdesk_tui.erp.sync.status import read_status
from orderdesk_tui.models import (
    Address,
    AuditEvent,
    Customer,
    Hold,
    Item,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    SyncOutbox,
    Warehouse,
)
from orderdesk_tui.models.base import AddressKind, HoldKind, OrderState
from orderdesk_tui.models.sync_state import SyncCursor
from orderdesk_tui.services.audit import apply_update
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.store import Store

#: The fake clock starts a day ahead of the real one: entries the store stamps with the real
#: time (`enqueue`) are due at once on it, whatever the time of day the tests run.
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
#: Sentinel fault: the ERP commits the create, then the answer is lost.
LOST = "lost"
#: Sentinel fault: the ERP creates the sale, then fails before confirming it (left in draft).
HALF = "half"


class ErpAuthError(PermanentErpError):
    """As connectors name it: the ERP refused the key."""


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeSale:
    id: int
    number: str
    reference: str
    lines: tuple[tuple[str, Decimal, Decimal], ...]
    state: str = "confirmed"
    changed_at: datetime = T0
    cancel_reason: str = ""


@dataclass
class FakeConnector:
    """An ERP in memory: sales by reference, calls recorded, faults scripted per method."""

    clock: Clock
    name: str = "fake"
    sales: dict[str, FakeSale] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    faults: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    customers: list[ErpCustomer] = field(default_factory=list)
    items: list[ErpItem] = field(default_factory=list)
    stock: list[ErpStock] = field(default_factory=list)
    page_size: int = 2
    delay_s: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0

    def fail(self, method: str, *faults: Any) -> None:
        self.faults[method].extend(faults)

    async def _call(self, method: str, arg: str) -> Any:
        self.calls.append((method, arg))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
        finally:
            self.in_flight -= 1
        fault = self.faults[method].pop(0) if self.faults[method] else None
        if isinstance(fault, Exception):
            raise fault
        return fault

    async def find_order(self, reference: str) -> ErpOrderRef | None:
        await self._call("find_order", reference)
        sale = self.sales.get(reference)
        return ErpOrderRef(str(sale.id), sale.number) if sale else None

    async def push_order(self, order: OrderPayload) -> ErpOrderRef:
        fault = await self._call("push_order", order.number)
        existing = self.sales.get(order.number)
        if existing is not None and existing.state == "draft":  # resumes, as Tryton's does
            existing.state, existing.changed_at = "confirmed", self.clock()
            return ErpOrderRef(str(existing.id), existing.number)
        n = len(self.sales) + 1
        sale = FakeSale(
            id=n,
            number=f"SO{n:05d}",
            reference=order.number,
            lines=tuple((ln.part_number, ln.quantity, ln.unit_price) for ln in order.lines),
            changed_at=self.clock(),
        )
        assert order.number not in self.sales, f"duplicate sale for {order.number}"
        self.sales[order.number] = sale
        if fault == LOST:
            raise TransientErpError("connection reset by peer")
        if fault == HALF:
            sale.state = "draft"
            raise TransientErpError("confirm timed out")
        return ErpOrderRef(str(sale.id), sale.number)

    def _sale(self, ref: ErpOrderRef) -> FakeSale:
        return next(s for s in self.sales.values() if str(s.id) == ref.erp_id)

    async def push_change(self, ref: ErpOrderRef, order: OrderPayload) -> ErpOrderRef:
        fault = await self._call("push_change", order.number)
        sale = self._sale(ref)
        if fault == HALF:  # wrote part of the change, then failed
            sale.changed_at = self.clock()
            raise TransientErpError("timed out")
        sale.lines = tuple((ln.part_number, ln.quantity, ln.unit_price) for ln in order.lines)
        sale.changed_at = self.clock()
        return ref

    async def push_cancel(self, ref: ErpOrderRef, reason: str) -> None:
        sale = self._sale(ref)
        await self._call("push_cancel", sale.reference)
        sale.state, sale.cancel_reason, sale.changed_at = "cancelled", reason, self.clock()

    async def order_state(self, ref: ErpOrderRef) -> ErpOrderState:
        sale = self._sale(ref)
        await self._call("order_state", sale.reference)
        return ErpOrderState(ref=ref, state=sale.state, changed_at=sale.changed_at)

    def _page(self, records: list[Any], cursor: str | None) -> PullPage[Any]:
        start = int(cursor or 0)
        chunk = records[start : start + self.page_size]
        return PullPage(tuple(chunk), str(start + len(chunk)))

    async def pull_customers(self, cursor: str | None) -> PullPage[ErpCustomer]:
        await self._call("pull_customers", cursor or "")
        return self._page(self.customers, cursor)

    async def pull_items(self, cursor: str | None) -> PullPage[ErpItem]:
        await self._call("pull_items", cursor or "")
        return self._page(self.items, cursor)

    async def pull_stock(self, cursor: str | None) -> PullPage[ErpStock]:
        await self._call("pull_stock", cursor or "")
        return self._page(self.stock, cursor)

    async def aclose(self) -> None:
        return None

    def count(self, method: str) -> int:
        return sum(1 for name, _ in self.calls if name == method)


# -- store fixtures -------------------------------------------------------------------------


def _master(store: Store) -> tuple[int, int, int]:
    """One customer with a ship-to, one item, one warehouse (ids)."""
    with store.session() as session:
        customer = session.exec(select(Customer).where(Customer.code == "ACME")).first()
        if customer is None:
            customer = Customer(code="ACME", name="Acme Industrial", credit_limit=Decimal("1e6"))
            session.add(customer)
            session.flush()
            assert customer.id is not None
            session.add(
                Address(
                    customer_id=customer.id,
                    code="MAIN",
                    kind=AddressKind.SHIP_TO,
                    name="Acme Receiving",
                    line1="1 Dock Rd",
                    city="Dayton",
                    region="OH",
                    postal_code="45402",
                    country="US",
                    is_default=True,
                )
            )
            session.add(Item(part_number="BRG-6204", description="Bearing 6204", list_price=4))
            session.add(Warehouse(code="DAY", name="Dayton"))
            session.flush()
        address = session.exec(select(Address).where(Address.customer_id == customer.id)).one()
        item = session.exec(select(Item).where(Item.part_number == "BRG-6204")).one()
        assert customer.id and address.id and item.id
        return customer.id, address.id, item.id


def make_order(
    store: Store, n: int, *, quantity: int = 5, operation: str | None = "push_order"
) -> int:
    """An entered order with one line and, in the same transaction, its push_order entry."""
    customer_id, address_id, item_id = _master(store)
    with store.session() as session:
        order = SalesOrder(
            number=f"T{n:06d}",
            customer_id=customer_id,
            customer_po=f"PO-{n}",
            ship_to_id=address_id,
            state=OrderState.ENTERED,
        )
        session.add(order)
        session.flush()
        assert order.id is not None
        session.add(
            SalesOrderLine(
                order_id=order.id,
                line_no=1,
                item_id=item_id,
                part_number="BRG-6204",
                description="Bearing 6204",
                quantity=Decimal(quantity),
                unit_price=Decimal("4.2500"),
                discount_percent=Decimal("10"),
            )
        )
        if operation:
            enqueue(
                session,
                entity="sales_orders",
                entity_id=order.id,
                operation=operation,
                payload={"number": order.number},
            )
        return order.id


def change_order(store: Store, order_id: int, quantity: int) -> None:
    """A coordinator's change: the line quantity, audited, and a push_change entry."""
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        line = session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order_id)).one()
        line.quantity = Decimal(quantity)
        session.add(line)
        apply_update(
            session,
            order,
            {"notes": f"qty {quantity}"},
            expected_version=order.version,
            actor="alice",
            action="order.changed",
            order_id=order_id,
        )
        enqueue(
            session,
            entity="sales_orders",
            entity_id=order_id,
            operation="push_change",
            payload={"number": order.number},
        )


def cancel_order(store: Store, order_id: int) -> None:
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        apply_update(
            session,
            order,
            {"state": OrderState.CANCELLED, "cancel_reason": "customer called"},
            expected_version=order.version,
            actor="alice",
            action="order.cancelled",
            order_id=order_id,
        )
        enqueue(
            session,
            entity="sales_orders",
            entity_id=order_id,
            operation="push_cancel",
            payload={"number": order.number, "reason": "customer called"},
        )


def entries(store: Store, order_id: int | None = None) -> list[SyncOutbox]:
    with store.session() as session:
        stmt = select(SyncOutbox).order_by(col(SyncOutbox.id))
        if order_id is not None:
            stmt = stmt.where(SyncOutbox.entity_id == order_id)
        return list(session.exec(stmt))


def order_row(store: Store, order_id: int) -> SalesOrder:
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        return order


def open_holds(store: Store, order_id: int) -> list[Hold]:
    with store.session() as session:
        return list(
            session.exec(
                select(Hold).where(Hold.order_id == order_id, Hold.released_at == None)  # noqa: E711
            )
        )


def engine_for(store: Store, erp: FakeConnector, **kw: Any) -> SyncEngine:
    options: dict[str, Any] = {
        "clock": erp.clock,
        "rng": random.Random(7),
        "concurrency": 2,
        "settle_s": 0.0,
        "conflict_grace_s": 0.0,
    }
    options.update(kw)
    return SyncEngine(store, erp, **options)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def erp(clock: Clock) -> FakeConnector:
    return FakeConnector(clock)


# -- push -----------------------------------------------------------------------------------


async def test_push_sends_the_order_built_from_the_store_and_records_the_erp_ref(
    store: Store, erp: FakeConnector
) -> None:
    order_id = make_order(store, 1, quantity=8)
    report = await engine_for(store, erp).push_once()

    assert (report.done, report.failed, report.retried) == (1, 0, 0)
    sale = erp.sales["T000001"]
    # net price: 4.25 less 10 % = 3.825 -> 3.8250, quantity 8
    assert sale.lines == (("BRG-6204", Decimal("8"), Decimal("3.8250")),)
    order = order_row(store, order_id)
    assert (order.erp_id, order.erp_number) == ("1", "SO00001")
    [entry] = entries(store)
    assert (entry.state, entry.erp_ref, entry.attempts) == ("done", "1", 1)
    assert entry.done_at == T0
    # first attempt: nothing can exist yet, so no lookup before the create
    assert erp.count("find_order") == 0
    with store.session() as session:
        audit = session.exec(
            select(AuditEvent).where(
                AuditEvent.order_id == order_id, AuditEvent.action == "order.erp_synced"
            )
        ).one()
    assert json.loads(audit.changes)["erp_number"] == ["", "SO00001"]
    assert audit.actor == "erp-sync"


async def test_transient_failures_back_off_with_full_jitter_within_bounds(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    make_order(store, 1)
    engine = engine_for(store, erp, backoff_base_s=2.0, backoff_cap_s=30.0)
    erp.fail("push_order", *[TransientErpError("HTTP 503") for _ in range(8)])
    delays = []
    for attempt in range(1, 9):
        report = await engine.push_once()
        assert report.retried == 1
        [entry] = entries(store)
        assert entry.state == "pending" and entry.attempts == attempt
        assert entry.last_error == "HTTP 503"
        delay = (entry.next_attempt_at - clock.now).total_seconds()
        assert 0.0 <= delay <= min(30.0, 2.0 * 2 ** (attempt - 1))
        delays.append(delay)
        # not due before its time: a pass now sends nothing
        assert (await engine.push_once()).sent == 0 or delay == 0.0
        clock.advance(delay)
    # the ceilings grow 2, 4, 8, 16, 30, 30 ...: later delays reach past the first ceilings
    assert max(delays[4:]) > 4.0
    assert len(set(delays)) == len(delays)  # jittered, not a fixed schedule
    assert (await engine.push_once()).done == 1
    assert len(erp.sales) == 1


def test_backoff_full_jitter_distribution() -> None:
    backoff = Backoff(base_s=1.0, cap_s=60.0)
    rng = random.Random(1)
    for attempts, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (7, 60.0), (50, 60.0)]:
        assert backoff.ceiling(attempts) == ceiling
        samples = [backoff.delay(attempts, rng) for _ in range(2000)]
        assert min(samples) >= 0.0 and max(samples) <= ceiling
        # uniform over [0, ceiling]: the mean sits near the middle, both ends are reached
        assert abs(sum(samples) / len(samples) - ceiling / 2) < ceiling * 0.05
        assert min(samples) < ceiling * 0.02 and max(samples) > ceiling * 0.98
    assert backoff.delay(3, rng, retry_after=42.0) == 42.0
    assert backoff.delay(3, rng, retry_after=10_000.0) == 3600.0


async def test_retry_after_is_honoured(store: Store, erp: FakeConnector, clock: Clock) -> None:
    make_order(store, 1)
    engine = engine_for(store, erp, backoff_cap_s=1.0)
    erp.fail("push_order", TransientErpError("HTTP 429 too many requests", retry_after=17.0))
    await engine.push_once()
    [entry] = entries(store)
    assert entry.next_attempt_at == T0 + timedelta(seconds=17)
    clock.advance(16.9)
    assert (await engine.push_once()).sent == 0
    clock.advance(0.1)
    assert (await engine.push_once()).done == 1


async def test_permanent_error_fails_the_entry_with_an_erp_hold_and_retry_failed_requeues(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    order_id = make_order(store, 1)
    erp.fail("push_order", PermanentErpError('Product "BRG-6204" is not salable.'))
    engine = engine_for(store, erp)
    report = await engine.push_once()

    assert report.failed == 1
    [entry] = entries(store)
    assert entry.state == "failed"
    assert entry.last_error == 'Product "BRG-6204" is not salable.'
    [hold] = open_holds(store, order_id)
    assert hold.kind == HoldKind.ERP
    assert hold.reason == 'ERP refused: Product "BRG-6204" is not salable.'
    assert order_row(store, order_id).state == OrderState.ON_HOLD
    assert engine.status().failed == 1
    # a failed entry is not retried by itself
    clock.advance(3600)
    assert (await engine.push_once()).sent == 0

    # fixed in the ERP; the coordinator retries from the order
    assert engine.retry_failed(order_id) == 1
    assert entries(store)[0].state == "pending"
    report = await engine.push_once()
    assert report.done == 1
    # the retry looked first (an earlier attempt existed), then created once
    assert erp.count("find_order") == 1 and len(erp.sales) == 1
    assert open_holds(store, order_id) == []
    assert order_row(store, order_id).state == OrderState.ENTERED
    assert order_row(store, order_id).erp_number == "SO00001"


async def test_lost_response_finds_the_committed_sale_instead_of_creating_another(
    store: Store, erp: FakeConnector
) -> None:
    order_id = make_order(store, 1)
    erp.fail("push_order", LOST)
    report = await engine_for(store, erp).push_once()

    assert report.done == 1 and report.found_existing == 1
    assert len(erp.sales) == 1
    assert [c for c in erp.calls if c[0] != "order_state"] == [
        ("push_order", "T000001"),
        ("find_order", "T000001"),
    ]
    assert order_row(store, order_id).erp_id == "1"


async def test_lost_response_with_the_lookup_failing_too_is_found_on_the_next_attempt(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    order_id = make_order(store, 1)
    erp.fail("push_order", LOST)
    erp.fail("find_order", TransientErpError("timed out"))
    engine = engine_for(store, erp, settle_s=12.0)
    report = await engine.push_once()
    assert report.retried == 1 and entries(store)[0].state == "pending"
    # an ambiguous create waits at least settle_s, so a slow ERP can commit first
    assert entries(store)[0].next_attempt_at >= T0 + timedelta(seconds=12)
    clock.advance(600)
    report = await engine.push_once()
    assert report.done == 1 and report.found_existing == 1
    assert erp.count("push_order") == 1 and len(erp.sales) == 1
    assert order_row(store, order_id).erp_number == "SO00001"


async def test_a_sale_left_half_way_is_completed_not_duplicated(
    store: Store, erp: FakeConnector
) -> None:
    """Created, then the confirm failed: the lookup finds a draft, push_order completes it."""
    order_id = make_order(store, 1)
    erp.fail("push_order", HALF)
    report = await engine_for(store, erp).push_once()
    assert report.done == 1 and report.found_existing == 1
    assert [c[0] for c in erp.calls] == ["push_order", "find_order", "order_state", "push_order"]
    assert len(erp.sales) == 1 and erp.sales["T000001"].state == "confirmed"
    assert order_row(store, order_id).erp_number == "SO00001"


async def test_a_refused_key_holds_no_order_and_stops_the_pass(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    ids = [make_order(store, n) for n in range(1, 6)]
    erp.fail("push_order", ErpAuthError("Tryton refused the application key (HTTP 401)"))
    engine = engine_for(store, erp, concurrency=1)
    report = await engine.push_once()
    assert report.failed == 0 and report.sent == 1  # the other four were not tried
    assert all(open_holds(store, i) == [] for i in ids)
    assert engine.status().pending == 5 and engine.status().erp_state == "error"
    clock.advance(3600)
    assert (await engine.push_once()).done == 5


async def test_a_new_engine_continues_after_a_restart(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    ids = [make_order(store, n) for n in range(1, 4)]
    erp.fail("push_order", TransientErpError("down"), TransientErpError("down"))
    first = engine_for(store, erp, concurrency=1)
    report = await first.push_once()
    assert (report.done, report.retried) == (1, 2)
    del first

    clock.advance(3600)
    second = engine_for(store, FakeConnector(clock, sales=erp.sales), concurrency=1)
    assert second.status().pending == 2
    report = await second.push_once()
    assert report.done == 2
    assert all(order_row(store, i).erp_id for i in ids)
    assert len(erp.sales) == 3


async def test_a_crash_mid_request_is_recovered_without_a_duplicate(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    """The engine dies after the ERP committed, before it could record anything: its lease
    runs out, and the next engine looks the order up before creating."""
    order_id = make_order(store, 1)
    dying = engine_for(store, erp, lease_s=120.0)
    assert len(dying._claim(clock.now, frozenset())) == 1
    await erp.push_order((await asyncio.to_thread(dying._load_order, order_id)).payload)
    # the process is gone now; the entry is leased, so nobody sends it twice meanwhile
    survivor = engine_for(store, erp)
    assert (await survivor.push_once()).sent == 0
    clock.advance(121)
    report = await survivor.push_once()
    assert report.done == 1 and report.found_existing == 1
    assert erp.count("push_order") == 1 and len(erp.sales) == 1
    assert entries(store)[0].attempts == 2


async def test_cancelling_the_engine_gives_the_entry_back(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    make_order(store, 1)
    erp.delay_s = 5.0
    engine = engine_for(store, erp, settle_s=3.0)
    task = asyncio.create_task(engine.push_once())
    for _ in range(200):  # until the entry is claimed and its push under way (slow under load)
        if erp.in_flight:
            break
        await asyncio.sleep(0.05)
    assert erp.in_flight, "the push never started"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [entry] = entries(store)
    assert entry.state == "pending"
    # given back (not leased for lease_s), after the settle time as the create may have landed
    assert entry.next_attempt_at == T0 + timedelta(seconds=3)


async def test_change_and_cancel_wait_for_the_order_and_go_in_order(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    order_id = make_order(store, 1, quantity=5)
    change_order(store, order_id, 7)
    change_order(store, order_id, 8)
    erp.fail("push_order", TransientErpError("down"))
    engine = engine_for(store, erp, concurrency=4)

    await engine.push_once()
    assert [c[0] for c in erp.calls] == ["push_order", "find_order"]
    assert [e.state for e in entries(store)] == ["pending"] * 3

    cancel_order(store, order_id)
    # the create had landed after all (a slow ERP): the next attempt finds it first
    erp.sales["T000001"] = FakeSale(1, "SO00001", "T000001", (), changed_at=clock.now)
    clock.advance(3600)
    await engine.push_once()
    sent = [c[0] for c in erp.calls if c[0].startswith("push")]
    assert sent == ["push_order", "push_change", "push_change", "push_cancel"]
    assert [e.state for e in entries(store)] == ["done"] * 4
    sale = erp.sales["T000001"]
    assert sale.state == "cancelled" and sale.cancel_reason == "customer called"
    # a change carries the order as it is when sent: the last quantity
    assert sale.lines[0][1] == Decimal("8")


async def test_a_failed_create_holds_back_the_changes(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    order_id = make_order(store, 1)
    change_order(store, order_id, 7)
    erp.fail("push_order", PermanentErpError("customer unknown"))
    engine = engine_for(store, erp)
    await engine.push_once()
    clock.advance(3600)
    await engine.push_once()
    assert [e.state for e in entries(store)] == ["failed", "pending"]
    assert erp.count("push_change") == 0
    engine.retry_failed(order_id)
    await engine.push_once()
    assert [e.state for e in entries(store)] == ["done", "done"]
    assert [c[0] for c in erp.calls if c[0].startswith("push")] == [
        "push_order",
        "push_order",
        "push_change",
    ]


async def test_orders_go_concurrently_up_to_the_limit(store: Store, erp: FakeConnector) -> None:
    for n in range(1, 13):
        make_order(store, n)
    erp.delay_s = 0.05
    report = await engine_for(store, erp, concurrency=4).push_once()
    assert report.done == 12
    assert erp.max_in_flight == 4
    assert sorted(erp.sales) == [f"T{n:06d}" for n in range(1, 13)]


async def test_an_order_cancelled_before_it_was_sent_never_reaches_the_erp(
    store: Store, erp: FakeConnector
) -> None:
    order_id = make_order(store, 1)
    cancel_order(store, order_id)
    report = await engine_for(store, erp).push_once()
    assert report.skipped == 2 and not erp.sales
    assert [e.state for e in entries(store)] == ["done", "done"]
    # only the cancel looked (safe: an earlier create might have landed); nothing was created
    assert [c[0] for c in erp.calls] == ["find_order"]
    assert order_row(store, order_id).erp_id == ""


async def test_a_cancel_goes_even_when_the_create_was_refused(
    store: Store, erp: FakeConnector
) -> None:
    order_id = make_order(store, 1)
    erp.fail("push_order", PermanentErpError("unknown product"))
    engine = engine_for(store, erp)
    await engine.push_once()
    cancel_order(store, order_id)
    report = await engine.push_once()
    assert report.skipped == 1
    assert [e.state for e in entries(store)] == ["failed", "done"]
    assert entries(store)[1].last_error == "not in the ERP: nothing to cancel"
    assert engine.status().pending == 0


# -- conflicts ------------------------------------------------------------------------------


async def test_changed_in_both_places_is_a_conflict_and_nothing_is_overwritten(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    order_id = make_order(store, 1, quantity=5)
    engine = engine_for(store, erp)
    await engine.push_once()

    clock.advance(60)
    erp.sales["T000001"].lines = (("BRG-6204", Decimal("50"), Decimal("3.8250")),)
    erp.sales["T000001"].changed_at = clock.now  # someone edited the sale in the ERP
    clock.advance(60)
    change_order(store, order_id, 7)  # and a coordinator changed it here
    report = await engine.push_once()

    assert report.conflicts == 1 and report.done == 0
    assert erp.count("push_change") == 0
    assert erp.sales["T000001"].lines[0][1] == Decimal("50")
    change = entries(store)[1]
    assert change.state == "failed" and change.last_error.startswith(CONFLICT_PREFIX)
    [hold] = open_holds(store, order_id)
    assert hold.kind == HoldKind.ERP and CONFLICT_PREFIX in hold.reason
    assert order_row(store, order_id).state == OrderState.ON_HOLD

    # reconciled by the coordinator: retry sends it and the hold goes
    clock.advance(60)
    assert retry_failed(store, order_id, actor="alice", now=clock.now) == 1
    report = await engine.push_once()
    assert report.done == 1
    assert erp.sales["T000001"].lines[0][1] == Decimal("7")
    assert open_holds(store, order_id) == []


async def test_no_conflict_when_the_erp_changed_nothing_since_our_sync(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    order_id = make_order(store, 1, quantity=5)
    engine = engine_for(store, erp)
    await engine.push_once()
    clock.advance(60)
    change_order(store, order_id, 9)
    report = await engine.push_once()
    assert (report.done, report.conflicts) == (1, 0)
    assert erp.sales["T000001"].lines[0][1] == Decimal("9")
    # our own change moved the ERP's changed_at; a second change is still no conflict
    clock.advance(60)
    change_order(store, order_id, 11)
    assert (await engine.push_once()).done == 1


async def test_a_retry_after_a_half_written_change_is_no_conflict(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    order_id = make_order(store, 1, quantity=5)
    engine = engine_for(store, erp)
    await engine.push_once()
    clock.advance(60)
    change_order(store, order_id, 9)
    erp.fail("push_change", HALF)
    assert (await engine.push_once()).retried == 1
    clock.advance(60)  # the ERP's changed_at is now our own half-written change
    report = await engine.push_once()
    assert (report.done, report.conflicts) == (1, 0)
    assert erp.count("order_state") == 1  # checked once for the entry
    assert erp.sales["T000001"].lines[0][1] == Decimal("9")


# -- pull and status ------------------------------------------------------------------------


async def test_pull_applies_master_data_from_the_stored_cursors(
    store: Store, erp: FakeConnector
) -> None:
    _master(store)
    erp.customers = [
        ErpCustomer(code="ACME", name="Acme Industrial Supply", erp_id="10"),
        ErpCustomer(
            code="NEWCO",
            name="New Co",
            erp_id="11",
            addresses=(PostalAddress("HQ", "New Co", "5 Elm St", "Austin", "78701", "US", "TX"),),
        ),
        ErpCustomer(code="OLDCO", name="Old Co", erp_id="12", active=False),
    ]
    erp.items = [
        ErpItem("BRG-6204", "Bearing 6204-2RS", "20", list_price=Decimal("4.40")),
        ErpItem("BRG-6305", "Bearing 6305", "21", list_price=Decimal("7.10"), cost=Decimal("3")),
    ]
    erp.stock = [
        ErpStock("BRG-6204", "DAY", Decimal("120")),
        ErpStock("BRG-6305", "DAY", Decimal("4")),
        ErpStock("NOPE-1", "DAY", Decimal("1")),
        ErpStock("BRG-6204", "ZZZ", Decimal("1")),
    ]
    engine = engine_for(store, erp)
    report = await engine.pull_once()
    assert report.errors == []
    assert report.received == {"customers": 3, "items": 2, "stock": 4}
    assert report.skipped["stock"] == 2

    with store.session() as session:
        acme = session.exec(select(Customer).where(Customer.code == "ACME")).one()
        assert acme.name == "Acme Industrial Supply" and acme.version == 2
        newco = session.exec(select(Customer).where(Customer.code == "NEWCO")).one()
        [hq] = session.exec(select(Address).where(Address.customer_id == newco.id)).all()
        assert (hq.code, hq.city, hq.region) == ("HQ", "Austin", "TX")
        assert not session.exec(select(Customer).where(Customer.code == "OLDCO")).one().active
        bearing = session.exec(select(Item).where(Item.part_number == "BRG-6204")).one()
        assert bearing.list_price == Decimal("4.40")
        levels = {lvl.item_id: lvl.on_hand for lvl in session.exec(select(StockLevel)).all()}
        assert sorted(levels.values()) == [Decimal("4"), Decimal("120")]
        cursors = {c.name: c.cursor for c in session.exec(select(SyncCursor))}
        audited = session.exec(
            select(AuditEvent).where(AuditEvent.action == "customer.pulled")
        ).all()
    assert cursors["pull.customers"] == "3" and cursors["pull.stock"] == "4"
    assert len(audited) == 3

    # next time from the cursors: only what is new
    erp.items.append(ErpItem("BRG-6206", "Bearing 6206", "22"))
    erp.calls.clear()
    report = await engine.pull_once()
    assert report.received == {"customers": 0, "items": 1, "stock": 0}
    assert ("pull_items", "2") in erp.calls


async def test_pull_trouble_is_recorded_and_the_status_says_so(
    store: Store, erp: FakeConnector, clock: Clock
) -> None:
    erp.fail("pull_customers", TransientErpError("connection refused"))
    engine = engine_for(store, erp)
    report = await engine.pull_once()
    assert report.errors == ["pull customers: connection refused"]
    status = engine.status()
    assert status.erp_state == "unreachable"
    assert status.last_error == "pull customers: connection refused"
    assert status.last_error_at == T0


async def test_status_counts(store: Store, erp: FakeConnector, clock: Clock) -> None:
    for n in range(1, 5):
        make_order(store, n)
    erp.fail("push_order", PermanentErpError("bad"), TransientErpError("busy"))
    engine = engine_for(store, erp, concurrency=1)
    await engine.push_once()
    status = read_status(store, now=clock.now)
    assert (status.pending, status.failed, status.done_today) == (1, 1, 2)
    assert status.last_success_at == T0
    assert status.last_error == "push_order T000002: busy"
    # done "today" is counted from local midnight
    tomorrow = read_status(store, now=clock.now + timedelta(days=1))
    assert tomorrow.done_today == 0


async def test_run_pushes_and_pulls_until_stopped(store: Store, erp: FakeConnector) -> None:
    make_order(store, 1)
    engine = SyncEngine(store, erp, poll_interval_s=0.05, pull_interval_s=0.1)
    stop = asyncio.Event()
    seen: list[int] = []

    def on_cycle(status: Any) -> None:
        seen.append(status.pending)
        if len(seen) >= 3:
            stop.set()

    await asyncio.wait_for(engine.run(stop, on_cycle=on_cycle), timeout=10)
    assert seen[0] == 0 and erp.sales
    assert erp.count("pull_items") >= 1
    assert engine.erp_state == "stopped"


async def test_run_stops_on_a_thread_event_too(store: Store, erp: FakeConnector) -> None:
    engine = SyncEngine(store, erp, poll_interval_s=30)
    stop = threading.Event()
    task = asyncio.create_task(engine.run(stop))
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.wait_for(task, timeout=2)


# -- the command line -----------------------------------------------------------------------


def _cli_args(store: Store, action: str) -> argparse.Namespace:
    return argparse.Namespace(db=store.url, sync_command=action, interval=None)


def test_sync_status_prints_counts_and_failures_without_an_erp(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from orderdesk_tui.config import Settings
    from orderdesk_tui.sync_cli import cmd_sync

    make_order(sqlite_store, 1)
    failed_id = make_order(sqlite_store, 2)
    with sqlite_store.session() as session:
        entry = session.exec(select(SyncOutbox).where(SyncOutbox.entity_id == failed_id)).one()
        entry.state, entry.last_error = "failed", "Tryton refused: unknown product"
        session.add(entry)
    assert cmd_sync(_cli_args(sqlite_store, "status"), Settings()) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "outbox: 1 pending, 1 failed, 0 done today"
    assert "failed: T000002 push_order: Tryton refused: unknown product" in out
    assert out[-1] == "erp: not configured (offline: orders wait in the outbox)"

    assert cmd_sync(_cli_args(sqlite_store, "push"), Settings()) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no ERP configured" in err[0] and "1 outbox entries wait" in err[0]


def test_sync_push_says_each_failure_on_one_line_and_never_the_key(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import SecretStr

    from orderdesk_tui import sync_cli
    from orderdesk_tui.config import ErpSettings, Settings

    key = "s3cret-application-key"
    settings = Settings(erp=ErpSettings(url="http://erp.invalid", database="d", key=SecretStr(key)))
    erp = FakeConnector(Clock())
    # a careless connector that puts the key in its message, over two lines
    erp.fail("push_order", PermanentErpError(f"refused\nwith key {key}"))
    monkeypatch.setattr(sync_cli, "connector_from_settings", lambda _settings: erp)
    make_order(sqlite_store, 1)
    make_order(sqlite_store, 2)

    assert sync_cli.cmd_sync(_cli_args(sqlite_store, "push"), settings) == 1
    captured = capsys.readouterr()
    assert key not in captured.out + captured.err
    assert captured.out.strip() == "push: 2 sent, 1 done, 1 failed; 0 pending"
    [line] = captured.err.strip().splitlines()
    assert line.startswith("push: push_order ") and line.endswith("refused with key ***")

    assert sync_cli.cmd_sync(_cli_args(sqlite_store, "status"), settings) == 0
    out = capsys.readouterr().out
    assert key not in out and "erp: tryton at http://erp.invalid, database 'd'" in out


def test_sync_run_stops_on_sigterm(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal

    from orderdesk_tui import sync_cli
    from orderdesk_tui.config import ErpSettings, Settings

    settings = Settings(erp=ErpSettings(url="http://erp.invalid", database="d"))
    erp = FakeConnector(Clock())
    monkeypatch.setattr(sync_cli, "connector_from_settings", lambda _settings: erp)
    make_order(sqlite_store, 1)
    default = signal.getsignal(signal.SIGTERM)
    running = threading.Event()

    def terminate_when_handled() -> None:
        # only once `run` handles SIGTERM itself (else it would end the test process)
        while not running.is_set():
            if signal.getsignal(signal.SIGTERM) is not default:
                time.sleep(0.5)
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=terminate_when_handled, daemon=True)
    killer.start()
    args = _cli_args(sqlite_store, "run")
    args.interval = 0.05
    try:
        assert sync_cli.cmd_sync(args, settings) == 0
    finally:
        running.set()
        killer.join(5)
    out = capsys.readouterr().out
    assert "0 pending, 0 failed, 1 done today" in out and out.rstrip().endswith("sync: stopped")
    assert erp.sales


async def test_the_factory_builds_the_configured_connector_or_none() -> None:
    from pydantic import SecretStr

    from orderdesk_tui.config import ErpSettings, Settings
    from orderdesk_tui.erp.factory import connector_from_settings, engine_options

    assert connector_from_settings(Settings()) is None
    key = SecretStr("s3cret-k3y")
    erp = ErpSettings(url="http://127.0.0.1:9", database="d", key=key, timeout_s=7)
    connector = connector_from_settings(Settings(erp=erp))
    assert connector is not None and connector.name == "tryton"
    assert "s3cret-k3y" not in repr(connector)
    await connector.aclose()
    # a timed-out create may still land: the retry waits at least one timeout
    assert engine_options(erp)["settle_s"] == 7
