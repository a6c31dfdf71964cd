"""Parts of an order line: where and when each piece of a line's quantity is fulfilled.

Decision (issue #17, split shipments): a **line allocation table**, not line splitting. A line
keeps its number, price, quantity and its place in the ERP and the documents; its parts say
"60 from WH1 now, 40 from WH2 on 12-17". Splitting the line into child lines with a parent
reference would renumber what the customer ordered, duplicate prices and the ERP's sale lines,
and make every reader of lines (ATP, queue, acknowledgement, returns) learn about parents.

The line's own columns stay the sums every existing reader uses: `quantity_allocated` = the
parts allocated/released/picked, `quantity_backordered` = the backordered parts,
`warehouse_id` = the warehouse of its first live part. Stock rows (`stock_levels.allocated`)
are moved only by `services.allocation` and `services.deallocation`, which write the parts.
A line allocated before parts existed has none; its allocation is in its `warehouse_id`.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import qty_col, string, utcnow, version_field


class PartState(StrEnum):
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    RELEASED = "released"
    PICKED = "picked"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


#: Parts that hold stock in their warehouse (stock_levels.allocated counts them).
HOLDING = frozenset({PartState.ALLOCATED, PartState.RELEASED, PartState.PICKED})


class OrderLinePart(SQLModel, table=True):
    __tablename__ = "order_line_parts"
    __table_args__ = (UniqueConstraint("line_id", "part_no"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    line_id: int = Field(foreign_key="sales_order_lines.id", index=True)
    #: 1, 2, ... per line, in the order the parts were made.
    part_no: int
    #: None: a backorder not yet tied to a warehouse.
    warehouse_id: int | None = Field(default=None, foreign_key="warehouses.id")
    quantity: Decimal = qty_col()
    promised_date: date | None = None
    state: str = string(12, default=PartState.ALLOCATED)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()
