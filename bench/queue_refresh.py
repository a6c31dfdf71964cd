"""The work queue with 10,000 open items: open and refresh, p50/p95 (target ≤ 100 ms).

    .venv/bin/python bench/queue_refresh.py                 # SQLite, bench/out/queue-10000.sqlite3
    .venv/bin/python bench/queue_refresh.py --items 20000 --runs 30
    .venv/bin/python bench/queue_refresh.py --db postgresql+psycopg://postgres@127.0.0.1/qbench

The store is seeded once (git-ignored under bench/out/) with `--items` open items — drafts,
orders on hold (one or two holds each), unacknowledged orders, rush orders, late backorders,
RMAs waiting for a step, callbacks due — among three times as many finished orders that the
queue must not read. A --db store is seeded if it is empty.

Figures:
  service load   services.queue.load_queue: the set-based reads, SLA clocks, scores, sort
  filter         one filter (`hold:credit >5000`) over the loaded queue
  screen open    ctrl+t on a running app until the queue's rows are on screen
  screen refresh a store change until the queue on screen shows it (live watch + reload)
"""

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.queue_filter import parse_filter
from orderdesk_tui.models import (
    RMA,
    Customer,
    Hold,
    Note,
    SalesOrder,
    SalesOrderLine,
)
from orderdesk_tui.models.base import HoldKind, OrderState, Priority
from orderdesk_tui.services.queue import load_queue
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store, resolve_url

OUT = Path(__file__).resolve().parent / "out"
TIERS = ("platinum", "gold", "silver", "standard", "standard", "standard")


def seed(store: Store, items: int, rng: random.Random) -> None:
    """`items` open queue items and 3x as many finished orders, in bulk inserts."""
    now = datetime.now(UTC)
    customers = max(50, items // 50)
    with store.session() as session:
        session.execute(
            insert(Customer),
            [
                {
                    "code": f"C{n:05d}",
                    "name": f"Customer {n} Industrial Supply",
                    "service_tier": rng.choice(TIERS),
                }
                for n in range(customers)
            ],
        )
        customer_ids = list(session.execute(select(Customer.id)).scalars())
        rmas = items // 20
        callbacks = items // 20
        orders = items - rmas - callbacks
        kinds = ["draft", "hold", "unacked", "rush", "backorder"]
        rows = []
        plan = []
        for n in range(orders + 3 * items):
            kind = kinds[n % len(kinds)] if n < orders else "done"
            plan.append(kind)
            state = {
                "draft": OrderState.DRAFT,
                "hold": OrderState.ON_HOLD,
                "unacked": OrderState.ENTERED,
                "rush": OrderState.ACKNOWLEDGED,
                "backorder": OrderState.RELEASED,
                "done": OrderState.CLOSED,
            }[kind]
            entered = now - timedelta(minutes=rng.randint(5, 60 * 24 * 5))
            rows.append(
                {
                    "number": f"SO{n:08d}",
                    "customer_id": rng.choice(customer_ids),
                    "state": state,
                    "priority": Priority.RUSH if kind == "rush" else Priority.NORMAL,
                    "total": Decimal(rng.randint(50, 80000)),
                    "received_at": entered - timedelta(minutes=30),
                    "entered_at": None if kind == "draft" else entered,
                    "acknowledged_at": None if kind in {"draft", "unacked"} else entered,
                    "created_at": entered,
                }
            )
        session.execute(insert(SalesOrder), rows)
        ids = list(session.execute(select(SalesOrder.id).order_by(SalesOrder.id)).scalars())
        holds, lines = [], []
        hold_kinds = list(HoldKind)
        for order_id, kind in zip(ids, plan, strict=True):
            if kind == "hold":
                for hold_kind in rng.sample(hold_kinds, rng.choice((1, 1, 2))):
                    holds.append(
                        {
                            "order_id": order_id,
                            "kind": hold_kind,
                            "reason": "bench",
                            "raised_by": "bench",
                        }
                    )
            if kind in {"backorder", "done"}:
                lines.append(
                    {
                        "order_id": order_id,
                        "line_no": 1,
                        "quantity": Decimal(10),
                        "quantity_backordered": Decimal(4 if kind == "backorder" else 0),
                        "last_promised_date": date.today() - timedelta(days=3),
                    }
                )
        session.execute(insert(Hold), holds)
        session.execute(insert(SalesOrderLine), lines)
        states = ["requested", "received", "inspected", "dispositioned"]
        session.execute(
            insert(RMA),
            [
                {
                    "number": f"RMA{n:07d}",
                    "customer_id": rng.choice(customer_ids),
                    "state": states[n % 4],
                }
                for n in range(rmas)
            ],
        )
        session.execute(
            insert(Note),
            [
                {
                    "customer_id": rng.choice(customer_ids),
                    "body": "call back about the delivery",
                    "author": "bench",
                    "callback_at": now - timedelta(minutes=rng.randint(1, 600)),
                }
                for _ in range(callbacks)
            ],
        )


def _store(db: str | None, items: int) -> Store:
    if db:
        store = Store(resolve_url(db))
        store.upgrade()
    else:
        OUT.mkdir(exist_ok=True)
        path = OUT / f"queue-{items}.sqlite3"
        store = Store(f"sqlite:///{path}")
        store.upgrade()
    with store.session() as session:
        empty = not session.execute(select(func.count()).select_from(SalesOrder)).scalar()
    if empty:
        started = time.perf_counter()
        seed(store, items, random.Random(6))
        print(f"seeded {items:,} open items in {time.perf_counter() - started:.1f} s")
    return store


def _line(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{name:<16} p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})"


