"""Returns services on the demo store: every step, every refusal, and what lands in the store."""

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, func, select

from orderdesk_tui.config import Settings
from orderdesk_tui.errors import PermissionDenied, RuleViolation, StaleEdit
from orderdesk_tui.models import (
    RMA,
    Address,
    AuditEvent,
    Customer,
    Invoice,
    InvoiceLine,
    RMALine,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    SyncOutbox,
    User,
    Warehouse,
)
from orderdesk_tui.services import returnable, returns, rma_detail, rma_request
from orderdesk_tui.services import rma_settlement as settlement
from orderdesk_tui.services.rma_request import LineRequest, RmaRequest
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store
from tests.approvals import DEMO_SAM

TODAY = date(2026, 11, 27)
SETTINGS = Settings()


def _user(store: Store, name: str) -> User:
    return ensure_user(store, name)


def _customer_id(store: Store, code: str) -> int:
    with store.session() as session:
        cid = session.exec(select(Customer.id).where(Customer.code == code)).one()
    assert cid is not None
    return cid


def _line(store: Store, order: str, part: str) -> returnable.ReturnableLine:
    return next(ln for ln in returnable.find_returnable(store, order) if ln.part_number == part)


def _count(store: Store, model: type) -> int:
    with store.session() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _rma(store: Store, rma_id: int) -> RMA:
    with store.session() as session:
        rma = session.get(RMA, rma_id)
        assert rma is not None
        return rma


def _request(store: Store, part: str = "6208-2RS", qty: str = "2", reason: str = "excess"):
    line = _line(store, "SO0000194", part)
    return line, RmaRequest(
        customer_id=line.customer_id,
        reason=reason,
        lines=(LineRequest(line.order_line_id, Decimal(qty)),),
    )


def test_find_by_invoice_order_po_part_and_serial(demo_store: Store) -> None:
    by_order = returnable.find_returnable(demo_store, "so0000194")
    assert {ln.part_number for ln in by_order} == {"6208-2RS", "35-1R-10FT", "CHM-DENAT-GAL"}
    assert by_order[0].invoice_number == "IN0000199"
    by_invoice = returnable.find_returnable(demo_store, "IN0000199")
    assert {ln.order_line_id for ln in by_invoice} == {ln.order_line_id for ln in by_order}
    by_serial = returnable.find_returnable(demo_store, "SN84567784")
    assert [(ln.customer_code, ln.part_number) for ln in by_serial] == [
        ("NSTR01", "DAQ-SCOPE-4CH-1G")
    ]
    acme = _customer_id(demo_store, "ACME01")
    by_part = returnable.find_returnable(demo_store, "6006-ZZ", customer_id=acme)
    assert by_part and all(ln.customer_code == "ACME01" for ln in by_part)
    assert returnable.find_returnable(demo_store, "6006-ZZ", customer_id=acme + 1000) == []
    listed = returnable.customer_returnable(demo_store, acme)
    assert listed and all(ln.returnable > 0 for ln in listed)


def test_returning_more_than_shipped_is_refused_and_nothing_written(demo_store: Store) -> None:
    alice = _user(demo_store, "alice")
    before = _count(demo_store, RMA), _count(demo_store, RMALine), _count(demo_store, AuditEvent)
    _, request = _request(demo_store, qty="6")  # 5 shipped
    with pytest.raises(RuleViolation, match=r"rma\.returnable.*5 shipped, 0 already returned"):
        rma_request.create_rma(demo_store, request, actor=alice, settings=SETTINGS, today=TODAY)
    after = _count(demo_store, RMA), _count(demo_store, RMALine), _count(demo_store, AuditEvent)
    assert after == before


def test_what_is_already_on_an_rma_cannot_be_returned_twice(demo_store: Store) -> None:
    alice = _user(demo_store, "alice")
    _, request = _request(demo_store, qty="3")
    rma_request.create_rma(demo_store, request, actor=alice, settings=SETTINGS, today=TODAY)
    line = _line(demo_store, "SO0000194", "6208-2RS")
    assert (line.returned, line.returnable) == (Decimal(3), Decimal(2))
    with pytest.raises(RuleViolation, match=r"3 already returned, 2 left"):
        rma_request.create_rma(demo_store, request, actor=alice, settings=SETTINGS, today=TODAY)


