"""The wallboard, unattended: its figures against the store, panes rotating with no key
pressed, "stale since hh:mm" while the store is away (SQLite file moved, PostgreSQL refusing),
and back to live when it returns. Plus `orderdesk wallboard --serve` answering a browser."""

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select
from textual.widgets import ContentSwitcher, Digits, Static

from orderdesk_tui.config import Settings
from orderdesk_tui.models import Customer, Hold, SalesOrder, SalesOrderLine
from orderdesk_tui.models.base import HoldKind, OrderState
from orderdesk_tui.services.wallboard import read_wallboard
from orderdesk_tui.store import Store
from screens.wallboard import WallboardApp, hour_chart
from tests.ui import wait_for

SIZE = (170, 50)


def title(app: WallboardApp) -> str:
    return str(app.query_one("#wb-title", Static).render())


def digits(app: WallboardApp, key: str) -> str:
    return app.query_one(f"#kpi-{key}", Digits).value


async def test_wallboard_shows_the_stores_figures_and_rotates_on_its_own(
    demo_store: Store,
) -> None:
    expected = read_wallboard(demo_store, Settings())
    app = WallboardApp(demo_store, Settings(), poll_s=0.3, rotate_s=0.5, ticker_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.figures is not None)
        assert "live · " in title(app)
        assert digits(app, "open") == str(expected.open_orders)
        assert digits(app, "breached") == str(expected.sla_breached)
        assert digits(app, "due") == str(expected.due_within_hour)
        # none shipped yet today (the desk's day): a dash, not a rate
        for name, rate in (("fill", expected.fill_rate), ("ontime", expected.on_time_rate)):
            assert digits(app, name) == ("-" if rate is None else f"{rate}%")
        bars = str(app.query_one("#holds-bars", Static).render())
        for kind, count in expected.holds_by_reason.items():
            assert f"{kind:<11} " in bars and f" {count}" in bars
        oldest = str(app.query_one("#oldest-list", Static).render())
        assert expected.oldest[0].number in oldest.splitlines()[0]
        panes = app.query_one(ContentSwitcher)
        seen = {panes.current}
        await wait_for(pilot, lambda: seen.add(panes.current) or len(seen) == 3)
        latest = expected.events[0]
        ticker = app.query_one("#wb-ticker", Static)
        shown = set()
        await wait_for(
            pilot,
            lambda: shown.add(str(ticker.render())) or any(latest.action in t for t in shown),
        )


def test_fill_and_on_time_rates_follow_the_definitions(sqlite_store: Store) -> None:
    today = datetime.now(UTC).astimezone().date()
    with sqlite_store.session() as session:
        customer = Customer(code="ACME01", name="Acme")
        session.add(customer)
        session.flush()
        order = SalesOrder(number="SO1", customer_id=customer.id or 0, state="shipped")
        session.add(order)
        session.flush()
        for n, (qty, shipped, promised) in enumerate(
            [
                ("10", "10", today),  # complete, on time
                ("10", "7", today - timedelta(days=1)),  # short, late
                ("5", "5", None),  # complete, no promise: not in the on-time count
                ("4", "4", today + timedelta(days=2)),  # complete, early
            ],
            1,
        ):
            session.add(
                SalesOrderLine(
                    order_id=order.id or 0,
                    line_no=n,
                    quantity=Decimal(qty),
                    quantity_shipped=Decimal(shipped),
                    shipped_date=today,
                    first_promised_date=promised,
                )
            )
        session.add(
            SalesOrderLine(
                order_id=order.id or 0,
                line_no=9,
                quantity=Decimal("3"),
                quantity_shipped=Decimal("1"),
                shipped_date=date(2020, 1, 1),  # another day: not counted
            )
        )
    figures = read_wallboard(sqlite_store, Settings())
    assert figures.lines_shipped_today == 4
    assert figures.fill_rate == Decimal("75.0")
    assert figures.on_time_rate == Decimal("66.7")
    empty = read_wallboard(sqlite_store, Settings(), now=datetime(2030, 1, 2, tzinfo=UTC))
    assert empty.fill_rate is None and empty.on_time_rate is None


