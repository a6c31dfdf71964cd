"""Change requests (EDI 860) reviewed against their orders and answered (services.edi_change):
the demo's three map to what the seed asked, an unreadable one says where, an order that cannot
change says why, and rejecting records the decision and takes the request off the queue."""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from orderdesk_tui.edi.po_change import ChangeKind
from orderdesk_tui.errors import PermissionDenied, RuleViolation
from orderdesk_tui.models import (
    AuditEvent,
    Customer,
    EDIDocument,
    OrderRevision,
    SalesOrder,
    SalesOrderLine,
    User,
)
from orderdesk_tui.models.base import OrderState, Role
from orderdesk_tui.models.customer import Address
from orderdesk_tui.services import edi_change
from orderdesk_tui.services.users import Approval
from orderdesk_tui.store import Store
from tests.order_change_world import (
    COORDINATOR,
    PIN,
    SETTINGS,
    SOON,
    build_world,
    order_lines,
    submitted,
)
from tests.test_edi_po_change import x860

ALICE = User(name="alice", role=Role.COORDINATOR)


@dataclass
class World:
    order_id: int
    doc_id: int


def world(store: Store, raw: str, *, state: str = OrderState.ACKNOWLEDGED) -> World:
    """GLMS01 with order SO0000123 (PO GL-4471, two lines) and an 860 `raw` about it."""
    with store.session() as session:
        customer = Customer(code="GLMS01", name="Great Lakes MRO", edi_partner_id="GLMROSUPPLY")
        session.add(customer)
        session.flush()
        assert customer.id is not None
        toledo = Address(
            customer_id=customer.id, code="0042", name="Toledo plant", line1="1 A", city="Toledo"
        )
        dayton = Address(
            customer_id=customer.id, code="0077", name="Dayton DC", line1="2 B", city="Dayton"
        )
        session.add_all([toledo, dayton])
        session.flush()
        order = SalesOrder(
            number="SO0000123",
            customer_id=customer.id,
            customer_po="GL-4471",
            state=state,
            ship_to_id=toledo.id,
            requested_date=date(2026, 12, 15),
        )
        session.add(order)
        session.flush()
        assert order.id is not None
        session.add_all(
            [
                SalesOrderLine(
                    order_id=order.id,
                    line_no=1,
                    part_number="HX-100",
                    customer_part_number="BP-1",
                    quantity=Decimal(10),
                    unit_price=Decimal("12.50"),
                ),
                SalesOrderLine(
                    order_id=order.id,
                    line_no=2,
                    part_number="HX-200",
                    quantity=Decimal(4),
                    unit_price=Decimal("3.125"),
                ),
            ]
        )
        doc = EDIDocument(
            direction="in",
            transaction_set="860",
            interchange_control="000000042",
            partner_id="GLMROSUPPLY",
            customer_id=customer.id,
            order_id=order.id,
            raw=raw,
        )
        session.add(doc)
        session.flush()
        assert doc.id is not None
        return World(order.id, doc.id)


def test_the_demo_change_requests_map_to_what_the_seed_asked(demo_store: Store) -> None:
    with demo_store.session() as session:
        docs = session.exec(
            select(EDIDocument).where(
                EDIDocument.transaction_set == "860", EDIDocument.state == "received"
            )
        ).all()
        orders = {d.id: session.get(SalesOrder, d.order_id) for d in docs}
        lines = {
            d.id: {
                ln.line_no: ln
                for ln in session.exec(
                    select(SalesOrderLine).where(SalesOrderLine.order_id == d.order_id)
                ).all()
            }
            for d in docs
        }
    kinds = []
    for doc in docs:
        assert doc.id is not None
        order = orders[doc.id]
        assert order is not None
        checked = edi_change.review(demo_store, doc.id)
        assert (checked.error, checked.refusal, checked.order_id) == ("", "", order.id)
        assert checked.request is not None and checked.request.problems == []
        assert checked.default_reason.startswith(f"EDI 860 {doc.interchange_control} from ")
        (change,) = checked.changes
        kinds.append(change.code)
        if change.kind == ChangeKind.REQUESTED_DATE:
            assert change.old == (
                f"{order.requested_date:%Y-%m-%d}" if order.requested_date else "none"
            )
            assert isinstance(change.value, date) and change.value > date(2020, 1, 1)
        else:
            assert change.kind == ChangeKind.QUANTITY and change.line_no is not None
            line = lines[doc.id][change.line_no]
            assert isinstance(change.value, Decimal)
            assert change.old == f"{line.quantity.normalize():,f}"
            if change.code == "QI":
                assert change.value > line.quantity
            else:
                assert change.code == "QD" and change.value < line.quantity
    assert sorted(kinds) == ["DTM*002", "QD", "QI"]


