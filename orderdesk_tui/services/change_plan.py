"""What a change does to each line of the order, checked against the order as locked.

`ChangePlan` is the working part of `services.order_change.apply_change_in`: it checks the
change (per line: shipped and picked, removals, parts, overrides, what the columns hold; the
header: ship-to, dates, PO, freight terms), says what the order becomes (`after`, for the
revision's diff), prices it (`price`: lines the change does not touch keep their price) and
writes the lines (`write_lines`: frees what a cut no longer needs, then the new values, then
the added lines after the highest line number).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, func, select

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import ZERO
from orderdesk_tui.domain.pricing import order as order_rules
from orderdesk_tui.domain.pricing.inputs import LineRequest
from orderdesk_tui.domain.pricing.results import LineResult, OrderPricing
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import (
    Address,
    Item,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
    StockLevel,
)
from orderdesk_tui.models.base import AddressKind, FreightTerms, ItemStatus
from orderdesk_tui.services import drafts, order_diff
from orderdesk_tui.services.audit import VersionedUpdate, apply_updates, record_insert
from orderdesk_tui.services.deallocation import free_allocation_in
from orderdesk_tui.services.order_diff import OrderSnapshot
from orderdesk_tui.services.pricing import load_pricing_context_in

#: Shipments whose lines hold goods the warehouse picked but has not shipped yet.
PICKED_STATES = ("picked",)


@dataclass(frozen=True)
class LineChange:
    """One line's change; `line_no=None` adds a line (it needs `item_id` and `quantity`)."""

    line_no: int | None
    quantity: Decimal | None = None
    item_id: int | None = None
    #: An override of the unit price; needs `override_reason`.
    unit_price: Decimal | None = None
    override_reason: str = ""
    requested_date: date | None = None
    remove: bool = False


@dataclass(frozen=True)
class OrderChange:
    """Header values to set and per-line changes (see services.order_change)."""

    header: dict[str, Any] = field(default_factory=dict)
    lines: tuple[LineChange, ...] = ()


