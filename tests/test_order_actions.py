"""Order view actions (release a hold, cancel, add a note) and the order list queries, on both
stores, against a small world built directly with the ORM."""

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import pytest
from sqlmodel import SQLModel, col, select

from orderdesk_tui.errors import PermissionDenied, RuleViolation, StaleEdit
from orderdesk_tui.models import (
    AuditEvent,
    Customer,
    Hold,
    Item,
    Note,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    SyncOutbox,
    User,
    UserSecret,
    Warehouse,
)
from orderdesk_tui.models.base import HoldKind, OrderState, Role
from orderdesk_tui.services import credentials
from orderdesk_tui.services.credentials import Kind
from orderdesk_tui.services.order_actions import add_note, cancel_order, release_hold
from orderdesk_tui.services.order_queries import (
    OrderFilter,
    count_orders,
    fetch_orders,
    find_order_id,
    load_order,
)
from orderdesk_tui.services.users import Approval
from orderdesk_tui.store import Store

Row = TypeVar("Row", bound=SQLModel)

COORDINATOR = User(name="casey", role=Role.COORDINATOR)
SUPERVISOR = User(name="sam", role=Role.SUPERVISOR)
PIN = "604913"
#: sam's override as the dialog hands it on: name and PIN, which the service checks itself
SAM_OK = Approval("sam", PIN)


@dataclass
class World:
    customer_id: int
    item_id: int
    warehouse_id: int
    stock_id: int


@dataclass
class Order:
    id: int
    number: str
    credit_hold: int
    stock_hold: int


def _world(store: Store) -> World:
    with store.session() as session:
        session.add_all([User(name="casey"), User(name="sam", role=Role.SUPERVISOR)])
        customer = Customer(
            code="ACME01", name="Acme Industrial Supply", credit_limit=Decimal("50000.00")
        )
        item = Item(
            part_number="BRG-6204-2RS",
            description="Deep groove ball bearing 20x47x14 sealed",
            list_price=Decimal("7.4500"),
            cost=Decimal("3.1200"),
        )
        warehouse = Warehouse(code="DAL", name="Dallas DC")
        session.add_all([customer, item, warehouse])
        session.flush()
        assert customer.id and item.id and warehouse.id
        stock = StockLevel(
            item_id=item.id,
            warehouse_id=warehouse.id,
            on_hand=Decimal("100"),
            allocated=Decimal("25"),
        )
        session.add(stock)
        session.flush()
        assert stock.id
        sam = session.exec(select(User).where(User.name == "sam")).one()
        credentials.set_secret(session, sam, Kind.PIN, PIN)  # as `orderdesk user pin` does
        return World(customer.id, item.id, warehouse.id, stock.id)


def _order(
    store: Store,
    world: World,
    number: str = "SO0000001",
    *,
    state: str = OrderState.ON_HOLD,
    po: str = "PO-7781",
    customer_id: int | None = None,
    holds: bool = True,
) -> Order:
    """An order with two lines (10 allocated in DAL, 5 backordered) and, if asked, two holds."""
    with store.session() as session:
        order = SalesOrder(
            number=number,
            customer_id=customer_id or world.customer_id,
            customer_po=po,
            state=state,
            total=Decimal("111.75"),
        )
        session.add(order)
        session.flush()
        assert order.id
        session.add_all(
            [
                SalesOrderLine(
                    order_id=order.id,
                    line_no=1,
                    item_id=world.item_id,
                    quantity=Decimal("10"),
                    unit_price=Decimal("7.4500"),
                    extended=Decimal("74.50"),
                    warehouse_id=world.warehouse_id,
                    quantity_allocated=Decimal("10"),
                ),
                SalesOrderLine(
                    order_id=order.id,
                    line_no=2,
                    item_id=world.item_id,
                    quantity=Decimal("5"),
                    unit_price=Decimal("7.4500"),
                    extended=Decimal("37.25"),
                    warehouse_id=world.warehouse_id,
                    quantity_backordered=Decimal("5"),
                ),
            ]
        )
        credit = stock = 0
        if holds:
            credit_hold = Hold(
                order_id=order.id, kind=HoldKind.CREDIT, reason="over limit", raised_by="system"
            )
            stock_hold = Hold(
                order_id=order.id, kind=HoldKind.STOCK, reason="line 2 short", raised_by="system"
            )
            session.add_all([credit_hold, stock_hold])
            session.flush()
            assert credit_hold.id and stock_hold.id
            credit, stock = credit_hold.id, stock_hold.id
        return Order(order.id, number, credit, stock)


