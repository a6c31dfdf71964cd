"""What an order acknowledgement says, as frozen plain values: read from the store by `load`,
worded by `wording`, laid out by `text` and `pdf`."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from orderdesk_tui.documents.company import Company

TITLE = "Order Acknowledgement"


@dataclass(frozen=True)
class AckLine:
    line_no: int
    part_number: str
    customer_part_number: str
    description: str
    quantity: Decimal
    uom: str
    unit_price: Decimal
    extended: Decimal
    #: When the whole line is expected to ship (the current promise).
    promised_date: date | None
    #: Allocated from stock: ships now.
    ship_now: Decimal
    backordered: Decimal
    #: When the backordered quantity is expected (None: to be confirmed).
    backorder_date: date | None
    drop_ship: bool = False
    hazmat_un_number: str = ""
    hazmat_class: str = ""
    #: Changed by the revision the acknowledgement is for (flagged `*` on the line).
    changed: bool = False


@dataclass(frozen=True)
class AckRemovedLine:
    """A line the revision removed, as the customer last saw it (what the diff says)."""

    line_no: int
    part_number: str = ""
    quantity: str = ""


@dataclass(frozen=True)
class AckHold:
    """An open hold as the customer reads it."""

    kind: str
    label: str
    notice: str


@dataclass(frozen=True)
class Acknowledgement:
    company: Company
    order_number: str
    order_date: date
    issued_on: date
    customer_code: str
    customer_name: str
    customer_po: str
    bill_to: tuple[str, ...]
    ship_to: tuple[str, ...]
    ship_to_code: str
    payment_terms: str
    freight_terms: str
    incoterm: str
    incoterm_place: str
    ship_via: str
    requested_date: date | None
    ship_complete: bool
    lines: tuple[AckLine, ...]
    subtotal: Decimal
    freight: Decimal
    tax: Decimal
    total: Decimal
    currency: str
    holds: tuple[AckHold, ...]
    notes: str
    #: The order revision acknowledged (0: as submitted; the document then says nothing of
    #: revisions).
    revision: int = 0
    #: What the revision changed, one change a line ("line 3 qty 10 → 25").
    changes: tuple[str, ...] = ()
    #: The lines the revision removed, listed after the lines as removed.
    removed: tuple[AckRemovedLine, ...] = ()

    @property
    def title(self) -> str:
        return f"{TITLE} - Revision {self.revision}" if self.revision else TITLE

    @property
    def incoterm_text(self) -> str:
        return " ".join(p for p in (self.incoterm, self.incoterm_place) if p)

    @property
    def ship_to_heading(self) -> str:
        return f"Ship to ({self.ship_to_code})" if self.ship_to_code else "Ship to"
