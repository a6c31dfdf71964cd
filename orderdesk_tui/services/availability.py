"""Availability (ATP) from the store: what a line or an order can ship, from where and when.
(Allocation at submit, which reads the same inputs: `services.allocation`.)

Loading one item's inputs is two prepared statements, returned as plain rows (not ORM
objects): `ITEMS_QUERY` (the item and its replacement, by id) and `ATP_QUERY` (a UNION ALL of
the active warehouses and of stock levels, open purchase order lines and open order lines by
item_id). ATP for one line takes well under 2 ms on the `seed --scale 1000000` store
(bench/atp.py); an item with thousands of order lines in its history pays for reading them
all through ix_sales_order_lines_item_id, which a partial index on the open ones would avoid.

Which rows count (domain.availability has the arithmetic):
- stock: StockLevel rows of active warehouses;
- supply: open replenishment purchase order lines (not drop ships, not special buys tied to a
  sales order line), quantity - received - cancelled, due on the line's ETA, else the PO's;
- demand: lines of submitted, unshipped orders (entered, on hold, acknowledged, released,
  partially shipped), not drop ship, with quantity - allocated - shipped - cancelled > 0, due on
  their last promised date, else requested date (line, then order). Drafts are not demand:
  their stock is taken when they are submitted (`services.allocation`).
Supply or demand without a warehouse counts in the default warehouse (lowest id, active).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, Integer, String, bindparam, select, text
from sqlalchemy.sql.selectable import TextualSelect
from sqlmodel import Session, col

from orderdesk_tui.domain.availability.inputs import (
    Demand,
    ItemFacts,
    ItemSupply,
    LineRequest,
    StockPosition,
    Supply,
)
from orderdesk_tui.domain.availability.line_promise import promise_line
from orderdesk_tui.domain.availability.order_promise import promise_order
from orderdesk_tui.domain.availability.projection import Projection, project
from orderdesk_tui.domain.availability.quantities import parse_quantity
from orderdesk_tui.domain.availability.results import LineAvailability
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import SalesOrderLine
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.models.types import Quantity
from orderdesk_tui.store import Store

#: Orders whose unallocated line quantities are open demand.
DEMAND_STATES = (
    OrderState.ENTERED,
    OrderState.ON_HOLD,
    OrderState.ACKNOWLEDGED,
    OrderState.RELEASED,
    OrderState.PARTIALLY_SHIPPED,
)
#: Purchase orders whose lines are general incoming supply.
SUPPLY_KINDS = ("replenishment", "special_buy")


def today_utc() -> date:
    return datetime.now(UTC).date()


# -- the one query ------------------------------------------------------------------------------

#: The items and their replacements, by primary key (a replacement may come twice).
ITEMS_QUERY = (
    text(
        """
SELECT id, part_number, status, lead_time_days, drop_ship_allowed, replacement_item_id,
       fractional_uom, uom
FROM items WHERE id IN :ids
UNION ALL
SELECT r.id, r.part_number, r.status, r.lead_time_days, r.drop_ship_allowed,
       r.replacement_item_id, r.fractional_uom, r.uom
FROM items i JOIN items r ON r.id = i.replacement_item_id
WHERE i.id IN :ids
"""
    )
    .bindparams(bindparam("ids", expanding=True))
    .columns(
        id=Integer,
        part_number=String,
        status=String,
        lead_time_days=Integer,
        drop_ship_allowed=Boolean,
        replacement_item_id=Integer,
        fractional_uom=Boolean,
        uom=String,
    )
)

#: The rest of what ATP reads for those items, in one round trip: active warehouses ('w'),
#: stock levels ('s'), open supply ('p') and open demand ('d'). Each branch is an indexed
#: lookup (stock_levels, purchase_order_lines, sales_order_lines by item_id; their headers by
#: primary key) given the item ids as literal parameters, so that the planner starts there.
_ATP_SQL = """
SELECT 'w' AS kind, NULL AS item_id, w.id AS warehouse_id, CAST(NULL AS NUMERIC) AS q1,
       CAST(NULL AS NUMERIC) AS q2, CAST(NULL AS NUMERIC) AS q3, CAST(NULL AS NUMERIC) AS q4,
       CAST(NULL AS DATE) AS day, w.code AS ref
FROM warehouses w WHERE w.active
UNION ALL
SELECT 's', s.item_id, s.warehouse_id, s.on_hand, s.allocated, NULL, NULL, NULL, NULL
FROM stock_levels s WHERE s.item_id IN :ids
UNION ALL
SELECT 'p', l.item_id, p.warehouse_id, l.quantity - l.quantity_cancelled, l.quantity_received,
       NULL, NULL,
       COALESCE(l.eta, p.eta), p.number
FROM purchase_order_lines l JOIN purchase_orders p ON p.id = l.purchase_order_id
WHERE l.item_id IN :ids AND p.state = 'open' AND p.kind IN :supply_kinds
  AND l.sales_order_line_id IS NULL
  AND l.quantity > l.quantity_received + l.quantity_cancelled
