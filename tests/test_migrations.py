"""Alembic migrations on SQLite and PostgreSQL: from empty, from the previous revision with data,
a newer store left untouched, idempotence, and the models agreeing with the migrations."""

from decimal import Decimal
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, inspect, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel, select

from orderdesk_tui.errors import PermissionDenied, StoreError
from orderdesk_tui.migrations import REVISIONS
from orderdesk_tui.models import Customer, SalesOrder
from orderdesk_tui.services import credentials, users
from orderdesk_tui.services.order_queries import OrderFilter, count_orders
from orderdesk_tui.services.users import Approval
from orderdesk_tui.store import Store

FIRST = "0001"  # before the search indexes (0002)
SEARCH_OBJECTS = ("customers_fts", "items_fts", "addresses_fts", "contacts_fts")
TRGM_INDEXES = {
    "ix_customers_code_trgm",
    "ix_customers_name_trgm",
    "ix_customers_phone_trgm",
    "ix_customers_email_trgm",
    "ix_items_part_number_trgm",
    "ix_items_description_trgm",
    "ix_items_upc_trgm",
    "ix_addresses_code_trgm",
    "ix_addresses_name_trgm",
    "ix_addresses_city_trgm",
    "ix_addresses_postal_code_trgm",
    "ix_contacts_name_trgm",
    "ix_contacts_email_trgm",
}
#: digits-only phone expression indexes (migration 0007); autogenerate cannot model them
PHONE_DIGIT_INDEXES = {
    "ix_customers_phone_digits",
    "ix_addresses_phone_digits",
    "ix_contacts_phone_digits",
}


@pytest.fixture
def bare(store_url: str) -> Any:
    """A store object on an empty database (no schema yet)."""
    s = Store(store_url)
    yield s
    s.dispose()


def _tables(store: Store) -> set[str]:
    return set(inspect(store.engine).get_table_names())


def _insert_as_written_then(store: Store, rows: list[SQLModel]) -> None:
    """Insert model rows into an older schema: only the columns that schema has, bound through
    the model's column types (so money is stored the way that store stores it)."""
    with store.engine.begin() as conn:
        for row in rows:
            model_table = type(row).__table__  # type: ignore[attr-defined]
            table = Table(model_table.name, MetaData(), autoload_with=conn)
            values: dict[str, Any] = {}
            for column in table.columns:
                value = getattr(row, column.name, None)
                if column.name not in model_table.c or value is None:
                    continue
                kind = model_table.c[column.name].type
                if isinstance(kind, TypeDecorator):
                    value = kind.process_bind_param(value, conn.dialect)
                values[column.name] = value
            conn.execute(table.insert().values(**values))


def _add_customer_with_order(store: Store) -> None:
    _insert_as_written_then(
        store,
        [
            Customer(
                id=1, code="GLF001", name="Gulf Coast Hydraulics", credit_limit=Decimal("75000.00")
            ),
            SalesOrder(
                id=1,
                number="SO0000001",
                customer_id=1,
                customer_po="PO-7781",
                total=Decimal("1234.56"),
            ),
        ],
    )


def _assert_data_kept(store: Store) -> None:
    with store.session() as session:
        customer = session.exec(select(Customer)).one()
        order = session.exec(select(SalesOrder)).one()
    assert (customer.code, customer.name, customer.credit_limit) == (
        "GLF001",
        "Gulf Coast Hydraulics",
        Decimal("75000.00"),
    )
    assert (order.number, order.customer_po, order.total) == (
        "SO0000001",
        "PO-7781",
        Decimal("1234.56"),
    )


def test_upgrade_from_empty_creates_every_table(bare: Store) -> None:
    assert bare.current_revision() is None
    assert bare.check_not_newer() is None
    before, after = bare.upgrade()
    assert (before, after) == (None, bare.head_revision())
    assert set(SQLModel.metadata.tables) <= _tables(bare)
    assert bare.current_revision() == bare.head_revision()
    assert bare.check_not_newer() == bare.head_revision()


