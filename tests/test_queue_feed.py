"""The queue's change feed (migration 0009) on both stores: a refresh reads again only the
orders that changed since the last read, whoever wrote them and however (plain SQL included),
and misses nothing a slow transaction commits after the read started."""

from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import CompoundSelect, Connection, text
from sqlmodel import select

from orderdesk_tui.domain.queue_items import Subject
from orderdesk_tui.models import Customer
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services import queue_reads
from orderdesk_tui.services.queue import QueueReader
from orderdesk_tui.store import Store
from tests.test_queue_service import NOW, SLA, _order, _world


def _read(reader: QueueReader, seconds: int) -> dict[tuple[Subject, int], Any]:
    return {i.key: i for i in reader.read(NOW + timedelta(seconds=seconds)).items}


def _orders_read(monkeypatch: pytest.MonkeyPatch, reader: QueueReader, seconds: int) -> set[int]:
    """The ids of the order rows a refresh fetched (the orders read is the one UNION)."""
    fetched: set[int] = set()
    raw = queue_reads._raw

    def counting(conn: Connection, stmt: Any) -> list[tuple[Any, ...]]:
        rows = raw(conn, stmt)
        if isinstance(stmt, CompoundSelect):
            fetched.update(row[0] for row in rows)
        return rows

    with monkeypatch.context() as patch:
        patch.setattr(queue_reads, "_raw", counting)
        _read(reader, seconds)
    return fetched


def test_a_refresh_reads_only_the_orders_changed_since(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _world(store)
    reader = QueueReader(store, SLA)
    first = _read(reader, 0)
    everything = _orders_read(monkeypatch, QueueReader(store, SLA), 0)
    assert {key[1] for key in first if key[0] == Subject.ORDER} <= everything
    assert _orders_read(monkeypatch, reader, 1) == set()  # nothing changed: no order read
    with store.engine.begin() as conn:  # written behind the app's back: the triggers see it
        conn.execute(
            text("UPDATE sales_orders SET priority = 'rush' WHERE id = :id"),
            {"id": world.ids["held"]},
        )
    assert _orders_read(monkeypatch, reader, 2) == {world.ids["held"]}
    held = _read(reader, 3)[(Subject.ORDER, world.ids["held"])]
    assert held.rush and "RUSH" in held.reason_text
    assert len(_read(reader, 4)) == len(first)


def test_holds_backorder_promises_states_and_customers_reach_a_refresh(store: Store) -> None:
    world = _world(store)
    reader = QueueReader(store, SLA)
    first = _read(reader, 0)
    held = (Subject.ORDER, world.ids["held"])
    backorder = (Subject.ORDER, world.ids["backorder"])
    on_time = [k for k, i in first.items() if i.number == "SO0000007"]
    assert on_time == []  # its backorder is promised for next week
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM holds WHERE id = :id"), {"id": world.ids["credit"]})
        conn.execute(
            text(
                "UPDATE sales_order_lines SET last_promised_date = '2026-11-20' "
                "WHERE order_id = (SELECT id FROM sales_orders WHERE number = 'SO0000007')"
            )
        )
        conn.execute(
            text("UPDATE sales_order_lines SET quantity_backordered = 0 WHERE order_id = :id"),
            {"id": world.ids["backorder"]},
        )
        conn.execute(
            text(
                "INSERT INTO queue_states (subject, subject_id, assignee, snoozed_by, "
                "escalated_by, escalation_reason, updated_at, version) "
                "VALUES ('order', :id, 'bob', '', '', '', CURRENT_TIMESTAMP, 1)"
            ),
            {"id": world.ids["draft"]},
        )
        conn.execute(text("UPDATE customers SET name = 'Acme Renamed' WHERE code = 'ACME01'"))
    after = _read(reader, 5)
    assert after[held].reason_text == "stock hold"
    assert backorder not in after  # nothing backordered any more
    assert [i.number for i in after.values() if i.number == "SO0000007"] == ["SO0000007"]
    assert after[(Subject.ORDER, world.ids["draft"])].assignee == "bob"
    acme = [i for i in after.values() if i.customer_code == "ACME01"]
    assert acme and all(i.customer_name == "Acme Renamed" for i in acme)
    fresh = {i.key: i for i in QueueReader(store, SLA).read(NOW + timedelta(seconds=5)).items}
    assert {k: (i.reason_text, i.assignee, i.customer_name) for k, i in after.items()} == {
        k: (i.reason_text, i.assignee, i.customer_name) for k, i in fresh.items()
    }


def test_a_change_committed_after_a_read_began_is_read_next_time(store: Store) -> None:
    """A writer that changed an order before the read but commits after it: on PostgreSQL its
    feed row may carry an older sequence number than rows the read saw; it must not be
    skipped."""
    world = _world(store)
    reader = QueueReader(store, SLA)
    _read(reader, 0)
    slow = store.engine.connect()
    try:
        if not store.is_sqlite:  # SQLite has one writer at a time: nothing to interleave
            slow.begin()
            slow.execute(
                text("UPDATE sales_orders SET priority = 'rush' WHERE id = :id"),
                {"id": world.ids["fresh"]},
            )
        with store.engine.begin() as conn:  # a quicker writer commits first
            conn.execute(
                text("UPDATE sales_orders SET priority = 'rush' WHERE id = :id"),
                {"id": world.ids["held"]},
            )
        middle = _read(reader, 1)
        assert middle[(Subject.ORDER, world.ids["held"])].rush
        if not store.is_sqlite:
            assert (Subject.ORDER, world.ids["fresh"]) not in middle
            slow.commit()
            assert _read(reader, 2)[(Subject.ORDER, world.ids["fresh"])].rush
    finally:
        slow.close()


def test_an_order_leaving_the_queue_leaves_on_a_refresh(store: Store) -> None:
    world = _world(store)
    reader = QueueReader(store, SLA)
    assert (Subject.ORDER, world.ids["draft"]) in _read(reader, 0)
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE sales_orders SET state = 'cancelled' WHERE id = :id"),
            {"id": world.ids["draft"]},
        )
    assert (Subject.ORDER, world.ids["draft"]) not in _read(reader, 1)


