"""Orders to push: drafts built as the entry screen builds them, then `submit_order`, on a store
holding the demo data (so the same customers and parts exist in the seeded Tryton).

Shared by the fault tests and `bench/sync_throughput.py`.
"""

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, text, update
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.models import NumberSequence, SyncOutbox
from orderdesk_tui.services import drafts
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.store import Store

ACTOR = "alice"
T = TypeVar("T")

#: How often a draft write met "database is locked" and was repeated (see `_again`).
STALE_SNAPSHOT_RETRIES = 0


def _again(step: Callable[[], T]) -> T:
    """Run a draft step, counting any "database is locked" refusal (and repeating it).

    The draft services take the write lock up front (`store.immediate()`), so a commit by the
    sync engine in between can no longer make SQLite refuse them; the fault test asserts the
    count stays 0, which would catch a regression to deferred read-then-write transactions.
    """
    global STALE_SNAPSHOT_RETRIES
    for attempt in range(50):
        try:
            return step()
        except OperationalError as exc:
            if "database is locked" not in str(exc) or attempt == 49:
                raise
            STALE_SNAPSHOT_RETRIES += 1
            time.sleep(0.01)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Submitted:
    order_id: int
    number: str
    parts: tuple[str, ...]


def orderable(store: Store) -> tuple[list[int], list[tuple[int, str, str, str]]]:
    """Customers in good standing with a ship-to; plain stocked parts (no MOQ, licence, hazmat)."""
    with store.session() as session:
        conn = session.connection()
        customers = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT c.id FROM customers c WHERE c.active AND c.credit_status = 'ok' "
                    "AND EXISTS (SELECT 1 FROM addresses a WHERE a.customer_id = c.id "
                    "AND a.kind = 'ship_to' AND a.active) ORDER BY c.id"
                )
            )
        ]
        one = 1000 if store.is_sqlite else 1  # SQLite holds quantities as counts of 0.001
        items = [
            (row[0], row[1], row[2], row[3])
            for row in conn.execute(
                text(
                    "SELECT id, part_number, description, uom FROM items "
                    "WHERE status = 'active' AND moq = :one AND order_multiple = :one "
                    "AND hazmat_un_number = '' AND eccn = 'EAR99' AND NOT fractional_uom "
                    "ORDER BY id"
                ),
                {"one": one},
            )
        ]
    return customers, items


def submit_orders(
    store: Store,
    count: int,
    *,
    seed: int = 1,
    lines: int = 2,
    prefix: str = "SYNC",
    parts: list[str] | None = None,
    customer_codes: list[str] | None = None,
) -> list[Submitted]:
    """Enter and submit `count` orders (each enqueues its push_order in the submit), for the
    given customers and parts (codes) or any orderable ones."""
    rng = random.Random(seed)
    settings = Settings()
    customers, items = orderable(store)
    if parts:
        items = [i for i in items if i[1] in parts]
    if customer_codes:
        with store.session() as session:
            rows = session.connection().execute(
                text("SELECT id, code FROM customers"),
            )
            wanted = {code: cid for cid, code in rows if code in customer_codes}
        customers = [wanted[c] for c in customer_codes]
    out: list[Submitted] = []
    for k in range(count):
        customer_id = customers[k % len(customers)]
        order = _again(lambda c=customer_id: drafts.create_draft(store, actor=ACTOR, customer_id=c))
        order_id = order.id
        assert order_id is not None
        header = {"customer_po": f"{prefix}-{seed}-{k}"}
        _again(lambda o=order_id, h=header: drafts.update_header(store, o, h, actor=ACTOR))
        chosen = rng.sample(items, min(lines, len(items)))
        for n, (item_id, part, description, uom) in enumerate(chosen, 1):
            values = {
                "item_id": item_id,
                "part_number": part,
                "description": description,
                "uom": uom,
                "quantity": Decimal(rng.randint(1, 5)),
            }
            _again(lambda o=order_id, n=n, v=values: drafts.save_line(store, o, n, v, actor=ACTOR))
        result = _again(lambda o=order_id: submit_order(store, o, actor=ACTOR, settings=settings))
        out.append(Submitted(result.order_id, result.number, tuple(c[1] for c in chosen)))
    return out


def unique_order_numbers(store: Store) -> str:
    """Orders numbered with a prefix of their own, so this run's sales are counted apart
    from every other test's in the shared Tryton."""
    prefix = f"Z{uuid.uuid4().hex[:5].upper()}-"
    with store.session() as session:
        changed = session.execute(
            update(NumberSequence).where(col(NumberSequence.name) == "order").values(prefix=prefix)
        )
        assert changed.rowcount == 1  # type: ignore[attr-defined]
    return prefix


def outbox_mark(store: Store) -> int:
    """The newest outbox entry's id: entries after it are the ones a test's own orders made
    (the demo keeps an ERP-refused push of its own)."""
    with store.session() as session:
        return int(session.exec(select(func.coalesce(func.max(SyncOutbox.id), 0))).one())


def outbox_after(store: Store, mark: int) -> list[SyncOutbox]:
    """The outbox entries written after `mark` (see outbox_mark), oldest first."""
    with store.session() as session:
        return list(
            session.exec(
                select(SyncOutbox).where(col(SyncOutbox.id) > mark).order_by(col(SyncOutbox.id))
            )
        )