UNION ALL
SELECT 'd', l.item_id, l.warehouse_id, l.quantity, l.quantity_allocated, l.quantity_shipped,
       l.quantity_cancelled, COALESCE(l.last_promised_date, l.requested_date, o.requested_date),
       o.number
FROM sales_order_lines l {open_demand} JOIN sales_orders o ON o.id = l.order_id
WHERE l.item_id IN :ids
  AND l.quantity > l.quantity_allocated + l.quantity_shipped + l.quantity_cancelled
  AND NOT l.drop_ship AND o.state IN :demand_states AND l.order_id <> :exclude
"""


def _atp_query(open_demand: str) -> TextualSelect:
    return (
        text(_ATP_SQL.format(open_demand=open_demand))
        .bindparams(
            bindparam("ids", expanding=True),
            bindparam("supply_kinds", expanding=True),
            bindparam("demand_states", expanding=True),
        )
        .columns(
            kind=String,
            item_id=Integer,
            warehouse_id=Integer,
            q1=Quantity,
            q2=Quantity,
            q3=Quantity,
            q4=Quantity,
            day=Date,
            ref=String,
        )
    )


ATP_QUERY = _atp_query("")
#: SQLite's planner reads demand through the plain item_id index (its statistics say about two
#: lines an item), so a hot item read every line it ever had (10,000 on the 1M store, 18-21
#: ms); the open-demand partial index (migration 0004) holds only the open ones (0.2 ms).
ATP_QUERY_SQLITE = _atp_query("INDEXED BY ix_sales_order_lines_open_demand")
_SUPPLY_KINDS = list(SUPPLY_KINDS)
_DEMAND_STATES = [str(s) for s in DEMAND_STATES]


@dataclass(frozen=True, slots=True)
class StockRow:
    item_id: int
    warehouse_id: int
    on_hand: Decimal
    allocated: Decimal


def load_supplies(
    session: Session,
    item_ids: Iterable[int],
    *,
    today: date,
    exclude_order_id: int | None = None,
    stock_rows: Sequence[StockRow] | None = None,
) -> dict[int, ItemSupply]:
    """The ATP inputs of `item_ids` and of their replacement items, read in two queries.

    `stock_rows` replaces the stock read (allocation passes the rows it has locked).
    """
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    conn = session.connection()
    facts: dict[int, ItemFacts] = {}
    for item_id, part, status, lead, drop, repl, fractional, uom in conn.execute(
        ITEMS_QUERY, {"ids": ids}
    ):
        facts[item_id] = ItemFacts(
            item_id=item_id,
            part_number=part,
            status=status,
            lead_time_days=lead,
            drop_ship_allowed=bool(drop),
            replacement_item_id=repl,
            fractional_uom=bool(fractional),
            uom=uom,
        )
    if not facts:
        return {}
    rows = conn.execute(
        ATP_QUERY_SQLITE if conn.dialect.name == "sqlite" else ATP_QUERY,
        {
            "ids": sorted(facts),
            "supply_kinds": _SUPPLY_KINDS,
            "demand_states": _DEMAND_STATES,
            "exclude": exclude_order_id or 0,
        },
    )
    codes: dict[int, str] = {}
    stock: dict[int, list[tuple[int, Decimal, Decimal]]] = defaultdict(list)
    supply: dict[int, list[Supply]] = defaultdict(list)
    demand_rows: list[tuple[int, int | None, Decimal, date | None, str]] = []
    for kind, item_id, wid, q1, q2, q3, q4, day, ref in rows:
        if kind == "w":
            codes[wid] = ref
        elif kind == "s":
            if stock_rows is None:
                stock[item_id].append((wid, q1, q2))
        elif kind == "p":
            supply[item_id].append(Supply(wid, q1 - q2, day, ref))  # warehouse checked below
        else:
            demand_rows.append((item_id, wid, q1 - q2 - q3 - q4, day, ref))
    if stock_rows is not None:
        for r in stock_rows:
            stock[r.item_id].append((r.warehouse_id, r.on_hand, r.allocated))
    default = min(codes) if codes else None

    def where(warehouse_id: int | None) -> int | None:
        return warehouse_id if warehouse_id in codes else default

    out: dict[int, ItemSupply] = {}
    for item_id, item in facts.items():
        item_supply = []
        for s in supply.get(item_id, ()):
            wid = where(s.warehouse_id)
            if wid is not None:
                item_supply.append(replace(s, warehouse_id=wid))
        item_demand = []
        for d_item, d_wid, qty, due, number in demand_rows:
            wid = where(d_wid)
            if d_item == item_id and wid is not None:
                item_demand.append(Demand(wid, qty, due or today, number))
        out[item_id] = ItemSupply(
            item=item,
            stock=tuple(
                StockPosition(wid, on_hand, allocated, codes[wid])
                for wid, on_hand, allocated in stock.get(item_id, ())
                if wid in codes
            ),
            supply=tuple(item_supply),
            demand=tuple(item_demand),
            default_warehouse_id=default,
        )
    return out


# -- reading availability -----------------------------------------------------------------------


def supply_of(supplies: dict[int, ItemSupply], item_id: int) -> ItemSupply:
    """The ATP inputs of `item_id` among `supplies` (FieldError: no such item)."""
    supply = supplies.get(item_id)
    if supply is None:
        raise FieldError("item", f"no item with id {item_id}")
    return supply


def line_availability(
    session: Session,
    item_id: int,
    quantity: object,
    *,
    preferred_warehouse_id: int | None = None,
    exclude_order_id: int | None = None,
    today: date | None = None,
    single_warehouse: bool = False,
) -> LineAvailability:
    """ATP for one line: what ships now from where, the rest by date, the alternatives.

    A quantity that is not a positive number raises FieldError before anything is read.
    `exclude_order_id`: the order the line belongs to (its own lines are not demand).
    `single_warehouse`: promise it as allocation at submit does (one warehouse a line, a
    split offered as an alternative).
    """
    parse_quantity(quantity)
    today = today or today_utc()
    supplies = load_supplies(session, [item_id], today=today, exclude_order_id=exclude_order_id)
    supply = supply_of(supplies, item_id)
    repl_id = supply.item.replacement_item_id
    return promise_line(
        supply,
        quantity,
        today,
        preferred_warehouse_id=preferred_warehouse_id,
        single_warehouse=single_warehouse,
        replacement=supplies.get(repl_id) if repl_id is not None else None,
    )


def check_line(
    store: Store,
    item_id: int,
    quantity: object,
    *,
    preferred_warehouse_id: int | None = None,
    exclude_order_id: int | None = None,
    today: date | None = None,
    single_warehouse: bool = False,
) -> LineAvailability:
    """`line_availability` in a session of its own (for a screen worker)."""
    parse_quantity(quantity)
    with store.session() as session:
        return line_availability(
            session,
            item_id,
            quantity,
            preferred_warehouse_id=preferred_warehouse_id,
            exclude_order_id=exclude_order_id,
            today=today,
            single_warehouse=single_warehouse,
        )


def item_projection(
    session: Session,
    item_id: int,
    *,
    today: date | None = None,
    exclude_order_id: int | None = None,
) -> Projection:
    """An item's ATP per warehouse and in total, by date."""
    today = today or today_utc()
    supplies = load_supplies(session, [item_id], today=today, exclude_order_id=exclude_order_id)
    return project(supply_of(supplies, item_id), today)


