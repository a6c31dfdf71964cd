"""Pricing: which unit price a line gets and why, line discounts and overrides, the margin floor,
MOQ and order multiples, freight terms and estimate, Incoterms, and tax by ship-to region.

Pure rules: plain frozen dataclasses in (loaded once by `services.pricing`), frozen dataclasses
and named tuples out. Pricing a line touches no store, so a 100-line order prices in a few ms.

Precedence of the base unit price (every rule looked at is kept, with why it won or lost):

1. **Contract** (`ContractPrice`): for this customer and item, valid on the order date, minimum
   quantity met. A contract ends the search: it is a negotiated net price, so neither the price
   list, a quantity break nor a promotion is applied to it (they are listed as "contract takes
   precedence"). If several contracts apply, the lowest price wins. A contract referenced
   explicitly on the line must apply, else the line is refused (`FieldError`).
2. **Customer price list** (`PriceListRule`): the entry for the item, else the entry for the
   item's category; a fixed price or a % off list.
3. **Quantity breaks** (`BreakRule`): breaks of the customer's own price list and general breaks
   (no price list), each a price or a % off list, from their minimum quantity up.
4. **Promotion** (`PromotionRule`, the order's promotion code): a % or an amount off **list**,
   for the customer group / item category / item it names (all it names must match).
5. **List price**, when none of 2-4 applies.

Steps 2-4 are not stacked: each is computed from list on its own and the **lowest** applicable
price wins; on a tie the earlier step wins. This is how a distributor keeps promotions from
eroding net pricing twice: a promotion helps a customer only when it beats the price they already
have ("promo SPRING10 11.3850: 10% off list; above price list DIST -30% bearings 8.8550"), and
a customer on a price list never pays more than the general volume break at that quantity.

On top of the base price: an **override** (the coordinator's price, reason mandatory) replaces
it; then the **line discount** % and then the amount off the unit (as `SalesOrderLine` stores
them). A net price under cost * (1 + margin floor %) marks the line `below_floor`, which puts a
supervisor-only price hold on the order (`services.pricing.apply_price_hold_if_needed`).

Money: unit prices are kept to 4 places (the store's UnitPrice scale); each line's extended
amount is rounded half-up to the currency's minor unit; the subtotal is the sum of the rounded
lines; freight and each tax component are rounded once, on the order; total = subtotal + freight
+ tax. So an order always adds up.

Tax scope: tax is charged only for ship-tos in a country where the seller collects tax
(`PricingContext.tax_registrations`, US and CA for this desk). A ship-to elsewhere is an export:
zero-rated here, import VAT/IVA and duty are settled at the border (with DDP the seller pays them
there as a landed cost; they are not invoiced as tax). If the seller is registered in an EU
country and ships to another EU country to a customer with a VAT id, the supply is intra-EU and
reverse-charged (no VAT). Customers with a tax exemption certificate pay none. US rates are the
state-level rates only (no county/city/district taxes).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from math import lcm
from typing import NamedTuple, NoReturn

from orderdesk_tui.domain.money import ZERO, currency_places, decimals_of, round_money, to_decimal
from orderdesk_tui.errors import FieldError, RuleViolation

#: Unit prices and costs carry 4 places (models.types.UnitPrice).
PRICE_PLACES = 4
PRICE_QUANTUM = Decimal(1).scaleb(-PRICE_PLACES)
#: Quantities carry at most 3 places (models.types.Quantity).
QTY_PLACES = 3
_QTY_SCALE = 10**QTY_PLACES
#: More than this on one line is a typing slip, not an order.
MAX_QUANTITY = Decimal(10**9)
#: Percentages carry 2 places (models.types.Percent).
PCT_PLACES = 2
HUNDRED = Decimal(100)


class Step(StrEnum):
    """The kinds of rule a line's price is explained by."""

    CONTRACT = "contract"
    PRICE_LIST = "price_list"
    BREAK = "break"
    PROMOTION = "promotion"
    LIST = "list"
    OVERRIDE = "override"
    DISCOUNT = "discount"


class FreightTerms(StrEnum):
    PREPAID = "prepaid"
    COLLECT = "collect"
    PREPAID_ADD = "prepaid_add"
    THIRD_PARTY = "third_party"


#: Incoterms 2020. Every rule names a place (Tryton's incoterm data flags all eleven
#: "location required"): EXW/FCA the handover point, C-terms the destination, D-terms the
#: delivery place, FAS/FOB the port of shipment.
INCOTERMS_2020: Mapping[str, str] = {
    "EXW": "Ex Works",
    "FCA": "Free Carrier",
    "CPT": "Carriage Paid To",
    "CIP": "Carriage and Insurance Paid To",
    "DAP": "Delivered at Place",
    "DPU": "Delivered at Place Unloaded",
    "DDP": "Delivered Duty Paid",
    "FAS": "Free Alongside Ship",
    "FOB": "Free On Board",
    "CFR": "Cost and Freight",
    "CIF": "Cost Insurance and Freight",
}
INCOTERMS_NEEDING_PLACE = frozenset(INCOTERMS_2020)
#: Codes of older editions people still type, with the 2020 rule that replaced them.
_OLD_INCOTERMS = {"DAT": "DPU", "DDU": "DAP", "DAF": "DAP", "DES": "DAP", "DEQ": "DPU"}

