"""The store on SQLite and PostgreSQL: exact money, pragmas, optimistic concurrency, numbering,
write locks and the one-line errors for stores that cannot be used."""

import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import OperationalError, StatementError
from sqlmodel import select

from orderdesk_tui.errors import StaleEdit, StoreError
from orderdesk_tui.models import AuditEvent, Customer, Item, NumberSequence, SalesOrder, User
from orderdesk_tui.services.audit import apply_update
from orderdesk_tui.services.numbering import next_number
from orderdesk_tui.store import Store, open_store

REFUSING_PG = "postgresql+psycopg://postgres@127.0.0.1:1/x"


def _customer(store: Store, code: str = "ACME", **values: object) -> int:
    with store.session() as session:
        customer = Customer(code=code, name=f"{code} Industrial Supply", **values)
        session.add(customer)
        session.flush()
        assert customer.id is not None
        return customer.id


# -- money and quantities --------------------------------------------------------------------


def test_decimal_round_trip_is_exact(store: Store) -> None:
    customer_id = _customer(store, credit_limit=Decimal("12345678.99"))
    with store.session() as session:
        item = Item(
            part_number="WSH-M3",
            description="Flat washer M3 A2 stainless",
            list_price=Decimal("0.0001"),
            cost=Decimal("12345678.9999"),
            moq=Decimal("0.001"),
            weight_kg=Decimal("999999.999"),
        )
        session.add(item)
        session.flush()
        item_id = item.id
    with store.session() as session:
        customer = session.get(Customer, customer_id)
        item = session.get(Item, item_id)
        assert customer is not None and item is not None
        for value, expected in [
            (customer.credit_limit, Decimal("12345678.99")),
            (item.list_price, Decimal("0.0001")),
            (item.cost, Decimal("12345678.9999")),
            (item.moq, Decimal("0.001")),
            (item.weight_kg, Decimal("999999.999")),
        ]:
            assert type(value) is Decimal
            assert value == expected
            assert str(value) == str(expected)  # the fixed scale survives, not just the value


def test_values_are_quantized_half_up_to_the_column_scale(store: Store) -> None:
    # 1.005 and 2.675 are the classic cases a float (or banker's rounding) gets wrong.
    first = _customer(store, "C1", credit_limit=Decimal("1.005"))
    second = _customer(store, "C2", credit_limit=Decimal("2.675"))
    third = _customer(store, "C3", credit_limit=Decimal("7"))
    with store.session() as session:
        item = Item(part_number="P1", description="d", list_price=Decimal("0.00005"))
        item.moq = Decimal("0.0005")
        session.add(item)
        session.flush()
        item_id = item.id
    with store.session() as session:
        limits = [session.get(Customer, i).credit_limit for i in (first, second, third)]  # type: ignore[union-attr]
        item = session.get(Item, item_id)
        assert item is not None
    assert [str(v) for v in limits] == ["1.01", "2.68", "7.00"]
    assert str(item.list_price) == "0.0001"
    assert str(item.moq) == "0.001"


def test_float_is_refused(sqlite_store: Store) -> None:
    store = sqlite_store  # refused in Python before any SQL, the same on both stores
    with pytest.raises((TypeError, StatementError)) as caught, store.session() as session:
        session.add(Customer(code="FLT", name="Float Co", credit_limit=0.1))  # type: ignore[arg-type]
        session.flush()
    assert "never float" in str(caught.value)
    with store.session() as session:
        assert session.exec(select(Customer)).all() == []


def test_sum_over_money_stays_decimal_and_exact(store: Store) -> None:
    customer_id = _customer(store)
    amounts = [Decimal("0.10"), Decimal("0.20"), Decimal("0.30")] * 10 + [Decimal("12345678.99")]
    with store.session() as session:
        for n, amount in enumerate(amounts):
            session.add(SalesOrder(number=f"SO{n:07d}", customer_id=customer_id, total=amount))
    with store.session() as session:
        total = session.exec(select(func.sum(SalesOrder.total))).one()
    assert type(total) is Decimal
    assert total == Decimal("12345684.99")
    assert str(total) == "12345684.99"


# -- SQLite pragmas ----------------------------------------------------------------------------


def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 's.sqlite3'}", busy_timeout_s=2.5)
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 2500
    finally:
        store.dispose()


def test_sqlite_foreign_keys_are_enforced(sqlite_store: Store) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), sqlite_store.session() as session:
        session.add(SalesOrder(number="SO0000001", customer_id=4242))
        session.flush()


