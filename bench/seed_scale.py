"""Benchmark `seed_scale`: a fresh store, N parts / N order lines, figures per phase.

    .venv/bin/python bench/seed_scale.py                 # 1,000,000 into a fresh SQLite file
    .venv/bin/python bench/seed_scale.py --n 100000 --db postgresql+psycopg://postgres@127.0.0.1/x

A SQLite file is created in a temporary directory (or at --file, replaced if it exists) and
kept only with --keep. A --db URL must point at an empty database; its schema is upgraded first.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orderdesk_tui.seed.scale import seed_scale
from orderdesk_tui.store import Store, resolve_url


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="parts and order lines")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--today", type=date.fromisoformat, help="the data set's today")
    parser.add_argument("--db", help="a database URL instead of a fresh SQLite file")
    parser.add_argument("--file", type=Path, help="the SQLite file to create")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    args = parser.parse_args()

    tmp = None
    path: Path | None = None
    if args.db:
        url = resolve_url(args.db)
    else:
        if args.file:
            path = args.file.resolve()
        else:
            tmp = tempfile.mkdtemp(prefix="orderdesk-seed-scale-")
            path = Path(tmp) / "scale.db"
        for old in path.parent.glob(path.name + "*"):
            old.unlink()
        url = f"sqlite:///{path}"
    store = Store(url)
    t0 = time.perf_counter()
    store.upgrade()
    upgrade_s = time.perf_counter() - t0
    print(f"store {store.display_url}: schema in {upgrade_s:.1f} s")
    summary = seed_scale(
        store, args.n, rng_seed=args.seed, today=args.today, progress=lambda m: print("  " + m)
    )
    store.dispose()
    print(f"\n{summary}")
    print(f"{'phase':<14}{'seconds':>9}")
    for phase, seconds in summary.seconds.items():
        print(f"{phase:<14}{seconds:>9.1f}")
    total = summary.total_seconds
    print(f"{'total':<14}{total:>9.1f}")
    print(f"rows {summary.rows:,} at {summary.rows / total:,.0f} rows/s")
    print(f"order lines {summary.order_lines:,} at {summary.order_lines / total:,.0f} lines/s")
    if path is not None:
        print(f"file {path}: {_size(path) / 2**20:,.0f} MiB")
        if tmp is not None and not args.keep:
            for p in path.parent.glob(path.name + "*"):
                p.unlink()
            os.rmdir(tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
