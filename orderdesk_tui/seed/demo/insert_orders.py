"""Writing planned sales orders, stock levels and purchase orders to the store."""

from datetime import timedelta
from typing import Any

from orderdesk_tui.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
)
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.seed.demo.constants import COORDINATORS, Q3, ZERO
from orderdesk_tui.seed.demo.records import LinePlan
from orderdesk_tui.seed.demo.state import LoaderState
from orderdesk_tui.services.numbering import next_number


class OrderInserts(LoaderState):
    """Inserts orders, their lines, stock levels and purchase orders."""

    def _insert_orders(self) -> None:
        s = self.session
        numbers = [next_number(s, "order") for _ in self.orders]
        rows: list[SalesOrder] = []
        for order, number in zip(self.orders, numbers, strict=True):
            cust = order.cust
            assert cust.row.id is not None
            open_state = order.state in (
                OrderState.ENTERED,
                OrderState.ON_HOLD,
                OrderState.ACKNOWLEDGED,
                OrderState.RELEASED,
                OrderState.PARTIALLY_SHIPPED,
                OrderState.DRAFT,
            )
            assigned = order.entered_by if order.entered_by in COORDINATORS else ""
            if open_state and not assigned:
                assigned = self.rng.choice(COORDINATORS)
            last_change = max(
                d
                for d in (
                    order.entered_at,
                    order.acknowledged_at,
                    order.released_at,
                    order.shipped_at,
                    order.invoiced_at,
                    order.closed_at,
                    order.cancelled_at,
                )
                if d is not None
            )
            order.row = SalesOrder(
                number=number,
                customer_id=cust.row.id,
                customer_po=order.customer_po,
                bill_to_id=cust.bill_to.id,
                ship_to_id=order.ship_to.id,
                state=order.state,
                source=order.source,
                priority=order.priority,
                ship_via=order.ship_via,
                ship_complete=order.ship_complete,
                freight_terms=cust.row.freight_terms,
                incoterm=cust.row.incoterm,
                incoterm_place=cust.row.incoterm_place,
                currency=cust.row.currency,
                payment_terms=cust.row.payment_terms,
                promotion_code=order.promotion_code,
                notes=order.header_notes.strip(),
                received_at=order.received_at,
                entered_at=order.entered_at,
                requested_date=order.requested,
                first_promised_date=order.first_promised,
                last_promised_date=order.last_promised,
                acknowledged_at=order.acknowledged_at,
                released_at=order.released_at,
                shipped_at=order.shipped_at
                if order.state not in (OrderState.PARTIALLY_SHIPPED,)
                else None,
                invoiced_at=order.invoiced_at,
                closed_at=order.closed_at,
                cancelled_at=order.cancelled_at,
                cancel_reason=order.cancel_reason if order.state == OrderState.CANCELLED else "",
                entered_by=order.entered_by,
                assigned_to=assigned,
                subtotal=order.subtotal,
                freight=order.freight,
                tax=order.tax,
                total=order.total,
                created_at=order.entered_at,
                updated_at=last_change,
            )
            rows.append(order.row)
        s.add_all(rows)
        s.flush()
        lines: list[dict[str, Any]] = []
        planned: list[LinePlan] = []
        for order in self.orders:
            assert order.row is not None and order.row.id is not None
            for no, ln in enumerate(order.lines, start=1):
                planned.append(ln)
                lines.append(
                    {
                        "order_id": order.row.id,
                        "line_no": no,
                        "item_id": ln.item.id,
                        "part_number": ln.item.part_number,
                        "customer_part_number": ln.customer_part,
                        "description": ln.item.description,
                        "quantity": ln.quantity,
                        "uom": ln.item.uom,
                        "list_price": ln.item.list_price,
                        "unit_price": ln.unit_price,
                        "price_source": ln.price_source,
                        "discount_percent": ZERO,
                        "discount_amount": ZERO,
                        "override_reason": ln.override_reason,
                        "extended": ln.extended,
                        "warehouse_id": ln.warehouse.id if ln.warehouse else None,
                        "quantity_allocated": ln.allocated,
                        "quantity_shipped": ln.shipped,
                        "quantity_backordered": ln.backordered,
                        "quantity_cancelled": ln.cancelled,
                        "requested_date": order.requested,
                        "first_promised_date": order.first_promised,
                        "last_promised_date": ln.last_promised if order.first_promised else None,
                        "shipped_date": ln.shipped_date,
                        "drop_ship": ln.drop_ship,
                        "version": 1,
                    }
                )
        for ln, line_id in zip(planned, self._bulk_insert(SalesOrderLine, lines), strict=True):
            ln.row_id = line_id
        self.summary.orders = len(rows)
        self.summary.order_lines = len(lines)

    def _insert_stock(self) -> None:
        updated = self.now - timedelta(hours=2)
        rows = [
            {
                "item_id": item_id,
                "warehouse_id": wh_id,
                "on_hand": level.on_hand,
                "allocated": level.allocated,
                "bin_location": level.bin_location,
                "updated_at": updated,
                "version": 1,
            }
            for (item_id, wh_id), level in self.stock.items()
        ]
        self._bulk_insert(StockLevel, rows)
        self.summary.stock_levels = len(rows)

    def _insert_purchase_orders(self) -> None:
        s = self.session
        self.pos.sort(key=lambda p: p.ordered_at)
        rows: list[PurchaseOrder] = []
        for po in self.pos:
            so_id = po.order.row.id if po.order is not None and po.order.row is not None else None
            rows.append(
                PurchaseOrder(
                    number=next_number(s, "purchase"),
                    vendor_name=po.vendor,
                    kind=po.kind,
                    warehouse_id=po.warehouse.id if po.warehouse else None,
                    sales_order_id=so_id,
                    state=po.state,
                    ordered_at=po.ordered_at,
                    eta=min(e for *_, e, _ in po.lines),
                )
            )
        s.add_all(rows)
        s.flush()
        lines: list[PurchaseOrderLine] = []
        for po, row in zip(self.pos, rows, strict=True):
            assert row.id is not None
            for item, qty, got, cost, eta, so_line in po.lines:
                assert item.id is not None
                lines.append(
                    PurchaseOrderLine(
                        purchase_order_id=row.id,
                        item_id=item.id,
                        sales_order_line_id=so_line.row_id if so_line else None,
                        quantity=qty.quantize(Q3),
                        quantity_received=got,
                        unit_cost=cost,
                        eta=eta,
                    )
                )
        s.add_all(lines)
        s.flush()
        self.summary.purchase_orders = len(rows)
