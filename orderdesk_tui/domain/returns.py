"""Returns (RMA) and warranty claims: the state machine and the policy rules, no I/O.

requested → authorised → received → inspected → dispositioned (every received line has a
disposition) → credited or replaced → closed. Rejected, with a reason, from any open step.

Every refusal is a `Refusal` naming the rule, so the desk can say exactly why; services turn
it into a RuleViolation. What a supervisor can approve (a late return, an out-of-warranty
claim, a large authorisation, any credit) is a `needs_supervisor` answer, not a refusal.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from orderdesk_tui.domain.money import ZERO, round_money


class RmaState(StrEnum):
    REQUESTED = "requested"
    AUTHORISED = "authorised"
    RECEIVED = "received"
    INSPECTED = "inspected"
    DISPOSITIONED = "dispositioned"
    CREDITED = "credited"
    REPLACED = "replaced"
    CLOSED = "closed"
    REJECTED = "rejected"


class Reason(StrEnum):
    WRONG_ITEM = "wrong_item"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"
    ORDERED_IN_ERROR = "ordered_in_error"
    WARRANTY = "warranty"
    EXCESS = "excess"


REASON_LABELS: dict[str, str] = {
    Reason.WRONG_ITEM: "wrong item shipped",
    Reason.DAMAGED: "damaged in transit",
    Reason.DEFECTIVE: "defective",
    Reason.ORDERED_IN_ERROR: "ordered in error",
    Reason.WARRANTY: "warranty claim",
    Reason.EXCESS: "excess stock",
}


class Disposition(StrEnum):
    RESTOCK = "restock"
    SCRAP = "scrap"
    REPAIR = "repair"
    RETURN_TO_VENDOR = "return_to_vendor"
    REPLACE = "replace"


#: Dispositions the customer is credited for (repaired goods go back to them; replaced goods
#: are settled by a no-charge order).
CREDITED_DISPOSITIONS = frozenset(
    {Disposition.RESTOCK, Disposition.SCRAP, Disposition.RETURN_TO_VENDOR}
)

#: States in which the RMA still waits on a step of ours (the queue lists these).
OPEN_STATES = frozenset(
    {
        RmaState.REQUESTED,
        RmaState.AUTHORISED,
        RmaState.RECEIVED,
        RmaState.INSPECTED,
        RmaState.DISPOSITIONED,
        RmaState.CREDITED,
        RmaState.REPLACED,
    }
)

TRANSITIONS: dict[RmaState, frozenset[RmaState]] = {
    RmaState.REQUESTED: frozenset({RmaState.AUTHORISED, RmaState.REJECTED}),
    RmaState.AUTHORISED: frozenset({RmaState.RECEIVED, RmaState.REJECTED}),
    RmaState.RECEIVED: frozenset({RmaState.INSPECTED, RmaState.REJECTED}),
    RmaState.INSPECTED: frozenset({RmaState.DISPOSITIONED, RmaState.REJECTED}),
    RmaState.DISPOSITIONED: frozenset(
        {RmaState.CREDITED, RmaState.REPLACED, RmaState.CLOSED, RmaState.REJECTED}
    ),
    RmaState.CREDITED: frozenset({RmaState.CLOSED}),
    RmaState.REPLACED: frozenset({RmaState.CLOSED}),
    RmaState.CLOSED: frozenset(),
    RmaState.REJECTED: frozenset(),
}

#: The step (and its verb) that leads into each state, for messages.
_STEP = {
    RmaState.AUTHORISED: "authorise",
    RmaState.RECEIVED: "receive",
    RmaState.INSPECTED: "inspect",
    RmaState.DISPOSITIONED: "disposition",
    RmaState.CREDITED: "credit",
    RmaState.REPLACED: "replace",
    RmaState.CLOSED: "close",
    RmaState.REJECTED: "reject",
}


class Refusal(Exception):
    """A return rule refused the step; the message names the rule."""


def transition_refusal(current: str, target: str) -> str | None:
    """Why an RMA in `current` cannot move to `target`, or None if it can."""
    now, then = RmaState(current), RmaState(target)
    if then in TRANSITIONS[now]:
        return None
    if now in (RmaState.CLOSED, RmaState.REJECTED):
        return f"rule rma.state: the RMA is {now}; nothing more can be done with it"
    allowed = ", ".join(_STEP[s] for s in sorted(TRANSITIONS[now], key=list(RmaState).index))
    return f"rule rma.state: cannot {_STEP[then]} an RMA that is {now} (next: {allowed})"


def check_transition(current: str, target: str) -> None:
    if (why := transition_refusal(current, target)) is not None:
        raise Refusal(why)


def parse_reason(code: str) -> Reason:
    try:
        return Reason(code.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in Reason)
        raise Refusal(f"rule rma.reason: '{code}' is not a reason code ({known})") from None


def parse_disposition(code: str) -> Disposition:
    try:
        return Disposition(code.strip().lower())
    except ValueError:
        known = ", ".join(d.value for d in Disposition)
        raise Refusal(f"rule rma.disposition: '{code}' is not a disposition ({known})") from None


# -- quantities --------------------------------------------------------------------------------


def returnable(shipped: Decimal, already_returned: Decimal) -> Decimal:
    """What can still be returned of a line: shipped less what other RMAs hold."""
    return max(shipped - already_returned, ZERO)


def check_quantity(part: str, quantity: Decimal, shipped: Decimal, returned: Decimal) -> None:
    if not quantity.is_finite():
        raise Refusal(f"rule rma.quantity: {part}: the quantity to return must be a number")
    if quantity <= 0:
        raise Refusal(f"rule rma.quantity: {part}: the quantity to return must be more than 0")
    left = returnable(shipped, returned)
    if quantity > left:
        raise Refusal(
            f"rule rma.returnable: {part}: {_n(quantity)} is more than can be returned "
            f"({_n(shipped)} shipped, {_n(returned)} already returned, {_n(left)} left)"
        )


def check_received(part: str, received: Decimal, requested: Decimal) -> None:
    if not received.is_finite():
        raise Refusal(f"rule rma.received: {part}: a received quantity must be a number")
    if received < 0:
        raise Refusal(f"rule rma.received: {part}: a received quantity cannot be negative")
    if received > requested:
        raise Refusal(
            f"rule rma.received: {part}: received {_n(received)} is more than the "
            f"{_n(requested)} authorised; put the extra on a new RMA"
        )


def _n(value: Decimal) -> str:
    return f"{value.normalize():f}"


# -- policy ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnPolicy:
    """The return settings as plain values (services build it from `[returns]`)."""

    #: Days after shipment a return for each reason is accepted; warranty uses the item's
    #: warranty period instead.
    window_days: Mapping[str, int] = field(default_factory=dict)
    #: Restocking fee in percent of the returned value, per reason.
    restocking_fee_percent: Mapping[str, Decimal] = field(default_factory=dict)
    #: Share of that fee each customer tier pays, in percent (platinum 0 = waived).
    tier_fee_share_percent: Mapping[str, Decimal] = field(default_factory=dict)
    #: Reasons that are our fault: the customer's original freight is credited back.
    freight_credit_reasons: frozenset[str] = frozenset()
    #: An authorisation above this value needs a supervisor.
    authorise_supervisor_above: Decimal = Decimal("1000")
    #: Any credit memo needs a supervisor.
    credit_needs_supervisor: bool = True


@dataclass(frozen=True)
class WindowCheck:
    """Whether a return is inside its window (or warranty) and what follows if not."""

    inside: bool
    deadline: date | None
    #: The rule as a sentence, for the override dialog and the audit reason.
    rule: str
    vendor_recovery: bool = False


def window_check(
    policy: ReturnPolicy,
    reason: str,
    *,
    shipped_on: date | None,
    today: date,
    warranty_months: int = 0,
    vendor_warranted: bool = False,
    vendor_name: str = "",
) -> WindowCheck:
    """Is a return for `reason` of goods shipped on `shipped_on` in time on `today`?

    Warranty claims run from the ship date (of the serial/lot when known) for the item's
    warranty months; other reasons for the window of days the policy sets. Never shipped:
    nothing to return. Outside: a supervisor may still accept it (the caller asks).
    """
    code = parse_reason(reason)
    if shipped_on is None:
        raise Refusal("rule rma.shipped: nothing of this line has shipped, so nothing to return")
    vendor = vendor_warranted and code in (Reason.WARRANTY, Reason.DEFECTIVE)
    if code == Reason.WARRANTY:
        if warranty_months <= 0:
            return WindowCheck(
                False, None, "rule rma.warranty: the item carries no warranty", vendor
            )
        deadline = add_months(shipped_on, warranty_months)
        who = f" (vendor warranty, {vendor_name})" if vendor and vendor_name else ""
        rule = (
            f"rule rma.warranty: {warranty_months}-month warranty from shipment "
            f"{shipped_on.isoformat()} ends {deadline.isoformat()}{who}"
        )
        return WindowCheck(today <= deadline, deadline, rule, vendor)
    days = policy.window_days.get(code.value)
    if days is None:
        raise Refusal(f"rule rma.window: no return window is set for {code.value}")
    deadline = date.fromordinal(shipped_on.toordinal() + days)
    rule = (
        f"rule rma.window: {REASON_LABELS[code]} returns are accepted for {days} days after "
        f"shipment ({shipped_on.isoformat()}, so until {deadline.isoformat()})"
    )
    return WindowCheck(today <= deadline, deadline, rule, vendor)


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, on the last day of the month when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def restocking_fee(
    policy: ReturnPolicy, reason: str, tier: str, value: Decimal, currency: str
) -> Decimal:
    """The fee on `value` returned for `reason` by a customer of `tier`, in `currency`'s minor
    unit."""
    pct = policy.restocking_fee_percent.get(parse_reason(reason).value, ZERO)
    share = policy.tier_fee_share_percent.get(tier, Decimal("100"))
    return round_money(value * pct / 100 * share / 100, currency)


def freight_credit(
    policy: ReturnPolicy,
    reason: str,
    invoice_freight: Decimal,
    value: Decimal,
    invoiced: Decimal,
    currency: str,
) -> Decimal:
    """Freight credited back: the invoice's freight in proportion to the value returned,
    for reasons that are our fault; nothing otherwise."""
    if parse_reason(reason).value not in policy.freight_credit_reasons or invoiced <= 0:
        return ZERO
    share = min(value / invoiced, Decimal(1))
    return round_money(invoice_freight * share, currency)


def authorise_needs_supervisor(policy: ReturnPolicy, value: Decimal) -> bool:
    return value > policy.authorise_supervisor_above


# -- inspection, disposition, settlement -------------------------------------------------------


@dataclass(frozen=True)
class LineFacts:
    """One RMA line as the settlement rules see it."""

    part: str
    received: Decimal
    disposition: str = ""
    findings: str = ""


def check_inspectable(lines: Iterable[LineFacts]) -> None:
    lines = list(lines)
    if not any(line.received > 0 for line in lines):
        raise Refusal("rule rma.inspect: nothing was received; reject the RMA instead")


def check_disposition(line: LineFacts, disposition: str, warehouse_id: int | None) -> Disposition:
    """A disposition for one line: it must have been inspected and received."""
    code = parse_disposition(disposition)
    if not line.findings.strip():
        raise Refusal(
            f"rule rma.disposition_after_inspection: {line.part}: record the inspection "
            "findings before deciding what happens to the goods"
        )
    if line.received <= 0:
        raise Refusal(f"rule rma.disposition: {line.part}: nothing of this line was received")
    if code == Disposition.RESTOCK and warehouse_id is None:
        raise Refusal(f"rule rma.restock_warehouse: {line.part}: restock needs a warehouse")
    return code


def all_dispositioned(lines: Iterable[LineFacts]) -> bool:
    received = [line for line in lines if line.received > 0]
    return bool(received) and all(line.disposition for line in received)


def settlement(lines: Iterable[LineFacts]) -> str:
    """How a dispositioned RMA is settled: `credit`, `replace` or `none` (all repaired).

    One RMA is settled one way: replacement lines and credited lines on one RMA are refused
    (split it into two RMAs)."""
    codes = {line.disposition for line in lines if line.received > 0}
    if Disposition.REPLACE in codes and codes & CREDITED_DISPOSITIONS:
        raise Refusal(
            "rule rma.settle_one_way: this RMA has lines to replace and lines to credit; "
            "one RMA is settled by a credit or by a replacement, not both"
        )
    if Disposition.REPLACE in codes:
        return "replace"
    if codes & CREDITED_DISPOSITIONS:
        return "credit"
    return "none"
