"""Read replicas (issue #16): a real PostgreSQL primary and its streaming replica on loopback
(tests/replica_pair.py), started once per test run (per xdist worker) with the demo data.

A wallboard reading the replica shows a submit made on the primary within 2 s (the live feed
listens on the primary); the replica's lag shows on the board past the threshold; a replica
that stops sends the readers to the primary with a note in the status bar, and they go back
when it answers; the reads a write depends on (submit: availability, credit, versions) never
touch the replica. Plus `[store] read_url` in the config."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from textual.widgets import Static

from orderdesk_tui import read_replicas
from orderdesk_tui.config import Settings, StoreSettings, load_settings
from orderdesk_tui.errors import ConfigError, StoreError
from orderdesk_tui.seed.demo import load_demo
from orderdesk_tui.services import drafts
from orderdesk_tui.services.lookup import find_customers, find_parts
from orderdesk_tui.services.queue import QueueReader
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.store import Store
from screens.queue import QueueScreen
from screens.wallboard import WallboardApp
from tests.replica_pair import ReplicaPair, make_pair
from tests.ui import make_app, wait_for

ACTOR = "alice"


@pytest.fixture(scope="session")
def pair() -> Iterator[ReplicaPair]:
    """The primary (schema and demo data loaded) and its replica, caught up."""
    made = make_pair()
    try:
        store = Store(made.primary_url)
        store.upgrade()
        load_demo(store, today=date(2026, 11, 27))
        store.dispose()
        made.wait_replayed()
        yield made
    finally:
        made.stop()


@pytest.fixture
def store(pair: ReplicaPair) -> Iterator[Store]:
    """The primary, with the replica to read from."""
    opened = Store(pair.primary_url, read_urls=[pair.replica_url])
    yield opened
    opened.dispose()


@contextmanager
def statements_on(store: Store) -> Iterator[dict[str, list[str]]]:
    """The statements each server got inside the block: {"primary": [...], "replica": [...]}."""
    seen: dict[str, list[str]] = {"primary": [], "replica": []}
    engines = {"primary": store.engine, "replica": store.replicas.replicas[0].engine}
    listeners = []
    for name, engine in engines.items():

        def record(_c: Any, _cur: Any, statement: str, *_a: Any, name: str = name) -> None:
            seen[name].append(statement)

        event.listen(engine, "before_cursor_execute", record)
        listeners.append((engine, record))
    try:
        yield seen
    finally:
        for engine, record in listeners:
            event.remove(engine, "before_cursor_execute", record)


def _orderable(store: Store) -> tuple[int, list[int]]:
    """A customer in good standing with a ship-to, and two items with stock to allocate."""
    with store.session() as s:
        conn = s.connection()
        customer = conn.execute(
            text(
                "SELECT c.id FROM customers c WHERE c.active AND c.credit_status = 'ok' "
                "AND c.credit_limit > 10000 AND EXISTS (SELECT 1 FROM addresses a "
                "WHERE a.customer_id = c.id AND a.kind = 'ship_to' AND a.active) "
                "ORDER BY c.id LIMIT 1"
            )
        ).scalar_one()
        items = list(
            conn.execute(
                text(
                    "SELECT i.id FROM items i WHERE i.status = 'active' AND i.moq = 1 "
                    "AND i.order_multiple = 1 AND i.hazmat_un_number = '' "
                    "AND i.eccn = 'EAR99' AND NOT i.fractional_uom AND EXISTS (SELECT 1 "
                    "FROM stock_levels s WHERE s.item_id = i.id AND s.on_hand - s.allocated "
                    ">= 5) ORDER BY i.id LIMIT 2"
                )
            ).scalars()
        )
    return customer, items


def _submit(store: Store, po: str) -> str:
    """An order entered and submitted on the primary as the entry screen does; its number."""
    customer, items = _orderable(store)
    order = drafts.create_draft(store, actor=ACTOR, customer_id=customer)
    assert order.id is not None
    drafts.update_header(store, order.id, {"customer_po": po}, actor=ACTOR)
    for n, item in enumerate(items, 1):
        drafts.save_line(store, order.id, n, {"item_id": item, "quantity": Decimal(1)}, actor=ACTOR)
    result = submit_order(store, order.id, actor=ACTOR, settings=Settings())
    assert result.state == "acknowledged", result
    return result.number


def _title(app: WallboardApp) -> str:
    return str(app.query_one("#wb-title", Static).render())


async def test_a_wallboard_on_the_replica_shows_a_submit_on_the_primary_within_2_s(
    store: Store, pair: ReplicaPair
) -> None:
    writer = Store(pair.primary_url)
    app = WallboardApp(store, Settings(), poll_s=60, rotate_s=60)  # no poll: the feed alone
    try:
        async with app.run_test(size=(170, 50)) as pilot:
            await wait_for(pilot, lambda: app.figures is not None)
            assert app.figures is not None and app.figures.replica is not None
            await pilot.pause(0.3)  # the live watch is listening
            number = _submit(writer, "WALL-1")
            submitted = time.monotonic()
            await wait_for(
                pilot,
                lambda: (
                    app.figures is not None
                    and any(e.order_number == number for e in app.figures.events)
                ),
                timeout=2.0,
            )
            assert time.monotonic() - submitted < 2.0
            assert app.figures.replica is not None  # still read from the replica
    finally:
        writer.dispose()


async def test_the_replicas_lag_shows_on_the_wallboard_past_the_threshold(
    store: Store, pair: ReplicaPair
) -> None:
    settings = Settings(store=StoreSettings(replica_lag_warn_s=0.5))
    app = WallboardApp(store, settings, poll_s=0.3, rotate_s=60)
    with pair.admin(pair.replica_port) as replica, pair.admin(pair.primary_port) as primary:
        async with app.run_test(size=(170, 50)) as pilot:
            await wait_for(pilot, lambda: app.figures is not None)
            assert "behind" not in _title(app)
            replica.execute("SELECT pg_wal_replay_pause()")
            try:
                primary.execute("UPDATE customers SET name = name WHERE id = 1")
                await wait_for(pilot, lambda: "behind" in _title(app))
                assert app.figures is not None
                assert f"replica {app.figures.replica}" in _title(app)
            finally:
                replica.execute("SELECT pg_wal_replay_resume()")
            await wait_for(pilot, lambda: "behind" not in _title(app) and "live" in _title(app))


async def test_a_stopped_replica_sends_the_readers_to_the_primary_with_a_status_bar_note(
    store: Store, pair: ReplicaPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_replicas, "RETRY_S", 0.3)
    with statements_on(store) as seen:
        assert find_customers(store, "a")
    assert seen["replica"] and not seen["primary"]
    pair.stop_server(pair.replica_dir)
    try:
        app = make_app(store)
        async with app.run_test(size=(180, 45)) as pilot:
            await pilot.press("ctrl+t")  # the queue's first load reads the replica: away
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, QueueScreen) and app.screen.reader.last is not None,
            )
            note = app.screen.query_one("#status-reads", Static)
            await wait_for(pilot, lambda: "reading the primary" in str(note.render()))
            assert note.display
            with statements_on(store) as seen:
                assert find_parts(store, "a", customer_id=None)  # lookups keep working
            assert seen["primary"] and not seen["replica"]
            pair.start_server(pair.replica_dir)
            time.sleep(0.3)
            with statements_on(store) as seen:
                assert find_parts(store, "a", customer_id=None)
            assert seen["replica"], "back on the replica once it answers"
            await wait_for(pilot, lambda: not note.display)
    finally:
        if not (pair.replica_dir / "postmaster.pid").exists():
            pair.start_server(pair.replica_dir)


def test_reads_a_write_depends_on_never_go_to_the_replica(store: Store) -> None:
    with statements_on(store) as seen:
        _submit(store, "PRIMARY-1")  # availability, credit, versions: read as they are written
    assert seen["primary"] and seen["replica"] == []
    with statements_on(store) as seen:
        reader = QueueReader(store, Settings().sla)
        reader.read()  # the first load: the replica
        first = len(seen["replica"])
        assert first and not seen["primary"]
        reader.read()  # a refresh after a notice: the primary, which sent it
        assert len(seen["replica"]) == first and seen["primary"]
    with store.read_session() as session:
        assert session.replica is not None
        server = session.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
        assert server is True
    with store.session() as session:
        assert session.execute(text("SELECT pg_is_in_recovery()")).scalar_one() is False


def test_read_url_is_one_url_or_several_and_only_postgresql(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[store]\nread_url = "postgresql://wall@replica1/desk"\n')
    assert load_settings(config, {}).store.read_url == ["postgresql://wall@replica1/desk"]
    config.write_text('[store]\nread_url = ["postgresql://r1/desk", "postgresql://r2/desk"]\n')
    assert len(load_settings(config, {}).store.read_url) == 2
    env = {"ORDERDESK_STORE_READ_URL": "postgresql://r1/desk,postgresql://r2/desk"}
    assert load_settings(tmp_path / "none.toml", env).store.read_url == [
        "postgresql://r1/desk",
        "postgresql://r2/desk",
    ]
    config.write_text('[store]\nread_url = "sqlite:///x.db"\n')
    with pytest.raises(ConfigError, match=r"store\.read_url.*not a PostgreSQL URL"):
        load_settings(config, {})
    config.write_text('[store]\nread_url = ["postgresql://r1/d", "postgresql://r1/d"]\n')
    with pytest.raises(ConfigError, match="named twice"):
        load_settings(config, {})
    config.write_text("[store]\nreplica_lag_warn_s = 0\n")
    with pytest.raises(ConfigError, match="replica_lag_warn_s"):
        load_settings(config, {})
    with pytest.raises(StoreError, match="SQLite file"):
        Store(f"sqlite:///{tmp_path / 's.db'}", read_urls=["postgresql://r1/desk"])