#: EU member states (ISO 3166-1 alpha-2; Greece is GR here, not EL).
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()  # noqa: SIM905
)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class ItemFacts:
    id: int
    part_number: str
    list_price: Decimal
    cost: Decimal = ZERO
    category: str = ""
    uom: str = "EA"
    fractional_uom: bool = False
    moq: Decimal = Decimal(1)
    order_multiple: Decimal = Decimal(1)
    weight_kg: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class CustomerTerms:
    id: int
    code: str
    currency: str = "USD"
    customer_group: str = ""
    tax_exempt_certificate: str = ""
    tax_id: str = ""
    tax_id_type: str = ""
    freight_terms: str = FreightTerms.PREPAID_ADD
    free_freight_threshold: Decimal | None = None
    incoterm: str = ""
    incoterm_place: str = ""


@dataclass(frozen=True, slots=True)
class ContractPrice:
    item_id: int
    ref: str
    price: Decimal
    valid_from: date
    valid_to: date | None = None
    min_quantity: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class PriceListRule:
    """One price list entry: for `item_id`, or for a whole `category` when item_id is None."""

    item_id: int | None = None
    category: str = ""
    fixed_price: Decimal | None = None
    percent_off: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PriceListInfo:
    id: int
    code: str
    by_item: Mapping[int, PriceListRule] = field(default_factory=dict)
    by_category: Mapping[str, PriceListRule] = field(default_factory=dict)

    @classmethod
    def of(cls, id: int, code: str, rules: Iterable[PriceListRule]) -> PriceListInfo:
        by_item: dict[int, PriceListRule] = {}
        by_category: dict[str, PriceListRule] = {}
        for rule in rules:
            if rule.item_id is not None:
                by_item[rule.item_id] = rule
            elif rule.category:
                by_category[rule.category] = rule
        return cls(id, code, by_item, by_category)


