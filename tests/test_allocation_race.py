"""Two terminals allocating the last units at the same instant never oversell.

Two real OS processes (tests/allocation_race_worker.py) share one store, a SQLite file or a
PostgreSQL database. Every round makes two fresh items with a little stock in one warehouse and
two draft orders that both want more than there is, with their lines in opposite item order
(so that row locks taken in line order would deadlock); both workers are told to allocate at
the same monotonic instant. After each round: allocated <= on hand, allocated is exactly
min(on hand, both orders' quantities), and the lines add up to the stock levels. 200 rounds per
store; the workers are started once and reused.
"""

import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import select

from orderdesk_tui.models import Customer, Item, SalesOrder, SalesOrderLine, StockLevel, Warehouse
from orderdesk_tui.store import Store

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "allocation_race_worker.py"
ROUNDS = 200
#: How far ahead of "now" both workers are told to start (both get the command before it).
LEAD_NS = 15_000_000


class Worker:
    """One worker process (`script`: allocation_race_worker.py, or another of its protocol)."""

    def __init__(self, url: str, name: str, script: Path = WORKER, *, wait: bool = True) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, str(script), url, name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            cwd=ROOT,
            env=env,
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.name = name
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        ready = self.stdout.readline().strip()
        assert ready == "ready", f"worker {self.name} did not start: {ready!r}"

    def send(self, order_id: int, start_ns: int) -> None:
        self.stdin.write(f"{order_id} {start_ns}\n")
        self.stdin.flush()

    def reply(self) -> dict[str, Any]:
        line = self.stdout.readline()
        assert line, "worker died"
        return json.loads(line)  # type: ignore[no-any-return]

    def close(self) -> None:
        try:
            self.stdin.write("quit\n")
            self.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


@dataclass
class Round:
    orders: tuple[int, int]
    items: tuple[int, int]
    on_hand: tuple[int, int]
    #: per order, per item
    wanted: tuple[tuple[int, int], tuple[int, int]]


def _setup(store: Store, r: int, rng: random.Random, customer: int, warehouse: int) -> Round:
    on_hand = (rng.randint(1, 8), rng.randint(1, 8))
    # each order wants 1..on hand of each item; together always more than there is
    a = (rng.randint(1, on_hand[0]), rng.randint(1, on_hand[1]))
    b = (on_hand[0] - a[0] + rng.randint(1, 4), on_hand[1] - a[1] + rng.randint(1, 4))
    with store.session() as s:
        items = [Item(part_number=f"RACE-{r:03d}-{k}", description="raced") for k in "XY"]
        s.add_all(items)
        s.flush()
        x, y = (i.id for i in items)
        assert x and y
        s.add_all(
            [
                StockLevel(item_id=x, warehouse_id=warehouse, on_hand=Decimal(on_hand[0])),
                StockLevel(item_id=y, warehouse_id=warehouse, on_hand=Decimal(on_hand[1])),
            ]
        )
        orders = []
        for name, wanted, sequence in (("A", a, (0, 1)), ("B", b, (1, 0))):
            so = SalesOrder(number=f"R{r:03d}{name}", customer_id=customer)
            s.add(so)
            s.flush()
            assert so.id
            for line_no, k in enumerate(sequence, 1):
                s.add(
                    SalesOrderLine(
                        order_id=so.id,
                        line_no=line_no,
                        item_id=(x, y)[k],
                        quantity=Decimal(wanted[k]),
                    )
                )
            orders.append(so.id)
    return Round((orders[0], orders[1]), (x, y), on_hand, (a, b))


def _check(store: Store, rnd: Round) -> None:
    with store.session() as s:
        for k, item_id in enumerate(rnd.items):
            stock = s.exec(select(StockLevel).where(StockLevel.item_id == item_id)).one()
            lines = s.exec(select(SalesOrderLine).where(SalesOrderLine.item_id == item_id)).all()
            wanted = rnd.wanted[0][k] + rnd.wanted[1][k]
            assert stock.on_hand == rnd.on_hand[k]
            assert stock.allocated <= stock.on_hand, f"oversold item {item_id}: {stock}"
            assert stock.allocated == min(stock.on_hand, wanted)
            assert sum(line.quantity_allocated for line in lines) == stock.allocated
            for line in lines:
                assert line.quantity_allocated + line.quantity_backordered == line.quantity


def test_two_processes_never_oversell(store: Store) -> None:
    rounds = ROUNDS
    with store.session() as s:
        customer = Customer(code="RACE", name="Race Customer")
        warehouse = Warehouse(code="MAIN", name="Main DC")
        s.add_all([customer, warehouse])
        s.flush()
        assert customer.id and warehouse.id
        customer_id, warehouse_id = customer.id, warehouse.id
    workers: list[Worker] = []
    rng = random.Random(20260302)
    overlapped = 0
    started = time.perf_counter()
    try:
        workers.append(Worker(store.url, "1"))
        workers.append(Worker(store.url, "2"))
        for r in range(rounds):
            rnd = _setup(store, r, rng, customer_id, warehouse_id)
            order_a, order_b = rnd.orders if r % 2 else rnd.orders[::-1]
            start = time.monotonic_ns() + LEAD_NS
            workers[0].send(order_a, start)
            workers[1].send(order_b, start)
            replies = [w.reply() for w in workers]
            errors = [rep["error"] for rep in replies if "error" in rep]
            assert not errors, f"round {r}: {errors}"
            first, second = sorted(replies, key=lambda rep: rep["t0"])
            overlapped += second["t0"] < first["t1"]
            _check(store, rnd)
    finally:
        for w in workers:
            w.close()
    elapsed = time.perf_counter() - started
    print(
        f"\n{store.url.split(':')[0]}: {rounds} rounds in {elapsed:.1f} s, {overlapped} overlapped"
    )
    # the calls really ran at the same time (not one after the other) in most rounds
    assert overlapped >= rounds // 2, f"only {overlapped} of {rounds} rounds overlapped"
