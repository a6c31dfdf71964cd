"""Perfect order (SCOR RL.1.1) and order accuracy, from explicit error causes.

An **error cause** is found on an order through an RMA line's reason (`wrong_item`, `damaged`,
`defective`; a return the customer ordered in error, excess stock or a warranty claim is no
error of ours) or through a credit memo's reason code (any `ErrorCause` value; other credit
reasons, such as goodwill, are not errors).

- **Order accuracy** = orders with no error cause / orders.
- **Perfect order** = orders perfect on all four SCOR components / orders due, where
  *in full* = every requested line shipped complete and no wrong item or quantity;
  *on time* = every line shipped by the customer commit date (first promise, else requested);
  *documentation accurate* = no wrong price, ship-to, terms or paperwork;
  *perfect condition* = nothing damaged or defective.
  The SCOR count, not the product of the component rates (equal only if failures were
  independent). An order is counted once every requested line is due to ship (commit date on
  or before the as-of day) or has shipped.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum

from orderdesk_tui.domain.kpi.facts import ZERO, LineFact, by_order
from orderdesk_tui.domain.kpi.rates import Rate, rate
from orderdesk_tui.domain.returns import Reason


class ErrorCause(StrEnum):
    WRONG_ITEM = "wrong_item"
    WRONG_QUANTITY = "wrong_quantity"
    WRONG_PRICE = "wrong_price"
    WRONG_SHIP_TO = "wrong_ship_to"
    WRONG_TERMS = "wrong_terms"
    DOCUMENTATION = "documentation"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"


#: RMA reasons that are the desk's (or warehouse's) error; the others are not errors.
RMA_CAUSES: dict[str, ErrorCause] = {
    Reason.WRONG_ITEM: ErrorCause.WRONG_ITEM,
    Reason.DAMAGED: ErrorCause.DAMAGED,
    Reason.DEFECTIVE: ErrorCause.DEFECTIVE,
}
IN_FULL_CAUSES = frozenset({ErrorCause.WRONG_ITEM, ErrorCause.WRONG_QUANTITY})
DOCUMENT_CAUSES = frozenset(
    {
        ErrorCause.WRONG_PRICE,
        ErrorCause.WRONG_SHIP_TO,
        ErrorCause.WRONG_TERMS,
        ErrorCause.DOCUMENTATION,
    }
)
CONDITION_CAUSES = frozenset({ErrorCause.DAMAGED, ErrorCause.DEFECTIVE})
COMPONENTS = ("in_full", "on_time", "documentation", "condition")


def cause_of(*, rma_reason: str = "", credit_reason: str = "") -> ErrorCause | None:
    """The error an RMA line's reason or a credit memo's reason code stands for, if any."""
    if rma_reason:
        return RMA_CAUSES.get(rma_reason)
    return ErrorCause(credit_reason) if credit_reason in set(ErrorCause) else None


def order_accuracy(order_ids: Iterable[int], causes: Mapping[int, frozenset[ErrorCause]]) -> Rate:
    return rate((order_id, not causes.get(order_id)) for order_id in dict.fromkeys(order_ids))


def _due(line: LineFact, as_of: date) -> bool:
    return line.shipped_on is not None or (line.commit is not None and line.commit <= as_of)


def perfect_order(
    lines: Iterable[LineFact],
    causes: Mapping[int, frozenset[ErrorCause]],
    as_of: date,
) -> dict[str, Rate]:
    """The perfect order rate (key "perfect") and each component's rate over the same orders."""
    scores: dict[str, list[tuple[int, bool]]] = {name: [] for name in ("perfect", *COMPONENTS)}
    for order_id, group in by_order(line for line in lines if line.wanted > ZERO).items():
        if not all(_due(line, as_of) for line in group):
            continue
        found = causes.get(order_id, frozenset())
        parts = {
            "in_full": all(line.shipped >= line.wanted for line in group)
            and not found & IN_FULL_CAUSES,
            "on_time": all(
                line.commit is None
                or (line.shipped_on is not None and line.shipped_on <= line.commit)
                for line in group
            ),
            "documentation": not found & DOCUMENT_CAUSES,
            "condition": not found & CONDITION_CAUSES,
        }
        parts["perfect"] = all(parts.values())
        for name, ok in parts.items():
            scores[name].append((order_id, ok))
    return {name: rate(score) for name, score in scores.items()}
