"""What the KPIs read of an order line: quantities, price and the three dates it is held to."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class LineFact:
    """One order line. `cancelled` is what the customer took off the order: it is no longer
    demand. `shipped_on` is the day the line (last) shipped."""

    order_id: int
    quantity: Decimal
    shipped: Decimal = ZERO
    cancelled: Decimal = ZERO
    unit_price: Decimal = ZERO
    currency: str = "USD"
    requested: date | None = None
    first_promised: date | None = None
    last_promised: date | None = None
    shipped_on: date | None = None
    backordered: Decimal = ZERO

    @property
    def wanted(self) -> Decimal:
        """Units the customer still wants: ordered less cancelled, never negative."""
        return max(self.quantity - self.cancelled, ZERO)

    @property
    def commit(self) -> date | None:
        """The date first agreed with the customer (first promise, else the requested date)."""
        return self.first_promised or self.requested


def by_order(lines: Iterable[LineFact]) -> dict[int, list[LineFact]]:
    """Lines grouped per order, orders in the order first seen."""
    out: dict[int, list[LineFact]] = {}
    for line in lines:
        out.setdefault(line.order_id, []).append(line)
    return out
