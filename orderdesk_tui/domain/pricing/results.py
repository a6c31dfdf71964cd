"""What pricing answers: each line's price with every rule considered and why it won or lost
(`LineResult.explain`), the MOQ/multiple verdict, freight, tax and the order's totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from orderdesk_tui.domain.pricing.units import plain_number, round_price


class Step(StrEnum):
    """The kinds of rule a line's price is explained by."""

    CONTRACT = "contract"
    PRICE_LIST = "price_list"
    BREAK = "break"
    PROMOTION = "promotion"
    LIST = "list"
    OVERRIDE = "override"
    DISCOUNT = "discount"


class RuleConsidered(NamedTuple):
    """One rule looked at for a line's price (a named tuple: hundreds are made per order)."""

    step: Step
    label: str
    price: Decimal | None
    won: bool
    reason: str

    def __str__(self) -> str:
        mark = "✓" if self.won else "✗"
        price = "" if self.price is None else f" {self.price}"
        return f"{mark} {self.label}{price}: {self.reason}"


@dataclass(frozen=True, slots=True)
class QuantityCheck:
    """MOQ / order multiple verdict, with the valid quantities nearest to the one asked."""

    problems: tuple[str, ...] = ()
    #: Next valid quantity at or above the one asked.
    propose_up: Decimal | None = None
    #: The valid quantity below, when one meets the MOQ.
    propose_down: Decimal | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        if self.ok:
            return ""
        text = "; ".join(self.problems)
        if self.propose_up is not None:
            text += f"; order {plain_number(self.propose_up)}"
            if self.propose_down is not None:
                text += f" or {plain_number(self.propose_down)}"
        return text


#: The verdict for a quantity that meets its MOQ and multiple.
QUANTITY_OK = QuantityCheck()


@dataclass(frozen=True, slots=True)
class LineResult:
    line_no: int | None
    item_id: int
    part_number: str
    quantity: Decimal
    uom: str
    currency: str
    list_price: Decimal
    #: The price the precedence found (what an override replaced).
    base_price: Decimal
    #: `SalesOrderLine.unit_price`: base price, or the override.
    unit_price: Decimal
    #: Unit price after the line discount % and amount.
    net_price: Decimal
    discount_percent: Decimal
    discount_amount: Decimal
    #: `SalesOrderLine.price_source`: "contract C-1042", "price list DIST -12%", "override"...
    price_source: str
    #: The step the price came from (Step.OVERRIDE when overridden).
    step: Step
    override_reason: str
    extended: Decimal
    rules: tuple[RuleConsidered, ...]
    cost: Decimal
    #: cost * (1 + margin floor %), unrounded; `below_floor` when the net price is under it.
    floor_price: Decimal
    margin_floor_percent: Decimal
    below_floor: bool
    quantity_check: QuantityCheck
    weight_kg: Decimal

    @property
    def overridden(self) -> bool:
        return self.step is Step.OVERRIDE

    @property
    def margin_message(self) -> str:
        if not self.below_floor:
            return ""
        return (
            f"net {self.net_price} is under the margin floor "
            f"{round_price(self.floor_price)} (cost {self.cost} + "
            f"{plain_number(self.margin_floor_percent)}%)"
        )

    def explain(self) -> str:
        """The answer to "why this price?", one rule a line, the winner first."""
        head = (
            f"{self.part_number} x {plain_number(self.quantity)} {self.uom}: "
            f"{self.unit_price} from {self.price_source}"
        )
        if self.net_price != self.unit_price:
            head += f", net {self.net_price} after line discount"
        ordered = sorted(self.rules, key=lambda r: not r.won)
        lines = [head, *(f"  {rule}" for rule in ordered)]
        if self.below_floor:
            lines.append(f"  ! {self.margin_message}: price hold")
        if not self.quantity_check.ok:
            lines.append(f"  ! quantity: {self.quantity_check.message}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class FreightQuote:
    terms: str
    weight_kg: Decimal
    #: What the carrier will likely cost (rate per kg with a minimum).
    estimate: Decimal
    #: What goes on the customer's invoice.
    charge: Decimal
    explanation: str


@dataclass(frozen=True, slots=True)
class TaxLine:
    name: str
    rate_percent: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class TaxQuote:
    lines: tuple[TaxLine, ...]
    amount: Decimal
    explanation: str
    exempt: bool = False


@dataclass(frozen=True, slots=True)
class OrderPricing:
    currency: str
    lines: tuple[LineResult, ...]
    subtotal: Decimal
    freight: FreightQuote
    tax: TaxQuote
    total: Decimal
    incoterm: str
    incoterm_place: str

    @property
    def below_floor(self) -> tuple[LineResult, ...]:
        return tuple(line for line in self.lines if line.below_floor)

    @property
    def needs_price_hold(self) -> bool:
        return any(line.below_floor for line in self.lines)

    @property
    def quantity_problems(self) -> tuple[LineResult, ...]:
        return tuple(line for line in self.lines if not line.quantity_check.ok)
