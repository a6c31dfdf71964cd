"""Many terminals on one PostgreSQL: N processes doing a coordinator's work at once.

    .venv/bin/python bench/terminals.py                # 1M store, N = 8 16 32 64, both paces
    .venv/bin/python bench/terminals.py --store demo --terminals 16 --pace full --scenario hot
    .venv/bin/python bench/terminals.py --quick        # smoke check: demo store, N = 4
    .venv/bin/python bench/terminals.py --db postgresql+psycopg://postgres@127.0.0.1/x  # in place

Each terminal is an OS process of its own (its own engine and pool, as a terminal is) that
loops what a coordinator does, through the services the screens call: a customer lookup
(`customer_lookup.lookup`), a draft (`drafts.create_draft`, PO and requested date), 3-15 lines
each found by its part number (`order_entry.resolve_part`), priced (`quote_price`) and its stock
shown (`quote_stock`), then saved; sometimes a quantity changed or a line deleted again; then
`submit_order`. Now and then it cancels one of its own orders or takes a queue item
(`QueueReader.read`, `queue_actions.take`). Parts are drawn Zipf-like (s = 1.1) over the
orderable catalogue, customers likewise; in the `hot` scenario every order also wants the same
4 items (their stock raised so that they never run out). At `human` pace a terminal pauses
between steps so that it submits about every `--cycle` seconds; at `full` speed it never waits.

Per run: submits/s, submit p50/p95/max, lookup p95 (customer and part lookups), price+stock
p95, lock waits seen by sampling pg_stat_activity every 50 ms (what waited, on which lock,
and what the holder was running), deadlocks (pg_stat_database) and the submit retries after
a deadlock or serialization failure (services.contention logs each), then the invariants:
allocated <= on hand, no duplicate order numbers, an outbox entry for every submitted order,
and no customer's credit headroom exceeded by the orders entered without a credit hold.

CPU: one terminal alone at full speed first; its CPU seconds per submit (the terminal's own
user+system time plus that of its PostgreSQL backends, read from /proc, for the whole cycle of
an order) give the bound = cores / that, and each run prints its submits/s as a ratio of it.

The 1M store is a PostgreSQL database `orderdesk_bench_scale_N` seeded once with seed_scale and
bench/atp.py's open purchase orders; every bench run works on a copy (CREATE DATABASE ...
TEMPLATE), dropped afterwards. The demo store is loaded fresh. Goals (issue 16): human pace,
64 terminals: submit p95 <= 100 ms, lookup p95 <= 15 ms; full speed: realistic >= 0.7 x bound,
hot >= 0.5 x bound with p95 <= 500 ms at 16 terminals.
"""

import argparse
import logging
import multiprocessing as mp
import os
import random
import sys
import threading
import time
import uuid
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from atp import _add_purchase_orders
from sqlalchemy import event, text
from submit import candidates, pct

from orderdesk_tui.config import Settings
from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.models import SalesOrder
from orderdesk_tui.seed.demo import load_demo
from orderdesk_tui.seed.scale import seed_scale
from orderdesk_tui.services import (
    customer_lookup,
    drafts,
    order_actions,
    order_entry,
    queue_actions,
)
from orderdesk_tui.services.credit import load_credit_inputs
from orderdesk_tui.services.queue import QueueReader
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
HOT_ITEMS = 4
ZIPF_S = 1.1


def _admin() -> psycopg.Connection:
    return psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)


def _create_database(name: str, template: str | None = None) -> str:
    with _admin() as admin:
        suffix = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{suffix}')
    return f"{SERVER}/{name}"


