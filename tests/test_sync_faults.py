"""Hundreds of submitted orders pushed through the sync engine and a fault-injecting proxy to a
real HTTP ERP on loopback: nothing lost, nothing duplicated, every order's state right here.

The ERP stub (tests/erp_stub.py) commits each sale before it answers and never refuses a second
sale with the same reference, so duplicates are counted on the ERP side. The proxy drops
connections, answers too late, answers 500 and 429 with Retry-After, and loses answers after the
ERP committed. Timeouts are short so the whole run stays within about a minute.
"""

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
import sync_orders
from erp_stub import ErpStub, StubConnector
from fault_proxy import Fault, FaultProxy
from pydantic import SecretStr
from sqlmodel import select
from sync_orders import (
    Submitted,
    orderable,
    outbox_after,
    outbox_mark,
    submit_orders,
    unique_order_numbers,
)

from orderdesk_tui.erp.sync.engine import SyncEngine
from orderdesk_tui.erp.sync.outbox import SYNC_ACTOR
from orderdesk_tui.erp.sync.status import read_status
from orderdesk_tui.models import Hold, SalesOrder
from orderdesk_tui.models.base import HoldKind, OrderState
from orderdesk_tui.services.order_actions import cancel_order
from orderdesk_tui.services.users import add_user
from orderdesk_tui.store import Store

if TYPE_CHECKING:
    from tryton_server import TrytonServer

ORDERS = 300
CANCELS = 30
CLIENT_TIMEOUT_S = 0.4
#: Longer than the client timeout: a "slow" answer arrives after the client gave up.
SLOW_S = 0.6
RATES = {
    "drop": 0.04,
    "slow": 0.03,
    "slow_request": 0.02,
    "error": 0.04,
    "throttle": 0.04,
    "lost": 0.06,
}
DEADLINE_S = 150.0


def _engine(store: Store, connector: StubConnector) -> SyncEngine:
    return SyncEngine(
        store,
        connector,
        concurrency=4,
        backoff_base_s=0.05,
        backoff_cap_s=0.5,
        # a request held before it reaches the ERP commits late: wait longer than that
        settle_s=SLOW_S + 0.5,
        lease_s=30.0,
        poll_interval_s=0.05,
        pull_interval_s=3600.0,
    )


async def _drain(store: Store, engine: SyncEngine, deadline: float) -> None:
    """Push until nothing is pending (retries included) or the deadline passes."""
    while time.monotonic() < deadline:
        await engine.push_once()
        if read_status(store).pending == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"outbox not drained in time: {read_status(store)}")


def _orders(store: Store) -> dict[str, SalesOrder]:
    with store.session() as session:
        rows = session.exec(select(SalesOrder).where(SalesOrder.state != OrderState.DRAFT))
        return {o.number: o for o in rows}


