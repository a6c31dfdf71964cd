"""Customer master changes through the sync engine: a coordinator's edit (services/customer_master)
becomes an outbox entry, which the engine sends to the ERP with the order's retries and
idempotency, and whose refusal fails the entry without holding any order.

Against the stub ERP behind the fault proxy (a 500, a lost answer, a refusal), and against the
real Tryton 8.2 of the `tryton` fixture.
"""

import asyncio
import json
import uuid
from dataclasses import replace
from typing import Any

from erp_stub import ADDRESS, PARTY, ErpStub, StubConnector
from fault_proxy import Fault, FaultProxy, Request
from pydantic import SecretStr
from sqlmodel import col, select
from tryton_server import TrytonServer, _b64

from orderdesk_tui.config import ErpSettings
from orderdesk_tui.erp.connector import AddressPayload, CustomerPayload, PostalAddress
from orderdesk_tui.erp.sync.engine import SyncEngine
from orderdesk_tui.erp.sync.outbox import CUSTOMERS
from orderdesk_tui.erp.sync.status import read_status
from orderdesk_tui.erp.tryton.connector import TrytonConnector
from orderdesk_tui.erp.tryton.parties import TAX_ID_TYPES
from orderdesk_tui.models import Address, Customer, Hold, SyncOutbox
from orderdesk_tui.services import customer_master as cm
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store

BILL_TO = {
    "code": "BT-1",
    "name": "Coastal Hydraulics - AP",
    "line1": "400 Harbor Blvd",
    "city": "Long Beach",
    "region": "CA",
    "postal_code": "90802",
    "country": "US",
}


def _engine(store: Store, connector: Any) -> SyncEngine:
    return SyncEngine(
        store, connector, backoff_base_s=0.01, backoff_cap_s=0.02, poll_interval_s=0.01
    )


def _entries(store: Store) -> list[SyncOutbox]:
    with store.session() as session:
        return list(session.exec(select(SyncOutbox).order_by(col(SyncOutbox.id))))


def _party_post(request: Request) -> bool:
    return request.method == "POST" and PARTY in request.path


async def _push(engine: SyncEngine) -> None:
    """One pass, after the backoff of the previous one has run out."""
    await asyncio.sleep(0.05)
    await engine.push_once()


async def test_customer_edits_reach_the_erp_through_a_500_and_a_lost_answer(
    store: Store,
) -> None:
    alice = ensure_user(store, "alice")
    customer = cm.create_customer(
        store,
        {"code": "COAST01", "name": "Coastal Hydraulics Inc.", "tax_id": "364172958"},
        BILL_TO,
        actor=alice,
    )
    assert customer.id is not None
    with store.session() as session:  # an RMA entry: no connector maps it, it waits
        enqueue(session, entity="rmas", entity_id=1, operation="push_rma", payload={})
    with ErpStub() as erp, FaultProxy(erp.url, lifetime_s=60) as proxy:
        proxy.add(Fault("error", match=_party_post), Fault("lost", match=_party_post))
        engine = _engine(store, StubConnector(proxy.url, erp.key))
        try:
            report = await engine.push_once()
            assert report.retried == 1 and erp.find(PARTY) == []
            entry = _entries(store)[0]
            assert entry.state == "pending" and "HTTP 500" in entry.last_error

            await _push(engine)  # the ERP creates the party, the answer is lost
            assert len(erp.find(PARTY)) == 1
            assert _entries(store)[0].state == "pending"

            await _push(engine)  # found by its code: updated, not created again
            assert (proxy.stats["error"], proxy.stats["lost"]) == (1, 1)
            [party] = erp.find(PARTY)
            assert party["code"] == "COAST01" and party["name"] == "Coastal Hydraulics Inc."
            assert party["active"] is True and party["tax_id"] == "36-4172958"
            [bill_to] = erp.find(ADDRESS)
            assert (bill_to["party"], bill_to["code"], bill_to["city"]) == (
                party["id"],
                "BT-1",
                "Long Beach",
            )
            assert bill_to["invoice"] is True
            assert [(e.operation, e.state, e.attempts) for e in _entries(store)] == [
                ("push_customer", "done", 3),
                ("push_rma", "pending", 0),
            ]

            # a rename and a new city, in that order, in one pass
            form = cm.read_form(store, "customers", customer.id)
            cm.update_customer(
                store,
                customer.id,
                {**form.values, "name": "Coastal Hydraulics Group"},
                expected_version=form.version,
                actor=alice,
            )
            with store.session() as session:
                address = session.exec(select(Address).where(Address.code == "BT-1")).one()
            cm.save_address(
                store,
                customer.id,
                {**cm.read_form(store, "addresses", address.id or 0).values, "city": "Carson"},
                actor=alice,
                address_id=address.id,
                expected_version=address.version,
            )
            report = await engine.push_once()
            assert report.done == 2
            assert erp.find(PARTY, code="COAST01")[0]["name"] == "Coastal Hydraulics Group"
            assert erp.find(ADDRESS, code="BT-1")[0]["city"] == "Carson"
            assert len(erp.find(PARTY)) == len(erp.find(ADDRESS)) == 1

            # the address code changed here: the same ERP address takes the new code
            form = cm.read_form(store, "addresses", address.id or 0)
            cm.save_address(
                store,
                customer.id,
                {**form.values, "code": "BT-9"},
                actor=alice,
                address_id=address.id,
                expected_version=form.version,
            )
            assert (await engine.push_once()).done == 1
            assert [(a["code"], a["city"]) for a in erp.find(ADDRESS)] == [("BT-9", "Carson")]
        finally:
            await engine.connector.aclose()
    assert read_status(store).pending == 1  # the RMA


