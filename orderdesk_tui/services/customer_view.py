"""Read side of the customer view: everything a coordinator needs on one customer.

`load_customer` reads the small parts at once (addresses, contacts, credit as aggregates, price
agreements in force, open orders, open RMAs, the latest notes and changes, the last year's fill
and on-time figures); the order history is read a page at a time (`fetch_customer_orders`) since
a big account has thousands of orders. Every read uses a customer_id (or id) index.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, type_coerce
from sqlmodel import Session, col, select

from orderdesk_tui.domain.credit import OPEN_ORDER_STATES, CreditResult
from orderdesk_tui.domain.fulfilment import Fulfilment, fulfilment
from orderdesk_tui.domain.kpi.on_time import shipped_by
from orderdesk_tui.domain.kpi.rates import ratio
from orderdesk_tui.models import (
    RMA,
    Address,
    AuditEvent,
    Contact,
    Customer,
    Hold,
    Item,
    Note,
    PriceAgreement,
    SalesOrder,
    SalesOrderLine,
)
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.models.types import Quantity
from orderdesk_tui.services.credit import check_credit_in
from orderdesk_tui.services.order_queries import AuditView
from orderdesk_tui.store import Store

#: Notes and changes shown on the customer view, newest first.
LOG_LIMIT = 200
#: Open orders listed at once (a count says when there are more).
OPEN_ORDER_LIMIT = 500
#: Price agreements listed at once.
AGREEMENT_LIMIT = 500
#: Days of orders behind the fill and on-time figures.
PERFORMANCE_DAYS = 365
CLOSED_RMA_STATES = ("closed", "rejected")
NOT_REAL = (OrderState.DRAFT, OrderState.CANCELLED)


@dataclass(frozen=True)
class AgreementRow:
    part_number: str
    description: str
    contract_ref: str
    price: Decimal
    min_quantity: Decimal
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class CustomerOrderRow:
    id: int
    number: str
    customer_po: str
    state: str
    priority: str
    total: Decimal
    currency: str
    entered_at: datetime | None
    requested_date: date | None
    promised_date: date | None
    shipped_at: datetime | None
    #: Units shipped of units ordered less cancelled (percent), None for none due.
    fill: Decimal | None = None
    #: Shipped by the first promised date; None when not shipped or never promised.
    on_time: bool | None = None
    open_holds: str = ""


@dataclass(frozen=True)
class NoteRow:
    id: int
    created_at: datetime
    author: str
    channel: str
    body: str
    order_number: str
    callback_at: datetime | None
    callback_done: bool


@dataclass
class CustomerView:
    customer: Customer
    addresses: list[Address] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    credit: CreditResult | None = None
    agreements: list[AgreementRow] = field(default_factory=list)
    open_orders: list[CustomerOrderRow] = field(default_factory=list)
    open_order_count: int = 0
    order_count: int = 0
    performance: Fulfilment | None = None
    rmas: list[RMA] = field(default_factory=list)
    notes: list[NoteRow] = field(default_factory=list)
    history: list[AuditView] = field(default_factory=list)

    @property
    def callbacks_due(self) -> list[NoteRow]:
        return [n for n in self.notes if n.callback_at is not None and not n.callback_done]


def _open_holds(session: Session, order_ids: list[int]) -> dict[int, str]:
    if not order_ids:
        return {}
    kinds: dict[int, list[str]] = {}
    for order_id, kind in session.exec(
        select(Hold.order_id, Hold.kind).where(
            col(Hold.order_id).in_(order_ids),
            col(Hold.released_at).is_(None),
        )
    ):
        kinds.setdefault(order_id, []).append(kind)
    return {oid: ", ".join(sorted(set(k))) for oid, k in kinds.items()}


def _fill_by_order(session: Session, order_ids: list[int]) -> dict[int, Decimal | None]:
    """Shipped of (ordered less cancelled) units per order, one aggregate for the page."""
    if not order_ids:
        return {}
    rows = session.exec(
        select(
            SalesOrderLine.order_id,
            type_coerce(
                func.sum(col(SalesOrderLine.quantity) - col(SalesOrderLine.quantity_cancelled)),
                Quantity,
            ),
            type_coerce(func.sum(col(SalesOrderLine.quantity_shipped)), Quantity),
        )
        .where(col(SalesOrderLine.order_id).in_(order_ids))
        .group_by(col(SalesOrderLine.order_id))
    )
    return {oid: ratio(shipped or 0, wanted or 0) for oid, wanted, shipped in rows}


def _order_rows(session: Session, orders: list[SalesOrder]) -> list[CustomerOrderRow]:
    ids = [o.id for o in orders if o.id is not None]
    holds = _open_holds(session, ids)
    fills = _fill_by_order(session, ids)
    return [
        CustomerOrderRow(
            id=o.id or 0,
            number=o.number,
            customer_po=o.customer_po,
            state=o.state,
            priority=o.priority,
            total=o.total,
            currency=o.currency,
            entered_at=o.entered_at,
            requested_date=o.requested_date,
            promised_date=o.last_promised_date,
            shipped_at=o.shipped_at,
            fill=fills.get(o.id or 0),
            on_time=shipped_by(
                o.shipped_at.astimezone(UTC).date() if o.shipped_at else None,
                o.first_promised_date,
            ),
            open_holds=holds.get(o.id or 0, ""),
        )
        for o in orders
    ]


def count_customer_orders(store: Store, customer_id: int) -> int:
    with store.session() as session:
        stmt = (
            select(func.count())
            .select_from(SalesOrder)
            .where(SalesOrder.customer_id == customer_id)
        )
        return int(session.exec(stmt).one())


def fetch_customer_orders(
    store: Store, customer_id: int, offset: int, limit: int
) -> list[CustomerOrderRow]:
    """One page of the customer's orders, newest first, with fill and on-time per order."""
    with store.session() as session:
        orders = list(
            session.exec(
                select(SalesOrder)
                .where(SalesOrder.customer_id == customer_id)
                .order_by(col(SalesOrder.id).desc())
                .offset(offset)
                .limit(limit)
            )
        )
        return _order_rows(session, orders)