async def test_300_submissions_through_faults_lose_nothing_and_duplicate_nothing(
    demo_store: Store, record_property: Callable[[str, object], None]
) -> None:
    started = time.monotonic()
    deadline = started + DEADLINE_S
    mark = outbox_mark(demo_store)
    failed_before = read_status(demo_store).failed
    _, items = orderable(demo_store)
    refused_part = items[0][1]  # the ERP does not know this part at first
    supervisor = add_user(demo_store, "sup", "supervisor", actor="admin")
    with (
        ErpStub(create_latency_s=0.005, unknown_products=frozenset({refused_part})) as erp,
        FaultProxy(
            erp.url,
            rates=RATES,
            delay_s=SLOW_S,
            retry_after=0.2,
            seed=11,
            lifetime_s=DEADLINE_S + 30,
        ) as proxy,
    ):
        # the first create is always a lost answer: the ERP committed, the client never knew
        proxy.add(Fault("lost", match=lambda r: r.method == "POST"))
        connector = StubConnector(proxy.url, erp.key, timeout_s=CLIENT_TIMEOUT_S)
        engine = _engine(demo_store, connector)
        stop = asyncio.Event()
        runner = asyncio.create_task(engine.run(stop))
        try:
            # orders keep coming while the engine sends: the desk never waits on the ERP
            submitted: list[Submitted] = []
            for batch in range(3):
                submitted += await asyncio.to_thread(
                    submit_orders, demo_store, ORDERS // 3, seed=batch + 1, prefix="F"
                )
            stop.set()
            await runner
            await _drain(demo_store, engine, deadline)

            # coordinators cancel a few (through the proxy as well)
            cancelled = [s for s in submitted if refused_part not in s.parts][:CANCELS]
            for sub in cancelled:
                order = _orders(demo_store)[sub.number]
                cancel_order(
                    demo_store,
                    order.id or 0,
                    expected_version=order.version,
                    actor=supervisor,
                    reason="customer cancelled",
                )
            await _drain(demo_store, engine, deadline)

            # orders with the unknown part were refused and held; fixed in the ERP, retried
            refused = [s for s in submitted if refused_part in s.parts]
            assert refused, "the test needs some orders with the refused part"
            with demo_store.session() as session:
                holds = session.exec(
                    select(Hold).where(Hold.kind == HoldKind.ERP, Hold.raised_by == SYNC_ACTOR)
                ).all()
            assert {h.order_id for h in holds} == {s.order_id for s in refused}, [
                (h.order_id, h.reason) for h in holds
            ]
            assert all(f'"{refused_part}" is not salable' in h.reason for h in holds)
            erp.unknown_products = frozenset()
            for sub in refused:
                assert engine.retry_failed(sub.order_id) == 1
            await _drain(demo_store, engine, deadline)
        finally:
            stop.set()
            await connector.aclose()

        numbers = {s.number for s in submitted}
        counts = erp.count_by_reference()
        assert len(submitted) == ORDERS
        assert set(counts) == numbers, "an order is missing in the ERP (lost)"
        duplicated = {ref: n for ref, n in counts.items() if n != 1}
        assert duplicated == {}, f"orders created twice in the ERP: {duplicated}"

        by_reference = {s.reference: s for s in erp.sales}
        orders = _orders(demo_store)
        for number in numbers:
            order, sale = orders[number], by_reference[number]
            assert (order.erp_id, order.erp_number) == (str(sale.id), sale.number)
        cancelled_numbers = {s.number for s in cancelled}
        assert {s.reference for s in erp.sales if s.state == "cancelled"} == cancelled_numbers
        assert all(orders[n].state == OrderState.CANCELLED for n in cancelled_numbers)
        entries = outbox_after(demo_store, mark)
        # a submitted line of the demo's non-stock item is bought: its push_purchase goes too
        states = Counter(e.state for e in entries if e.entity == "sales_orders")
        assert {e.state for e in entries if e.entity != "sales_orders"} <= {"done"}
        with demo_store.session() as session:
            open_erp_holds = session.exec(
                select(Hold).where(
                    Hold.raised_by == SYNC_ACTOR,
                    Hold.released_at == None,  # noqa: E711
                )
            ).all()
        assert states == {"done": ORDERS + CANCELS}
        assert open_erp_holds == []

        # every kind of fault really happened, many times
        for kind in RATES:
            assert proxy.stats[kind] >= 3, (kind, proxy.stats)
        status = read_status(demo_store)
        assert (status.pending, status.failed) == (0, failed_before)
    elapsed = time.monotonic() - started
    summary = f"stub ERP: {ORDERS} orders + {CANCELS} cancels in {elapsed:.1f} s"
    summary += f", none lost or duplicated; faults: {dict(proxy.stats)}"
    print(
        f"\n{summary}; draft writes repeated after 'database is locked': "
        f"{sync_orders.STALE_SNAPSHOT_RETRIES}"
    )
    record_property("summary", summary)
    assert sync_orders.STALE_SNAPSHOT_RETRIES == 0, "a draft write met 'database is locked'"
    assert elapsed < DEADLINE_S


# -- the same through the real Tryton -------------------------------------------------------

