"""Ranked customer and part lookups on both stores (FTS5 trigram on SQLite, pg_trgm on PG)."""

from decimal import Decimal

from orderdesk_tui.models import Address, Customer, Item, ItemCrossReference
from orderdesk_tui.models.base import AddressKind, CrossRefKind
from orderdesk_tui.services.lookup import (
    find_customers,
    find_parts,
    part_categories,
    parts_in_category,
)
from orderdesk_tui.store import Store


def _fill(store: Store) -> dict[str, int]:
    with store.session() as s:
        acme = Customer(code="ACME01", name="Acme Industrial Supply", phone="+1 312 555 0100")
        bolt = Customer(code="BOLT02", name="Boltworks of Ohio", phone="+1 614 555 0199")
        gone = Customer(code="ACME99", name="Acme Old Account", active=False)
        s.add_all([acme, bolt, gone])
        s.flush()
        assert acme.id and bolt.id
        s.add(
            Address(
                customer_id=bolt.id,
                code="ST-0102",
                kind=AddressKind.SHIP_TO,
                name="Boltworks DC",
                line1="1 Dock Rd",
                city="Columbus",
                is_default=True,
            )
        )
        bearing = Item(
            part_number="6204-2RS",
            description="Deep groove ball bearing 20x47x14 sealed",
            upc="012345678905",
            list_price=Decimal("4.2500"),
        )
        b2 = Item(part_number="6204-ZZ", description="Deep groove ball bearing 20x47x14 shielded")
        screw = Item(part_number="HHCS-0500-13X200-ZP", description="Hex cap screw 1/2-13 x 2 zinc")
        s.add_all([bearing, b2, screw])
        s.flush()
        s.add(
            ItemCrossReference(
                item_id=screw.id,
                kind=CrossRefKind.CUSTOMER_PART,
                customer_id=acme.id,
                reference="AC-77812",
            )
        )
        return {"acme": acme.id, "bolt": bolt.id, "bearing": bearing.id, "screw": screw.id}


def test_customer_lookup_ranks_code_ship_to_phone_and_name(store: Store) -> None:
    ids = _fill(store)
    assert [h.code for h in find_customers(store, "acme01")][:1] == ["ACME01"]
    by_ship_to = find_customers(store, "st-0102")
    assert by_ship_to[0].id == ids["bolt"] and by_ship_to[0].matched == "ship-to ST-0102"
    assert by_ship_to[0].city == "Columbus"
    assert find_customers(store, "+1 614 555")[0].code == "BOLT02"
    words = find_customers(store, "industrial acme")
    assert [h.code for h in words] == ["ACME01"]
    # an inactive customer still shows, after the active ones
    both = find_customers(store, "acme")
    assert [h.code for h in both] == ["ACME01", "ACME99"]
    assert find_customers(store, "nobody here") == []
    assert find_customers(store, "  ") == []


def test_part_lookup_by_part_customer_part_upc_and_words(store: Store) -> None:
    ids = _fill(store)
    exact = find_parts(store, "6204-2rs")
    assert exact[0].part_number == "6204-2RS" and exact[0].matched == "part"
    assert exact[0].list_price == Decimal("4.2500")
    assert [h.part_number for h in find_parts(store, "6204")] == ["6204-2RS", "6204-ZZ"]
    theirs = find_parts(store, "ac-778", customer_id=ids["acme"])
    assert theirs[0].id == ids["screw"] and theirs[0].matched == "your part AC-77812"
    assert find_parts(store, "ac-778", customer_id=ids["bolt"]) == []
    assert find_parts(store, "012345678905")[0].id == ids["bearing"]
    words = find_parts(store, "shielded bearing")
    assert [h.part_number for h in words] == ["6204-ZZ"]
    assert find_parts(store, 'zinc "cap"')[0].id == ids["screw"]


def test_a_whole_part_number_is_the_answer_without_a_description_search(store: Store) -> None:
    """A part number typed whole lists that part and its longer variants, not the parts that
    only mention it; the same text short of a whole part number searches the descriptions."""
    _fill(store)
    with store.session() as s:
        s.add(Item(part_number="6204-2RS-C3", description="6204-2RS with C3 clearance"))
        s.add(Item(part_number="KIT-0009", description="Seal kit for 6204-2RS bearings"))
    whole = find_parts(store, "6204-2rs")
    assert [(h.part_number, h.matched) for h in whole] == [
        ("6204-2RS", "part"),
        ("6204-2RS-C3", "part"),
    ]
    assert {h.part_number for h in find_parts(store, "204-2rs")} == {
        "6204-2RS",
        "6204-2RS-C3",
        "KIT-0009",
    }


def test_browse_parts_by_category_a_page_at_a_time(store: Store) -> None:
    with store.session() as s:
        for n in range(7):
            s.add(Item(part_number=f"BRG-{n:03}", description=f"bearing {n}", category="bearings"))
        for name in ("valves", "fasteners", "hose"):
            s.add(Item(part_number=f"X-{name}", description=name, category=name))
        s.add(Item(part_number="NOCAT-1", description="no category"))
    assert part_categories(store) == ["bearings", "fasteners", "hose", "valves"]
    assert part_categories(store, limit=2) == ["bearings", "fasteners"]
    assert part_categories(store, after="fasteners") == ["hose", "valves"]
    first = parts_in_category(store, "bearings", limit=4)
    assert [h.part_number for h in first] == ["BRG-000", "BRG-001", "BRG-002", "BRG-003"]
    rest = parts_in_category(store, "bearings", after_id=first[-1].id, limit=4)
    assert [h.part_number for h in rest] == ["BRG-004", "BRG-005", "BRG-006"]
    assert parts_in_category(store, "nothing") == []
