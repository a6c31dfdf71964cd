"""DemoSummary: the counts `load_demo` reports."""

from dataclasses import dataclass


@dataclass
class DemoSummary:
    """What `load_demo` inserted."""

    customers: int = 0
    addresses: int = 0
    contacts: int = 0
    items: int = 0
    warehouses: int = 0
    stock_levels: int = 0
    price_agreements: int = 0
    orders: int = 0
    order_lines: int = 0
    holds: int = 0
    shipments: int = 0
    invoices: int = 0
    purchase_orders: int = 0
    rmas: int = 0
    notes: int = 0
    edi_documents: int = 0
    audit_events: int = 0
    users: int = 0

    def __str__(self) -> str:
        return (
            f"{self.customers} customers, {self.items} items, {self.orders} orders "
            f"({self.order_lines} lines), {self.holds} holds, {self.shipments} shipments, "
            f"{self.invoices} invoices, {self.purchase_orders} purchase orders, {self.rmas} RMAs, "
            f"{self.edi_documents} EDI documents"
        )
