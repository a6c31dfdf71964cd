"""The working copy of a change (services.change_drafts): kept field by field, offered back,
never an order anywhere, applied with the order in one transaction. On both stores."""

from decimal import Decimal

import pytest
from sqlmodel import select

from orderdesk_tui.models import OrderChangeDraft, SalesOrder
from orderdesk_tui.services import change_drafts, drafts, order_queries
from orderdesk_tui.services.availability import check_line
from orderdesk_tui.services.order_change import ChangeConflict, LineChange, OrderChange
from orderdesk_tui.store import Store
from tests.order_change_world import (
    COORDINATOR,
    SETTINGS,
    World,
    build_world,
    order_lines,
    submitted,
)


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


def test_typed_change_is_kept_offered_back_and_applied(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10"), ("SEAL-300", "4")])
    copy = change_drafts.open_change(store, order_id, actor="casey")
    assert not copy.resumed and [ln["line_no"] for ln in copy.lines] == [1, 2]
    change_drafts.save_line(
        store, copy.id, 1, {"item_id": world.items["BRG-100"], "quantity": Decimal("25")}
    )
    change_drafts.save_line(
        store,
        copy.id,
        3,
        {"item_id": world.items["BLT-200"], "part_number": "BLT-200", "quantity": Decimal("15")},
    )
    # the grid saves the quoted price too: not an override
    change_drafts.save_line(store, copy.id, 2, {"unit_price": Decimal("9"), "price_source": "list"})
    change_drafts.update_header(store, copy.id, {"notes": "gate 4", "subtotal": Decimal("1")})
    again = change_drafts.open_change(store, order_id, actor="casey")  # after a crash
    assert again.resumed and again.id == copy.id and again.header["notes"] == "gate 4"
    assert change_drafts.pending_change(store, copy.id) == OrderChange(
        header={"notes": "gate 4"},
        lines=(
            LineChange(1, quantity=Decimal("25")),
            LineChange(None, quantity=Decimal("15"), item_id=world.items["BLT-200"]),
        ),
    )
    # meanwhile the order is untouched, and the copy is no order: not listed, not demand
    assert order_lines(store, order_id)[1].quantity == 10
    assert drafts.open_drafts(store, "casey") == []
    assert order_queries.count_orders(store, order_queries.OrderFilter()) == 1
    assert check_line(store, world.items["BLT-200"], Decimal("1")).projection is not None
    result = change_drafts.apply_change_draft(
        store, copy.id, actor=COORDINATOR, reason="customer called", settings=SETTINGS
    )
    assert result.summary == "notes - → gate 4; line 1 qty 10 → 25; line 3 added: BLT-200 x 15"
    with store.session() as session:
        assert session.exec(select(OrderChangeDraft)).all() == []


def test_removing_rows_keeps_the_numbers_of_the_order_lines(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10"), ("SEAL-300", "4")])
    copy = change_drafts.open_change(store, order_id, actor="casey")
    change_drafts.save_line(
        store, copy.id, 3, {"item_id": world.items["BLT-200"], "quantity": Decimal("10")}
    )
    change_drafts.remove_line(store, copy.id, 1)
    change_drafts.remove_line(store, copy.id, 3)
    assert change_drafts.pending_change(store, copy.id).lines == (LineChange(1, remove=True),)


def test_a_conflict_keeps_order_and_copy(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10")])
    copy = change_drafts.open_change(store, order_id, actor="casey")
    change_drafts.save_line(
        store, copy.id, 1, {"item_id": world.items["BRG-100"], "quantity": Decimal("30")}
    )
    other = change_drafts.open_change(store, order_id, actor="bob")
    change_drafts.save_line(
        store, other.id, 1, {"item_id": world.items["BRG-100"], "quantity": Decimal("12")}
    )
    change_drafts.apply_change_draft(
        store, other.id, actor=COORDINATOR, reason="bob's", settings=SETTINGS
    )
    with pytest.raises(ChangeConflict) as raised:
        change_drafts.apply_change_draft(
            store, copy.id, actor=COORDINATOR, reason="mine", settings=SETTINGS
        )
    assert [d.text() for d in raised.value.theirs] == ["line 1 qty 10 → 12"]
    assert [d.text() for d in raised.value.yours] == ["line 1 qty 10 → 30"]
    assert order_lines(store, order_id)[1].quantity == 12
    kept = change_drafts.open_change(store, order_id, actor="casey")
    assert kept.resumed and kept.overtaken


def test_orders_that_cannot_change_are_refused(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10")])
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        order.state = "invoiced"
        session.add(order)
    with pytest.raises(Exception, match="it is invoiced"):
        change_drafts.open_change(store, order_id, actor="casey")
