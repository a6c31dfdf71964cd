"""`seed_scale`: the generated benchmark data set on SQLite and PostgreSQL.

Same N, seed and today give the same rows; the counts follow N; the rows agree with each other
(totals, quantities, stock allocations, states and their timestamps, holds); money reads back as
exact Decimal through the ORM; the FTS search finds seeded parts and keeps working afterwards;
and a store that already holds data is refused.
"""

import re
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from orderdesk_tui.errors import StoreError
from orderdesk_tui.models import (
    Address,
    Contact,
    Customer,
    Hold,
    Item,
    NumberSequence,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    Warehouse,
)
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.seed.scale import seed_scale
from orderdesk_tui.seed.scale.layout import SEARCHED
from orderdesk_tui.seed.scale.summary import ScaleSummary
from orderdesk_tui.services.numbering import next_number
from orderdesk_tui.store import Store

N = 2000
TODAY = date(2026, 11, 27)
AS_OF = datetime.combine(TODAY, time(22, 0), tzinfo=UTC)
COMPARED = ("items", "customers", "addresses", "sales_orders", "sales_order_lines", "holds")
ORM_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")


def _sqlite(tmp_path: Path, name: str) -> Store:
    store = Store(f"sqlite:///{tmp_path / name}")
    store.upgrade()
    return store


def _seeded(tmp_path: Path, name: str, **kw: Any) -> tuple[Store, ScaleSummary]:
    store = _sqlite(tmp_path, name)
    summary = seed_scale(store, kw.pop("n", N), today=kw.pop("today", TODAY), **kw)
    return store, summary


