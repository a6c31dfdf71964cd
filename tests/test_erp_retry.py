"""Sending again what the ERP refused, once the coordinator fixed it: from the order view
(F11), from the queue (F11, also on marked rows) and with `orderdesk sync retry`. Refusals are
made by the real sync engine against the stub ERP (an unknown product); the screen, the store
and the audit trail are checked, and a retry the ERP then accepts clears the ERP hold."""

import json
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual.widgets import Static

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.queue_filter import parse_filter
from orderdesk_tui.erp.sync.engine import SyncEngine
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import (
    AuditEvent,
    Customer,
    Hold,
    SalesOrder,
    SalesOrderLine,
    SyncOutbox,
)
from orderdesk_tui.models.base import HoldKind, OrderState
from orderdesk_tui.services import erp_retry, queue_actions
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.queue import load_queue
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store
from tests.erp_stub import ErpStub, StubConnector
from tests.test_app import open_order_by_po
from tests.test_cli import run
from tests.test_queue_screen import SIZE as QUEUE_SIZE
from tests.test_queue_screen import filter_to, open_queue
from tests.ui import SIZE, make_app, text_of, wait_for


async def push(store: Store, erp: ErpStub, *order_ids: int) -> None:
    """Queue these orders' push_order entries, then one push pass of the real engine."""
    with store.session() as session:
        for order_id in order_ids:
            order = session.get(SalesOrder, order_id)
            assert order is not None
            enqueue(
                session,
                entity="sales_orders",
                entity_id=order_id,
                operation="push_order",
                payload={"number": order.number},
            )
    engine = SyncEngine(store, StubConnector(erp.url, erp.key), settle_s=0.0)
    try:
        await engine.push_once()
    finally:
        await engine.connector.aclose()


def parts_of(store: Store, *order_ids: int) -> frozenset[str]:
    with store.session() as session:
        return frozenset(
            session.exec(
                select(SalesOrderLine.part_number).where(
                    col(SalesOrderLine.order_id).in_(order_ids)
                )
            )
        )


def erp_held_order(store: Store) -> SalesOrder:
    """The demo's order on an ERP hold (HRTL01), its push failed in the outbox."""
    with store.session() as session:
        order = session.exec(
            select(SalesOrder)
            .join(Hold, col(Hold.order_id) == col(SalesOrder.id))
            .where(Hold.kind == HoldKind.ERP, Hold.released_at == None)  # noqa: E711
        ).one()
        return order


def entered_orders(store: Store, count: int) -> list[SalesOrder]:
    """Demo orders entered but never sent to the ERP."""
    with store.session() as session:
        return list(
            session.exec(
                select(SalesOrder)
                .where(SalesOrder.state == OrderState.ENTERED, SalesOrder.erp_id == "")
                .where(SalesOrder.customer_po != "")
                .order_by(col(SalesOrder.id))
                .limit(count)
            )
        )


def outbox_states(store: Store, order_id: int) -> list[str]:
    with store.session() as session:
        return list(
            session.exec(
                select(SyncOutbox.state)
                .where(SyncOutbox.entity == "sales_orders", SyncOutbox.entity_id == order_id)
                .order_by(col(SyncOutbox.id))
            )
        )


def retry_events(store: Store) -> list[AuditEvent]:
    with store.session() as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == "erp.retry")
                .order_by(col(AuditEvent.id))
            )
        )


def open_erp_holds(store: Store, order_id: int) -> list[Hold]:
    with store.session() as session:
        return list(
            session.exec(
                select(Hold).where(
                    Hold.order_id == order_id,
                    Hold.kind == HoldKind.ERP,
                    Hold.released_at == None,  # noqa: E711
                )
            )
        )


