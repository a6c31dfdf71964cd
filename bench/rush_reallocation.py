"""A rush re-allocation across competing orders: `services.rush.mark_order` p50/p95.

    .venv/bin/python bench/rush_reallocation.py                  # SQLite, then PostgreSQL
    .venv/bin/python bench/rush_reallocation.py --runs 10 --only sqlite

Each run sets up a part of its own (not timed): `--orders` normal acknowledged orders hold all
of its stock in one warehouse, 10 units each, entered a minute apart, and one more order
wants `--share` of that stock with nothing allocated. Timed: marking that order rush, the
whole transaction — the orders locked, free stock tried (allocate_in), the units taken from the
orders entered last (free_allocation_in), the rush lines and stock rows written, the rush order
allocated again for its dates, and every order that gave re-promised (allocate_in), audited,
noted and revised. The first `--warmup` runs are not counted. Wall-clock time is the goal; the
CPU time of the process beside it (PostgreSQL's own work is not in it) tells the code's cost
from the load of a shared machine.

SQLite runs on a temporary file; PostgreSQL on a temporary database of the server at
127.0.0.1:5432 (user postgres), dropped afterwards. Goal: p95 <= 200 ms.
"""

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from orderdesk_tui.models import (
    Customer,
    Item,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    User,
    Warehouse,
)
from orderdesk_tui.models.base import OrderState, Role
from orderdesk_tui.services import rush
from orderdesk_tui.store import Store

GOAL_MS = 200.0
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
ACTOR = User(name="bench", role=Role.COORDINATOR)
TODAY = date(2026, 12, 8)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def setup_store(store: Store) -> tuple[int, int]:
    """The customer and warehouse every run uses."""
    with store.session() as session:
        customer = Customer(code="BENCH1", name="Bench Customer")
        warehouse = Warehouse(code="BEN", name="Bench DC")
        session.add_all([customer, warehouse, User(name="bench")])
        session.flush()
        assert customer.id and warehouse.id
        return customer.id, warehouse.id


def one_run(store: Store, run: int, ids: tuple[int, int], orders: int, share: float) -> int:
    """A part held by `orders` orders and the order that will want it; returns its id."""
    customer_id, warehouse_id = ids
    held = 10 * orders
    want = int(held * share)
    entered = datetime.now(UTC) - timedelta(days=1)
    with store.session() as session:
        item = Item(part_number=f"R-{run:05d}", description="bench part", lead_time_days=14)
        session.add(item)
        session.flush()
        assert item.id
        session.add(
            StockLevel(
                item_id=item.id,
                warehouse_id=warehouse_id,
                on_hand=Decimal(held),
                allocated=Decimal(held),
            )
        )
        heads = [
            SalesOrder(
                number=f"B{run:04d}{n:05d}",
                customer_id=customer_id,
                state=OrderState.ACKNOWLEDGED,
                requested_date=TODAY + timedelta(days=7),
                entered_at=entered + timedelta(minutes=n),
            )
            for n in range(orders + 1)
        ]
        session.add_all(heads)
        session.flush()
        for n, head in enumerate(heads):
            rush_order = n == orders
            qty = Decimal(want if rush_order else 10)
            session.add(
                SalesOrderLine(
                    order_id=head.id or 0,
                    line_no=1,
                    item_id=item.id,
                    part_number=item.part_number,
                    quantity=qty,
                    warehouse_id=warehouse_id,
                    quantity_allocated=Decimal(0) if rush_order else qty,
                    quantity_backordered=qty if rush_order else Decimal(0),
                    last_promised_date=TODAY + timedelta(days=14 if rush_order else 0),
                    first_promised_date=TODAY,
                )
            )
        return heads[-1].id or 0


def measure(store: Store, label: str, runs: int, warmup: int, orders: int, share: float) -> None:
    ids = setup_store(store)
    times: list[float] = []
    cpu: list[float] = []
    taken_from = 0
    for run in range(runs + warmup):
        order_id = one_run(store, run, ids, orders, share)
        with store.session() as session:
            order = session.get(SalesOrder, order_id)
            assert order is not None
            version = order.version
        start, start_cpu = time.perf_counter(), time.thread_time()
        result = rush.mark_order(
            store, order_id, expected_version=version, actor=ACTOR, reason="bench", today=TODAY
        )
        elapsed = (time.perf_counter() - start) * 1000
        used = (time.thread_time() - start_cpu) * 1000
        assert result.still_short == 0, result.summary
        taken_from = len(result.losses)
        if run >= warmup:
            times.append(elapsed)
            cpu.append(used)
    p50, p95 = pct(times, 50), pct(times, 95)
    verdict = "ok" if p95 <= GOAL_MS else "OVER GOAL"
    print(
        f"{label:<10} {orders} orders, rush takes from {taken_from}: "
        f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {max(times):6.1f} ms  "
        f"(CPU of this process p50 {pct(cpu, 50):6.1f} ms; {len(times)} runs; "
        f"goal p95 <= {GOAL_MS:.0f} ms: {verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--share", type=float, default=0.8, help="of the held stock wanted")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{Path(tmp) / 'rush.sqlite3'}")
            store.upgrade()
            measure(store, "SQLite", args.runs, args.warmup, args.orders, args.share)
            store.dispose()
    if args.only in (None, "postgresql"):
        name = f"od_bench_rush_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            store = Store(f"{PG_SERVER.replace('postgresql:', 'postgresql+psycopg:')}/{name}")
            store.upgrade()
            measure(store, "PostgreSQL", args.runs, args.warmup, args.orders, args.share)
            store.dispose()
        finally:
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