def test_a_refreshed_queue_is_in_the_order_a_whole_read_gives(store: Store) -> None:
    """Items changed in place, added and gone between reads land where sorting every item
    would put them."""
    world = _world(store)
    reader = QueueReader(store, SLA)
    first = [i.key for i in reader.read(NOW).items]
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE sales_orders SET total = 99000 WHERE id = :id"), {"id": world.ids["held"]}
        )
        conn.execute(
            text("UPDATE sales_orders SET priority = 'rush' WHERE id = :id"),
            {"id": world.ids["backorder"]},
        )
        conn.execute(
            text("UPDATE sales_orders SET state = 'cancelled' WHERE id = :id"),
            {"id": world.ids["late"]},
        )
    with store.session() as session:
        acme = session.exec(select(Customer).where(Customer.code == "ACME01")).one()
        _order(session, acme, "SO0000099", OrderState.DRAFT, "10.00", received_at=NOW)
    refreshed = [i.key for i in reader.read(NOW + timedelta(seconds=1)).items]
    whole = [i.key for i in QueueReader(store, SLA).read(NOW + timedelta(seconds=1)).items]
    assert refreshed == whole
    assert (Subject.ORDER, world.ids["late"]) not in refreshed
    rushed = (Subject.ORDER, world.ids["backorder"])
    assert refreshed.index(rushed) < first.index(rushed)  # a rush now: it moved up


def test_running_clocks_are_rebuilt_a_share_at_a_time_and_all_within_the_rescore_time(
    store: Store,
) -> None:
    world = _world(store)
    reader = QueueReader(store, SLA)
    first = _read(reader, 0)
    clocked = [key for key, item in first.items() if item.sla is not None]
    assert len(clocked) >= 2
    early = _read(reader, 5)
    assert all(early[key] is first[key] for key in first)
    middle = _read(reader, int(QueueReader.RESCORE_S * 0.8))
    rebuilt = [key for key in clocked if middle[key] is not first[key]]
    assert 0 < len(rebuilt) < len(clocked)  # a share, not all at once
    seconds = int(QueueReader.RESCORE_S) + 1
    late = _read(reader, seconds)
    whole = {i.key: i for i in QueueReader(store, SLA).read(NOW + timedelta(seconds=seconds)).items}
    assert late.keys() == whole.keys()
    assert all(late[key] is not first[key] for key in clocked)  # each built again since
    for key, item in late.items():  # and no clock is more than RESCORE_S behind
        if item.sla is not None:
            lag = item.sla.left_s - whole[key].sla.left_s  # type: ignore[union-attr]
            assert 0 <= lag <= QueueReader.RESCORE_S, (key, lag)
    assert (
        late[(Subject.ORDER, world.ids["backorder"])]
        is first[(Subject.ORDER, world.ids["backorder"])]
    )


def test_a_long_transaction_elsewhere_does_not_hold_refreshes_back(
    pg_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL transaction ids are cluster-wide: a transaction left open in another database
    (a report, a backup) must not make every refresh read again what changed since it began."""
    server = pg_store_url.replace("postgresql+psycopg://", "postgresql://", 1)
    other = psycopg.connect(server.rsplit("/", 1)[0] + "/postgres")  # not the store's database
    store = Store(pg_store_url)
    try:
        other.execute("SELECT pg_current_xact_id()")  # holds a transaction id, left open
        world = _world(store)
        reader = QueueReader(store, SLA)
        _read(reader, 0)
        assert _orders_read(monkeypatch, reader, 1) == set()
        with store.engine.begin() as conn:
            conn.execute(
                text("UPDATE sales_orders SET priority = 'rush' WHERE id = :id"),
                {"id": world.ids["held"]},
            )
        assert _orders_read(monkeypatch, reader, 2) == {world.ids["held"]}
    finally:
        other.rollback()
        other.close()
        store.dispose()
