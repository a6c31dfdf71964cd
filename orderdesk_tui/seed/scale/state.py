"""What the generator knows while it builds rows: the items and customers so far, the counters."""

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from orderdesk_tui.seed.scale.storage_forms import StorageClock
from orderdesk_tui.seed.scale.vocabulary import CATEGORY_SPECS, WAREHOUSES

#: Orders span this many days before `today`.
HISTORY_DAYS = 730
#: Rows handed to the database per call.
CHUNK = 20_000


class ItemFacts:
    """What order lines and stock levels need to know of each generated item (by index)."""

    def __init__(self, n: int) -> None:
        self.part_number: list[str] = [""] * n
        self.description: list[str] = [""] * n
        self.uom: list[str] = [""] * n
        self.qty_kind: list[int] = [0] * n
        self.moq: list[int] = [0] * n
        self.multiple: list[int] = [0] * n
        self.list_price: list[int] = [0] * n
        self.drop_ship: list[bool] = [False] * n
        #: per warehouse: on hand (scaled) or -1 where the item is not stocked
        self.on_hand: list[list[int]] = [[-1] * n for _ in WAREHOUSES]
        self.allocated: list[list[int]] = [[0] * n for _ in WAREHOUSES]


@dataclass
class CustomerFacts:
    count: int
    tier: list[str] = field(default_factory=list)
    bill_to: list[int] = field(default_factory=list)
    first_ship_to: list[int] = field(default_factory=list)
    ship_tos: list[int] = field(default_factory=list)
    #: (terms, days, freight terms, free freight threshold in cents or 0, incoterm, place,
    #:  currency, ship via, tax basis points)
    terms: list[tuple[Any, ...]] = field(default_factory=list)
    edi: list[bool] = field(default_factory=list)
    credit_hold: list[bool] = field(default_factory=list)
    coordinator: list[str] = field(default_factory=list)
    po_format: list[str] = field(default_factory=list)
    po_next: list[int] = field(default_factory=list)
    #: warehouse serving each address, by address id
    address_warehouse: dict[int, int] = field(default_factory=dict)


class GeneratorState:
    """The generator's random source, clock and what later rows need of earlier ones."""

    def __init__(self, n: int, rng_seed: int, today: date) -> None:
        self.n = n
        self.rng = random.Random(rng_seed)
        self.clock = StorageClock(today)
        self.items = ItemFacts(n)
        self.customers = CustomerFacts(max(1, n // 10))
        self.orders = 0
        self.holds = 0
        cats = []
        for spec in CATEGORY_SPECS:
            prefix, name, weight, uom, kind, plo, phi, klo, khi, hs, nouns, specs, fin, haz = spec
            cat = (
                prefix, name, uom, kind, plo, phi / plo, klo, khi - klo, hs,
                nouns.split("|"), specs.split("|"), fin.split("|"), haz,
            )  # fmt: skip
            cats.extend([cat] * weight)
        self.categories = cats