@dataclass(frozen=True, slots=True)
class BreakRule:
    item_id: int
    min_quantity: Decimal
    price: Decimal | None = None
    percent_off: Decimal | None = None
    #: The price list this break belongs to (its code in `price_list_code`); None = general.
    price_list_id: int | None = None
    price_list_code: str = ""
    #: "break 100+" / "break 20+ (DIST)", made once when the rule is loaded.
    label: str = field(init=False, default="", compare=False, repr=False)
    needs: str = field(init=False, default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        owner = f" ({self.price_list_code})" if self.price_list_id is not None else ""
        min_qty = _fmt_qty(self.min_quantity)
        object.__setattr__(self, "label", f"break {min_qty}+{owner}")
        object.__setattr__(self, "needs", f"needs qty {min_qty}")


@dataclass(frozen=True, slots=True)
class PromotionRule:
    code: str
    valid_from: date
    valid_to: date
    name: str = ""
    customer_group: str = ""
    item_category: str = ""
    item_id: int | None = None
    percent_off: Decimal | None = None
    amount_off: Decimal | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class FreightRates:
    rate_per_kg: Decimal = Decimal("1.85")
    minimum: Decimal = Decimal("12.50")


@dataclass(frozen=True, slots=True)
class ShipTo:
    country: str
    region: str = ""


@dataclass(frozen=True, slots=True)
class TaxRate:
    country: str
    region: str
    name: str
    rate_percent: Decimal
    freight_taxable: bool = True


@dataclass(frozen=True, slots=True)
class TaxTable:
    """Tax components by (country, region); region "*" covers the whole country."""

    rates: Mapping[tuple[str, str], tuple[TaxRate, ...]] = field(default_factory=dict)

    def lookup(self, country: str, region: str) -> tuple[TaxRate, ...] | None:
        found = self.rates.get((country, region))
        if found is None:
            found = self.rates.get((country, "*"))
        return found


@dataclass(frozen=True, slots=True)
class PricingContext:
    """Everything pricing needs for one customer on one date, loaded once."""

    customer: CustomerTerms
    order_date: date
    items: Mapping[int, ItemFacts]
    contracts: Mapping[int, tuple[ContractPrice, ...]] = field(default_factory=dict)
    price_list: PriceListInfo | None = None
    breaks: Mapping[int, tuple[BreakRule, ...]] = field(default_factory=dict)
    promotion: PromotionRule | None = None
    margin_floor_percent: Decimal = Decimal(8)
    freight_rates: FreightRates = FreightRates()
    tax_table: TaxTable = TaxTable()
    ship_to: ShipTo | None = None
    #: Countries where the seller is registered to collect sales tax / VAT.
    tax_registrations: frozenset[str] = frozenset({"US", "CA"})

    @property
    def currency(self) -> str:
        return self.customer.currency


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One line as typed or received: values may be text straight from the grid or EDI."""

    item_id: int
    quantity: Decimal | int | str
    discount_percent: Decimal | int | str = ZERO
    discount_amount: Decimal | int | str = ZERO
    #: The coordinator's unit price; needs `override_reason`.
    override_price: Decimal | int | str | None = None
    override_reason: str = ""
    #: A contract the customer quoted on the PO; it must apply.
    contract_ref: str = ""
    line_no: int | None = None


# --------------------------------------------------------------------------- outputs


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
            text += f"; order {_fmt_qty(self.propose_up)}"
            if self.propose_down is not None:
                text += f" or {_fmt_qty(self.propose_down)}"
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
            f"{_q4(self.floor_price)} (cost {self.cost} + {_fmt_pct(self.margin_floor_percent)}%)"
        )

    def explain(self) -> str:
        """The answer to "why this price?", one rule a line, the winner first."""
        head = (
            f"{self.part_number} x {_fmt_qty(self.quantity)} {self.uom}: "
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


# --------------------------------------------------------------------------- errors


class LineFieldError(FieldError):
    """A FieldError on one line of an order: the message starts with the line number."""

    def __init__(self, line_no: int, field: str, rule: str) -> None:
        super().__init__(field, rule)
        self.line_no = line_no
        self.args = (f"line {line_no} {field}: {rule}",)


def _fail(line_no: int | None, field_name: str, rule: str) -> NoReturn:
    if line_no is None:
        raise FieldError(field_name, rule)
    raise LineFieldError(line_no, field_name, rule)


# --------------------------------------------------------------------------- small helpers


def _q4(value: Decimal) -> Decimal:
    return value.quantize(PRICE_QUANTUM, ROUND_HALF_UP)


def _fmt_qty(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _fmt_pct(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _off_list(list_price: Decimal, percent_off: Decimal) -> Decimal:
    return _q4(list_price * (HUNDRED - percent_off) / HUNDRED)


def _too_many_places(value: Decimal, places: int) -> bool:
    """More than `places` significant decimals (2.5000 has one: trailing zeros do not count)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -places:
        return False
    return decimals_of(value.normalize()) > places


def price_decimals(currency: str) -> int:
    """Places a unit price may carry: the currency's minor unit plus two (fasteners sell at
    0.0804 USD each), never more than the 4 the store keeps. USD 4, JPY 2, KWD 4."""
    return min(currency_places(currency) + 2, PRICE_PLACES)


def _parse_number(
    value: Decimal | int | str | None, line_no: int | None, field_name: str
) -> Decimal:
    if type(value) is Decimal and value.is_finite():
        return value
    if isinstance(value, float):
        raise TypeError(f"{field_name}: money and quantities are Decimal or text, never float")
    if isinstance(value, bool) or value is None:
        _fail(line_no, field_name, f"{value!r} is not a number")
    parsed = to_decimal(value)
    if parsed is None or not parsed.is_finite():
        _fail(line_no, field_name, f"'{value}' is not a number")
    return parsed


def parse_quantity(
    value: Decimal | int | str, item: ItemFacts, *, line_no: int | None = None
) -> Decimal:
    """A typed quantity as a Decimal, or FieldError: not a number, not above zero, too many
    places, or a fraction of a unit the item does not sell in fractions."""
    qty = _parse_number(value, line_no, "quantity")
    if qty <= 0:
        _fail(line_no, "quantity", f"must be more than zero (got {_fmt_qty(qty)})")
    if qty > MAX_QUANTITY:
        _fail(line_no, "quantity", f"at most {MAX_QUANTITY:,} on one line (got {_fmt_qty(qty)})")
    if _too_many_places(qty, QTY_PLACES):
        _fail(line_no, "quantity", f"at most {QTY_PLACES} decimal places (got {value})")
    if not item.fractional_uom and qty != qty.to_integral_value():
        _fail(
            line_no,
            "quantity",
            f"{item.part_number} is sold in whole {item.uom}; {_fmt_qty(qty)} is a fraction",
        )
    return qty


def _parse_percent(value: Decimal | int | str, line_no: int | None) -> Decimal:
    pct = _parse_number(value, line_no, "discount_percent")
    if not ZERO <= pct <= HUNDRED:
        _fail(line_no, "discount_percent", f"must be between 0 and 100 (got {pct})")
    if _too_many_places(pct, PCT_PLACES):
        _fail(line_no, "discount_percent", f"at most {PCT_PLACES} decimal places (got {pct})")
    return pct


def _parse_price(
    value: Decimal | int | str, currency: str, line_no: int | None, field_name: str
) -> Decimal:
    price = _parse_number(value, line_no, field_name)
    if price < 0:
        _fail(line_no, field_name, f"must not be negative (got {price})")
    places = price_decimals(currency)
    if _too_many_places(price, places):
        _fail(line_no, field_name, f"at most {places} decimal places for {currency} (got {value})")
    return _q4(price)


# --------------------------------------------------------------------------- MOQ / multiples


def _units(value: Decimal) -> int:
    """`value` in thousandths, rounded up (master data is kept to 3 places anyway)."""
    return int((value * _QTY_SCALE).to_integral_value(ROUND_CEILING))


@lru_cache(maxsize=4096)
def _quantity_rule(moq: Decimal, multiple: Decimal, fractional: bool) -> tuple[int, int, int]:
    """(step, moq, smallest valid quantity), all in thousandths of the unit."""
    step = _units(multiple)
    if step <= 0:
        step = 1 if fractional else _QTY_SCALE
    if not fractional:
        step = lcm(step, _QTY_SCALE)
    least = max(_units(moq), 1)
    return step, least, -(-least // step) * step


def quantity_step(item: ItemFacts) -> Decimal:
    """The quantum every ordered quantity must be a multiple of (order multiple; a whole unit
    for items not sold in fractions)."""
    step, _moq, _smallest = _quantity_rule(item.moq, item.order_multiple, item.fractional_uom)
    return Decimal(step) / _QTY_SCALE


def check_quantity(item: ItemFacts, quantity: Decimal) -> QuantityCheck:
    """MOQ and order multiple: what is wrong, the next valid quantity at or above, and the one
    below when it still meets the MOQ. Multiples count from zero (whole packs): with MOQ 250 and
    multiple 100 the valid quantities are 300, 400, ..."""
    step, moq, smallest = _quantity_rule(item.moq, item.order_multiple, item.fractional_uom)
    asked = _units(quantity)
    problems: list[str] = []
    if asked < moq:
        problems.append(f"below the minimum order quantity {_fmt_qty(item.moq)} {item.uom}")
    if asked % step:
        problems.append(f"not a multiple of {_fmt_qty(Decimal(step) / _QTY_SCALE)} {item.uom}")
    if not problems:
        return QUANTITY_OK
    up = max(smallest, -(-asked // step) * step)
    down = (asked // step) * step
    propose_down = Decimal(down) / _QTY_SCALE if smallest <= down < asked else None
    return QuantityCheck(tuple(problems), Decimal(up) / _QTY_SCALE, propose_down)


# --------------------------------------------------------------------------- order-level checks


def check_promotion(
    code: str, promotion: PromotionRule | None, order_date: date
) -> PromotionRule | None:
    """The promotion for a code the customer quoted, or FieldError: unknown, paused, or not
    running on the order date. An empty code means no promotion."""
    code = code.strip().upper()
    if not code:
        return None
    if promotion is None:
        raise FieldError("promotion_code", f"no promotion {code}")
    if not promotion.active:
        raise FieldError("promotion_code", f"promotion {code} is not active")
    if order_date < promotion.valid_from:
        raise FieldError(
            "promotion_code",
            f"promotion {code} starts {promotion.valid_from}; the order date is {order_date}",
        )
    if order_date > promotion.valid_to:
        raise FieldError(
            "promotion_code",
            f"promotion {code} ended {promotion.valid_to}; the order date is {order_date}",
        )
    return promotion


def check_incoterm(code: str, place: str) -> tuple[str, str]:
    """(code, place) normalised, or FieldError: not an Incoterms 2020 rule, or no named place.
    Both empty is fine (a domestic order without an Incoterm)."""
    code = code.strip().upper()
    place = place.strip()
    if not code:
        if place:
            raise FieldError("incoterm", f"a named place ({place}) needs an Incoterm")
        return "", ""
    if code not in INCOTERMS_2020:
        hint = (
            f"; {code} was replaced by {_OLD_INCOTERMS[code]} in Incoterms 2020"
            if code in _OLD_INCOTERMS
            else ""
        )
        raise FieldError(
            "incoterm",
            f"'{code}' is not an Incoterms 2020 rule ({', '.join(INCOTERMS_2020)}){hint}",
        )
    if code in INCOTERMS_NEEDING_PLACE and not place:
        raise FieldError("incoterm_place", f"{code} ({INCOTERMS_2020[code]}) needs a named place")
    return code, place


def check_freight_terms(terms: str) -> FreightTerms:
    try:
        return FreightTerms(terms.strip().lower())
    except ValueError:
        allowed = ", ".join(t.value for t in FreightTerms)
        raise FieldError("freight_terms", f"'{terms}' is not one of {allowed}") from None


# --------------------------------------------------------------------------- line pricing


def _contract_problem(contract: ContractPrice, on: date, qty: Decimal) -> str:
    if on < contract.valid_from:
        return f"starts {contract.valid_from}"
    if contract.valid_to is not None and on > contract.valid_to:
        return f"expired {contract.valid_to}"
    if qty < contract.min_quantity:
        return f"needs qty {_fmt_qty(contract.min_quantity)}"
    return ""


def _contract_label(contract: ContractPrice) -> str:
    return f"contract {contract.ref}" if contract.ref else "contract"


def _price_list_candidate(
    price_list: PriceListInfo, rule: PriceListRule, item: ItemFacts
) -> tuple[Decimal, str, str] | None:
    scope = "" if rule.item_id is not None else f" {rule.category}"
    if rule.fixed_price is not None:
        return _q4(rule.fixed_price), f"price list {price_list.code}{scope} net", "fixed price"
    if rule.percent_off is not None:
        pct = _fmt_pct(rule.percent_off)
        return (
            _off_list(item.list_price, rule.percent_off),
            f"price list {price_list.code} -{pct}%{scope}",
            f"{pct}% off list {item.list_price}",
        )
    return None


def _promotion_miss(promo: PromotionRule, ctx: PricingContext, item: ItemFacts) -> str:
    if not promo.active:
        return "not active"
    if ctx.order_date < promo.valid_from:
        return f"starts {promo.valid_from}"
    if ctx.order_date > promo.valid_to:
        return f"ended {promo.valid_to}"
    if promo.customer_group and promo.customer_group != ctx.customer.customer_group:
        return f"for customer group {promo.customer_group}"
    if promo.item_category and promo.item_category != item.category:
        return f"for category {promo.item_category}"
    if promo.item_id is not None and promo.item_id != item.id:
        return "for another item"
    if promo.percent_off is None and promo.amount_off is None:
        return "gives no discount"
    return ""


def _promotion_price(promo: PromotionRule, list_price: Decimal) -> tuple[Decimal, str]:
    price = list_price
    parts = []
    if promo.percent_off is not None:
        price = price * (HUNDRED - promo.percent_off) / HUNDRED
        parts.append(f"{_fmt_pct(promo.percent_off)}% off list")
    if promo.amount_off is not None:
        price = price - promo.amount_off
        parts.append(f"{promo.amount_off} off list")
    return _q4(max(price, ZERO)), " and ".join(parts)


#: A price a step offers, before the lowest one is chosen: (price, step, label, detail).
_Candidate = tuple[Decimal, Step, str, str]


def _contract_step(
    ctx: PricingContext,
    item: ItemFacts,
    qty: Decimal,
    contract_ref: str,
    line_no: int | None,
    considered: list[RuleConsidered | _Candidate],
) -> ContractPrice | None:
    """The lowest contract that applies (None if none does); the others go to `considered`.
    A contract referenced on the line must apply, else FieldError."""
    on = ctx.order_date
    contracts = ctx.contracts.get(item.id, ())
    ref = contract_ref.strip()
    if ref:
        contracts = tuple(c for c in contracts if c.ref == ref)
        if not contracts:
            _fail(
                line_no,
                "contract_ref",
                f"no contract {ref} for {ctx.customer.code} on {item.part_number}",
            )
        problems = [_contract_problem(c, on, qty) for c in contracts]
        if all(problems):
            _fail(line_no, "contract_ref", f"contract {ref} {problems[0]}")
    if not contracts:
        considered.append(
            RuleConsidered(Step.CONTRACT, "contract", None, False, "none for this customer/item")
        )
        return None
    best: ContractPrice | None = None
    for c in contracts:
        if not _contract_problem(c, on, qty) and (best is None or c.price < best.price):
            best = c
    for c in contracts:
        if c is best:
            continue
        problem = _contract_problem(c, on, qty)
        if not problem:
            assert best is not None
            problem = f"{_contract_label(best)} {best.price} is lower or equal"
        considered.append(
            RuleConsidered(Step.CONTRACT, _contract_label(c), c.price, False, problem)
        )
    return best


def _price_list_step(
    ctx: PricingContext, item: ItemFacts, considered: list[RuleConsidered | _Candidate]
) -> None:
    """The customer's price list: the item's own entry, else its category's."""
    price_list = ctx.price_list
    if price_list is None:
        considered.append(
            RuleConsidered(Step.PRICE_LIST, "price list", None, False, "customer has none")
        )
        return
    item_rule = price_list.by_item.get(item.id)
    cat_rule = price_list.by_category.get(item.category) if item.category else None
    if item_rule is None and cat_rule is None:
        considered.append(
            RuleConsidered(
                Step.PRICE_LIST,
                f"price list {price_list.code}",
                None,
                False,
                f"no entry for {item.part_number} or category {item.category or '-'}",
            )
        )
        return
    if item_rule is not None:
        found = _price_list_candidate(price_list, item_rule, item)
        if found is not None:
            considered.append((found[0], Step.PRICE_LIST, found[1], found[2]))
    if cat_rule is not None:
        found = _price_list_candidate(price_list, cat_rule, item)
        if found is not None:
            if item_rule is not None:
                considered.append(
                    RuleConsidered(
                        Step.PRICE_LIST,
                        found[1],
                        found[0],
                        False,
                        "the item's own entry comes first",
                    )
                )
            else:
                considered.append((found[0], Step.PRICE_LIST, found[1], found[2]))


def _break_step(
    ctx: PricingContext,
    item: ItemFacts,
    qty: Decimal,
    considered: list[RuleConsidered | _Candidate],
) -> None:
    """Quantity breaks of the customer's price list and general ones, each tier reached."""
    list_id = ctx.price_list.id if ctx.price_list is not None else None
    seen = False
    for brk in ctx.breaks.get(item.id, ()):
        if brk.price_list_id is not None and brk.price_list_id != list_id:
            continue
        if brk.price is not None:
            price = _q4(brk.price)
        elif brk.percent_off is not None:
            price = _off_list(item.list_price, brk.percent_off)
        else:
            continue
        seen = True
        if qty < brk.min_quantity:
            considered.append(RuleConsidered(Step.BREAK, brk.label, price, False, brk.needs))
        else:
            detail = (
                "break price"
                if brk.price is not None
                else f"{_fmt_pct(brk.percent_off)}% off list {item.list_price}"  # type: ignore[arg-type]
            )
            considered.append((price, Step.BREAK, brk.label, detail))
    if not seen:
        considered.append(RuleConsidered(Step.BREAK, "break", None, False, "none for this item"))


def _promotion_step(
    ctx: PricingContext, item: ItemFacts, considered: list[RuleConsidered | _Candidate]
) -> None:
    promo = ctx.promotion
    if promo is None:
        considered.append(
            RuleConsidered(Step.PROMOTION, "promo", None, False, "no promotion code on the order")
        )
        return
    label = f"promo {promo.code}"
    miss = _promotion_miss(promo, ctx, item)
    if miss:
        considered.append(RuleConsidered(Step.PROMOTION, label, None, False, miss))
    else:
        price, detail = _promotion_price(promo, item.list_price)
        considered.append((price, Step.PROMOTION, label, detail))


def _base_price(
    ctx: PricingContext, item: ItemFacts, qty: Decimal, contract_ref: str, line_no: int | None
) -> tuple[Decimal, str, Step, list[RuleConsidered]]:
    """The precedence: (price, label of the winner, its step, every rule considered with the
    winner first and the others in the order of the steps)."""
    considered: list[RuleConsidered | _Candidate] = []
    contract = _contract_step(ctx, item, qty, contract_ref, line_no, considered)
    _price_list_step(ctx, item, considered)
    _break_step(ctx, item, qty, considered)
    _promotion_step(ctx, item, considered)

    best: _Candidate | None = None
    for entry in considered:
        if not isinstance(entry, RuleConsidered) and (best is None or entry[0] < best[0]):
            best = entry

    if contract is not None:
        price, step, label = _q4(contract.price), Step.CONTRACT, _contract_label(contract)
        valid_to = contract.valid_to or "open"
        winner = RuleConsidered(
            step,
            label,
            price,
            True,
            f"valid {contract.valid_from}..{valid_to}, min qty "
            f"{_fmt_qty(contract.min_quantity)}; a contract price is net",
        )
    elif best is not None:
        price, step, label, detail = best
        winner = RuleConsidered(step, label, price, True, f"{detail}; lowest that applies")
    else:
        price, step, label = _q4(item.list_price), Step.LIST, "list"
        winner = RuleConsidered(step, label, price, True, "no other rule applies")

    rules = [winner]
    for entry in considered:
        if isinstance(entry, RuleConsidered):
            rules.append(entry)
            continue
        if entry is best and contract is None:
            continue
        c_price, c_step, c_label, c_detail = entry
        if contract is not None:
            reason = (
                "contract prices are net: no promotion on top"
                if c_step is Step.PROMOTION
                else f"{label} takes precedence"
            )
        elif c_price == price:
            reason = f"{c_detail}; ties with {label}, which comes first"
        else:
            reason = f"{c_detail}; above {label} {price}"
        rules.append(RuleConsidered(c_step, c_label, c_price, False, reason))
    if step is not Step.LIST:
        rules.append(RuleConsidered(Step.LIST, "list", item.list_price, False, f"{label} applies"))
    return price, label, step, rules


def price_line(
    ctx: PricingContext, request: LineRequest, *, line_no: int | None = None
) -> LineResult:
    """Price one line: the precedence, then the override, then the line discount; the margin
    floor and the MOQ/multiple check. Raises FieldError (or LineFieldError) for bad input."""
    line_no = request.line_no if line_no is None else line_no
    item = ctx.items.get(request.item_id)
    if item is None:
        raise RuleViolation(
            f"item {request.item_id} is not in the pricing context (load it with the order)"
        )
    currency = ctx.customer.currency
    qty = parse_quantity(request.quantity, item, line_no=line_no)
    pct = (
        ZERO
        if request.discount_percent is ZERO
        else _parse_percent(request.discount_percent, line_no)
    )
    amount = (
        ZERO
        if request.discount_amount is ZERO
        else _parse_price(request.discount_amount, currency, line_no, "discount_amount")
    )
    override: Decimal | None = None
    if request.override_price is not None and str(request.override_price).strip():
        override = _parse_price(request.override_price, currency, line_no, "unit_price")
        if not request.override_reason.strip():
            _fail(line_no, "override_reason", "a price override needs a reason")

    base, source, step, rules = _base_price(ctx, item, qty, request.contract_ref, line_no)

    unit = base
    if override is not None:
        replaced = rules[0]._replace(won=False, reason=f"{rules[0].reason}; overridden")
        reason = f"replaces {source} {base}: {request.override_reason.strip()}"
        rules = [
            RuleConsidered(Step.OVERRIDE, "override", override, True, reason),
            replaced,
            *rules[1:],
        ]
        unit, source, step = override, Step.OVERRIDE.value, Step.OVERRIDE

    net = unit
    if pct:
        net = _q4(net * (HUNDRED - pct) / HUNDRED)
    if amount:
        if amount > net:
            _fail(line_no, "discount_amount", f"{amount} is more than the unit price {net}")
        net = net - amount
    if pct or amount:
        parts = [f"{_fmt_pct(pct)}%"] if pct else []
        if amount:
            parts.append(f"{amount} off")
        label = "line discount " + " then ".join(parts)
        rules.insert(1, RuleConsidered(Step.DISCOUNT, label, net, True, f"{unit} -> {net}"))

    floor = item.cost * (HUNDRED + ctx.margin_floor_percent) / HUNDRED
    return LineResult(
        line_no=line_no,
        item_id=item.id,
        part_number=item.part_number,
        quantity=qty,
        uom=item.uom,
        currency=currency,
        list_price=item.list_price,
        base_price=base,
        unit_price=unit,
        net_price=net,
        discount_percent=pct,
        discount_amount=amount,
        price_source=source,
        step=step,
        override_reason=request.override_reason.strip() if override is not None else "",
        extended=round_money(qty * net, currency),
        rules=tuple(rules),
        cost=item.cost,
        floor_price=floor,
        margin_floor_percent=ctx.margin_floor_percent,
        below_floor=net < floor,
        quantity_check=check_quantity(item, qty),
        weight_kg=qty * item.weight_kg,
    )


# --------------------------------------------------------------------------- freight and tax


def estimate_freight(
    *,
    terms: FreightTerms | str,
    weight_kg: Decimal,
    subtotal: Decimal,
    free_threshold: Decimal | None,
    rates: FreightRates,
    currency: str,
) -> FreightQuote:
    """The carrier estimate (rate per kg, with a minimum) and what the invoice carries:
    prepaid - ours, not invoiced; collect - the customer pays the carrier; third_party - billed
    to a third party's carrier account; prepaid_add - we pay and add it, unless the subtotal
    reaches the customer's free-freight threshold."""
    terms = check_freight_terms(str(terms))
    none = round_money(ZERO, currency)
    estimate = none
    if weight_kg > 0 or subtotal > 0:
        estimate = round_money(max(weight_kg * rates.rate_per_kg, rates.minimum), currency)
    weight = f"{_fmt_qty(weight_kg)} kg"
    if terms is FreightTerms.PREPAID:
        return FreightQuote(
            terms, weight_kg, estimate, none, f"prepaid: freight is ours (est. {estimate})"
        )
    if terms is FreightTerms.COLLECT:
        return FreightQuote(
            terms, weight_kg, estimate, none, "collect: the customer pays the carrier"
        )
    if terms is FreightTerms.THIRD_PARTY:
        return FreightQuote(
            terms, weight_kg, estimate, none, "third party: billed to the third party's account"
        )
    if free_threshold is not None and subtotal >= free_threshold:
        return FreightQuote(
            terms,
            weight_kg,
            estimate,
            none,
            f"prepaid & add, free freight: subtotal {subtotal} reaches {free_threshold}",
        )
    text = f"prepaid & add: {weight} at {rates.rate_per_kg}/kg, min {rates.minimum}"
    if free_threshold is not None:
        text += f"; free from {free_threshold} ({free_threshold - subtotal} to go)"
    return FreightQuote(terms, weight_kg, estimate, estimate, text)


def compute_tax(
    *,
    table: TaxTable,
    ship_to: ShipTo | None,
    goods: Decimal,
    freight: Decimal,
    currency: str,
    exempt_certificate: str = "",
    vat_id: str = "",
    registrations: frozenset[str] = frozenset({"US", "CA"}),
) -> TaxQuote:
    """Tax of an order on its rounded subtotal (+ freight where the component taxes it), one
    rounding per component. FieldError when a taxable ship-to region has no rate."""
    none = round_money(ZERO, currency)
    if exempt_certificate.strip():
        return TaxQuote((), none, f"exempt: certificate {exempt_certificate.strip()}", True)
    if ship_to is None:
        return TaxQuote((), none, "no ship-to yet: tax not computed")
    country = ship_to.country.strip().upper()
    region = ship_to.region.strip().upper()
    if country not in registrations:
        eu_home = (registrations & EU_COUNTRIES) - {country}
        if country in EU_COUNTRIES and eu_home and vat_id.strip():
            return TaxQuote(
                (), none, f"intra-EU supply to {country} VAT id {vat_id.strip()}: reverse charge"
            )
        return TaxQuote(
            (), none, f"export to {country}: zero-rated here; import taxes are due at the border"
        )
    rates = table.lookup(country, region)
    if rates is None:
        raise FieldError(
            "ship_to.region", f"no tax rate for {country}-{region or '?'} in the tax table"
        )
    lines = []
    for rate in rates:
        base = goods + freight if rate.freight_taxable else goods
        lines.append(
            TaxLine(
                rate.name,
                rate.rate_percent,
                base,
                round_money(base * rate.rate_percent / HUNDRED, currency),
            )
        )
    amount = sum((line.amount for line in lines), none)
    where = f"{country}-{region}" if region else country
    names = " + ".join(f"{line.name} {_fmt_pct(line.rate_percent)}%" for line in lines)
    return TaxQuote(tuple(lines), amount, f"{where}: {names or 'no tax'}")


def parse_tax_table(text: str) -> TaxTable:
    """The tax table CSV (country,region,tax,rate_percent,freight_taxable[,note]); lines starting
    with '#' are comments. Raises ValueError naming the bad line."""
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rates: dict[tuple[str, str], list[TaxRate]] = {}
    reader = csv.DictReader(io.StringIO("\n".join(rows)))
    needed = {"country", "region", "tax", "rate_percent", "freight_taxable"}
    if reader.fieldnames is None or not needed <= set(reader.fieldnames):
        raise ValueError(f"tax table needs the columns {', '.join(sorted(needed))}")
    for n, row in enumerate(reader, start=2):
        rate = to_decimal(row["rate_percent"] or "")
        if rate is None or not ZERO <= rate < HUNDRED:
            raise ValueError(f"tax table row {n}: rate_percent '{row['rate_percent']}'")
        flag = row["freight_taxable"].strip().lower()
        if flag not in {"true", "false"}:
            raise ValueError(f"tax table row {n}: freight_taxable '{row['freight_taxable']}'")
        key = (row["country"].strip().upper(), row["region"].strip().upper() or "*")
        rates.setdefault(key, []).append(
            TaxRate(key[0], key[1], row["tax"].strip(), rate, flag == "true")
        )
    return TaxTable({key: tuple(value) for key, value in rates.items()})


# --------------------------------------------------------------------------- order


def price_order(
    ctx: PricingContext,
    requests: Sequence[LineRequest],
    *,
    ship_to: ShipTo | None = None,
    freight_terms: str = "",
    incoterm: str | None = None,
    incoterm_place: str | None = None,
) -> OrderPricing:
    """Price every line, then freight, tax and the total. Order-level values default to the
    customer's (freight terms, Incoterm and place) and the context's ship-to. Any bad input
    raises before anything is returned."""
    customer = ctx.customer
    currency = customer.currency
    terms = check_freight_terms(freight_terms or customer.freight_terms)
    code, place = check_incoterm(
        customer.incoterm if incoterm is None else incoterm,
        customer.incoterm_place if incoterm_place is None else incoterm_place,
    )
    lines = tuple(
        price_line(ctx, req, line_no=req.line_no if req.line_no is not None else n)
        for n, req in enumerate(requests, start=1)
    )
    subtotal = round_money(sum((line.extended for line in lines), ZERO), currency)
    weight = sum((line.weight_kg for line in lines), ZERO)
    freight = estimate_freight(
        terms=terms,
        weight_kg=weight,
        subtotal=subtotal,
        free_threshold=customer.free_freight_threshold,
        rates=ctx.freight_rates,
        currency=currency,
    )
    vat_id = customer.tax_id if customer.tax_id_type.upper() == "VAT" else ""
    tax = compute_tax(
        table=ctx.tax_table,
        ship_to=ship_to or ctx.ship_to,
        goods=subtotal,
        freight=freight.charge,
        currency=currency,
        exempt_certificate=customer.tax_exempt_certificate,
        vat_id=vat_id,
        registrations=ctx.tax_registrations,
    )
    return OrderPricing(
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        freight=freight,
        tax=tax,
        total=subtotal + freight.charge + tax.amount,
        incoterm=code,
        incoterm_place=place,
    )


def price_hold_reason(lines: Iterable[LineResult], *, limit: int = 400) -> str:
    """One line for the Hold's reason: which lines are under the margin floor, within `limit`
    characters ("...; and 3 more")."""
    parts = [
        f"line {line.line_no or '?'} {line.part_number}: {line.margin_message}"
        for line in lines
        if line.below_floor
    ]
    text = ""
    for kept, part in enumerate(parts):
        longer = f"{text}; {part}" if text else part
        rest = len(parts) - kept - 1
        tail = f"; and {rest} more" if rest else ""
        if len(longer) + len(tail) > limit:
            more = len(parts) - kept
            return f"{text}; and {more} more" if text else f"{more} lines under the margin floor"
        text = longer
    return text
