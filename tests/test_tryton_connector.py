"""TrytonConnector against a real Tryton 8.2 (the session's `tryton` fixture), plus the error
mapping through a mock transport.

Every order number carries a prefix unique to the run, so the sales of one test are counted in
Tryton itself (`tryton.count_sales`) without interference from the others.
"""

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import col, select
from sync_orders import submit_orders, unique_order_numbers
from tryton_server import TrytonServer, free_port

from orderdesk_tui.config import ErpSettings
from orderdesk_tui.erp.connector import (
    OrderLinePayload,
    OrderPayload,
    PermanentErpError,
    PostalAddress,
    TransientErpError,
)
from orderdesk_tui.erp.sync.engine import SyncEngine
from orderdesk_tui.erp.tryton.connector import TrytonConnector
from orderdesk_tui.erp.tryton.rest import ErpAuthError
from orderdesk_tui.models import Hold, SalesOrder, SalesOrderLine, SyncOutbox
from orderdesk_tui.models.base import HoldKind
from orderdesk_tui.services.audit import apply_update
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.store import Store

RUN = f"T{uuid.uuid4().hex[:6].upper()}"
SCREW = "HHCS-0250-20X050-ZP"  # EA
CHAIN = "25-1R-FT"  # FT, fractional quantities
BEARING = "6204-ZZ"  # EA, 222 on hand in CHI, 114 in RNO

ACME_BT = PostalAddress(
    "BT-01", "Acme Fabrication - Accounts Payable", "2750 S Kedzie Ave", "Chicago", "60623", "US"
)
ACME_ST = PostalAddress(
    "ST-01", "Acme Fabrication - Main Plant", "2750 S Kedzie Ave\nDock 3", "Chicago", "60623", "US"
)


def settings_for(tryton: TrytonServer, **overrides: Any) -> ErpSettings:
    values: dict[str, Any] = {
        "url": tryton.url,
        "database": tryton.database,
        "key": SecretStr(tryton.key),
        "timeout_s": 60,
    }
    values.update(overrides)
    return ErpSettings(**values)


def line(no: int, part: str, qty: str, price: str) -> OrderLinePayload:
    return OrderLinePayload(no, part, f"line {no}", Decimal(qty), "EA", Decimal(price))


def order(number: str, *lines: OrderLinePayload, **overrides: Any) -> OrderPayload:
    values: dict[str, Any] = {
        "number": number,
        "customer_code": "ACME01",
        "customer_name": "Acme Fabrication & Welding Inc.",
        "customer_po": f"PO-{number}",
        "currency": "USD",
        "bill_to": ACME_BT,
        "ship_to": ACME_ST,
        "lines": lines or (line(1, SCREW, "200", "0.0804"),),
        "notes": "from the tests",
    }
    values.update(overrides)
    return OrderPayload(**values)


def sale(tryton: TrytonServer, erp_id: str, *fields: str) -> dict[str, Any]:
    r = tryton.rest("GET", f"model/sale.sale/{erp_id}", params={"f": list(fields)})
    r.raise_for_status()
    return r.json()


def decimal(value: Any) -> Decimal:
    assert value["__class__"] == "Decimal"
    return Decimal(value["decimal"])


@pytest.fixture
async def connector(tryton: TrytonServer) -> AsyncIterator[TrytonConnector]:
    c = TrytonConnector(settings_for(tryton))
    yield c
    await c.aclose()


async def pull_all(pull: Any, cursor: str | None) -> tuple[list[Any], str | None]:
    """Pages until the connector has nothing new, as the engine does."""
    records: list[Any] = []
    for _ in range(50):
        page = await pull(cursor)
        records.extend(page.records)
        if not page.records or page.cursor == cursor:
            return records, page.cursor
        cursor = page.cursor
    raise AssertionError("pull never ran dry")


# --------------------------------------------------------------------------- push


