"""The queue service on both stores: what lands in the queue and why, and the actions on it
(take, snooze, escalate, release, note, callbacks, bulk) with their version checks and audit."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from orderdesk_tui.config import SlaSettings
from orderdesk_tui.domain.queue_filter import parse_filter
from orderdesk_tui.domain.queue_items import QueueItem, Subject
from orderdesk_tui.errors import PermissionDenied, RuleViolation, StaleEdit
from orderdesk_tui.models import (
    RMA,
    AuditEvent,
    Customer,
    Hold,
    Note,
    QueueState,
    SalesOrder,
    SalesOrderLine,
    User,
)
from orderdesk_tui.models.base import HoldKind, OrderState, Priority, Role
from orderdesk_tui.services import queue_actions
from orderdesk_tui.services.order_actions import release_hold
from orderdesk_tui.services.queue import QueueReader, load_queue
from orderdesk_tui.services.queue_actions import QueueItemChanged
from orderdesk_tui.store import Store
from tests.approvals import override_by
from tests.sql_statements import recorded_statements

SLA = SlaSettings(timezone="America/Chicago")
#: Friday 2026-11-27, 10:00 in Chicago.
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
ALICE = User(name="alice", role=Role.COORDINATOR)
BOB = User(name="bob", role=Role.COORDINATOR)
SAM = User(name="sam", role=Role.SUPERVISOR)


@dataclass
class World:
    ids: dict[str, int]


def _order(
    session, customer: Customer, number: str, state: str, total: str, **kw: object
) -> SalesOrder:  # type: ignore[no-untyped-def]
    order = SalesOrder(
        number=number,
        customer_id=customer.id or 0,
        state=state,
        total=Decimal(total),
        created_at=kw.pop("created_at", NOW - timedelta(days=3)),  # type: ignore[arg-type]
        **kw,
    )
    session.add(order)
    session.flush()
    return order


def _world(store: Store) -> World:
    ids: dict[str, int] = {}
    with store.session() as session:
        session.add_all([User(name="alice"), User(name="bob"), User(name="sam", role="supervisor")])
        acme = Customer(code="ACME01", name="Acme Industrial Supply", service_tier="gold")
        bolt = Customer(code="BOLT02", name="Bolt & Nut Wholesale", service_tier="standard")
        session.add_all([acme, bolt])
        session.flush()
        # a draft received yesterday at 15:00 Chicago: gold entry SLA (2h) long gone
        draft = _order(
            session,
            acme,
            "SO0000001",
            OrderState.DRAFT,
            "1200.00",
            received_at=datetime(2026, 11, 26, 21, 0, tzinfo=UTC),
        )
        # entered 09:30 today (Chicago), not acknowledged: 30 min used of a 4h gold ack SLA
        fresh = _order(
            session,
            acme,
            "SO0000002",
            OrderState.ENTERED,
            "800.00",
            entered_at=datetime(2026, 11, 27, 15, 30, tzinfo=UTC),
        )
        # entered yesterday 14:00 Chicago: 3h yesterday + 2h today = 5h of a 4h SLA: late
        late = _order(
            session,
            acme,
            "SO0000003",
            OrderState.ENTERED,
            "64000.00",
            entered_at=datetime(2026, 11, 26, 20, 0, tzinfo=UTC),
        )
        held = _order(
            session,
            bolt,
            "SO0000004",
            OrderState.ON_HOLD,
            "5200.00",
            entered_at=NOW - timedelta(hours=1),
            acknowledged_at=NOW - timedelta(minutes=30),
        )
        credit = Hold(
            order_id=held.id or 0, kind=HoldKind.CREDIT, reason="over limit", raised_by="x"
        )
        stock = Hold(order_id=held.id or 0, kind=HoldKind.STOCK, reason="short", raised_by="x")
        rush = _order(
            session,
            bolt,
            "SO0000005",
            OrderState.ACKNOWLEDGED,
            "90.00",
            priority=Priority.RUSH,
            entered_at=NOW - timedelta(hours=2),
            acknowledged_at=NOW - timedelta(hours=1),
        )
        backorder = _order(
            session,
            bolt,
            "SO0000006",
            OrderState.RELEASED,
            "450.00",
            entered_at=NOW - timedelta(days=9),
            acknowledged_at=NOW - timedelta(days=9),
        )
        session.add(
            SalesOrderLine(
                order_id=backorder.id or 0,
                line_no=1,
                quantity=Decimal("10"),
                quantity_backordered=Decimal("4"),
                last_promised_date=date(2026, 11, 25),
            )
        )
        on_time = _order(
            session,
            bolt,
            "SO0000007",
            OrderState.RELEASED,
            "450.00",
            entered_at=NOW - timedelta(days=1),
            acknowledged_at=NOW - timedelta(days=1),
        )
        session.add(
            SalesOrderLine(
                order_id=on_time.id or 0,
                line_no=1,
                quantity=Decimal("10"),
                quantity_backordered=Decimal("4"),
                last_promised_date=date(2026, 12, 4),
            )
        )
        rmas = [
            RMA(number=f"RMA000000{n}", customer_id=bolt.id or 0, state=state)
            for n, state in enumerate(["requested", "received", "authorised", "closed"], 1)
        ]
        session.add_all([credit, stock, *rmas])
        due = Note(
            customer_id=bolt.id,
            order_id=rush.id,
            body="call Pat about the truck",
            author="bob",
            callback_at=NOW - timedelta(minutes=5),
        )
        later = Note(customer_id=bolt.id, body="x", author="bob", callback_at=NOW + timedelta(1))
        made = Note(
            customer_id=bolt.id, body="y", author="bob", callback_at=NOW, callback_done=True
        )
        session.add_all([due, later, made])
        session.flush()
        for name, row in [
            ("draft", draft),
            ("fresh", fresh),
            ("late", late),
            ("held", held),
            ("credit", credit),
            ("stock", stock),
            ("rush", rush),
            ("backorder", backorder),
            ("rma_requested", rmas[0]),
            ("rma_received", rmas[1]),
            ("callback", due),
        ]:
            ids[name] = row.id or 0
    return World(ids)


def _queue(store: Store, text: str = "", user: str = "alice") -> list[QueueItem]:
    return load_queue(store, SLA, NOW).visible(parse_filter(text), user)


def _item(store: Store, number: str) -> QueueItem:
    return next(i for i in load_queue(store, SLA, NOW).items if i.number == number)


def test_the_queue_holds_everything_needing_a_person_and_why(store: Store) -> None:
    _world(store)
    items = {i.number: i for i in _queue(store) if i.subject != Subject.NOTE}
    assert {n: i.reason_text for n, i in items.items()} == {
        "SO0000001": "draft incomplete",
        "SO0000003": "ack SLA late",
        "SO0000004": "credit hold, stock hold",
        "SO0000005": "RUSH",
        "SO0000006": "backorder past promise",
        "RMA0000001": "RMA needs authorisation",
        "RMA0000002": "RMA needs inspection",
    }
    # the rush order and its due callback are two items: the callback is a promise to keep
    assert [(i.subject, i.number) for i in _queue(store, "rush")] == [(Subject.ORDER, "SO0000005")]
    callbacks = _queue(store, "kind:callback")
    assert [(c.number, c.reason_text, c.note_text) for c in callbacks] == [
        ("SO0000005", "callback promised by bob", "call Pat about the truck")
    ]
    late = items["SO0000003"]
    assert late.sla is not None and late.sla.left_s == -3600  # 5 business hours of 4
    draft = items["SO0000001"]
    assert draft.sla is not None and draft.sla.kind == "entry" and draft.sla.breached
    # the order entered at 09:30 has 3h30 of its 4h left: not yet the queue's business
    assert "SO0000002" not in items
    ranked = [i.number for i in _queue(store)]
    # a rush order not yet released jumps the queue, on its own SLA (2 business hours)
    assert ranked[0] == "SO0000005"
    rush = items["SO0000005"].sla
    assert rush is not None and rush.kind == "rush" and rush.total_s == 2 * 3600
    assert ranked[1] == "SO0000003"  # late, gold, 64k
    assert items["SO0000003"].priority.reasons[:3] == (
        "ack SLA late 1h00m",
        "gold customer",
        "value 64k",
    )


def test_gathering_is_set_based(store: Store) -> None:
    """The number of statements does not grow with the number of items."""
    _world(store)
    with recorded_statements(store) as statements:
        before = len(load_queue(store, SLA, NOW).items)
        few = len(statements)
        with store.session() as session:
            bolt = session.exec(select(Customer).where(Customer.code == "BOLT02")).one()
            for n in range(40):
                session.add(
                    SalesOrder(number=f"SO1{n:06d}", customer_id=bolt.id or 0, state="draft")
                )
        statements.clear()
        assert len(load_queue(store, SLA, NOW).items) == before + 40
        assert len(statements) == few


def test_take_is_versioned_and_audited_and_a_second_taker_is_told(store: Store) -> None:
    _world(store)
    seen_by_alice = _item(store, "SO0000004")
    seen_by_bob = _item(store, "SO0000004")
    queue_actions.take(store, seen_by_alice, actor=ALICE)
    with pytest.raises(QueueItemChanged, match=r"SO0000004 changed since you read it \(taken by"):
        queue_actions.take(store, seen_by_bob, actor=BOB)
    now_seen = _item(store, "SO0000004")
    assert (now_seen.assignee, now_seen.state_version) == ("alice", 1)
    assert [i.number for i in _queue(store, "mine")] == ["SO0000004"]
    assert _queue(store, "mine", user="bob") == []
    # bob reads again and takes it over: allowed, and the audit says from whom
    queue_actions.take(store, now_seen, actor=BOB)
    with store.session() as session:
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "queue_states")
            .order_by(col(AuditEvent.id))
        ).all()
    assert [(e.actor, e.action) for e in events] == [
        ("alice", "queue.take"),
        ("bob", "queue.take"),
    ]
    assert json.loads(events[1].changes)["assignee"] == ["alice", "bob"]
    assert events[0].order_id == seen_by_alice.order_id


def test_snooze_hides_until_the_time_and_escalate_needs_a_reason(store: Store) -> None:
    _world(store)
    item = _item(store, "SO0000006")
    until = max(datetime.now(UTC), NOW) + timedelta(hours=2)
    queue_actions.snooze(store, item, until, actor=ALICE)
    assert "SO0000006" not in [i.number for i in _queue(store)]
    assert [i.number for i in _queue(store, "snoozed")] == ["SO0000006"]
    snoozed = _item(store, "SO0000006")
    assert snoozed.snoozed_until == until
    later = load_queue(store, SLA, until + timedelta(seconds=1))
    assert "SO0000006" in [i.number for i in later.visible(parse_filter(""), "alice")]
    with pytest.raises(RuleViolation, match="already passed"):
        queue_actions.snooze(store, snoozed, datetime.now(UTC) - timedelta(1), actor=ALICE)
    with pytest.raises(RuleViolation, match="escalated with a reason"):
        queue_actions.escalate(store, snoozed, "  ", actor=ALICE)
    queue_actions.escalate(store, snoozed, "customer line down", actor=ALICE)
    escalated = _item(store, "SO0000006")
    assert escalated.escalated and "escalated" in escalated.priority.reasons
    assert escalated.priority.score > snoozed.priority.score
    with store.session() as session:
        row = session.exec(select(QueueState)).one()
    assert (row.escalated_by, row.escalation_reason, row.version) == (
        "alice",
        "customer line down",
        2,
    )


def test_releasing_a_hold_from_the_queue_follows_the_hold_rules(store: Store) -> None:
    world = _world(store)
    item = _item(store, "SO0000004")
    credit = next(h for h in item.holds if h.kind == "credit")
    stock = next(h for h in item.holds if h.kind == "stock")
    with pytest.raises(RuleViolation, match="released with a reason"):
        release_hold(store, stock.id, expected_version=stock.version, actor=ALICE, reason="")
    with pytest.raises(PermissionDenied, match="credit hold is for supervisors"):
        release_hold(store, credit.id, expected_version=credit.version, actor=ALICE, reason="ok")
    release_hold(store, stock.id, expected_version=stock.version, actor=ALICE, reason="arrived")
    # bob still has the stock hold at the version he read: told it changed
    with pytest.raises(RuleViolation, match="already released by alice"):
        release_hold(store, stock.id, expected_version=stock.version, actor=BOB, reason="x")
    release_hold(
        store,
        credit.id,
        expected_version=credit.version,
        actor=ALICE,
        reason="paid",
        approval=override_by(store, "sam"),
    )
    assert "SO0000004" not in [i.number for i in _queue(store)]
    with store.session() as session:
        order = session.get(SalesOrder, world.ids["held"])
        assert order is not None and order.state == OrderState.ENTERED


def test_notes_from_the_queue_never_conflict_and_callbacks_close(store: Store) -> None:
    world = _world(store)
    item = _item(store, "RMA0000001")
    queue_actions.add_note(store, item, "phone", "asked for photos", actor=ALICE)
    queue_actions.add_note(store, item, "phone", "photos received", actor=BOB)
    callback = _queue(store, "kind:callback")[0]
    queue_actions.callback_done(store, callback, actor=BOB)
    assert _queue(store, "kind:callback") == []
    with pytest.raises(StaleEdit, match="changed since you read it"):
        queue_actions.callback_done(store, callback, actor=ALICE)
    with store.session() as session:
        notes = session.exec(
            select(Note).where(Note.body.in_(["asked for photos", "photos received"]))
        ).all()  # type: ignore[attr-defined]
        assert len(notes) == 2 and {n.customer_id for n in notes} == {item.customer_id}
        note = session.get(Note, world.ids["callback"])
        assert note is not None and note.callback_done


def test_bulk_actions_do_what_they_can_and_report_the_rest(store: Store) -> None:
    _world(store)
    items = _queue(store, "cust:BOLT")
    queue_actions.take(store, items[1], actor=BOB)  # bob gets one first
    outcome = queue_actions.for_each(
        items, lambda item: queue_actions.take(store, item, actor=ALICE)
    )
    assert len(outcome.done) == len(items) - 1
    assert [i.number for i, _ in outcome.refused] == [items[1].number]
    assert "taken by bob" in outcome.refused[0][1]
    assert outcome.summary.startswith(f"{len(items) - 1} done, 1 not done (first: ")
    mine = {i.number for i in _queue(store, "mine")}
    assert mine == {i.number for i in items} - {items[1].number}


def test_a_reader_rebuilds_only_what_changed(store: Store) -> None:
    world = _world(store)
    reader = QueueReader(store, SLA)
    first = {i.key: i for i in reader.read(NOW).items}
    held = (Subject.ORDER, world.ids["held"])
    queue_actions.take(store, first[held], actor=ALICE)
    second = {i.key: i for i in reader.read(NOW + timedelta(seconds=5)).items}
    assert second[held].assignee == "alice" and second[held] is not first[held]
    assert all(second[key] is first[key] for key in first if key != held)
    # a hold released (order rows read again in full): only that order is built again
    release_hold(store, world.ids["stock"], expected_version=1, actor=ALICE, reason="arrived")
    third = {i.key: i for i in reader.read(NOW + timedelta(seconds=10)).items}
    assert third[held].reason_text == "credit hold" and third[held].assignee == "alice"
    assert all(third[key] is second[key] for key in second if key != held)
    second = third
    # past the rescore time the running clocks are built again; the rest stays as it was
    later = {i.key: i for i in reader.read(NOW + timedelta(minutes=5)).items}
    draft = (Subject.ORDER, world.ids["draft"])
    backorder = (Subject.ORDER, world.ids["backorder"])
    assert later[draft] is not second[draft]
    assert later[draft].sla.left_s == second[draft].sla.left_s - 300  # type: ignore[union-attr]
    assert later[backorder] is second[backorder]
    # the unacknowledged order with time to spare falls due when its clock says so
    fresh = (Subject.ORDER, world.ids["fresh"])
    assert fresh not in later
    due = {i.key: i for i in reader.read(NOW + timedelta(hours=2, minutes=40)).items}
    assert due[fresh].reason_text == "ack SLA due"


def test_an_rma_waits_on_us_since_it_reached_its_state(store: Store) -> None:
    _world(store)
    with store.immediate() as session:
        rma = session.exec(select(RMA).where(RMA.number == "RMA0000002")).one()
        rma.received_at = NOW - timedelta(days=5)
        rma.state_changed_at = NOW - timedelta(hours=1)  # inspected an hour ago, say
        rma.state = "inspected"
        session.add(rma)
    assert _item(store, "RMA0000002").since == NOW - timedelta(hours=1)
    with store.immediate() as session:
        rma = session.exec(select(RMA).where(RMA.number == "RMA0000002")).one()
        rma.state_changed_at = None  # a row from before the column: its dates are used
        session.add(rma)
    assert _item(store, "RMA0000002").since == NOW - timedelta(days=5)
