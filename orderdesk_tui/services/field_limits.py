"""What a column can hold, read from the model's own column definitions (one source of truth):
string lengths, and the places and size of scaled decimals.

PostgreSQL refuses a value that does not fit (a numeric overflow, a string too long) and SQLite
silently stores it (a 10,000-character PO), so values are checked here, at the service
boundary, before they are written: the same refusal on both stores, as a FieldError naming the
field. NaN and infinities are refused too (PostgreSQL's numeric would store NaN).
"""

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import String
from sqlmodel import SQLModel

from orderdesk_tui.errors import FieldError
from orderdesk_tui.models.base import table_of
from orderdesk_tui.models.types import ScaledDecimal

#: Digits in all of a scaled decimal on PostgreSQL (NUMERIC(18, scale)); SQLite's scaled
#: 64-bit integers hold more, so this is the bound on both stores.
PRECISION = 18


def max_length(model: type[SQLModel], name: str) -> int:
    """The longest string column `name` of `model` holds."""
    kind = table_of(model).c[name].type
    assert isinstance(kind, String) and kind.length is not None, f"{name} is not a String(n)"
    return int(kind.length)


def problem(model: type[SQLModel], name: str, value: object) -> str | None:
    """Why column `name` of `model` cannot hold `value`, or None when it can."""
    kind = table_of(model).c[name].type
    if isinstance(kind, String) and kind.length is not None and isinstance(value, str):
        if len(value) > kind.length:
            return f"at most {kind.length:,} characters (this has {len(value):,})"
    elif isinstance(kind, ScaledDecimal) and isinstance(value, Decimal):
        if not value.is_finite():
            return "must be a finite number"
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > kind.scale:
            return f"at most {kind.scale} decimal places"
        bound = Decimal(10) ** (PRECISION - kind.scale)
        if abs(value) >= bound:
            return f"must be less than {bound:,}"
    return None


def check(model: type[SQLModel], values: Mapping[str, object], labels: Mapping[str, str]) -> None:
    """FieldError for the first of `values` its column cannot hold, named by `labels` (or the
    column's name)."""
    for name, value in values.items():
        if (rule := problem(model, name, value)) is not None:
            raise FieldError(labels.get(name, name.replace("_", " ")), rule)
