"""Tryton's JSON as its REST API speaks it: Decimals, dates and datetimes as `__class__`
objects (`dumps`, `loads`), the base64 JSON of query parameters and the context header (`b64`),
and a float quantity from Tryton as a plain Decimal (`plain_decimal`)."""

import base64
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return {
            "__class__": "datetime",
            "year": value.year,
            "month": value.month,
            "day": value.day,
            "hour": value.hour,
            "minute": value.minute,
            "second": value.second,
            "microsecond": value.microsecond,
        }
    if isinstance(value, date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot send a {type(value).__name__} to Tryton")


def _decode(obj: dict[str, Any]) -> Any:
    kind = obj.get("__class__")
    if kind == "Decimal":
        return Decimal(obj["decimal"])
    if kind == "datetime":
        return datetime(
            obj["year"],
            obj["month"],
            obj["day"],
            obj["hour"],
            obj["minute"],
            obj["second"],
            obj["microsecond"],
        )
    if kind == "date":
        return date(obj["year"], obj["month"], obj["day"])
    return obj


def dumps(value: Any) -> str:
    return json.dumps(value, default=_encode, separators=(",", ":"))


def loads(data: bytes | str) -> Any:
    return json.loads(data, object_hook=_decode)


def b64(value: Any) -> str:
    return base64.urlsafe_b64encode(dumps(value).encode()).decode()


def plain_decimal(value: float | int | Decimal) -> Decimal:
    """A float quantity from Tryton as a plain Decimal: 21700.0 -> 21700, 2.5 -> 2.5."""
    result = Decimal(str(value))
    if result == result.to_integral_value():
        return result.quantize(Decimal(1))
    return result.normalize()
