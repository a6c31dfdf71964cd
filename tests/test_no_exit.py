"""No input and no store failure closes the desk (issue 13.4).

Every screen is driven with hostile text (markup, a NUL, a lone surrogate, a very long line)
and with a store that fails: the app keeps running, says what failed in one line, keeps what
was typed, and the same action works once the store is back.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, Static

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.models import Customer, Note, SalesOrder, SalesOrderLine
from orderdesk_tui.seed.demo import load_demo
from orderdesk_tui.services import submit
from orderdesk_tui.services.failures import describe_failure, refused_text
from orderdesk_tui.store import Store
from screens.customer_lookup import CustomerLookupScreen
from screens.customer_view import CustomerViewScreen
from screens.dialogs import PickDialog, ReasonDialog
from screens.help import HelpScreen
from screens.order_list import OrderListScreen
from screens.order_view import OrderViewScreen
from screens.queue import QueueScreen
from screens.rma import RmaScreen
from screens.rma_list import RmaListScreen
from screens.rma_new import RmaNewScreen
from tests.conftest import PG_SERVER
from tests.test_order_entry import open_entry, parts_in_stock, settle
from tests.ui import SIZE, burst, make_app, text_of, wait_for

#: Typed as they are: must be shown as typed, never taken as markup.
MARKUP = ["[/]", "[bold]x", "a[/b]c[", "[link=x]y", "[ bold]x", "[$x]", "\\[b]"]
LONG = "W" * 3000
#: Refused at the input with a message.
REFUSED = ["ab\x00c", "x\ud800y"]


def notices(app: OrderDeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


@contextmanager
def failing(store: Store) -> Iterator[None]:
    """Every statement on the store fails as a broken disk or a dropped connection does."""

    def fail(*_args: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    event.listen(store.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(store.engine, "before_cursor_execute", fail)


async def type_into(pilot: Pilot[Any], field: Input, text: str) -> None:
    """Replace what the field holds by `text`, as pasted by the user."""
    field.focus()
    field.value = ""
    await pilot.pause(0.05)
    pilot.app.post_message(events.Paste(text))
    await pilot.pause(0.3)


async def failure_shown(pilot: Pilot[Any], app: OrderDeskApp, action: str) -> None:
    wanted = f"{action} failed: the store did not answer (disk I/O error); try again"
    try:
        await wait_for(pilot, lambda: wanted in notices(app))
    except AssertionError:
        raise AssertionError(f"no notice {wanted!r} in {notices(app)}") from None
    assert app.is_running


# -- the words ---------------------------------------------------------------------------------


def test_refused_text_names_nul_and_lone_surrogates() -> None:
    assert refused_text("ABC-12 [/] ü 中 😀") is None
    assert refused_text("ab\x00c") == "it holds a NUL character (\\x00)"
    assert refused_text("x\ud800y") == "it holds an invalid character (lone surrogate \\ud800)"


def test_failures_in_one_line() -> None:
    locked = OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))
    assert describe_failure(locked) == "the store did not answer (database is locked)"
    assert describe_failure(ValueError("first\nsecond")) == "ValueError: first"
    assert len(describe_failure(RuntimeError("x" * 1000))) < 200
    leaked = OperationalError("", {}, Exception("no route to postgresql://od:s3cret@db/desk"))
    assert "s3cret" not in describe_failure(leaked) and "***" in describe_failure(leaked)


# -- hostile text ------------------------------------------------------------------------------


async def test_search_lists_show_markup_as_typed_and_refuse_nul(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        for key, screen_type, search, count in [
            ("f2", OrderListScreen, "#search", "#orders-count"),
            ("ctrl+r", RmaListScreen, "#rma-search", "#rmas-count"),
        ]:
            await pilot.press(key)
            await wait_for(pilot, lambda t=screen_type: isinstance(app.screen, t))  # type: ignore[misc]
            screen = app.screen
            field = screen.query_one(search, Input)
            for text in [*MARKUP, LONG]:
                await type_into(pilot, field, text)
                label = screen.query_one(count, Static)
                await wait_for(pilot, lambda lb=label, t=text: f"matching '{t}'" in text_of(lb))  # type: ignore[misc]
                assert field.value == text
            await type_into(pilot, field, "kept")
            for text in REFUSED:
                app.post_message(events.Paste(text))
                await pilot.pause(0.1)
                assert field.value == "kept"
            assert any(n.startswith("paste refused: it holds a NUL") for n in notices(app))
            assert any("lone surrogate \\ud800" in n for n in notices(app))
        # typed key by key as well: `[/]` in the order list's search
        await pilot.press("f2", "slash", *"[/]")
        await pilot.pause(0.4)
        assert app.is_running


async def test_every_input_takes_hostile_text_without_closing(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        # the queue's filter: a filter that does not parse says so, the text as typed
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        queue = app.screen
        field = queue.query_one("#queue-filter", Input)
        for text in [*MARKUP, LONG]:
            await type_into(pilot, field, text)
            assert field.value == text
        await type_into(pilot, field, "hold:[/]")
        error = queue.query_one("#filter-error", Static)
        await wait_for(pilot, lambda: "not '[/]'" in text_of(error))
        # the customer lookup
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerLookupScreen))
        lookup = app.screen
        field = lookup.query_one("#needle", Input)
        for text in [*MARKUP, LONG]:
            await type_into(pilot, field, text)
            count = lookup.query_one("#lookup-count", Static)
            await wait_for(pilot, lambda c=count, t=text: f"nothing matches '{t}'" in text_of(c))  # type: ignore[misc]
        # the RMA's find field
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaListScreen))
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaNewScreen))
        field = app.screen.query_one(Input)
        for text in [*MARKUP, LONG]:
            await type_into(pilot, field, text)
            await pilot.press("enter")
            await pilot.pause(0.3)
            assert field.value == text
        # help and the command palette
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        for text in [*MARKUP, "[", "]"]:
            await pilot.press(*text)
            await pilot.pause(0.3)
        app.post_message(events.Paste("ab\x00c"))
        await pilot.pause(0.1)
        await pilot.press("escape")
        assert app.is_running
    assert app.return_code in (None, 0)


async def test_order_entry_takes_hostile_text_and_pastes(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        app.post_message(events.Paste("[/]"))  # pasted into the customer field
        await settle(pilot, screen)
        assert screen.header["customer"].value == "[/]"
        await pilot.press("escape", *"[/]", "enter")  # not a customer: refused, the text kept
        await settle(pilot, screen)
        assert screen.header["customer"].value == "[/]"
        assert "[/]" in text_of(screen.query_one("#message", Static))
        await pilot.press("escape", *"a [/", "enter")  # Rich's escape left this to the parser
        await settle(pilot, screen)
        assert "no customer matches 'A [/'" in text_of(screen.query_one("#message", Static))
        await pilot.press("escape")
        burst(app, "acme01\nPO-H\n\n")  # on the first line's part
        await settle(pilot, screen)
        app.post_message(events.Paste("[/]\n[bold]x\t2\n"))
        await settle(pilot, screen)
        message = text_of(screen.query_one("#message", Static))
        assert "'[/]': no quantity" in message and "[bold]x" in message
        app.post_message(events.Paste("6204\x00\t2"))
        await settle(pilot, screen)
        assert any(n.startswith("paste refused") for n in notices(app))
        assert app.is_running and app.screen is screen


# -- a failing store ---------------------------------------------------------------------------


async def test_lists_and_lookups_say_the_store_failed_and_work_again(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        orders = app.screen
        assert isinstance(orders, OrderListScreen)
        await wait_for(pilot, lambda: orders.table.total > 300)
        field = orders.query_one("#search", Input)
        count = orders.query_one("#orders-count", Static)
        with failing(demo_store):  # the list says so on its count line
            await type_into(pilot, field, "ACME")
            await wait_for(pilot, lambda: "could not read orders" in text_of(count))
            assert "disk I/O error" in text_of(count) and field.value == "ACME"
        await type_into(pilot, field, "ACME01")  # the store is back: the same search works
        await wait_for(pilot, lambda: "matching 'ACME01'" in text_of(count))

        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerLookupScreen))
        lookup = app.screen
        app._notifications.clear()
        with failing(demo_store):
            await pilot.press(*"great")
            await failure_shown(pilot, app, "search")
        assert lookup.query_one("#needle", Input).value == "great"
        await pilot.press("space")
        await wait_for(pilot, lambda: bool(lookup.hits))  # type: ignore[attr-defined]

        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        queue = app.screen
        with failing(demo_store):
            queue.reload()  # type: ignore[attr-defined]
            count = queue.query_one("#queue-count", Static)
            await wait_for(pilot, lambda: "could not read the queue" in text_of(count))
        assert app.is_running

        app._notifications.clear()
        with failing(demo_store):
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: isinstance(app.screen, RmaListScreen))
            await pilot.press("f7")  # next state filter: reads again
            await failure_shown(pilot, app, "reload")
            await pilot.press("f2")
            await wait_for(pilot, lambda: app.screen is orders)
            await pilot.press("f7")
            count = orders.query_one("#orders-count", Static)
            await wait_for(pilot, lambda: "could not read orders" in text_of(count))
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert app.is_running


async def test_detail_screens_say_the_store_failed(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        orders = app.screen
        assert isinstance(orders, OrderListScreen)
        await wait_for(pilot, lambda: orders.table.current is not None)
        with failing(demo_store):
            await pilot.press("enter")
            await wait_for(pilot, lambda: any("disk I/O error" in n for n in notices(app)))
        assert app.is_running
        if isinstance(app.screen, OrderViewScreen):
            await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen is orders)

        await pilot.press("ctrl+l", *"great lakes")
        lookup = app.screen
        await wait_for(pilot, lambda: bool(lookup.hits))  # type: ignore[attr-defined]
        app._notifications.clear()
        with failing(demo_store):
            await pilot.press("enter")
            await wait_for(pilot, lambda: any("disk I/O error" in n for n in notices(app)))
        assert app.is_running
        if isinstance(app.screen, CustomerViewScreen):
            await pilot.press("escape")

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaListScreen))
        rmas = app.screen
        await wait_for(pilot, lambda: rmas.table.current is not None)  # type: ignore[attr-defined]
        app._notifications.clear()
        with failing(demo_store):
            await pilot.press("enter")
            await wait_for(pilot, lambda: any("disk I/O error" in n for n in notices(app)))
        assert app.is_running
        if isinstance(app.screen, RmaScreen):
            await pilot.press("escape")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaListScreen))
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaNewScreen))
        app._notifications.clear()
        with failing(demo_store):
            await pilot.press(*"SO0000194", "enter")
            await wait_for(pilot, lambda: any("disk I/O error" in n for n in notices(app)))
        assert app.screen.query_one(Input).value == "SO0000194"
        assert app.is_running


async def test_entry_with_a_failing_store_keeps_the_order(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        with failing(demo_store):
            burst(app, "acme")
            await pilot.pause(0.8)
            await failure_shown(pilot, app, "matches")
        assert screen.header["customer"].value == "ACME"
        assert app.screen is screen


async def test_f9_while_sqlite_is_locked_says_so_and_submits_after(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: F9 while another terminal holds the write lock past the busy timeout,
    and the store failing inside the submit itself: one line each, the order stays on screen,
    and F9 again submits it."""
    items = parts_in_stock(demo_store, 1)
    store = Store(demo_store.url, busy_timeout_s=0.3)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, f"acme01\nPO-LOCKED-1\n\n{items[0].part_number}\n2\n\n")
        await settle(pilot, screen, 0.5)
        order_id = screen.draft.id
        assert order_id is not None
        message = screen.query_one("#message", Static)
        other = sqlite3.connect(demo_store.url.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("f9")
            await wait_for(pilot, lambda: "(database is locked)" in text_of(message))
            assert app.is_running and app.screen is screen
        finally:
            other.execute("ROLLBACK")
            other.close()

        real_submit = submit.submit_order

        def locked_once(*args: Any, **kwargs: Any) -> Any:
            monkeypatch.setattr(submit, "submit_order", real_submit)
            raise OperationalError(
                "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
            )

        monkeypatch.setattr(submit, "submit_order", locked_once)
        await wait_for(pilot, lambda: screen.unsaved.refusal() is None)  # the save retried
        await pilot.press("f9")
        wanted = "submit failed: the store did not answer (database is locked); try again"
        try:
            await wait_for(pilot, lambda: wanted in notices(app))
        except AssertionError:
            raise AssertionError(f"{notices(app)} {text_of(message)!r}") from None
        assert app.is_running and app.screen is screen
        assert text_of(message) == wanted  # not "submitting…"
        assert screen.header["po"].value == "PO-LOCKED-1"
        assert screen.lines[0].row.part.value == items[0].part_number

        await pilot.press("f9")  # the same key again, once the store answers
        await wait_for(pilot, lambda: app.screen is not screen, timeout=15)
    with demo_store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None and order.state != "draft"
    store.dispose()


@pytest.fixture
def pg_demo_store(pg_store_url: str) -> Iterator[Store]:
    store = Store(pg_store_url)
    load_demo(store, today=date(2026, 11, 27))
    yield store
    store.dispose()


def terminate_backends(url: str) -> int:
    """Cut every connection to this test database, as a PostgreSQL restart does."""
    database = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return len(rows)


async def test_postgresql_connections_cut_during_entry_the_draft_survives(
    pg_demo_store: Store,
) -> None:
    store = pg_demo_store
    items = parts_in_stock(store, 2)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, f"acme01\nPO-PG-CUT\n\n{items[0].part_number}\n2\n")
        await settle(pilot, screen, 0.5)
        assert screen.draft.id is not None
        assert terminate_backends(store.url) >= 1
        burst(app, f"{items[1].part_number}\n3\n\n")
        await settle(pilot, screen, 0.5)
        assert app.is_running and app.screen is screen
        assert screen.header["po"].value == "PO-PG-CUT"
        await pilot.press("f9")
        await wait_for(pilot, lambda: app.screen is not screen, timeout=15)
    with store.session() as session:
        order = session.get(SalesOrder, screen.draft.id)
        assert order is not None and order.state != "draft" and order.customer_po == "PO-PG-CUT"
        lines = session.exec(
            select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
        ).all()
        assert sorted(int(ln.quantity) for ln in lines) == [2, 3]


