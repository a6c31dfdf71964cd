"""Every report for one month on a `seed --scale` store, cold and warm.

    .venv/bin/python bench/reports.py                  # N=1,000,000 on SQLite, cached in bench/out/
    .venv/bin/python bench/reports.py --n 100000       # a smaller store
    .venv/bin/python bench/reports.py --db /path/to/a-scale-store.sqlite3   # upgraded first

Without --db the store is bench/out/reports-scale-N.sqlite3 (git-ignored), made once with
`seed_scale` as of 2026-12-01 (orders over the two years before), so the month is November
2026. *Cold*: the report on a freshly opened store (new connections, SQLite's page cache empty;
the OS file cache is whatever it is). *Warm*: the same report asked again (the screen going
back to it): the kept report after the data-version check (reports/catalog.build_report), best
of three. *Re-read*: the report read and computed again on the warm store, the kept one not
used (what a warm ask costs after any change to the data), best of three. Goals: cold <= 2 s,
warm <= 300 ms. The time is the whole report: the queries, the KPI functions and every row
built (what the screen's worker and the CLI do).
"""

import argparse
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orderdesk_tui.config import Settings
from orderdesk_tui.reports.catalog import REPORTS, build_report
from orderdesk_tui.reports.context import ReportContext
from orderdesk_tui.reports.table import materialised
from orderdesk_tui.seed.scale import seed_scale
from orderdesk_tui.services.kpi_queries import Filters, Period
from orderdesk_tui.store import Store, resolve_url

OUT = Path(__file__).resolve().parent / "out"
TODAY = date(2026, 12, 1)
MONTH = Period(date(2026, 11, 1), date(2026, 11, 30))
COLD_GOAL_MS, WARM_GOAL_MS = 2000, 300


def _url(args: argparse.Namespace) -> str:
    if args.db:
        store = Store(resolve_url(args.db), create=False)
        store.upgrade()
        store.dispose()
        return resolve_url(args.db)
    path = OUT / f"reports-scale-{args.n}.sqlite3"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        store = Store(f"sqlite:///{path}")
        store.upgrade()
        print(f"seeding {path} with N={args.n:,} (once)", flush=True)
        started = time.perf_counter()
        seed_scale(store, args.n, rng_seed=1, today=TODAY)
        store.dispose()
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return f"sqlite:///{path}"


def _run(store: Store, name: str, filters: Filters, reuse: bool = True) -> tuple[float, int]:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    ctx = ReportContext(store, Settings(), MONTH, filters, TODAY, now)
    started = time.perf_counter()
    rows = materialised(build_report(name, ctx, reuse=reuse))
    return (time.perf_counter() - started) * 1000, len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db")
    parser.add_argument("--customer", default="", help="also time each report for one customer")
    args = parser.parse_args()
    url = _url(args)
    filters = Filters(customer=args.customer)
    print(f"{'report':<18} {'rows':>5} {'cold ms':>9} {'warm ms':>9} {'re-read ms':>11}")
    worst_cold = worst_warm = 0.0
    for kind in REPORTS:
        store = Store(url, create=False)
        cold, count = _run(store, kind.name, filters)
        warm = min(_run(store, kind.name, filters)[0] for _ in range(3))
        reread = min(_run(store, kind.name, filters, reuse=False)[0] for _ in range(3))
        store.dispose()
        worst_cold, worst_warm = max(worst_cold, cold), max(worst_warm, warm)
        flag = "" if cold <= COLD_GOAL_MS and warm <= WARM_GOAL_MS else "  over goal"
        print(f"{kind.name:<18} {count:>5} {cold:>9.0f} {warm:>9.0f} {reread:>11.0f}{flag}",
              flush=True)  # fmt: skip
    print(
        f"worst: cold {worst_cold:.0f} ms (goal {COLD_GOAL_MS}), "
        f"warm {worst_warm:.0f} ms (goal {WARM_GOAL_MS})"
    )
    ok = worst_cold <= COLD_GOAL_MS and worst_warm <= WARM_GOAL_MS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