def open_quantity(line: SalesOrderLine) -> Decimal:
    """What is left of the line to allocate or ship."""
    return line.quantity - line.quantity_allocated - line.quantity_shipped - line.quantity_cancelled


def stock_requests(lines: Sequence[SalesOrderLine]) -> list[tuple[SalesOrderLine, LineRequest]]:
    """The lines that take stock (an item, not drop ship, something left to allocate)."""
    out: list[tuple[SalesOrderLine, LineRequest]] = []
    for line in lines:
        if line.item_id is None or line.drop_ship:
            continue
        label = f"line {line.line_no} quantity"
        if line.quantity <= 0:
            parse_quantity(line.quantity, field=label)
        need = open_quantity(line)
        if need <= 0:
            continue
        out.append(
            (
                line,
                LineRequest(
                    item_id=line.item_id,
                    quantity=need,
                    preferred_warehouse_id=line.warehouse_id,
                    only_warehouse_id=line.warehouse_id
                    if line.quantity_allocated > 0 and not line.split_warehouses
                    else None,
                    split_warehouses=line.split_warehouses,
                    field=label,
                ),
            )
        )
    return out


def order_availability(
    session: Session, order_id: int, *, today: date | None = None
) -> list[tuple[SalesOrderLine, LineAvailability]]:
    """ATP for every line of an order still to allocate, each line seeing the ones before it."""
    today = today or today_utc()
    lines = order_lines(session, order_id)
    work = stock_requests(lines)
    supplies = load_supplies(
        session, [r.item_id for _, r in work], today=today, exclude_order_id=order_id
    )
    for _, req in work:
        supply_of(supplies, req.item_id)
    results = promise_order([r for _, r in work], supplies, today)
    return [(line, res) for (line, _), res in zip(work, results, strict=True)]


def order_lines(session: Session, order_id: int) -> list[SalesOrderLine]:
    """The order's lines in line order, as stored now (not as the session last saw them)."""
    return list(
        session.execute(
            select(SalesOrderLine)
            .where(col(SalesOrderLine.order_id) == order_id)
            .order_by(col(SalesOrderLine.line_no))
            .execution_options(populate_existing=True)
        ).scalars()
    )
