"""Checking what was typed before it is priced: quantities, percentages and prices parsed into
Decimals (a bad one raises a FieldError naming the line and field), the MOQ and order multiple,
and the order-level promotion code, Incoterm and freight terms."""

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from math import lcm
from typing import NoReturn

from orderdesk_tui.domain.money import ZERO, to_decimal
from orderdesk_tui.domain.pricing.inputs import FreightTerms, ItemFacts, PromotionRule
from orderdesk_tui.domain.pricing.results import QUANTITY_OK, QuantityCheck
from orderdesk_tui.domain.pricing.units import (
    HUNDRED,
    MAX_QUANTITY,
    PCT_PLACES,
    QTY_PLACES,
    QTY_SCALE,
    plain_number,
    price_decimals,
    round_price,
    too_many_places,
)
from orderdesk_tui.errors import FieldError

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


# --------------------------------------------------------------------------- errors


class LineFieldError(FieldError):
    """A FieldError on one line of an order: the message starts with the line number."""

    def __init__(self, line_no: int, field: str, rule: str) -> None:
        super().__init__(field, rule)
        self.line_no = line_no
        self.args = (f"line {line_no} {field}: {rule}",)


def fail_field(line_no: int | None, field_name: str, rule: str) -> NoReturn:
    if line_no is None:
        raise FieldError(field_name, rule)
    raise LineFieldError(line_no, field_name, rule)


def _parse_number(
    value: Decimal | int | str | None, line_no: int | None, field_name: str
) -> Decimal:
    if type(value) is Decimal and value.is_finite():
        return value
    if isinstance(value, float):
        raise TypeError(f"{field_name}: money and quantities are Decimal or text, never float")
    if isinstance(value, bool) or value is None:
        fail_field(line_no, field_name, f"{value!r} is not a number")
    parsed = to_decimal(value)
    if parsed is None or not parsed.is_finite():
        fail_field(line_no, field_name, f"'{value}' is not a number")
    return parsed


def parse_quantity(
    value: Decimal | int | str, item: ItemFacts, *, line_no: int | None = None
) -> Decimal:
    """A typed quantity as a Decimal, or FieldError: not a number, not above zero, too many
    places, or a fraction of a unit the item does not sell in fractions."""
    qty = _parse_number(value, line_no, "quantity")
    if qty <= 0:
        fail_field(line_no, "quantity", f"must be more than zero (got {plain_number(qty)})")
    if qty > MAX_QUANTITY:
        fail_field(
            line_no, "quantity", f"at most {MAX_QUANTITY:,} on one line (got {plain_number(qty)})"
        )
    if too_many_places(qty, QTY_PLACES):
        fail_field(line_no, "quantity", f"at most {QTY_PLACES} decimal places (got {value})")
    if not item.fractional_uom and qty != qty.to_integral_value():
        fail_field(
            line_no,
            "quantity",
            f"{item.part_number} is sold in whole {item.uom}; {plain_number(qty)} is a fraction",
        )
    return qty


def parse_percent(value: Decimal | int | str, line_no: int | None) -> Decimal:
    pct = _parse_number(value, line_no, "discount_percent")
    if not ZERO <= pct <= HUNDRED:
        fail_field(line_no, "discount_percent", f"must be between 0 and 100 (got {pct})")
    if too_many_places(pct, PCT_PLACES):
        fail_field(line_no, "discount_percent", f"at most {PCT_PLACES} decimal places (got {pct})")
    return pct


def parse_price(
    value: Decimal | int | str, currency: str, line_no: int | None, field_name: str
) -> Decimal:
    price = _parse_number(value, line_no, field_name)
    if price < 0:
        fail_field(line_no, field_name, f"must not be negative (got {price})")
    places = price_decimals(currency)
    if too_many_places(price, places):
        fail_field(
            line_no, field_name, f"at most {places} decimal places for {currency} (got {value})"
        )
    return round_price(price)


# --------------------------------------------------------------------------- MOQ / multiples


def _units(value: Decimal) -> int:
    """`value` in thousandths, rounded up (master data is kept to 3 places anyway)."""
    return int((value * QTY_SCALE).to_integral_value(ROUND_CEILING))


@lru_cache(maxsize=4096)
def _quantity_rule(moq: Decimal, multiple: Decimal, fractional: bool) -> tuple[int, int, int]:
    """(step, moq, smallest valid quantity), all in thousandths of the unit."""
    step = _units(multiple)
    if step <= 0:
        step = 1 if fractional else QTY_SCALE
    if not fractional:
        step = lcm(step, QTY_SCALE)
    least = max(_units(moq), 1)
    return step, least, -(-least // step) * step


def quantity_step(item: ItemFacts) -> Decimal:
    """The quantum every ordered quantity must be a multiple of (order multiple; a whole unit
    for items not sold in fractions)."""
    step, _moq, _smallest = _quantity_rule(item.moq, item.order_multiple, item.fractional_uom)
    return Decimal(step) / QTY_SCALE


def check_quantity(item: ItemFacts, quantity: Decimal) -> QuantityCheck:
    """MOQ and order multiple: what is wrong, the next valid quantity at or above, and the one
    below when it still meets the MOQ. Multiples count from zero (whole packs): with MOQ 250 and
    multiple 100 the valid quantities are 300, 400, ..."""
    step, moq, smallest = _quantity_rule(item.moq, item.order_multiple, item.fractional_uom)
    asked = _units(quantity)
    problems: list[str] = []
    if asked < moq:
        problems.append(f"below the minimum order quantity {plain_number(item.moq)} {item.uom}")
    if asked % step:
        problems.append(f"not a multiple of {plain_number(Decimal(step) / QTY_SCALE)} {item.uom}")
    if not problems:
        return QUANTITY_OK
    up = max(smallest, -(-asked // step) * step)
    down = (asked // step) * step
    propose_down = Decimal(down) / QTY_SCALE if smallest <= down < asked else None
    return QuantityCheck(tuple(problems), Decimal(up) / QTY_SCALE, propose_down)


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
