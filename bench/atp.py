"""ATP for one line on the `seed --scale` store: p50/p95 over ~1000 random items.

    .venv/bin/python bench/atp.py                  # N=1,000,000 on SQLite, cached in bench/out/
    .venv/bin/python bench/atp.py --n 100000 --samples 2000
    .venv/bin/python bench/atp.py --db postgresql+psycopg://postgres@127.0.0.1/scale

Without --db the store is bench/out/atp-scale-N.sqlite3 (git-ignored), made once with
`seed_scale` (about 100 s for N=1,000,000) plus open purchase orders on 2% of the items (the
generator writes none), so that the supply query finds rows; later runs reuse it. A --db store
is read as it is.

Each sample is `services.availability.line_availability` for a random item (uniform over all
items) and quantity 1-60, in one open session (what an order-entry worker does); "own session"
adds opening and committing a session per call (`check_line`). The items with the most open
demand lines are timed separately (the worst case for the open-demand read).
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from orderdesk_tui.models import PurchaseOrder, PurchaseOrderLine, SalesOrder, SalesOrderLine
from orderdesk_tui.seed.scale import seed_scale
from orderdesk_tui.services.availability import (
    DEMAND_STATES,
    check_line,
    line_availability,
    today_utc,
)
from orderdesk_tui.store import Store, resolve_url

OUT = Path(__file__).resolve().parent / "out"


def _cached_store(n: int, seed: int) -> Store:
    path = OUT / f"atp-scale-{n}.sqlite3"
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        for old in path.parent.glob(partial.name + "*"):
            old.unlink()
        print(f"seeding {path} with N={n:,} (once)")
        store = Store(f"sqlite:///{partial}")
        store.upgrade()
        summary = seed_scale(store, n, rng_seed=seed, progress=lambda m: print("  " + m))
        print(f"  {summary} in {summary.total_seconds:.0f} s")
        store.dispose()
        partial.rename(path)
    store = Store(f"sqlite:///{path}", create=False)
    _add_purchase_orders(store, n, seed)
    return store


def _add_purchase_orders(store: Store, n: int, seed: int) -> None:
    """Open replenishment POs on 2% of the items, 1-4 lines each, ETAs in the next 60 days."""
    with store.session() as session:
        if session.execute(select(func.count()).select_from(PurchaseOrder)).scalar():
            return
        rng = random.Random(seed)
        today = today_utc()
        items = rng.sample(range(1, n + 1), max(n // 50, 1))
        pos, lines = [], []
        per_po = 4
        for k in range(0, len(items), per_po):
            po_id = k // per_po + 1
            eta = today + timedelta(days=rng.randint(1, 60))
            pos.append(
                {
                    "id": po_id,
                    "number": f"PO{po_id:08d}",
                    "vendor_name": "Bench Supply Co",
                    "kind": "replenishment",
                    "warehouse_id": rng.choice((1, 1, 2, 3)),
                    "state": "open",
                    "eta": eta,
                    "version": 1,
                }
            )
            for item_id in items[k : k + per_po]:
                lines.append(
                    {
                        "purchase_order_id": po_id,
                        "item_id": item_id,
                        "quantity": Decimal(rng.randint(10, 500)),
                        "quantity_received": Decimal(0),
                        "unit_cost": Decimal("1.0000"),
                        "eta": eta if rng.random() < 0.8 else None,
                        "version": 1,
                    }
                )
        session.execute(PurchaseOrder.__table__.insert(), pos)  # type: ignore[attr-defined]
        session.execute(PurchaseOrderLine.__table__.insert(), lines)  # type: ignore[attr-defined]
        if not store.is_sqlite:  # explicit ids were written: move the serial past them
            for table in ("purchase_orders", "purchase_order_lines"):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"max(id) + 1, false) FROM {table}"
                    )
                )
        print(f"added {len(pos):,} open purchase orders with {len(lines):,} lines")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _report(label: str, ms: list[float]) -> None:
    print(
        f"{label:<28} p50 {_pct(ms, 50):6.3f} ms   p95 {_pct(ms, 95):6.3f} ms   "
        f"p99 {_pct(ms, 99):6.3f} ms   max {max(ms):6.3f} ms   (n={len(ms)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="N of the seeded store")
    parser.add_argument("--db", help="a seeded store (path or URL) instead of the cached file")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    store = Store(resolve_url(args.db), create=False) if args.db else _cached_store(args.n, 1)
    today = today_utc()
    rng = random.Random(args.seed)
    with store.session() as session:
        n_items = session.execute(text("SELECT max(id) FROM items")).scalar() or 0
        hot = [
            row[0]
            for row in session.execute(
                select(SalesOrderLine.item_id)
                .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
                .where(
                    SalesOrder.state.in_([str(s) for s in DEMAND_STATES]),  # type: ignore[attr-defined]
                    SalesOrderLine.item_id.is_not(None),  # type: ignore[union-attr]
                )
                .group_by(SalesOrderLine.item_id)
                .order_by(func.count().desc())
                .limit(20)
            )
        ]
    print(f"store {store.display_url}: {n_items:,} items, today {today}")
    samples = [(rng.randint(1, n_items), rng.randint(1, 60)) for _ in range(args.samples)]

    with store.session() as session:
        for item_id, qty in samples[:50]:  # warm the statement cache and the page cache
            line_availability(session, item_id, qty, today=today)
        timings: list[float] = []
        shorts = 0
        for item_id, qty in samples:
            t0 = time.perf_counter()
            res = line_availability(session, item_id, qty, today=today)
            timings.append((time.perf_counter() - t0) * 1000)
            shorts += res.shortfall > 0
        hot_ms: list[float] = []
        for item_id in hot:
            for qty in (1, 25, 10_000):
                t0 = time.perf_counter()
                line_availability(session, item_id, qty, today=today)
                hot_ms.append((time.perf_counter() - t0) * 1000)
    own: list[float] = []
    for item_id, qty in samples[: min(300, len(samples))]:
        t0 = time.perf_counter()
        check_line(store, item_id, qty, today=today)
        own.append((time.perf_counter() - t0) * 1000)
    store.dispose()

    print(f"{len(samples)} random lines, {shorts} of them short (alternatives computed)")
    _report("ATP one line", timings)
    _report("ATP one line, own session", own)
    if hot_ms:
        _report(f"{len(hot)} hottest items", hot_ms)
    print(f"mean {statistics.fmean(timings):.3f} ms; target <= 2 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
