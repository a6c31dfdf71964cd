"""The work queue with 10,000 open items: open and refresh, p50/p95 (target ≤ 100 ms).

    .venv/bin/python bench/queue_refresh.py                 # SQLite, bench/out/queue-10000.sqlite3
    .venv/bin/python bench/queue_refresh.py --items 20000 --runs 30
    .venv/bin/python bench/queue_refresh.py --db postgresql+psycopg://postgres@127.0.0.1/qbench

The store is seeded once (git-ignored under bench/out/) with `--items` open items — drafts,
orders on hold (one or two holds each), unacknowledged orders, rush orders, late backorders,
RMAs waiting for a step, callbacks due — among three times as many finished orders that the
queue must not read. A --db store is seeded if it is empty.

Figures:
  service cold     services.queue.load_queue: the set-based reads, every item built, sorted
  service refresh  QueueReader.read again after a change: the same reads, unchanged items reused
  filter           one filter (`hold:credit >5000`) over the loaded queue
  screen 1st open  the app's first Ctrl+T until a frame with the queue's rows is drawn (one
                   sample; the app read the queue ahead after its first paint)
  screen open      Ctrl+T again (back in between): the last read shows at once, then a new one
  screen refresh   after another writer's change: the screen's read until its rows show it
  live             another writer's commit until the queue on screen shows it (watch + read)
  cursor move      ↑/↓ within the rows on screen: the table's rows drawn for the move's frame,
                   and the time spent drawing them (render_line)
"""

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

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
from orderdesk_tui.services.queue import QueueReader, load_queue
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
            # unacknowledged ones entered a week or more ago: all past their ack SLA
            days = (7, 14) if kind == "unacked" else (0, 5)
            entered = now - timedelta(days=rng.randint(*days), minutes=rng.randint(5, 1440))
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
        with store.engine.connect() as conn:  # statistics, as autovacuum would gather them
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        print(f"seeded {items:,} open items in {time.perf_counter() - started:.1f} s")
    return store


def _line(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{name:<16} p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})"


async def _wait_for(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.002)


async def _screen(store: Store, runs: int) -> dict[str, list[float]]:
    from orderdesk_tui.app import OrderDeskApp
    from orderdesk_tui.services import queue_actions
    from screens.queue import QueueScreen

    user = ensure_user(store, "bench")
    other = ensure_user(store, "bench2")
    times: dict[str, list[float]] = {"cold": [], "open": [], "refresh": [], "live": [], "move": []}
    app = OrderDeskApp(store=store, settings=Settings(), user=user)
    painted: list[object] = []  # the screen of each frame drawn
    display = app._display

    def counted(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None:
            painted.append(screen)

    app._display = counted  # type: ignore[method-assign]
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause(0.5)
        for n in range(runs + 1):
            # the key's action called directly: Pilot.press waits for the whole app to idle
            started = time.perf_counter()
            painted.clear()
            app.action_queue()
            await _wait_for(lambda: isinstance(app.screen, QueueScreen))
            screen = app.screen
            assert isinstance(screen, QueueScreen)
            await _wait_for(lambda: screen.snapshot is not None)  # noqa: B023
            await _wait_for(lambda: screen in painted)  # noqa: B023  (a frame with its rows)
            times["cold" if n == 0 else "open"].append(time.perf_counter() - started)
            if n < runs:
                await pilot.pause(0.6)  # the screen's own read is done
                app.pop_screen()
                await pilot.pause(0.1)
        assert screen.snapshot is not None
        free = [i for i in screen.snapshot.items if i.assignee != other.name][: 2 * runs]
        for item in free[:runs]:
            await asyncio.to_thread(queue_actions.take, store, item, actor=other)
            before = screen.snapshot
            started = time.perf_counter()
            screen.reload()
            await _wait_for(lambda: screen.snapshot is not before)  # noqa: B023
            times["refresh"].append(time.perf_counter() - started)
        for item in free[runs:]:
            started = time.perf_counter()
            await asyncio.to_thread(queue_actions.take, store, item, actor=other)
            await _wait_for(
                lambda: any(
                    i.key == item.key and i.assignee == other.name  # noqa: B023
                    for i in screen.table.rows
                )
            )
            times["live"].append(time.perf_counter() - started)
        times["move"], times["drawn"] = await _moves(pilot, screen.table, 10 * runs)
    return times


async def _moves(pilot: Any, table: Any, moves: int) -> tuple[list[float], list[float]]:
    """↓ twenty times, ↑ twenty times, ...: the cursor stays among the rows on screen, so no
    move scrolls. Per move: the seconds spent in the table's render_line, and its calls."""
    draw = table.render_line
    spent: list[float] = []
    drawn: list[float] = []

    def counted(y: int) -> Any:
        started = time.perf_counter()
        strip = draw(y)
        if spent:  # a move's frame (not the paint before the first move)
            spent[-1] += time.perf_counter() - started
            drawn[-1] += 1
        return strip

    table.render_line = counted
    table.focus()
    table.action_first()
    await pilot.pause(0.3)
    for n in range(moves):
        spent.append(0.0)
        drawn.append(0)
        table.action_move(1 if n // 20 % 2 == 0 else -1)
        await _wait_for(lambda: drawn[-1] > 0)
        await pilot.pause()
    del table.render_line
    return spent, drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", help="a store URL (seeded if empty); default: a SQLite file")
    args = parser.parse_args()
    store = _store(args.db, args.items)
    sla = Settings().sla
    loads, refreshes, filters = [], [], []
    snapshot = load_queue(store, sla)  # warm the SLA calendar and the store's caches
    reader = QueueReader(store, sla)
    reader.read()
    flt = parse_filter("hold:credit >5000")
    for _ in range(args.runs):
        started = time.perf_counter()
        snapshot = load_queue(store, sla)
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        reader.read()
        refreshes.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = snapshot.visible(flt, "bench")
        filters.append(time.perf_counter() - started)
    print(f"{store.display_url}: {len(snapshot.items):,} open items, {len(found):,} match filter")
    print(_line("service cold", loads) + "   every item built")
    print(_line("service refresh", refreshes) + "   QueueReader, unchanged items reused")
    print(_line("filter", filters))
    times = asyncio.run(_screen(store, args.runs))
    print(_line("screen 1st open", times["cold"]) + "   first Ctrl+T of the app")
    print(_line("screen open", times["open"]) + "   Ctrl+T again, rows on screen")
    print(_line("screen refresh", times["refresh"]) + "   after a change, read + shown")
    print(_line("live", times["live"]) + "   another writer's commit until it is on screen")
    print(_line("cursor move", times["move"]) + "   drawing the table's rows for one ↑/↓")
    drawn = sorted(times["drawn"])
    print(f"{'rows drawn':<16} p50 {statistics.median(drawn):7.0f}      max {drawn[-1]:7.0f}")


if __name__ == "__main__":
    main()