def _get(store: Store, model: type[Row], row_id: int) -> Row:
    with store.session() as session:
        row = session.get(model, row_id)
        assert row is not None
        return row


def _audit(store: Store) -> list[AuditEvent]:
    with store.session() as session:
        return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))


def _outbox(store: Store) -> list[SyncOutbox]:
    with store.session() as session:
        return list(session.exec(select(SyncOutbox)))


# -- releasing holds ---------------------------------------------------------------------------


def test_credit_hold_needs_a_supervisor(store: Store) -> None:
    order = _order(store, _world(store))
    with pytest.raises(PermissionDenied, match="releasing a credit hold is for supervisors"):
        release_hold(store, order.credit_hold, expected_version=1, actor=COORDINATOR, reason="paid")
    # a coordinator is no approver either
    with pytest.raises(PermissionDenied, match="casey' is a coordinator; this needs a supervisor"):
        release_hold(
            store,
            order.credit_hold,
            expected_version=1,
            actor=COORDINATOR,
            reason="paid",
            approval=Approval("casey", PIN),
        )
    hold = _get(store, Hold, order.credit_hold)
    assert (hold.released_at, hold.released_by, hold.version) == (None, "", 1)
    assert _get(store, SalesOrder, order.id).state == OrderState.ON_HOLD
    assert _audit(store) == []
    # a supervisor acting alone needs no approver: no separate approved_by
    release_hold(store, order.credit_hold, expected_version=1, actor=SUPERVISOR, reason="ok'd")
    (event,) = _audit(store)
    assert (event.actor, event.approved_by) == ("sam", "")


def _credit_hold_kept(store: Store, order: Order) -> None:
    hold = _get(store, Hold, order.credit_hold)
    assert (hold.released_at, hold.released_by, hold.version) == (None, "", 1)
    assert _get(store, SalesOrder, order.id).state == OrderState.ON_HOLD


def test_the_service_checks_the_approval_itself(store: Store) -> None:
    """Bypasses the service used to accept: each is refused and the audit names no one else."""
    order = _order(store, _world(store))

    def release(actor: User, approval: Approval | None) -> Hold:
        return release_hold(
            store,
            order.credit_hold,
            expected_version=1,
            actor=actor,
            reason="paid",
            approval=approval,
        )

    # a "ghost" approver who is not in the users table
    with pytest.raises(PermissionDenied, match="'ghost' is not an active user"):
        release(COORDINATOR, Approval("ghost", PIN))
    # a User object that claims a role the users table does not give: casey is a coordinator
    with pytest.raises(PermissionDenied, match="needs a supervisor override"):
        release(User(name="casey", role=Role.SUPERVISOR), None)
    # an actor who is not a desk user at all
    with pytest.raises(PermissionDenied, match="'nobody' is not an active user"):
        release(User(name="nobody", role=Role.ADMIN), SAM_OK)
    assert _audit(store) == []
    # a real supervisor's name with a wrong PIN: refused, and the attempt counted and audited
    # although the release itself rolled back
    with pytest.raises(PermissionDenied, match=r"wrong PIN for 'sam' \(4 attempts left\)"):
        release(COORDINATOR, Approval("sam", "000000"))
    _credit_hold_kept(store, order)
    (refused,) = _audit(store)
    assert (refused.action, refused.actor, refused.approved_by) == ("override.refused", "casey", "")
    with store.session() as session:
        (secret,) = session.exec(select(UserSecret)).all()
        assert secret.failed_attempts == 1
    # the right PIN: released, approved by the real supervisor
    release(COORDINATOR, SAM_OK)
    names = {e.actor for e in _audit(store)} | {e.approved_by for e in _audit(store)}
    with store.session() as session:
        known = set(session.exec(select(User.name)))
    assert names - {""} <= known


