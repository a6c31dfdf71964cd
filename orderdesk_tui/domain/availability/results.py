"""What availability answers for a line: the pieces that ship now and later (with warehouse, date
and source), what cannot be promised, the alternatives and the reasoning in words."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from orderdesk_tui.domain.availability.inputs import ItemFacts
from orderdesk_tui.domain.availability.projection import Projection
from orderdesk_tui.domain.money import ZERO


class Source(StrEnum):
    STOCK = "stock"
    PURCHASE_ORDER = "purchase_order"
    LEAD_TIME = "lead_time"


class AlternativeKind(StrEnum):
    OTHER_WAREHOUSE = "other_warehouse"
    SPLIT_WAREHOUSES = "split_warehouses"
    REPLACEMENT = "replacement"
    PARTIAL_BACKORDER = "partial_backorder"
    SHIP_COMPLETE = "ship_complete"
    DROP_SHIP = "drop_ship"


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of a line's promise: this quantity, on this date, from this warehouse and source."""

    quantity: Decimal
    day: date
    warehouse_id: int | None
    source: Source
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another way to serve the line: `quantity` on `day`, then `backorder_quantity` on
    `backorder_day` (zero and None when the first part covers it all)."""

    kind: AlternativeKind
    quantity: Decimal
    day: date
    warehouse_id: int | None = None
    item_id: int | None = None
    part_number: str = ""
    backorder_quantity: Decimal = ZERO
    backorder_day: date | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class LineAvailability:
    """The answer for one line: what ships now and from where, the rest by date, what cannot
    be promised at all, the alternatives and the reasoning in words."""

    item: ItemFacts
    quantity: Decimal
    today: date
    ship_now: tuple[Piece, ...]
    later: tuple[Piece, ...]
    unavailable: Decimal
    alternatives: tuple[Alternative, ...] = ()
    explanation: tuple[str, ...] = ()
    projection: Projection | None = field(default=None, compare=False, repr=False)

    @property
    def now_quantity(self) -> Decimal:
        return sum((p.quantity for p in self.ship_now), ZERO)

    @property
    def shortfall(self) -> Decimal:
        """What does not ship now (promised later or not at all)."""
        return self.quantity - self.now_quantity

    @property
    def promised_quantity(self) -> Decimal:
        return self.quantity - self.unavailable

    @property
    def complete_date(self) -> date | None:
        """When the whole line is available (today if it ships now); None if it never is."""
        if self.unavailable > 0:
            return None
        return max((p.day for p in self.later), default=self.today)

    @property
    def rest_date(self) -> date | None:
        """When the shortfall is available: None if there is none or it cannot be promised."""
        if not self.later or self.unavailable > 0:
            return None
        return max(p.day for p in self.later)

    @property
    def warehouse_ids(self) -> tuple[int, ...]:
        seen: list[int] = []
        for p in (*self.ship_now, *self.later):
            if p.warehouse_id is not None and p.warehouse_id not in seen:
                seen.append(p.warehouse_id)
        return tuple(seen)

    @property
    def alternative_kinds(self) -> tuple[AlternativeKind, ...]:
        return tuple(a.kind for a in self.alternatives)
