"""Changing an entered order (services.order_change): every rule of entry again, allocation
following the change, one revision with a readable diff, audit events, the ERP told; a refusal
writes nothing. On both stores."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from orderdesk_tui.errors import PermissionDenied
from orderdesk_tui.models import (
    AuditEvent,
    Hold,
    Item,
    OrderRevision,
    SalesOrder,
    Shipment,
    ShipmentLine,
    SyncOutbox,
)
from orderdesk_tui.models.base import HoldKind, OrderState
from orderdesk_tui.services import order_diff
from orderdesk_tui.services.order_change import (
    ChangeConflict,
    ChangeRefused,
    LineChange,
    OrderChange,
    apply_order_change,
    revisions,
)
from orderdesk_tui.services.users import Approval
from orderdesk_tui.store import Store
from tests.order_change_world import (
    COORDINATOR,
    PIN,
    SETTINGS,
    SOON,
    World,
    allocated,
    build_world,
    order_lines,
    submitted,
)


def _order(store: Store, order_id: int) -> SalesOrder:
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        return order


def _change(
    store: Store, order_id: int, change: OrderChange, reason: str = "customer called", **kw: object
):  # type: ignore[no-untyped-def]
    version = kw.pop("expected_version", None) or _order(store, order_id).version
    return apply_order_change(
        store,
        order_id,
        change,
        expected_version=version,  # type: ignore[arg-type]
        actor=COORDINATOR,
        reason=reason,
        **{"settings": SETTINGS, **kw},  # type: ignore[arg-type]
    )


def _fingerprint(store: Store, order_id: int) -> tuple[object, ...]:
    """What a refused change must leave as it was."""
    with store.session() as session:
        events = session.exec(select(AuditEvent.id)).all()
        outbox = session.exec(select(SyncOutbox.id)).all()
        revs = session.exec(select(OrderRevision.id)).all()
    lines = {
        n: (ln.quantity, ln.quantity_allocated, ln.version)
        for n, ln in order_lines(store, order_id).items()
    }
    return len(events), len(outbox), len(revs), _order(store, order_id).version, lines


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


def test_quantity_and_header_change_is_one_revision(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10"), ("SEAL-300", "4")])
    assert allocated(store, world, "BRG-100") == 10
    later = SOON + timedelta(days=7)
    result = _change(
        store,
        order_id,
        OrderChange(
            header={"requested_date": later, "ship_to_id": world.dock5},
            lines=(LineChange(1, quantity=Decimal("25")),),
        ),
    )
    assert result.revision_no == 1
    assert result.summary == (
        f"ship-to WH2 → DOCK5; requested {SOON:%m-%d} → {later:%m-%d}; line 1 qty 10 → 25"
    )
    assert result.reacknowledge
    order = _order(store, order_id)
    assert order.revision == 1 and order.ship_to_id == world.dock5
    assert order.requested_date == later
    assert order.subtotal == Decimal("258.00")  # 25 x 10 + 4 x 2
    assert order.total == order.subtotal + order.freight + order.tax
    line = order_lines(store, order_id)[1]
    assert line.quantity == 25 and line.quantity_allocated == 25
    assert allocated(store, world, "BRG-100") == 25
    (rev,) = revisions(store, order_id)
    assert (rev.revision_no, rev.actor, rev.reason, rev.source) == (
        1,
        "casey",
        "customer called",
        "keyboard",
    )
    assert rev.changed_lines == "1" and rev.reacknowledge
    assert {d["field"] for d in json.loads(rev.diff)} == {"ship_to", "requested_date", "quantity"}
    with store.session() as session:
        actions = [
            e.action
            for e in session.exec(
                select(AuditEvent)
                .where(AuditEvent.order_id == order_id)
                .order_by(col(AuditEvent.id))
            )
        ]
    assert "order.changed" in actions and "line.changed" in actions
    assert actions.count("line.allocated") >= 2  # at submit and for the 15 more


def test_cut_frees_stock_and_added_line_is_allocated_after_the_last(
    store: Store, world: World
) -> None:
    order_id = submitted(store, world, [("BRG-100", "30"), ("SEAL-300", "4")])
    result = _change(
        store,
        order_id,
        OrderChange(
            lines=(
                LineChange(1, quantity=Decimal("12")),
                LineChange(None, item_id=world.items["BLT-200"], quantity=Decimal("15")),
            )
        ),
    )
    lines = order_lines(store, order_id)
    assert lines[1].quantity == 12 and lines[1].quantity_allocated == 12
    assert lines[3].part_number == "BLT-200" and lines[3].quantity_allocated == 15
    assert lines[3].unit_price == Decimal("5.0000")
    assert allocated(store, world, "BRG-100") == 12
    assert allocated(store, world, "BLT-200") == 15
    assert "line 3 added: BLT-200 x 15" in result.summary
    with store.session() as session:
        freed = session.exec(
            select(AuditEvent).where(AuditEvent.action == "stock.deallocated")
        ).all()
    assert freed


def test_untouched_lines_keep_their_price(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10"), ("SEAL-300", "4")])
    with store.session() as session:
        for item in session.exec(select(Item)):
            item.list_price = item.list_price * 2
            session.add(item)
    _change(store, order_id, OrderChange(lines=(LineChange(2, quantity=Decimal("6")),)))
    lines = order_lines(store, order_id)
    assert lines[1].unit_price == Decimal("10.0000")  # not touched: as entered
    assert lines[2].unit_price == Decimal("4.0000")  # changed: priced again, as of today


def test_version_conflict_shows_both_versions_and_writes_nothing(
    store: Store, world: World
) -> None:
    order_id = submitted(store, world, [("BRG-100", "10")])
    opened = _order(store, order_id)
    with store.session() as session:
        base = order_diff.snapshot_in(session, opened)
    _change(store, order_id, OrderChange(header={"customer_po": "PO-THEIRS"}))  # the other one
    before = _fingerprint(store, order_id)
    with pytest.raises(ChangeConflict) as raised:
        _change(
            store,
            order_id,
            OrderChange(
                header={"customer_po": "PO-MINE"}, lines=(LineChange(1, quantity=Decimal("20")),)
            ),
            expected_version=opened.version,
            base=base,
        )
    conflict = raised.value
    assert [d.text() for d in conflict.theirs] == ["PO PO-1 → PO-THEIRS"]
    assert [d.text() for d in conflict.yours] == ["PO PO-1 → PO-MINE", "line 1 qty 10 → 20"]
    assert "theirs" in conflict.both_versions().lower()
    assert _fingerprint(store, order_id) == before
    assert _order(store, order_id).customer_po == "PO-THEIRS"


def test_a_version_moved_by_nothing_the_change_shows_lets_it_through(
    store: Store, world: World
) -> None:
    order_id = submitted(store, world, [("BRG-100", "10")])
    opened = _order(store, order_id)
    with store.session() as session:
        base = order_diff.snapshot_in(session, opened)
        order = session.get(SalesOrder, order_id)
        assert order is not None
        order.erp_id, order.version = "SALE-7", order.version + 1  # the sync engine's write
        session.add(order)
    result = _change(
        store,
        order_id,
        OrderChange(lines=(LineChange(1, quantity=Decimal("11")),)),
        expected_version=opened.version,
        base=base,
    )
    assert result.summary == "line 1 qty 10 → 11"
    assert result.push_change  # the ERP has the order: it hears of the change


def test_cannot_go_below_shipped_or_picked_said_per_line(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10"), ("SEAL-300", "8"), ("BLT-200", "10")])
    lines = order_lines(store, order_id)
    with store.session() as session:
        first = session.get(type(lines[1]), lines[1].id)
        assert first is not None
        first.quantity_shipped = Decimal("6")
        session.add(first)
        shipment = Shipment(
            number="SH1", order_id=order_id, warehouse_id=world.warehouse_id, state="picked"
        )
        session.add(shipment)
        session.flush()
        assert shipment.id
        session.add(
            ShipmentLine(
                shipment_id=shipment.id, order_line_id=lines[2].id or 0, quantity=Decimal("5")
            )
        )
    before = _fingerprint(store, order_id)
    with pytest.raises(ChangeRefused) as raised:
        _change(
            store,
            order_id,
            OrderChange(
                lines=(
                    LineChange(1, quantity=Decimal("4")),
                    LineChange(2, remove=True),
                    LineChange(3, quantity=Decimal("12")),  # BLT-200: multiples of 5
                )
            ),
        )
    assert raised.value.problems == [
        "line 1: 6 already shipped, cannot go below 6",
        "line 2: 5 already picked, it cannot be removed",
        "line 3 BLT-200: " + raised.value.problems[2].split(": ", 1)[1],
    ]
    assert "multiple" in raised.value.problems[2]
    assert _fingerprint(store, order_id) == before


def test_removing_a_line_cancels_its_open_quantity_and_frees_it(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10"), ("SEAL-300", "8")])
    result = _change(store, order_id, OrderChange(lines=(LineChange(2, quantity=Decimal("0")),)))
    line = order_lines(store, order_id)[2]
    assert (line.quantity_cancelled, line.quantity_allocated, line.extended) == (8, 0, 0)
    assert allocated(store, world, "SEAL-300") == 0
    assert result.summary == "line 2 qty 8 → 0"
    assert _order(store, order_id).subtotal == Decimal("100.00")


def test_credit_is_checked_with_the_new_total(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10")])
    with store.session() as session:
        from orderdesk_tui.models import Customer

        customer = session.get(Customer, world.customer_id)
        assert customer is not None
        customer.credit_limit = Decimal("150.00")
        session.add(customer)
    result = _change(store, order_id, OrderChange(lines=(LineChange(1, quantity=Decimal("20")),)))
    assert any(h.startswith("credit") for h in result.holds)
    assert _order(store, order_id).state == OrderState.ON_HOLD


def test_price_under_the_floor_needs_a_supervisor(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10")])
    cheap = OrderChange(
        lines=(LineChange(1, unit_price=Decimal("3.00"), override_reason="match competitor"),)
    )
    before = _fingerprint(store, order_id)
    with pytest.raises(PermissionDenied):
        _change(store, order_id, cheap)
    assert _fingerprint(store, order_id) == before
    result = _change(store, order_id, cheap, approval=Approval("sam", PIN))
    (rev,) = revisions(store, order_id)
    assert rev.approved_by == "sam" and result.summary == "line 1 price 10 → 3"
    line = order_lines(store, order_id)[1]
    assert (line.unit_price, line.price_source, line.override_reason) == (
        Decimal("3.0000"),
        "override",
        "match competitor",
    )


def test_refusals_write_nothing(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10")])
    before = _fingerprint(store, order_id)
    cases = [
        (OrderChange(lines=(LineChange(1, quantity=Decimal("11")),)), "", "needs a reason"),
        (OrderChange(header={"ship_to_id": world.other_ship_to}), "x", "not a ship-to"),
        (OrderChange(header={"requested_date": date.today() - timedelta(days=2)}), "x", "past"),
        (OrderChange(lines=(LineChange(9, quantity=Decimal("1")),)), "x", "no such line"),
        (OrderChange(lines=(LineChange(1, unit_price=Decimal("12")),)), "x", "needs a reason"),
        (OrderChange(lines=(LineChange(1, quantity=Decimal("10")),)), "x", "nothing to change"),
    ]
    for change, reason, said in cases:
        with pytest.raises(ChangeRefused, match=said):
            _change(store, order_id, change, reason=reason)
    assert _fingerprint(store, order_id) == before


def test_orders_past_shipping_or_drafts_cannot_be_changed(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10")])
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        order.state = OrderState.SHIPPED
        session.add(order)
    with pytest.raises(ChangeRefused, match="it is shipped"):
        _change(store, order_id, OrderChange(lines=(LineChange(1, quantity=Decimal("11")),)))


def test_erp_push_change_only_when_the_order_was_sent(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10")])
    first = _change(store, order_id, OrderChange(lines=(LineChange(1, quantity=Decimal("11")),)))
    assert not first.push_change  # its push_order, still unsent, sends the order as it is
    with store.session() as session:
        entry = session.exec(select(SyncOutbox).where(SyncOutbox.operation == "push_order")).one()
        entry.state, entry.attempts = "done", 1
        session.add(entry)
    second = _change(store, order_id, OrderChange(header={"notes": "gate 4"}))
    assert second.push_change and not second.reacknowledge
    with store.session() as session:
        ops = [e.operation for e in session.exec(select(SyncOutbox).order_by(col(SyncOutbox.id)))]
    assert ops == ["push_order", "push_change"]
    assert _order(store, order_id).revision == 2


def test_a_change_on_a_held_order_keeps_its_holds(store: Store, world: World) -> None:
    order_id = submitted(store, world, [("BRG-100", "10")])
    with store.session() as session:
        session.add(Hold(order_id=order_id, kind=HoldKind.ADDRESS, reason="check", raised_by="x"))
        order = session.get(SalesOrder, order_id)
        assert order is not None
        order.state = OrderState.ON_HOLD
        session.add(order)
    result = _change(store, order_id, OrderChange(lines=(LineChange(1, quantity=Decimal("12")),)))
    assert result.state == OrderState.ON_HOLD and result.holds == ("address: check",)


def test_a_change_the_customer_must_hear_of_queues_its_reacknowledgement(
    store: Store, world: World
) -> None:
    from orderdesk_tui.config import MailSettings, Settings
    from orderdesk_tui.models import Customer, MailOutbox

    mail = MailSettings(
        host="127.0.0.1", port=2525, security="none", from_address="desk@desk.example"
    )
    with store.session() as session:
        customer = session.get(Customer, world.customer_id)
        assert customer is not None
        customer.email = "buyer@acme.example"
        session.add(customer)
    order_id = submitted(store, world, [("BRG-100", "10")])
    settings = Settings(mail=mail)
    _change(store, order_id, OrderChange(header={"notes": "gate 4"}), settings=settings)
    _change(
        store,
        order_id,
        OrderChange(lines=(LineChange(1, quantity=Decimal(12)),)),
        settings=settings,
    )
    with store.session() as session:
        queued = [
            m.revision_no for m in session.exec(select(MailOutbox).order_by(col(MailOutbox.id)))
        ]
    assert queued == [2]  # the notes alone (revision 1) are not the customer's news


def test_two_terminals_changing_one_order_at_once_one_wins(store: Store, world: World) -> None:
    """Both read version N and apply at the same moment: the order row lock queues them, the
    second finds the first's change and is refused with both versions; stock is right."""
    import threading

    order_id = submitted(store, world, [("BRG-100", "10")])
    opened = _order(store, order_id)
    with store.session() as session:
        base = order_diff.snapshot_in(session, opened)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def terminal(name: str, quantity: int) -> None:
        start.wait()
        try:
            outcomes[name] = _change(
                store,
                order_id,
                OrderChange(lines=(LineChange(1, quantity=Decimal(quantity)),)),
                expected_version=opened.version,
                base=base,
            )
        except ChangeConflict as conflict:
            outcomes[name] = conflict

    threads = [threading.Thread(target=terminal, args=a) for a in (("a", 30), ("b", 40))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    conflicts = [o for o in outcomes.values() if isinstance(o, ChangeConflict)]
    assert len(outcomes) == 2 and len(conflicts) == 1
    won = order_lines(store, order_id)[1].quantity
    assert won in (30, 40) and allocated(store, world, "BRG-100") == won
    assert [d.text() for d in conflicts[0].theirs] == [f"line 1 qty 10 → {won.normalize():f}"]
    assert len(revisions(store, order_id)) == 1
