"""Terminals submitting orders of one customer at the same instant never go past its credit
limit between them (issue 13: on PostgreSQL 8 simultaneous submits let 5 orders through
against headroom for 2).

N real OS processes (tests/submit_race_worker.py) share one store, a SQLite file or a
PostgreSQL database. Every round makes a fresh customer with a credit limit and N drafts, each
of them within the limit alone but not all together, and every worker submits one at the same
monotonic instant. After each round the orders entered without a credit hold add up to no more
than the limit, and exactly as many got through as fit one after the other: the credit check
serializes per customer. The same holds for the duplicate-PO check, which reads the same
customer's orders: two drafts of every round carry the same PO, and one of the two is refused.
"""

import time
from decimal import Decimal
from pathlib import Path

from sqlmodel import col, select

from orderdesk_tui.models import Address, Customer, Hold, Item, SalesOrder
from orderdesk_tui.models.base import FreightTerms, HoldKind, OrderState
from orderdesk_tui.services import drafts
from orderdesk_tui.store import Store
from tests.test_allocation_race import LEAD_NS, Worker

WORKER = Path(__file__).resolve().parent / "submit_race_worker.py"
PROCESSES = 6
ROUNDS = 2
LIMIT = Decimal("1000.00")
#: Each order: 3 x 110.00 = 330.00 (freight collect, an untaxed region): three fit, not six.
QUANTITY, PRICE = Decimal(3), Decimal("110.00")


def _setup(store: Store, r: int, item_id: int) -> list[int]:
    """A customer with LIMIT of credit and PROCESSES drafts for it; returns the drafts' ids."""
    with store.session() as s:
        customer = Customer(
            code=f"CR{r:02d}",
            name=f"Credit Race {r}",
            credit_limit=LIMIT,
            freight_terms=FreightTerms.COLLECT,
        )
        s.add(customer)
        s.flush()
        assert customer.id is not None
        s.add(
            Address(
                customer_id=customer.id,
                code="MAIN",
                name="Credit Race Dock",
                line1="1 Harbor Way",
                city="Portland",
                region="OR",
                postal_code="97201",
                is_default=True,
            )
        )
        customer_id = customer.id
    orders = []
    for n in range(PROCESSES):
        order = drafts.create_draft(store, actor="setup", customer_id=customer_id)
        assert order.id is not None
        po = f"R{r}-{max(n, 1)}"  # the first two share a PO
        drafts.update_header(store, order.id, {"customer_po": po}, actor="setup")
        line = {"item_id": item_id, "quantity": QUANTITY}
        drafts.save_line(store, order.id, 1, line, actor="setup")
        orders.append(order.id)
    return orders


def _unheld_total(store: Store, orders: list[int]) -> tuple[Decimal, int, Decimal]:
    """The total of the orders entered without a credit hold, their count, one order's total."""
    with store.session() as s:
        rows = s.exec(select(SalesOrder).where(col(SalesOrder.id).in_(orders))).all()
        held = set(
            s.exec(
                select(Hold.order_id).where(
                    col(Hold.order_id).in_(orders), Hold.kind == HoldKind.CREDIT
                )
            ).all()
        )
    assert all(o.state != OrderState.DRAFT for o in rows)
    free = [o for o in rows if o.id not in held]
    assert len({o.total for o in rows}) == 1
    return sum((o.total for o in free), Decimal(0)), len(free), rows[0].total


def test_simultaneous_submits_never_exceed_the_credit_headroom(store: Store) -> None:
    with store.session() as s:
        item = Item(part_number="RACE-CREDIT", description="raced", list_price=PRICE)
        s.add(item)
        s.flush()
        assert item.id is not None
        item_id = item.id
    started = time.perf_counter()
    workers: list[Worker] = []
    overlapped = 0
    try:
        workers = [Worker(store.url, str(n), WORKER, wait=False) for n in range(PROCESSES)]
        for worker in workers:  # started together: their imports overlap
            worker.wait_ready()
        print(f"\nworkers ready in {time.perf_counter() - started:.1f} s", end="")
        for r in range(ROUNDS):
            orders = _setup(store, r, item_id)
            start = time.monotonic_ns() + LEAD_NS * PROCESSES
            for worker, order_id in zip(workers, orders, strict=True):
                worker.send(order_id, start)
            replies = [w.reply() for w in workers]
            errors = [rep["error"] for rep in replies if "error" in rep]
            assert len(errors) == 1 and f"PO R{r}-1 is already on order" in errors[0], errors
            entered = [rep["order"] for rep in replies if "error" not in rep]
            first_end = min(rep["t1"] for rep in replies)
            overlapped += sum(rep["t0"] < first_end for rep in replies) > 1
            unheld, count, each = _unheld_total(store, entered)
            fit = int(LIMIT // each)
            assert 0 < fit < len(entered), f"the round must be a race ({each} each)"
            assert unheld <= LIMIT, f"round {r}: {count} orders ({unheld}) against {LIMIT}"
            assert count == fit, f"round {r}: {count} orders got through, {fit} fit"
    finally:
        for w in workers:
            w.close()
    elapsed = time.perf_counter() - started
    print(f"\n{store.url.split(':')[0]}: {PROCESSES} processes, {ROUNDS} rounds in {elapsed:.1f} s")
    assert overlapped == ROUNDS, f"only {overlapped} of {ROUNDS} rounds ran at the same time"
