"""A small store for the rush and cancel-remaining tests and bench: one item in one warehouse,
normal orders holding its stock, and orders that want it."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import col, select

from orderdesk_tui.models import (
    Customer,
    Item,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    User,
    Warehouse,
)
from orderdesk_tui.models.base import OrderState, Role
from orderdesk_tui.services import credentials
from orderdesk_tui.services.credentials import Kind
from orderdesk_tui.store import Store

COORDINATOR = User(name="casey", role=Role.COORDINATOR)
PIN = "604913"
TODAY = date(2026, 12, 8)


@dataclass
class World:
    customer_id: int
    item_id: int
    warehouse_id: int
    stock_id: int


def build_world(store: Store, *, on_hand: int = 100, lead_time_days: int = 14) -> World:
    with store.session() as session:
        session.add_all([User(name="casey"), User(name="sam", role=Role.SUPERVISOR)])
        customer = Customer(code="ACME01", name="Acme Industrial Supply")
        item = Item(
            part_number="P-100",
            description="Deep groove ball bearing",
            list_price=Decimal("7.4500"),
            cost=Decimal("3.1200"),
            lead_time_days=lead_time_days,
        )
        warehouse = Warehouse(code="DAL", name="Dallas DC")
        session.add_all([customer, item, warehouse])
        session.flush()
        assert customer.id and item.id and warehouse.id
        stock = StockLevel(
            item_id=item.id, warehouse_id=warehouse.id, on_hand=Decimal(on_hand), allocated=0
        )
        session.add(stock)
        session.flush()
        assert stock.id
        sam = session.exec(select(User).where(User.name == "sam")).one()
        credentials.set_secret(session, sam, Kind.PIN, PIN)
        return World(customer.id, item.id, warehouse.id, stock.id)


def add_order(
    store: Store,
    world: World,
    number: str,
    quantities: list[int],
    *,
    allocated: list[int] | None = None,
    shipped: list[int] | None = None,
    state: str = OrderState.ACKNOWLEDGED,
    requested: date = TODAY + timedelta(days=7),
    entered_minutes_ago: int = 60,
    priority: str = "normal",
) -> int:
    """An order whose lines hold `allocated` (default: all) of the item in the warehouse; the
    stock row's `allocated` goes up by as much, and the rest of each line is backordered."""
    allocated = allocated if allocated is not None else quantities
    shipped = shipped or [0] * len(quantities)
    with store.session() as session:
        order = SalesOrder(
            number=number,
            customer_id=world.customer_id,
            customer_po=f"PO-{number}",
            state=state,
            priority=priority,
            requested_date=requested,
            entered_at=datetime.now(UTC) - timedelta(minutes=entered_minutes_ago),
            total=Decimal("10.00"),
        )
        session.add(order)
        session.flush()
        assert order.id
        for n, (qty, alloc, ship) in enumerate(zip(quantities, allocated, shipped, strict=True), 1):
            session.add(
                SalesOrderLine(
                    order_id=order.id,
                    line_no=n,
                    item_id=world.item_id,
                    part_number="P-100",
                    quantity=Decimal(qty),
                    unit_price=Decimal("7.4500"),
                    extended=Decimal("7.45") * qty,
                    warehouse_id=world.warehouse_id,
                    quantity_allocated=Decimal(alloc),
                    quantity_shipped=Decimal(ship),
                    quantity_backordered=Decimal(qty - alloc - ship),
                    requested_date=requested,
                    last_promised_date=TODAY if alloc == qty - ship else TODAY + timedelta(14),
                    first_promised_date=TODAY,
                )
            )
        stock = session.get(StockLevel, world.stock_id)
        assert stock is not None
        stock.allocated += Decimal(sum(allocated))
        return order.id


def order_of(store: Store, order_id: int) -> SalesOrder:
    """The order as stored now."""
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        return order


def lines_of(store: Store, order_id: int) -> list[SalesOrderLine]:
    """The order's lines as stored now, in line order."""
    with store.session() as session:
        return list(
            session.exec(
                select(SalesOrderLine)
                .where(SalesOrderLine.order_id == order_id)
                .order_by(col(SalesOrderLine.line_no))
            )
        )
