"""The scales pricing keeps numbers to (unit prices 4 places, quantities 3, percentages 2), and
the small helpers every pricing module rounds, checks and writes them with."""

from decimal import ROUND_HALF_UP, Decimal

from orderdesk_tui.domain.money import currency_places, decimals_of

#: Unit prices and costs carry 4 places (models.types.UnitPrice).
PRICE_PLACES = 4
PRICE_QUANTUM = Decimal(1).scaleb(-PRICE_PLACES)
#: Quantities carry at most 3 places (models.types.Quantity).
QTY_PLACES = 3
#: Thousandths of a unit: the MOQ and multiple rules count in whole ones.
QTY_SCALE: int = 10**QTY_PLACES
#: More than this on one line is a typing slip, not an order.
MAX_QUANTITY = Decimal(10**9)
#: Percentages carry 2 places (models.types.Percent).
PCT_PLACES = 2
HUNDRED = Decimal(100)


def round_price(value: Decimal) -> Decimal:
    """A unit price to the 4 places the store keeps, half up."""
    return value.quantize(PRICE_QUANTUM, ROUND_HALF_UP)


def plain_number(value: Decimal) -> str:
    """A quantity or percentage as typed: no trailing zeros, no exponent (2.50 -> 2.5, 1E+2 ->
    100)."""
    return format(value.normalize(), "f")


def off_list(list_price: Decimal, percent_off: Decimal) -> Decimal:
    """`percent_off` % off the list price, rounded to a unit price."""
    return round_price(list_price * (HUNDRED - percent_off) / HUNDRED)


def too_many_places(value: Decimal, places: int) -> bool:
    """More than `places` significant decimals (2.5000 has one: trailing zeros do not count)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -places:
        return False
    return decimals_of(value.normalize()) > places


def price_decimals(currency: str) -> int:
    """Places a unit price may carry: the currency's minor unit plus two (fasteners sell at
    0.0804 USD each), never more than the 4 the store keeps. USD 4, JPY 2, KWD 4."""
    return min(currency_places(currency) + 2, PRICE_PLACES)