def test_reject_records_the_decision_and_leaves_the_queue(store: Store) -> None:
    ids = world(store, x860("POC*1*QI*15", "POC*2*DI"))
    checked = edi_change.review(store, ids.doc_id)
    assert [str(c) for c in checked.changes] == [
        "line 1 qty 10 → 15",
        "line 2 delete HX-200 qty 4 → deleted",
    ]
    with pytest.raises(RuleViolation, match="rejected with a reason"):
        edi_change.reject(store, checked, "  ", actor=ALICE)
    edi_change.reject(store, checked, "price list not agreed", actor=ALICE)
    with pytest.raises(RuleViolation, match="860 000000042 was handled meanwhile"):
        edi_change.reject(store, checked, "again", actor=ALICE)
    with store.session() as session:
        doc = session.get(EDIDocument, ids.doc_id)
        assert doc is not None and doc.state == "acknowledged" and doc.processed_at is not None
        decision = json.loads(doc.decision)
        assert (decision["outcome"], decision["reason"], decision["by"]) == (
            "rejected",
            "price list not agreed",
            "alice",
        )
        assert [(c["code"], c["line_no"], c["accepted"]) for c in decision["changes"]] == [
            ("QI", 1, False),
            ("DI", 2, False),
        ]
        (event,) = session.exec(
            select(AuditEvent).where(AuditEvent.action == "edi.change_rejected")
        ).all()
        assert (event.order_id, event.reason) == (ids.order_id, "price list not agreed")
        order = session.get(SalesOrder, ids.order_id)
        assert order is not None and order.version == 1  # the order untouched


def test_an_unreadable_860_says_where_and_can_only_be_rejected(store: Store) -> None:
    ids = world(store, x860("POC*1*QI*lots"))
    checked = edi_change.review(store, ids.doc_id)
    assert (
        checked.refusal
        == checked.error
        == ("unreadable: segment 5 (POC) element 3: POC03 quantity 'lots' is not a number")
    )
    broken = world_doc(store, ids, x860("POC*1*QI*15").replace("SE*4", "SE*7"))
    assert edi_change.review(store, broken).error == (
        "unreadable: segment 6 (SE) element 1: SE01 says 7, the segments ST…SE are 4"
    )
    edi_change.reject(store, checked, "resend it", actor=ALICE)


def world_doc(store: Store, ids: World, raw: str) -> int:
    with store.session() as session:
        first = session.get(EDIDocument, ids.doc_id)
        assert first is not None
        doc = EDIDocument(
            direction="in",
            transaction_set="860",
            partner_id=first.partner_id,
            customer_id=first.customer_id,
            order_id=first.order_id,
            raw=raw,
        )
        session.add(doc)
        session.flush()
        assert doc.id is not None
        return doc.id


def test_an_order_that_cannot_change_says_why(store: Store) -> None:
    ids = world(store, x860("DTM*002*20261222", "N1*ST*Dayton*92*0077"), state=OrderState.SHIPPED)
    checked = edi_change.review(store, ids.doc_id)
    assert checked.refusal == (
        "SO0000123 cannot change: it is shipped: only orders not yet shipped complete can be "
        "changed"
    )
    assert [str(c) for c in checked.changes] == [
        "requested date 2026-12-15 → 2026-12-22",
        "ship-to 0042 → 0077 Dayton DC",
    ]


def test_an_860_without_order_is_matched_by_its_po(store: Store) -> None:
    ids = world(store, x860("POC*1*QI*15"))
    other = world_doc(store, ids, x860("POC*1*QI*15", po="GL-9"))
    with store.session() as session:
        for doc_id in (ids.doc_id, other):
            doc = session.get(EDIDocument, doc_id)
            assert doc is not None
            doc.order_id = None
            session.add(doc)
    assert edi_change.review(store, ids.doc_id).order_number == "SO0000123"
    assert edi_change.review(store, other).error == (
        "BCH03 PO GL-9: no order of this customer has it"
    )


def _860_for(store: Store, order_id: int, raw: str) -> int:
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        doc = EDIDocument(
            direction="in",
            transaction_set="860",
            interchange_control="000000042",
            partner_id="ACMEEDI",
            customer_id=order.customer_id,
            order_id=order_id,
            raw=raw,
        )
        session.add(doc)
        session.flush()
        assert doc.id is not None
        return doc.id


