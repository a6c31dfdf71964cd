"""Special buys and drop ships (services.purchasing), vendor acknowledgements
(services.vendor_ack), receipts and PO line cancels (services.receiving), on both stores."""

import json
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from erp_stub import PURCHASE, ErpStub, StubConnector
from purchasing_world import BUYER, TODAY, World, build_world, buy_for, entered_order
from sqlmodel import col, select

from orderdesk_tui.config import MailSettings, Settings
from orderdesk_tui.erp.sync.engine import SyncEngine
from orderdesk_tui.errors import FieldError, RuleViolation, StaleEdit
from orderdesk_tui.models import (
    AuditEvent,
    Item,
    MailOutbox,
    Note,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    SyncOutbox,
)
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services import drafts
from orderdesk_tui.services.change_plan import LineChange, OrderChange
from orderdesk_tui.services.order_change import apply_order_change
from orderdesk_tui.services.purchase_queries import (
    LinePurchase,
    PurchaseFilter,
    fetch_purchases,
    load_purchase,
    purchases_of_order,
)
from orderdesk_tui.services.receiving import cancel_purchase_line, receive_purchase
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.services.vendor_ack import acknowledge_purchase
from orderdesk_tui.store import Store
from tests.order_change_world import COORDINATOR

D = Decimal
MAIL = MailSettings(host="127.0.0.1", port=2525, security="none", from_address="o@desk.example")


def _pos(store: Store) -> list[PurchaseOrder]:
    with store.session() as s:
        return list(s.exec(select(PurchaseOrder).order_by(col(PurchaseOrder.id))))


def _po_lines(store: Store, po_id: int) -> list[PurchaseOrderLine]:
    with store.session() as s:
        return list(
            s.exec(
                select(PurchaseOrderLine)
                .where(PurchaseOrderLine.purchase_order_id == po_id)
                .order_by(col(PurchaseOrderLine.id))
            )
        )


def _line(store: Store, order_id: int, line_no: int) -> SalesOrderLine:
    with store.session() as s:
        return s.exec(
            select(SalesOrderLine).where(
                SalesOrderLine.order_id == order_id, SalesOrderLine.line_no == line_no
            )
        ).one()


def _actions(store: Store, order_id: int | None = None) -> list[str]:
    with store.session() as s:
        stmt = select(AuditEvent.action).order_by(col(AuditEvent.id))
        if order_id is not None:
            stmt = stmt.where(AuditEvent.order_id == order_id)
        return list(s.exec(stmt))


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


def test_special_buy_and_drop_ship_lines_make_linked_pos(store: Store, world: World) -> None:
    order_id = entered_order(
        store,
        world,
        "SO0000001",
        [(world.drive_id, D(2), False), (world.bearing_id, D(40), True)],
    )
    bought = buy_for(store, order_id)
    assert [(b.kind, b.quantity, b.po_number) for b in bought] == [
        ("special_buy", D(2), "PO000001"),
        ("drop_ship", D(40), "PO000002"),
    ]
    special, drop = _pos(store)
    assert (special.vendor_name, special.kind, special.warehouse_id, special.ship_to_id) == (
        "Apex Motor & Drive Co.",
        "special_buy",
        world.warehouse_id,
        None,
    )
    assert (drop.kind, drop.ship_to_id, drop.warehouse_id) == (
        "drop_ship",
        world.ship_to_id,
        None,
    )
    assert special.eta == TODAY + timedelta(days=21)
    [po_line] = _po_lines(store, special.id or 0)
    line1 = _line(store, order_id, 1)
    assert po_line.sales_order_line_id == line1.id
    assert (po_line.quantity, po_line.unit_cost) == (D(2), D("1223.0613"))
    # the order line knows its PO, and was promised for the PO's date
    with store.session() as s:
        links = purchases_of_order(s, order_id)
    assert links[line1.id or 0].po_number == "PO000001"
    assert line1.first_promised_date == line1.last_promised_date == special.eta
    assert "line.purchased" in _actions(store, order_id)
    assert _actions(store).count("purchase.line_added") == 2
    with store.session() as s:
        pushes = s.exec(select(SyncOutbox).where(SyncOutbox.operation == "push_purchase")).all()
    assert sorted(json.loads(p.payload)["number"] for p in pushes) == ["PO000001", "PO000002"]
    # again: nothing more is bought for lines their POs cover
    assert buy_for(store, order_id) == []
    assert sum(len(_po_lines(store, po.id or 0)) for po in _pos(store)) == 2


