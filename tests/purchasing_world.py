"""A small world for the purchasing tests: a customer with a ship-to, a warehouse, a non-stock
drive (special buy) and a stocked bearing the vendor can drop ship, and entered orders that
want them; built with the ORM on any store."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import select

from orderdesk_tui.models import (
    Address,
    Contact,
    Customer,
    Item,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    Warehouse,
)
from orderdesk_tui.models.base import AddressKind, OrderState
from orderdesk_tui.services.purchasing import Purchased, purchase_for_lines
from orderdesk_tui.store import Store

TODAY = date(2026, 12, 8)
BUYER = "pat.buyer@acme.example"


@dataclass
class World:
    customer_id: int
    ship_to_id: int
    other_ship_to_id: int
    warehouse_id: int
    drive_id: int
    bearing_id: int


def build_world(store: Store) -> World:
    with store.session() as s:
        customer = Customer(code="ACME01", name="Acme Industrial", credit_limit=Decimal("90000"))
        warehouse = Warehouse(code="CHI", name="Chicago DC")
        drive = Item(
            part_number="VFD-25HP-480V",
            description="Variable frequency drive 25 HP",
            list_price=Decimal("2189.99"),
            cost=Decimal("1223.0613"),
            lead_time_days=21,
            stocked=False,
            vendor_name="Apex Motor & Drive Co.",
        )
        bearing = Item(
            part_number="BRG-6204-2RS",
            description="Deep groove ball bearing",
            list_price=Decimal("7.45"),
            cost=Decimal("3.12"),
            lead_time_days=5,
            drop_ship_allowed=True,
            vendor_name="Bearings Direct",
        )
        s.add_all([customer, warehouse, drive, bearing])
        s.flush()
        assert customer.id and warehouse.id and drive.id and bearing.id
        ship_to, other = (
            Address(
                customer_id=customer.id,
                code=code,
                kind=AddressKind.SHIP_TO,
                name=f"Acme {city}",
                line1="1 Main St",
                city=city,
                region="IL",
                postal_code="60601",
            )
            for code, city in (("ST-1", "Chicago"), ("ST-2", "Joliet"))
        )
        s.add_all([ship_to, other, StockLevel(item_id=bearing.id, warehouse_id=warehouse.id)])
        s.add(Contact(customer_id=customer.id, name="Pat", email=BUYER, is_primary=True))
        s.flush()
        assert ship_to.id and other.id
        return World(customer.id, ship_to.id, other.id, warehouse.id, drive.id, bearing.id)


def entered_order(
    store: Store,
    world: World,
    number: str,
    lines: list[tuple[int, Decimal, bool]],
    *,
    ship_to_id: int | None = None,
    state: str = OrderState.ACKNOWLEDGED,
    promised: date | None = None,
) -> int:
    """An entered order with (item id, quantity, drop ship) lines in CHI, none allocated."""
    with store.session() as s:
        order = SalesOrder(
            number=number,
            customer_id=world.customer_id,
            customer_po=f"PO-{number}",
            ship_to_id=ship_to_id or world.ship_to_id,
            state=state,
        )
        s.add(order)
        s.flush()
        assert order.id
        for n, (item_id, qty, drop) in enumerate(lines, start=1):
            s.add(
                SalesOrderLine(
                    order_id=order.id,
                    line_no=n,
                    item_id=item_id,
                    quantity=qty,
                    quantity_backordered=qty,
                    warehouse_id=None if drop else world.warehouse_id,
                    drop_ship=drop,
                    first_promised_date=promised,
                    last_promised_date=promised,
                )
            )
        return order.id


def buy_for(store: Store, order_id: int, today: date = TODAY) -> list[Purchased]:
    """What submit does after allocation: purchase_for_lines on every line of the order."""
    with store.immediate() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None
        lines = list(s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order_id)))
        return purchase_for_lines(s, order, lines, "casey", today=today)
