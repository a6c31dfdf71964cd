"""Read side of RMAs: the paged RMA list (number, customer, state), a page at a time."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, false, func, or_
from sqlmodel import Session, col, select

from orderdesk_tui.domain.returns import RmaState
from orderdesk_tui.models import RMA, Customer, SalesOrder
from orderdesk_tui.services.lookup import customer_ids_matching, prefix
from orderdesk_tui.store import Store

ALL_STATES: tuple[str, ...] = tuple(s.value for s in RmaState)


@dataclass(frozen=True)
class RmaFilter:
    text: str = ""
    state: str | None = None


@dataclass(frozen=True)
class RmaRow:
    id: int
    number: str
    customer_code: str
    customer_name: str
    order_number: str
    kind: str
    reason: str
    state: str
    requested_at: datetime
    credit_amount: Decimal
    #: The credit's: the order's currency, else the customer's (as the settlement's).
    currency: str
    created_by: str


def _where(session: Session, flt: RmaFilter, sqlite: bool) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if flt.state:
        clauses.append(col(RMA.state) == flt.state)
    needle = flt.text.strip()
    if needle:
        customers = customer_ids_matching(session, needle, sqlite)
        clauses.append(
            or_(
                prefix(RMA.number, needle.upper()),
                col(RMA.customer_id).in_(customers) if customers else false(),
            )
        )
    return clauses


def count_rmas(store: Store, flt: RmaFilter) -> int:
    with store.session() as session:
        stmt = select(func.count()).select_from(RMA).where(*_where(session, flt, store.is_sqlite))
        return int(session.exec(stmt).one())


def fetch_rmas(store: Store, flt: RmaFilter, offset: int, limit: int) -> list[RmaRow]:
    """Newest request first."""
    with store.session() as session:
        rows = session.exec(
            select(
                RMA,
                Customer,
                SalesOrder.number,
                func.coalesce(SalesOrder.currency, Customer.currency),
            )
            .join(Customer, col(Customer.id) == col(RMA.customer_id))
            .outerjoin(SalesOrder, col(SalesOrder.id) == col(RMA.order_id))
            .where(*_where(session, flt, store.is_sqlite))
            .order_by(col(RMA.requested_at).desc(), col(RMA.id).desc())
            .offset(offset)
            .limit(limit)
        ).all()
    return [
        RmaRow(
            id=rma.id or 0,
            number=rma.number,
            customer_code=customer.code,
            customer_name=customer.name,
            order_number=order_number or "",
            kind=rma.kind,
            reason=rma.reason_code,
            state=rma.state,
            requested_at=rma.requested_at,
            credit_amount=rma.credit_amount,
            currency=currency,
            created_by=rma.created_by,
        )
        for rma, customer, order_number, currency in rows
    ]