def _rename(store: Store, customer_id: int, name: str) -> None:
    form = cm.read_form(store, "customers", customer_id)
    cm.update_customer(
        store,
        customer_id,
        {**form.values, "name": name},
        expected_version=form.version,
        actor=ensure_user(store, "alice"),
    )


async def test_a_refused_customer_entry_fails_without_a_hold_and_is_retried(
    store: Store,
) -> None:
    from orderdesk_tui.sync_cli import _status_lines

    alice = ensure_user(store, "alice")
    customer = cm.create_customer(
        store, {"code": "COAST01", "name": "Coastal Hydraulics Inc."}, BILL_TO, actor=alice
    )
    assert customer.id is not None
    with ErpStub() as erp, FaultProxy(erp.url, lifetime_s=60) as proxy:
        proxy.add(Fault("error", status=400, match=_party_post))
        engine = _engine(store, StubConnector(proxy.url, erp.key))
        try:
            report = await engine.push_once()
            assert report.failed == 1 and erp.find(PARTY) == []
            [entry] = _entries(store)
            assert (entry.state, entry.last_error) == ("failed", "injected")
            with store.session() as session:
                assert session.exec(select(Hold)).all() == []
            status = read_status(store)
            assert (status.pending, status.failed) == (0, 1)
            lines = _status_lines(store, status)
            assert f"failed: customer COAST01 push_customer: {entry.last_error}" in lines

            # a failed entry does not hold back the customer's later ones (they send what is
            # stored now), but the new customer's bill-to was not sent: it stays failed
            _rename(store, customer.id, "Coastal Hydraulics Group")
            report = await engine.push_once()
            assert report.done == 1 and erp.find(ADDRESS) == []
            assert [p["name"] for p in erp.find(PARTY)] == ["Coastal Hydraulics Group"]
            assert [e.state for e in _entries(store)] == ["failed", "done"]

            # retry_failed for a customer: back to pending, sent with its bill-to, done
            assert engine.retry_failed(customer.id) == 0  # not an order's
            assert engine.retry_failed(customer.id, entity=CUSTOMERS) == 1
            await engine.push_once()
            assert len(erp.find(PARTY)) == len(erp.find(ADDRESS, code="BT-1")) == 1
            assert [e.state for e in _entries(store)] == ["done", "done"]

            # a refused update is settled by the customer's next one, which sends it too
            proxy.add(Fault("error", status=400, match=lambda r: r.method == "PUT"))
            _rename(store, customer.id, "Coastal Hydraulics Co.")
            assert (await engine.push_once()).failed == 1
            _rename(store, customer.id, "Coastal Hydraulics Company")
            assert (await engine.push_once()).done == 1
            assert [p["name"] for p in erp.find(PARTY)] == ["Coastal Hydraulics Company"]
            settled = _entries(store)[2]
            assert settled.state == "done" and settled.last_error.startswith("sent by entry")
            assert {e.state for e in _entries(store)} == {"done"}

            # a customer deleted here is deactivated there (by its code: the row is gone)
            cm.delete_customer(store, customer.id, actor=alice, reason="keyed twice")
            assert (await engine.push_once()).done == 1
            assert [(p["name"], p["active"]) for p in erp.find(PARTY)] == [
                ("Coastal Hydraulics Company", False)
            ]
            assert {e.state for e in _entries(store)} == {"done"}
        finally:
            await engine.connector.aclose()


# -- the real Tryton --------------------------------------------------------------------------


async def _push_to_tryton(store: Store, tryton: TrytonServer) -> None:
    settings = ErpSettings(
        url=tryton.url, database=tryton.database, key=SecretStr(tryton.key), timeout_s=60
    )
    async with TrytonConnector(settings) as connector:
        report = await SyncEngine(store, connector).push_once()
    assert not report.errors, report.errors


def _edit(store: Store, customer_id: int, address_id: int, **values: str) -> None:
    """Change the customer's fields and the address's city (when given) as the forms do."""
    alice = ensure_user(store, "alice")
    city = values.pop("city", None)
    form = cm.read_form(store, "customers", customer_id)
    cm.update_customer(
        store,
        customer_id,
        {**form.values, **values},
        expected_version=form.version,
        actor=alice,
    )
    if city is not None:
        address_form = cm.read_form(store, "addresses", address_id)
        cm.save_address(
            store,
            customer_id,
            {**address_form.values, "city": city},
            actor=alice,
            address_id=address_id,
            expected_version=address_form.version,
        )


