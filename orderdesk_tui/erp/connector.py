"""What the sync engine needs from an ERP, whichever it is (Tryton first; Business Central,
NetSuite, ERPNext, SAP, Odoo later): plain records in, plain records out, async.

Connectors raise `TransientErpError` for what a retry may fix (network, timeout, 5xx, 429 with
its Retry-After) and `PermanentErpError` for what it will not (validation, unknown product);
the engine decides about retries, idempotency and holds, so connectors stay small.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, Protocol, TypeVar


class ErpError(Exception):
    """Any failure talking to the ERP. Messages never contain credentials."""


class TransientErpError(ErpError):
    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentErpError(ErpError):
    """The ERP refused the request for a reason a retry will not change; shown on an ERP hold."""


@dataclass(frozen=True)
class PostalAddress:
    code: str
    name: str
    street: str
    city: str
    postal_code: str
    country: str
    region: str = ""


@dataclass(frozen=True)
class OrderLinePayload:
    line_no: int
    part_number: str
    description: str
    quantity: Decimal
    uom: str
    unit_price: Decimal


@dataclass(frozen=True)
class OrderPayload:
    """One of our orders as the ERP must receive it; `number` is its reference there."""

    number: str
    customer_code: str
    customer_name: str
    customer_po: str
    currency: str
    bill_to: PostalAddress | None
    ship_to: PostalAddress | None
    lines: tuple[OrderLinePayload, ...]
    requested_date: date | None = None
    payment_terms: str = ""
    notes: str = ""


@dataclass(frozen=True)
class PurchaseLinePayload:
    line_no: int
    part_number: str
    description: str
    #: What is bought (ordered less cancelled).
    quantity: Decimal
    uom: str
    unit_cost: Decimal
    delivery_date: date | None = None


@dataclass(frozen=True)
class PurchasePayload:
    """One of our POs as the ERP must receive it: a purchase from `vendor_code` whose reference
    there is our `number`. A drop ship carries the customer's `ship_to`; `confirmed` when the
    vendor acknowledged it (their `vendor_reference`); `cancelled` when nothing is bought."""

    number: str
    vendor_code: str
    vendor_name: str
    kind: str
    currency: str
    warehouse_code: str
    lines: tuple[PurchaseLinePayload, ...]
    ship_to: PostalAddress | None = None
    vendor_reference: str = ""
    confirmed: bool = False
    cancelled: bool = False
    notes: str = ""


@dataclass(frozen=True)
class CustomerPayload:
    """One of our customers as the ERP keeps it; `code` finds it there. An inactive customer
    the ERP does not have is not created."""

    code: str
    name: str
    active: bool = True
    tax_id: str = ""
    tax_id_type: str = ""


@dataclass(frozen=True)
class AddressPayload:
    """One address of a customer, found in the ERP by `address.code`; the customer is created
    first when the ERP does not have it. An inactive address the ERP does not have is not
    created."""

    customer: CustomerPayload
    address: PostalAddress
    #: Where the ERP uses it: invoices (our bill-to) or deliveries (our ship-to).
    invoice: bool
    active: bool = True
    #: The address code before it was changed here: the ERP's address is found by it when
    #: none has the new code yet, and takes the new code.
    previous_code: str = ""


@dataclass(frozen=True)
class ErpOrderRef:
    erp_id: str
    erp_number: str


@dataclass(frozen=True)
class ErpOrderState:
    ref: ErpOrderRef
    state: str
    #: When the ERP last changed the order (conflict detection against our last sync).
    changed_at: datetime | None


@dataclass(frozen=True)
class ErpCustomer:
    code: str
    name: str
    erp_id: str
    addresses: tuple[PostalAddress, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class ErpItem:
    part_number: str
    description: str
    erp_id: str
    uom: str = "EA"
    list_price: Decimal | None = None
    cost: Decimal | None = None
    active: bool = True


@dataclass(frozen=True)
class ErpStock:
    part_number: str
    warehouse_code: str
    on_hand: Decimal


T = TypeVar("T")


@dataclass(frozen=True)
class PullPage(Generic[T]):
    """Records changed since a cursor, and the cursor to ask from next time."""

    records: tuple[T, ...] = field(default_factory=tuple)
    cursor: str | None = None


class Connector(Protocol):
    """An ERP as the sync engine sees it."""

    name: str

    async def find_order(self, reference: str) -> ErpOrderRef | None:
        """The ERP order whose reference is our order number (idempotent retries)."""
        ...

    async def push_order(self, order: OrderPayload) -> ErpOrderRef:
        """Create the order (customer, addresses, products resolved) and confirm it."""
        ...

    async def push_change(self, ref: ErpOrderRef, order: OrderPayload) -> ErpOrderRef: ...

    async def push_cancel(self, ref: ErpOrderRef, reason: str) -> None: ...

    async def order_state(self, ref: ErpOrderRef) -> ErpOrderState: ...

    async def push_purchase(self, purchase: PurchasePayload) -> ErpOrderRef:
        """Create the purchase (found again by our PO number), or bring it to the payload:
        lines while the vendor has not confirmed, then confirmed, or cancelled."""
        ...

    async def push_customer(self, customer: CustomerPayload) -> None:
        """Create the customer, or update its name, activity (and tax id where the ERP keeps
        one); repeating it changes nothing."""
        ...

    async def push_address(self, address: AddressPayload) -> None:
        """Create or update that address of the customer; repeating it changes nothing."""
        ...

    async def pull_customers(self, cursor: str | None) -> PullPage[ErpCustomer]: ...

    async def pull_items(self, cursor: str | None) -> PullPage[ErpItem]: ...

    async def pull_stock(self, cursor: str | None) -> PullPage[ErpStock]: ...

    async def aclose(self) -> None: ...