class ChangePlan:
    """The change checked against the order as locked: what each line becomes."""

    def __init__(
        self,
        session: Session,
        order: SalesOrder,
        lines: list[SalesOrderLine],
        change: OrderChange,
        today: date,
    ) -> None:
        self.session, self.order, self.lines, self.change = session, order, lines, change
        self.today = today
        self.problems: list[str] = []
        self.by_no = {line.line_no: line for line in lines}
        self.items: dict[int, Item] = {}
        self.ship_to: Address | None = None
        #: line_no -> the LineChange for an existing line.
        self.existing: dict[int, LineChange] = {}
        #: new line number -> LineChange
        self.added: dict[int, LineChange] = {}
        #: Lines priced again (changed part, quantity or price, and added ones).
        self.repriced: set[int] = set()
        self.removed: set[int] = set()
        self._check_header()
        self._check_lines()

    # -- checks ------------------------------------------------------------------------------

    def _check_header(self) -> None:
        values = self.change.header
        try:
            drafts.check_header({k: v for k, v in values.items() if k != "ship_to_id"})
        except FieldError as error:
            self.problems.append(str(error))
        if "customer_po" in values and not str(values["customer_po"]).strip():
            self.problems.append("customer PO: is required")
        if "freight_terms" in values and values["freight_terms"] not in set(FreightTerms):
            self.problems.append(f"freight terms: '{values['freight_terms']}' is not one")
        when = values.get("requested_date")
        if when is not None and when < self.today and when != self.order.requested_date:
            self.problems.append(f"requested date: {when:%a %Y-%m-%d} is in the past")
        if "ship_to_id" in values and values["ship_to_id"] != self.order.ship_to_id:
            address = self.session.get(Address, values["ship_to_id"])
            if (
                address is None
                or address.customer_id != self.order.customer_id
                or address.kind != AddressKind.SHIP_TO
                or not address.active
            ):
                code = address.code if address else str(values["ship_to_id"])
                self.problems.append(f"ship-to: {code} is not a ship-to of this customer")
                return
            self.ship_to = address

    def _check_lines(self) -> None:
        next_no = max(self.by_no, default=0) + 1
        wanted_items = {c.item_id for c in self.change.lines if c.item_id is not None}
        if wanted_items:
            self.items = {
                i.id: i
                for i in self.session.exec(select(Item).where(col(Item.id).in_(wanted_items)))
                if i.id is not None
            }
        moving = self._shipped_or_picked()
        for c in self.change.lines:
            if c.line_no is None:
                self._check_new(next_no, c)
                self.added[next_no] = c
                self.repriced.add(next_no)
                next_no += 1
                continue
            line = self.by_no.get(c.line_no)
            if line is None:
                self.problems.append(f"line {c.line_no}: no such line on {self.order.number}")
                continue
            self.existing[c.line_no] = c
            self._check_existing(line, c, moving.get(line.id or 0, (ZERO, ZERO)))

    def _shipped_or_picked(self) -> dict[int, tuple[Decimal, Decimal]]:
        """line id -> (shipped, picked not shipped yet) for the lines the change touches."""
        ids = [
            self.by_no[c.line_no].id
            for c in self.change.lines
            if c.line_no is not None and c.line_no in self.by_no
        ]
        picked: dict[int, Decimal] = {}
        if ids:
            rows = self.session.exec(
                select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
                .join(Shipment, col(Shipment.id) == col(ShipmentLine.shipment_id))
                .where(
                    col(ShipmentLine.order_line_id).in_(ids),
                    col(Shipment.state).in_(PICKED_STATES),
                )
                .group_by(col(ShipmentLine.order_line_id))
            ).all()
            picked = {line_id: Decimal(qty or 0) for line_id, qty in rows}
        return {
            line.id or 0: (line.quantity_shipped, picked.get(line.id or 0, ZERO))
            for line in self.lines
        }

    def _check_new(self, line_no: int, c: LineChange) -> None:
        item = self.items.get(c.item_id or 0)
        if item is None:
            self.problems.append(f"new line {line_no}: no such part")
            return
        if item.status == ItemStatus.OBSOLETE:
            self.problems.append(f"new line {line_no}: {item.part_number} is obsolete")
        if c.quantity is None or c.quantity <= 0:
            self.problems.append(f"new line {line_no} {item.part_number}: quantity must be > 0")
        self._check_override(line_no, c)
        self._check_line_values(line_no, c)

    def _check_existing(
        self, line: SalesOrderLine, c: LineChange, moving: tuple[Decimal, Decimal]
    ) -> None:
        n = line.line_no
        shipped, picked = moving
        floor = shipped + picked
        if c.remove or (c.quantity is not None and c.quantity == 0):
            if floor > 0:
                self.problems.append(
                    f"line {n}: {self._moved(shipped, picked)}, it cannot be removed"
                )
            self.removed.add(n)
            return
        if line.quantity - line.quantity_cancelled <= 0:
            self.problems.append(f"line {n}: removed or cancelled, it cannot be changed")
            return
        if c.quantity is not None and c.quantity < floor:
            self.problems.append(
                f"line {n}: {self._moved(shipped, picked)}, cannot go below {fmt_qty(floor)}"
            )
        if c.quantity is not None and c.quantity < 0:
            self.problems.append(f"line {n} quantity: must be more than zero")
        if c.item_id is not None and c.item_id != line.item_id:
            if floor > 0:
                self.problems.append(
                    f"line {n}: {self._moved(shipped, picked)}, its part cannot change"
                )
            item = self.items.get(c.item_id)
            if item is None:
                self.problems.append(f"line {n}: no such part")
            elif item.status == ItemStatus.OBSOLETE:
                self.problems.append(f"line {n}: {item.part_number} is obsolete")
        when = c.requested_date
        if when is not None and when < self.today and when != line.requested_date:
            self.problems.append(f"line {n} requested date: {c.requested_date} is in the past")
        self._check_override(n, c)
        self._check_line_values(n, c)
        if self._touches_price(line, c):
            self.repriced.add(n)

    @staticmethod
    def _moved(shipped: Decimal, picked: Decimal) -> str:
        if shipped and picked:
            return f"{fmt_qty(shipped)} already shipped and {fmt_qty(picked)} picked"
        if picked:
            return f"{fmt_qty(picked)} already picked"
        return f"{fmt_qty(shipped)} already shipped"

    def _check_override(self, line_no: int, c: LineChange) -> None:
        if c.unit_price is not None:
            if c.unit_price <= 0:
                self.problems.append(f"line {line_no} price: must be more than zero")
            if not c.override_reason.strip():
                self.problems.append(f"line {line_no} price: an override needs a reason")

    def _check_line_values(self, line_no: int, c: LineChange) -> None:
        values: dict[str, Any] = {}
        if c.quantity is not None:
            values["quantity"] = c.quantity
        if c.unit_price is not None:
            values["unit_price"] = c.unit_price
            values["override_reason"] = c.override_reason
        try:
            drafts.check_line(line_no, values)
        except FieldError as error:
            self.problems.append(str(error))

    @staticmethod
    def _touches_price(line: SalesOrderLine, c: LineChange) -> bool:
        open_quantity = line.quantity - line.quantity_cancelled
        return (
            (c.quantity is not None and c.quantity != open_quantity)
            or (c.item_id is not None and c.item_id != line.item_id)
            or (c.unit_price is not None and c.unit_price != line.unit_price)
        )

    def needs_stock(self) -> bool:
        """A line added, a part changed or a quantity raised: allocation runs again (a cut or
        a header change only gives stock back, or none)."""
        if self.added:
            return True
        for n, c in self.existing.items():
            line = self.by_no[n]
            if n in self.removed:
                continue
            if c.item_id is not None and c.item_id != line.item_id:
                return True
            if c.quantity is not None and c.quantity > line.quantity - line.quantity_cancelled:
                return True
        return False

    # -- what the order becomes -----------------------------------------------------------------

    def header_values(self) -> dict[str, Any]:
        return {k: v for k, v in self.change.header.items() if getattr(self.order, k) != v}

    def after(self, before: OrderSnapshot) -> OrderSnapshot:
        """`before` with this change applied (what the revision's diff compares)."""
        header = dict(before.header)
        for name, value in self.change.header.items():
            if name == "ship_to_id":
                header["ship_to"] = self.ship_to.code if self.ship_to else header["ship_to"]
            else:
                header[name] = order_diff.plain(value)
        lines = {n: dict(v) for n, v in before.lines.items()}
        for n, c in self.existing.items():
            if n not in lines:
                continue
            if n in self.removed:
                lines[n]["quantity"] = "0"
                continue
            self._put(lines[n], c)
        for n, c in self.added.items():
            lines[n] = {"part": "", "quantity": "", "unit_price": "", "requested_date": ""}
            self._put(lines[n], c)
        return OrderSnapshot(header, lines)

    def _put(self, values: dict[str, str], c: LineChange) -> None:
        if c.item_id is not None and c.item_id in self.items:
            values["part"] = self.items[c.item_id].part_number
        if c.quantity is not None:
            values["quantity"] = order_diff.plain(c.quantity)
        if c.unit_price is not None:
            values["unit_price"] = order_diff.plain(c.unit_price)
        if c.requested_date is not None:
            values["requested_date"] = order_diff.plain(c.requested_date)

    def _request(self, n: int, line: SalesOrderLine | None, c: LineChange | None) -> LineRequest:
        """The pricing request of line `n` as changed: a line not priced again keeps its price
        (as an override), a changed one is priced as at entry."""
        item_id = c.item_id if c is not None and c.item_id is not None else None
        quantity = c.quantity if c is not None and c.quantity is not None else None
        if line is not None:
            item_id = item_id or line.item_id
            if quantity is None:
                quantity = line.quantity - line.quantity_cancelled
        assert item_id is not None and quantity is not None
        if n not in self.repriced and line is not None:
            return LineRequest(
                item_id=item_id,
                quantity=quantity,
                discount_percent=line.discount_percent,
                discount_amount=line.discount_amount,
                override_price=line.unit_price,
                override_reason=line.override_reason or "as ordered",
                line_no=n,
            )
        override = c.unit_price if c is not None else None
        if override is None and line is not None and line.override_reason.strip():
            override = line.unit_price  # an override already on the line stays
        return LineRequest(
            item_id=item_id,
            quantity=quantity,
            override_price=override,
            override_reason=(c.override_reason if c and c.unit_price else "")
            or (line.override_reason if line else ""),
            line_no=n,
        )

    def price(self, settings: Settings) -> OrderPricing:
        """Price the order as changed: every line still ordered, the changed ones afresh."""
        requests = [
            self._request(line.line_no, line, self.existing.get(line.line_no))
            for line in self.lines
            if line.line_no not in self.removed and line.quantity - line.quantity_cancelled > 0
        ]
        requests += [self._request(n, None, c) for n, c in self.added.items() if c.item_id]
        ship_to_id = self.ship_to.id if self.ship_to is not None else self.order.ship_to_id
        ctx = load_pricing_context_in(
            self.session,
            self.order.customer_id,
            self.today,
            [r.item_id for r in requests],
            self.order.promotion_code,
            ship_to_id=ship_to_id,
            settings=settings,
        )
        terms = self.change.header.get("freight_terms", self.order.freight_terms)
        return order_rules.price_order(
            ctx,
            requests,
            freight_terms=terms,
            incoterm=self.order.incoterm or None,
            incoterm_place=self.order.incoterm_place if self.order.incoterm else None,
        )

    def check_pricing(self, pricing: OrderPricing) -> None:
        for result in pricing.lines:
            if result.line_no in self.repriced and not result.quantity_check.ok:
                self.problems.append(
                    f"line {result.line_no} {result.part_number}: {result.quantity_check.message}"
                )

    # -- writes --------------------------------------------------------------------------------

    def write_lines(self, pricing: OrderPricing, actor: str, reason: str) -> None:
        priced = {r.line_no: r for r in pricing.lines}
        self._lock_stock()
        self._free(actor, reason)
        updates: list[VersionedUpdate] = []
        for n, c in self.existing.items():
            line = self.by_no[n]
            values = self._line_values(line, c, priced.get(n))
            if values:
                updates.append(VersionedUpdate(line, values, line.version, "line.changed", reason))
        apply_updates(self.session, updates, actor=actor, order_id=self.order.id)
        for n, c in self.added.items():
            self._add(n, c, priced[n], actor, reason)

    def _lock_stock(self) -> None:
        """Lock the stock rows of every item the order has or gets, in id order, before the
        frees and the allocation lock theirs: a free of one row then an allocation of a lower
        one would lock out of order, and deadlock against a submit of the same items."""
        item_ids = {line.item_id for line in self.lines if line.item_id is not None}
        item_ids |= {c.item_id for c in self.change.lines if c.item_id is not None}
        if item_ids:
            self.session.exec(
                select(StockLevel.id)
                .where(col(StockLevel.item_id).in_(sorted(item_ids)))
                .order_by(col(StockLevel.id))
                .with_for_update()
            ).all()

    def _free(self, actor: str, reason: str) -> None:
        """Give back what a cut, a removal or a new part no longer needs."""
        frees: list[tuple[SalesOrderLine, Decimal]] = []
        for n, c in self.existing.items():
            line = self.by_no[n]
            if n in self.removed or (c.item_id is not None and c.item_id != line.item_id):
                frees.append((line, line.quantity_allocated))
            elif c.quantity is not None:
                need = c.quantity - line.quantity_shipped
                if line.quantity_allocated > need:
                    frees.append((line, line.quantity_allocated - need))
        free_allocation_in(
            self.session,
            frees,
            actor=actor,
            order_id=self.order.id,
            reason=f"order {self.order.number} changed: {reason}",
        )

    def _line_values(
        self, line: SalesOrderLine, c: LineChange, result: LineResult | None
    ) -> dict[str, Any]:
        if line.line_no in self.removed:
            open_quantity = line.quantity - line.quantity_shipped - line.quantity_cancelled
            return {
                "quantity_cancelled": line.quantity_cancelled + open_quantity,
                "quantity_backordered": ZERO,
                "extended": ZERO,
            }
        values: dict[str, Any] = {}
        if c.item_id is not None and c.item_id != line.item_id:
            item = self.items[c.item_id]
            values.update(
                item_id=item.id,
                part_number=item.part_number,
                description=item.description,
                uom=item.uom,
                warehouse_id=None,
            )
        if c.quantity is not None:
            quantity = c.quantity + line.quantity_cancelled
            values["quantity"] = quantity
            left = c.quantity - line.quantity_shipped - line.quantity_allocated
            values["quantity_backordered"] = max(left, ZERO)
        if c.requested_date is not None:
            values["requested_date"] = c.requested_date
        if result is not None and line.line_no in self.repriced:
            values.update(
                unit_price=result.unit_price,
                list_price=result.list_price,
                price_source=result.price_source,
                discount_percent=result.discount_percent,
                discount_amount=result.discount_amount,
                override_reason=result.override_reason if result.overridden else "",
                extended=result.extended,
            )
        return {k: v for k, v in values.items() if getattr(line, k) != v}

    def _add(self, n: int, c: LineChange, result: LineResult, actor: str, reason: str) -> None:
        item = self.items[c.item_id or 0]
        assert c.quantity is not None
        values: dict[str, Any] = {
            "item_id": item.id,
            "part_number": item.part_number,
            "description": item.description,
            "uom": item.uom,
            "quantity": c.quantity,
            "unit_price": result.unit_price,
            "list_price": result.list_price,
            "price_source": result.price_source,
            "discount_percent": result.discount_percent,
            "discount_amount": result.discount_amount,
            "override_reason": result.override_reason if result.overridden else "",
            "extended": result.extended,
            "requested_date": c.requested_date
            or self.change.header.get("requested_date")
            or self.order.requested_date,
        }
        line = SalesOrderLine(order_id=self.order.id or 0, line_no=n, **values)
        record_insert(
            self.session,
            line,
            values,
            actor=actor,
            action="line.added",
            order_id=self.order.id,
            reason=reason,
        )
        self.lines.append(line)
