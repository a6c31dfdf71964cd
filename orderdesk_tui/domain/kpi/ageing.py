"""Backorder ageing and the age of open orders, in the same buckets.

A backordered line (units on backorder now) is aged from the date first agreed with the
customer (first promise, else requested): days late as of today; "not yet due" when that date
is still ahead. Its **slip** is last promise - first promise in days (the ETA we now give
against what we first promised). Value is the backordered units at the line's price, per
currency. Open orders are aged from entry.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from orderdesk_tui.domain.kpi.facts import ZERO, LineFact

NOT_DUE = "not yet due"
#: (label, most days in the bucket); the last bucket has no upper end.
BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-7 days", 7),
    ("8-14 days", 14),
    ("15-30 days", 30),
    ("31-60 days", 60),
    ("over 60 days", None),
)


def age_bucket(days: int) -> str:
    if days < 0:
        return NOT_DUE
    return next(label for label, most in BUCKETS if most is None or days <= most)


def bucket_labels() -> tuple[str, ...]:
    return (NOT_DUE, *(label for label, _ in BUCKETS))


@dataclass
class BackorderBucket:
    label: str
    lines: int = 0
    units: Decimal = ZERO
    value: dict[str, Decimal] = field(default_factory=dict)
    slip_days: list[int] = field(default_factory=list)
    orders: dict[int, None] = field(default_factory=dict)

    @property
    def mean_slip(self) -> Decimal | None:
        if not self.slip_days:
            return None
        return (Decimal(sum(self.slip_days)) / len(self.slip_days)).quantize(Decimal("0.1"))


def backorder_ageing(lines: Iterable[LineFact], as_of: date) -> list[BackorderBucket]:
    """Every bucket (empty ones too) in age order, over lines with units on backorder."""
    buckets = {label: BackorderBucket(label) for label in bucket_labels()}
    for line in lines:
        if line.backordered <= ZERO:
            continue
        since = line.commit
        bucket = buckets[age_bucket((as_of - since).days if since else 0)]
        bucket.lines += 1
        bucket.units += line.backordered
        bucket.value[line.currency] = (
            bucket.value.get(line.currency, ZERO) + line.backordered * line.unit_price
        )
        if line.first_promised and line.last_promised:
            bucket.slip_days.append((line.last_promised - line.first_promised).days)
        bucket.orders[line.order_id] = None
    return list(buckets.values())