def messages(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_order_view_shows_what_the_erp_refused_and_f11_sends_it_again(
    demo_store: Store,
) -> None:
    order = erp_held_order(demo_store)
    assert order.id is not None
    # the demo's push was refused: failed in the outbox with the ERP's answer
    assert outbox_states(demo_store, order.id) == ["failed"]
    locked = "customer record is locked in the ERP (HTTP 409)"

    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_order_by_po(pilot, app, order.customer_po)
        header = view.query_one("#order-header", Static)
        assert "ERP refused push_order: " in text_of(header) and locked in text_of(header)
        assert "fix it, then F11 sends it again" in text_of(header)

        await pilot.press("f11")
        said = (
            f"{order.number}: 1 failed ERP entry re-queued (push_order); "
            "the ERP hold clears when the ERP accepts the order"
        )
        await wait_for(pilot, lambda: said in messages(app))
        await wait_for(pilot, lambda: "ERP refused" not in text_of(header))
        assert "HOLD: erp" in text_of(header)  # until the ERP takes it

        await pilot.press("f11")  # again: nothing failed any more, and it says why
        await wait_for(
            pilot,
            lambda: (
                f"nothing failed for {order.number}: nothing to retry "
                "(1 ERP entry waits to be sent)" in messages(app)
            ),
        )

    assert outbox_states(demo_store, order.id) == ["pending"]
    [event] = retry_events(demo_store)
    assert (event.actor, event.order_id, event.reason) == ("alice", order.id, "push_order")
    assert json.loads(event.changes) == {"state": ["failed", "pending"]}

    # refused again, for another reason: the hold now says what the ERP said this time (the
    # queue shows the hold's reason), audited as a change of the hold
    [part, *_] = sorted(parts_of(demo_store, order.id))
    with ErpStub(unknown_products=frozenset({part})) as erp:
        await push(demo_store, erp)
    assert outbox_states(demo_store, order.id) == ["failed"]
    [hold] = open_erp_holds(demo_store, order.id)
    assert part in hold.reason and locked not in hold.reason
    with demo_store.session() as session:
        restated = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "hold.reason", AuditEvent.entity_id == hold.id
            )
        ).one()
    assert part in json.loads(restated.changes)["reason"][1]

    erp_retry.retry_order(demo_store, order.id, actor=ensure_user(demo_store, "alice"))
    with ErpStub() as erp:  # fixed in the ERP: the retried entry goes, the hold clears
        await push(demo_store, erp)
        assert [s.reference for s in erp.sales] == [order.number]
    assert outbox_states(demo_store, order.id) == ["done"]
    assert open_erp_holds(demo_store, order.id) == []


async def test_queue_f11_retries_the_row_and_every_marked_row(demo_store: Store) -> None:
    demo_held = erp_held_order(demo_store)
    first, second = entered_orders(demo_store, 2)
    assert first.id and second.id and demo_held.id
    with ErpStub(unknown_products=parts_of(demo_store, first.id, second.id)) as erp:
        await push(demo_store, erp, first.id, second.id)
    assert outbox_states(demo_store, first.id) == outbox_states(demo_store, second.id) == ["failed"]

    app = make_app(demo_store)
    async with app.run_test(size=QUEUE_SIZE) as pilot:
        screen = await open_queue(pilot, app)
        await filter_to(pilot, screen, f"hold:erp {first.number}")
        await wait_for(pilot, lambda: [i.number for i in screen.table.rows] == [first.number])
        detail = text_of(screen.query_one("#queue-detail", Static))
        assert "erp hold: ERP refused: The product" in detail

        await pilot.press("f11")
        await wait_for(
            pilot,
            lambda: any(m.startswith(f"{first.number}: 1 failed ERP entry") for m in messages(app)),
        )
        assert outbox_states(demo_store, first.id) == ["pending"]

        await filter_to(pilot, screen, "hold:erp")
        await wait_for(pilot, lambda: len(screen.table.rows) == 3)
        await pilot.press("ctrl+a", "f11")
        # each order on its own: two re-queued, the one retried already says nothing failed
        await wait_for(
            pilot,
            lambda: any(
                m.startswith("ERP entries re-queued")
                and f"2 done, 1 not done (first: nothing failed for {first.number}" in m
                for m in messages(app)
            ),
        )
        await wait_for(pilot, lambda: not screen.table.marked)

        await filter_to(pilot, screen, "kind:draft")  # no ERP hold here: nothing is done
        await pilot.press("f11")
        await wait_for(pilot, lambda: "no ERP hold or refused mail here" in " ".join(messages(app)))

    assert outbox_states(demo_store, second.id) == ["pending"]
    assert outbox_states(demo_store, demo_held.id) == ["pending"]
    events = retry_events(demo_store)
    assert (events[0].actor, events[0].order_id) == ("alice", first.id)
    assert sorted(e.order_id or 0 for e in events[1:]) == sorted([second.id, demo_held.id])


