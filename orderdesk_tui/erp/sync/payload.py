"""Our order as the ERP receives it (`order_payload`), and our PO (`purchase_payload`), built
from the store at send time, and `SyncProblem` for an order of ours that cannot be sent."""

import re
from decimal import Decimal

from sqlmodel import Session, col, select

from orderdesk_tui.erp.connector import (
    OrderLinePayload,
    OrderPayload,
    PostalAddress,
    PurchaseLinePayload,
    PurchasePayload,
)
from orderdesk_tui.models import (
    Address,
    Customer,
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    Warehouse,
)
from orderdesk_tui.models.base import AddressKind

#: Prices are stored to four places.
Q4 = Decimal("0.0001")


class SyncProblem(Exception):
    """Our own data cannot be sent (order gone, no lines): fails the entry like a refusal."""


def net_unit_price(line: SalesOrderLine) -> Decimal:
    """The unit price after the line discount %, then the amount off (as domain.pricing)."""
    net = line.unit_price
    if line.discount_percent:
        net = (net * (Decimal(100) - line.discount_percent) / Decimal(100)).quantize(Q4)
    if line.discount_amount:
        net = net - line.discount_amount
    return net


def postal_address(address: Address | None) -> PostalAddress | None:
    if address is None:
        return None
    street = address.line1 if not address.line2 else f"{address.line1}\n{address.line2}"
    return PostalAddress(
        code=address.code,
        name=address.name,
        street=street,
        city=address.city,
        postal_code=address.postal_code,
        country=address.country,
        region=address.region,
    )


def default_address(session: Session, customer_id: int, kind: AddressKind) -> Address | None:
    return session.exec(
        select(Address)
        .where(Address.customer_id == customer_id, Address.kind == kind, Address.active)
        .order_by(col(Address.is_default).desc(), col(Address.id))
    ).first()


def order_payload(session: Session, order: SalesOrder) -> OrderPayload:
    """Our order as the ERP receives it: customer, addresses and open lines, from the store."""
    customer = session.get(Customer, order.customer_id)
    if customer is None:
        raise SyncProblem(f"order {order.number}: its customer no longer exists")
    bill_to = session.get(Address, order.bill_to_id) if order.bill_to_id else None
    bill_to = bill_to or default_address(session, customer.id or 0, AddressKind.BILL_TO)
    ship_to = session.get(Address, order.ship_to_id) if order.ship_to_id else None
    rows = session.exec(
        select(SalesOrderLine)
        .where(SalesOrderLine.order_id == order.id)
        .order_by(col(SalesOrderLine.line_no))
    ).all()
    lines = tuple(
        OrderLinePayload(
            line_no=line.line_no,
            part_number=line.part_number,
            description=line.description,
            quantity=line.quantity - line.quantity_cancelled,
            uom=line.uom,
            unit_price=net_unit_price(line),
        )
        for line in rows
        if line.item_id is not None and line.quantity - line.quantity_cancelled > 0
    )
    return OrderPayload(
        number=order.number,
        customer_code=customer.code,
        customer_name=customer.name,
        customer_po=order.customer_po,
        currency=order.currency,
        bill_to=postal_address(bill_to),
        ship_to=postal_address(ship_to),
        lines=lines,
        requested_date=order.requested_date,
        payment_terms=order.payment_terms or customer.payment_terms,
        notes=order.notes,
    )


def vendor_code(name: str) -> str:
    """The ERP party code of a vendor we know by name only: V- and its name in capitals."""
    return ("V-" + re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-"))[:40]


def purchase_payload(session: Session, po: PurchaseOrder) -> PurchasePayload:
    """Our PO as the ERP receives it: vendor, warehouse, drop-ship address and what is bought."""
    rows = session.exec(
        select(PurchaseOrderLine, Item)
        .join(Item, col(Item.id) == PurchaseOrderLine.item_id)
        .where(PurchaseOrderLine.purchase_order_id == po.id)
        .order_by(col(PurchaseOrderLine.id))
    ).all()
    lines = tuple(
        PurchaseLinePayload(
            line_no=n,
            part_number=item.part_number,
            description=item.description,
            quantity=line.quantity - line.quantity_cancelled,
            uom=item.uom,
            unit_cost=line.unit_cost,
            delivery_date=line.confirmed_date or line.eta,
        )
        for n, (line, item) in enumerate(rows, start=1)
        if line.quantity - line.quantity_cancelled > 0
    )
    warehouse = session.get(Warehouse, po.warehouse_id) if po.warehouse_id else None
    ship_to = session.get(Address, po.ship_to_id) if po.ship_to_id else None
    return PurchasePayload(
        number=po.number,
        vendor_code=vendor_code(po.vendor_name),
        vendor_name=po.vendor_name,
        kind=po.kind,
        currency="USD",
        warehouse_code=warehouse.code if warehouse is not None else "",
        lines=lines,
        ship_to=postal_address(ship_to),
        vendor_reference=po.vendor_reference,
        confirmed=po.confirmed_date is not None,
        cancelled=po.state == "cancelled" or not lines,
    )