#: Orders for the real-Tryton run (the issue asks for at least 300; the variable lowers it for a
#: quick run by hand). Tryton serialises its writes (SQLite) and confirms a sale in about 0.5 s
#: of CPU, so 300 orders and the faults' retries take about 4 minutes: the suite starts this
#: test first (marker `starts_first`) and the other xdist worker runs the rest meanwhile.
TRYTON_ORDERS = int(os.environ.get("ORDERDESK_TRYTON_FAULT_ORDERS", "300"))
TRYTON_CANCELS = max(1, TRYTON_ORDERS // 10)
#: Tryton confirms a sale in about 0.4 s alone, 1-2 s queued behind the others in flight: 4 s
#: is a timeout.
TRYTON_TIMEOUT_S = 4.0
TRYTON_SLOW_S = 5.0
TRYTON_RATES = {
    "drop": 0.03,
    "slow": 0.01,
    "slow_request": 0.01,
    "error": 0.03,
    "throttle": 0.03,
    "lost": 0.04,
}


@pytest.mark.starts_first
async def test_submissions_through_faults_reach_the_real_tryton_once_each(
    demo_store: Store, tryton: "TrytonServer", record_property: Callable[[str, object], None]
) -> None:
    from orderdesk_tui.config import ErpSettings
    from orderdesk_tui.erp.tryton.connector import TrytonConnector

    started = time.monotonic()
    prefix = unique_order_numbers(demo_store)
    mark = outbox_mark(demo_store)
    supervisor = add_user(demo_store, "sup", "supervisor", actor="admin")
    budget = 120.0 + 2.0 * TRYTON_ORDERS
    with FaultProxy(
        tryton.url,
        rates=TRYTON_RATES,
        delay_s=TRYTON_SLOW_S,
        retry_after=1.0,
        seed=23,
        lifetime_s=budget + 60,
        upstream_timeout_s=120.0,
    ) as proxy:
        proxy.add(Fault("lost", match=lambda r: r.method == "POST" and "sale.sale" in r.path))
        settings = ErpSettings(
            url=proxy.url,
            database=tryton.database,
            key=SecretStr(tryton.key),
            timeout_s=TRYTON_TIMEOUT_S,
        )
        connector = TrytonConnector(settings)
        engine = SyncEngine(
            demo_store,
            connector,
            # 4 in flight keep Tryton busy while some wait out a timeout, a backoff or a
            # Retry-After (300 orders: about 4 minutes; with 2 in flight about 6)
            concurrency=4,
            backoff_base_s=0.2,
            backoff_cap_s=2.0,
            settle_s=TRYTON_SLOW_S + 2.0,
            lease_s=300.0,
            poll_interval_s=0.1,
            pull_interval_s=3600.0,
        )
        deadline = time.monotonic() + budget
        stop = asyncio.Event()

        async def push_while_entering() -> None:  # (no pull: this run is about orders)
            while not stop.is_set():
                await engine.push_once()
                await asyncio.sleep(0.1)

        runner = asyncio.create_task(push_while_entering())
        try:
            submitted = await asyncio.to_thread(
                submit_orders, demo_store, TRYTON_ORDERS, seed=5, prefix="T"
            )
            stop.set()
            await runner
            await _drain(demo_store, engine, deadline)
            cancelled = submitted[:TRYTON_CANCELS]
            for sub in cancelled:
                order = _orders(demo_store)[sub.number]
                cancel_order(
                    demo_store,
                    order.id or 0,
                    expected_version=order.version,
                    actor=supervisor,
                    reason="customer cancelled",
                )
            await _drain(demo_store, engine, deadline)
        finally:
            stop.set()
            await connector.aclose()
        elapsed = time.monotonic() - started

    entries = outbox_after(demo_store, mark)
    unsettled = [
        (e.entity_id, e.operation, e.state, e.last_error) for e in entries if e.state != "done"
    ]
    assert unsettled == []
    # a submitted line of the demo's non-stock item is bought: its push_purchase went too
    sales_entries = [e for e in entries if e.entity == "sales_orders"]
    assert len(sales_entries) == TRYTON_ORDERS + TRYTON_CANCELS

    sales = await asyncio.to_thread(tryton.sales, prefix)
    counts = Counter(s["reference"] for s in sales)
    numbers = {s.number for s in submitted}
    assert set(counts) == numbers, "an order is missing in Tryton (lost)"
    assert {r: n for r, n in counts.items() if n != 1} == {}, "duplicated in Tryton"
    by_reference = {s["reference"]: s for s in sales}
    orders = _orders(demo_store)
    cancelled_numbers = {s.number for s in cancelled}
    for number in numbers:
        order, sale = orders[number], by_reference[number]
        assert (order.erp_id, order.erp_number) == (str(sale["id"]), sale["number"])
        if number not in cancelled_numbers:
            assert sale["state"] == "processing", (number, sale)
    for number in cancelled_numbers:
        state = await connector_state(tryton, by_reference[number]["id"])
        assert state == "cancelled", (number, state)
    summary = (
        f"Tryton: {TRYTON_ORDERS} orders + {TRYTON_CANCELS} cancels through faults in "
        f"{elapsed:.1f} s, none lost or duplicated; faults: {dict(proxy.stats)}"
    )
    print(f"\n{summary}; requests: {proxy.paths.most_common()}")
    record_property("summary", summary)


async def connector_state(tryton: "TrytonServer", sale_id: int) -> str:
    """The sale's state as the connector reports it (a processed sale cancelled from here
    ends `done` in Tryton and is reported as cancelled)."""
    from orderdesk_tui.config import ErpSettings
    from orderdesk_tui.erp.connector import ErpOrderRef
    from orderdesk_tui.erp.tryton.connector import TrytonConnector

    settings = ErpSettings(
        url=tryton.url, database=tryton.database, key=SecretStr(tryton.key), timeout_s=60
    )
    async with TrytonConnector(settings) as connector:
        return (await connector.order_state(ErpOrderRef(str(sale_id), ""))).state