def test_release_with_supervisor_then_last_hold_returns_order_to_entered(store: Store) -> None:
    order = _order(store, _world(store))
    released = release_hold(
        store,
        order.credit_hold,
        expected_version=1,
        actor=COORDINATOR,
        reason="customer paid invoice IN0000123",
        approval=SAM_OK,
    )
    assert released.released_by == "casey" and released.released_at is not None
    assert released.version == 2
    # the stock hold is still open: the order stays on hold
    assert _get(store, SalesOrder, order.id).state == OrderState.ON_HOLD
    (event,) = _audit(store)
    assert (event.action, event.actor, event.approved_by) == ("hold.released", "casey", "sam")
    assert (event.entity, event.entity_id, event.order_id) == ("holds", order.credit_hold, order.id)
    assert event.reason == "customer paid invoice IN0000123"
    changes = json.loads(event.changes)
    assert changes["released_by"] == ["", "casey"]
    assert changes["release_reason"] == ["", "customer paid invoice IN0000123"]

    # a stock hold is a coordinator's to release, no approver needed
    release_hold(
        store, order.stock_hold, expected_version=1, actor=COORDINATOR, reason="PO received"
    )
    placed = _get(store, SalesOrder, order.id)
    assert placed.state == OrderState.ENTERED and placed.version == 2
    actions = [(e.action, e.approved_by) for e in _audit(store)]
    assert actions == [("hold.released", "sam"), ("hold.released", ""), ("order.state", "")]
    assert json.loads(_audit(store)[-1].changes) == {"state": ["on_hold", "entered"]}


def test_release_refusals_change_nothing(store: Store) -> None:
    order = _order(store, _world(store))
    for reason in ("", "   "):
        with pytest.raises(RuleViolation, match="with a reason"):
            release_hold(
                store, order.stock_hold, expected_version=1, actor=COORDINATOR, reason=reason
            )
    with pytest.raises(StaleEdit) as caught:
        release_hold(
            store,
            order.credit_hold,
            expected_version=7,
            actor=SUPERVISOR,
            reason="late",
        )
    assert (caught.value.expected, caught.value.current) == (7, 1)
    for hold_id in (order.credit_hold, order.stock_hold):
        hold = _get(store, Hold, hold_id)
        assert hold.released_at is None and hold.version == 1
    assert _audit(store) == []
    # released twice: the second is refused and names who did it
    release_hold(store, order.stock_hold, expected_version=1, actor=COORDINATOR, reason="in")
    with pytest.raises(RuleViolation, match="already released by casey"):
        release_hold(store, order.stock_hold, expected_version=2, actor=COORDINATOR, reason="x")
    with pytest.raises(RuleViolation, match="no longer exists"):
        release_hold(store, 999999, expected_version=1, actor=COORDINATOR, reason="x")


# -- cancelling ----------------------------------------------------------------------------------


def test_cancel_entered_order_frees_stock_and_tells_the_erp(store: Store) -> None:
    world = _world(store)
    order = _order(store, world, state=OrderState.ENTERED, holds=False)
    cancelled = cancel_order(
        store, order.id, expected_version=1, actor=COORDINATOR, reason="customer changed mind"
    )
    assert cancelled.state == OrderState.CANCELLED
    assert cancelled.cancelled_at is not None
    assert cancelled.cancel_reason == "customer changed mind"
    assert cancelled.version == 2
    stock = _get(store, StockLevel, world.stock_id)
    assert stock.allocated == Decimal("15.000") and stock.on_hand == Decimal("100")
    with store.session() as session:
        lines = session.exec(select(SalesOrderLine).order_by(col(SalesOrderLine.line_no))).all()
    assert [
        (ln.quantity_cancelled, ln.quantity_allocated, ln.quantity_backordered) for ln in lines
    ] == [
        (Decimal("10"), Decimal("0"), Decimal("0")),
        (Decimal("5"), Decimal("0"), Decimal("0")),
    ]
    *freed, event = _audit(store)
    # the allocated line and its stock row given back, audited, before the order itself
    assert sorted(e.action for e in freed) == ["line.deallocated", "stock.deallocated"]
    assert {e.order_id for e in freed} == {order.id}
    assert (event.action, event.actor, event.order_id) == ("order.cancelled", "casey", order.id)
    assert json.loads(event.changes)["state"] == ["entered", "cancelled"]
    (entry,) = _outbox(store)
    assert (entry.operation, entry.entity, entry.entity_id, entry.state) == (
        "push_cancel",
        "sales_orders",
        order.id,
        "pending",
    )
    assert json.loads(entry.payload) == {"number": "SO0000001", "reason": "customer changed mind"}


