"""Money arithmetic: Decimal only, rounded half-up to the currency's minor unit.

Lines are rounded one by one, then totals are the sums of the rounded lines, so an invoice
always adds up.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import format_decimal, get_currency_precision

#: The desk's number locale: "," groups thousands, "." marks the decimals, as the ERP and the
#: documents the desk sends write them.
LOCALE = "en_US"

ZERO = Decimal("0")

#: Most places a unit price is shown with (a price may be agreed at 0.0125).
PRICE_MAX_PLACES = 4


@cache
def currency_places(currency: str) -> int:
    """Digits after the point in `currency`'s minor unit, from CLDR via Babel (USD 2, JPY 0,
    BHD 3); a code CLDR does not know gets 2."""
    return int(get_currency_precision(currency.upper()))


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`: 0.01 for USD, 1 for JPY."""
    return Decimal(1).scaleb(-currency_places(currency))


def round_money(amount: Decimal, currency: str = "USD") -> Decimal:
    """`amount` half-up to `currency`'s minor unit. A float is refused at run time too: the
    annotation does not stop an untyped caller (a driver row, a JSON number)."""
    checked: object = amount
    if isinstance(checked, float):
        raise TypeError("money is Decimal, never float")
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def to_decimal(text: str | int | Decimal) -> Decimal | None:
    """Parse a typed number ("1,250.5", "3"); None if it is not a finite number."""
    if isinstance(text, Decimal | int):
        return Decimal(text)
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def decimals_of(value: Decimal) -> int:
    """How many places after the point `value` was written with (1.50 -> 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


@cache
def _pattern(places: int) -> str:
    return "#,##0" + ("." + "0" * places if places else "")


def format_money(amount: Decimal, currency: str, *, code: bool = False) -> str:
    """An amount rounded half-up to `currency`'s minor unit, thousands grouped:
    `12,345.60`, `1,235` (JPY), `1.235` (BHD); with `code`, `12,345.60 USD`.

    The one way the desk writes an amount: screens, reasons, reports, CSV and documents."""
    places = currency_places(currency)
    text = format_decimal(round_money(amount, currency), _pattern(places), locale=LOCALE)
    return f"{text} {currency}" if code else text


def format_price(value: Decimal, currency: str) -> str:
    """A unit price: the currency's places, more (up to 4) only when the price has them."""
    places = max(currency_places(currency), min(PRICE_MAX_PLACES, decimals_of(value.normalize())))
    return format_decimal(value, _pattern(places), locale=LOCALE, decimal_quantization=True)
