"""The order lines of the entry screen: what each line holds, and its price and availability.

`OrderLines` is the lines grid of the entry screen plus the state of each line (`LineState`).
It validates a line's field as the cursor leaves it (`commit`), and owns the workers that
price a line and find its availability: they post `Priced`, `Stocked` and `Unquoted`, which
the grid paints into the line (a late answer for an older version of the line is dropped);
`Priced` goes on to the screen, which saves the price and refreshes the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from textual import work
from textual.message import Message

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.availability.quantities import parse_quantity
from orderdesk_tui.domain.availability.results import LineAvailability
from orderdesk_tui.domain.entry_shorthand import split_quantity_part
from orderdesk_tui.domain.money import (
    currency_places,
    decimals_of,
    format_money,
    format_price,
    to_decimal,
)
from orderdesk_tui.domain.pricing.results import LineResult
from orderdesk_tui.errors import FieldError, OrderdeskError
from orderdesk_tui.services import order_entry
from orderdesk_tui.store import Store
from screens.entry_header import DraftRef
from screens.markup import escape
from screens.widgets.entry_field import EntryField
from screens.widgets.lines_grid import GridCell, LineRow, LinesGrid

#: A field of the entry screen: a header widget or a cell of the lines grid.
Field = EntryField | GridCell


@dataclass
class LineState:
    row: LineRow
    item: order_entry.ItemInfo | None = None
    quantity: Decimal | None = None
    override: Decimal | None = None
    reason: str = ""
    price: LineResult | None = None
    stock: LineAvailability | None = None
    #: Bumped on every change, so a late worker result for an older version is dropped.
    generation: int = 0
    #: The quantity came with the part (`3*AB-1005`): Enter skips the quantity field.
    quantity_from_part: bool = False
    #: A change's line not touched yet: its extended amount as ordered (it is not priced
    #: again); None once changed, or on a new order (screens/entry_change.py).
    kept: Decimal | None = None
    #: A change's order line removed (quantity 0 until the change is applied).
    removed: bool = False

    @property
    def empty(self) -> bool:
        return self.item is None and not self.row.part.value and not self.row.qty.value


class OrderLines(LinesGrid):
    """The lines of the order being entered, drawn as the lines grid."""

    class Priced(Message):
        """A line's price arrived (still current: the grid stops stale ones)."""

        def __init__(self, line: LineState, generation: int, result: LineResult) -> None:
            super().__init__()
            self.line, self.generation, self.result = line, generation, result

    class Stocked(Message):
        def __init__(self, line: LineState, generation: int, result: LineAvailability) -> None:
            super().__init__()
            self.line, self.generation, self.result = line, generation, result

    class Unquoted(Message):
        """A price or availability could not be had: said on the line."""

        def __init__(self, line: LineState, generation: int, reason: str) -> None:
            super().__init__()
            self.line, self.generation, self.reason = line, generation, reason

    def __init__(self, store: Store, settings: Settings, draft: DraftRef, today: date) -> None:
        super().__init__(id="lines")
        self.store = store
        self.settings = settings
        self.draft = draft
        self.today = today
        self.lines: list[LineState] = []
        #: Warehouse codes by id, read once when the first availability arrives.
        self._warehouses: dict[int, str] = {}
        #: The last part resolved (`resolve_part`), for the one next call.
        self._resolved: tuple[tuple[str, int], order_entry.ItemInfo] | None = None

    # -- lines and the cursor ---------------------------------------------------------------

    def add_line(self) -> LineState:
        """A new empty line at the end, usable at once."""
        line = LineState(self.add_row())
        self.lines.append(line)
        return line

    def insert_line(self, index: int) -> LineState:
        line = LineState(self.insert_row(index))
        self.lines.insert(index, line)
        return line

    def remove_line(self, line: LineState) -> None:
        self.remove_row(line.row)
        self.lines.remove(line)

    def line_of(self, f: Field | None) -> LineState | None:
        if not isinstance(f, GridCell):
            return None
        return next((ln for ln in self.lines if ln.row is f.row), None)

    def part_after(self, line: LineState) -> GridCell:
        index = self.lines.index(line)
        if index + 1 < len(self.lines):
            return self.lines[index + 1].row.part
        return self.add_line().row.part

    def next_empty_part(self) -> GridCell:
        for line in self.lines:
            if line.item is None:
                return line.row.part
        return self.add_line().row.part

    # -- committing a line's field --------------------------------------------------------------

    def resolve_part(self, typed: str, customer_id: int) -> order_entry.ItemInfo:
        """The item `typed` names (services.order_entry.resolve_part). An Enter on a part asks
        twice, within the same key (is it a discontinued part with a replacement? then: which
        item goes on the line): the answer is kept for the one next call with the same text,
        so the store is asked once (half the Enter's time on the 1M store)."""
        key = (typed.strip().upper(), customer_id)
        kept, self._resolved = self._resolved, None
        if kept is not None and kept[0] == key:
            return kept[1]
        info = order_entry.resolve_part(self.store, typed, customer_id)
        self._resolved = (key, info)
        return info

    def commit(self, line: LineState, f: Field, customer: order_entry.CustomerInfo | None) -> None:
        """Validate `f` of `line` into the line's state. Raises FieldError."""
        row = line.row
        if f.field == "part":
            typed = row.part.value.strip()
            shorthand = split_quantity_part(typed)
            if shorthand is not None:
                quantity, typed = shorthand
                row.qty.set_value(f"{quantity.normalize():f}")
            if not typed:
                raise FieldError(row.part.label, "is required")
            if customer is None:
                raise FieldError(row.part.label, "enter the customer first")
            if line.item is None or line.item.part_number != typed.upper():
                self.take_item(line, self.resolve_part(typed, customer.id))
            if shorthand is not None:
                self._commit_quantity(line)
                line.quantity_from_part = True
        elif f.field == "qty":
            self._commit_quantity(line)
        elif f.field == "price":
            self._commit_override(line, customer.currency if customer else "USD")
        elif f.field == "reason":
            if line.override is not None and not row.reason.value.strip():
                raise FieldError(row.reason.label, "a price override needs a reason")
            line.reason = row.reason.value.strip()

    def _commit_override(self, line: LineState, currency: str) -> None:
        row = line.row
        text = row.override.value.strip()
        if not text:
            line.override, line.reason = None, ""
            row.reason.clear()
            return
        price = to_decimal(text)
        if price is None or price <= 0:
            raise FieldError(row.override.label, f"'{text}' is not a positive price")
        if decimals_of(price) > currency_places(currency):
            raise FieldError(
                row.override.label,
                f"{currency} prices have at most {currency_places(currency)} decimals",
            )
        line.override = price

    def _commit_quantity(self, line: LineState) -> None:
        row = line.row
        if line.item is None:
            raise FieldError(row.part.label, "enter the part first")
        line.quantity = parse_quantity(
            row.qty.value,
            field=row.qty.label,
            fractional=line.item.fractional_uom,
            uom=line.item.uom,
        )
        row.qty.set_value(f"{line.quantity.normalize():f}")

    def take_item(self, line: LineState, item: order_entry.ItemInfo) -> None:
        """Put `item` on the line (its part number in the cell) and describe it."""
        line.item = item
        line.row.part.set_value(item.part_number)
        note = escape(item.description)
        if item.status != "active":
            note = f"[b $warning]{item.status.upper()}[/] {escape(item.description)}"
            if item.replacement_part:  # first: a narrow description never cuts it
                use = escape(item.replacement_part)
                note = f"[b $warning]F6→{use}[/] {item.status} {escape(item.description)}"
        if item.hazmat:
            note += f" [b $secondary]HAZMAT {item.hazmat}[/]"
        line.row.paint(desc=note)

    def missing(self) -> list[str]:
        """What the lines still need before the order can be submitted."""
        todo = []
        filled = [ln for ln in self.lines if not ln.empty]
        if not filled:
            todo.append("at least one line")
        for line in filled:
            n = line.row.number
            if line.item is None:
                todo.append(f"line {n} part")
            elif line.quantity is None:
                todo.append(f"line {n} quantity")
            if line.override is not None and not line.reason:
                todo.append(f"line {n} override reason")
            if line.price is not None and not line.price.quantity_check.ok:
                todo.append(f"line {n} quantity: {line.price.quantity_check.message}")
        return todo

    # -- workers: price and availability ---------------------------------------------------------

    def quote(
        self, line: LineState, customer: order_entry.CustomerInfo | None, ship_to_id: int | None
    ) -> None:
        """Ask for the line's price and availability (painted when they arrive)."""
        if customer is None or line.item is None or line.quantity is None:
            return
        self._price_worker(line, line.generation, customer, ship_to_id)
        self._stock_worker(line, line.generation)

    def reprice_all(
        self, customer: order_entry.CustomerInfo | None, ship_to_id: int | None
    ) -> None:
        for line in self.lines:
            if line.item is not None and line.quantity is not None:
                line.generation += 1
                self.quote(line, customer, ship_to_id)

    @work(thread=True, group="price")
    def _price_worker(
        self,
        line: LineState,
        generation: int,
        customer: order_entry.CustomerInfo,
        ship_to_id: int | None,
    ) -> None:
        assert line.item is not None and line.quantity is not None
        try:
            result = order_entry.quote_price(
                self.store,
                self.settings,
                customer_id=customer.id,
                order_date=self.today,
                promotion_code="",
                ship_to_id=ship_to_id,
                item_id=line.item.id,
                quantity=line.quantity,
                override_price=line.override,
                override_reason=line.reason or ("-" if line.override is not None else ""),
                line_no=line.row.number,
            )
        except OrderdeskError as error:
            self.post_message(self.Unquoted(line, generation, str(error)))
            return
        self.post_message(self.Priced(line, generation, result))

    @work(thread=True, group="stock")
    def _stock_worker(self, line: LineState, generation: int) -> None:
        assert line.item is not None and line.quantity is not None
        try:
            result = order_entry.quote_stock(
                self.store, item_id=line.item.id, quantity=line.quantity, order_id=self.draft.id
            )
        except OrderdeskError as error:
            self.post_message(self.Unquoted(line, generation, str(error)))
            return
        self.post_message(self.Stocked(line, generation, result))

    def _current(self, line: LineState, generation: int) -> bool:
        """False for an answer about an older version of the line (a newer one is coming)."""
        return generation == line.generation and line in self.lines

    def on_order_lines_unquoted(self, message: Unquoted) -> None:
        message.stop()
        if self._current(message.line, message.generation):
            message.line.row.paint(stock=f"[$error]{escape(message.reason)}[/]")

    def on_order_lines_priced(self, message: Priced) -> None:
        """Paint the price; the message goes on to the screen (save, totals) if current."""
        line, result = message.line, message.result
        if not self._current(line, message.generation):
            message.stop()
            return
        before = line.price
        line.price = result
        currency = result.currency
        changed = before is not None and before.unit_price != result.unit_price
        text = f"{format_price(result.unit_price, currency)} {escape(result.price_source)}"
        if result.below_floor:
            text += " [b $error]under floor[/]"
        if not result.quantity_check.ok:
            text += f" [$warning]{escape(result.quantity_check.message)}[/]"
        if changed:
            text = f"[reverse]changed[/] {text}"
        line.row.paint(quote=text, ext=format_money(result.extended, currency))

    def on_order_lines_stocked(self, message: Stocked) -> None:
        message.stop()
        line, result = message.line, message.result
        if not self._current(line, message.generation):
            return
        before = line.stock
        line.stock = result
        where = self._where(result)
        if result.shortfall <= 0:
            text = f"[$success]✓ {where}[/]"
        elif result.rest_date is not None:
            text = (
                f"[$warning]{where or '0'} now, {result.shortfall.normalize():f} "
                f"{result.rest_date:%m/%d}[/] F7"
            )
        else:
            text = f"[$error]{where or '0'} now, short {result.shortfall.normalize():f}[/] F7"
        if before is not None and before.now_quantity != result.now_quantity:
            text = f"[reverse]changed[/] {text}"
        line.row.paint(stock=text)

    def _where(self, result: LineAvailability) -> str:
        """What ships now, by warehouse: "10 ELK" or "6 ELK+4 RNO"."""
        if not self._warehouses:
            self._warehouses = order_entry.warehouse_codes(self.store)
        return "+".join(
            f"{piece.quantity.normalize():f} {self._warehouses.get(piece.warehouse_id or 0, '?')}"
            for piece in result.ship_now
        )
