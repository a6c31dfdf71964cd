"""Quantities as typed or received (`parse_quantity`: a positive Decimal or a FieldError naming
the field and the rule) and as people write them (`fmt_qty`)."""

from decimal import Decimal, InvalidOperation

from orderdesk_tui.domain.pricing.units import MAX_QUANTITY
from orderdesk_tui.errors import FieldError

#: Quantities are stored with 3 places (models.types.Quantity).
QUANTITY_PLACES = 3


def parse_quantity(
    value: object, *, field: str = "quantity", fractional: bool = True, uom: str = ""
) -> Decimal:
    """A positive Decimal quantity from what was typed or received, or FieldError naming
    `field` and the rule (not a number, zero or negative, too many places, whole units only)."""
    if isinstance(value, bool) or value is None:
        raise FieldError(field, "must be a number")
    if isinstance(value, float):
        raise FieldError(field, "must be an exact decimal number, not a float")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            raise FieldError(field, "is required")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise FieldError(field, f"'{value.strip()}' is not a number") from None
    else:
        raise FieldError(field, "must be a number")
    if not number.is_finite():
        raise FieldError(field, "must be a finite number")
    if number <= 0:
        raise FieldError(field, "must be greater than zero")
    if number > MAX_QUANTITY:
        raise FieldError(field, f"at most {MAX_QUANTITY:,} on one line")
    exponent = number.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > QUANTITY_PLACES:
        raise FieldError(field, f"at most {QUANTITY_PLACES} decimal places")
    if places and not fractional:
        raise FieldError(field, f"{uom or 'this unit'} is counted in whole units")
    return number


def fmt_qty(value: Decimal) -> str:
    """A quantity as people write it: 5, 2.5, 1,250."""
    return f"{value.normalize():,f}"