async def _screen(store: Store, runs: int) -> tuple[list[float], list[float], int]:
    from orderdesk_tui.app import OrderDeskApp
    from orderdesk_tui.services import queue_actions
    from screens.queue import QueueScreen

    settings = Settings()
    user = ensure_user(store, "bench")
    other = ensure_user(store, "bench2")
    opens: list[float] = []
    refreshes: list[float] = []
    shown = 0
    app = OrderDeskApp(store=store, settings=settings, user=user)
    async with app.run_test(size=(200, 50)) as pilot:
        for _ in range(runs):
            started = time.perf_counter()
            await pilot.press("ctrl+t")
            screen = app.screen
            assert isinstance(screen, QueueScreen)
            while screen.snapshot is None:
                await asyncio.sleep(0.002)
            opens.append(time.perf_counter() - started)
            shown = len(screen.table.rows)
            await pilot.press("f3")
        await pilot.press("ctrl+t")
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        while screen.snapshot is None:
            await asyncio.sleep(0.002)
        for n in range(runs):
            item = screen.snapshot.items[n]
            before = screen.snapshot
            started = time.perf_counter()
            await asyncio.to_thread(queue_actions.take, store, item, actor=other)
            while screen.snapshot is before or not any(
                i.key == item.key and i.assignee == other.name for i in screen.table.rows
            ):
                await asyncio.sleep(0.002)
            refreshes.append(time.perf_counter() - started)
    return opens, refreshes, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", help="a store URL (seeded if empty); default: a SQLite file")
    args = parser.parse_args()
    store = _store(args.db, args.items)
    sla = Settings().sla
    loads, filters = [], []
    snapshot = load_queue(store, sla)  # warm the SLA calendar and the store's caches
    for _ in range(args.runs):
        started = time.perf_counter()
        snapshot = load_queue(store, sla)
        loads.append(time.perf_counter() - started)
        flt = parse_filter("hold:credit >5000")
        started = time.perf_counter()
        found = snapshot.visible(flt, "bench")
        filters.append(time.perf_counter() - started)
    print(f"{store.display_url}: {len(snapshot.items):,} open items, {len(found):,} match filter")
    print(_line("service load", loads))
    print(_line("filter", filters))
    opens, refreshes, shown = asyncio.run(_screen(store, args.runs))
    print(_line("screen open", opens) + f"   {shown:,} rows")
    print(_line("screen refresh", refreshes) + "   (another writer's change on screen)")


if __name__ == "__main__":
    main()
