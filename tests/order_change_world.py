"""A small world for the order-change tests: a customer with two ship-tos, three parts in stock,
a coordinator and a supervisor with a PIN, and orders submitted the way the entry screen
submits them (a draft, then `submit_order`)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.models import (
    Address,
    Customer,
    Item,
    SalesOrderLine,
    StockLevel,
    User,
    Warehouse,
)
from orderdesk_tui.models.base import AddressKind, Role
from orderdesk_tui.services import credentials, drafts
from orderdesk_tui.services.credentials import Kind
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.store import Store

PIN = "604913"
COORDINATOR = User(name="casey", role=Role.COORDINATOR)
SETTINGS = Settings()
SOON = date.today() + timedelta(days=10)


@dataclass
class World:
    customer_id: int
    wh2: int
    dock5: int
    other_ship_to: int
    #: part number -> item id
    items: dict[str, int]
    warehouse_id: int


def build_world(store: Store, *, credit_limit: str = "100000.00") -> World:
    with store.session() as session:
        session.add_all([User(name="casey"), User(name="sam", role=Role.SUPERVISOR)])
        customer = Customer(
            code="ACME01", name="Acme Industrial", credit_limit=Decimal(credit_limit)
        )
        other = Customer(code="OTHR01", name="Other Co", credit_limit=Decimal("1000.00"))
        warehouse = Warehouse(code="ELK", name="Elk Grove")
        session.add_all([customer, other, warehouse])
        session.flush()
        assert customer.id and other.id and warehouse.id

        def address(customer_id: int, code: str, kind: str, default: bool) -> Address:
            return Address(
                customer_id=customer_id,
                code=code,
                kind=kind,
                name=f"{code} dock",
                line1="1 Main St",
                city="Chicago",
                region="IL",
                postal_code="60601",
                country="US",
                is_default=default,
            )

        bill = address(customer.id, "BILL", AddressKind.BILL_TO, True)
        wh2 = address(customer.id, "WH2", AddressKind.SHIP_TO, True)
        dock5 = address(customer.id, "DOCK5", AddressKind.SHIP_TO, False)
        foreign = address(other.id, "THEIRS", AddressKind.SHIP_TO, True)
        items = [
            Item(
                part_number="BRG-100",
                description="Bearing",
                list_price=Decimal("10.0000"),
                cost=Decimal("4.0000"),
            ),
            Item(
                part_number="BLT-200",
                description="Belt",
                list_price=Decimal("5.0000"),
                cost=Decimal("2.0000"),
                moq=Decimal("10"),
                order_multiple=Decimal("5"),
            ),
            Item(
                part_number="SEAL-300",
                description="Seal",
                list_price=Decimal("2.0000"),
                cost=Decimal("1.0000"),
            ),
        ]
        session.add_all([bill, wh2, dock5, foreign, *items])
        session.flush()
        for item in items:
            assert item.id is not None
            session.add(
                StockLevel(item_id=item.id, warehouse_id=warehouse.id, on_hand=Decimal("100"))
            )
        sam = session.exec(select(User).where(User.name == "sam")).one()
        credentials.set_secret(session, sam, Kind.PIN, PIN)
        assert wh2.id and dock5.id and foreign.id
        return World(
            customer.id,
            wh2.id,
            dock5.id,
            foreign.id,
            {i.part_number: i.id or 0 for i in items},
            warehouse.id,
        )


def submitted(store: Store, world: World, lines: list[tuple[str, str]], po: str = "PO-1") -> int:
    """An order of these (part, quantity) lines, submitted; its id."""
    order = drafts.create_draft(store, actor="casey", customer_id=world.customer_id)
    assert order.id is not None
    drafts.update_header(
        store, order.id, {"customer_po": po, "requested_date": SOON}, actor="casey"
    )
    for n, (part, qty) in enumerate(lines, 1):
        drafts.save_line(
            store,
            order.id,
            n,
            {"item_id": world.items[part], "part_number": part, "quantity": Decimal(qty)},
            actor="casey",
        )
    submit_order(store, order.id, actor="casey", settings=SETTINGS)
    return order.id


def order_lines(store: Store, order_id: int) -> dict[int, SalesOrderLine]:
    with store.session() as session:
        return {
            line.line_no: line
            for line in session.exec(
                select(SalesOrderLine)
                .where(SalesOrderLine.order_id == order_id)
                .order_by(col(SalesOrderLine.line_no))
            )
        }


def allocated(store: Store, world: World, part: str) -> Decimal:
    with store.session() as session:
        stock = session.exec(
            select(StockLevel).where(StockLevel.item_id == world.items[part])
        ).one()
        return stock.allocated