def _performance(session: Session, customer_id: int, today: date) -> Fulfilment:
    since = datetime.combine(today - timedelta(days=PERFORMANCE_DAYS), time(), UTC)
    real = and_(
        col(SalesOrder.customer_id) == customer_id,
        col(SalesOrder.state).not_in(NOT_REAL),
        or_(col(SalesOrder.entered_at) >= since, col(SalesOrder.shipped_at) >= since),
    )
    count = int(session.exec(select(func.count()).select_from(SalesOrder).where(real)).one())
    units = session.execute(
        select(
            type_coerce(
                func.coalesce(
                    func.sum(col(SalesOrderLine.quantity) - col(SalesOrderLine.quantity_cancelled)),
                    0,
                ),
                Quantity,
            ),
            type_coerce(func.coalesce(func.sum(col(SalesOrderLine.quantity_shipped)), 0), Quantity),
        )
        .select_from(SalesOrderLine)
        .join(SalesOrder, col(SalesOrder.id) == col(SalesOrderLine.order_id))
        # fill counts orders that should have shipped by now: shipped ones and past promises
        .where(
            real,
            or_(
                col(SalesOrder.shipped_at).is_not(None),
                col(SalesOrder.last_promised_date) < today,
            ),
        )
    ).one()
    shipped = [
        (shipped_at.astimezone(UTC).date(), promised)
        for shipped_at, promised in session.exec(
            select(col(SalesOrder.shipped_at), col(SalesOrder.first_promised_date)).where(
                real,
                col(SalesOrder.shipped_at).is_not(None),
                col(SalesOrder.first_promised_date).is_not(None),
            )
        )
        if shipped_at is not None and promised is not None
    ]
    return fulfilment(count, Decimal(units[0] or 0), Decimal(units[1] or 0), shipped)


