"""The desk lookup (`services.customer_lookup.lookup`) on the `seed --scale` store: p50/p95 per
kind of needle a caller quotes.

    .venv/bin/python bench/customer_lookup.py                 # N=1,000,000: 100,000 customers
    .venv/bin/python bench/customer_lookup.py --db bench/out/my-copy.sqlite3
    .venv/bin/python bench/customer_lookup.py --db postgresql+psycopg://postgres@127.0.0.1/scale

Without --db the store is bench/out/lookup-scale-N.sqlite3 (git-ignored): made once with
`seed_scale` (about 100 s for N=1,000,000) if missing. The store is upgraded to the current
schema first (migration 0007 adds the lookup indexes). Needles are drawn from the store's own
rows (a random customer's code, name words, phone typed as digits, email, a ship-to code and
city, a random order's PO and number, an invoice number), the way a caller quotes them, and
some are cut to a prefix as if still being typed. Target: p95 <= 15 ms for every kind.
"""

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from orderdesk_tui.models import Address, Contact, Customer, Invoice, SalesOrder
from orderdesk_tui.seed.scale import seed_scale
from orderdesk_tui.services.customer_lookup import lookup
from orderdesk_tui.store import Store, resolve_url

OUT = Path(__file__).resolve().parent / "out"
TARGET_P95_MS = 15.0


def _store(n: int, db: str | None) -> Store:
    if db is not None:
        store = Store(resolve_url(db), create=False)
        store.upgrade()
        return store
    path = OUT / f"lookup-scale-{n}.sqlite3"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        print(f"seeding {path} with N={n:,} (once)")
        store = Store(f"sqlite:///{partial}")
        store.upgrade()
        summary = seed_scale(store, n, progress=lambda m: print("  " + m))
        print(f"  {summary} in {summary.total_seconds:.0f} s")
        store.dispose()
        partial.rename(path)
    store = Store(f"sqlite:///{path}", create=False)
    started = time.perf_counter()
    before, after = store.upgrade()
    if before != after:
        print(f"upgraded {before} -> {after} in {time.perf_counter() - started:.0f} s")
    return store


def _random_row(store: Store, model: type, rng: random.Random, columns: list[object]) -> tuple:
    """One row of `model` by a random id (ids are dense in a seeded store)."""
    with store.session() as session:
        top = session.execute(select(func.max(model.id))).scalar() or 0  # type: ignore[attr-defined]
        while True:
            row = session.execute(
                select(*columns).where(model.id == rng.randint(1, top))  # type: ignore[attr-defined]
            ).first()
            if row is not None:
                return tuple(row)


def _typing(value: str, rng: random.Random) -> str:
    """The value as typed so far: whole, or cut to a prefix of 4+ characters."""
    if len(value) > 5 and rng.random() < 0.4:
        return value[: rng.randint(4, len(value) - 1)]
    return value


def needle_makers(store: Store, rng: random.Random) -> dict[str, Callable[[], str]]:
    def code() -> str:
        return _typing(_random_row(store, Customer, rng, [Customer.code])[0], rng)

    def name_words() -> str:
        words = _random_row(store, Customer, rng, [Customer.name])[0].split()
        picked = rng.sample(words, min(len(words), rng.randint(1, 2)))
        return " ".join(w.lower() for w in picked)

    def phone() -> str:
        raw = _random_row(store, Customer, rng, [Customer.phone])[0]
        digits = "".join(ch for ch in raw if ch.isdigit())
        return digits[1:] if digits.startswith("1") and len(digits) == 11 else digits

    def email() -> str:
        return _random_row(store, Contact, rng, [Contact.email])[0]

    def ship_to_code() -> str:
        return _random_row(store, Address, rng, [Address.code])[0]

    def city() -> str:
        return _random_row(store, Address, rng, [Address.city])[0].lower()

    def po() -> str:
        return _random_row(store, SalesOrder, rng, [SalesOrder.customer_po])[0]

    def order_number() -> str:
        return _typing(_random_row(store, SalesOrder, rng, [SalesOrder.number])[0], rng)

    def invoice_number() -> str:
        return _random_row(store, Invoice, rng, [Invoice.number])[0]

    makers: dict[str, Callable[[], str]] = {
        "customer code": code,
        "name words": name_words,
        "phone digits": phone,
        "email": email,
        "ship-to code": ship_to_code,
        "ship-to city": city,
        "customer PO": po,
        "order number": order_number,
        "invoice number": invoice_number,
    }
    with store.session() as session:
        if not session.execute(select(func.count()).select_from(Invoice)).scalar():
            del makers["invoice number"]  # seed --scale writes no invoices
    return makers


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="N of the seeded store")
    parser.add_argument("--db", help="a seeded store (path or URL) instead of the cached file")
    parser.add_argument("--samples", type=int, default=300, help="needles per kind")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    store = _store(args.n, args.db)
    rng = random.Random(args.seed)
    with store.session() as session:
        customers = session.execute(select(func.count()).select_from(Customer)).scalar()
    print(f"{store.display_url}: {customers:,} customers; {args.samples} needles per kind")
    for make in needle_makers(store, rng).values():  # warm the page cache once per kind
        lookup(store, make())
    worst = 0.0
    if "invoice number" not in needle_makers(store, rng):
        print("no invoices in this store (seed --scale writes none): invoice numbers not timed")
    print(f"{'needle kind':<16} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  found  example")
    for kind, make in needle_makers(store, rng).items():
        needles = [make() for _ in range(args.samples)]
        timings: list[float] = []
        found = 0
        for needle in needles:
            started = time.perf_counter()
            hits = lookup(store, needle)
            timings.append((time.perf_counter() - started) * 1000)
            found += bool(hits)
        p95 = _pct(timings, 95)
        worst = max(worst, p95)
        print(
            f"{kind:<16} {statistics.median(timings):8.2f} {p95:8.2f} {max(timings):8.2f}"
            f"  {found / len(needles):5.0%}  {needles[0]!r}"
        )
    verdict = "OK" if worst <= TARGET_P95_MS else "OVER"
    print(f"worst p95 {worst:.2f} ms; target <= {TARGET_P95_MS:.0f} ms: {verdict}")
    store.dispose()
    return 0 if worst <= TARGET_P95_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