# -- optimistic concurrency --------------------------------------------------------------------


def test_apply_update_audits_old_and_new(store: Store) -> None:
    customer_id = _customer(store, credit_limit=Decimal("100.00"))
    with store.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        changes = apply_update(
            session,
            customer,
            {"credit_limit": Decimal("250.50"), "name": "Acme Industrial Supply"},
            expected_version=1,
            actor="pat",
            action="customer.edit",
            reason="new credit review",
        )
        assert customer.version == 2
    assert changes == {
        "credit_limit": (Decimal("100.00"), Decimal("250.50")),
        "name": ("ACME Industrial Supply", "Acme Industrial Supply"),
    }
    with store.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        assert customer.version == 2
        assert customer.credit_limit == Decimal("250.50")
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "customers")).one()
    assert (event.actor, event.action, event.entity_id) == ("pat", "customer.edit", customer_id)
    assert event.reason == "new credit review"
    logged = json.loads(event.changes)
    assert logged["credit_limit"] == ["100.00", "250.50"]
    assert logged["name"] == ["ACME Industrial Supply", "Acme Industrial Supply"]


def test_second_writer_with_the_old_version_gets_stale_edit(store: Store) -> None:
    customer_id = _customer(store, credit_limit=Decimal("100.00"))
    # Two terminals read version 1; the first one writes.
    with store.session() as session:
        read_by_b = session.get(Customer, customer_id)
    assert read_by_b is not None and read_by_b.version == 1
    with store.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        apply_update(
            session,
            customer,
            {"credit_limit": Decimal("500.00")},
            expected_version=1,
            actor="a",
            action="customer.edit",
        )
    # The second one still holds version 1.
    with pytest.raises(StaleEdit) as caught, store.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        apply_update(
            session,
            customer,
            {"credit_limit": Decimal("1.00"), "phone": "555-0100"},
            expected_version=read_by_b.version,
            actor="b",
            action="customer.edit",
        )
    err = caught.value
    assert (err.expected, err.current) == (1, 2)
    assert "version 1" in str(err) and "now 2" in str(err)
    with store.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        assert (customer.credit_limit, customer.phone, customer.version) == (
            Decimal("500.00"),
            "",
            2,
        )
        actors = session.exec(select(AuditEvent.actor)).all()
    assert actors == ["a"]


def test_stale_edit_on_a_deleted_row(sqlite_store: Store) -> None:
    store = sqlite_store
    customer_id = _customer(store)
    with store.session() as session:
        customer = session.get(Customer, customer_id)
    with store.session() as session:
        session.delete(session.get(Customer, customer_id))
    assert customer is not None
    with pytest.raises(StaleEdit, match="no longer exists"), store.session() as session:
        session.add(customer)
        apply_update(session, customer, {"phone": "1"}, expected_version=1, actor="a", action="x")


# -- document numbers --------------------------------------------------------------------------


def test_next_number_counts_up_and_never_repeats_across_sessions(store_url: str) -> None:
    first = Store(store_url)
    first.upgrade()
    second = Store(store_url)  # another terminal: its own engine and connections
    try:
        drawn = []
        for store in (first, second, first, second):
            with store.session() as session:
                drawn.append(next_number(session, "order"))
        assert drawn == ["SO0000001", "SO0000002", "SO0000003", "SO0000004"]
        # a rolled-back draw: an invoice number is given back (the series has no gaps), an
        # order number on PostgreSQL is skipped (its sequence takes no lock; services/numbering)
        with pytest.raises(RuntimeError), second.session() as session:
            assert next_number(session, "order") == "SO0000005"
            assert next_number(session, "invoice") == "IN0000001"
            raise RuntimeError("entry abandoned")
        gapless = first.is_sqlite
        with first.session() as session:
            assert next_number(session, "order") == ("SO0000005" if gapless else "SO0000006")
            assert next_number(session, "invoice") == "IN0000001"
            assert next_number(session, "rma") == "RMA000001"
            seq = session.get(NumberSequence, "invoice")
            assert seq is not None and seq.next_value == 2
    finally:
        first.dispose()
        second.dispose()