def _drop_database(name: str) -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scale_template(n: int) -> str:
    """The name of the seeded N store (seeded once, about 90 s for N = 1,000,000)."""
    name = f"orderdesk_bench_scale_{n}"
    with _admin() as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return name
    partial = name + "_partial"
    _drop_database(partial)
    print(f"seeding {name} (once)…", flush=True)
    store = Store(_create_database(partial))
    store.upgrade()
    seed_scale(store, n, progress=lambda m: print("  " + m, flush=True))
    _add_purchase_orders(store, n, 1)
    store.dispose()
    with _admin() as admin:
        admin.execute(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    return name


# -- what one terminal does --------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    url: str
    pace: str  # "human" or "full"
    scenario: str  # "realistic" or "hot"
    seconds: float
    cycle: float
    customers: list[int]
    items: list[int]
    hot: list[int]


@dataclass
class Tally:
    """What one terminal measured; summed over terminals by `merge`."""

    submit_ms: list[float] = field(default_factory=list)
    lookup_ms: list[float] = field(default_factory=list)
    quote_ms: list[float] = field(default_factory=list)
    submitted: list[tuple[int, int]] = field(default_factory=list)  # (order id, customer id)
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    def merge(self, other: "Tally") -> None:
        self.submit_ms += other.submit_ms
        self.lookup_ms += other.lookup_ms
        self.quote_ms += other.quote_ms
        self.submitted += other.submitted
        self.counts.update(other.counts)
        self.errors += other.errors[: max(0, 5 - len(self.errors))]
        self.client_cpu += other.client_cpu
        self.server_cpu += other.server_cpu


class _Counting(logging.Handler):
    def __init__(self, tally: Tally) -> None:
        super().__init__(logging.INFO)
        self.tally = tally

    def emit(self, record: logging.LogRecord) -> None:
        self.tally.counts["retries"] += 1


def _zipf(n: int) -> list[float]:
    """Cumulative Zipf weights over n ranks (rank 1 the most wanted)."""
    return list(accumulate(1 / (k**ZIPF_S) for k in range(1, n + 1)))


def _draw(pool: list[int], cum: list[float], rng: random.Random) -> int:
    return pool[min(bisect_left(cum, rng.random() * cum[-1]), len(pool) - 1)]


def _part_numbers(store: Store, item_ids: list[int]) -> dict[int, str]:
    """What the coordinator types for each item: its part number."""
    with store.session() as session:
        rows = session.connection().execute(
            text("SELECT id, part_number FROM items WHERE id = ANY(CAST(:ids AS integer[]))"),
            {"ids": item_ids},
        )
        return {row[0]: row[1] for row in rows}


def _cpu_of(pids: set[int]) -> float:
    """User + system CPU seconds of these (local) PostgreSQL backends, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Terminal:
    """One coordinator at one terminal."""

    def __init__(self, k: int, plan: Plan) -> None:
        self.plan = plan
        self.rng = random.Random(1000 + k)
        self.store = Store(plan.url)
        self.backends: set[int] = set()
        event.listen(self.store.engine, "connect", self._note_backend)
        self.settings = Settings()
        self.user = ensure_user(self.store, f"term{k:02d}")
        self.reader = QueueReader(self.store, self.settings.sla)
        self.item_cum = _zipf(len(plan.items))
        self.customer_cum = _zipf(len(plan.customers))
        self.mine: list[int] = []
        self.tally = Tally()
        self.timed = False
        self.k = k

    def _note_backend(self, dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.backends.add(cur.fetchone()[0])

    def pause(self, steps: int) -> None:
        if self.plan.pace == "human":
            time.sleep(self.plan.cycle / steps * self.rng.uniform(0.5, 1.5))

    def timed_call(self, bucket: list[float], call: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            if self.timed:
                bucket.append((time.perf_counter() - t0) * 1000)

    def order(self) -> None:
        """One order from customer lookup to submit, with the odd change, cancel and take."""
        plan, rng, store, t = self.plan, self.rng, self.store, self.tally
        customer_id = _draw(plan.customers, self.customer_cum, rng)
        n = rng.randint(3, 15)
        wanted = rng.sample(plan.hot, HOT_ITEMS) if plan.scenario == "hot" else []
        while len(wanted) < n:
            item = _draw(plan.items, self.item_cum, rng)
            if item not in wanted:
                wanted.append(item)
        rng.shuffle(wanted)
        steps = len(wanted) + 4
        code = order_entry.customer_info(store, customer_id).code
        self.pause(steps)
        self.timed_call(t.lookup_ms, customer_lookup.lookup, store, code)
        order = drafts.create_draft(store, actor=self.user.name, customer_id=customer_id)
        assert order.id is not None
        drafts.update_header(
            store,
            order.id,
            {
                "customer_po": f"T{uuid.uuid4().hex[:12].upper()}",
                "requested_date": date.today() + timedelta(days=rng.randint(1, 20)),
            },
            actor=self.user.name,
        )
        parts = _part_numbers(store, wanted)
        for line_no, item_id in enumerate(wanted, 1):
            self.pause(steps)
            info = self.timed_call(
                t.lookup_ms, order_entry.resolve_part, store, parts[item_id], customer_id
            )
            quantity = Decimal(rng.randint(1, 12))
            t0 = time.perf_counter()
            order_entry.quote_price(
                store,
                self.settings,
                customer_id=customer_id,
                order_date=date.today(),
                promotion_code="",
                ship_to_id=order.ship_to_id,
                item_id=info.id,
                quantity=quantity,
            )
            order_entry.quote_stock(store, item_id=info.id, quantity=quantity, order_id=order.id)
            if self.timed:
                t.quote_ms.append((time.perf_counter() - t0) * 1000)
            values = {"item_id": info.id, "part_number": info.part_number}
            values |= {"description": info.description, "uom": info.uom, "quantity": quantity}
            drafts.save_line(store, order.id, line_no, values, actor=self.user.name)
        if rng.random() < 0.3:  # a quantity changed on second thoughts
            line_no = rng.randint(1, len(wanted))
            values = {"quantity": Decimal(rng.randint(1, 12))}
            drafts.save_line(store, order.id, line_no, values, actor=self.user.name)
        if rng.random() < 0.1 and len(wanted) > 3:
            drafts.delete_line(store, order.id, len(wanted), actor=self.user.name)
        self.pause(steps)
        try:
            result = self.timed_call(
                t.submit_ms,
                submit_order,
                store,
                order.id,
                actor=self.user.name,
                settings=self.settings,
            )
        except OrderdeskError as error:
            t.counts["refused"] += 1
            t.errors.append(f"submit: {error}")
            return
        if self.timed:
            t.submitted.append((order.id, customer_id))
            t.counts["held"] += bool(result.holds)
            t.counts["credit holds"] += any(h.startswith("credit") for h in result.holds)
        self.mine.append(order.id)
        if rng.random() < 0.05 and len(self.mine) > 1:
            self.cancel(self.mine.pop(rng.randrange(len(self.mine) - 1)))
        if rng.random() < 0.1:
            self.take()

    def cancel(self, order_id: int) -> None:
        with self.store.session() as session:
            order = session.get(SalesOrder, order_id)
            assert order is not None
            version = order.version
        try:
            order_actions.cancel_order(
                self.store,
                order_id,
                expected_version=version,
                actor=self.user,
                reason="customer changed their mind",
            )
            self.tally.counts["cancels"] += 1
        except OrderdeskError as error:
            self.tally.counts["cancel refused"] += 1
            self.tally.errors.append(f"cancel: {error}")

    def take(self) -> None:
        items = [i for i in self.reader.read().items[:40] if i.assignee != self.user.name]
        if not items:
            return
        try:
            queue_actions.take(self.store, self.rng.choice(items), actor=self.user)
            self.tally.counts["takes"] += 1
        except queue_actions.QueueItemChanged:
            self.tally.counts["takes lost to another terminal"] += 1

    def run(self, barrier: Any) -> Tally:
        self.order()  # warm-up: caches filled, compliance files read; not counted
        barrier.wait()
        handler = _Counting(self.tally)
        logging.getLogger("orderdesk_tui.services.contention").addHandler(handler)
        self.timed = True
        c0, s0 = time.process_time(), _cpu_of(self.backends)
        end = time.monotonic() + self.plan.seconds
        while time.monotonic() < end:
            try:
                self.order()
            except Exception as error:  # a failure is a finding, not the end of the bench
                self.tally.counts["failed"] += 1
                self.tally.errors.append(f"{type(error).__name__}: {error}"[:300])
        self.tally.client_cpu = time.process_time() - c0
        self.tally.server_cpu = _cpu_of(self.backends) - s0
        self.store.dispose()
        return self.tally


def _terminal_main(k: int, plan: Plan, barrier: Any, out: Any) -> None:
    out.put(Terminal(k, plan).run(barrier))


# -- the run: terminals, lock sampling, figures, invariants -------------------------------------


class LockSampler(threading.Thread):
    """Samples waiting backends of one database every 50 ms: what waits, on what, behind whom."""

    QUERY = """
        SELECT w.pid, w.query_start, left(regexp_replace(w.query, '\\s+', ' ', 'g'), 60),
               l.locktype, coalesce(l.relation::regclass::text, l.classid::regclass::text, ''),
               left(regexp_replace(coalesce(b.query, ''), '\\s+', ' ', 'g'), 60),
               extract(epoch FROM clock_timestamp() - w.query_start) * 1000
        FROM pg_stat_activity w
        JOIN pg_locks l ON l.pid = w.pid AND NOT l.granted
        LEFT JOIN pg_stat_activity b ON b.pid = (pg_blocking_pids(w.pid))[1]
        WHERE w.datname = %s AND w.wait_event_type = 'Lock'
    """

    def __init__(self, database: str) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.stop = threading.Event()
        self.waits: dict[tuple[int, Any], tuple[str, float]] = {}
        self.kinds: Counter[str] = Counter()

    def run(self) -> None:
        with _admin() as conn:
            while not self.stop.wait(0.05):
                for pid, start, query, locktype, rel, blocker, ms in conn.execute(
                    self.QUERY, (self.database,)
                ):
                    what = f"{query} | {locktype} {rel} | holder: {blocker}"
                    self.kinds[what] += 1
                    self.waits[(pid, start)] = (
                        what,
                        max(ms, self.waits.get((pid, start), ("", 0))[1]),
                    )


def _deadlocks(database: str) -> int:
    with _admin() as conn:
        row = conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = %s", (database,)
        ).fetchone()
    return int(row[0]) if row else 0


def run_terminals(plan: Plan, n: int) -> tuple[Tally, float, LockSampler, int]:
    """N terminals for plan.seconds; returns the summed tally, wall time, sampler, deadlocks."""
    database = plan.url.rsplit("/", 1)[1]
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(n + 1)
    out = ctx.Queue()
    procs = [ctx.Process(target=_terminal_main, args=(k, plan, barrier, out)) for k in range(n)]
    for p in procs:
        p.start()
    barrier.wait(timeout=600)
    deadlocks0 = _deadlocks(database)
    sampler = LockSampler(database)
    sampler.start()
    t0 = time.perf_counter()
    total = Tally()
    for _ in procs:
        total.merge(out.get(timeout=plan.seconds + 600))
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    for p in procs:
        p.join()
    return total, wall, sampler, _deadlocks(database) - deadlocks0


def invariants(store: Store, submitted: list[tuple[int, int]]) -> list[tuple[str, bool, str]]:
    """(what, holds, detail) for each invariant, over the whole store and this run's orders."""
    today = date.today()
    ids = [o for o, _ in submitted]
    with store.session() as session:
        conn = session.connection()
        over = conn.execute(
            text("SELECT count(*) FROM stock_levels WHERE allocated > on_hand OR allocated < 0")
        ).scalar_one()
        dupes = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT number FROM sales_orders GROUP BY number "
                "HAVING count(*) > 1) d"
            )
        ).scalar_one()
        missing = conn.execute(
            text(
                "SELECT count(*) FROM unnest(CAST(:ids AS integer[])) AS s(id) WHERE NOT EXISTS "
                "(SELECT 1 FROM sync_outbox o WHERE o.entity = 'sales_orders' "
                "AND o.entity_id = s.id AND o.operation = 'push_order')"
            ),
            {"ids": ids},
        ).scalar_one()
        # Orders of this run per customer: open ones, and the open ones without a credit hold.
        rows = conn.execute(
            text(
                "SELECT o.customer_id, sum(o.total), sum(o.total) FILTER (WHERE NOT EXISTS "
                "(SELECT 1 FROM holds h WHERE h.order_id = o.id AND h.kind = 'credit')) "
                "FROM sales_orders o WHERE o.id = ANY(CAST(:ids AS integer[])) "
                "AND o.state NOT IN ('cancelled', 'draft') GROUP BY o.customer_id"
            ),
            {"ids": ids},
        ).all()
        exceeded = []
        for customer_id, run_open, run_unheld in rows:
            if not run_unheld:
                continue
            credit = load_credit_inputs(session, customer_id, today=today)
            before = credit.open_invoices - abs(credit.open_credit_memos)
            before += credit.open_orders - run_open
            if before + run_unheld > credit.credit_limit:
                exceeded.append(f"customer {customer_id}: {before} + {run_unheld}")
    return [
        ("allocated <= on hand", over == 0, f"{over} stock rows over"),
        ("no duplicate order numbers", dupes == 0, f"{dupes} numbers twice"),
        ("every submitted order has its outbox entry", missing == 0, f"{missing} missing"),
        ("credit headroom never exceeded", not exceeded, "; ".join(exceeded[:3])),
    ]


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def report(label: str, plan: Plan, n: int, bound: float | None) -> dict[str, float]:
    print(
        f"\n{label}: {n} terminals, {plan.scenario}, {plan.pace} pace, {plan.seconds:.0f} s "
        f"(load {load()})",
        flush=True,
    )
    tally, wall, sampler, deadlocks = run_terminals(plan, n)
    subs = len(tally.submit_ms)
    rate = subs / wall
    figures = {"rate": rate, "p95": pct(tally.submit_ms, 95) if subs else 0.0}
    if subs:
        print(
            f"  submits {subs} = {rate:.1f}/s   submit p50 {pct(tally.submit_ms, 50):.0f} ms  "
            f"p95 {figures['p95']:.0f} ms  max {max(tally.submit_ms):.0f} ms"
        )
    if tally.lookup_ms:
        figures["lookup p95"] = pct(tally.lookup_ms, 95)
        print(
            f"  lookup p95 {figures['lookup p95']:.1f} ms ({len(tally.lookup_ms)} customer and "
            f"part lookups)   price+stock p95 {pct(tally.quote_ms, 95):.1f} ms"
        )
    cpu = (tally.client_cpu + tally.server_cpu) / subs if subs else 0.0
    figures["cpu"] = cpu
    print(
        f"  CPU per submitted order {cpu * 1000:.0f} ms (terminals {tally.client_cpu:.1f} s, "
        f"their backends {tally.server_cpu:.1f} s)"
        + (f"   ratio to the bound {rate / bound:.2f}" if bound else "")
    )
    waits = sampler.waits.values()
    longest = max((ms for _, ms in waits), default=0.0)
    print(
        f"  lock waits seen {len(sampler.waits)} (longest {longest:.0f} ms)   deadlocks "
        f"{deadlocks}   retries {tally.counts['retries']}"
    )
    for what, samples in sampler.kinds.most_common(3):
        print(f"    {samples:5d} samples: {what}")
    other = {k: v for k, v in tally.counts.items() if k != "retries"}
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(other.items())))
    for error in tally.errors[:3]:
        print(f"    e.g. {error}")
    store = Store(plan.url)
    checks = invariants(store, tally.submitted)
    store.dispose()
    for what, ok, detail in checks:
        print(f"  invariant: {what}: {'holds' if ok else 'BROKEN, ' + detail}")
    figures["invariants"] = float(all(ok for _, ok, _ in checks))
    return figures


