"""Money arithmetic: Decimal only, rounded half-up to the currency's minor unit.

Lines are rounded one by one, then totals are the sums of the rounded lines, so an invoice
always adds up.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: Minor-unit digits (ISO 4217) of the currencies the desk trades in; others default to 2.
MINOR_UNITS: dict[str, int] = {
    "USD": 2,
    "CAD": 2,
    "MXN": 2,
    "EUR": 2,
    "GBP": 2,
    "CHF": 2,
    "SEK": 2,
    "DKK": 2,
    "PLN": 2,
    "JPY": 0,
    "KRW": 0,
    "CLP": 0,
    "KWD": 3,
    "BHD": 3,
}

ZERO = Decimal("0")


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`: 0.01 for USD, 1 for JPY."""
    return Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))


def round_money(amount: Decimal, currency: str = "USD") -> Decimal:
    if isinstance(amount, float):
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
