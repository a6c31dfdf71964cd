"""ScaleSummary: what `seed_scale` wrote and how long each phase took."""

from dataclasses import dataclass, field


@dataclass
class ScaleSummary:
    """What `seed_scale` wrote and how long each phase took."""

    n: int
    items: int = 0
    customers: int = 0
    addresses: int = 0
    contacts: int = 0
    warehouses: int = 0
    stock_levels: int = 0
    orders: int = 0
    order_lines: int = 0
    holds: int = 0
    #: phase -> seconds (generation and writing together)
    seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return (
            self.items + self.customers + self.addresses + self.contacts + self.warehouses
            + self.stock_levels + self.orders + self.order_lines + self.holds
        )  # fmt: skip

    def __str__(self) -> str:
        return (
            f"{self.items:,} items, {self.customers:,} customers ({self.addresses:,} addresses, "
            f"{self.contacts:,} contacts), {self.warehouses} warehouses, "
            f"{self.stock_levels:,} stock levels, {self.orders:,} orders with "
            f"{self.order_lines:,} lines, {self.holds:,} holds"
        )