def test_lines_join_open_pos_of_the_same_vendor_kind_and_destination(
    store: Store, world: World
) -> None:
    first = entered_order(store, world, "SO0000001", [(world.drive_id, D(1), False)])
    second = entered_order(store, world, "SO0000002", [(world.drive_id, D(3), False)])
    buy_for(store, first)
    buy_for(store, second)
    [po] = _pos(store)
    assert [ln.quantity for ln in _pos_lines_of(store, po)] == [D(1), D(3)]
    [row] = fetch_purchases(store, PurchaseFilter(text="SO0000002"))
    assert (row.orders, row.destination) == (("SO0000001", "SO0000002"), "CHI")
    # a drop ship to another ship-to is another PO
    third = entered_order(
        store, world, "SO0000003", [(world.bearing_id, D(5), True)], ship_to_id=world.ship_to_id
    )
    fourth = entered_order(
        store,
        world,
        "SO0000004",
        [(world.bearing_id, D(5), True)],
        ship_to_id=world.other_ship_to_id,
    )
    buy_for(store, third)
    buy_for(store, fourth)
    assert [p.ship_to_id for p in _pos(store) if p.kind == "drop_ship"] == [
        world.ship_to_id,
        world.other_ship_to_id,
    ]
    drops = fetch_purchases(store, PurchaseFilter(kind="drop_ship"))
    assert [r.destination for r in drops] == ["ST-2", "ST-1"]  # newest first
    # a PO the vendor acknowledged takes no more lines
    acknowledge_purchase(
        store,
        po.id or 0,
        actor="casey",
        mail=MailSettings(),
        vendor_reference="AX-1",
        confirmed=TODAY + timedelta(days=20),
        expected_version=_pos(store)[0].version,
        today=TODAY,
    )
    fifth = entered_order(store, world, "SO0000005", [(world.drive_id, D(1), False)])
    [bought] = buy_for(store, fifth)
    assert bought.po_number != po.number


def _pos_lines_of(store: Store, po: PurchaseOrder) -> list[PurchaseOrderLine]:
    return _po_lines(store, po.id or 0)


def test_item_without_vendor_is_not_bought_and_says_so(store: Store, world: World) -> None:
    with store.session() as s:
        drive = s.get(Item, world.drive_id)
        assert drive is not None
        drive.vendor_name = ""
        s.add(drive)
    order_id = entered_order(store, world, "SO0000001", [(world.drive_id, D(1), False)])
    [bought] = buy_for(store, order_id)
    assert bought.problem == "item VFD-25HP-480V has no vendor: not bought"
    assert _pos(store) == []
    assert "line.not_purchased" in _actions(store, order_id)


