"""Submit of a 10-line order: `services.submit.submit_order` p50/p95 on the demo and 1M stores.

    .venv/bin/python bench/submit.py                     # demo store, then the 1M scale store
    .venv/bin/python bench/submit.py --orders 100 --only demo
    .venv/bin/python bench/submit.py --scale-db /path/to/copy.sqlite3   # use it in place

Each order is a draft built as the entry screen builds one (`drafts.create_draft`, a PO and a
requested date through `update_header`, ten `save_line` calls with part and quantity), for a
random active customer and ten random orderable items (active, MOQ and multiple 1, no licence,
no hazmat), quantities 1-40. Only `submit_order` is timed: price, refusal checks, state, lines,
allocation, credit, compliance screening, holds, audit and the outbox entry in one transaction.
The first `--warmup` submits (compliance files parsed, statement caches filled) are not counted.
Wall-clock time is the goal; the CPU time beside it is the submit's own cost, which tells a
change in the code from a change in the load of a shared machine.

The demo store is loaded fresh into a temporary file. The 1M store is a copy of
`bench/out/atp-scale-1000000.sqlite3` (made once by bench/atp.py, about 100 s, if missing),
copied next to it, upgraded, and deleted afterwards, so the cached file is never written.
Goal: p95 <= 50 ms.
"""

import argparse
import cProfile
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from orderdesk_tui.config import Settings
from orderdesk_tui.seed.demo import load_demo
from orderdesk_tui.services import drafts
from orderdesk_tui.services.submit import SubmitResult, submit_order
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store

OUT = Path(__file__).resolve().parent / "out"
SCALE_N = 1_000_000
GOAL_MS = 50.0
LINES = 10
ACTOR = "alice"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def scale_copy(workdir: Path) -> Path:
    """A private copy of the cached 1M store (seeded once by bench/atp.py if missing)."""
    cached = OUT / f"atp-scale-{SCALE_N}.sqlite3"
    if not cached.exists():
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from atp import _cached_store  # seeds and caches it, as bench/atp.py does

        _cached_store(SCALE_N, 1).dispose()
    copy = workdir / "scale.sqlite3"
    print(f"copying {cached.name} ({cached.stat().st_size / 2**30:.1f} GiB)…", flush=True)
    shutil.copyfile(cached, copy)
    wal = cached.with_name(cached.name + "-wal")  # left by a process that did not close it
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    return copy


def candidates(store: Store, rng: random.Random) -> tuple[list[int], list[int]]:
    """Active customers with a default ship-to and credit ok; orderable items."""
    with store.session() as session:
        conn = session.connection()
        customers = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT c.id FROM customers c WHERE c.active AND c.credit_status = 'ok' "
                    "AND EXISTS (SELECT 1 FROM addresses a WHERE a.customer_id = c.id "
                    "AND a.kind = 'ship_to' AND a.active) ORDER BY c.id LIMIT 5000"
                )
            )
        ]
        one = 1000 if store.is_sqlite else 1  # SQLite holds quantities as counts of 0.001
        items = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT id FROM items WHERE status = 'active' AND moq = :one "
                    "AND order_multiple = :one AND hazmat_un_number = '' AND eccn = 'EAR99' "
                    "AND NOT fractional_uom ORDER BY id LIMIT 20000"
                ),
                {"one": one},
            )
        ]
    rng.shuffle(customers)
    return customers, items


def build_draft(store: Store, customer_id: int, item_ids: list[int], rng: random.Random) -> int:
    order = drafts.create_draft(store, actor=ACTOR, customer_id=customer_id)
    assert order.id is not None
    drafts.update_header(
        store,
        order.id,
        {
            "customer_po": f"BENCH-{order.number}",
            "requested_date": date.today() + timedelta(days=rng.randint(1, 20)),
        },
        actor=ACTOR,
    )
    with store.session() as session:
        rows = session.connection().execute(
            text(
                "SELECT id, part_number, description, uom, list_price FROM items "
                f"WHERE id IN ({','.join(str(i) for i in item_ids)})"
            )
        )
        info = {r[0]: r for r in rows}
    for n, item_id in enumerate(item_ids, 1):
        _, part, description, uom, _ = info[item_id]
        drafts.save_line(
            store,
            order.id,
            n,
            {
                "item_id": item_id,
                "part_number": part,
                "description": description,
                "uom": uom,
                "quantity": Decimal(rng.randint(1, 40)),
            },
            actor=ACTOR,
        )
    return order.id


def run(
    label: str, store: Store, orders: int, warmup: int, seed: int, profile: bool
) -> list[float]:
    rng = random.Random(seed)
    settings = Settings()
    ensure_user(store, ACTOR)
    customers, items = candidates(store, rng)
    print(f"{label}: {len(customers):,} candidate customers, {len(items):,} orderable items")
    results: list[SubmitResult] = []
    timings: list[float] = []
    cpu: list[float] = []
    refused: list[str] = []
    profiler = cProfile.Profile() if profile else None
    for k in range(warmup + orders):
        customer = customers[k % len(customers)]
        order_id = build_draft(store, customer, rng.sample(items, LINES), rng)
        if profiler is not None and k >= warmup:
            profiler.enable()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            result = submit_order(store, order_id, actor=ACTOR, settings=settings)
        except Exception as error:  # a refusal is a finding, not a crash of the bench
            refused.append(f"{type(error).__name__}: {error}")
            continue
        finally:
            elapsed = (time.perf_counter() - t0) * 1000
            used = (time.process_time() - c0) * 1000
            if profiler is not None:
                profiler.disable()
        if k >= warmup:
            timings.append(elapsed)
            cpu.append(used)
            results.append(result)
    if refused:
        print(f"  {len(refused)} refused, e.g. {refused[0]}")
    held = sum(1 for r in results if r.holds)
    back = sum(r.backordered_lines for r in results)
    print(
        f"  {len(timings)} submits of {LINES}-line orders ({held} placed on hold, "
        f"{back} lines backordered)"
    )
    print(
        f"  submit  p50 {pct(timings, 50):6.1f} ms   p95 {pct(timings, 95):6.1f} ms   "
        f"max {max(timings):6.1f} ms   mean {sum(timings) / len(timings):6.1f} ms   "
        f"goal p95 <= {GOAL_MS:.0f} ms: {'met' if pct(timings, 95) <= GOAL_MS else 'MISSED'}"
    )
    print(
        f"  CPU     p50 {pct(cpu, 50):6.1f} ms   p95 {pct(cpu, 95):6.1f} ms   "
        "(this process's own time: what other load on the machine does not inflate)"
    )
    if profiler is not None:
        print(f"  cProfile of the {len(timings)} timed submits, by cumulative time:")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(r"orderdesk_tui|sqlalchemy/orm/session", 25)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=["demo", "scale"])
    parser.add_argument("--scale-db", type=Path, help="a 1M store to use in place (written to)")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed submits")
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    print("load average at start: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    work = Path(tempfile.mkdtemp(prefix="submit-", dir=OUT))
    try:
        if args.only in (None, "demo"):
            demo = Store(f"sqlite:///{work / 'demo.sqlite3'}")
            demo.upgrade()
            load_demo(demo)
            run("demo store", demo, args.orders, args.warmup, args.seed, args.profile)
            demo.dispose()
        if args.only in (None, "scale"):
            path = args.scale_db or scale_copy(work)
            scale = Store(f"sqlite:///{path}", create=False)
            scale.upgrade()
            run("1M store", scale, args.orders, args.warmup, args.seed, args.profile)
            scale.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("load average at end: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