def test_a_line_of_another_customer_is_refused(demo_store: Store) -> None:
    alice = _user(demo_store, "alice")
    line, _ = _request(demo_store)
    other = _customer_id(demo_store, "NSTR01")
    request = RmaRequest(other, "excess", (LineRequest(line.order_line_id, Decimal(1)),))
    with pytest.raises(RuleViolation, match=r"rma\.customer: SO0000194/1 6208-2RS was sold to"):
        rma_request.create_rma(demo_store, request, actor=alice, settings=SETTINGS, today=TODAY)


def test_past_the_window_needs_a_supervisor(demo_store: Store) -> None:
    alice = _user(demo_store, "alice")
    _, request = _request(demo_store, reason="ordered_in_error")
    late = date(2027, 1, 15)  # shipped 2026-11-26, 30-day window
    assessed = rma_request.assess_request(demo_store, request, settings=SETTINGS, today=late)
    assert "accepted for 30 days after shipment" in assessed.supervisor_rules[0]
    with pytest.raises(PermissionDenied, match="needs a supervisor override"):
        rma_request.create_rma(demo_store, request, actor=alice, settings=SETTINGS, today=late)
    assert _count(demo_store, RMA) == 8
    rma = rma_request.create_rma(
        demo_store, request, actor=alice, settings=SETTINGS, approval=DEMO_SAM, today=late
    )
    with demo_store.session() as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.entity == "rmas", AuditEvent.entity_id == rma.id)
        ).one()
    assert (event.action, event.actor, event.approved_by) == ("rma.requested", "alice", "sam")
    assert "rma.window" in event.reason


def test_warranty_by_serial_flags_vendor_recovery_and_expires(demo_store: Store) -> None:
    alice = _user(demo_store, "alice")
    line = returnable.find_returnable(demo_store, "SN84567784")[0]
    request = RmaRequest(
        line.customer_id,
        "warranty",
        (LineRequest(line.order_line_id, Decimal(1), lot_serial="sn84567784"),),
    )
    inside = rma_request.assess_request(demo_store, request, settings=SETTINGS, today=TODAY)
    assert inside.supervisor_rules == ()
    assert "Messwerk" in inside.vendor_recovery[0]
    expired = rma_request.assess_request(
        demo_store, request, settings=SETTINGS, today=date(2028, 5, 6)
    )
    assert (
        "24-month warranty from shipment 2026-05-05 ends 2028-05-05"
        in (expired.supervisor_rules[0])
    )
    wrong = RmaRequest(
        line.customer_id,
        "warranty",
        (LineRequest(line.order_line_id, Decimal(1), lot_serial="SN0000"),),
    )
    with pytest.raises(RuleViolation, match=r"rma\.lot_serial: .*SN0000 did not ship"):
        rma_request.create_rma(demo_store, wrong, actor=alice, settings=SETTINGS, today=TODAY)
    rma = rma_request.create_rma(demo_store, request, actor=alice, settings=SETTINGS, today=TODAY)
    assert (rma.kind, rma.state, rma.number[:2]) == ("warranty", "requested", "RQ")
    with demo_store.session() as session:
        rline = session.exec(select(RMALine).where(RMALine.rma_id == rma.id)).one()
    assert rline.vendor_recovery and rline.lot_serial == "sn84567784"