def test_next_number_is_unique_under_concurrent_writers(store: Store) -> None:
    with store.session() as session:
        assert next_number(session, "invoice") == "IN0000001"
    drawn: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def draw() -> None:
        try:
            for _ in range(5):
                with store.session() as session:
                    number = next_number(session, "invoice")
                with lock:
                    drawn.append(number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(drawn) == [f"IN{n:07d}" for n in range(2, 22)]


# -- write lock up front (SQLite) ----------------------------------------------------------------


def test_immediate_takes_the_sqlite_write_lock_up_front(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lock.sqlite3'}"
    holder = Store(url)
    holder.upgrade()
    other = Store(url, busy_timeout_s=0.2)
    try:
        # An ordinary session that has only read does not block another terminal's write.
        with holder.session() as session:
            session.exec(select(User)).all()
            with other.session() as other_session:
                other_session.add(User(name="reader-ok"))
        # BEGIN IMMEDIATE: the lock is held from the first statement, even a read.
        with holder.immediate() as session:
            session.exec(select(User)).all()
            with pytest.raises(OperationalError, match="locked"), other.session() as blocked:
                blocked.add(User(name="blocked"))
                blocked.flush()
        # Released at commit: the other terminal writes again.
        with other.session() as other_session:
            other_session.add(User(name="after"))
        with holder.session() as session:
            names = sorted(session.exec(select(User.name)).all())
        assert names == ["after", "reader-ok"]
    finally:
        holder.dispose()
        other.dispose()


# -- planner statistics (SQLite) ------------------------------------------------------------------


def _analyzed(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT tbl FROM sqlite_stat1"))}


def test_upgrade_analyzes_tables_loaded_since_the_last_analysis(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'stats.sqlite3'}")
    try:
        store.upgrade()  # a new store: its tables are empty, nothing to learn yet
        assert "customers" not in _analyzed(store)
        with store.session() as session:  # a bulk load (a seed, an import)
            session.add_all(Customer(code=f"C{n}", name=f"Customer {n}") for n in range(50))
        store.upgrade()
        assert "customers" in _analyzed(store)
        with store.engine.connect() as conn:
            stat = conn.execute(
                text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_customers_code'")
            ).scalar()
        assert stat == "50 1"  # 50 rows, 1 per code: the planner knows the index is selective
    finally:
        store.dispose()


def test_a_closing_connection_refreshes_the_statistics_of_what_it_read(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'stats.sqlite3'}")
    store.upgrade()
    with store.session() as session:
        session.add_all(Customer(code=f"C{n}", name=f"Customer {n % 5}") for n in range(30))
    with store.session() as session:  # a lookup by name: a non-unique index
        assert len(session.exec(select(Customer).where(Customer.name == "Customer 2")).all()) == 6
    assert "customers" not in _analyzed(store)
    store.dispose()  # PRAGMA optimize as the connection closes
    reopened = Store(f"sqlite:///{tmp_path / 'stats.sqlite3'}")
    try:
        assert "customers" in _analyzed(reopened)
    finally:
        reopened.dispose()


# -- stores that cannot be used ------------------------------------------------------------------


def _one_line(err: BaseException) -> str:
    message = str(err)
    assert "\n" not in message
    assert "Traceback" not in message
    return message


def test_store_path_under_a_regular_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(StoreError) as caught:
        open_store(str(blocker / "store.sqlite3"))
    assert str(blocker) in _one_line(caught.value)
    with pytest.raises(StoreError) as caught:
        open_store(str(blocker / "deeper" / "store.sqlite3"))
    _one_line(caught.value)
    assert blocker.read_text() == "x"


def test_directory_given_as_the_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory") as caught:
        open_store(str(tmp_path))
    _one_line(caught.value)


def test_memory_store_is_refused() -> None:
    with pytest.raises(StoreError, match="must be a file"):
        Store("sqlite:///:memory:")


def test_not_a_url() -> None:
    with pytest.raises(StoreError):
        Store("nosuchdialect+x://a/b")


def test_refusing_postgresql_gives_one_line(tmp_path: Path) -> None:
    store = Store(REFUSING_PG)
    try:
        with pytest.raises(StoreError) as caught:
            store.ping()
        message = _one_line(caught.value)
        assert "127.0.0.1" in message and "refused" in message.lower()
        assert caught.value.__suppress_context__
        with pytest.raises(StoreError) as caught:
            store.upgrade()
        _one_line(caught.value)
        with pytest.raises(StoreError):
            store.current_revision()
    finally:
        store.dispose()


def test_display_url_hides_the_password() -> None:
    store = Store("postgresql+psycopg://od:hunter2@127.0.0.1:1/x")
    try:
        assert "hunter2" not in store.display_url
    finally:
        store.dispose()