def prepare(args: argparse.Namespace) -> tuple[str, str | None]:
    """The store URL to run on, and the database to drop afterwards (None: keep it)."""
    if args.db:
        return args.db, None
    name = f"orderdesk_bench_terminals_{os.getpid()}"
    if args.store == "demo":
        store = Store(_create_database(name))
        store.upgrade()
        load_demo(store)
        store.dispose()
        return f"{SERVER}/{name}", name
    template = scale_template(args.n)
    print(f"copying {template}…", flush=True)
    url = _create_database(name, template)
    store = Store(url)
    store.upgrade()  # the template may be older than the code
    store.dispose()
    return url, name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--pace", choices=["human", "full"], nargs="+", default=["human", "full"])
    parser.add_argument(
        "--scenario", choices=["realistic", "hot"], nargs="+", default=["realistic", "hot"]
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="each run's length")
    parser.add_argument("--cycle", type=float, default=4.0, help="human pace: s per order")
    parser.add_argument("--store", choices=["scale", "demo"], default="scale")
    parser.add_argument("--n", type=int, default=1_000_000, help="the scale store's size")
    parser.add_argument("--db", help="a PostgreSQL store to use in place (written to)")
    parser.add_argument("--quick", action="store_true", help="smoke check: demo, N=4, 3 s a run")
    args = parser.parse_args()
    if args.quick:
        args.store, args.terminals, args.seconds, args.cycle = "demo", [4], 3.0, 1.0
        args.pace, args.scenario = ["full"], ["realistic", "hot"]

    print(f"load average at start: {load()}   cores: {os.cpu_count()}", flush=True)
    url, drop = prepare(args)
    try:
        store = Store(url)
        customers, items = candidates(store, random.Random(7))
        random.Random(7).shuffle(items)  # Zipf ranks fall anywhere in the catalogue
        hot = items[:HOT_ITEMS]
        with store.session() as session:  # the hot items never run out
            session.connection().execute(
                text(
                    "UPDATE stock_levels SET on_hand = on_hand + 1000000 "
                    "WHERE item_id = ANY(CAST(:ids AS integer[]))"
                ),
                {"ids": hot},
            )
        store.dispose()
        print(f"{len(customers):,} customers, {len(items):,} orderable items", flush=True)
        base = Plan(url, "full", "realistic", args.seconds, args.cycle, customers, items, hot)
        alone = report("alone (for the bound)", base, 1, None)
        ok = bool(alone["invariants"])
        bound = (os.cpu_count() or 1) / alone["cpu"]
        print(
            f"\nbound = {os.cpu_count()} cores / {alone['cpu'] * 1000:.0f} ms CPU per submitted "
            f"order = {bound:.1f} submits/s"
        )
        for scenario in args.scenario:
            for pace in args.pace:
                for n in args.terminals:
                    plan = Plan(
                        url, pace, scenario, args.seconds, args.cycle, customers, items, hot
                    )
                    figures = report(f"{scenario}/{pace}", plan, n, bound)
                    ok = ok and bool(figures["invariants"])
    finally:
        if drop:
            _drop_database(drop)
    print(f"\nload average at end: {load()}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