def test_sync_retry_command(tmp_path: Path, demo_store: Store) -> None:
    """`orderdesk sync retry`: what it re-queued, and a clear line for an unknown order, an
    order with nothing failed, and a customer; `sync status` says how to retry."""
    store = demo_store
    order = entered_orders(store, 1)[0]
    assert order.id is not None
    with store.session() as session:
        entry = enqueue(
            session,
            entity="sales_orders",
            entity_id=order.id,
            operation="push_order",
            payload={"number": order.number},
        )
        entry.state, entry.last_error = "failed", 'The product "X-1" is not salable.'
        session.add(entry)
    db = str(store.url)

    status = run(tmp_path, "--db", db, "sync", "status")
    assert status.returncode == 0
    assert f'failed: {order.number} push_order: The product "X-1" is not salable.' in status.stdout
    assert (
        "once fixed, send them again: orderdesk sync retry ORDER (or --customer CODE); "
        "F11 in the order view does the same" in status.stdout
    )

    done = run(
        tmp_path,
        "--db",
        db,
        "--user",
        "bob",
        "sync",
        "retry",
        order.number.lower(),
        stdin="bob-demo\n",  # bob's demo desk password (README)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"retry: {order.number}: 1 failed ERP entry re-queued (push_order); "
        "the ERP hold clears when the ERP accepts the order",
        're-queued: push_order (the ERP said: The product "X-1" is not salable.)',
        "the next sync pass sends them: orderdesk sync push, or the app's sync",
    ]
    assert outbox_states(store, order.id) == ["pending"]
    [event] = retry_events(store)
    assert (event.actor, event.order_id) == ("bob", order.id)

    again = run(tmp_path, "--db", db, "sync", "retry", order.number)
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.strip() == (
        f"orderdesk: nothing failed for {order.number}: nothing to retry "
        "(1 ERP entry waits to be sent)"
    )

    unknown = run(tmp_path, "--db", db, "sync", "retry", "SO9999999")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "orderdesk: order 'SO9999999': no such order number"

    customer = run(tmp_path, "--db", db, "sync", "retry", "--customer", "acme01")
    assert customer.returncode == 1
    assert customer.stderr.strip() == (
        "orderdesk: nothing failed for customer ACME01: nothing to retry "
        "(no ERP entry waits either)"
    )
    nobody = run(tmp_path, "--db", db, "sync", "retry", "--customer", "NOPE99")
    assert nobody.returncode == 2
    assert nobody.stderr.strip() == "orderdesk: customer 'NOPE99': no such customer code"

    neither = run(tmp_path, "--db", db, "sync", "retry")
    assert neither.returncode == 2 and "ORDER --customer" in neither.stderr.replace("|", "")
    assert len(retry_events(store)) == 1


async def test_the_retry_key_moved_in_bindings_toml_is_the_one_the_header_names(
    demo_store: Store, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "bindings.toml").write_text('"order.erp_retry" = "f12"\n', encoding="utf-8")
    order = erp_held_order(demo_store)
    assert order.id is not None
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_order_by_po(pilot, app, order.customer_po)
        header = view.query_one("#order-header", Static)
        assert "fix it, then F12 sends it again" in text_of(header)
        await pilot.press("f12")
        await wait_for(pilot, lambda: "ERP refused" not in text_of(header))
    assert outbox_states(demo_store, order.id) == ["pending"]


def test_a_customers_failed_entries_are_retried_without_an_order(store: Store) -> None:
    alice = ensure_user(store, "alice")
    with store.session() as session:
        customer = Customer(code="COAST01", name="Coastal Hydraulics Inc.")
        session.add(customer)
        session.flush()
        assert customer.id is not None
        for operation in ("push_customer", "push_address"):
            entry = enqueue(
                session,
                entity="customers",
                entity_id=customer.id,
                operation=operation,
                payload={"code": "COAST01"},
            )
            entry.state, entry.last_error = "failed", "tax id: invalid check digit"
        customer_id = customer.id

    retried = erp_retry.retry_customer(store, " coast01 ", actor=alice)
    assert retried.summary == (
        "customer COAST01: 2 failed ERP entries re-queued (push_customer, push_address); "
        "sent on the next sync pass"
    )
    assert {e.error for e in retried.entries} == {"tax id: invalid check digit"}
    with store.session() as session:
        states = session.exec(
            select(SyncOutbox.state).where(SyncOutbox.entity_id == customer_id)
        ).all()
    assert states == ["pending", "pending"]
    [event] = retry_events(store)
    assert (event.actor, event.order_id, event.entity) == ("alice", None, "sync_outbox")
    assert event.reason == "push_customer, push_address"
    with pytest.raises(erp_retry.NothingFailed, match="2 ERP entries wait to be sent"):
        erp_retry.retry_customer(store, "COAST01", actor=alice)


def test_the_queue_retries_only_an_order_on_an_erp_hold(demo_store: Store) -> None:
    alice = ensure_user(demo_store, "alice")
    queue = load_queue(demo_store, Settings().sla)
    credit = queue.visible(parse_filter("hold:credit -hold:erp"), "alice")[0]
    with pytest.raises(RuleViolation, match=f"{credit.number} is not on an ERP hold"):
        queue_actions.retry_erp(demo_store, credit, actor=alice)
    assert retry_events(demo_store) == []
    [held] = queue.visible(parse_filter("hold:erp"), "alice")
    assert (
        "1 failed ERP entry re-queued"
        in queue_actions.retry_erp(demo_store, held, actor=alice).summary
    )
    with pytest.raises(erp_retry.NothingFailed, match="1 ERP entry waits to be sent"):
        queue_actions.retry_erp(demo_store, held, actor=alice)
    assert len(retry_events(demo_store)) == 1