def test_cancel_released_order_needs_a_supervisor(store: Store) -> None:
    world = _world(store)
    order = _order(store, world, state=OrderState.RELEASED, holds=False)
    with pytest.raises(PermissionDenied, match="cancelling a released order is for supervisors"):
        cancel_order(store, order.id, expected_version=1, actor=COORDINATOR, reason="dup")
    assert _get(store, StockLevel, world.stock_id).allocated == Decimal("25")
    assert _get(store, SalesOrder, order.id).state == OrderState.RELEASED
    assert _audit(store) == [] and _outbox(store) == []

    cancel_order(
        store,
        order.id,
        expected_version=1,
        actor=COORDINATOR,
        reason="duplicate of SO0000002",
        approval=SAM_OK,
    )
    event = _audit(store)[-1]
    assert (event.action, event.actor, event.approved_by) == ("order.cancelled", "casey", "sam")
    assert _get(store, StockLevel, world.stock_id).allocated == Decimal("15")


def test_cancel_refusals_change_nothing(store: Store) -> None:
    world = _world(store)
    shipped = _order(store, world, "SO0000001", state=OrderState.SHIPPED, holds=False)
    entered = _order(store, world, "SO0000002", state=OrderState.ENTERED, holds=False)
    with pytest.raises(RuleViolation, match="only orders not yet shipped can be cancelled"):
        cancel_order(store, shipped.id, expected_version=1, actor=SUPERVISOR, reason="late")
    with pytest.raises(RuleViolation, match="with a reason"):
        cancel_order(store, entered.id, expected_version=1, actor=COORDINATOR, reason=" ")
    # stale: the stock and line changes made before the version check are rolled back too
    with pytest.raises(StaleEdit):
        cancel_order(store, entered.id, expected_version=3, actor=COORDINATOR, reason="x")
    assert _get(store, StockLevel, world.stock_id).allocated == Decimal("25")
    with store.session() as session:
        lines = session.exec(select(SalesOrderLine)).all()
        states = set(session.exec(select(SalesOrder.state)).all())
    assert all(ln.quantity_cancelled == 0 and ln.version == 1 for ln in lines)
    assert sum(ln.quantity_allocated for ln in lines) == Decimal("20")
    assert states == {"shipped", "entered"}
    assert _audit(store) == [] and _outbox(store) == []
    # a draft never reached the ERP: cancelling it sends nothing
    draft = _order(store, world, "SO0000003", state=OrderState.DRAFT, holds=False)
    cancel_order(store, draft.id, expected_version=1, actor=COORDINATOR, reason="abandoned")
    assert _outbox(store) == []
    assert _get(store, SalesOrder, draft.id).state == OrderState.CANCELLED


# -- notes -------------------------------------------------------------------------------------


def test_add_note_writes_note_and_audit(store: Store) -> None:
    world = _world(store)
    order = _order(store, world)
    note = add_note(
        store,
        actor=COORDINATOR,
        body="  Called buyer, PO revision coming  ",
        channel="phone",
        order_id=order.id,
    )
    assert (note.body, note.channel, note.author) == (
        "Called buyer, PO revision coming",
        "phone",
        "casey",
    )
    assert note.customer_id == world.customer_id
    (event,) = _audit(store)
    assert (event.action, event.entity, event.entity_id, event.order_id) == (
        "note.added",
        "notes",
        note.id,
        order.id,
    )
    assert json.loads(event.changes)["body"] == [None, "Called buyer, PO revision coming"]
    with pytest.raises(RuleViolation, match="needs some text"):
        add_note(store, actor=COORDINATOR, body="  ", order_id=order.id)
    with pytest.raises(RuleViolation, match="channel 'fax'"):
        add_note(store, actor=COORDINATOR, body="x", channel="fax", order_id=order.id)
    with store.session() as session:
        assert len(session.exec(select(Note)).all()) == 1


# -- order list and order view -------------------------------------------------------------------