def test_hour_chart_puts_each_hour_under_its_bar() -> None:
    per_hour = [0] * 24
    per_hour[9], per_hour[14] = 4, 8
    lines = hour_chart(per_hour).splitlines()
    axis = lines[-2]
    assert lines[-1] == "12 entered today, busiest hour 14:00 (8)"
    column = axis.index("14")
    assert lines[0][column - 1 : column + 2] == " 8 " or lines[0].strip() == "8"
    assert all(line[column - 1 : column + 2] == "███" for line in lines[1:-2])
    nine = axis.index("09")
    assert sum(line[nine - 1 : nine + 2] == "███" for line in lines[:-2]) == 6


async def test_wallboard_goes_stale_when_the_sqlite_file_goes_and_recovers(
    demo_store: Store, tmp_path: Path
) -> None:
    path = Path(demo_store.engine.url.database or "")
    board_store = Store(demo_store.url, create=False)
    app = WallboardApp(board_store, Settings(), poll_s=0.2, rotate_s=60)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.figures is not None)
            before = app.figures
            assert before is not None
            away = tmp_path / "elsewhere.sqlite3"
            path.rename(away)
            await wait_for(pilot, lambda: app.stale_since is not None)
            since = app.stale_since.astimezone(app.zone)  # type: ignore[union-attr]
            assert f"STALE since {since:%H:%M}" in title(app)
            assert "is not there" in title(app)
            assert app.screen.has_class("-stale")
            assert digits(app, "open") == str(before.open_orders)  # last figures stay
            await pilot.pause(0.5)
            assert app.stale_since is not None  # still away: still stale, same time
            away.rename(path)
            with demo_store.session() as session:  # meanwhile another terminal holds an order
                order = session.get(SalesOrder, before.oldest[-1].order_id or 1)
                assert order is not None
                session.add(
                    Hold(order_id=order.id or 0, kind=HoldKind.CREDIT, reason="x", raised_by="x")
                )
            await wait_for(pilot, lambda: app.stale_since is None and "live" in title(app))
            await wait_for(
                pilot,
                lambda: (
                    app.figures is not None
                    and app.figures.holds_by_reason.get("credit", 0)
                    == before.holds_by_reason.get("credit", 0) + 1
                ),
            )
            assert not app.screen.has_class("-stale")
    finally:
        board_store.dispose()


async def test_wallboard_goes_stale_when_postgresql_refuses_and_recovers(
    pg_store_url: str,
) -> None:
    name = make_url(pg_store_url).database
    admin_url = pg_store_url.replace("+psycopg", "").rsplit("/", 1)[0] + "/postgres"
    store = Store(pg_store_url)
    with store.session() as session:
        session.add(Customer(code="ACME01", name="Acme"))
        session.flush()
        session.add(SalesOrder(number="SO1", customer_id=1, state=OrderState.ENTERED))
    app = WallboardApp(store, Settings(), poll_s=0.2, rotate_s=60)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.figures is not None)
            assert digits(app, "open") == "1"
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
            await wait_for(pilot, lambda: app.stale_since is not None)
            assert "STALE since" in title(app)
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            await wait_for(pilot, lambda: app.stale_since is None, timeout=15)
            assert digits(app, "open") == "1" and "live" in title(app)
    finally:
        store.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_wallboard_serve_answers_a_browser(demo_store: Store, tmp_path: Path) -> None:
    port = _free_port()
    env = dict(os.environ)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orderdesk_tui.cli",
            "--db",
            demo_store.engine.url.database or "",
            "wallboard",
            "--serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert page is not None and page.status_code == 200
        assert "orderdesk wallboard" in page.text
        assert demo_store.engine.url.database not in page.text  # the store path stays private
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_first_wallboard_on_the_default_store_loads_the_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Started before the desk ever ran, the board must not leave an empty store behind (the
    desk loads the demo only into a store it creates)."""
    from orderdesk_tui import cli
    from orderdesk_tui.paths import default_store_path

    shown: list[Store] = []
    monkeypatch.setattr(WallboardApp, "run", lambda self: shown.append(self.store))
    assert not default_store_path().exists()
    assert cli.main(["wallboard"]) == 0
    (store,) = shown
    with store.session() as session:
        assert len(session.exec(select(Customer)).all()) == 47