def test_attachment_must_exist(demo_store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    alice = _user(demo_store, "alice")
    _, request = _request(demo_store)
    photo = tmp_path / "box.jpg"
    photo.write_bytes(b"\xff\xd8")
    missing = RmaRequest(request.customer_id, "damaged", request.lines, (str(tmp_path / "x.jpg"),))
    with pytest.raises(RuleViolation, match=r"attachment: rule rma.attachment_exists"):
        rma_request.create_rma(demo_store, missing, actor=alice, settings=SETTINGS, today=TODAY)
    ok = RmaRequest(request.customer_id, "damaged", request.lines, (str(photo),))
    rma = rma_request.create_rma(demo_store, ok, actor=alice, settings=SETTINGS, today=TODAY)
    assert rma.attachments == str(photo.resolve())


def _stock(store: Store, item_id: int, code: str) -> Decimal:
    with store.session() as session:
        return session.exec(
            select(StockLevel.on_hand)
            .join(Warehouse, col(Warehouse.id) == col(StockLevel.warehouse_id))
            .where(StockLevel.item_id == item_id, Warehouse.code == code)
        ).one()


def _warehouse(store: Store, code: str) -> int:
    with store.session() as session:
        wid = session.exec(select(Warehouse.id).where(Warehouse.code == code)).one()
    assert wid is not None
    return wid


def test_return_to_credit_and_close(demo_store: Store) -> None:
    alice = _user(demo_store, "alice")
    line, request = _request(demo_store, qty="4", reason="excess")  # ACME01 is gold: half fee
    rma = rma_request.create_rma(demo_store, request, actor=alice, settings=SETTINGS, today=TODAY)
    assert rma.id is not None
    rid = rma.id

    rma = returns.authorise(
        demo_store, rid, expected_version=rma.version, actor=alice, settings=SETTINGS
    )
    assert rma.state == "authorised" and rma.number.startswith("RMA")
    with demo_store.session() as session:
        entry = session.exec(select(SyncOutbox).where(SyncOutbox.entity == "rmas")).one()
    assert (entry.operation, entry.state, entry.entity_id) == ("push_rma", "pending", rid)
    assert "sale_complaint" in entry.last_error
    assert json.loads(entry.payload)["lines"][0]["part"] == "6208-2RS"

    detail = rma_detail.load_rma(demo_store, rid)
    with pytest.raises(RuleViolation, match=r"rma\.disposition_after_inspection"):
        returns.disposition(
            demo_store, rid, detail.lines[0].id, "restock", expected_version=rma.version,
            actor=alice, warehouse_id=_warehouse(demo_store, "CHI"),
        )  # fmt: skip
    with pytest.raises(RuleViolation, match=r"received 5 is more than the 4 authorised"):
        returns.receive(
            demo_store, rid, {detail.lines[0].id: Decimal(5)}, expected_version=rma.version,
            actor=alice,
        )  # fmt: skip
    rma = returns.receive(
        demo_store, rid, {detail.lines[0].id: Decimal(3)}, expected_version=rma.version,
        actor=alice,
    )  # fmt: skip
    assert rma.state == "received" and rma.received_at is not None
    with pytest.raises(RuleViolation, match=r"rma\.findings"):
        returns.inspect(demo_store, rid, {}, expected_version=rma.version, actor=alice)
    rma = returns.inspect(
        demo_store, rid, {detail.lines[0].id: "unused, sealed"}, expected_version=rma.version,
        actor=alice,
    )  # fmt: skip
    on_hand = _stock(demo_store, line.item_id, "CHI")
    rma = returns.disposition(
        demo_store, rid, detail.lines[0].id, "restock", expected_version=rma.version,
        actor=alice, warehouse_id=_warehouse(demo_store, "CHI"),
    )  # fmt: skip
    assert rma.state == "dispositioned"
    assert _stock(demo_store, line.item_id, "CHI") == on_hand + 3
    with demo_store.session() as session:
        stock_event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "stock.returned")
        ).one()
    assert f"restock from {rma.number}" == stock_event.reason

    with pytest.raises(PermissionDenied, match=r"rma\.credit_approval"):
        settlement.credit(
            demo_store, rid, expected_version=rma.version, actor=alice, settings=SETTINGS
        )
    quote = settlement.quote_credit(demo_store, rid, settings=SETTINGS)
    goods = Decimal("3") * line.unit_price
    assert quote.goods == goods.quantize(Decimal("0.01"))
    # excess: 20 % fee, a gold customer pays half of it; no freight back (not our fault)
    assert quote.restocking_fee == (goods * Decimal("0.10")).quantize(Decimal("0.01"))
    assert quote.freight == 0
    memo = settlement.credit(
        demo_store, rid, expected_version=rma.version, actor=alice, settings=SETTINGS,
        approval=DEMO_SAM, today=TODAY,
    )  # fmt: skip
    assert memo.kind == "credit_memo" and memo.number.startswith("CM")
    assert memo.subtotal == quote.goods - quote.restocking_fee
    assert memo.total == quote.total
    rma = _rma(demo_store, rid)
    assert (rma.state, rma.credit_memo_id, rma.credit_amount) == ("credited", memo.id, memo.total)
    with demo_store.session() as session:
        memo_lines = session.exec(
            select(InvoiceLine).where(InvoiceLine.invoice_id == memo.id)
        ).all()
        memo_entry = session.exec(
            select(SyncOutbox).where(SyncOutbox.operation == "push_credit_memo")
        ).one()
        credited = session.exec(select(AuditEvent).where(AuditEvent.action == "rma.credited")).one()
    assert sorted(ln.extended for ln in memo_lines) == [-quote.restocking_fee, quote.goods]
    assert memo_entry.entity_id == memo.id and memo_entry.state == "pending"
    assert (credited.actor, credited.approved_by) == ("alice", "sam")

    rma = returns.close(demo_store, rid, expected_version=rma.version, actor=alice)
    assert rma.state == "closed" and rma.closed_at is not None
    # the queue's SLA clock: when the RMA entered its state
    assert rma.authorised_at is not None and rma.state_changed_at is not None
    assert rma.state_changed_at > rma.authorised_at
    with pytest.raises(RuleViolation, match=r"rma\.state: the RMA is closed"):
        returns.reject(demo_store, rid, "late", expected_version=rma.version, actor=alice)