async def test_push_order_creates_a_confirmed_sale(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    number = f"{RUN}-1001"
    payload = order(number, line(1, SCREW, "200", "0.0804"), line(2, CHAIN, "12.5", "5.9835"))
    ref = await connector.push_order(payload)

    assert ref.erp_number
    got = sale(
        tryton,
        ref.erp_id,
        "number",
        "state",
        "reference",
        "description",
        "party.code",
        "shipment_address.street",
        "invoice_address.party_name",
        "shipments",
        "lines.product.code",
        "lines.quantity",
        "lines.unit_price",
        "lines.sequence",
    )
    assert got["number"] == ref.erp_number
    assert got["state"] == "processing"  # quoted, confirmed, and processed by Tryton
    assert got["reference"] == number
    assert got["description"] == f"PO-{number}"
    assert got["party"]["code"] == "ACME01"
    assert got["shipment_address"]["street"] == "2750 S Kedzie Ave\nDock 3"
    assert got["invoice_address"]["party_name"] == "Acme Fabrication - Accounts Payable"
    assert got["shipments"], "confirm made a shipment"
    lines = sorted(got["lines"], key=lambda x: x["sequence"])
    assert [x["product"]["code"] for x in lines] == [SCREW, CHAIN]
    assert [decimal(x["unit_price"]) for x in lines] == [Decimal("0.0804"), Decimal("5.9835")]
    assert [x["quantity"] for x in lines] == [200, 12.5]

    assert await connector.find_order(number) == ref
    state = await connector.order_state(ref)
    assert state.ref == ref
    assert state.state == "processing"
    assert state.changed_at is not None and state.changed_at.tzinfo is UTC
    assert abs((datetime.now(UTC) - state.changed_at).total_seconds()) < 600
    assert tryton.count_sales(number) == 1


async def test_a_second_push_of_the_same_order_is_not_duplicated(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    number = f"{RUN}-1002"
    payload = order(number)
    assert await connector.find_order(number) is None
    ref = await connector.push_order(payload)
    # The engine's rule after a lost answer: look first; the connector finds the sale ...
    assert await connector.find_order(number) == ref
    # ... and even a blind second push returns the same sale instead of creating one.
    assert await connector.push_order(payload) == ref
    assert tryton.count_sales(number) == 1


async def test_a_half_made_sale_is_finished_by_the_retry_not_found(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    """A push that stopped after the create (answer lost before quote/confirm) left a draft:
    find_order does not take it for a pushed order, and push_order finishes that same sale."""
    number = f"{RUN}-1003"
    acme = tryton.search("party.party", [["code", "=", "ACME01"]], ["id"])[0]
    r = tryton.rest(
        "POST",
        "model/sale.sale",
        json={"party": acme["id"], "reference": number},
        params={"f": ["state"]},
    )
    r.raise_for_status()
    draft = r.json()
    assert draft["state"] == "draft"
    assert await connector.find_order(number) is None

    ref = await connector.push_order(order(number, line(1, BEARING, "3", "12.65")))

    assert ref.erp_id == str(draft["id"])
    got = sale(tryton, ref.erp_id, "state", "lines.product.code")
    assert got["state"] == "processing"
    assert [x["product"]["code"] for x in got["lines"]] == [BEARING]
    assert tryton.count_sales(number) == 1


async def test_a_new_customer_and_its_addresses_are_created_once(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    code = f"{RUN}-CUST"
    bill = PostalAddress("BT", "New Co - AP", "1 Pay St", "Toronto", "M5V 2T6", "CA", "ON")
    ship = PostalAddress("ST-9", "New Co - Plant", "9 Dock Rd", "Reno", "89502", "US", "NV")
    for n in (1, 2):
        await connector.push_order(
            order(
                f"{RUN}-11{n}0",
                customer_code=code,
                customer_name="New Co",
                bill_to=bill,
                ship_to=ship,
            )
        )
    parties = tryton.search("party.party", [["code", "=", code]], ["name", "addresses"])
    assert len(parties) == 1 and parties[0]["name"] == "New Co"
    assert len(parties[0]["addresses"]) == 2
    idents = tryton.search(
        "party.identifier",
        [["party.code", "=", code]],
        ["code", "address.city", "address.subdivision.code", "address.country.code"],
    )
    by_code = {i["code"]: i["address"] for i in idents}
    assert by_code["BT"]["city"] == "Toronto"
    assert by_code["BT"]["subdivision"]["code"] == "CA-ON"
    assert by_code["ST-9"]["country"]["code"] == "US"


async def test_an_unknown_product_is_a_permanent_error_and_creates_nothing(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    number = f"{RUN}-1004"
    with pytest.raises(PermanentErpError, match="NO-SUCH-PART") as info:
        await connector.push_order(
            order(number, line(1, SCREW, "1", "1"), line(2, "NO-SUCH-PART", "1", "1"))
        )
    assert "line 2" in str(info.value)
    assert tryton.count_sales(number) == 0


async def test_tryton_validation_errors_come_back_with_trytons_message(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    number = f"{RUN}-1005"
    with pytest.raises(PermanentErpError, match="number of digits") as info:
        await connector.push_order(order(number, line(1, SCREW, "2.5", "1")))  # EA: whole units
    assert "Quantity" in str(info.value)
    assert tryton.count_sales(number) == 0


async def test_change_and_cancel_while_the_sale_is_a_quotation(tryton: TrytonServer) -> None:
    number = f"{RUN}-1006"
    async with TrytonConnector(settings_for(tryton), confirm=False) as quoting:
        ref = await quoting.push_order(order(number, line(1, SCREW, "100", "0.0804")))
        assert sale(tryton, ref.erp_id, "state")["state"] == "quotation"
        assert await quoting.find_order(number) == ref

        changed = order(number, line(1, SCREW, "300", "0.0799"), line(2, BEARING, "2", "12.6500"))
        assert (await quoting.push_change(ref, changed)).erp_id == ref.erp_id
        got = sale(
            tryton, ref.erp_id, "state", "lines.product.code", "lines.quantity", "lines.unit_price"
        )
        assert got["state"] == "quotation"
        lines = sorted(
            (x["product"]["code"], x["quantity"], decimal(x["unit_price"])) for x in got["lines"]
        )
        assert lines == [(BEARING, 2, Decimal("12.6500")), (SCREW, 300, Decimal("0.0799"))]

        await quoting.push_cancel(ref, "customer called")
        got = sale(tryton, ref.erp_id, "state", "comment")
        assert got["state"] == "cancelled"
        assert "customer called" in got["comment"]
        assert (await quoting.order_state(ref)).state == "cancelled"
        await quoting.push_cancel(ref, "customer called")  # again: nothing to do
    assert tryton.count_sales(number) == 1


def amendments(tryton: TrytonServer, erp_id: str) -> list[tuple[str, str]]:
    rows = tryton.search("sale.amendment", [["sale", "=", int(erp_id)]], ["state", "description"])
    return sorted((r["state"], r["description"]) for r in rows)


def outgoing(tryton: TrytonServer, erp_id: str) -> dict[str, float]:
    """Part number -> quantity of the sale's outgoing moves that are not cancelled."""
    got = sale(
        tryton,
        erp_id,
        "shipments.outgoing_moves.product.code",
        "shipments.outgoing_moves.quantity",
        "shipments.outgoing_moves.state",
    )
    moves = [m for s in got["shipments"] for m in s["outgoing_moves"] if m["state"] != "cancelled"]
    return {m["product"]["code"]: m["quantity"] for m in moves}


def sale_lines(tryton: TrytonServer, erp_id: str) -> list[tuple[int, str, float, Decimal]]:
    fields = ("sequence", "product.code", "quantity", "unit_price")
    got = sale(tryton, erp_id, *(f"lines.{f}" for f in fields))
    return sorted(
        (x["sequence"], x["product"]["code"], x["quantity"], decimal(x["unit_price"]))
        for x in got["lines"]
    )


async def test_a_processing_sale_is_amended_once(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    """After confirm Tryton has processed the sale (shipment and draft invoice made): a change
    goes through one validated sale.amendment, which remakes the moves and the invoice lines."""
    number = f"{RUN}-1007"
    ref = await connector.push_order(
        order(
            number,
            line(1, SCREW, "200", "0.0804"),
            line(2, CHAIN, "12.5", "5.9835"),
            line(3, BEARING, "4", "12.65"),
        )
    )
    assert sale(tryton, ref.erp_id, "state")["state"] == "processing"
    assert outgoing(tryton, ref.erp_id) == {SCREW: 200, CHAIN: 12.5, BEARING: 4}
    # an earlier attempt that stopped before validating left its draft amendment
    marker = f"orderdesk change of {number}"
    tryton.rest(
        "POST", "model/sale.amendment", json={"sale": int(ref.erp_id), "description": marker}
    ).raise_for_status()

    # line 1 up, line 2 cheaper, line 3 gone
    changed = order(number, line(1, SCREW, "300", "0.0804"), line(2, CHAIN, "12.5", "5.5000"))
    assert await connector.push_change(ref, changed) == ref

    assert sale_lines(tryton, ref.erp_id) == [
        (1, SCREW, 300, Decimal("0.0804")),
        (2, CHAIN, 12.5, Decimal("5.5000")),
        (3, BEARING, 0, Decimal("12.65")),  # an amendment cannot delete a line: quantity 0
    ]
    got = sale(tryton, ref.erp_id, "state", "revision", "invoices.state")
    assert got["state"] == "processing" and got["revision"] == 1
    assert outgoing(tryton, ref.erp_id) == {SCREW: 300, CHAIN: 12.5}
    invoice_lines = sale(
        tryton, ref.erp_id, "invoices.lines.product.code", "invoices.lines.quantity"
    )["invoices"]
    assert sorted(
        (x["product"]["code"], x["quantity"]) for i in invoice_lines for x in i["lines"]
    ) == [(CHAIN, 12.5), (SCREW, 300)]
    assert amendments(tryton, ref.erp_id) == [("validated", marker)]

    # the retry after a lost answer finds the sale as wanted: nothing is amended again
    assert await connector.push_change(ref, changed) == ref
    assert sale(tryton, ref.erp_id, "revision")["revision"] == 1
    assert amendments(tryton, ref.erp_id) == [("validated", marker)]
    assert (await connector.order_state(ref)).state == "processing"


async def test_what_an_amendment_cannot_do_is_refused_before_anything_changes(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    number = f"{RUN}-1010"
    ref = await connector.push_order(order(number, line(1, SCREW, "200", "0.0804")))

    new_line = order(number, line(1, SCREW, "100", "0.0804"), line(2, BEARING, "1", "12.65"))
    with pytest.raises(PermanentErpError, match=r"line 2 is new.*cannot add a line") as info:
        await connector.push_change(ref, new_line)
    assert f"sale {ref.erp_number}" in str(info.value)
    other_po = order(number, line(1, SCREW, "100", "0.0804"), customer_po="PO-CHANGED")
    with pytest.raises(PermanentErpError, match=r"processing: its customer PO can no longer"):
        await connector.push_change(ref, other_po)
    # Tryton's own refusal: a product sold by the foot cannot replace one sold by the unit
    other_unit = order(number, line(1, CHAIN, "100", "0.0804"))
    with pytest.raises(
        PermanentErpError, match=r"refused the amendment of line 1: .*Product.* not valid"
    ):
        await connector.push_change(ref, other_unit)

    assert sale_lines(tryton, ref.erp_id) == [(1, SCREW, 200, Decimal("0.0804"))]
    assert amendments(tryton, ref.erp_id) == []


async def test_a_line_in_the_warehouse_or_shipped_cannot_be_changed(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    number = f"{RUN}-1011"
    # (a part whose stock no other test reads: this one ships)
    ref = await connector.push_order(order(number, line(1, BEARING, "2", "12.65")))
    (shipment,) = sale(tryton, ref.erp_id, "shipments.number")["shipments"]
    more = order(number, line(1, BEARING, "3", "12.65"))

    def step(action: str) -> None:
        path = f"model/stock.shipment.out/{shipment['id']}/{action}"
        tryton.rest("POST", path, json={}).raise_for_status()

    step("assign_try")
    with pytest.raises(PermanentErpError, match=rf"shipment {shipment['number']} is assigned"):
        await connector.push_change(ref, more)
    for action in ("pick", "pack", "do"):
        step(action)
    with pytest.raises(PermanentErpError) as info:
        await connector.push_change(ref, more)
    assert str(info.value) == (
        f"Tryton sale {ref.erp_number} line 1: its goods are already done (shipment "
        f"{shipment['number']} is done), so the line can no longer be changed from orderdesk; "
        "change it in Tryton"
    )
    assert sale_lines(tryton, ref.erp_id) == [(1, BEARING, 2, Decimal("12.65"))]
    assert amendments(tryton, ref.erp_id) == []


async def test_the_engine_sends_a_change_of_a_processing_sale_and_holds_nothing(
    demo_store: Store, tryton: TrytonServer
) -> None:
    """Issue #5 end to end: an order submitted here is pushed (Tryton processes it), the
    coordinator raises a quantity, and the change entry goes through: done, no ERP hold."""
    unique_order_numbers(demo_store)
    [submitted] = submit_orders(demo_store, 1, lines=2, prefix=RUN)
    async with TrytonConnector(settings_for(tryton)) as connector:
        engine = SyncEngine(demo_store, connector, pull_interval_s=3600.0)
        await engine.push_once()
        with demo_store.session() as session:
            stored = session.get(SalesOrder, submitted.order_id)
            assert stored is not None and stored.erp_id
            first = session.exec(
                select(SalesOrderLine).where(
                    SalesOrderLine.order_id == submitted.order_id, SalesOrderLine.line_no == 1
                )
            ).one()
            first.quantity += 10
            wanted = float(first.quantity)
            session.add(first)
            apply_update(
                session,
                stored,
                {"notes": "ten more on line 1"},
                expected_version=stored.version,
                actor="alice",
                action="order.changed",
                order_id=submitted.order_id,
            )
            enqueue(
                session,
                entity="sales_orders",
                entity_id=submitted.order_id,
                operation="push_change",
                payload={"number": submitted.number},
            )
            erp_id = stored.erp_id
        report = await engine.push_once()

    assert report.done == 1, report
    with demo_store.session() as session:
        outbox = session.exec(
            select(SyncOutbox)
            .where(SyncOutbox.entity_id == submitted.order_id)
            .order_by(col(SyncOutbox.id))
        ).all()
        holds = session.exec(
            select(Hold).where(Hold.order_id == submitted.order_id, Hold.kind == HoldKind.ERP)
        ).all()
    assert [(e.operation, e.state) for e in outbox] == [
        ("push_order", "done"),
        ("push_change", "done"),
    ]
    assert holds == []
    got = sale(tryton, erp_id, "state", "comment", "lines.sequence", "lines.quantity")
    assert got["state"] == "processing" and got["comment"] == "ten more on line 1"
    assert {x["sequence"]: x["quantity"] for x in got["lines"]}[1] == wanted


async def test_cancel_of_a_processed_sale(tryton: TrytonServer, connector: TrytonConnector) -> None:
    number = f"{RUN}-1008"
    ref = await connector.push_order(order(number, line(1, BEARING, "4", "12.65")))
    await connector.push_cancel(ref, "duplicate order")

    got = sale(tryton, ref.erp_id, "state", "shipments.state", "invoices.state", "comment")
    assert got["state"] == "done"  # Tryton's end for a processed sale with nothing left to do
    assert {s["state"] for s in got["shipments"]} == {"cancelled"}
    assert {i["state"] for i in got["invoices"]} == {"cancelled"}
    assert "duplicate order" in got["comment"]
    state = await connector.order_state(ref)
    assert state.state == "cancelled"
    await connector.push_cancel(ref, "duplicate order")  # idempotent
    assert await connector.find_order(number) == ref
    assert tryton.count_sales(number) == 1


# --------------------------------------------------------------------------- pull


async def test_pull_customers_is_incremental(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    customers, cursor = await pull_all(connector.pull_customers, None)
    by_code = {c.code: c for c in customers}
    assert len(by_code) == len(customers), "no customer twice"
    acme = by_code["ACME01"]
    assert acme.name == "Acme Fabrication & Welding Inc."
    addresses = {a.code: a for a in acme.addresses}
    assert {"BT-01", "ST-01", "ST-02"} <= set(addresses)
    assert addresses["ST-02"].city == "Cicero"
    assert addresses["ST-02"].region == "IL" and addresses["ST-02"].country == "US"
    assert "Orderdesk Demo Distribution" not in {c.name for c in customers}  # the company
    assert cursor

    again, cursor2 = await pull_all(connector.pull_customers, cursor)
    assert again == []

    r = tryton.rest("PUT", f"model/party.party/{acme.erp_id}", json={"name": "Acme Fab (renamed)"})
    r.raise_for_status()
    changed, _ = await pull_all(connector.pull_customers, cursor2)
    assert [(c.code, c.name) for c in changed] == [("ACME01", "Acme Fab (renamed)")]


async def test_pull_items_is_incremental(tryton: TrytonServer, connector: TrytonConnector) -> None:
    items, cursor = await pull_all(connector.pull_items, None)
    by_part = {i.part_number: i for i in items}
    assert len(by_part) == len(items) >= 770
    screw = by_part[SCREW]
    assert screw.list_price == Decimal("0.0804") and screw.cost == Decimal("0.0345")
    assert screw.uom == "EA" and by_part[CHAIN].uom == "FT"
    assert any(not i.active for i in items), "obsolete items come as inactive"

    assert (await pull_all(connector.pull_items, cursor))[0] == []

    product = tryton.search("product.product", [["code", "=", BEARING]], ["template"])[0]
    r = tryton.rest(
        "PUT",
        f"model/product.template/{product['template']}",
        json={"list_price": {"__class__": "Decimal", "decimal": "13.1000"}},
    )
    r.raise_for_status()
    changed, cursor3 = await pull_all(connector.pull_items, cursor)
    assert [(i.part_number, i.list_price) for i in changed] == [(BEARING, Decimal("13.1000"))]
    assert (await pull_all(connector.pull_items, cursor3))[0] == []


async def test_pull_stock_per_warehouse_is_incremental(
    tryton: TrytonServer, connector: TrytonConnector
) -> None:
    stock, cursor = await pull_all(connector.pull_stock, None)
    levels = {(s.part_number, s.warehouse_code): s.on_hand for s in stock}
    assert len(levels) == len(stock)
    assert {w for _, w in levels} == {"CHI", "RNO", "TOR"}
    assert levels[("HHCS-0250-20X050-ZP", "CHI")] == Decimal("21700")
    assert levels[("HHCS-0250-20X050-ZP", "RNO")] == Decimal("9700")
    assert levels[("6205", "TOR")] == 0

    assert (await pull_all(connector.pull_stock, cursor))[0] == []

    # Stock moves in Tryton (an inventory in RNO) make the product come back, everywhere.
    wh = tryton.search("stock.location", [["code", "=", "RNO"]], ["storage_location"])[0]
    product = tryton.search("product.product", [["code", "=", "6205"]], ["id"])[0]
    r = tryton.rest(
        "POST",
        "model/stock.inventory",
        json={
            "location": wh["storage_location"],
            "lines": [["create", [{"product": product["id"], "quantity": 42.0}]]],
        },
    )
    r.raise_for_status()
    tryton.rest(
        "POST", f"model/stock.inventory/{r.json()['id']}/confirm", json={}
    ).raise_for_status()
    changed, _ = await pull_all(connector.pull_stock, cursor)
    assert {(s.part_number, s.warehouse_code, s.on_hand) for s in changed} == {
        ("6205", "CHI", 0),
        ("6205", "RNO", Decimal("42")),
        ("6205", "TOR", 0),
    }


# --------------------------------------------------------------------------- errors


async def test_a_wrong_key_is_an_auth_error_without_the_key(
    tryton: TrytonServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = f"wrong-{uuid.uuid4().hex}"
    async with TrytonConnector(settings_for(tryton, key=SecretStr(secret))) as bad:
        assert secret not in repr(bad)
        with pytest.raises(ErpAuthError, match="401") as info:
            await bad.find_order("anything")
    assert isinstance(info.value, PermanentErpError)
    assert secret not in str(info.value) and secret not in repr(info.value)
    assert secret not in caplog.text


async def test_a_server_that_is_down_is_a_transient_error(tryton: TrytonServer) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with TrytonConnector(settings_for(tryton, url=url)) as down:
        with pytest.raises(TransientErpError, match="cannot reach Tryton") as info:
            await down.push_order(order(f"{RUN}-1009"))
    assert tryton.key not in str(info.value)


def _mock(status: int, headers: dict[str, str] | None = None, body: Any = None) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/company.company"):
            return httpx.Response(200, json=[{"id": 1, "party": 1}])
        if body == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(status, headers=headers or {}, json=body)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind", "retry_after", "text"),
    [
        (500, None, None, TransientErpError, None, "HTTP 500"),
        (502, None, None, TransientErpError, None, "HTTP 502"),
        (429, {"Retry-After": "7"}, None, TransientErpError, 7.0, "HTTP 429"),
        (503, {"Retry-After": "2"}, None, TransientErpError, 2.0, "HTTP 503"),
        (0, None, "timeout", TransientErpError, None, "did not answer"),
        (400, None, {"status": 400, "message": "Nope."}, PermanentErpError, None, "Nope."),
        (403, None, None, PermanentErpError, None, "access denied"),
        (404, None, None, PermanentErpError, None, "not found"),
    ],
)
async def test_error_mapping(
    status: int,
    headers: dict[str, str] | None,
    body: Any,
    kind: type[Exception],
    retry_after: float | None,
    text: str,
) -> None:
    settings = ErpSettings(url="http://erp.invalid", database="db", key=SecretStr("sekret-key"))
    async with TrytonConnector(settings, transport=_mock(status, headers, body)) as c:
        with pytest.raises(kind, match=text) as info:
            await c.find_order("X")
    assert getattr(info.value, "retry_after", None) == retry_after
    assert "sekret-key" not in str(info.value)
