"""What availability is computed from: an item's facts, its stock per warehouse, incoming supply
and open demand (`ItemSupply`, loaded by `services.availability`), and the lines to promise."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

#: Item statuses that can still be bought (the others get no lead-time date).
ORDERABLE = frozenset({"active"})


@dataclass(frozen=True, slots=True)
class StockPosition:
    """One item in one warehouse: what is on the shelf and how much of it is already taken."""

    warehouse_id: int
    on_hand: Decimal
    allocated: Decimal
    warehouse_code: str = ""


@dataclass(frozen=True, slots=True)
class Supply:
    """Incoming supply: the open quantity of a purchase order line and when it is due."""

    warehouse_id: int
    quantity: Decimal
    #: None: no ETA given, counted at today + the item's lead time.
    eta: date | None
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Demand:
    """Open demand: the unallocated remainder of another order's line, and its date."""

    warehouse_id: int
    quantity: Decimal
    due: date
    reference: str = ""


@dataclass(frozen=True, slots=True)
class ItemFacts:
    item_id: int
    part_number: str = ""
    status: str = "active"
    lead_time_days: int = 14
    drop_ship_allowed: bool = False
    replacement_item_id: int | None = None
    fractional_uom: bool = False
    uom: str = "EA"

    @property
    def orderable(self) -> bool:
        return self.status in ORDERABLE


@dataclass(frozen=True, slots=True)
class ItemSupply:
    """Everything ATP needs about one item: facts, stock per warehouse, supply and demand."""

    item: ItemFacts
    stock: tuple[StockPosition, ...] = ()
    supply: tuple[Supply, ...] = ()
    demand: tuple[Demand, ...] = ()
    #: The warehouse a line ships from when it names none (the main DC).
    default_warehouse_id: int | None = None


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One line of an order, for `promise_order`."""

    item_id: int
    quantity: Decimal | int | str
    preferred_warehouse_id: int | None = None
    #: The only warehouse this line may use (a line already partly allocated there).
    only_warehouse_id: int | None = None
    #: The line may ship from several warehouses even when the order is promised one warehouse
    #: a line (`promise_order(single_warehouse=True)`), unless the order ships complete.
    split_warehouses: bool = False
    #: How the line is named in a FieldError ("line 3 quantity").
    field: str = "quantity"


def lead_date(item: ItemFacts, today: date) -> date:
    """When the item can be had if ordered today: today + its lead time."""
    return today + timedelta(days=max(item.lead_time_days, 0))