def test_vendor_ack_moves_promises_notes_and_mails_the_customer(store: Store, world: World) -> None:
    promised = TODAY + timedelta(days=10)
    a = entered_order(store, world, "SO0000001", [(world.drive_id, D(2), False)], promised=promised)
    b = entered_order(store, world, "SO0000002", [(world.drive_id, D(1), False)], promised=promised)
    buy_for(store, a)
    buy_for(store, b)
    [po] = _pos(store)
    _, line_b = _pos_lines_of(store, po)
    later = date(2026, 12, 24)  # a Thursday: special buys ship the next weekday
    result = acknowledge_purchase(
        store,
        po.id or 0,
        actor="casey",
        mail=MAIL,
        vendor_reference="APEX-SO-7781",
        confirmed=later,
        line_dates={line_b.id or 0: promised - timedelta(days=1)},
        expected_version=po.version,
        today=TODAY,
    )
    assert [(m.order_number, m.line_no, m.old, m.new) for m in result.moved] == [
        ("SO0000001", 1, promised, date(2026, 12, 25))
    ]
    moved = {m.order_number: m for m in result.moved}
    assert moved["SO0000001"].new == date(2026, 12, 25) and moved["SO0000001"].later
    assert "SO0000002" not in moved  # confirmed the day before: same ship day as promised
    assert result.mails == 1
    line = _line(store, a, 1)
    assert (line.first_promised_date, line.last_promised_date) == (promised, date(2026, 12, 25))
    with store.session() as s:
        order = s.get(SalesOrder, a)
        assert order is not None and order.last_promised_date == date(2026, 12, 25)
        [note] = s.exec(select(Note).where(Note.order_id == a)).all()
        assert "APEX-SO-7781" in note.body and "-> 2026-12-25" in note.body
        [mail] = s.exec(select(MailOutbox)).all()
        stored = s.get(PurchaseOrder, po.id)
        assert stored is not None
    assert mail.order_id == a and mail.recipients == BUYER
    assert "new expected date" in mail.subject
    assert "VFD-25HP-480V        2026-12-18  2026-12-25" in mail.body
    assert (stored.vendor_reference, stored.confirmed_date) == ("APEX-SO-7781", later)
    assert "line.promise_moved" in _actions(store, a)
    # the same acknowledgement keyed on another terminal meanwhile is refused
    with pytest.raises(StaleEdit):
        acknowledge_purchase(
            store,
            po.id or 0,
            actor="casey",
            mail=MAIL,
            vendor_reference="X",
            confirmed=later,
            expected_version=po.version,
            today=TODAY,
        )


def test_vendor_ack_refuses_bad_dates(store: Store, world: World) -> None:
    buy_for(store, entered_order(store, world, "SO0000001", [(world.drive_id, D(1), False)]))
    [po] = _pos(store)
    with pytest.raises(FieldError, match="confirmed date: 2026-12-07 is in the past"):
        acknowledge_purchase(
            store,
            po.id or 0,
            actor="casey",
            mail=MAIL,
            vendor_reference="",
            confirmed=TODAY - timedelta(days=1),
            expected_version=po.version,
            today=TODAY,
        )
    assert _pos(store)[0].confirmed_date is None


def _stock(store: Store, item_id: int, warehouse_id: int) -> StockLevel | None:
    with store.session() as s:
        return s.exec(
            select(StockLevel).where(
                StockLevel.item_id == item_id, StockLevel.warehouse_id == warehouse_id
            )
        ).first()


def test_receipts_put_stock_on_hand_and_allocate_the_waiting_line(
    store: Store, world: World
) -> None:
    order_id = entered_order(store, world, "SO0000001", [(world.drive_id, D(3), False)])
    buy_for(store, order_id)
    [po] = _pos(store)
    [po_line] = _pos_lines_of(store, po)
    result = receive_purchase(
        store, po.id or 0, {po_line.id or 0: D(2)}, actor="casey", expected_version=po.version
    )
    assert result.effects == ("SO0000001 line 1: 2 allocated",)
    assert result.po_state == "open"
    level = _stock(store, world.drive_id, world.warehouse_id)
    assert level is not None and (level.on_hand, level.allocated) == (D(2), D(2))
    line = _line(store, order_id, 1)
    assert (line.quantity_allocated, line.quantity_backordered) == (D(2), D(1))
    # more than is still due is refused, naming the line; nothing written
    [po] = _pos(store)
    with pytest.raises(FieldError, match="line 1 received: 5 is more than the 1 still due"):
        receive_purchase(
            store, po.id or 0, {po_line.id or 0: D(5)}, actor="casey", expected_version=po.version
        )
    with pytest.raises(RuleViolation, match="changed on another terminal"):
        receive_purchase(
            store,
            po.id or 0,
            {po_line.id or 0: D(1)},
            actor="casey",
            expected_version=po.version - 1,
        )
    receive_purchase(
        store, po.id or 0, {po_line.id or 0: D(1)}, actor="casey", expected_version=po.version
    )
    assert _pos(store)[0].state == "received"
    assert _line(store, order_id, 1).quantity_allocated == D(3)
    assert "stock.received" in _actions(store)