async def test_a_bug_in_an_action_a_handler_or_a_timer_is_reported_not_fatal(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line: whatever raises is one line naming what failed, and the desk goes on."""

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        orders = app.screen
        assert isinstance(orders, OrderListScreen)
        monkeypatch.setattr(OrderListScreen, "action_next_state", boom)
        await pilot.press("f7")
        await wait_for(
            pilot, lambda: "next state failed: RuntimeError: boom; try again" in notices(app)
        )
        monkeypatch.setattr("screens.order_list.OrderFilter", boom)  # the search's debounce timer
        await pilot.press("slash", *"acme")
        await wait_for(pilot, lambda: "apply failed: RuntimeError: boom; try again" in notices(app))
        monkeypatch.setattr(RmaListScreen, "on_screen_resume", boom)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaListScreen))
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: "screen resume failed: RuntimeError: boom; try again" in notices(app)
        )
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.screen is orders)
        assert orders.query_one("#search", Input).value == "acme"
        entry = await open_entry(pilot, app)
        monkeypatch.setattr(type(entry), "type_ahead_key", boom)  # keys the entry screen takes
        await pilot.press("x")
        await wait_for(
            pilot, lambda: "typing failed: RuntimeError: boom; try again" in notices(app)
        )
        assert app.is_running and app.screen is entry


async def test_stored_text_that_looks_like_markup_is_shown_as_it_is(demo_store: Store) -> None:
    """A customer named `[/] ...`, a PO `[ bold]x`, a note `[$x] [/]`: every screen that
    shows them (tables, headers, lookups) draws them as stored."""

    name, po, body = "[/] Acme [bold]x", "[ bold]PO-1", "[$x] called [/]"
    with demo_store.session() as session:
        order = session.exec(
            select(SalesOrder)
            .where(SalesOrder.state == "acknowledged")
            .order_by(col(SalesOrder.id))
        ).first()
        assert order is not None
        order.customer_po = po
        customer = session.get(Customer, order.customer_id)
        assert customer is not None
        customer.name = name
        session.add(Note(order_id=order.id, customer_id=customer.id, body=body, author="bob"))
        code, number = customer.code, order.number
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        orders = app.screen
        assert isinstance(orders, OrderListScreen)
        await type_into(pilot, orders.query_one("#search", Input), number)
        await wait_for(pilot, lambda: orders.table.total == 1 and orders.table.current)
        row = orders.table.cells(orders.table.current)  # type: ignore[arg-type]
        assert name[:20] in row and po in row
        await pilot.press("enter", "enter")  # leave the search, open the order
        try:
            await wait_for(
                pilot, lambda: isinstance(app.screen, OrderViewScreen) and app.screen.detail
            )
        except AssertionError:
            raise AssertionError(f"{app.screen}: {notices(app)}") from None
        view = app.screen
        header = text_of(view.query_one("#order-header", Static))
        assert name in header and po in header
        for _ in range(3):  # Lines, Holds, Notes
            await pilot.press("tab")
            await pilot.pause(0.2)
        await pilot.pause(0.3)
        assert app.is_running
        await pilot.press("f3")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerLookupScreen))
        lookup = app.screen
        await pilot.press(*code.lower())
        await wait_for(pilot, lambda: bool(lookup.hits))  # type: ignore[attr-defined]
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CustomerViewScreen) and app.screen.view
        )
        header = text_of(app.screen.query_one("#customer-header", Static))
        assert name in header
        for _ in range(5):
            await pilot.press("tab")
            await pilot.pause(0.2)
        assert app.is_running


async def test_dialogs_show_titles_details_and_choices_as_they_are(demo_store: Store) -> None:
    """Dialog texts quote customers, POs and drafts: never markup."""
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(PickDialog("[/] drafts", ["[/] ACME01 [bold]x", "[$x] PO"], "[ b]d"))
        await wait_for(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.pause(0.2)
        dialog = app.screen
        assert text_of(dialog.query_one(".dialog-title", Static)) == "[/] drafts"
        assert text_of(dialog.query_one(".dialog-detail", Static)) == "[ b]d"
        prompts = [str(o.prompt) for o in dialog.query_one("OptionList").options]  # type: ignore[attr-defined]
        assert prompts == ["1  [/] ACME01 [bold]x", "2  [$x] PO"]
        await pilot.press("escape")
        app.push_screen(ReasonDialog("Release [/]", detail="hold on [bold]x"))
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.pause(0.2)
        assert app.is_running