def test_upgrade_from_0001_keeps_data_and_adds_search(bare: Store) -> None:
    assert bare.upgrade(FIRST) == (None, FIRST)
    _add_customer_with_order(bare)
    if bare.is_sqlite:
        assert "customers_fts" not in _tables(bare)

    before, after = bare.upgrade()
    assert (before, after) == (FIRST, bare.head_revision())
    _assert_data_kept(bare)
    with bare.engine.connect() as conn:
        if bare.is_sqlite:
            found = conn.execute(
                text("SELECT rowid FROM customers_fts WHERE customers_fts MATCH :q"),
                {"q": '"coast hydr"'},
            ).all()
            assert len(found) == 1
        else:
            names = set(
                conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_trgm'")
                ).scalars()
            )
            assert names == TRGM_INDEXES
    # and the order list finds the pre-existing customer by part of its name
    assert count_orders(bare, OrderFilter(text="Coast Hyd")) == 1


def test_upgrade_from_the_revision_before_head_keeps_data(bare: Store) -> None:
    script = ScriptDirectory.from_config(bare.alembic_config())
    previous = script.get_revision(bare.head_revision()).down_revision
    assert previous == REVISIONS[-2]
    bare.upgrade(previous)
    _add_customer_with_order(bare)
    assert bare.upgrade() == (previous, bare.head_revision())
    _assert_data_kept(bare)
    # the upgraded store takes new rows through today's models
    with bare.session() as session:
        session.add(Customer(id=2, code="NEW001", name="New Since Upgrade"))
    with bare.session() as session:
        assert len(session.exec(select(Customer)).all()) == 2


def test_newer_store_is_refused_and_left_untouched(store: Store) -> None:
    _add_customer_with_order(store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    tables_before = _tables(store)

    with pytest.raises(StoreError) as caught:
        store.upgrade()
    message = str(caught.value)
    assert "newer" in message and "ffff9999" in message and "\n" not in message
    with pytest.raises(StoreError, match="newer"):
        store.check_not_newer()

    assert store.current_revision() == "ffff9999"
    assert _tables(store) == tables_before
    _assert_data_kept(store)


def test_upgrade_twice_is_a_no_op(store: Store) -> None:
    _add_customer_with_order(store)
    head = store.head_revision()

    def schema() -> list[Any]:
        with store.engine.connect() as conn:
            if store.is_sqlite:
                return conn.execute(text("SELECT type, name, sql FROM sqlite_master")).all()
            return conn.execute(
                text(
                    "SELECT tablename, indexname, indexdef FROM pg_indexes "
                    "WHERE schemaname = 'public' ORDER BY 1, 2"
                )
            ).all()

    shape = schema()
    assert store.upgrade() == (head, head)
    assert store.upgrade() == (head, head)
    assert schema() == shape
    _assert_data_kept(store)


def test_models_and_migrations_agree(store: Store) -> None:
    """Autogenerate against a freshly upgraded store finds nothing to do (search objects aside)."""
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, SQLModel.metadata)

    def is_search_object(diff: Any) -> bool:
        if diff[0] == "remove_table":
            return str(diff[1].name).startswith(SEARCH_OBJECTS)
        if diff[0] == "remove_index":
            return diff[1].name in TRGM_INDEXES | PHONE_DIGIT_INDEXES
        return False

    assert [d for d in diffs if not is_search_object(d)] == []


def test_0011_moves_the_pin_hashes_out_of_users(bare: Store) -> None:
    """A supervisor's PIN and lock-out set under 0010 (in `users`) still hold after 0011, from
    `user_secrets`; `users` keeps no secret column."""
    bare.upgrade("0010")
    salt = bytes(range(16))
    with bare.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (name, full_name, role, pin_hash, pin_salt, "
                "failed_pin_attempts, active, created_at, version) VALUES ('sam', '', "
                "'supervisor', :hash, :salt, 2, true, '2026-12-01 08:00:00', 1)"
            ),
            {"hash": credentials.hash_secret("246810", salt), "salt": salt.hex()},
        )
    bare.upgrade()
    assert not {c["name"] for c in inspect(bare.engine).get_columns("users")} & {
        "pin_hash",
        "pin_salt",
        "failed_pin_attempts",
        "locked_until",
    }
    with pytest.raises(PermissionDenied, match=r"\(2 attempts left\)"):
        users.verify_override(bare, Approval("sam", "000000"), requested_by="kim", purpose="t")
    assert users.verify_override(bare, Approval("sam", "246810"), requested_by="kim", purpose="t")
