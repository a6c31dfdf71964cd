"""A terminal's PostgreSQL connections (issue 16): no backend is left `idle in transaction`
after a submit or a refused one (row locks and snapshots held by an idle terminal would stall
every other one), and the pool survives its connections being cut, as a PostgreSQL restart
cuts them (pool_pre_ping replaces a dead connection before a service gets it)."""

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from sqlalchemy.engine import make_url

from orderdesk_tui.config import Settings
from orderdesk_tui.seed.demo import load_demo
from orderdesk_tui.services.submit import SubmitRefused, submit_order
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store
from tests.conftest import PG_SERVER
from tests.test_submit_statements import ACTOR, _draft, _orderable


@pytest.fixture
def pg_store(pg_store_url: str) -> Iterator[Store]:
    store = Store(pg_store_url)
    yield store
    store.dispose()


def _backends(store: Store) -> list[str]:
    """The state of every backend on the store's database but the one asking."""
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT state FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (make_url(store.url).database,),
        ).fetchall()
    return [row[0] for row in rows]


def test_no_backend_is_left_idle_in_transaction_after_submits(pg_store: Store) -> None:
    load_demo(pg_store, today=date(2026, 11, 27))
    customer, items = _orderable(pg_store)
    entered = _draft(pg_store, customer, items[:3], "CONN-1")
    twin = _draft(pg_store, customer, items[3:6], "CONN-1")
    assert submit_order(pg_store, entered, actor=ACTOR, settings=Settings()).state
    with pytest.raises(SubmitRefused, match="already on order"):
        submit_order(pg_store, twin, actor=ACTOR, settings=Settings())
    states = _backends(pg_store)
    assert states, "the pool keeps its connections open"
    assert set(states) == {"idle"}, states


def test_the_pool_survives_its_connections_being_cut(pg_store: Store) -> None:
    ensure_user(pg_store, "alice")
    assert _backends(pg_store) == ["idle"]
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        cut = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (make_url(pg_store.url).database,),
        ).fetchone()
    assert cut == (1,)
    assert ensure_user(pg_store, "bob").name == "bob"  # on a fresh connection, no error