def _dump(store: Store, table: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One SQLite store seeded with N = 2000, shared by the read-only checks below."""
    store, summary = _seeded(tmp_path_factory.mktemp("seeded"), "scale.sqlite3")
    yield store, summary
    store.dispose()


# -- determinism ---------------------------------------------------------------------------


def test_same_seed_and_today_give_identical_rows(tmp_path: Path) -> None:
    first, _ = _seeded(tmp_path, "a.sqlite3")
    second, _ = _seeded(tmp_path, "b.sqlite3")
    other, _ = _seeded(tmp_path, "c.sqlite3", rng_seed=2)
    try:
        for table in COMPARED:
            assert _dump(first, table) == _dump(second, table), table
        differing = [t for t in COMPARED if _dump(first, t) != _dump(other, t)]
        assert set(differing) >= {"items", "customers", "sales_orders", "sales_order_lines"}
    finally:
        for store in (first, second, other):
            store.dispose()


def test_dates_follow_today(tmp_path: Path) -> None:
    store, _ = _seeded(tmp_path, "later.sqlite3", today=date(2027, 3, 15))
    try:
        with store.session() as session:
            newest = session.exec(select(func.max(SalesOrder.received_at))).one()
            oldest = session.exec(select(func.min(SalesOrder.received_at))).one()
        assert newest is not None and oldest is not None
        newest = newest.replace(tzinfo=UTC) if newest.tzinfo is None else newest
        oldest = oldest.replace(tzinfo=UTC) if oldest.tzinfo is None else oldest
        assert date(2027, 3, 8) <= newest.date() <= date(2027, 3, 15)
        assert oldest.date() >= date(2025, 3, 14)
    finally:
        store.dispose()


# -- counts and consistency --------------------------------------------------------------------


def test_counts_follow_n(seeded: Any) -> None:
    store, summary = seeded
    with store.session() as session:

        def count(model: Any) -> int:
            return int(session.exec(select(func.count()).select_from(model)).one())

        assert count(Item) == summary.items == N
        assert count(Customer) == summary.customers == N // 10
        assert count(SalesOrderLine) == summary.order_lines == N
        assert count(Warehouse) == summary.warehouses == 3
        assert count(Contact) == summary.contacts == N // 10
        assert count(Address) == summary.addresses
        assert count(StockLevel) == summary.stock_levels
        assert count(Hold) == summary.holds
        orders = count(SalesOrder)
        assert orders == summary.orders
        assert N / 6 < orders < N / 4  # about five lines an order
        assert N <= summary.stock_levels <= 3 * N
        per_customer = Counter(
            (row.customer_id, row.kind) for row in session.exec(select(Address)).all()
        )
        for customer_id in range(1, N // 10 + 1):
            assert per_customer[(customer_id, "bill_to")] == 1
            assert 1 <= per_customer[(customer_id, "ship_to")] <= 3


def test_codes_are_unique_and_numbers_continue(seeded: Any, tmp_path: Path) -> None:
    store, summary = seeded
    with store.session() as session:
        parts = session.exec(select(Item.part_number)).all()
        codes = session.exec(select(Customer.code)).all()
        numbers = session.exec(select(SalesOrder.number).order_by(SalesOrder.id)).all()
        seq = session.get(NumberSequence, "order")
    assert len(set(parts)) == len(parts)
    assert all(re.fullmatch(r"[A-Z]{3}-\d{7}(-[A-Z0-9]+)?", p) for p in parts)
    assert codes == [f"C{i:06d}" for i in range(1, N // 10 + 1)]
    assert numbers == [f"SO{i:07d}" for i in range(1, summary.orders + 1)]
    assert seq is not None and seq.next_value == summary.orders + 1
    # a copy, so that drawing a number leaves the shared store as seeded
    copy, _ = _seeded(tmp_path, "numbers.sqlite3")
    try:
        with copy.session() as session:
            assert next_number(session, "order") == f"SO{summary.orders + 1:07d}"
    finally:
        copy.dispose()


def test_orders_add_up_and_agree_with_their_lines(seeded: Any) -> None:
    store, _ = seeded
    with store.session() as session:
        orders = {o.id: o for o in session.exec(select(SalesOrder)).all()}
        lines = session.exec(select(SalesOrderLine)).all()
        holds = session.exec(select(Hold)).all()
        stock = session.exec(select(StockLevel)).all()
    by_order: dict[int, list[SalesOrderLine]] = {}
    for line in lines:
        by_order.setdefault(line.order_id, []).append(line)
    allocated: Counter[tuple[int | None, int | None]] = Counter()
    states = Counter(o.state for o in orders.values())
    assert states[OrderState.CLOSED] > states[OrderState.RELEASED] > 0
    for order_id, order in orders.items():
        mine = by_order[order_id]
        assert [ln.line_no for ln in mine] == list(range(1, len(mine) + 1))
        assert order.subtotal == sum(ln.extended for ln in mine)
        assert order.total == order.subtotal + order.freight + order.tax
        assert order.received_at is not None and order.received_at <= AS_OF
        assert order.created_at <= order.updated_at <= AS_OF
        for ln in mine:
            cents = (ln.quantity * ln.unit_price).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert ln.extended == cents
            assert ln.unit_price <= ln.list_price
            open_qty = ln.quantity_allocated + ln.quantity_backordered
            assert ln.quantity_shipped + ln.quantity_cancelled + open_qty in (ln.quantity, 0)
            allocated[(ln.item_id, ln.warehouse_id)] += ln.quantity_allocated
        shipped = [ln for ln in mine if ln.quantity_shipped]
        state = order.state
        if state in (OrderState.SHIPPED, OrderState.INVOICED, OrderState.CLOSED):
            assert len(shipped) == len(mine) and order.shipped_at is not None
        elif state == OrderState.PARTIALLY_SHIPPED:
            assert 0 < len(shipped) < len(mine) and order.shipped_at is not None
        else:
            assert not shipped and order.shipped_at is None
        if state == OrderState.CANCELLED:
            assert order.cancelled_at is not None and order.cancel_reason
            assert all(ln.quantity_cancelled == ln.quantity for ln in mine)
        if state == OrderState.DRAFT:
            assert order.entered_at is None
        else:
            assert order.entered_at is not None and order.received_at <= order.entered_at
        if state in (OrderState.INVOICED, OrderState.CLOSED):
            assert order.invoiced_at is not None and order.shipped_at is not None
            assert order.shipped_at < order.invoiced_at <= AS_OF
        if state == OrderState.CLOSED:
            assert order.closed_at is not None and order.invoiced_at < order.closed_at
        if order.acknowledged_at is not None:
            assert order.first_promised_date is not None
            assert order.last_promised_date is not None
            assert order.first_promised_date <= order.last_promised_date
    open_holds = {h.order_id for h in holds if h.released_at is None}
    on_hold = {i for i, o in orders.items() if o.state == OrderState.ON_HOLD}
    assert open_holds == on_hold
    for level in stock:
        assert 0 <= level.allocated <= level.on_hand
        assert level.allocated == allocated.pop((level.item_id, level.warehouse_id), 0)
    assert not +allocated  # no allocation outside a stock level


# -- storage forms and the ORM -------------------------------------------------------------------


def test_orm_reads_exact_decimals_and_aware_times(seeded: Any) -> None:
    store, _ = seeded
    raw = sqlite3.connect(store.engine.url.database)
    try:
        item_id, price, cost, moq = raw.execute(
            "SELECT id, list_price, cost, moq FROM items WHERE list_price % 100 != 0 LIMIT 1"
        ).fetchone()
        line_id, qty, extended, disc = raw.execute(
            "SELECT id, quantity, extended, discount_percent FROM sales_order_lines "
            "WHERE discount_percent > 0 LIMIT 1"
        ).fetchone()
        (received,) = raw.execute("SELECT received_at FROM sales_orders LIMIT 1").fetchone()
    finally:
        raw.close()
    assert all(isinstance(v, int) for v in (price, cost, moq, qty, extended, disc))
    assert ORM_TIMESTAMP.match(received)
    with store.session() as session:
        item = session.get(Item, item_id)
        line = session.get(SalesOrderLine, line_id)
        order = session.get(SalesOrder, 1)
        customer = session.get(Customer, 1)
    assert item is not None and line is not None and order is not None and customer is not None
    assert item.list_price == Decimal(price) / 10_000 and item.list_price.as_tuple().exponent == -4
    assert item.cost == Decimal(cost) / 10_000
    assert item.moq == Decimal(moq) / 1000
    assert line.quantity == Decimal(qty) / 1000 and line.quantity.as_tuple().exponent == -3
    assert line.extended == Decimal(extended) / 100
    assert line.discount_percent == Decimal(disc) / 100
    assert isinstance(customer.credit_limit, Decimal) and customer.credit_limit > 0
    assert order.received_at is not None and order.received_at.tzinfo is not None
    assert order.received_at.strftime("%Y-%m-%d %H:%M:%S.%f") == received


def test_raw_timestamps_match_what_the_orm_writes(tmp_path: Path) -> None:
    store, _ = _seeded(tmp_path, "ts.sqlite3", n=100)
    try:
        with store.session() as session:
            session.add(Customer(code="ORM1", name="Written by the ORM"))
        raw = sqlite3.connect(store.engine.url.database)
        try:
            rows = raw.execute(
                "SELECT code, created_at, typeof(credit_limit) FROM customers "
                "WHERE code IN ('ORM1', 'C000001')"
            ).fetchall()
        finally:
            raw.close()
        assert len(rows) == 2
        for _code, created, kind in rows:
            assert ORM_TIMESTAMP.match(created) and kind == "integer"
    finally:
        store.dispose()


# -- search ---------------------------------------------------------------------------------


def _fts(store: Store, table: str, needle: str) -> set[int]:
    phrase = '"' + needle.replace('"', '""') + '"'
    with store.engine.connect() as conn:
        found = conn.execute(
            text(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :q"), {"q": phrase}
        )
        return {row[0] for row in found}


def test_fts_finds_seeded_parts_and_customers(seeded: Any) -> None:
    store, _ = seeded
    with store.session() as session:
        item = session.get(Item, 1234)
        customer = session.get(Customer, 77)
    assert item is not None and customer is not None
    assert item.id in _fts(store, "items", item.part_number[2:9].lower())
    words = item.description.split(",")[0]
    assert item.id in _fts(store, "items", words[len(words) // 2 - 2 :].upper())
    assert customer.id in _fts(store, "customers", customer.name[1:8])
    assert customer.id in _fts(store, "customers", customer.code)


def test_search_triggers_are_restored_exactly(tmp_path: Path) -> None:
    fresh = _sqlite(tmp_path, "fresh.sqlite3")
    store, _ = _seeded(tmp_path, "seeded.sqlite3", n=200)
    query = (
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE type IN ('trigger', 'index', 'table') ORDER BY type, name"
    )
    try:
        with fresh.engine.connect() as a, store.engine.connect() as b:
            assert a.execute(text(query)).all() == b.execute(text(query)).all()
        # and they work: a part added afterwards is found, a renamed one under its new name
        with store.session() as session:
            session.add(Item(part_number="ZZQ-NEW-1", description="Frobnicator wrench"))
            item = session.get(Item, 5)
            assert item is not None
            item.description = "Quuxinator gauge"
        assert len(_fts(store, "items", "frobnicator")) == 1
        assert _fts(store, "items", "quuxinator") == {5}
        with store.engine.connect() as conn:
            check = "INSERT INTO items_fts(items_fts, rank) VALUES('integrity-check', 1)"
            conn.execute(text(check))
    finally:
        fresh.dispose()
        store.dispose()


# -- refusals ---------------------------------------------------------------------------------


def test_refuses_a_store_with_items(tmp_path: Path) -> None:
    store = _sqlite(tmp_path, "busy.sqlite3")
    try:
        with store.session() as session:
            session.add(Item(part_number="OWN-1", description="Already here"))
        triggers_sql = "SELECT count(*) FROM sqlite_master WHERE type='trigger'"
        with store.engine.connect() as conn:  # FTS (insert, update, delete each) and queue feed
            triggers_before = conn.execute(text(triggers_sql)).scalar()
        assert triggers_before is not None and triggers_before >= 3 * len(SEARCHED)
        with pytest.raises(StoreError, match="already has data") as info:
            seed_scale(store, 100, today=TODAY)
        assert "\n" not in str(info.value)
        with store.session() as session:
            assert session.exec(select(func.count()).select_from(Item)).one() == 1
            assert session.exec(select(func.count()).select_from(Customer)).one() == 0
        with store.engine.connect() as conn:  # the load's trigger drop was rolled back
            assert conn.execute(text(triggers_sql)).scalar() == triggers_before
    finally:
        store.dispose()


def test_refuses_a_second_seed_and_a_tiny_n(tmp_path: Path) -> None:
    store, _ = _seeded(tmp_path, "twice.sqlite3", n=50)
    try:
        with pytest.raises(StoreError, match="already has data"):
            seed_scale(store, 50, today=TODAY)
        with pytest.raises(StoreError, match="N >= 10"):
            seed_scale(store, 9, today=TODAY)
    finally:
        store.dispose()


# -- PostgreSQL ---------------------------------------------------------------------------------


def _orm_rows(store: Store, model: Any) -> list[dict[str, Any]]:
    with store.session() as session:
        return [row.model_dump() for row in session.exec(select(model).order_by(model.id))]


PG_SCHEMA = (
    "SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
    "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace "
    "UNION ALL SELECT 'index', tablename, indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = current_schema() ORDER BY 1, 2, 3"
)


def test_postgresql_holds_the_same_data_set(pg_database: str, seeded: Any) -> None:
    sqlite_store, sqlite_summary = seeded
    store = Store(pg_database)
    try:
        store.upgrade()
        with store.engine.connect() as conn:
            schema_before = conn.execute(text(PG_SCHEMA)).all()
        summary = seed_scale(store, N, today=TODAY)
        with store.engine.connect() as conn:  # indexes and foreign keys are back, unchanged
            assert conn.execute(text(PG_SCHEMA)).all() == schema_before
        assert (summary.items, summary.customers, summary.order_lines) == (N, N // 10, N)
        assert str(summary) == str(sqlite_summary)
        with store.session() as session:
            assert session.exec(select(func.count()).select_from(SalesOrderLine)).one() == N
            item = session.get(Item, 1)
            line = session.get(SalesOrderLine, 2)
            assert item is not None and isinstance(item.list_price, Decimal)
            assert line is not None and isinstance(line.extended, Decimal)
            assert item.list_price.as_tuple().exponent == -4
        # the ORM reads the same values from both stores
        for model in (Item, Customer, SalesOrder, SalesOrderLine, StockLevel, Hold):
            assert _orm_rows(store, model) == _orm_rows(sqlite_store, model), model.__name__
        # serials moved past the seeded ids; numbering continues
        with store.session() as session:
            session.add(Item(part_number="PG-NEW-1", description="After the seed"))
            session.flush()
            new = session.exec(select(Item).where(Item.part_number == "PG-NEW-1")).one()
            assert new.id == N + 1
            assert next_number(session, "order") == f"SO{summary.orders + 1:07d}"
        assert any(row[2] == "ix_items_description_trgm" for row in schema_before)
        with pytest.raises(StoreError, match="already has data"):
            seed_scale(store, N, today=TODAY)
    finally:
        store.dispose()