def _history(
    session: Session, customer_id: int, address_ids: list[int], contact_ids: list[int]
) -> list[AuditView]:
    owned = [and_(col(AuditEvent.entity) == "customers", col(AuditEvent.entity_id) == customer_id)]
    if address_ids:
        owned.append(
            and_(col(AuditEvent.entity) == "addresses", col(AuditEvent.entity_id).in_(address_ids))
        )
    if contact_ids:
        owned.append(
            and_(col(AuditEvent.entity) == "contacts", col(AuditEvent.entity_id).in_(contact_ids))
        )
    events = session.exec(
        select(AuditEvent).where(or_(*owned)).order_by(col(AuditEvent.id).desc()).limit(LOG_LIMIT)
    )
    return [
        AuditView(
            e.at,
            e.actor,
            e.approved_by,
            e.action if e.entity == "customers" else f"{e.entity[:-1]} {e.entity_id}: {e.action}",
            json.loads(e.changes),
            e.reason,
        )
        for e in events
    ]


def notes_of(session: Session, *, customer_id: int | None, order_id: int | None) -> list[NoteRow]:
    """The communication log of a customer (its orders' notes too) or of one order."""
    where = (
        col(Note.order_id) == order_id if order_id is not None else Note.customer_id == customer_id
    )
    rows = session.exec(
        select(Note, SalesOrder.number)
        .outerjoin(SalesOrder, col(SalesOrder.id) == col(Note.order_id))
        .where(where)
        .order_by(col(Note.created_at).desc(), col(Note.id).desc())
        .limit(LOG_LIMIT)
    )
    return [
        NoteRow(
            id=n.id or 0,
            created_at=n.created_at,
            author=n.author,
            channel=n.channel,
            body=n.body,
            order_number=number or "",
            callback_at=n.callback_at,
            callback_done=n.callback_done,
        )
        for n, number in rows
    ]


def load_customer(store: Store, customer_id: int, *, today: date | None = None) -> CustomerView:
    today = today or datetime.now(UTC).date()
    with store.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise LookupError(f"customer {customer_id} not found")
        view = CustomerView(customer=customer)
        view.addresses = list(
            session.exec(
                select(Address)
                .where(Address.customer_id == customer_id)
                .order_by(col(Address.kind), col(Address.is_default).desc(), col(Address.code))
            )
        )
        view.contacts = list(
            session.exec(
                select(Contact)
                .where(Contact.customer_id == customer_id)
                .order_by(col(Contact.is_primary).desc(), col(Contact.name))
            )
        )
        view.credit = check_credit_in(session, customer_id, Decimal(0), today=today)
        view.agreements = [
            AgreementRow(
                item.part_number,
                item.description,
                pa.contract_ref,
                pa.price,
                pa.min_quantity,
                pa.valid_from,
                pa.valid_to,
            )
            for pa, item in session.exec(
                select(PriceAgreement, Item)
                .join(Item, col(Item.id) == col(PriceAgreement.item_id))
                .where(
                    PriceAgreement.customer_id == customer_id,
                    col(PriceAgreement.valid_from) <= today,
                    or_(
                        col(PriceAgreement.valid_to).is_(None),
                        col(PriceAgreement.valid_to) >= today,
                    ),
                )
                .order_by(col(Item.part_number), col(PriceAgreement.min_quantity))
                .limit(AGREEMENT_LIMIT)
            )
        ]
        is_open = and_(
            col(SalesOrder.customer_id) == customer_id,
            col(SalesOrder.state).in_(OPEN_ORDER_STATES),
        )
        view.open_order_count = int(
            session.exec(select(func.count()).select_from(SalesOrder).where(is_open)).one()
        )
        view.open_orders = _order_rows(
            session,
            list(
                session.exec(
                    select(SalesOrder)
                    .where(is_open)
                    .order_by(col(SalesOrder.last_promised_date), col(SalesOrder.id))
                    .limit(OPEN_ORDER_LIMIT)
                )
            ),
        )
        view.order_count = int(
            session.exec(
                select(func.count())
                .select_from(SalesOrder)
                .where(SalesOrder.customer_id == customer_id)
            ).one()
        )
        view.performance = _performance(session, customer_id, today)
        view.rmas = list(
            session.exec(
                select(RMA)
                .where(RMA.customer_id == customer_id, col(RMA.state).not_in(CLOSED_RMA_STATES))
                .order_by(col(RMA.id).desc())
            )
        )
        view.notes = notes_of(session, customer_id=customer_id, order_id=None)
        view.history = _history(
            session,
            customer_id,
            [a.id for a in view.addresses if a.id is not None],
            [c.id for c in view.contacts if c.id is not None],
        )
        return view
