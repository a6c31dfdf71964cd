"""The customer view's read side and 'where is my order' on the demo data; line status rules."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from orderdesk_tui.domain.fulfilment import fulfilment, line_status
from orderdesk_tui.domain.kpi.on_time import shipped_by as on_time
from orderdesk_tui.models import Customer, SalesOrder, Shipment
from orderdesk_tui.services.customer_view import (
    count_customer_orders,
    fetch_customer_orders,
    load_customer,
)
from orderdesk_tui.services.order_queries import find_order_id
from orderdesk_tui.services.order_tracking import track_order
from orderdesk_tui.store import Store

TODAY = date(2026, 11, 27)
D = Decimal


@pytest.mark.parametrize(
    ("state", "qty", "alloc", "shipped", "bo", "cancelled", "expected"),
    [
        ("released", D(10), D(10), D(0), D(0), D(0), "allocated"),
        ("released", D(10), D(4), D(0), D(6), D(0), "part allocated, backordered"),
        ("partially_shipped", D(10), D(0), D(4), D(6), D(0), "part shipped, backordered"),
        ("shipped", D(10), D(0), D(10), D(0), D(0), "shipped"),
        ("released", D(10), D(0), D(6), D(0), D(4), "shipped"),
        ("cancelled", D(10), D(0), D(0), D(0), D(10), "cancelled"),
        ("on_hold", D(10), D(10), D(0), D(0), D(0), "on hold, allocated"),
        ("entered", D(10), D(0), D(0), D(0), D(0), "open"),
        ("draft", D(10), D(0), D(0), D(0), D(0), "draft"),
    ],
)
def test_line_status(
    state: str, qty: D, alloc: D, shipped: D, bo: D, cancelled: D, expected: str
) -> None:
    assert line_status(state, qty, alloc, shipped, bo, cancelled) == expected


def test_fulfilment_figures() -> None:
    figures = fulfilment(
        4,
        D(200),
        D(150),
        [(date(2026, 1, 5), date(2026, 1, 5)), (date(2026, 2, 9), date(2026, 2, 6))],
    )
    assert figures.fill_rate == D("75.0")
    assert figures.on_time_rate == D("50.0")
    assert (figures.shipped_orders, figures.late_orders) == (2, 1)
    assert fulfilment(0, D(0), D(0), []).fill_rate is None
    assert on_time(None, date(2026, 1, 1)) is None


def _customer_id(store: Store, code: str) -> int:
    with store.session() as s:
        found = s.exec(select(Customer.id).where(Customer.code == code)).one()
        assert found is not None
        return found


def test_load_customer_gathers_every_part(demo_store: Store) -> None:
    cid = _customer_id(demo_store, "GLMS01")
    view = load_customer(demo_store, cid, today=TODAY)
    assert view.customer.code == "GLMS01"
    kinds = {a.kind for a in view.addresses}
    assert kinds == {"bill_to", "ship_to"}
    assert view.contacts and view.contacts[0].is_primary
    assert view.credit is not None and view.credit.credit_limit == view.customer.credit_limit
    assert view.credit.exposure == view.credit.open_receivables + view.credit.open_orders
    with demo_store.session() as s:
        numbers = set(
            s.exec(
                select(SalesOrder.number).where(
                    SalesOrder.customer_id == cid,
                    col(SalesOrder.state).in_(
                        ["entered", "on_hold", "acknowledged", "released", "partially_shipped"]
                    ),
                )
            )
        )
    assert {o.number for o in view.open_orders} == numbers
    assert view.open_order_count == len(numbers)
    assert view.order_count == count_customer_orders(demo_store, cid) == 35
    perf = view.performance
    assert perf is not None and perf.orders > 0 and perf.fill_rate is not None
    assert len(view.notes) == 6
    assert all(
        n.created_at >= m.created_at for n, m in zip(view.notes, view.notes[1:], strict=False)
    )
    page = fetch_customer_orders(demo_store, cid, 0, 10)
    assert len(page) == 10 and page[0].id > page[-1].id
    shipped = [r for r in fetch_customer_orders(demo_store, cid, 0, 50) if r.shipped_at]
    assert shipped and all(r.fill is not None for r in shipped)


def test_agreements_in_force_only(demo_store: Store) -> None:
    with demo_store.session() as s:
        from orderdesk_tui.models import PriceAgreement

        pa = s.exec(select(PriceAgreement)).first()
        assert pa is not None
        cid = pa.customer_id
        in_force = [
            a
            for a in s.exec(select(PriceAgreement).where(PriceAgreement.customer_id == cid))
            if a.valid_from <= TODAY and (a.valid_to is None or a.valid_to >= TODAY)
        ]
    view = load_customer(demo_store, cid, today=TODAY)
    assert len(view.agreements) == len(in_force)


def test_where_is_my_order_lines_with_shipments(demo_store: Store) -> None:
    order_id = find_order_id(demo_store, "SO0000170")
    assert order_id is not None
    tracked = track_order(demo_store, order_id)
    assert tracked.customer_code == "CASC01" and tracked.state == "partially_shipped"
    statuses = [ln.status for ln in tracked.lines]
    assert statuses == ["shipped", "shipped", "shipped", "backordered"]
    assert tracked.lines[0].carrier == "Customer pickup"
    assert tracked.lines[0].ship_date == date(2026, 11, 3)
    assert tracked.lines[3].ship_date is None and tracked.lines[3].carrier == ""
    with demo_store.session() as s:
        ups = s.exec(select(Shipment).where(Shipment.carrier == "UPS")).first()
        assert ups is not None
    tracked = track_order(demo_store, ups.order_id)
    assert any(ups.tracking_number in ln.tracking for ln in tracked.lines)


def test_view_and_tracking_on_both_stores(store: Store) -> None:
    """The aggregates and joins behind the view and 'where is my order' on SQLite and PG."""
    from datetime import UTC, datetime

    from orderdesk_tui.models import Address, Invoice, SalesOrderLine, ShipmentLine, Warehouse

    with store.session() as s:
        acme = Customer(code="ACME01", name="Acme", credit_limit=D("1000.00"))
        s.add(acme)
        s.flush()
        wh = Warehouse(code="ELK", name="Elk Grove")
        ship_to = Address(
            customer_id=acme.id, code="ST-1", name="Acme", line1="1 Main", city="Chicago"
        )
        s.add_all([wh, ship_to])
        s.flush()
        order = SalesOrder(
            number="SO0000001",
            customer_id=acme.id,
            customer_po="PO-1",
            state="partially_shipped",
            ship_to_id=ship_to.id,
            total=D("300.00"),
            entered_at=datetime(2026, 11, 2, tzinfo=UTC),
            first_promised_date=date(2026, 11, 10),
            last_promised_date=date(2026, 11, 10),
        )
        s.add(order)
        s.flush()
        full = SalesOrderLine(
            order_id=order.id, line_no=1, part_number="A", quantity=D(10), quantity_shipped=D(10)
        )
        short = SalesOrderLine(
            order_id=order.id,
            line_no=2,
            part_number="B",
            quantity=D(10),
            quantity_allocated=D(4),
            quantity_backordered=D(6),
            warehouse_id=wh.id,
        )
        s.add_all([full, short])
        s.flush()
        shipment = Shipment(
            number="SH1",
            order_id=order.id,
            warehouse_id=wh.id,
            state="shipped",
            carrier="UPS",
            tracking_number="1Z999",
            shipped_at=datetime(2026, 11, 9, 15, tzinfo=UTC),
        )
        s.add(shipment)
        s.flush()
        s.add(ShipmentLine(shipment_id=shipment.id, order_line_id=full.id, quantity=D(10)))
        s.add(
            Invoice(
                number="INV1",
                customer_id=acme.id,
                order_id=order.id,
                invoice_date=date(2026, 10, 1),
                due_date=date(2026, 10, 31),
                total=D("120.00"),
            )
        )
        ids = (acme.id, order.id)
    view = load_customer(store, ids[0], today=TODAY)
    assert [o.number for o in view.open_orders] == ["SO0000001"]
    assert view.open_orders[0].fill == D("50.0")
    assert view.credit is not None and view.credit.past_due_amount == D("120.00")
    assert view.credit.open_orders == D("180.00")  # 300 less the 120 invoiced
    tracked = track_order(store, ids[1])
    assert [ln.status for ln in tracked.lines] == ["shipped", "part allocated, backordered"]
    assert tracked.lines[0].carrier == "UPS" and tracked.lines[0].tracking == "1Z999"
    assert tracked.lines[0].ship_date == date(2026, 11, 9)
    assert tracked.lines[1].warehouse == "ELK" and tracked.ship_to == "ST-1 Chicago"