def test_order_queries_filter_page_and_load(store: Store) -> None:
    world = _world(store)
    with store.session() as session:
        gulf = Customer(code="GLF001", name="Gulf Coast Hydraulics")
        session.add(gulf)
        session.flush()
        gulf_id = gulf.id
    assert gulf_id
    specs = [
        ("SO0000001", "ACME-1001", world.customer_id, OrderState.ENTERED),
        ("SO0000002", "ACME-1002", world.customer_id, OrderState.ON_HOLD),
        ("SO0000003", "GC-55", gulf_id, OrderState.ENTERED),
        ("SO0000004", "gc-56", gulf_id, OrderState.SHIPPED),
        ("SO0000010", "PO-1", gulf_id, OrderState.ENTERED),
    ]
    ids = {
        number: _order(store, world, number, state=state, po=po, customer_id=cid, holds=False).id
        for number, po, cid, state in specs
    }

    def numbers(text: str = "", state: str | None = None) -> list[str]:
        flt = OrderFilter(text=text, state=state)
        found = [row.number for row in fetch_orders(store, flt, 0, 50)]
        assert count_orders(store, flt) == len(found)
        return found

    everything = ["SO0000010", "SO0000004", "SO0000003", "SO0000002", "SO0000001"]
    assert numbers() == everything  # newest first
    assert numbers("SO000000") == everything[1:]  # order-number prefix
    assert numbers("so0000001") == ["SO0000001"]  # typed in lower case
    assert numbers("SO000001") == ["SO0000010"]
    assert numbers("ACME-100") == ["SO0000002", "SO0000001"]  # PO prefix
    # a PO is matched as typed, upper- and lower-cased: either case finds both spellings
    assert numbers("gc-5") == ["SO0000004", "SO0000003"]
    assert numbers("GC-5") == ["SO0000004", "SO0000003"]
    assert numbers("GLF") == ["SO0000010", "SO0000004", "SO0000003"]  # customer code prefix
    assert numbers("coast hydr") == ["SO0000010", "SO0000004", "SO0000003"]  # part of a name
    assert numbers("Industrial") == ["SO0000002", "SO0000001"]
    assert numbers("nothing like it") == []
    assert numbers(state=OrderState.ENTERED) == ["SO0000010", "SO0000003", "SO0000001"]
    assert numbers("GLF", state=OrderState.ENTERED) == ["SO0000010", "SO0000003"]

    # paging: offsets walk the same order without gaps or repeats
    pages = [fetch_orders(store, OrderFilter(), offset, 2) for offset in (0, 2, 4, 6)]
    assert [[r.number for r in page] for page in pages] == [
        everything[0:2],
        everything[2:4],
        everything[4:],
        [],
    ]
    row = pages[0][0]
    assert (row.customer_code, row.customer_name, row.customer_po) == (
        "GLF001",
        "Gulf Coast Hydraulics",
        "PO-1",
    )
    assert row.total == Decimal("111.75") and type(row.total) is Decimal

    assert find_order_id(store, "so0000003") == ids["SO0000003"]
    assert find_order_id(store, "gc-56") == ids["SO0000004"]
    assert find_order_id(store, "nope") is None


def test_load_order_returns_lines_holds_notes_and_history(store: Store) -> None:
    world = _world(store)
    order = _order(store, world)
    release_hold(store, order.stock_hold, expected_version=1, actor=COORDINATOR, reason="in")
    add_note(store, actor=COORDINATOR, body="Buyer asked for ETA", order_id=order.id)

    detail = load_order(store, order.id)
    assert detail.order.number == "SO0000001"
    assert detail.customer.code == "ACME01"
    assert [(ln.line_no, ln.part_number, ln.quantity, ln.warehouse) for ln in detail.lines] == [
        (1, "BRG-6204-2RS", Decimal("10"), "DAL"),
        (2, "BRG-6204-2RS", Decimal("5"), "DAL"),
    ]
    assert detail.lines[0].description.startswith("Deep groove")
    assert detail.lines[0].extended == Decimal("74.50")
    assert detail.lines[1].backordered == Decimal("5")
    assert {h.kind for h in detail.holds} == {"credit", "stock"}
    assert [h.kind for h in detail.active_holds] == ["credit"]
    assert [n.body for n in detail.notes] == ["Buyer asked for ETA"]
    assert [(h.action, h.actor) for h in detail.history] == [
        ("hold.released", "casey"),
        ("note.added", "casey"),
    ]
    assert detail.history[0].changes["released_by"] == ["", "casey"]
    with pytest.raises(LookupError):
        load_order(store, 999999)
