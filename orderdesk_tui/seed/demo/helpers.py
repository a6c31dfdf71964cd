"""Small parsing, rounding and check-digit helpers the demo loader shares."""

import csv
from decimal import ROUND_HALF_UP, Decimal

from orderdesk_tui.paths import bundled
from orderdesk_tui.seed.demo.constants import CENT, Q4


def csv_rows(name: str) -> list[dict[str, str]]:
    with bundled(f"data/demo/{name}").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def dec(text: str) -> Decimal:
    return Decimal(text.strip())


def opt_dec(text: str) -> Decimal | None:
    return Decimal(text.strip()) if text.strip() else None


def flag(text: str) -> bool:
    return text.strip().lower() in {"true", "1", "yes", "y"}


def cents(value: Decimal) -> Decimal:
    """Money rounded half-up to cents, the way every extended amount and total is."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def q4(value: Decimal) -> Decimal:
    return value.quantize(Q4, rounding=ROUND_HALF_UP)


def fmt_qty(q: Decimal) -> str:
    """A quantity or percent as people write it: 1000, 12.5, 7.5."""
    return format(q.normalize(), "f")


def gs1_check_digit(digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def ups_tracking(shipper: str, service: str, serial: int) -> str:
    body = f"{shipper}{service}{serial:07d}"
    values = [int(c) if c.isdigit() else (ord(c) - 63) % 10 for c in body]
    total = sum(v * (2 if i % 2 else 1) for i, v in enumerate(values))
    return f"1Z{body}{(10 - total % 10) % 10}"


def fedex_tracking(serial: int) -> str:
    body = f"{serial:011d}"
    weights = (1, 3, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(body)))
    return f"{body}{total % 11 % 10}"
