"""SQLModel tables, one module per aggregate. Importing this package registers them all."""

from orderdesk_tui.models.audit import AuditEvent
from orderdesk_tui.models.change_draft import OrderChangeDraft
from orderdesk_tui.models.customer import Address, Contact, Customer
from orderdesk_tui.models.edi import EDIDocument
from orderdesk_tui.models.hold import Hold
from orderdesk_tui.models.invoice import Invoice, InvoiceLine
from orderdesk_tui.models.item import Item, ItemCrossReference
from orderdesk_tui.models.line_part import OrderLinePart
from orderdesk_tui.models.mail import MailOutbox
from orderdesk_tui.models.note import Note
from orderdesk_tui.models.numbering import NumberSequence
from orderdesk_tui.models.order import SalesOrder, SalesOrderLine
from orderdesk_tui.models.outbox import SyncOutbox
from orderdesk_tui.models.pricing import (
    PriceAgreement,
    PriceList,
    PriceListEntry,
    Promotion,
    QuantityBreak,
)
from orderdesk_tui.models.purchasing import PurchaseOrder, PurchaseOrderLine
from orderdesk_tui.models.queue import QueueChange, QueueState
from orderdesk_tui.models.revision import OrderRevision
from orderdesk_tui.models.rma import RMA, RMALine
from orderdesk_tui.models.shipment import Package, Shipment, ShipmentLine
from orderdesk_tui.models.sync_state import SyncCursor
from orderdesk_tui.models.user import User, UserSecret
from orderdesk_tui.models.warehouse import StockLevel, Warehouse

__all__ = [
    "RMA",
    "Address",
    "AuditEvent",
    "Contact",
    "Customer",
    "EDIDocument",
    "Hold",
    "Invoice",
    "InvoiceLine",
    "Item",
    "ItemCrossReference",
    "MailOutbox",
    "Note",
    "NumberSequence",
    "OrderChangeDraft",
    "OrderLinePart",
    "OrderRevision",
    "Package",
    "PriceAgreement",
    "PriceList",
    "PriceListEntry",
    "Promotion",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "QuantityBreak",
    "QueueChange",
    "QueueState",
    "RMALine",
    "SalesOrder",
    "SalesOrderLine",
    "Shipment",
    "ShipmentLine",
    "StockLevel",
    "SyncCursor",
    "SyncOutbox",
    "User",
    "UserSecret",
    "Warehouse",
]
