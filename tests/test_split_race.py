"""Two terminals submitting split lines over the same items at the same instant never allocate
more than is on hand in any warehouse, and the parts add up to the stock rows.

Two real OS processes (tests/submit_race_worker.py, the protocol of the allocation race) share
one PostgreSQL database. Every round makes two fresh items with a little stock in each of two
warehouses, and two drafts whose lines may split over warehouses (the entry's F7 choice), with
their lines in opposite item order and together wanting more than there is; both workers submit
at the same monotonic instant. After each round, for every item and warehouse: allocated <= on
hand and allocated == the holding parts there; per item, all of the stock is allocated (split
lines take every warehouse's), and every line's parts add up to its quantity.
"""

import random
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from orderdesk_tui.models import (
    Address,
    Customer,
    Item,
    OrderLinePart,
    SalesOrderLine,
    StockLevel,
    Warehouse,
)
from orderdesk_tui.models.base import FreightTerms
from orderdesk_tui.models.line_part import HOLDING
from orderdesk_tui.services import drafts
from orderdesk_tui.store import Store
from tests.test_allocation_race import LEAD_NS, Worker

WORKER = Path(__file__).resolve().parent / "submit_race_worker.py"
ROUNDS = 12


@pytest.fixture
def pg_store(pg_store_url: str) -> Iterator[Store]:
    s = Store(pg_store_url)
    yield s
    s.dispose()


def _setup(
    store: Store, r: int, rng: random.Random, customer: int, warehouses: tuple[int, int]
) -> tuple[list[int], list[int], dict[int, int]]:
    """Two items stocked in both warehouses and two drafts over them; the drafts' ids, the
    items' ids and each item's total on hand."""
    totals: dict[int, int] = {}
    with store.session() as s:
        items = [
            Item(part_number=f"SPLIT-RACE-{r:02d}-{k}", description="raced", list_price=Decimal(1))
            for k in "XY"
        ]
        s.add_all(items)
        s.flush()
        for item in items:
            assert item.id is not None
            on_hand = [rng.randint(1, 6) for _ in warehouses]
            totals[item.id] = sum(on_hand)
            s.add_all(
                StockLevel(item_id=item.id, warehouse_id=wid, on_hand=Decimal(q))
                for wid, q in zip(warehouses, on_hand, strict=True)
            )
        ids = [item.id for item in items if item.id is not None]
    orders = []
    for n, sequence in enumerate((ids, ids[::-1])):
        order = drafts.create_draft(store, actor="setup", customer_id=customer)
        assert order.id is not None
        drafts.update_header(store, order.id, {"customer_po": f"SR{r}-{n}"}, actor="setup")
        for line_no, item_id in enumerate(sequence, 1):
            # each wants 1..all of it: together more than there is, one alone may take it all
            wanted = Decimal(rng.randint(totals[item_id] // 2 + 1, totals[item_id]))
            line = {"item_id": item_id, "quantity": wanted, "split_warehouses": True}
            drafts.save_line(store, order.id, line_no, line, actor="setup")
        orders.append(order.id)
    return orders, ids, totals


def _check(store: Store, items: list[int], totals: dict[int, int]) -> None:
    with store.session() as s:
        for item_id in items:
            stock = s.exec(select(StockLevel).where(StockLevel.item_id == item_id)).all()
            lines = s.exec(select(SalesOrderLine).where(SalesOrderLine.item_id == item_id)).all()
            parts = s.exec(
                select(OrderLinePart).where(col(OrderLinePart.line_id).in_([ln.id for ln in lines]))
            ).all()
            for row in stock:
                assert row.allocated <= row.on_hand, f"oversold item {item_id}: {row}"
                held = sum(
                    p.quantity
                    for p in parts
                    if p.warehouse_id == row.warehouse_id and p.state in HOLDING
                )
                assert held == row.allocated, f"parts {held} vs stock {row}"
            assert sum(row.allocated for row in stock) == totals[item_id]
            for line in lines:
                mine = [p for p in parts if p.line_id == line.id]
                assert sum(p.quantity for p in mine) == line.quantity
                assert line.quantity_allocated + line.quantity_backordered == line.quantity


def test_two_submits_of_split_lines_never_over_allocate(pg_store: Store) -> None:
    store = pg_store
    with store.session() as s:
        customer = Customer(
            code="SRACE",
            name="Split Race",
            credit_limit=Decimal(1_000_000),
            freight_terms=FreightTerms.COLLECT,
        )
        whs = (Warehouse(code="WH1", name="One"), Warehouse(code="WH2", name="Two"))
        s.add_all([customer, *whs])
        s.flush()
        assert customer.id is not None and whs[0].id and whs[1].id
        s.add(
            Address(
                customer_id=customer.id,
                code="MAIN",
                name="Split Race Dock",
                line1="1 Harbor Way",
                city="Portland",
                region="OR",
                postal_code="97201",
                is_default=True,
            )
        )
        customer_id, warehouses = customer.id, (whs[0].id, whs[1].id)
    rng = random.Random(20261208)
    workers: list[Worker] = []
    overlapped = 0
    started = time.perf_counter()
    try:
        workers = [Worker(store.url, str(n), WORKER, wait=False) for n in range(2)]
        for worker in workers:
            worker.wait_ready()
        for r in range(ROUNDS):
            orders, items, totals = _setup(store, r, rng, customer_id, warehouses)
            start = time.monotonic_ns() + LEAD_NS * 2
            for worker, order_id in zip(workers, orders[:: 1 if r % 2 else -1], strict=True):
                worker.send(order_id, start)
            replies = [w.reply() for w in workers]
            errors = [rep["error"] for rep in replies if "error" in rep]
            assert not errors, f"round {r}: {errors}"
            first, second = sorted(replies, key=lambda rep: rep["t0"])
            overlapped += second["t0"] < first["t1"]
            _check(store, items, totals)
    finally:
        for w in workers:
            w.close()
    print(f"\n{ROUNDS} rounds in {time.perf_counter() - started:.1f} s, {overlapped} overlapped")
    assert overlapped >= ROUNDS // 2, f"only {overlapped} of {ROUNDS} rounds overlapped"
