"""services.credit on both stores: the aggregates, the hold, and its supervisor-only release."""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from orderdesk_tui.domain.credit import CreditTrigger
from orderdesk_tui.errors import FieldError, PermissionDenied, RuleViolation
from orderdesk_tui.models import AuditEvent, Customer, Hold, Invoice, SalesOrder, User
from orderdesk_tui.models.base import HoldKind, OrderState, Role
from orderdesk_tui.services.credit import apply_credit_hold, check_credit, check_credit_in
from orderdesk_tui.services.order_actions import release_hold
from orderdesk_tui.store import Store
from tests.approvals import override_by
from tests.sql_statements import recorded_statements

TODAY = date(2026, 3, 16)
D = Decimal
COORDINATOR = User(name="casey", role=Role.COORDINATOR)
SUPERVISOR = User(name="sam", role=Role.SUPERVISOR)


@dataclass
class World:
    customer_id: int
    other_customer_id: int
    entered_order_id: int
    draft_order_id: int


def _world(store: Store) -> World:
    """SUMM01: limit 60,000; receivables 24,700; open orders 21,000 (see the comments)."""
    with store.session() as s:
        s.add_all([User(name="casey"), User(name="sam", role=Role.SUPERVISOR)])
        cust = Customer(
            code="SUMM01",
            name="Summit Packaging Machinery Inc.",
            credit_limit=D("60000.00"),
            overdue_grace_days=10,
        )
        other = Customer(code="ACME01", name="Acme Fabrication", credit_limit=D("1000.00"))
        s.add_all([cust, other])
        s.flush()
        assert cust.id and other.id

        def order(number: str, state: OrderState, total: str, cid: int = cust.id) -> SalesOrder:
            o = SalesOrder(number=number, customer_id=cid, state=state, total=D(total))
            s.add(o)
            s.flush()
            return o

        entered = order("SO-1", OrderState.ENTERED, "5000.00")  # counts 5,000
        order("SO-2", OrderState.ON_HOLD, "2000.00")  # counts 2,000
        order("SO-3", OrderState.ACKNOWLEDGED, "3000.00")  # counts 3,000
        order("SO-4", OrderState.RELEASED, "4000.00")  # counts 4,000
        partial = order("SO-5", OrderState.PARTIALLY_SHIPPED, "10000.00")  # 10,000 - 3,000
        shipped = order("SO-6", OrderState.SHIPPED, "9999.00")  # not open
        draft = order("SO-7", OrderState.DRAFT, "7777.00")  # not yet entered
        order("SO-8", OrderState.CANCELLED, "8888.00")  # cancelled
        order("SO-9", OrderState.INVOICED, "6666.00")  # in receivables
        order("SO-10", OrderState.ENTERED, "50000.00", cid=other.id)  # someone else's

        def invoice(number: str, total: str, **kw: Any) -> None:
            kw.setdefault("invoice_date", TODAY - timedelta(days=20))
            kw.setdefault("due_date", kw["invoice_date"] + timedelta(days=30))
            s.add(Invoice(number=number, customer_id=kw.pop("cid", cust.id), total=D(total), **kw))

        invoice("INV-1", "3000.00", order_id=partial.id)  # first wave: 3,000 open
        invoice("INV-2", "9999.00", order_id=shipped.id, amount_paid=D("9999.00"), state="paid")
        invoice("INV-3", "12000.00", amount_paid=D("2000.00"))  # 10,000 open, not due
        invoice(
            "INV-4",
            "6000.00",
            amount_paid=D("1000.00"),
            invoice_date=TODAY - timedelta(days=75),
            due_date=TODAY - timedelta(days=45),
        )  # 5,000 open, 45 days past due
        invoice(
            "INV-5",
            "2500.00",
            invoice_date=TODAY - timedelta(days=38),
            due_date=TODAY - timedelta(days=8),
        )  # 2,500 open, 8 days past due
        invoice("INV-6", "5200.00")  # 5,200 open
        invoice("INV-7", "800.00", kind="credit_memo")  # -800 unapplied credit
        invoice("INV-8", "400.00", kind="credit_memo", state="paid", amount_paid=D("400.00"))
        invoice("INV-9", "700.00", state="void")
        invoice("INV-10", "99999.00", cid=other.id)
        assert entered.id and draft.id
        return World(cust.id, other.id, entered.id, draft.id)


def test_exposure_breakdown_from_aggregates(store: Store) -> None:
    w = _world(store)
    with recorded_statements(store, "SELECT") as statements:
        r = check_credit(store, w.customer_id, D("1500.00"), today=TODAY)
    # invoices 3,000 + 10,000 + 5,000 + 2,500 + 5,200 = 25,700, less the 800 memo
    assert r.open_invoices == D("25700.00")
    assert r.open_credit_memos == D("800.00")
    assert r.open_receivables == D("24900.00")
    assert r.open_orders == D("21000.00")
    assert r.open_order_count == 5
    assert r.this_order == D("1500.00")
    assert r.exposure == D("47400.00")
    assert r.headroom == D("12600.00")
    assert r.past_due_count == 2
    assert r.past_due_amount == D("7500.00")
    assert r.oldest_past_due is not None
    assert r.oldest_past_due.number == "INV-4"
    assert r.oldest_past_due.balance == D("5000.00")
    assert r.days_past_due == 45
    assert r.hold is not None
    assert r.hold.triggers == (CreditTrigger.OVERDUE,)
    assert "INV-4 is 45 days past due (grace 10 days)" in r.hold.reason
    # the customer, receivables, the oldest past-due invoice, open orders: no row-by-row load
    assert len(statements) <= 4


