"""Credit check: what the customer owes and has on order, against its limit (pure rules).

Exposure (ORDER_DESK_DEFINITIONS.md §3, the ERPNext/Odoo reading, amounts including tax):

    open receivables  = Σ (total - paid) of open invoices - unapplied open credit memos
    open orders       = Σ uninvoiced value of orders entered, on hold, acknowledged, released or
                        partially shipped (order total - what has been invoiced against it)
    this order        = the total of the order being checked
    exposure          = open receivables + open orders + this order

The order goes on a credit hold when any of these is true, and the result says which:

* the customer's credit status is "hold" (set by credit control; every new order is held);
* exposure is over the limit (equal is fine); a limit of zero means no open account, so any
  positive exposure is over it;
* the oldest past-due invoice is more days past its due date (payment terms) than the
  customer's grace days.

The service loads the aggregates (`CreditInputs`) with SQL sums; nothing here does I/O.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from orderdesk_tui.domain.money import ZERO, format_money, round_money
from orderdesk_tui.errors import FieldError

#: Order states whose uninvoiced value counts as open orders.
OPEN_ORDER_STATES = ("entered", "on_hold", "acknowledged", "released", "partially_shipped")

#: Hold reasons are stored in a 400-character column.
REASON_MAX = 400


class CreditTrigger(StrEnum):
    CUSTOMER_ON_HOLD = "customer_on_hold"
    OVER_LIMIT = "over_limit"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class OverdueInvoice:
    """The oldest open invoice past its due date."""

    number: str
    due_date: date
    balance: Decimal


@dataclass(frozen=True)
class CreditInputs:
    """Everything the check needs about one customer, as loaded by the service.

    `open_invoices` is the balance of open invoices (may be negative for an overpayment);
    `open_credit_memos` is the unapplied credit of open credit memos, as a positive amount.
    """

    customer_code: str
    currency: str
    credit_limit: Decimal
    credit_status: str = "ok"
    payment_terms_days: int = 30
    overdue_grace_days: int = 0
    open_invoices: Decimal = ZERO
    open_credit_memos: Decimal = ZERO
    open_orders: Decimal = ZERO
    open_order_count: int = 0
    past_due_amount: Decimal = ZERO
    past_due_count: int = 0
    oldest_past_due: OverdueInvoice | None = None


@dataclass(frozen=True)
class CreditHold:
    """The hold a credit result implies: kind "credit", why, and the rules that fired."""

    reason: str
    triggers: tuple[CreditTrigger, ...]
    kind: str = "credit"


@dataclass(frozen=True)
class CreditResult:
    """The breakdown a screen shows ("why is this order on credit hold?") and the verdict."""

    customer_code: str
    currency: str
    credit_limit: Decimal
    credit_status: str
    open_invoices: Decimal
    open_credit_memos: Decimal
    open_receivables: Decimal
    open_orders: Decimal
    open_order_count: int
    this_order: Decimal
    exposure: Decimal
    #: limit - exposure; negative when over the limit.
    headroom: Decimal
    #: exposure as a percentage of the limit (None when the limit is zero).
    utilisation_percent: Decimal | None
    past_due_amount: Decimal
    past_due_count: int
    oldest_past_due: OverdueInvoice | None
    #: days the oldest past-due invoice is past its due date (0 when none is).
    days_past_due: int
    payment_terms_days: int
    grace_days: int
    hold: CreditHold | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def holds(self) -> bool:
        return self.hold is not None

    @property
    def over_limit(self) -> bool:
        return self.headroom < ZERO

    def breakdown(self) -> list[tuple[str, Decimal]]:
        """Label/amount rows in the order a screen lists them."""
        rows = [("Open invoices", self.open_invoices)]
        if self.open_credit_memos:
            rows.append(("Unapplied credit memos", -self.open_credit_memos))
        rows += [
            ("Open receivables", self.open_receivables),
            (f"Open orders not invoiced ({self.open_order_count})", self.open_orders),
            ("This order", self.this_order),
            ("Exposure", self.exposure),
            ("Credit limit", self.credit_limit),
            ("Headroom", self.headroom),
        ]
        return rows


def clip_reason(text: str, limit: int = REASON_MAX) -> str:
    """Shorten a reason to what the hold row stores, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def evaluate_credit(inputs: CreditInputs, order_total: Decimal, today: date) -> CreditResult:
    """Apply the credit rules to `inputs` for an order of `order_total` as of `today`."""
    checked: object = order_total  # an untyped caller may hand over a float or text
    if isinstance(checked, float) or not isinstance(checked, Decimal | int):
        raise FieldError("order total", "must be a Decimal amount")
    order_total = Decimal(order_total)
    if not order_total.is_finite():
        raise FieldError("order total", "must be a finite amount")
    if order_total < ZERO:
        raise FieldError("order total", "cannot be negative (returns go through an RMA)")
    if inputs.credit_limit < ZERO:
        raise FieldError("credit limit", "cannot be negative")
    cur = inputs.currency
    open_invoices = round_money(inputs.open_invoices, cur)
    memos = round_money(abs(inputs.open_credit_memos), cur)
    receivables = open_invoices - memos
    open_orders = round_money(max(inputs.open_orders, ZERO), cur)
    this_order = round_money(order_total, cur)
    exposure = receivables + open_orders + this_order
    limit = round_money(inputs.credit_limit, cur)
    headroom = limit - exposure
    utilisation = (exposure * 100 / limit).quantize(Decimal("0.1")) if limit > ZERO else None

    oldest = inputs.oldest_past_due
    days_past_due = max((today - oldest.due_date).days, 0) if oldest is not None else 0
    grace = max(inputs.overdue_grace_days, 0)

    def money(amount: Decimal) -> str:
        return format_money(amount, cur, code=True)

    triggers: list[CreditTrigger] = []
    reasons: list[str] = []
    if inputs.credit_status.strip().lower() == "hold":
        triggers.append(CreditTrigger.CUSTOMER_ON_HOLD)
        reasons.append(f"customer {inputs.customer_code} is on credit hold")
    if exposure > limit:
        triggers.append(CreditTrigger.OVER_LIMIT)
        if limit == ZERO:
            reasons.append(
                f"no credit limit: exposure {money(exposure)} needs open account "
                "approval or prepayment"
            )
        else:
            reasons.append(
                f"exposure {money(exposure)} is over the {money(limit)} limit "
                f"by {money(-headroom)} (receivables {money(receivables)}, "
                f"open orders {money(open_orders)}, this order "
                f"{money(this_order)})"
            )
    if oldest is not None and days_past_due > grace:
        triggers.append(CreditTrigger.OVERDUE)
        reasons.append(
            f"invoice {oldest.number} is {days_past_due} days past due (grace {grace} days); "
            f"{inputs.past_due_count} past due for {money(inputs.past_due_amount)}"
        )

    notes: list[str] = []
    if oldest is not None and 0 < days_past_due <= grace:
        notes.append(
            f"invoice {oldest.number} is {days_past_due} days past due, within the "
            f"{grace}-day grace"
        )
    if not triggers and limit > ZERO and headroom < limit / 10:
        notes.append(f"less than 10% of the credit limit left ({money(headroom)})")

    hold = CreditHold(clip_reason("; ".join(reasons)), tuple(triggers)) if triggers else None
    return CreditResult(
        customer_code=inputs.customer_code,
        currency=cur,
        credit_limit=limit,
        credit_status=inputs.credit_status,
        open_invoices=open_invoices,
        open_credit_memos=memos,
        open_receivables=receivables,
        open_orders=open_orders,
        open_order_count=inputs.open_order_count,
        this_order=this_order,
        exposure=exposure,
        headroom=headroom,
        utilisation_percent=utilisation,
        past_due_amount=round_money(inputs.past_due_amount, cur),
        past_due_count=inputs.past_due_count,
        oldest_past_due=oldest,
        days_past_due=days_past_due,
        payment_terms_days=inputs.payment_terms_days,
        grace_days=grace,
        hold=hold,
        notes=tuple(notes),
    )
