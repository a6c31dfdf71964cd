"""An RMA as its screen and its steps read it: each line with its part, order line, price and
disposition warehouse (`line_views`), and the RMA with its customer, documents, audit history
and notes (`load_rma`).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from orderdesk_tui.domain import returns as rules
from orderdesk_tui.domain.money import round_money
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import (
    RMA,
    AuditEvent,
    Customer,
    Invoice,
    InvoiceLine,
    Item,
    Note,
    RMALine,
    SalesOrder,
    SalesOrderLine,
    Warehouse,
)
from orderdesk_tui.services.returnable import net_unit
from orderdesk_tui.store import Store

#: An RMA's entity in audit events and outbox entries (its table).
RMAS = "rmas"


@dataclass(frozen=True)
class RmaLineView:
    id: int
    version: int
    item_id: int
    order_line_id: int | None
    order_number: str
    line_no: int
    part_number: str
    description: str
    uom: str
    lot_serial: str
    reason: str
    unit_price: Decimal
    requested: Decimal
    received: Decimal
    findings: str
    disposition: str
    warehouse_code: str
    vendor_recovery: bool
    vendor_name: str

    @property
    def facts(self) -> rules.LineFacts:
        return rules.LineFacts(self.part_number, self.received, self.disposition, self.findings)


@dataclass(frozen=True)
class RmaDetail:
    rma: RMA
    customer: Customer
    lines: tuple[RmaLineView, ...]
    invoice_number: str
    credit_memo: Invoice | None
    replacement_number: str
    #: (when, who, approved by, action, what changed, reason), lines' events included.
    history: tuple[tuple[datetime, str, str, str, str, str], ...]
    notes: tuple[Note, ...] = ()

    @property
    def value(self) -> Decimal:
        currency = self.customer.currency
        return sum(
            (round_money(ln.requested * ln.unit_price, currency) for ln in self.lines), Decimal(0)
        )


def line_views(session: Session, rma_id: int) -> list[RmaLineView]:
    # the outer joins' entities may be missing: typed so (sqlmodel's select takes 4 at most)
    rows: Sequence[
        tuple[
            RMALine,
            Item,
            SalesOrderLine | None,
            SalesOrder | None,
            InvoiceLine | None,
            Warehouse | None,
        ]
    ] = session.execute(
        sa.select(RMALine, Item, SalesOrderLine, SalesOrder, InvoiceLine, Warehouse)
        .join(Item, col(Item.id) == col(RMALine.item_id))
        .outerjoin(SalesOrderLine, col(SalesOrderLine.id) == col(RMALine.order_line_id))
        .outerjoin(SalesOrder, col(SalesOrder.id) == col(SalesOrderLine.order_id))
        .outerjoin(InvoiceLine, col(InvoiceLine.id) == col(RMALine.invoice_line_id))
        .outerjoin(Warehouse, col(Warehouse.id) == col(RMALine.disposition_warehouse_id))
        .where(col(RMALine.rma_id) == rma_id)
        .order_by(col(RMALine.id))
    ).all()
    out = []
    for line, item, order_line, order, inv_line, warehouse in rows:
        assert line.id is not None
        if inv_line is not None:
            price = inv_line.unit_price
        elif order_line is not None:
            price = net_unit(order_line)
        else:
            price = item.list_price
        out.append(
            RmaLineView(
                id=line.id,
                version=line.version,
                item_id=line.item_id,
                order_line_id=line.order_line_id,
                order_number=order.number if order else "",
                line_no=order_line.line_no if order_line else 0,
                part_number=item.part_number,
                description=(order_line.description if order_line else "") or item.description,
                uom=item.uom,
                lot_serial=line.lot_serial,
                reason=line.reason_code,
                unit_price=price,
                requested=line.quantity_requested,
                received=line.quantity_received,
                findings=line.findings,
                disposition=line.disposition,
                warehouse_code=warehouse.code if warehouse else "",
                vendor_recovery=line.vendor_recovery,
                vendor_name=item.vendor_name,
            )
        )
    return out


def _changes(raw: str) -> str:
    """An audit event's {field: [old, new]} as `field: old → new; ...`."""
    try:
        changes = json.loads(raw or "{}")
    except ValueError:
        return raw
    return "; ".join(f"{k}: {old} → {new}" for k, (old, new) in changes.items() if k != "version")


def load_rma(store: Store, rma_id: int) -> RmaDetail:
    with store.session() as session:
        rma = session.get(RMA, rma_id)
        if rma is None:
            raise RuleViolation(f"RMA {rma_id} does not exist")
        customer = session.get(Customer, rma.customer_id)
        assert customer is not None
        invoice = session.get(Invoice, rma.invoice_id) if rma.invoice_id else None
        memo = session.get(Invoice, rma.credit_memo_id) if rma.credit_memo_id else None
        replacement = (
            session.get(SalesOrder, rma.replacement_order_id) if rma.replacement_order_id else None
        )
        lines = line_views(session, rma_id)
        events = session.exec(
            select(AuditEvent)
            .where(
                or_(
                    and_(col(AuditEvent.entity) == RMAS, col(AuditEvent.entity_id) == rma_id),
                    and_(
                        col(AuditEvent.entity) == "rma_lines",
                        col(AuditEvent.entity_id).in_([ln.id for ln in lines]),
                    ),
                )
            )
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        ).all()
        return RmaDetail(
            rma=rma,
            customer=customer,
            lines=tuple(lines),
            invoice_number=invoice.number if invoice else "",
            credit_memo=memo,
            replacement_number=replacement.number if replacement else "",
            history=tuple(
                (e.at, e.actor, e.approved_by, e.action, _changes(e.changes), e.reason)
                for e in events
            ),
            notes=tuple(
                session.exec(
                    select(Note)
                    .where(Note.rma_id == rma_id)
                    .order_by(col(Note.created_at), col(Note.id))
                )
            ),
        )
