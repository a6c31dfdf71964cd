"""Return lookups on a `seed --scale` store: p50/p95 of finding shipped lines to return.

    .venv/bin/python bench/returns_lookup.py                   # N=100,000, cached in bench/out/
    .venv/bin/python bench/returns_lookup.py --db /tmp/copy-of-a-scale-store.sqlite3

Without --db the store is bench/out/returns-scale-N.sqlite3 (git-ignored), made once with
`seed_scale`. A --db store is upgraded to this version's schema first (use a copy).

Timed, each over random samples: `find_returnable` by order number, by customer PO and by
part number (the part is the widest: every shipped line of that part, capped at 300), and
`customer_returnable` (a customer's lines with something left), each as the new-return
screen's worker calls it (own session), plus one page of the RMA list.
"""

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select

from orderdesk_tui.models import Customer, Item, SalesOrder
from orderdesk_tui.seed.scale import seed_scale
from orderdesk_tui.services.returnable import customer_returnable, find_returnable
from orderdesk_tui.services.rma_queries import RmaFilter, count_rmas, fetch_rmas
from orderdesk_tui.store import Store, resolve_url

OUT = Path(__file__).resolve().parent / "out"


def _store(args: argparse.Namespace) -> Store:
    if args.db:
        store = Store(resolve_url(args.db), create=False)
        store.upgrade()
        return store
    path = OUT / f"returns-scale-{args.n}.sqlite3"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        store = Store(f"sqlite:///{path}")
        store.upgrade()
        print(f"seeding {path} with N={args.n:,} (once)")
        seed_scale(store, args.n, rng_seed=1)
        store.dispose()
    return Store(f"sqlite:///{path}", create=False)


def _time(label: str, calls: list[Callable[[], object]]) -> None:
    took = []
    for call in calls:
        started = time.perf_counter()
        call()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    p95 = took[max(0, int(len(took) * 0.95) - 1)]
    print(f"{label:<34} n={len(took):>4}  p50 {statistics.median(took):7.2f} ms  p95 {p95:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    store = _store(args)
    rng = random.Random(5)
    with store.session() as session:
        orders = session.exec(
            select(SalesOrder.number, SalesOrder.customer_po).where(
                SalesOrder.shipped_at.is_not(None)  # type: ignore[union-attr]
            )
        ).all()
        parts = session.exec(select(Item.part_number)).all()
        customers = session.exec(select(Customer.id)).all()
    picks = rng.sample(list(orders), min(args.samples, len(orders)))
    print(f"{len(orders):,} shipped orders, {len(parts):,} items, {len(customers):,} customers")
    _time("find by order number", [lambda o=o: find_returnable(store, o[0]) for o in picks])
    _time("find by customer PO", [lambda o=o: find_returnable(store, o[1]) for o in picks])
    sample_parts = rng.sample(list(parts), min(args.samples, len(parts)))
    _time("find by part number", [lambda p=p: find_returnable(store, p) for p in sample_parts])
    sample_customers = rng.sample(list(customers), min(args.samples // 4, len(customers)))
    _time(
        "customer's returnable lines",
        [lambda c=c: customer_returnable(store, c) for c in sample_customers],
    )
    flt = RmaFilter()
    page = [lambda: (count_rmas(store, flt), fetch_rmas(store, flt, 0, 200))] * 20
    _time("RMA list: count + first page", page)
    store.dispose()


if __name__ == "__main__":
    main()