def test_drop_ship_receipt_ships_the_customer_line(store: Store, world: World) -> None:
    order_id = entered_order(
        store, world, "SO0000001", [(world.bearing_id, D(40), True)], state=OrderState.RELEASED
    )
    buy_for(store, order_id)
    [po] = _pos(store)
    [po_line] = _pos_lines_of(store, po)
    result = receive_purchase(
        store,
        po.id or 0,
        {po_line.id or 0: D(40)},
        actor="casey",
        expected_version=po.version,
        today=TODAY,
    )
    assert result.effects == ("SO0000001 line 1: 40 shipped by vendor",)
    line = _line(store, order_id, 1)
    assert (line.quantity_shipped, line.shipped_date) == (D(40), TODAY)
    with store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None and order.state == OrderState.SHIPPED
    level = _stock(store, world.bearing_id, world.warehouse_id)
    assert level is not None and level.on_hand == 0  # nothing came to our warehouse


def test_cancel_po_line_with_reason(store: Store, world: World) -> None:
    order_id = entered_order(store, world, "SO0000001", [(world.drive_id, D(3), False)])
    buy_for(store, order_id)
    [po] = _pos(store)
    [po_line] = _pos_lines_of(store, po)
    with pytest.raises(FieldError, match="reason: say why"):
        cancel_purchase_line(
            store, po_line.id or 0, reason=" ", actor="casey", expected_version=po.version
        )
    summary = cancel_purchase_line(
        store,
        po_line.id or 0,
        reason="vendor discontinued it",
        actor="casey",
        expected_version=po.version,
    )
    assert summary == "PO000001: 3 VFD-25HP-480V cancelled (vendor discontinued it)"
    [po] = _pos(store)
    assert po.state == "cancelled"
    detail = load_purchase(store, po.id or 0)
    assert detail is not None and detail.lines[0].cancel_reason == "vendor discontinued it"
    assert "line.purchase_cancelled" in _actions(store, order_id)


def test_submit_buys_for_a_non_stock_line(demo_store: Store) -> None:
    """The submit path end to end on the demo data: a non-stock item's line makes a PO."""
    with demo_store.session() as s:
        item = s.exec(select(Item).where(Item.part_number == "VFD-25HP-480V")).one()
        assert not item.stocked  # the demo's non-stock item
        customer_id = s.exec(
            select(SalesOrder.customer_id).where(SalesOrder.state == OrderState.ACKNOWLEDGED)
        ).first()
    assert customer_id is not None and item.id is not None
    order = drafts.create_draft(demo_store, actor="casey", customer_id=customer_id)
    assert order.id is not None
    drafts.update_header(demo_store, order.id, {"customer_po": "PO-SPECIAL-1"}, actor="casey")
    line = {"item_id": item.id, "quantity": D(500)}
    drafts.save_line(demo_store, order.id, 1, line, actor="casey")
    submit_order(demo_store, order.id, actor="casey", settings=Settings())
    with demo_store.session() as s:
        links = purchases_of_order(s, order.id)
        [link] = links.values()
        po = s.get(PurchaseOrder, link.po_id)
    assert po is not None and po.kind == "special_buy"
    assert po.vendor_name == "Apex Motor & Drive Co."