def test_damaged_goods_get_the_freight_back_and_no_fee(demo_store: Store) -> None:
    sam = _user(demo_store, "sam")
    _, request = _request(demo_store, qty="5", reason="damaged")
    rma = rma_request.create_rma(demo_store, request, actor=sam, settings=SETTINGS, today=TODAY)
    rid = rma.id or 0
    rma = returns.authorise(demo_store, rid, expected_version=rma.version, actor=sam,
                            settings=SETTINGS)  # fmt: skip
    lid = rma_detail.load_rma(demo_store, rid).lines[0].id
    rma = returns.receive(demo_store, rid, {lid: Decimal(5)}, expected_version=rma.version,
                          actor=sam)  # fmt: skip
    rma = returns.inspect(demo_store, rid, {lid: "crushed carton, seals torn"},
                          expected_version=rma.version, actor=sam)  # fmt: skip
    rma = returns.disposition(demo_store, rid, lid, "scrap", expected_version=rma.version,
                              actor=sam)  # fmt: skip
    quote = settlement.quote_credit(demo_store, rid, settings=SETTINGS)
    with demo_store.session() as session:
        invoice = session.exec(select(Invoice).where(Invoice.number == "IN0000199")).one()
    assert quote.restocking_fee == 0
    share = quote.goods / invoice.subtotal
    assert quote.freight == (invoice.freight * share).quantize(Decimal("0.01"))
    assert quote.freight > 0