def test_this_order_is_not_counted_twice(store: Store) -> None:
    w = _world(store)
    plain = check_credit(store, w.customer_id, D("5000.00"), today=TODAY)
    excluded = check_credit(store, w.customer_id, D("5000.00"), w.entered_order_id, today=TODAY)
    assert plain.open_orders - excluded.open_orders == D("5000.00")
    assert excluded.open_order_count == 4
    assert excluded.exposure == plain.exposure - D("5000.00")


def test_over_limit_and_status(store: Store) -> None:
    w = _world(store)
    r = check_credit(store, w.customer_id, D("14100.01"), today=TODAY - timedelta(days=60))
    # 60 days earlier nothing was past due; exposure 45,900.00 + 14,100.01 is one cent over
    assert r.hold is not None
    assert r.hold.triggers == (CreditTrigger.OVER_LIMIT,)
    with store.session() as s:
        cust = s.get(Customer, w.customer_id)
        assert cust is not None
        cust.credit_status = "hold"
        s.add(cust)
    r = check_credit(store, w.customer_id, D("0.00"), today=TODAY - timedelta(days=60))
    assert r.hold is not None
    assert r.hold.triggers == (CreditTrigger.CUSTOMER_ON_HOLD,)


def test_customer_without_history(store: Store) -> None:
    w = _world(store)
    with store.session() as s:
        s.add(Customer(code="NEW01", name="New Customer", credit_limit=D("5000.00")))
    with store.session() as s:
        new = s.exec(select(Customer).where(Customer.code == "NEW01")).one()
        r = check_credit_in(s, new.id or 0, D("4999.99"), today=TODAY)
    assert r.exposure == D("4999.99")
    assert r.hold is None
    assert r.oldest_past_due is None
    assert w.customer_id != new.id


def test_unknown_customer_names_the_field(store: Store) -> None:
    with pytest.raises(FieldError, match="customer: no customer with id 424242"):
        check_credit(store, 424242, D("1"), today=TODAY)


def test_hold_placed_audited_and_released_only_by_a_supervisor_with_reason(store: Store) -> None:
    w = _world(store)
    with store.session() as s:
        order = s.get(SalesOrder, w.entered_order_id)
        assert order is not None
        result = check_credit_in(s, w.customer_id, order.total, order.id, today=TODAY)
        hold = apply_credit_hold(s, order, result, "casey")
        assert hold is not None
        assert apply_credit_hold(s, order, result, "casey") is None  # one open hold per kind
        hold_id, version = hold.id, hold.version
        assert order.state == OrderState.ON_HOLD
    assert hold_id is not None
    with store.session() as s:
        stored = s.get(Hold, hold_id)
        assert stored is not None
        assert stored.kind == HoldKind.CREDIT
        assert result.hold is not None
        assert stored.reason == result.hold.reason
        placed = s.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "holds",
                AuditEvent.entity_id == hold_id,
                AuditEvent.action == "hold.placed",
            )
        ).one()
        assert json.loads(placed.changes)["kind"] == [None, "credit"]

    with pytest.raises(PermissionDenied, match="releasing a credit hold is for supervisors"):
        release_hold(store, hold_id, expected_version=version, actor=COORDINATOR, reason="paid")
    with pytest.raises(RuleViolation, match="released with a reason"):
        release_hold(store, hold_id, expected_version=version, actor=SUPERVISOR, reason="  ")
    released = release_hold(
        store,
        hold_id,
        expected_version=version,
        actor=COORDINATOR,
        approval=override_by(store, "sam"),
        reason="customer wired 5,000.00 today",
    )
    assert released.released_by == "casey"
    with store.session() as s:
        order = s.get(SalesOrder, w.entered_order_id)
        assert order is not None
        assert order.state == OrderState.ENTERED
        event_row = s.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "holds",
                AuditEvent.entity_id == hold_id,
                AuditEvent.action == "hold.released",
            )
        ).one()
        assert event_row.approved_by == "sam"
        assert event_row.reason == "customer wired 5,000.00 today"


def test_no_hold_when_credit_is_fine(store: Store) -> None:
    w = _world(store)
    with store.session() as s:
        order = s.get(SalesOrder, w.draft_order_id)
        assert order is not None
        result = check_credit_in(
            s, w.customer_id, D("100.00"), order.id, today=TODAY - timedelta(days=60)
        )
        assert result.hold is None
        assert apply_credit_hold(s, order, result, "casey") is None
        assert s.exec(select(Hold)).first() is None