async def test_customer_and_address_edits_reach_tryton(
    demo_store: Store, tryton: TrytonServer
) -> None:
    """A demo customer (not ACME01, which the connector tests read) renamed and an address
    moved; then both put back (the Tryton fixture is shared)."""
    with demo_store.session() as session:
        row = session.exec(
            select(Customer, Address)
            .join(Address, col(Address.customer_id) == col(Customer.id))
            .where(
                Customer.active,
                Customer.code != "ACME01",
                Address.active,
                Address.kind == "ship_to",
            )
            .order_by(col(Customer.id), col(Address.id))
        ).first()
        assert row is not None
        customer, address = (m.model_copy() for m in row)
    assert customer.id is not None and address.id is not None
    new_name = f"{customer.name} (renamed)"
    _edit(demo_store, customer.id, address.id, name=new_name, city="Peoria")
    await _push_to_tryton(demo_store, tryton)
    customer_entries = [e for e in _entries(demo_store) if e.entity == CUSTOMERS]
    assert [(e.operation, e.state) for e in customer_entries] == [
        ("push_customer", "done"),
        ("push_address", "done"),
    ]
    [party] = tryton.search("party.party", [["code", "=", customer.code]], ["name", "active"])
    assert party["name"] == new_name and party["active"]
    # the customer's tax id is kept on the party as the identifier of its type
    taxes = tryton.search("party.identifier", [["party", "=", party["id"]]], ["type", "code"])
    tax_id = (TAX_ID_TYPES[customer.tax_id_type], customer.tax_id)
    assert [(t["type"], t["code"]) for t in taxes if t["type"]] == [tax_id]
    [identifier] = tryton.search(
        "party.identifier",
        [["party", "=", party["id"]], ["code", "=", address.code], ["address", "!=", None]],
        ["address"],
    )
    r = tryton.rest(
        "GET",
        f"model/party.address/{identifier['address']}",
        params={"f": ["city", "street", "postal_code", "delivery"]},
    )
    r.raise_for_status()
    stored = r.json()
    assert stored["city"] == "Peoria" and stored["postal_code"] == address.postal_code
    assert stored["street"].startswith(address.line1) and stored["delivery"]
    assert json.loads(customer_entries[1].payload)["address"] == address.code

    _edit(demo_store, customer.id, address.id, name=customer.name, city=address.city)
    await _push_to_tryton(demo_store, tryton)
    [party] = tryton.search("party.party", [["code", "=", customer.code]], ["name"])
    assert party["name"] == customer.name
    taxes = tryton.search("party.identifier", [["party", "=", party["id"]]], ["type", "code"])
    assert [(t["type"], t["code"]) for t in taxes if t["type"]] == [tax_id]
    assert (
        tryton.search("party.address", [["id", "=", identifier["address"]]], ["city"])[0]["city"]
        == address.city
    )


async def test_tryton_push_customer_is_idempotent_and_deactivates(tryton: TrytonServer) -> None:
    settings = ErpSettings(
        url=tryton.url, database=tryton.database, key=SecretStr(tryton.key), timeout_s=60
    )
    code = f"C{uuid.uuid4().hex[:8].upper()}"
    new = CustomerPayload(code, "Harbor Pumps LLC", tax_id="36-4172958", tax_id_type="EIN")
    bill_to = AddressPayload(
        new, PostalAddress("BT-1", "Harbor Pumps - AP", "9 Pier Rd", "Tacoma", "98421", "US"), True
    )
    async with TrytonConnector(settings) as connector:
        await connector.push_customer(new)
        await connector.push_customer(new)  # a repeat after a lost answer: found by code
        await connector.push_address(bill_to)
        await connector.push_address(bill_to)
        [found] = tryton.search("party.party", [["code", "=", code]], ["id"])
        taxes = tryton.search("party.identifier", [["party", "=", found["id"]]], ["type", "code"])
        assert [(t["type"], t["code"]) for t in taxes if t["type"]] == [("us_ein", "36-4172958")]
        recoded = AddressPayload(
            new, replace(bill_to.address, code="BT-2"), True, previous_code="BT-1"
        )
        await connector.push_address(recoded)
        await connector.push_address(recoded)
        codes = tryton.search(
            "party.identifier", [["party", "=", found["id"]], ["address", "!=", None]], ["code"]
        )
        assert [c["code"] for c in codes] == ["BT-2"]
        await connector.push_customer(CustomerPayload(code, "Harbor Pumps LLC"))  # tax id cleared
        taxes = tryton.search("party.identifier", [["party", "=", found["id"]]], ["type"])
        assert [t for t in taxes if t["type"]] == []
        await connector.push_customer(CustomerPayload(code=code, name="", active=False))
        # never in Tryton and inactive: not created
        await connector.push_customer(CustomerPayload(code=f"{code}X", name="x", active=False))
    ctx = {"active_test": False}
    r = tryton.rest(
        "GET",
        "model/party.party",
        params={"d": _b64([["code", "like", f"{code}%"]]), "f": ["name", "active", "addresses"]},
        headers={"X-Tryton-Context": _b64(ctx)},
    )
    r.raise_for_status()
    [party] = r.json()
    assert party["name"] == "Harbor Pumps LLC" and not party["active"]
    assert len(party["addresses"]) == 1
