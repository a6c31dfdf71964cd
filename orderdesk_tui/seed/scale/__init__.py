"""Generated benchmark data: `orderdesk seed --scale N`.

N parts, N/10 customers (a bill-to, 1-3 ship-tos and a contact each), 3 warehouses with stock
levels, and N sales order lines on about N/5 orders spread over the two years before `today`.
Every order follows one lifecycle (entered, maybe held, acknowledged, released, shipped in one
or two waves, invoiced, paid) and its state is how far that lifecycle got by `today` 22:00 UTC,
so dates, quantities (allocated, shipped, backordered, cancelled), totals and stock allocations
agree with each other. The same N, seed and `today` give the same rows on every run.

Only an empty store is filled (ids are assigned from 1); the order number sequence is moved
past the seeded orders so that orders keyed afterwards continue after them.

Speed: rows are built as plain tuples already in the store's storage form (on SQLite money and
quantities as integer counts of the minor unit, timestamps as the naive-UTC text UTCDateTime
writes) and written with DB-API `executemany` (SQLite) or `COPY` (PostgreSQL), all in one
transaction. For the load the secondary indexes and the tables' triggers (FTS and queue feed;
on PostgreSQL also the foreign keys) are dropped or disabled, then recreated from the SQL the
database itself holds for them, so they come back exactly as the migrations made them; the FTS
tables are rebuilt in one pass. 1,000,000 on SQLite takes about 1.5 minutes on two cores.
"""

import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from orderdesk_tui.errors import StoreError
from orderdesk_tui.seed.scale.layout import FILLED
from orderdesk_tui.seed.scale.master_rows import MasterRows
from orderdesk_tui.seed.scale.order_rows import OrderRows
from orderdesk_tui.seed.scale.summary import ScaleSummary
from orderdesk_tui.seed.scale.vocabulary import WAREHOUSES
from orderdesk_tui.seed.scale.writers import PostgresWriter, SqliteWriter, Writer
from orderdesk_tui.services.numbering import DEFAULTS as NUMBER_DEFAULTS
from orderdesk_tui.store import Store


class Generator(MasterRows, OrderRows):
    """Every row of the data set, table by table, from one random source."""


def seed_scale(
    store: Store,
    n: int,
    *,
    rng_seed: int = 1,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScaleSummary:
    """Fill an empty store with N items, N/10 customers and N order lines (see module doc)."""
    if n < 10:
        raise StoreError(f"seed --scale needs N >= 10 (got {n})")
    today = today or datetime.now(UTC).date()
    say = progress or (lambda _msg: None)
    summary = ScaleSummary(n=n)
    started = time.perf_counter()
    gen = Generator(n, rng_seed, today)
    writer: Writer = SqliteWriter(store) if store.is_sqlite else PostgresWriter(store)
    ok = False
    dbapi_error = store.engine.dialect.loaded_dbapi.Error
    try:
        writer.begin()
        filled = {t: writer.count(t) for t in FILLED}
        if any(filled.values()):
            held = ", ".join(f"{count:,} {t}" for t, count in filled.items() if count)
            raise StoreError(
                f"store {store.display_url} already has data ({held}); "
                "seed --scale only fills an empty store"
            )
        writer.suspend_indexes()

        tables = {
            "warehouses": ("warehouses",),
            "items": ("items",),
            "customers": ("customers", "addresses", "contacts"),
            "orders": ("sales_orders", "sales_order_lines", "holds"),
            "stock": ("stock_levels",),
        }
        plan: list[tuple[str, Callable[[], Iterable[tuple[list[Any], ...]]]]] = [
            ("warehouses", lambda: [([(*w, 1, 1) for w in WAREHOUSES],)]),
            ("items", gen.item_rows),
            ("customers", gen.customer_rows),
            ("orders", gen.order_rows),
            ("stock", gen.stock_rows),
        ]
        for name, make in plan:
            t0 = time.perf_counter()
            written = tables[name]
            for chunk in make():
                for table, rows in zip(written, chunk, strict=True):
                    writer.write(table, rows)
            summary.seconds[name] = time.perf_counter() - t0
            done = ", ".join(f"{writer.counts.get(t, 0):,} {t}" for t in written)
            say(f"{name}: {done} in {summary.seconds[name]:.1f} s")
        prefix, width = NUMBER_DEFAULTS["order"]
        writer.set_sequence("order", prefix, width, gen.orders + 1)

        steps = [("indexes", writer.restore_indexes)]
        if store.is_sqlite:
            steps.append(("search", writer.rebuild_search))
        for name, step in steps:
            t0 = time.perf_counter()
            step()
            summary.seconds[name] = time.perf_counter() - t0
            say(f"{name}: rebuilt in {summary.seconds[name]:.1f} s")
        t0 = time.perf_counter()
        writer.commit()
        writer.finish()
        summary.seconds["commit"] = time.perf_counter() - t0
        say(f"commit: {summary.seconds['commit']:.1f} s")
        ok = True
    except dbapi_error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"seed --scale failed on {store.display_url}: {reason}") from None
    finally:
        writer.close(ok)
    counts = writer.counts
    summary.items = counts.get("items", 0)
    summary.customers = counts.get("customers", 0)
    summary.addresses = counts.get("addresses", 0)
    summary.contacts = counts.get("contacts", 0)
    summary.warehouses = counts.get("warehouses", 0)
    summary.stock_levels = counts.get("stock_levels", 0)
    summary.orders = counts.get("sales_orders", 0)
    summary.order_lines = counts.get("sales_order_lines", 0)
    summary.holds = counts.get("holds", 0)
    summary.total_seconds = time.perf_counter() - started
    return summary
