"""Benchmark pricing: load a customer's pricing inputs for a 100-line order once, then price the
order again and again. Prints the medians (target: pricing <= 5 ms once inputs are loaded).

    .venv/bin/python bench/pricing.py                      # a fresh SQLite file in a temp dir
    .venv/bin/python bench/pricing.py --items 20000 --runs 2000
    .venv/bin/python bench/pricing.py --db postgresql+psycopg://postgres@127.0.0.1/empty_db

The store gets `--items` parts (bearings, fasteners, safety...), a price list with category and
item entries, contract prices, quantity breaks (general and price-list) and a promotion, so every
line walks the whole precedence. A --db URL must point at an empty database; it is upgraded first.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.pricing.inputs import LineRequest, ShipTo
from orderdesk_tui.domain.pricing.order import price_order
from orderdesk_tui.models import (
    Address,
    Customer,
    Item,
    PriceAgreement,
    PriceList,
    PriceListEntry,
    Promotion,
    QuantityBreak,
)
from orderdesk_tui.services.pricing import load_pricing_context
from orderdesk_tui.store import Store

CATEGORIES = ["bearings", "fasteners", "safety", "electrical", "hydraulics", "chemicals"]
TODAY = date(2026, 11, 27)


def build(store: Store, n_items: int) -> tuple[int, int, list[int]]:
    """Fill the store; return (customer id, ship-to id, the 100 item ids of the order)."""
    with store.session() as s:
        plist = PriceList(code="DIST", name="Distributor net")
        other = PriceList(code="OEM1", name="OEM tier 1")
        s.add_all([plist, other])
        s.flush()
        assert plist.id and other.id
        customer = Customer(
            code="GLMS01",
            name="Great Lakes MRO Supply Co.",
            price_list_id=plist.id,
            customer_group="reseller",
            free_freight_threshold=Decimal("1500.00"),
        )
        s.add(customer)
        items = [
            Item(
                part_number=f"P{i:07d}",
                description=f"Bench part {i}",
                category=CATEGORIES[i % len(CATEGORIES)],
                list_price=Decimal(10 + i % 90) + Decimal("0.4500"),
                cost=Decimal(5 + i % 45) + Decimal("0.1200"),
                moq=Decimal(1 if i % 5 else 10),
                order_multiple=Decimal(1 if i % 5 else 10),
                weight_kg=Decimal("0.250"),
            )
            for i in range(n_items)
        ]
        s.add_all(items)
        s.flush()
        assert customer.id
        ids = [item.id for item in items if item.id is not None]
        address = Address(
            customer_id=customer.id,
            code="BR-010",
            name="Cleveland branch",
            line1="4600 Euclid Ave",
            city="Cleveland",
            region="OH",
            country="US",
        )
        s.add(address)
        for pl, pct in ((plist, 30), (other, 20)):
            assert pl.id
            s.add_all(
                PriceListEntry(price_list_id=pl.id, category=c, percent_off=Decimal(pct - k))
                for k, c in enumerate(CATEGORIES)
            )
        rows: list[object] = []
        for k, item_id in enumerate(ids):
            if k % 7 == 0:
                rows.append(
                    PriceListEntry(price_list_id=plist.id, item_id=item_id, fixed_price=Decimal(9))
                )
            if k % 3 == 0:
                rows.append(
                    PriceAgreement(
                        customer_id=customer.id,
                        item_id=item_id,
                        contract_ref=f"C-{k}",
                        price=Decimal("8.5000"),
                        min_quantity=Decimal(50),
                        valid_from=date(2026, 1, 1),
                        valid_to=date(2026, 12, 31) if k % 9 else date(2026, 6, 30),
                    )
                )
            for min_qty, pct in ((100, 5), (500, 10), (1000, 15)):
                rows.append(
                    QuantityBreak(item_id=item_id, min_quantity=Decimal(min_qty), percent_off=pct)
                )
            if k % 4 == 0:
                rows.append(
                    QuantityBreak(
                        item_id=item_id,
                        price_list_id=plist.id,
                        min_quantity=Decimal(20),
                        price=Decimal("7.9000"),
                    )
                )
        s.add_all(rows)  # type: ignore[arg-type]
        s.add(
            Promotion(
                code="SAFETY-Q4",
                name="Q4 safety stock-up",
                valid_from=date(2026, 11, 1),
                valid_to=date(2026, 12, 31),
                item_category="safety",
                percent_off=Decimal(10),
            )
        )
        s.flush()
        assert address.id
        step = max(1, len(ids) // 100)
        return customer.id, address.id, ids[::step][:100]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000, help="parts in the store")
    parser.add_argument("--runs", type=int, default=1000, help="pricing runs (median)")
    parser.add_argument("--loads", type=int, default=30, help="context loads (median)")
    parser.add_argument("--db", help="an empty database URL instead of a fresh SQLite file")
    args = parser.parse_args()
    if args.items < 100:
        parser.error("--items must be at least 100")

    tmp = None
    url = args.db
    if not url:
        tmp = tempfile.TemporaryDirectory(prefix="orderdesk-bench-")
        url = f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"
    store = Store(url)
    try:
        store.upgrade()
        started = time.perf_counter()
        customer_id, ship_to_id, item_ids = build(store, args.items)
        print(
            f"store: {store.display_url}; {args.items:,} items built in "
            f"{time.perf_counter() - started:.1f} s"
        )

        settings = Settings()
        loads = []
        for _ in range(args.loads):
            t0 = time.perf_counter()
            ctx = load_pricing_context(
                store,
                customer_id,
                TODAY,
                item_ids,
                "SAFETY-Q4",
                ship_to_id=ship_to_id,
                settings=settings,
            )
            loads.append(time.perf_counter() - t0)

        requests = [
            LineRequest(item_id, str((10, 20, 60, 150, 700, 1200)[k % 6]), line_no=k + 1)
            for k, item_id in enumerate(item_ids)
        ]
        ship_to = ShipTo("US", "OH")
        for _ in range(20):  # warm up
            price_order(ctx, requests, ship_to=ship_to)
        runs, cpu = [], []
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            result = price_order(ctx, requests, ship_to=ship_to)
            runs.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)

        steps: dict[str, int] = {}
        for line in result.lines:
            steps[line.step.value] = steps.get(line.step.value, 0) + 1
        median_ms = statistics.median(runs) * 1000
        print(
            f"order: {len(result.lines)} lines, total {result.total} {result.currency}; "
            f"winning steps {dict(sorted(steps.items()))}"
        )
        print(
            f"load pricing context (100 items): median {statistics.median(loads) * 1000:.2f} ms"
            f", min {min(loads) * 1000:.2f} ms over {args.loads} loads"
        )
        print(
            f"price 100-line order (loaded):    median {median_ms:.2f} ms, "
            f"p95 {statistics.quantiles(runs, n=20)[-1] * 1000:.2f} ms, "
            f"min {min(runs) * 1000:.2f} ms over {args.runs} runs "
            f"({'within' if median_ms <= 5 else 'OVER'} the 5 ms target)"
        )
        print(
            f"  CPU time of the same runs:       median {statistics.median(cpu) * 1000:.2f} ms "
            "(less sensitive to other load on the machine)"
        )
    finally:
        store.dispose()
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