async def test_the_engine_pushes_pos_to_the_erp_and_keeps_its_number(
    store: Store, world: World
) -> None:
    order_id = entered_order(
        store, world, "SO0000001", [(world.drive_id, D(2), False), (world.bearing_id, D(4), True)]
    )
    buy_for(store, order_id)
    special, _ = _pos(store)
    with ErpStub() as erp:
        engine = SyncEngine(store, StubConnector(erp.url, erp.key), pull_interval_s=3600.0)
        report = await engine.push_once()
        assert report.done == 2, report
        rows = {r["description"]: r for r in erp.find(PURCHASE)}
        assert rows["PO000001"]["state"] == "quotation"
        assert rows["PO000001"]["party"] == "V-APEX-MOTOR-DRIVE-CO"
        assert rows["PO000002"]["ship_to"] == "ST-1"
        acknowledge_purchase(
            store,
            special.id or 0,
            actor="casey",
            mail=MailSettings(),
            vendor_reference="AX-9",
            confirmed=date.today() + timedelta(days=30),
            expected_version=special.version,
        )
        assert (await engine.push_once()).done == 1
        [row] = erp.find(PURCHASE, description="PO000001")
        assert (row["state"], row["reference"]) == ("confirmed", "AX-9")
    with store.session() as s:
        stored = s.get(PurchaseOrder, special.id)
        assert stored is not None and stored.erp_number == f"P{row['id']:05d}"


def test_two_terminals_receiving_the_same_po_at_once_count_it_once(
    store: Store, world: World
) -> None:
    """Both terminals saw the PO at the same version: one receipt lands, the other is refused
    (the PO row is locked, then its version checked), so the stock is put on hand once."""
    order_id = entered_order(store, world, "SO0000001", [(world.drive_id, D(3), False)])
    buy_for(store, order_id)
    [po] = _pos(store)
    [po_line] = _pos_lines_of(store, po)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def receive() -> None:
        start.wait()
        try:
            quantities = {po_line.id or 0: D(3)}
            receive_purchase(
                store, po.id or 0, quantities, actor="casey", expected_version=po.version
            )
            outcomes.append("received")
        except RuleViolation as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=receive) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == [
        "PO000001 is received: nothing can be received",
        "received",
    ] or sorted(outcomes) == [
        "PO000001 was changed on another terminal meanwhile: open it again",
        "received",
    ]
    level = _stock(store, world.drive_id, world.warehouse_id)
    assert level is not None and (level.on_hand, level.allocated) == (D(3), D(3))


def test_a_change_adding_a_non_stock_line_buys_it(demo_store: Store) -> None:
    """An order changed after submit: the added non-stock line is bought as at submit, once
    (a second change raising another line does not buy it again)."""
    with demo_store.session() as s:
        item = s.exec(select(Item).where(Item.part_number == "VFD-25HP-480V")).one()
        order = s.exec(
            select(SalesOrder)
            .where(SalesOrder.state == OrderState.ACKNOWLEDGED)
            .order_by(col(SalesOrder.id))
        ).first()
    assert order is not None and order.id is not None and item.id is not None
    assert purchases_of_order_id(demo_store, order.id) == {}
    change = OrderChange(lines=(LineChange(None, item_id=item.id, quantity=D(3)),))
    apply_order_change(
        demo_store,
        order.id,
        change,
        expected_version=order.version,
        actor=COORDINATOR,
        reason="customer added a drive",
        settings=Settings(),
    )
    links = purchases_of_order_id(demo_store, order.id)
    assert len(links) == 1
    with demo_store.session() as s:
        [link] = links.values()
        po = s.get(PurchaseOrder, link.po_id)
        again = s.get(SalesOrder, order.id)
    assert po is not None and po.kind == "special_buy" and again is not None
    apply_order_change(
        demo_store,
        order.id,
        OrderChange(header={"notes": "call before delivery"}),
        expected_version=again.version,
        actor=COORDINATOR,
        reason="note",
        settings=Settings(),
    )
    assert purchases_of_order_id(demo_store, order.id) == links


def purchases_of_order_id(store: Store, order_id: int) -> dict[int, LinePurchase]:
    with store.session() as s:
        return dict(purchases_of_order(s, order_id))
