"""Orders/s pushed to the ERP through the outbox (SyncEngine) with N concurrent requests, next to
the same sales created and confirmed by direct REST calls at the same N, in one run.

    .venv/bin/python bench/sync_throughput.py                  # a real Tryton, started here
    .venv/bin/python bench/sync_throughput.py --orders 40 --concurrency 1 2 4
    .venv/bin/python bench/sync_throughput.py --stub           # the loopback ERP stub instead

Tryton: a fresh server from the test harness (tests/tryton_server.py: cached venv and seeded
template; the first run builds them) unless ORDERDESK_ERP_URL/_DATABASE/_KEY point at one.
For each N, in turn:

- direct: bench/erp_direct.py's `run_direct` (three REST calls a sale: POST sale.sale, quote,
  confirm; ids looked up once before timing), the floor any sync can reach; half of the sales
  before the outbox run and half after, as Tryton slows a little while sales pile up;
- outbox: as many orders for the same customer (ACME01) and parts, entered and submitted in a
  demo store (not timed), then `SyncEngine(concurrency=N).push_once()` until the outbox is
  empty, all timed: claim, payload built from the store, TrytonConnector.push_order (its own
  lookup by reference, create, quote, confirm), the ERP id stored and audited. The connector's
  caches (party, addresses, products) are warm, as in steady running.

Goal (issue 5): outbox orders/s >= 0.9 x direct orders/s at the same N.
"""

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from pydantic import SecretStr  # noqa: E402
from sqlalchemy import update  # noqa: E402
from sqlmodel import col  # noqa: E402

from orderdesk_tui.config import ErpSettings  # noqa: E402
from orderdesk_tui.erp.sync.engine import SyncEngine  # noqa: E402
from orderdesk_tui.erp.sync.payload import order_payload  # noqa: E402
from orderdesk_tui.erp.sync.status import read_status  # noqa: E402
from orderdesk_tui.models import NumberSequence, SalesOrder, SyncOutbox  # noqa: E402
from orderdesk_tui.seed.demo import load_demo  # noqa: E402
from orderdesk_tui.store import Store  # noqa: E402

GOAL = 0.9
CUSTOMER = "ACME01"
#: The parts bench/erp_direct.py sells (so both sides make the same sales).
PARTS = ["HHCS-0250-20X050-ZP", "6204-ZZ", "6205", "HHCS-0250-20X100-ZP"]


def demo_store(workdir: Path) -> Store:
    store = Store(f"sqlite:///{workdir / 'bench.sqlite3'}")
    store.upgrade()
    load_demo(store, today=date.today())
    return store


def submit(store: Store, count: int, seed: int) -> list[int]:
    """`count` submitted orders numbered with a fresh prefix (unique in a shared ERP)."""
    from sync_orders import submit_orders

    with store.session() as session:
        session.execute(
            update(NumberSequence)
            .where(col(NumberSequence.name) == "order")
            .values(prefix=f"B{uuid.uuid4().hex[:5].upper()}-")
        )
    orders = submit_orders(
        store, count, seed=seed, prefix="B", parts=PARTS, customer_codes=[CUSTOMER]
    )
    return [s.order_id for s in orders]


def set_aside(store: Store, order_ids: list[int]) -> list[Any]:
    """Payloads of orders sent outside the engine; their outbox entries are set aside."""
    with store.session() as session:
        session.execute(
            update(SyncOutbox).where(col(SyncOutbox.entity_id).in_(order_ids)).values(state="bench")
        )
        return [order_payload(session, session.get(SalesOrder, i)) for i in order_ids]


async def push_all(store: Store, connector: Any, concurrency: int) -> tuple[float, int]:
    engine = SyncEngine(store, connector, concurrency=concurrency, settle_s=10.0)
    started = time.perf_counter()
    done = 0
    while True:
        report = await engine.push_once()
        done += report.done
        if read_status(store).pending == 0 or not report.sent:
            return time.perf_counter() - started, done


async def direct_stub(url: str, key: str, orders: list[Any], concurrency: int) -> float:
    from erp_stub import StubConnector

    connector = StubConnector(url, key)
    gate = asyncio.Semaphore(concurrency)

    async def one(order: Any) -> None:
        async with gate:
            await connector.push_order(order)

    started = time.perf_counter()
    await asyncio.gather(*(one(o) for o in orders))
    elapsed = time.perf_counter() - started
    await connector.aclose()
    return elapsed


