"""'Where is my order?': every line of one order with its status, allocation, ship date,
carrier and tracking, in three indexed reads (order, lines, shipments of those lines)."""

from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal

from sqlmodel import col, select

from orderdesk_tui.domain.fulfilment import line_status
from orderdesk_tui.models import (
    Address,
    Customer,
    Package,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
    Warehouse,
)
from orderdesk_tui.store import Store


@dataclass(frozen=True)
class TrackedLine:
    line_no: int
    part_number: str
    description: str
    quantity: Decimal
    uom: str
    status: str
    warehouse: str
    allocated: Decimal
    shipped: Decimal
    backordered: Decimal
    promised: date | None
    ship_date: date | None
    carrier: str
    tracking: str


@dataclass
class TrackedOrder:
    order_id: int
    number: str
    customer_code: str
    customer_name: str
    customer_po: str
    state: str
    ship_to: str
    requested: date | None
    promised: date | None
    lines: list[TrackedLine] = field(default_factory=list)


def _join(values: list[str]) -> str:
    return ", ".join(dict.fromkeys(v for v in values if v))


def track_order(store: Store, order_id: int) -> TrackedOrder:
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        if order is None:
            raise LookupError(f"order {order_id} not found")
        customer = session.get(Customer, order.customer_id)
        ship_to = session.get(Address, order.ship_to_id) if order.ship_to_id else None
        tracked = TrackedOrder(
            order_id=order_id,
            number=order.number,
            customer_code=customer.code if customer else "",
            customer_name=customer.name if customer else "",
            customer_po=order.customer_po,
            state=order.state,
            ship_to=f"{ship_to.code} {ship_to.city}" if ship_to else "",
            requested=order.requested_date,
            promised=order.last_promised_date,
        )
        lines = list(
            session.exec(
                select(SalesOrderLine, Warehouse.code)
                .outerjoin(Warehouse, col(Warehouse.id) == col(SalesOrderLine.warehouse_id))
                .where(SalesOrderLine.order_id == order_id)
                .order_by(col(SalesOrderLine.line_no))
            )
        )
        shipped: dict[int, list[tuple[Shipment, str]]] = {}
        line_ids = [ln.id for ln, _ in lines if ln.id is not None]
        if line_ids:
            for ship_line, shipment, package_tracking in session.exec(
                select(ShipmentLine, Shipment, Package.tracking_number)
                .join(Shipment, col(Shipment.id) == col(ShipmentLine.shipment_id))
                .outerjoin(Package, col(Package.id) == col(ShipmentLine.package_id))
                .where(col(ShipmentLine.order_line_id).in_(line_ids))
                .order_by(col(Shipment.id))
            ):
                shipped.setdefault(ship_line.order_line_id, []).append(
                    (shipment, package_tracking or shipment.tracking_number)
                )
        for line, warehouse in lines:
            shipments = [s for s in shipped.get(line.id or 0, []) if s[0].state != "cancelled"]
            ship_dates = [s.shipped_at.astimezone(UTC).date() for s, _ in shipments if s.shipped_at]
            tracked.lines.append(
                TrackedLine(
                    line_no=line.line_no,
                    part_number=line.part_number,
                    description=line.description,
                    quantity=line.quantity,
                    uom=line.uom,
                    status=line_status(
                        order.state,
                        line.quantity,
                        line.quantity_allocated,
                        line.quantity_shipped,
                        line.quantity_backordered,
                        line.quantity_cancelled,
                    ),
                    warehouse=warehouse or "",
                    allocated=line.quantity_allocated,
                    shipped=line.quantity_shipped,
                    backordered=line.quantity_backordered,
                    promised=line.last_promised_date,
                    ship_date=max(ship_dates) if ship_dates else line.shipped_date,
                    carrier=_join([s.carrier for s, _ in shipments]),
                    tracking=_join([t for _, t in shipments]),
                )
            )
        return tracked
