"""Change requests in the work queue: an inbound EDI 860 nobody has handled yet is an item of
its own (kind `change`), clocked like an acknowledgement from its receipt, on both stores; the
queue's actions work on it; Enter opens the order it changes."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select
from textual.widgets import Input, Static

from orderdesk_tui.config import SlaSettings
from orderdesk_tui.domain.queue_filter import FilterSyntaxError, parse_filter
from orderdesk_tui.domain.queue_items import QueueItem, Subject
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import AuditEvent, Customer, EDIDocument, QueueState, SalesOrder, User
from orderdesk_tui.models.base import OrderState, Role
from orderdesk_tui.services import queue_actions
from orderdesk_tui.services.queue import QueueReader, load_queue
from orderdesk_tui.store import Store
from screens.order_view import OrderViewScreen
from screens.queue import QueueScreen
from tests.sql_statements import recorded_statements
from tests.ui import SIZE, make_app, text_of, wait_for

SLA = SlaSettings(timezone="America/Chicago")
#: Friday 2026-11-27, 10:00 in Chicago (the desk opens at 08:00).
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
ALICE = User(name="alice", role=Role.COORDINATOR)


@dataclass
class Changes:
    fresh: int
    late: int
    unreadable: int
    handled: int
    order_ids: dict[str, int]


def _doc(**kw: object) -> EDIDocument:
    values: dict[str, object] = {
        "direction": "in",
        "transaction_set": "860",
        "partner_id": "GLMROSUPPLY",
        "raw": "ISA*00*…~",
    }
    values.update(kw)
    return EDIDocument(**values)  # type: ignore[arg-type]


def _changes(store: Store) -> Changes:
    """A gold EDI customer with two acknowledged orders, four 860s and an 850 not yet read."""
    with store.session() as session:
        glms = Customer(code="GLMS01", name="Great Lakes MRO", service_tier="gold")
        session.add(glms)
        session.flush()
        orders = {}
        for number, total in (("SO0000011", "12500.00"), ("SO0000012", "640.00")):
            order = SalesOrder(
                number=number,
                customer_id=glms.id or 0,
                state=OrderState.ACKNOWLEDGED,
                total=Decimal(total),
                entered_at=NOW - timedelta(days=2),
                acknowledged_at=NOW - timedelta(days=2),
            )
            session.add(order)
            orders[number] = order
        session.flush()
        big, small = orders["SO0000011"].id, orders["SO0000012"].id
        # received today 08:30 Chicago: 1h30 of the 4h gold ack SLA used
        fresh = _doc(customer_id=glms.id, order_id=small, received_at=NOW - timedelta(hours=1.5))
        # received yesterday 14:00 Chicago: 3h yesterday + 2h today = 5h of 4h: an hour late
        late = _doc(
            customer_id=glms.id,
            order_id=big,
            state="parsed",
            received_at=datetime(2026, 11, 26, 20, 0, tzinfo=UTC),
        )
        # could not be read: no order to tie it to, but the customer is known from the partner
        unreadable = _doc(
            customer_id=glms.id,
            state="error",
            error="BCH03 GL011-99999: no open order with this PO\nsegment 2",
            received_at=NOW - timedelta(minutes=20),
        )
        handled = _doc(
            customer_id=glms.id,
            order_id=big,
            state="acknowledged",
            received_at=NOW - timedelta(days=1),
            processed_at=NOW - timedelta(hours=20),
        )
        new_po = _doc(transaction_set="850", customer_id=glms.id, received_at=NOW)
        sent = _doc(direction="out", transaction_set="860", state="received", received_at=NOW)
        session.add_all([fresh, late, unreadable, handled, new_po, sent])
        session.flush()
        return Changes(
            fresh=fresh.id or 0,
            late=late.id or 0,
            unreadable=unreadable.id or 0,
            handled=handled.id or 0,
            order_ids={"SO0000011": big or 0, "SO0000012": small or 0},
        )


def _listed(store: Store, text: str = "kind:change", now: datetime = NOW) -> list[QueueItem]:
    return load_queue(store, SLA, now).visible(parse_filter(text), "alice")


def test_an_unhandled_860_is_a_change_request_with_the_ack_sla(store: Store) -> None:
    ids = _changes(store)
    items = _listed(store, "")
    assert all(i.subject == Subject.CHANGE for i in items)  # the orders themselves need nobody
    unreadable_why = "change unreadable: BCH03 GL011-99999: no open order with this PO"
    # most urgent first: the late one; then the one with the bigger share of its SLA used
    assert [(i.subject_id, i.number, i.reason_text) for i in items] == [
        (ids.late, "SO0000011", "change requested"),
        (ids.fresh, "SO0000012", "change requested"),
        (ids.unreadable, f"860 #{ids.unreadable}", unreadable_why),
    ]
    late, fresh, unreadable = items
    assert late.sla is not None and late.sla.kind == "ack" and late.sla.left_s == -3600
    assert fresh.sla is not None and fresh.sla.left_s == 9000 and not fresh.sla.breached
    assert unreadable.sla is not None and unreadable.sla.left_s == 4 * 3600 - 20 * 60
    assert (late.order_id, late.value, late.tier, late.customer_code) == (
        ids.order_ids["SO0000011"],
        Decimal("12500.00"),
        "gold",
        "GLMS01",
    )
    assert late.order_state == OrderState.ACKNOWLEDGED
    assert (unreadable.order_id, unreadable.customer_code, unreadable.value) == (
        None,
        "GLMS01",
        Decimal("0.00"),
    )
    assert late.priority.reasons == (
        "ack SLA late 1h00m",
        "gold customer",
        "value 12k",
        "change requested",
    )
    assert fresh.priority.reasons[-1] == "change requested"
    assert late.since == datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


def test_a_handled_860_leaves_the_queue(store: Store) -> None:
    ids = _changes(store)
    assert ids.handled not in {i.subject_id for i in _listed(store)}
    reader = QueueReader(store, SLA)
    assert ids.fresh in {i.subject_id for i in reader.read(NOW).items}
    with store.session() as session:
        doc = session.get(EDIDocument, ids.fresh)
        assert doc is not None
        doc.state, doc.processed_at = "acknowledged", NOW
        session.add(doc)
    assert ids.fresh not in {i.subject_id for i in reader.read(NOW + timedelta(seconds=5)).items}


def test_the_filter_finds_change_requests(store: Store) -> None:
    ids = _changes(store)
    assert {i.subject_id for i in _listed(store, "kind:change")} == {
        ids.fresh,
        ids.late,
        ids.unreadable,
    }
    assert _listed(store, "-kind:change") == []
    assert [i.subject_id for i in _listed(store, "kind:change sla:breached")] == [ids.late]
    assert [i.subject_id for i in _listed(store, "unreadable")] == [ids.unreadable]
    assert [i.subject_id for i in _listed(store, "kind:change >500 <1000 cust:great")] == [
        ids.fresh
    ]
    with pytest.raises(FilterSyntaxError, match="did you mean 'change'"):
        parse_filter("kind:chnage")


def test_the_queue_actions_work_on_a_change_request(store: Store) -> None:
    ids = _changes(store)
    with store.session() as session:
        session.add(User(name="alice"))
    reader = QueueReader(store, SLA)
    item = next(i for i in reader.read(NOW).items if i.subject_id == ids.fresh)
    queue_actions.take(store, item, actor=ALICE)
    # the next read (within the rescoring interval) shows who has it, only on that item
    taken = {i.subject_id: i for i in reader.read(NOW + timedelta(seconds=5)).items}
    assert taken[ids.fresh].assignee == "alice"
    assert taken[ids.late].assignee == ""
    queue_actions.escalate(store, taken[ids.fresh], "buyer on the phone", actor=ALICE)
    note = queue_actions.add_note(store, taken[ids.fresh], "phone", "new qty ok", actor=ALICE)
    assert note.order_id == ids.order_ids["SO0000012"]
    with pytest.raises(RuleViolation, match="is not a callback"):
        queue_actions.callback_done(store, taken[ids.fresh], actor=ALICE)
    with store.session() as session:
        state = session.exec(select(QueueState)).one()
        assert (state.subject, state.subject_id, state.assignee) == ("change", ids.fresh, "alice")
        assert state.escalated_by == "alice"
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "queue_states")
            .order_by(col(AuditEvent.id))
        ).all()
        assert [(e.action, e.order_id) for e in events] == [
            ("queue.take", ids.order_ids["SO0000012"]),
            ("queue.escalate", ids.order_ids["SO0000012"]),
        ]
        # nothing the queue did marks the 860 as handled: that is the EDI document's own step
        doc = session.get(EDIDocument, ids.fresh)
        assert doc is not None and doc.state == "received" and doc.processed_at is None
    escalated = next(i for i in _listed(store) if i.subject_id == ids.fresh)
    assert escalated.escalated and escalated.priority.reasons[1] == "escalated"


def test_change_requests_are_read_in_one_statement(store: Store) -> None:
    """Forty more 860s cost no more statements than three."""
    _changes(store)
    with recorded_statements(store) as statements:
        before = len(load_queue(store, SLA, NOW).items)
        few = len(statements)
        assert sum("edi_documents" in s for s in statements) == 1
        with store.session() as session:
            order_id = session.exec(select(SalesOrder.id)).first()
            session.add_all(
                [_doc(order_id=order_id, received_at=NOW - timedelta(minutes=n)) for n in range(40)]
            )
        statements.clear()
        assert len(load_queue(store, SLA, NOW).items) == before + 40
        assert len(statements) == few


async def test_enter_on_a_change_request_opens_its_order(demo_store: Store) -> None:
    with demo_store.session() as session:
        waiting = session.exec(
            select(EDIDocument).where(
                EDIDocument.transaction_set == "860", EDIDocument.state == "received"
            )
        ).all()
        assert len(waiting) == 3
        numbers = {
            doc.id: session.get(SalesOrder, doc.order_id).number  # type: ignore[union-attr]
            for doc in waiting
        }
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.snapshot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        await pilot.press(*"kind:change")  # typed in the list: goes to the filter line
        assert screen.query_one("#queue-filter", Input).value == "kind:change"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.filter.text == "kind:change")
        await wait_for(pilot, lambda: len(screen.table.rows) == 3)
        assert {(i.subject, i.subject_id, i.number) for i in screen.table.rows} == {
            (Subject.CHANGE, doc_id, number) for doc_id, number in numbers.items()
        }
        assert "3 of " in text_of(screen.query_one("#queue-count", Static))
        item = screen.table.current
        assert item is not None and item.order_id is not None
        assert item.number in text_of(screen.query_one("#queue-detail", Static))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen) and app.screen.detail)
        view = app.screen
        assert isinstance(view, OrderViewScreen) and view.order_id == item.order_id
        assert item.number in text_of(view.query_one("#order-header", Static))
    with demo_store.session() as session:
        doc = session.get(EDIDocument, item.subject_id)
        assert doc is not None and doc.state == "received"  # opening it handles nothing


def test_the_demo_change_requests_are_well_formed_860s_for_open_orders(demo_store: Store) -> None:
    with demo_store.session() as session:
        docs = session.exec(select(EDIDocument).where(EDIDocument.direction == "in")).all()
        changes = [d for d in docs if d.transaction_set == "860"]
        orders = {d.id: session.get(SalesOrder, d.order_id) for d in changes}
        customers = {d.id: session.get(Customer, d.customer_id) for d in changes}
    assert len(changes) == 3
    for partner in {d.partner_id for d in docs}:  # each partner numbers its interchanges once
        sent = [d.interchange_control for d in docs if d.partner_id == partner]
        assert len(sent) == len(set(sent))
    kinds: set[str] = set()
    for doc in changes:
        order, customer = orders[doc.id], customers[doc.id]
        assert order is not None and customer is not None and order.customer_id == customer.id
        assert order.state in (OrderState.ACKNOWLEDGED, OrderState.RELEASED)
        assert customer.code in ("NSTR01", "GLMS01") and doc.partner_id == customer.edi_partner_id
        assert doc.state == "received" and doc.processed_at is None
        segments = doc.raw.split("~\n")
        assert segments.pop() == ""
        isa = segments[0].split("*")
        assert len(segments[0]) + 1 == 106 and isa[13] == doc.interchange_control
        gs = segments[1].split("*")
        assert gs[0] == "GS" and gs[1] == "PC" and gs[6] == doc.group_control
        st = segments.index("ST*860*0001")
        se = next(i for i, seg in enumerate(segments) if seg.startswith("SE*"))
        assert segments[se] == f"SE*{se - st + 1}*0001"
        assert segments[se + 1 :] == [f"GE*1*{gs[6]}", f"IEA*1*{isa[13]}"]
        bch = segments[st + 1].split("*")
        assert bch[:4] == ["BCH", "04", "SA", order.customer_po]
        body = segments[st + 2 : se]
        kinds |= {s.split("*")[2] if s.startswith("POC*") else s[:3] for s in body}
        if any(s.startswith("POC*") for s in body):
            assert body[-1] == f"CTT*{sum(s.startswith('POC*') for s in body)}"
    assert {"QI", "QD", "DTM"} <= kinds


async def test_f10_marks_a_change_request_handled_and_it_leaves_the_queue(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.snapshot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        screen.table.focus()
        await pilot.press(*"kind:change", "enter")
        await wait_for(pilot, lambda: screen.table.current is not None)
        item = screen.table.current
        assert item is not None
        before = len(screen.table.rows)
        await pilot.press("f10")
        await wait_for(pilot, lambda: len(screen.table.rows) == before - 1)
    with demo_store.session() as session:
        doc = session.get(EDIDocument, item.subject_id)
        assert doc is not None and doc.state == "acknowledged" and doc.processed_at is not None
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "edi.change_handled")
        ).all()
        assert [(e.entity_id, e.actor) for e in events] == [(item.subject_id, "alice")]


def test_handling_a_change_request_records_the_state_it_left(store: Store) -> None:
    ids = _changes(store)
    item = next(i for i in _listed(store) if i.subject_id == ids.late)  # an 860 still 'parsed'
    queue_actions.change_handled(store, item, actor=ALICE)
    with pytest.raises(queue_actions.QueueItemChanged):  # handled once only
        queue_actions.change_handled(store, item, actor=ALICE)
    with store.session() as session:
        doc = session.get(EDIDocument, ids.late)
        assert doc is not None and doc.state == "acknowledged" and doc.processed_at is not None
        (event,) = session.exec(
            select(AuditEvent).where(AuditEvent.action == "edi.change_handled")
        ).all()
        assert json.loads(event.changes) == {"state": ["parsed", "acknowledged"]}
    assert ids.late not in [i.subject_id for i in _listed(store)]
