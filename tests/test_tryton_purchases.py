"""Our POs as Tryton purchases (erp/tryton/purchases.py) against the real Tryton 8.2, and the
engine sending a PO that a submit made (`push_purchase`)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from purchasing_world import buy_for
from sqlmodel import select
from test_tryton_connector import ACME_ST, decimal, settings_for
from tryton_server import TrytonServer

from orderdesk_tui.config import MailSettings
from orderdesk_tui.erp.connector import PurchaseLinePayload, PurchasePayload
from orderdesk_tui.erp.sync.engine import SyncEngine
from orderdesk_tui.erp.tryton.connector import TrytonConnector
from orderdesk_tui.models import Item, PurchaseOrder, SalesOrder, SalesOrderLine, SyncOutbox
from orderdesk_tui.services.vendor_ack import acknowledge_purchase
from orderdesk_tui.store import Store

RUN = f"P{uuid.uuid4().hex[:5].upper()}"
DRIVE = "VFD-25HP-480V"
BEARING = "6204-ZZ"


def _line(no: int, part: str, qty: str, cost: str) -> PurchaseLinePayload:
    return PurchaseLinePayload(no, part, f"line {no}", Decimal(qty), "EA", Decimal(cost))


def _purchase(number: str, *lines: PurchaseLinePayload, **overrides: Any) -> PurchasePayload:
    values: dict[str, Any] = {
        "number": number,
        "vendor_code": "V-APEX-MOTOR-DRIVE-CO",
        "vendor_name": "Apex Motor & Drive Co.",
        "kind": "special_buy",
        "currency": "USD",
        "warehouse_code": "",
        "lines": lines or (_line(1, DRIVE, "2", "1223.0613"),),
    }
    values.update(overrides)
    return PurchasePayload(**values)


def _purchases(tryton: TrytonServer, number: str) -> list[dict[str, Any]]:
    fields = ["number", "state", "reference", "comment", "party.code", "party.name"]
    fields += ["lines.product.code", "lines.quantity", "lines.unit_price"]
    return tryton.search("purchase.purchase", [["description", "=", number]], fields)


async def test_a_po_becomes_a_quotation_then_a_confirmed_purchase(tryton: TrytonServer) -> None:
    number = f"{RUN}-1"
    async with TrytonConnector(settings_for(tryton)) as connector:
        ref = await connector.push_purchase(_purchase(number))
        [got] = _purchases(tryton, number)
        assert (got["state"], got["party"]["code"]) == ("quotation", "V-APEX-MOTOR-DRIVE-CO")
        assert got["party"]["name"] == "Apex Motor & Drive Co."
        assert [(x["product"]["code"], x["quantity"]) for x in got["lines"]] == [(DRIVE, 2)]
        assert decimal(got["lines"][0]["unit_price"]) == Decimal("1223.0613")
        # a line added before the vendor acknowledged: the same purchase, rewritten
        two = _purchase(number, _line(1, DRIVE, "2", "1223.0613"), _line(2, BEARING, "5", "2"))
        again = await connector.push_purchase(two)
        assert again.erp_id == ref.erp_id
        [got] = _purchases(tryton, number)
        assert sorted(x["product"]["code"] for x in got["lines"]) == [BEARING, DRIVE]
        # the vendor's acknowledgement confirms it, with their reference
        confirmed = await connector.push_purchase(
            _purchase(number, vendor_reference="APEX-7781", confirmed=True)
        )
        [got] = _purchases(tryton, number)
        assert got["state"] in ("confirmed", "processing")
        assert got["reference"] == "APEX-7781"
        assert confirmed.erp_id == ref.erp_id and confirmed.erp_number == got["number"]
        # pushed again (a retry): nothing new
        await connector.push_purchase(_purchase(number, confirmed=True))
        assert len(_purchases(tryton, number)) == 1


async def test_a_drop_ship_carries_the_ship_to_and_a_cancel_cancels(tryton: TrytonServer) -> None:
    number = f"{RUN}-2"
    drop = _purchase(number, kind="drop_ship", ship_to=ACME_ST)
    async with TrytonConnector(settings_for(tryton)) as connector:
        await connector.push_purchase(drop)
        [got] = _purchases(tryton, number)
        assert got["comment"].startswith("Drop ship to ST-01: Acme Fabrication - Main Plant")
        await connector.push_purchase(_purchase(number, kind="drop_ship", cancelled=True))
    [got] = _purchases(tryton, number)
    assert got["state"] == "cancelled"


async def test_the_engine_sends_the_po_a_special_buy_made(
    demo_store: Store, tryton: TrytonServer
) -> None:
    with demo_store.session() as s:
        drive = s.exec(select(Item).where(Item.part_number == DRIVE)).one()
        drive.stocked = False
        s.add(drive)
        order = s.exec(select(SalesOrder).where(SalesOrder.state == "acknowledged")).first()
        assert order is not None and order.id is not None and drive.id is not None
        s.add(
            SalesOrderLine(
                order_id=order.id,
                line_no=99,
                item_id=drive.id,
                part_number=DRIVE,
                quantity=Decimal(1),
                warehouse_id=None,
            )
        )
        order_id = order.id
    [bought] = buy_for(demo_store, order_id)
    with demo_store.session() as s:
        po = s.exec(select(PurchaseOrder).where(PurchaseOrder.number == bought.po_number)).one()
        # other POs of the demo data may be queued too: send only ours
        for entry in s.exec(select(SyncOutbox).where(SyncOutbox.state == "pending")):
            if entry.entity_id != po.id or entry.entity != "purchase_orders":
                entry.state = "done"
                s.add(entry)
    async with TrytonConnector(settings_for(tryton)) as connector:
        engine = SyncEngine(demo_store, connector, pull_interval_s=3600.0)
        report = await engine.push_once()
        assert report.done == 1, report
        acknowledge_purchase(
            demo_store,
            po.id or 0,
            actor="casey",
            mail=MailSettings(),
            vendor_reference="APEX-1",
            confirmed=date.today() + timedelta(days=30),
            expected_version=po.version,
        )
        report = await engine.push_once()
        assert report.done == 1, report
    with demo_store.session() as s:
        stored = s.get(PurchaseOrder, po.id)
        assert stored is not None and stored.erp_number
    [got] = _purchases(tryton, po.number)
    assert got["number"] == stored.erp_number
    assert got["state"] in ("confirmed", "processing") and got["reference"] == "APEX-1"
