"""Customer master data: the validation rules (pure) and the service on both stores."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from orderdesk_tui.domain.callback_time import parse_callback
from orderdesk_tui.domain.master_data import (
    clean_address,
    clean_country,
    clean_customer,
    clean_email,
    clean_phone,
    clean_postal_code,
    clean_tax_id,
)
from orderdesk_tui.errors import FieldError, PermissionDenied, RuleViolation, StaleEdit
from orderdesk_tui.models import (
    Address,
    AuditEvent,
    Contact,
    Customer,
    Note,
    SalesOrder,
    SyncOutbox,
)
from orderdesk_tui.models.base import Role
from orderdesk_tui.services import customer_master as cm
from orderdesk_tui.services.callbacks import mark_callback_done
from orderdesk_tui.services.customer_lookup import lookup
from orderdesk_tui.services.order_actions import add_note
from orderdesk_tui.services.users import add_user, ensure_user
from orderdesk_tui.store import Store

# -- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("US", "60623", "60623"),
        ("US", "60623 1234", "60623-1234"),
        ("CA", "k1a0b1", "K1A 0B1"),
        ("MX", "06600", "06600"),
        ("DE", "10115", "10115"),
        ("NL", "1012ab", "1012 AB"),
        ("PL", "00950", "00-950"),
        ("SE", "11455", "114 55"),
        ("IE", "a65f4e2", "A65 F4E2"),
        ("JP", "100-0001", "100-0001"),  # no rule known: kept as typed
    ],
)
def test_postal_codes_accepted_and_written_one_way(country: str, typed: str, stored: str) -> None:
    assert clean_postal_code(typed, country) == stored


@pytest.mark.parametrize(
    ("country", "typed"),
    [
        ("US", "6062"),
        ("CA", "D1A 0B1"),
        ("MX", "0660"),
        ("DE", "1011"),
        ("ES", "53001"),
        ("US", ""),
    ],
)
def test_bad_postal_codes_name_the_field_and_the_shape(country: str, typed: str) -> None:
    with pytest.raises(FieldError) as info:
        clean_postal_code(typed, country)
    assert info.value.field == "postal code" and country in info.value.rule


def test_countries_are_iso_3166() -> None:
    assert clean_country("de") == "DE"
    assert clean_country("USA") == "US"
    for bad in ("XX", "U", "Germany"):
        with pytest.raises(FieldError, match="country: an ISO 3166 country code"):
            clean_country(bad)


@pytest.mark.parametrize(
    ("typed", "kind", "country", "stored", "stored_kind"),
    [
        ("364172958", "", "US", "36-4172958", "EIN"),
        ("123456782", "BN", "CA", "123456782", "BN"),
        ("GODE561231GR8", "", "MX", "GODE 561231 GR8", "RFC"),
        ("DE136695976", "VAT", "DE", "DE136695976", "VAT"),
        ("136695976", "", "DE", "DE136695976", "VAT"),  # the country prefix is added
    ],
)
def test_tax_ids_checked_with_stdnum(
    typed: str, kind: str, country: str, stored: str, stored_kind: str
) -> None:
    assert clean_tax_id(typed, kind, country) == (stored, stored_kind)


@pytest.mark.parametrize(
    ("typed", "kind", "country"),
    [("DE123456789", "VAT", "DE"), ("123456789", "BN", "CA"), ("GODE561331GR8", "RFC", "MX")],
)
def test_bad_tax_ids_refused_with_the_rule(typed: str, kind: str, country: str) -> None:
    with pytest.raises(FieldError) as info:
        clean_tax_id(typed, kind, country)
    assert info.value.field == "tax id" and info.value.rule.startswith(f"not a valid {kind}")


def test_emails_and_phones() -> None:
    assert clean_email(" Dana.Kim@AcmeFab.Example ") == "Dana.Kim@acmefab.example"
    for bad in ("dana", "dana@", "dana@acme", "a b@acme.com", "x@y.c"):
        with pytest.raises(FieldError, match="email: not an email address"):
            clean_email(bad)
    assert clean_phone("773 555 0142") == "+1 773-555-0142"
    assert clean_phone("(773) 555-0142 x12") == "+1 773-555-0142 ext. 12"
    assert clean_phone("030 1234567", "DE") == "+49 30 1234567"
    assert clean_phone("") == ""
    with pytest.raises(FieldError, match="phone: not a valid phone number for US"):
        clean_phone("555-0142")


def test_customer_and_address_forms() -> None:
    clean = clean_customer(
        {
            "name": "  Acme   Fab ",
            "currency": "eur",
            "credit_limit": "75,000",
            "incoterm": "dap",
            "po_format": " 45######## ",
        }
    )
    assert clean == {
        "name": "Acme Fab",
        "currency": "EUR",
        "credit_limit": Decimal("75000.00"),
        "incoterm": "DAP",
        "po_format": "45########",
    }
    for values, field in [
        ({"name": ""}, "name"),
        ({"currency": "EURO"}, "currency"),
        ({"credit_limit": "-5"}, "credit limit"),
        ({"payment_terms_days": "400"}, "payment terms days"),
        ({"freight_terms": "free"}, "freight terms"),
        ({"incoterm": "FOO"}, "incoterm"),
        ({"po_format": "PO-FIXED"}, "PO format"),
    ]:
        with pytest.raises(FieldError) as info:
            clean_customer(values)
        assert info.value.field == field
    address = {
        "code": "st-9",
        "kind": "ship_to",
        "name": "Plant 9",
        "line1": "1 Main St",
        "city": "Toronto",
        "region": "on",
        "postal_code": "m5v2t6",
        "country": "CA",
    }
    assert clean_address(address)["postal_code"] == "M5V 2T6"
    with pytest.raises(FieldError, match="region: not a CA state or province code"):
        clean_address({**address, "region": "ZZ"})


def test_callback_times() -> None:
    now = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert parse_callback("14:30", now) == now.replace(hour=14, minute=30)
    assert parse_callback("2:30pm", now) == now.replace(hour=14, minute=30)
    assert parse_callback("+2h", now) == now + timedelta(hours=2)
    assert parse_callback("tomorrow 9am", now) == now.replace(day=28, hour=9)
    assert parse_callback("2026-12-01 08:15", now) == now.replace(
        month=12, day=1, hour=8, minute=15
    )
    assert parse_callback("mon", now) == now.replace(day=30, hour=9)
    with pytest.raises(FieldError, match=r"call back at: .* has passed"):
        parse_callback("9:00", now)
    with pytest.raises(FieldError, match="call back at"):
        parse_callback("soonish", now)


# -- service ----------------------------------------------------------------------------------

BILL_TO = {
    "name": "Coastal Hydraulics - AP",
    "line1": "400 Harbor Blvd",
    "city": "Long Beach",
    "region": "CA",
    "postal_code": "90802",
    "country": "US",
}


def _new(store: Store, *, confirm: bool = False, **values: str) -> Customer:
    alice = ensure_user(store, "alice")
    typed = {
        "code": "COAST01",
        "name": "Coastal Hydraulics Inc.",
        "phone": "562 555 0100",
        "email": "buyer@coastal.example",
        "currency": "USD",
        "payment_terms": "NET30",
        "payment_terms_days": "30",
        "tax_id": "364172958",
        "freight_terms": "prepaid",
        "service_tier": "gold",
        **values,
    }
    return cm.create_customer(store, typed, BILL_TO, actor=alice, confirm_duplicates=confirm)


def test_create_audits_pushes_and_is_found(store: Store) -> None:
    customer = _new(store)
    assert customer.phone == "+1 562-555-0100" and customer.tax_id == "36-4172958"
    with store.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.entity_id == customer.id)).all()
        assert {e.action for e in events} >= {"customer.created"}
        outbox = s.exec(select(SyncOutbox).where(SyncOutbox.entity == "customers")).one()
        payload = json.loads(outbox.payload)
        assert outbox.operation == "push_customer" and payload["code"] == "COAST01"
        assert payload["bill_to"]["postal_code"] == "90802"
        bill_to = s.exec(select(Address).where(Address.customer_id == customer.id)).one()
        assert bill_to.kind == "bill_to" and bill_to.is_default
    assert lookup(store, "5625550100")[0].code == "COAST01"
    assert lookup(store, "long beach")[0].code == "COAST01"


def test_duplicates_are_suspected_before_saving(store: Store) -> None:
    _new(store)
    with pytest.raises(cm.DuplicateSuspected) as info:
        _new(store, code="COAST02", name="Coastal Hydraulics")
    assert [s.code for s in info.value.suspects] == ["COAST01"]
    assert "similar name" in str(info.value)
    with pytest.raises(cm.DuplicateSuspected, match="same address 400 Harbor Blvd"):
        _new(store, code="COAST03", name="Harbor Pumps")
    confirmed = cm.create_customer(
        store,
        {"code": "COAST02", "name": "Coastal Hydraulics"},
        BILL_TO,
        actor=ensure_user(store, "alice"),
        confirm_duplicates=True,
    )
    assert confirmed.id is not None
    with pytest.raises(FieldError, match="code: COAST01 is taken"):
        _new(store, name="Somebody Else", phone="")


def test_update_is_versioned_audited_and_sent(store: Store) -> None:
    customer = _new(store)
    alice, bob = ensure_user(store, "alice"), ensure_user(store, "bob")
    assert customer.id is not None
    form = cm.read_form(store, "customers", customer.id)
    diff = cm.update_customer(
        store,
        customer.id,
        {**form.values, "name": "Coastal Hydraulics Group", "customer_group": "oem"},
        expected_version=form.version,
        actor=bob,
    )
    assert diff == {
        "name": ("Coastal Hydraulics Inc.", "Coastal Hydraulics Group"),
        "customer_group": ("", "oem"),
    }
    # alice still holds the old version: told, and nothing written
    with pytest.raises(StaleEdit):
        cm.update_customer(
            store,
            customer.id,
            {**form.values, "phone": "562 555 0111"},
            expected_version=form.version,
            actor=alice,
        )
    now = cm.read_form(store, "customers", customer.id)
    assert now.values["name"] == "Coastal Hydraulics Group" and now.last_changed_by == "bob"
    assert now.values["phone"] == "+1 562-555-0100"
    with store.session() as s:
        pushes = s.exec(
            select(SyncOutbox).where(SyncOutbox.entity == "customers").order_by(col(SyncOutbox.id))
        ).all()
        # the group is the desk's own field: only the name goes to the ERP
        assert json.loads(pushes[-1].payload)["changes"] == {"name": "Coastal Hydraulics Group"}
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "customer.updated")).one()
        assert event.actor == "bob" and json.loads(event.changes)["customer_group"] == ["", "oem"]
    with pytest.raises(FieldError, match="tax id: not a valid EIN"):
        cm.update_customer(
            store,
            customer.id,
            {**now.values, "tax_id": "07-1234567"},
            expected_version=now.version,
            actor=bob,
        )
    with pytest.raises(PermissionDenied, match="credit limit: changing it is for supervisors"):
        cm.update_customer(
            store,
            customer.id,
            {**now.values, "credit_limit": "90000"},
            expected_version=now.version,
            actor=bob,
        )
    sam = add_user(store, "sam", Role.SUPERVISOR, actor="test")
    cm.update_customer(
        store,
        customer.id,
        {**now.values, "credit_limit": "90000"},
        expected_version=now.version,
        actor=sam,
    )


def test_addresses_and_contacts(store: Store) -> None:
    customer = _new(store)
    alice = ensure_user(store, "alice")
    assert customer.id is not None
    ship = {**BILL_TO, "code": "st-02", "kind": "ship_to", "name": "Coastal - Plant 2"}
    ship["line1"] = "77 Pier Rd"
    address = cm.save_address(store, customer.id, ship, actor=alice, make_default=True)
    assert address.code == "ST-02" and address.is_default
    with pytest.raises(FieldError, match="address code: ST-02 is already an address of COAST01"):
        cm.save_address(store, customer.id, ship, actor=alice)
    form = cm.read_form(store, "addresses", address.id or 0)
    with pytest.raises(FieldError, match="postal code: US postal codes read 12345"):
        cm.save_address(
            store,
            customer.id,
            {**form.values, "postal_code": "9O802"},
            actor=alice,
            address_id=address.id,
            expected_version=form.version,
        )
    cm.save_address(
        store,
        customer.id,
        {**form.values, "dock_hours": "Mon-Fri 07:00-15:00"},
        actor=alice,
        address_id=address.id,
        expected_version=form.version,
    )
    first = cm.save_contact(store, customer.id, {"name": "Tom Lee"}, actor=alice, make_primary=True)
    contact = cm.save_contact(
        store,
        customer.id,
        {"name": "Rita Ortiz", "email": "rita@coastal.example"},
        actor=alice,
        make_primary=True,
    )
    with store.session() as s:
        primaries = s.exec(select(Contact.name).where(Contact.is_primary == True)).all()  # noqa: E712
        assert primaries == ["Rita Ortiz"] and first.id
    with pytest.raises(FieldError, match="email: not an email address"):
        cm.save_contact(
            store,
            customer.id,
            {"name": "Rita Ortiz", "email": "rita@"},
            actor=alice,
            contact_id=contact.id,
            expected_version=contact.version,
        )
    with store.session() as s:
        pushes = [
            json.loads(o.payload)
            for o in s.exec(select(SyncOutbox).where(SyncOutbox.operation == "push_address"))
        ]
        # the new ship-to went to the ERP; the dock hours (desk-owned) did not
        assert [p["address"] for p in pushes] == ["ST-02"]
        assert len(s.exec(select(Contact).where(Contact.customer_id == customer.id)).all()) == 2


def test_delete_refused_with_open_orders_and_deactivate_instead(store: Store) -> None:
    customer = _new(store)
    alice = ensure_user(store, "alice")
    assert customer.id is not None
    with store.session() as s:
        s.add(SalesOrder(number="SO0009001", customer_id=customer.id, state="entered"))
    with pytest.raises(RuleViolation, match="has 1 open order: it cannot be deleted, deactivate"):
        cm.delete_customer(store, customer.id, actor=alice, reason="duplicate")
    deactivated = cm.set_active(
        store, customer.id, False, expected_version=customer.version, actor=alice, reason="closed"
    )
    assert not deactivated.active
    spare = _new(store, code="SPARE1", name="Spare Parts Depot", phone="", confirm=True)
    assert spare.id is not None
    cm.delete_customer(store, spare.id, actor=alice, reason="keyed twice")
    with store.session() as s:
        assert s.get(Customer, spare.id) is None
        gone = s.exec(select(AuditEvent).where(AuditEvent.action == "customer.deleted")).one()
        assert gone.reason == "keyed twice"


def test_callbacks_marked_done_once(store: Store) -> None:
    customer = _new(store)
    alice = ensure_user(store, "alice")
    due = datetime.now(UTC) + timedelta(hours=1)
    note = add_note(
        store, actor=alice, body="call back re ETA", customer_id=customer.id, callback_at=due
    )
    assert note.id is not None
    mark_callback_done(store, note.id, actor=alice)
    with store.session() as s:
        stored = s.get(Note, note.id)
        assert stored is not None and stored.callback_done
    with pytest.raises(RuleViolation, match="already marked done"):
        mark_callback_done(store, note.id, actor=alice)