def test_replacement_order_is_no_charge_and_goes_to_the_erp(demo_store: Store) -> None:
    sam = _user(demo_store, "sam")
    line = returnable.find_returnable(demo_store, "SN84567784")[0]
    request = RmaRequest(
        line.customer_id, "warranty", (LineRequest(line.order_line_id, Decimal(1)),)
    )
    rma = rma_request.create_rma(demo_store, request, actor=sam, settings=SETTINGS, today=TODAY)
    rid = rma.id or 0
    lid = rma_detail.load_rma(demo_store, rid).lines[0].id
    rma = returns.authorise(demo_store, rid, expected_version=rma.version, actor=sam,
                            settings=SETTINGS)  # fmt: skip
    rma = returns.receive(demo_store, rid, {lid: Decimal(1)}, expected_version=rma.version,
                          actor=sam)  # fmt: skip
    rma = returns.inspect(demo_store, rid, {lid: "channel 3 dead"},
                          expected_version=rma.version, actor=sam)  # fmt: skip
    with pytest.raises(RuleViolation, match=r"rma\.restock_warehouse"):
        returns.disposition(demo_store, rid, lid, "restock", expected_version=rma.version,
                            actor=sam)  # fmt: skip
    rma = returns.disposition(demo_store, rid, lid, "replace", expected_version=rma.version,
                              actor=sam)  # fmt: skip
    with pytest.raises(RuleViolation, match=r"settled by a replacement order"):
        settlement.credit(demo_store, rid, expected_version=rma.version, actor=sam,
                       settings=SETTINGS)  # fmt: skip
    with pytest.raises(RuleViolation, match=r"must be replaced before it is closed"):
        returns.close(demo_store, rid, expected_version=rma.version, actor=sam)
    order = settlement.replace(demo_store, rid, expected_version=rma.version, actor=sam,
                            settings=SETTINGS, today=TODAY)  # fmt: skip
    with demo_store.session() as session:
        lines = session.exec(
            select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
        ).all()
        stored = session.get(SalesOrder, order.id)
        push = session.exec(
            select(SyncOutbox).where(
                SyncOutbox.entity == "sales_orders", SyncOutbox.entity_id == order.id
            )
        ).one()
    assert stored is not None and stored.total == 0 and stored.state in ("acknowledged", "on_hold")
    assert [(ln.part_number, ln.quantity, ln.unit_price) for ln in lines] == [
        ("DAQ-SCOPE-4CH-1G", Decimal(1), Decimal(0))
    ]
    assert rma.number in lines[0].override_reason
    assert push.operation == "push_order"
    rma = _rma(demo_store, rid)
    assert (rma.state, rma.replacement_order_id) == ("replaced", order.id)


def test_reject_needs_a_reason_and_frees_the_quantity(demo_store: Store) -> None:
    alice = _user(demo_store, "alice")
    _, request = _request(demo_store, qty="5")
    rma = rma_request.create_rma(demo_store, request, actor=alice, settings=SETTINGS, today=TODAY)
    with pytest.raises(RuleViolation, match=r"rma\.reject_reason"):
        returns.reject(demo_store, rma.id or 0, "  ", expected_version=rma.version, actor=alice)
    rma = returns.reject(
        demo_store, rma.id or 0, "customer kept the goods", expected_version=rma.version,
        actor=alice,
    )  # fmt: skip
    assert (rma.state, rma.rejected_reason) == ("rejected", "customer kept the goods")
    assert _line(demo_store, "SO0000194", "6208-2RS").returnable == 5


def test_large_authorisation_needs_a_supervisor(demo_store: Store) -> None:
    alice = _user(demo_store, "alice")
    low = Settings.model_validate({"returns": {"authorise_supervisor_above": "50"}})
    _, request = _request(demo_store, qty="5")  # 5 x 31.74
    rma = rma_request.create_rma(demo_store, request, actor=alice, settings=low, today=TODAY)
    limit = r"rma\.authorise_limit.*158\.70 USD is above 50\.00 USD"
    with pytest.raises(PermissionDenied, match=limit):
        returns.authorise(demo_store, rma.id or 0, expected_version=rma.version, actor=alice,
                          settings=low)  # fmt: skip
    assert _rma(demo_store, rma.id or 0).state == "requested"
    rma = returns.authorise(demo_store, rma.id or 0, expected_version=rma.version, actor=alice,
                            settings=low, approval=DEMO_SAM)  # fmt: skip
    assert rma.authorised_by == "sam"


def test_a_stale_step_is_refused(demo_store: Store) -> None:
    alice = _user(demo_store, "alice")
    _, request = _request(demo_store)
    rma = rma_request.create_rma(demo_store, request, actor=alice, settings=SETTINGS, today=TODAY)
    returns.authorise(demo_store, rma.id or 0, expected_version=rma.version, actor=alice,
                      settings=SETTINGS)  # fmt: skip
    with pytest.raises(StaleEdit, match="changed by someone else"):
        returns.reject(demo_store, rma.id or 0, "x", expected_version=rma.version, actor=alice)


