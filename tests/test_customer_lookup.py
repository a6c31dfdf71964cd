"""The desk lookup on both stores: every kind of needle a caller quotes, ranked."""

from datetime import date

import pytest

from orderdesk_tui.models import Address, Contact, Customer, Invoice, SalesOrder
from orderdesk_tui.models.base import AddressKind
from orderdesk_tui.services.customer_lookup import (
    EXACT_BONUS,
    EXACT_MIN,
    NAME_START_BONUS,
    SCORES,
    MatchKind,
    lookup,
    phone_digits,
)
from orderdesk_tui.store import Store


def _fill(store: Store) -> dict[str, int]:
    with store.session() as s:
        acme = Customer(
            code="ACME01",
            name="Acme Industrial Supply",
            phone="773-555-0142",
            email="orders@acmefab.example",
        )
        bolt = Customer(code="BOLT02", name="Boltworks of Ohio", phone="+1 614 555 0199")
        acme_old = Customer(code="ACME99", name="Acme Old Account", active=False)
        pacific = Customer(code="PAC03", name="Pacific Pumps", phone="(503) 555-0177")
        s.add_all([acme, bolt, acme_old, pacific])
        s.flush()
        assert acme.id and bolt.id and pacific.id
        s.add_all(
            [
                Address(
                    customer_id=bolt.id,
                    code="ST-0102",
                    kind=AddressKind.SHIP_TO,
                    name="Boltworks DC",
                    line1="1 Dock Rd",
                    city="Columbus",
                    postal_code="43215",
                    is_default=True,
                ),
                Address(
                    customer_id=pacific.id,
                    code="P100",
                    kind=AddressKind.SHIP_TO,
                    name="Pacific Pumps Plant",
                    line1="9 River St",
                    city="Portland",
                    phone="503-555-0900",
                    is_default=True,
                ),
                Contact(
                    customer_id=acme.id,
                    name="Dana Kim",
                    email="dkim@acmefab.example",
                    phone="773-555-0152",
                ),
            ]
        )
        order = SalesOrder(number="SO0001234", customer_id=pacific.id, customer_po="PP-88/2026")
        s.add(order)
        s.flush()
        s.add(
            Invoice(
                number="INV0000777",
                customer_id=pacific.id,
                order_id=order.id,
                invoice_date=date(2026, 11, 1),
                due_date=date(2026, 12, 1),
            )
        )
        return {"acme": acme.id, "bolt": bolt.id, "pacific": pacific.id, "order": order.id or 0}


def _first(store: Store, needle: str) -> tuple[int, MatchKind, str]:
    hits = lookup(store, needle)
    assert hits, f"nothing found for {needle!r}"
    return hits[0].customer_id, hits[0].kind, hits[0].matched


def test_every_kind_of_needle_finds_its_customer(store: Store) -> None:
    ids = _fill(store)
    assert _first(store, "acme01") == (ids["acme"], MatchKind.CODE, "code")
    assert _first(store, "industrial") == (ids["acme"], MatchKind.NAME, "name")
    assert _first(store, "supply acme")[0] == ids["acme"]
    # phone typed as digits, with or without the country code, or as printed
    assert _first(store, "7735550142") == (ids["acme"], MatchKind.PHONE, "phone")
    assert _first(store, "6145550199")[0] == ids["bolt"]
    assert _first(store, "+1 (503) 555-01")[0] == ids["pacific"]
    assert _first(store, "503 555 0900") == (
        ids["pacific"],
        MatchKind.PHONE,
        "ship-to phone 503-555-0900",
    )
    assert _first(store, "dkim@acmefab.example") == (
        ids["acme"],
        MatchKind.EMAIL,
        "contact dkim@acmefab.example",
    )
    assert _first(store, "orders@acmefab")[0] == ids["acme"]
    assert _first(store, "dana kim") == (ids["acme"], MatchKind.CONTACT, "contact Dana Kim")
    assert _first(store, "st-0102") == (ids["bolt"], MatchKind.SHIP_TO, "ship-to ST-0102 Columbus")
    assert _first(store, "portland") == (ids["pacific"], MatchKind.ADDRESS, "ship-to P100 Portland")
    assert _first(store, "43215")[0] == ids["bolt"]


def test_documents_name_the_order_for_where_is_my_order(store: Store) -> None:
    ids = _fill(store)
    for needle, kind, matched in [
        ("so0001234", MatchKind.ORDER, "order SO0001234"),
        ("PP-88/2026", MatchKind.PO, "PO PP-88/2026"),
        ("pp-88/2026", MatchKind.PO, "PO PP-88/2026"),
        ("inv0000777", MatchKind.INVOICE, "invoice INV0000777"),
    ]:
        hit = lookup(store, needle)[0]
        assert (hit.customer_id, hit.kind, hit.matched) == (ids["pacific"], kind, matched)
        assert hit.order_id == ids["order"]
    assert lookup(store, "SO00012")[0].order_id == ids["order"]  # still typing


def test_ranking_exact_before_prefix_and_active_before_inactive(store: Store) -> None:
    ids = _fill(store)
    hits = lookup(store, "acme")
    assert [h.code for h in hits] == ["ACME01", "ACME99"]
    assert hits[0].active and not hits[1].active
    exact = lookup(store, "ACME99")
    assert exact[0].code == "ACME99" and exact[0].score > hits[0].score
    assert lookup(store, "nobody here") == []
    assert lookup(store, "   ") == []
    assert ids


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("773-555-0142", "7735550142"),
        ("+1 (614) 555", "1614555"),
        ("55", None),
        ("acme 5550", None),
    ],
)
def test_phone_needles(typed: str, digits: str | None) -> None:
    assert phone_digits(typed) == digits


def test_exact_scores_stand_above_every_partial_one() -> None:
    exact_kinds = {MatchKind.CODE, MatchKind.ORDER, MatchKind.INVOICE, MatchKind.PO}
    exact_kinds |= {MatchKind.SHIP_TO, MatchKind.EMAIL}
    lowest_exact = min(SCORES[k] + EXACT_BONUS for k in exact_kinds)
    highest_partial = max(SCORES.values()) + NAME_START_BONUS
    assert highest_partial < EXACT_MIN <= lowest_exact