def tryton_settings(workdir: Path) -> tuple[ErpSettings, Any]:
    if os.environ.get("ORDERDESK_ERP_URL"):
        settings = ErpSettings(
            url=os.environ["ORDERDESK_ERP_URL"],
            database=os.environ.get("ORDERDESK_ERP_DATABASE", "orderdesk"),
            key=SecretStr(os.environ.get("ORDERDESK_ERP_KEY", "")),
            timeout_s=120,
        )
        return settings, None
    from tryton_server import start_server

    server = start_server(workdir / "tryton")
    settings = ErpSettings(
        url=server.url, database=server.database, key=SecretStr(server.key), timeout_s=120
    )
    return settings, server


async def measure(args: argparse.Namespace, store: Store) -> list[tuple[int, float, float]]:
    rows = []
    if args.stub:
        from erp_stub import ErpStub, StubConnector

        stub = ErpStub(create_latency_s=args.stub_latency).start()
        print(f"ERP stub ({args.stub_latency * 1000:.0f} ms a create); {args.orders} orders a run")
        try:
            for n in args.concurrency:
                direct_s = await direct_stub(
                    stub.url, stub.key, set_aside(store, submit(store, args.orders, 100 + n)), n
                )
                submit(store, args.orders, n)
                connector = StubConnector(stub.url, stub.key)
                engine_s, done = await push_all(store, connector, n)
                await connector.aclose()
                assert done == args.orders, f"engine pushed {done} of {args.orders}"
                rows.append(report_row(n, args.orders, direct_s, engine_s))
        finally:
            stub.stop()
        return rows

    import erp_direct

    from orderdesk_tui.erp.tryton.connector import TrytonConnector

    settings, server = tryton_settings(Path(tempfile.mkdtemp(prefix="sync-bench-tryton-")))
    print(f"Tryton at {settings.url}; {args.orders} orders of 2 lines a run, customer {CUSTOMER}")
    try:
        key = settings.key.get_secret_value()
        for n in args.concurrency:
            # direct before and after the outbox run: Tryton slows a little as sales pile up
            half = args.orders // 2
            before = await erp_direct.run_direct(settings.url, settings.database, key, n, half)
            ids = submit(store, args.orders, n)
            connector = TrytonConnector(settings)
            with store.session() as session:  # warm the lookups, as a running engine has
                for order_id in ids[:1]:
                    await connector._sale_values(
                        order_payload(session, session.get(SalesOrder, order_id))
                    )
            engine_s, done = await push_all(store, connector, n)
            await connector.aclose()
            after = await erp_direct.run_direct(
                settings.url, settings.database, key, n, args.orders - half
            )
            assert done == args.orders, f"engine pushed {done} of {args.orders}"
            rows.append(report_row(n, args.orders, before.wall_s + after.wall_s, engine_s))
    finally:
        if server is not None:
            server.stop()
    return rows


def report_row(n: int, orders: int, direct_s: float, engine_s: float) -> tuple[int, float, float]:
    direct, engine = orders / direct_s, orders / engine_s
    print(
        f"N={n}: direct {direct:6.2f} orders/s ({direct_s:6.1f} s)   "
        f"outbox {engine:6.2f} orders/s ({engine_s:6.1f} s)   ratio {engine / direct:4.2f}",
        flush=True,
    )
    return n, direct, engine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=30, help="orders a run (default 30)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--stub", action="store_true", help="the loopback ERP stub, not Tryton")
    parser.add_argument("--stub-latency", type=float, default=0.05, help="stub create, s")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    try:
        rows = asyncio.run(measure(args, demo_store(workdir)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n  N   direct/s   outbox/s   outbox/direct   goal >= 0.9")
    for n, direct, engine in rows:
        ratio = engine / direct
        verdict = "met" if ratio >= GOAL else "MISSED"
        print(f"  {n:<3} {direct:8.2f}   {engine:8.2f}   {ratio:13.2f}   {verdict}")
    return 0 if all(e / d >= GOAL for _, d, e in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