def test_applying_accepted_changes_is_one_revision_and_handles_the_860(store: Store) -> None:
    w = build_world(store)
    order_id = submitted(store, w, [("BRG-100", "10"), ("SEAL-300", "5")])
    later = SOON + timedelta(days=7)
    doc_id = _860_for(
        store,
        order_id,
        x860(
            f"DTM*002*{later:%Y%m%d}",
            "N1*ST*Dock five*92*DOCK5",
            "POC*1*QI*20",
            "POC*2*DI",
            "POC**AI*10**EA***VP*BLT-200",
            "POC**AI*1**EA***VP*NOPE-1",
            po="PO-1",
        ),
    )
    checked = edi_change.review(store, doc_id)
    assert [str(c) for c in checked.changes] == [
        f"requested date {SOON:%Y-%m-%d} → {later:%Y-%m-%d}",
        "ship-to WH2 → DOCK5 DOCK5 dock",
        "line 1 qty 10 → 20",
        "line 2 delete SEAL-300 qty 5 → deleted",
        "add line → BLT-200 qty 10",
    ]
    assert checked.request is not None
    assert [str(p) for p in checked.request.problems] == [
        "POC add line: part NOPE-1 is not an item we sell"
    ]
    applied = edi_change.apply(
        store, checked, [0, 1, 2, 4], checked.default_reason, actor=COORDINATOR, settings=SETTINGS
    )
    assert applied.revision_no == 1 and applied.number.startswith("SO")
    lines = order_lines(store, order_id)
    assert {n: (ln.part_number, ln.quantity) for n, ln in lines.items()} == {
        1: ("BRG-100", Decimal(20)),
        2: ("SEAL-300", Decimal(5)),  # declined: kept
        3: ("BLT-200", Decimal(10)),
    }
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        assert (order.requested_date, order.ship_to_id, order.revision) == (later, w.dock5, 1)
        (revision,) = session.exec(
            select(OrderRevision).where(OrderRevision.order_id == order_id)
        ).all()
        assert (revision.source, revision.actor, revision.reason) == (
            "edi_860",
            "casey",
            "EDI 860 000000042 from ACME01",
        )
        doc = session.get(EDIDocument, doc_id)
        assert doc is not None and doc.state == "acknowledged"
        decision = json.loads(doc.decision)
        assert (decision["outcome"], decision["revision"], decision["by"]) == (
            "applied",
            1,
            "casey",
        )
        assert [(c["code"], c["accepted"]) for c in decision["changes"]] == [
            ("DTM*002", True),
            ("N1*ST", True),
            ("QI", True),
            ("DI", False),
            ("AI", True),
        ]
        assert (
            session.exec(select(AuditEvent).where(AuditEvent.action == "edi.change_applied"))
            .one()
            .order_id
            == order_id
        )
    with pytest.raises(RuleViolation, match="handled meanwhile"):
        edi_change.apply(store, checked, [0], "again", actor=COORDINATOR, settings=SETTINGS)


def test_a_refused_change_writes_nothing_and_the_860_waits(store: Store) -> None:
    w = build_world(store)
    order_id = submitted(store, w, [("BLT-200", "10")])
    doc_id = _860_for(store, order_id, x860("POC*1*QI*12", po="PO-1"))  # not a multiple of 5
    checked = edi_change.review(store, doc_id)
    with pytest.raises(RuleViolation, match="change refused: line 1"):
        edi_change.apply(store, checked, [0], "buyer", actor=COORDINATOR, settings=SETTINGS)
    with store.session() as session:
        doc = session.get(EDIDocument, doc_id)
        assert doc is not None and doc.state == "received" and doc.decision == ""
    assert order_lines(store, order_id)[1].quantity == Decimal(10)


def test_a_cancel_request_cancels_the_order(store: Store) -> None:
    w = build_world(store)
    order_id = submitted(store, w, [("BRG-100", "10")])
    doc_id = _860_for(store, order_id, x860(purpose="01", po="PO-1"))
    checked = edi_change.review(store, doc_id)
    assert [str(c) for c in checked.changes] == ["cancel the order acknowledged → cancelled"]
    applied = edi_change.apply(
        store, checked, [0], "buyer cancelled", actor=COORDINATOR, settings=SETTINGS
    )
    assert applied.said.endswith("changed from the 860, order cancelled")
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        doc = session.get(EDIDocument, doc_id)
        assert order is not None and order.state == OrderState.CANCELLED
        assert doc is not None and doc.state == "acknowledged"
        assert json.loads(doc.decision)["outcome"] == "applied"


def test_a_buyers_price_under_the_margin_floor_needs_a_supervisor(store: Store) -> None:
    w = build_world(store)
    order_id = submitted(store, w, [("BRG-100", "10")])
    doc_id = _860_for(store, order_id, x860("POC*1*PC***EA*3.00", po="PO-1"))
    checked = edi_change.review(store, doc_id)
    assert [str(c) for c in checked.changes] == ["line 1 price 10.00 → 3.00"]
    with pytest.raises(PermissionDenied, match="needs a supervisor override"):
        edi_change.apply(store, checked, [0], "buyer", actor=COORDINATOR, settings=SETTINGS)
    assert edi_change.review(store, doc_id).order_version == checked.order_version
    applied = edi_change.apply(
        store,
        checked,
        [0],
        "buyer",
        actor=COORDINATOR,
        settings=SETTINGS,
        approval=Approval("sam", PIN),
    )
    assert applied.revision_no == 1
    line = order_lines(store, order_id)[1]
    assert (line.unit_price, line.override_reason) == (Decimal("3.00"), "buyer's price, buyer")
