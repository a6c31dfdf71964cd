"""What the PO list and the PO view read: POs with their linked customer orders, and one PO
with its lines and the customer order lines waiting on each."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

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
from orderdesk_tui.store import Store

#: The kinds and states the list filters by (keys of the filter cycle).
KINDS = ("replenishment", "special_buy", "drop_ship")
STATES = ("open", "received", "cancelled")


@dataclass(frozen=True, slots=True)
class PurchaseFilter:
    """Text matches PO number, vendor or a linked order number; "" kind/state: any."""

    text: str = ""
    kind: str = ""
    state: str = "open"


@dataclass(frozen=True, slots=True)
class PurchaseRow:
    id: int
    number: str
    vendor: str
    kind: str
    state: str
    eta: date | None
    confirmed: date | None
    #: Warehouse code (replenishment, special buy) or ship-to code (drop ship).
    destination: str
    orders: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WaitingLine:
    order_id: int
    order_number: str
    customer: str
    line_no: int
    promised: date | None


@dataclass(frozen=True, slots=True)
class PurchaseLineView:
    id: int
    part_number: str
    description: str
    quantity: Decimal
    received: Decimal
    cancelled: Decimal
    unit_cost: Decimal
    eta: date | None
    confirmed: date | None
    cancel_reason: str
    waiting: WaitingLine | None

    @property
    def due(self) -> Decimal:
        return max(self.quantity - self.received - self.cancelled, Decimal(0))


@dataclass(frozen=True, slots=True)
class PurchaseDetail:
    id: int
    number: str
    vendor: str
    kind: str
    state: str
    version: int
    eta: date | None
    confirmed: date | None
    vendor_reference: str
    destination: str
    ship_to: str
    erp_number: str
    lines: tuple[PurchaseLineView, ...]


def _linked_orders(session: Session, po_ids: list[int]) -> dict[int, list[str]]:
    if not po_ids:
        return {}
    rows = session.exec(
        select(PurchaseOrderLine.purchase_order_id, SalesOrder.number)
        .join(SalesOrderLine, col(SalesOrderLine.id) == PurchaseOrderLine.sales_order_line_id)
        .join(SalesOrder, col(SalesOrder.id) == SalesOrderLine.order_id)
        .where(col(PurchaseOrderLine.purchase_order_id).in_(po_ids))
        .order_by(col(SalesOrder.number))
    ).all()
    out: dict[int, list[str]] = {}
    for po_id, number in rows:
        numbers = out.setdefault(po_id, [])
        if number not in numbers:
            numbers.append(number)
    return out


def _destinations(session: Session, pos: list[PurchaseOrder]) -> dict[int, str]:
    """PO id -> where it goes: the ship-to code of a drop ship, else the warehouse code."""
    ship_to_ids = {po.ship_to_id for po in pos if po.ship_to_id is not None}
    warehouse_ids = {po.warehouse_id for po in pos if po.warehouse_id is not None}
    ship_tos = dict(
        session.exec(select(Address.id, Address.code).where(col(Address.id).in_(ship_to_ids))).all()
    )
    warehouses = dict(
        session.exec(
            select(Warehouse.id, Warehouse.code).where(col(Warehouse.id).in_(warehouse_ids))
        ).all()
    )
    return {
        po.id or 0: (
            ship_tos.get(po.ship_to_id) if po.ship_to_id else warehouses.get(po.warehouse_id)
        )
        or ""
        for po in pos
    }


def _filtered(stmt: Any, flt: PurchaseFilter) -> Any:
    if flt.kind:
        stmt = stmt.where(PurchaseOrder.kind == flt.kind)
    if flt.state:
        stmt = stmt.where(PurchaseOrder.state == flt.state)
    text = flt.text.strip()
    if text:
        like = f"%{text}%"
        linked = (
            select(PurchaseOrderLine.purchase_order_id)
            .join(SalesOrderLine, col(SalesOrderLine.id) == PurchaseOrderLine.sales_order_line_id)
            .join(SalesOrder, col(SalesOrder.id) == SalesOrderLine.order_id)
            .where(col(SalesOrder.number).ilike(like))
        )
        stmt = stmt.where(
            or_(
                col(PurchaseOrder.number).ilike(like),
                col(PurchaseOrder.vendor_name).ilike(like),
                col(PurchaseOrder.id).in_(linked),
            )
        )
    return stmt


def count_purchases(store: Store, flt: PurchaseFilter) -> int:
    with store.session() as session:
        stmt = _filtered(select(func.count()).select_from(PurchaseOrder), flt)
        return int(session.exec(stmt).one())


def fetch_purchases(
    store: Store, flt: PurchaseFilter, offset: int = 0, limit: int = 100
) -> list[PurchaseRow]:
    """A page of the POs matching the filter, latest first."""
    with store.session() as session:
        stmt = _filtered(select(PurchaseOrder), flt)
        stmt = stmt.order_by(col(PurchaseOrder.id).desc()).offset(offset).limit(limit)
        pos: list[PurchaseOrder] = list(session.exec(stmt).all())
        linked_orders = _linked_orders(session, [po.id or 0 for po in pos])
        destinations = _destinations(session, pos)
        return [
            PurchaseRow(
                po.id or 0,
                po.number,
                po.vendor_name,
                po.kind,
                po.state,
                po.eta,
                po.confirmed_date,
                destinations[po.id or 0],
                tuple(linked_orders.get(po.id or 0, [])),
            )
            for po in pos
        ]


def find_purchase_id(store: Store, number: str) -> int | None:
    with store.session() as session:
        return session.exec(
            select(PurchaseOrder.id).where(PurchaseOrder.number == number.strip().upper())
        ).first()


def _ship_to_text(address: Address | None) -> str:
    if address is None:
        return ""
    parts = [address.name, address.line1, address.city, address.region, address.postal_code]
    return ", ".join(p for p in [*parts, address.country] if p)


def load_purchase(store: Store, po_id: int) -> PurchaseDetail | None:
    with store.session() as session:
        po = session.get(PurchaseOrder, po_id)
        if po is None:
            return None
        rows = session.exec(
            select(PurchaseOrderLine, Item)
            .join(Item, col(Item.id) == PurchaseOrderLine.item_id)
            .where(PurchaseOrderLine.purchase_order_id == po_id)
            .order_by(col(PurchaseOrderLine.id))
        ).all()
        lines = []
        for line, item in rows:
            waiting = None
            so_line = (
                session.get(SalesOrderLine, line.sales_order_line_id)
                if line.sales_order_line_id
                else None
            )
            if so_line is not None:
                order = session.get(SalesOrder, so_line.order_id)
                customer = session.get(Customer, order.customer_id) if order else None
                waiting = WaitingLine(
                    so_line.order_id,
                    order.number if order else "",
                    customer.name if customer else "",
                    so_line.line_no,
                    so_line.last_promised_date,
                )
            lines.append(
                PurchaseLineView(
                    line.id or 0,
                    item.part_number,
                    item.description,
                    line.quantity,
                    line.quantity_received,
                    line.quantity_cancelled,
                    line.unit_cost,
                    line.eta,
                    line.confirmed_date,
                    line.cancel_reason,
                    waiting,
                )
            )
        ship_to = session.get(Address, po.ship_to_id) if po.ship_to_id else None
        return PurchaseDetail(
            po.id or 0,
            po.number,
            po.vendor_name,
            po.kind,
            po.state,
            po.version,
            po.eta,
            po.confirmed_date,
            po.vendor_reference,
            _destinations(session, [po])[po.id or 0],
            _ship_to_text(ship_to),
            po.erp_number,
            tuple(lines),
        )


@dataclass(frozen=True, slots=True)
class LinePurchase:
    """The PO an order line is bought on (what the order view shows)."""

    line_id: int
    po_id: int
    po_number: str
    kind: str
    state: str
    eta: date | None


def purchases_of_order(session: Session, order_id: int) -> dict[int, LinePurchase]:
    """Order line id -> the (latest) PO line bought for it."""
    rows = session.exec(
        select(PurchaseOrderLine, PurchaseOrder)
        .join(PurchaseOrder, col(PurchaseOrder.id) == PurchaseOrderLine.purchase_order_id)
        .join(SalesOrderLine, col(SalesOrderLine.id) == PurchaseOrderLine.sales_order_line_id)
        .where(SalesOrderLine.order_id == order_id)
        .order_by(col(PurchaseOrderLine.id))
    ).all()
    out: dict[int, LinePurchase] = {}
    for po_line, po in rows:
        assert po_line.sales_order_line_id is not None and po.id is not None
        out[po_line.sales_order_line_id] = LinePurchase(
            po_line.sales_order_line_id,
            po.id,
            po.number,
            po.kind,
            po.state,
            po_line.confirmed_date or po_line.eta,
        )
    return out