def test_whole_flow_on_postgresql(pg_store_url: str) -> None:
    """The same steps on PostgreSQL: sums of scaled quantities, row locks, the outbox."""
    store = Store(pg_store_url)
    try:
        from orderdesk_tui.seed.demo import load_demo

        load_demo(store, today=TODAY)
        sam = _user(store, "sam")
        line, request = _request(store, qty="3", reason="damaged")
        rma = rma_request.create_rma(store, request, actor=sam, settings=SETTINGS, today=TODAY)
        assert _line(store, "SO0000194", "6208-2RS").returned == 3
        with pytest.raises(RuleViolation, match=r"3 already returned, 2 left"):
            rma_request.create_rma(store, request, actor=sam, settings=SETTINGS, today=TODAY)
        rid = rma.id or 0
        rma = returns.authorise(store, rid, expected_version=rma.version, actor=sam,
                                settings=SETTINGS)  # fmt: skip
        lid = rma_detail.load_rma(store, rid).lines[0].id
        rma = returns.receive(store, rid, {lid: Decimal(2)}, expected_version=rma.version,
                              actor=sam)  # fmt: skip
        assert _line(store, "SO0000194", "6208-2RS").returned == 2
        rma = returns.inspect(store, rid, {lid: "dented"}, expected_version=rma.version,
                              actor=sam)  # fmt: skip
        on_hand = _stock(store, line.item_id, "RNO")
        rma = returns.disposition(store, rid, lid, "restock", expected_version=rma.version,
                                  actor=sam, warehouse_id=_warehouse(store, "RNO"))  # fmt: skip
        assert _stock(store, line.item_id, "RNO") == on_hand + 2
        memo = settlement.credit(store, rid, expected_version=rma.version, actor=sam,
                              settings=SETTINGS, today=TODAY)  # fmt: skip
        assert memo.subtotal == (2 * line.unit_price).quantize(Decimal("0.01"))
        assert memo.freight > 0  # damaged: our fault, freight comes back
        rma = returns.close(store, rid, expected_version=_rma(store, rid).version, actor=sam)
        assert rma.state == "closed"
    finally:
        store.dispose()


def test_an_rma_over_two_orders_is_replaced_to_the_default_ship_to(demo_store: Store) -> None:
    sam = _user(demo_store, "sam")
    first = _line(demo_store, "SO0000194", "6208-2RS")
    second = _line(demo_store, "SO0000129", "ADP-MJ-MP-06-06")
    request = RmaRequest(
        first.customer_id,
        "defective",
        (
            LineRequest(first.order_line_id, Decimal(1)),
            LineRequest(second.order_line_id, Decimal(2)),
        ),
    )
    rma = rma_request.create_rma(demo_store, request, actor=sam, settings=SETTINGS, today=TODAY)
    assert rma.order_id is None and rma.invoice_id is None  # two orders, two invoices
    rid = rma.id or 0
    rma = returns.authorise(demo_store, rid, expected_version=rma.version, actor=sam,
                            settings=SETTINGS)  # fmt: skip
    ids = [ln.id for ln in rma_detail.load_rma(demo_store, rid).lines]
    rma = returns.receive(demo_store, rid, {ids[0]: Decimal(1), ids[1]: Decimal(2)},
                          expected_version=rma.version, actor=sam)  # fmt: skip
    rma = returns.inspect(demo_store, rid, {i: "leaks at the seat" for i in ids},
                          expected_version=rma.version, actor=sam)  # fmt: skip
    for i in ids:
        rma = returns.disposition(demo_store, rid, i, "replace", expected_version=rma.version,
                                  actor=sam)  # fmt: skip
    assert rma.state == "dispositioned"
    order = settlement.replace(demo_store, rid, expected_version=rma.version, actor=sam,
                               settings=SETTINGS, today=TODAY)  # fmt: skip
    with demo_store.session() as session:
        ship_to = session.get(Address, order.ship_to_id)
        lines = session.exec(
            select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
        ).all()
    assert ship_to is not None and ship_to.customer_id == first.customer_id and ship_to.is_default
    assert order.freight_terms == "prepaid"
    assert sorted((ln.part_number, ln.quantity) for ln in lines) == [
        ("6208-2RS", Decimal(1)),
        ("ADP-MJ-MP-06-06", Decimal(2)),
    ]
