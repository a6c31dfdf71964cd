"""A customer's usual items and last order, for repeat orders, on both stores."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

from sqlmodel import select

from orderdesk_tui.models import Customer, Item, SalesOrder, SalesOrderLine
from orderdesk_tui.models.base import ItemStatus, OrderState
from orderdesk_tui.services.order_history import last_order, usual_items
from orderdesk_tui.store import Store
from tests.sql_statements import recorded_statements

TODAY = date(2026, 6, 30)

#: (days ago, state, [(part, quantity, cancelled)]) for the customer under test.
ORDERS: list[tuple[int, OrderState, list[tuple[str | None, str, str]]]] = [
    (400, OrderState.CLOSED, [("OLD-7", "5", "0"), ("BRG-1", "99", "0")]),
    (100, OrderState.CLOSED, [("BRG-1", "10", "0"), ("SCR-2", "6", "0")]),
    (80, OrderState.INVOICED, [("BRG-1", "10", "0"), ("SCR-2", "4", "0"), ("SCR-2", "2", "0")]),
    (60, OrderState.SHIPPED, [("BRG-1", "20", "0"), ("DSC-3", "3", "0")]),
    (40, OrderState.RELEASED, [("BRG-1", "20", "0"), ("SCR-2", "9", "1")]),
    (20, OrderState.ON_HOLD, [("BRG-1", "12", "0"), ("GLV-4", "4", "0")]),
    (
        15,
        OrderState.ENTERED,
        [("GLV-4", "4", "0"), ("BRG-1", "30", "30"), ("HSE-8", "10", "4"), (None, "1", "0")],
    ),
    (10, OrderState.DRAFT, [("DRF-5", "1", "0"), ("BRG-1", "500", "0")]),
    (5, OrderState.CANCELLED, [("CNX-6", "2", "0"), ("BRG-1", "500", "0")]),
    # still entered, but every line cancelled: nothing to count or copy
    (2, OrderState.ENTERED, [("BRG-1", "5", "5")]),
]


def _at(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(15, 30), tzinfo=UTC)


def _fill(store: Store) -> dict[str, int]:
    parts = ["BRG-1", "SCR-2", "DSC-3", "GLV-4", "DRF-5", "CNX-6", "OLD-7", "HSE-8"]
    with store.session() as s:
        cust = Customer(code="REPT01", name="Repeat Buyer Inc")
        other = Customer(code="OTHR01", name="Someone Else")
        quiet = Customer(code="QUIE01", name="Only Drafts Ltd")
        items = {
            p: Item(
                part_number=p,
                description=f"Part {p}",
                uom="BX" if p == "GLV-4" else "EA",
                status=ItemStatus.DISCONTINUED if p == "DSC-3" else ItemStatus.ACTIVE,
            )
            for p in parts
        }
        s.add_all([cust, other, quiet, *items.values()])
        s.flush()
        assert cust.id and other.id and quiet.id
        ids = {p: it.id for p, it in items.items() if it.id}
        plan = [(cust.id, *o) for o in ORDERS] + [
            (other.id, 1, OrderState.ENTERED, [("BRG-1", "77", "0")]),
            (quiet.id, 3, OrderState.DRAFT, [("BRG-1", "1", "0")]),
        ]
        for n, (customer_id, days, state, lines) in enumerate(plan, start=1):
            order = SalesOrder(
                number=f"SO-{n:04d}",
                customer_id=customer_id,
                customer_po=f"PO-{n}",
                state=state,
                entered_at=None if state == OrderState.DRAFT else _at(days),
                created_at=_at(days),
            )
            s.add(order)
            s.flush()
            assert order.id
            for line_no, (part, qty, cancelled) in enumerate(lines, start=1):
                s.add(
                    SalesOrderLine(
                        order_id=order.id,
                        line_no=line_no,
                        item_id=ids[part] if part else None,
                        part_number=part or "FREIGHT-IN",
                        quantity=D(qty),
                        quantity_cancelled=D(cancelled),
                    )
                )
        return {"cust": cust.id, "other": other.id, "quiet": quiet.id, **ids}


def test_usual_items_rank_count_and_quantities(store: Store) -> None:
    ids = _fill(store)
    with recorded_statements(store, "SELECT", "WITH") as seen:
        usual = usual_items(store, ids["cust"], today=TODAY)
    assert len(seen) == 2  # one aggregate, one for the recent quantities: never one per item
    # times ordered, then the most recent first; drafts, cancelled orders, fully cancelled lines,
    # lines without an item, other customers and orders before the window do not count
    assert [(u.part_number, u.times_ordered) for u in usual] == [
        ("BRG-1", 5),
        ("SCR-2", 3),
        ("GLV-4", 2),
        ("HSE-8", 1),
        ("DSC-3", 1),
    ]
    brg, scr, glv, hse, dsc = usual
    # BRG-1 newest first: 12, 20, 20, 10, 10 -> 20 and 10 tie, 20 is the more recent
    assert (brg.usual_quantity, brg.last_quantity, brg.last_date) == (
        D(20),
        D(12),
        TODAY - timedelta(days=20),
    )
    # SCR-2: 8 (9 less 1 cancelled), 6 (4 + 2 on one order), 6 -> 6 is usual, 8 was last
    assert (scr.usual_quantity, scr.last_quantity, scr.last_date) == (
        D(6),
        D(8),
        TODAY - timedelta(days=40),
    )
    assert (glv.usual_quantity, glv.uom, glv.last_date) == (D(4), "BX", TODAY - timedelta(15))
    assert (hse.usual_quantity, hse.last_quantity) == (D(6), D(6))
    assert dsc.status == ItemStatus.DISCONTINUED and brg.status == ItemStatus.ACTIVE
    assert (brg.item_id, brg.description) == (ids["BRG-1"], "Part BRG-1")
    assert usual_items(store, ids["quiet"], today=TODAY) == []
    assert usual_items(store, 999_999, today=TODAY) == []


def test_usual_items_window_and_limit(store: Store) -> None:
    ids = _fill(store)
    # the last 50 days: orders of 40, 20 and 15 days ago; equal counts -> the more recent first
    recent = usual_items(store, ids["cust"], since_days=50, today=TODAY)
    assert [(u.part_number, u.times_ordered) for u in recent] == [
        ("GLV-4", 2),
        ("BRG-1", 2),
        ("HSE-8", 1),
        ("SCR-2", 1),
    ]
    assert recent[1].usual_quantity == D(12)  # 12 and 20 tie: the newer one
    everything = usual_items(store, ids["cust"], since_days=None, today=TODAY)
    assert [u.part_number for u in everything] == [
        "BRG-1",
        "SCR-2",
        "GLV-4",
        "HSE-8",
        "DSC-3",
        "OLD-7",
    ]
    assert everything[0].times_ordered == 6 and everything[-1].last_date == TODAY - timedelta(400)
    assert [u.part_number for u in usual_items(store, ids["cust"], limit=2, today=TODAY)] == [
        "BRG-1",
        "SCR-2",
    ]
    assert usual_items(store, ids["cust"], limit=0, today=TODAY) == []
    # a year later nothing is recent any more
    assert usual_items(store, ids["cust"], today=TODAY + timedelta(days=366)) == []


def test_last_order_is_the_newest_real_order_net_of_cancellations(store: Store) -> None:
    ids = _fill(store)
    with recorded_statements(store, "SELECT", "WITH") as seen:
        last = last_order(store, ids["cust"])
    assert len(seen) == 2
    assert last is not None
    # newer ones: all lines cancelled (2 days), cancelled (5), draft (10)
    assert (last.number, last.customer_po, last.entered_at) == ("SO-0007", "PO-7", _at(15))
    assert [(ln.part_number, ln.quantity, ln.status) for ln in last.lines] == [
        ("GLV-4", D(4), ItemStatus.ACTIVE),
        ("HSE-8", D(6), ItemStatus.ACTIVE),  # 10 less 4 cancelled; BRG-1 cancelled in full
        ("FREIGHT-IN", D(1), ""),
    ]
    assert [ln.item_id for ln in last.lines] == [ids["GLV-4"], ids["HSE-8"], None]
    with store.session() as s:
        order = s.exec(select(SalesOrder).where(SalesOrder.number == "SO-0007")).one()
    assert last.order_id == order.id
    assert last_order(store, ids["other"]) is not None
    assert last_order(store, ids["quiet"]) is None  # drafts only
    assert last_order(store, 999_999) is None


def test_demo_acme01_has_usual_items_and_a_last_order(demo_store: Store) -> None:
    with demo_store.session() as s:
        acme = s.exec(select(Customer).where(Customer.code == "ACME01")).one()
    assert acme.id
    usual = usual_items(demo_store, acme.id, today=date(2026, 11, 27))
    assert usual
    keys = [(-u.times_ordered, -u.last_date.toordinal()) for u in usual]
    assert keys == sorted(keys)
    assert all(u.usual_quantity > 0 and u.last_quantity > 0 for u in usual)
    last = last_order(demo_store, acme.id)
    assert last is not None and last.lines
    assert max(u.last_date for u in usual) >= last.entered_at.date()
