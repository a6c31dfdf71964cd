"""A rate and the orders behind it."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Rate:
    """`met` of `counted` (lines, units, value or orders). `orders` are the ids of every order
    counted; `exceptions` those to look into: that missed the definition (for a complement
    such as the backorder rate: the same orders, now the ones counted in it)."""

    met: Decimal
    counted: Decimal
    orders: tuple[int, ...] = ()
    exceptions: tuple[int, ...] = ()

    @property
    def value(self) -> Decimal | None:
        """met / counted as a fraction in [0, 1]; None when nothing was counted."""
        return self.met / self.counted if self.counted else None

    @property
    def percent(self) -> Decimal | None:
        """The rate in percent with one decimal (85.0), None when nothing was counted."""
        return ratio(self.met, self.counted)

    def complement(self) -> "Rate":
        """What did not meet it, of the same whole (backorder rate = 1 - first-time fill)."""
        return Rate(self.counted - self.met, self.counted, self.orders, self.exceptions)


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part/whole as a percentage with one decimal, None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def rate(met: Iterable[tuple[int, bool]]) -> Rate:
    """A count rate from (order id, met) per counted thing (a line or an order)."""
    hits = counted = 0
    orders: dict[int, None] = {}
    exceptions: dict[int, None] = {}
    for order_id, ok in met:
        counted += 1
        orders[order_id] = None
        if ok:
            hits += 1
        else:
            exceptions[order_id] = None
    return Rate(Decimal(hits), Decimal(counted), tuple(orders), tuple(exceptions))
