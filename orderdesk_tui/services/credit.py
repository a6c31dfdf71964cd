"""Credit check use case: load a customer's receivables and open orders as SQL aggregates,
apply `domain.credit`, and turn a failing result into a credit hold.

Nothing here reads invoice or order rows one by one: three aggregate queries (receivables and
past due, the oldest past-due invoice, uninvoiced open orders) answer in milliseconds on a
store with a million orders, using the customer_id indexes of both tables.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, type_coerce
from sqlmodel import Session, col, select

from orderdesk_tui.domain.credit import (
    OPEN_ORDER_STATES,
    CreditInputs,
    CreditResult,
    OverdueInvoice,
    evaluate_credit,
)
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import Customer, Hold, Invoice, SalesOrder
from orderdesk_tui.models.base import HoldKind
from orderdesk_tui.models.types import Money
from orderdesk_tui.services.holds import place_hold
from orderdesk_tui.store import Store

CREDIT_MEMO = "credit_memo"


def _money(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def load_credit_inputs(
    session: Session,
    customer_id: int,
    *,
    today: date,
    exclude_order_id: int | None = None,
) -> CreditInputs:
    """The customer's credit figures as of `today`, from aggregate queries.

    `exclude_order_id` leaves that order out of the open orders (it is "this order")."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise FieldError("customer", f"no customer with id {customer_id}")

    balance = col(Invoice.total) - col(Invoice.amount_paid)
    is_memo = col(Invoice.kind) == CREDIT_MEMO
    past_due = and_(~is_memo, col(Invoice.due_date) < today, balance > 0)
    inv = session.execute(
        select(
            type_coerce(func.coalesce(func.sum(case((is_memo, 0), else_=balance)), 0), Money),
            type_coerce(
                func.coalesce(func.sum(case((is_memo, func.abs(balance)), else_=0)), 0), Money
            ),
            type_coerce(func.coalesce(func.sum(case((past_due, balance), else_=0)), 0), Money),
            func.coalesce(func.sum(case((past_due, 1), else_=0)), 0),
        ).where(col(Invoice.customer_id) == customer_id, col(Invoice.state) == "open")
    ).one()
    open_invoices, memos, past_due_amount, past_due_count = inv

    oldest_row = session.execute(
        select(col(Invoice.number), col(Invoice.due_date), type_coerce(balance, Money))
        .where(
            col(Invoice.customer_id) == customer_id,
            col(Invoice.state) == "open",
            past_due,
        )
        .order_by(col(Invoice.due_date), col(Invoice.id))
        .limit(1)
    ).first()
    oldest = (
        OverdueInvoice(oldest_row[0], oldest_row[1], _money(oldest_row[2]))
        if oldest_row is not None
        else None
    )

    # Uninvoiced value of each open order: its total less the (non-void) invoices raised on it.
    invoiced = (
        select(
            col(Invoice.order_id).label("order_id"),
            type_coerce(func.sum(col(Invoice.total)), Money).label("amount"),
        )
        .where(
            col(Invoice.customer_id) == customer_id,
            col(Invoice.kind) != CREDIT_MEMO,
            col(Invoice.state) != "void",
            col(Invoice.order_id).is_not(None),
        )
        .group_by(col(Invoice.order_id))
        .subquery()
    )
    uninvoiced = col(SalesOrder.total) - func.coalesce(invoiced.c.amount, 0)
    conditions = [
        col(SalesOrder.customer_id) == customer_id,
        col(SalesOrder.state).in_(OPEN_ORDER_STATES),
    ]
    if exclude_order_id is not None:
        conditions.append(col(SalesOrder.id) != exclude_order_id)
    orders = session.execute(
        select(
            type_coerce(
                func.coalesce(func.sum(case((uninvoiced > 0, uninvoiced), else_=0)), 0), Money
            ),
            func.count(),
        )
        .select_from(SalesOrder)
        .outerjoin(invoiced, invoiced.c.order_id == col(SalesOrder.id))
        .where(*conditions)
    ).one()

    return CreditInputs(
        customer_code=customer.code,
        currency=customer.currency,
        credit_limit=customer.credit_limit,
        credit_status=customer.credit_status,
        payment_terms_days=customer.payment_terms_days,
        overdue_grace_days=customer.overdue_grace_days,
        open_invoices=_money(open_invoices),
        open_credit_memos=_money(memos),
        open_orders=_money(orders[0]),
        open_order_count=int(orders[1]),
        past_due_amount=_money(past_due_amount),
        past_due_count=int(past_due_count),
        oldest_past_due=oldest,
    )


def lock_customer(session: Session, customer_id: int) -> Customer | None:
    """The customer's row, locked until the transaction ends: submits of one customer's orders
    then check its credit (and its POs) one after another, each seeing the orders the others
    entered, on every terminal. SQLite's BEGIN IMMEDIATE already serializes the writers; on
    PostgreSQL this is FOR NO KEY UPDATE, which still lets other transactions insert orders
    that reference the customer (their foreign key check takes only a KEY SHARE lock)."""
    return session.get(
        Customer, customer_id, with_for_update={"key_share": True}, populate_existing=True
    )


def check_credit_in(
    session: Session,
    customer_id: int,
    order_total: Decimal,
    exclude_order_id: int | None = None,
    *,
    today: date | None = None,
) -> CreditResult:
    """`check_credit` inside the caller's transaction (order submit checks and holds in one)."""
    today = today or date.today()
    inputs = load_credit_inputs(
        session, customer_id, today=today, exclude_order_id=exclude_order_id
    )
    return evaluate_credit(inputs, order_total, today)


def check_credit(
    store: Store,
    customer_id: int,
    order_total: Decimal,
    exclude_order_id: int | None = None,
    *,
    today: date | None = None,
) -> CreditResult:
    """The credit verdict and breakdown for an order of `order_total` for this customer.

    Pass the order's id as `exclude_order_id` when it is already stored in an open state, so
    that it is counted once (as this order) and not also among the open orders."""
    with store.session() as session:
        return check_credit_in(session, customer_id, order_total, exclude_order_id, today=today)


def apply_credit_hold(
    session: Session, order: SalesOrder, result: CreditResult, actor: str
) -> Hold | None:
    """Put `order` on a credit hold with the result's reason, if the result implies one.

    Returns the new hold, or None when the credit is fine or a credit hold is already open.
    Releasing it takes a supervisor and a reason (services.order_actions.release_hold)."""
    if result.hold is None:
        return None
    return place_hold(session, order, HoldKind.CREDIT, result.hold.reason, actor=actor)
