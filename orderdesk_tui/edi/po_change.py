"""An inbound 860 (purchase order change request, buyer initiated) read against the order it
changes: a list of proposed changes, each with the order's value now and the buyer's new one,
and the problems that keep a part of it (or all of it) from being applied.

Pure: the order comes in as `OrderNow` (the service reads it from the store), the changes go
out as `ProposedChange`s the coordinator accepts or declines one by one.

Read: BCH (01 purpose: `04` change, `01` cancel the order; 03 PO number; 06 PO date), DTM*002
(requested delivery) and DTM*010 (requested ship) in the heading, N1*ST (ship-to, by its code in
N104), and per POC line (01 the 850's PO101 line number, 02 change type, 03 new quantity
ordered, 05 unit, 06 unit price, 08… product id pairs): `QI`/`QD` quantity increase/decrease,
`PC` price change, `CA` changes to the line (any of quantity and price that differ), `RZ`
replace all values (same), `DI` delete the line, `AI` add a line; a DTM*002 under a POC moves
that line's requested date. A POC line is matched by POC01 (our line number, which the 850's
PO101 carried), else by the buyer's part (BP) or our part (VP/VN/MG).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import format_price, to_decimal
from orderdesk_tui.edi.x12 import Segment, TransactionSet, X12Error, read

#: POC02 change type codes (element 670) read, and what each asks.
CHANGE_TYPES = {
    "CA": "changes to the line",
    "DI": "delete item",
    "QI": "quantity increase",
    "QD": "quantity decrease",
    "PC": "price change",
    "AI": "add item",
    "RZ": "replace all values",
}
#: BCH01 transaction set purpose codes (353) read.
PURPOSES = {"04": "change", "01": "cancel"}
#: Product id qualifiers (235) naming our part; BP is the buyer's.
OUR_PART = ("VP", "VN", "MG", "IN")


class ChangeKind(StrEnum):
    CANCEL_ORDER = "cancel_order"
    REQUESTED_DATE = "requested_date"
    SHIP_TO = "ship_to"
    QUANTITY = "quantity"
    PRICE = "price"
    LINE_DATE = "line_date"
    DELETE_LINE = "delete_line"
    ADD_LINE = "add_line"


@dataclass(frozen=True)
class OrderLineNow:
    line_no: int
    part_number: str
    customer_part: str
    quantity: Decimal
    unit_price: Decimal
    uom: str = "EA"
    shipped: Decimal = Decimal(0)
    requested_date: date | None = None


@dataclass(frozen=True)
class OrderNow:
    """The order an 860 is read against, as it is in the store."""

    number: str
    customer_po: str
    state: str
    currency: str
    requested_date: date | None
    ship_to_code: str
    lines: tuple[OrderLineNow, ...]
    #: The customer's ship-to codes and names (an N1*ST must name one of them).
    ship_tos: Mapping[str, str] = field(default_factory=dict)
    #: Why the order cannot change any more ("" while it can): the change service's rule.
    locked: str = ""


@dataclass(frozen=True)
class NewLine:
    """A line the buyer adds (POC `AI`): the service finds the item by either part."""

    part_number: str
    customer_part: str
    quantity: Decimal
    uom: str
    unit_price: Decimal | None


@dataclass(frozen=True)
class ProposedChange:
    kind: ChangeKind
    #: Position in the 860 (ST = 1) of the segment asking for it.
    position: int
    #: Our line it changes (None for the heading and for an added line).
    line_no: int | None
    old: str
    new: str
    value: Decimal | date | str | NewLine | None
    #: POC02 change type, or the segment (BCH, DTM, N1) that asked.
    code: str

    @property
    def label(self) -> str:
        what = {
            ChangeKind.CANCEL_ORDER: "cancel the order",
            ChangeKind.REQUESTED_DATE: "requested date",
            ChangeKind.SHIP_TO: "ship-to",
            ChangeKind.QUANTITY: "qty",
            ChangeKind.PRICE: "price",
            ChangeKind.LINE_DATE: "requested date",
            ChangeKind.DELETE_LINE: "delete",
            ChangeKind.ADD_LINE: "add line",
        }[self.kind]
        return f"line {self.line_no} {what}" if self.line_no is not None else what

    def __str__(self) -> str:
        """`line 3 qty 10 → 25`, as the revision's diff reads."""
        return f"{self.label} {self.old} → {self.new}".replace("  ", " ")


@dataclass(frozen=True)
class ChangeProblem:
    position: int | None
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class ChangeRequest:
    """One 860 read against its order."""

    purpose: str
    po_number: str
    control: str
    changes: list[ProposedChange] = field(default_factory=list)
    problems: list[ChangeProblem] = field(default_factory=list)
    #: Why nothing of it can be applied (the order cannot change), else "".
    refusal: str = ""

    @property
    def applicable(self) -> list[ProposedChange]:
        return [] if self.refusal else self.changes


def read_860(raw: str | bytes) -> TransactionSet:
    """The one 860 in `raw`, read strictly: an envelope error raises `X12Error`."""
    sets = [s for s in read(raw, strict=True).sets() if s.id == "860"]
    if len(sets) != 1:
        raise X12Error(f"expected one 860 transaction set, found {len(sets)}")
    return sets[0]


def po_number(tset: TransactionSet) -> str:
    """BCH03: the purchase order the 860 changes."""
    return _bch(tset).require(3, "BCH03 purchase order number")


def _bch(tset: TransactionSet) -> Segment:
    body = tset.body
    if not body or body[0].tag != "BCH":
        raise X12Error("the 860 has no BCH after its ST", segment_no=tset.st.number + 1)
    return body[0]


def _date(seg: Segment, n: int) -> date:
    text = seg.require(n, f"{seg.tag}{n:02d} date")
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise seg.error(f"{text!r} is not a date (CCYYMMDD)", n) from None


def _decimal(seg: Segment, n: int, what: str) -> Decimal | None:
    text = seg.element(n).strip()
    if not text:
        return None
    value = to_decimal(text)
    if value is None:
        raise seg.error(f"{what} {text!r} is not a number", n)
    return value


def _day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else "none"


class _Mapper:
    def __init__(self, tset: TransactionSet, order: OrderNow) -> None:
        self.tset, self.order = tset, order
        bch = _bch(tset)
        code = bch.require(1, "BCH01 purpose")
        self.request = ChangeRequest(
            purpose=PURPOSES.get(code, code), po_number=po_number(tset), control=tset.control
        )
        self.lines = {ln.line_no: ln for ln in order.lines}
        self.requested: tuple[str, date] | None = None

    def pos(self, seg: Segment) -> int:
        return self.tset.position(seg)

    def add(
        self,
        seg: Segment,
        kind: ChangeKind,
        line: int | None,
        old: str,
        new: str,
        value: Decimal | date | str | NewLine | None,
        code: str = "",
    ) -> None:
        self.request.changes.append(
            ProposedChange(kind, self.pos(seg), line, old, new, value, code or seg.tag)
        )

    def problem(self, seg: Segment | None, message: str) -> None:
        where = self.pos(seg) if seg is not None else None
        self.request.problems.append(ChangeProblem(where, message))

    def run(self) -> ChangeRequest:
        order, request = self.order, self.request
        bch = _bch(self.tset)
        if request.po_number != order.customer_po:
            self.problem(
                bch,
                f"BCH03 PO {request.po_number} is not {order.number}'s PO "
                f"{order.customer_po or '(none)'}",
            )
        if order.locked:
            request.refusal = f"{order.number} cannot change: {order.locked}"
        if request.purpose == "cancel":
            self.add(
                bch,
                ChangeKind.CANCEL_ORDER,
                None,
                order.state.replace("_", " "),
                "cancelled",
                None,
                "BCH01 01",
            )
        elif request.purpose != "change":
            self.problem(bch, f"BCH01 {request.purpose}: only 04 (change) and 01 (cancel) are read")
        current: OrderLineNow | None = None
        in_poc = False
        for seg in self.tset.body[1:]:
            if seg.tag == "POC":
                in_poc = True
                current = self.poc(seg)
            elif seg.tag == "DTM" and in_poc:
                if current is not None:
                    self.line_date(seg, current)
            elif seg.tag == "DTM":
                self.header_date(seg)
            elif seg.tag == "N1" and not in_poc and seg.element(1).strip() == "ST":
                self.ship_to(seg)
            elif seg.tag == "CTT":
                in_poc = False
        return request

    def header_date(self, seg: Segment) -> None:
        qualifier = seg.element(1).strip()
        if qualifier not in ("002", "010"):
            return
        new = _date(seg, 2)
        if self.requested is not None:
            self.problem(
                seg,
                f"DTM*{qualifier} {new:%Y-%m-%d}: the order has one requested "
                f"date, DTM*{self.requested[0]} already moves it",
            )
            return
        self.requested = (qualifier, new)
        if new != self.order.requested_date:
            self.add(
                seg,
                ChangeKind.REQUESTED_DATE,
                None,
                _day(self.order.requested_date),
                _day(new),
                new,
                f"DTM*{qualifier}",
            )

    def ship_to(self, seg: Segment) -> None:
        code = seg.element(4).strip()
        if not code:
            self.problem(seg, "N1*ST without a ship-to code (N104): say it by phone or mail")
            return
        if code == self.order.ship_to_code:
            return
        if code not in self.order.ship_tos:
            self.problem(seg, f"N1*ST {code}: not a ship-to of this customer")
            return
        name = self.order.ship_tos[code]
        self.add(
            seg,
            ChangeKind.SHIP_TO,
            None,
            self.order.ship_to_code or "none",
            f"{code} {name}".strip(),
            code,
            "N1*ST",
        )

    def parts(self, seg: Segment) -> tuple[str, str]:
        """(our part, buyer's part) from POC08… pairs."""
        ours = buyers = ""
        for n in range(8, len(seg.elements), 2):
            qualifier, value = seg.element(n).strip(), seg.element(n + 1).strip()
            if qualifier == "BP" and not buyers:
                buyers = value
            elif qualifier in OUR_PART and not ours:
                ours = value
        return ours, buyers

    def match(self, seg: Segment, number: str, ours: str, buyers: str) -> OrderLineNow | None:
        name = f"POC line {number or '?'}"
        if number.isdigit() and int(number) in self.lines:
            line = self.lines[int(number)]
            if (ours and ours != line.part_number) and (buyers != line.customer_part or not buyers):
                self.problem(
                    seg, f"{name}: part {ours} is not line {line.line_no}'s part {line.part_number}"
                )
                return None
            return line
        for line in self.order.lines:
            if (buyers and buyers == line.customer_part) or (ours and ours == line.part_number):
                return line
        part = f"BP {buyers}" if buyers else f"VP {ours}" if ours else "without a part"
        self.problem(seg, f"{name}: part {part} is not on order {self.order.number}")
        return None

    def poc(self, seg: Segment) -> OrderLineNow | None:
        number, code = seg.element(1).strip(), seg.require(2, "POC02 change type")
        name = f"POC line {number or '?'}"
        ours, buyers = self.parts(seg)
        quantity = _decimal(seg, 3, "POC03 quantity")
        price = _decimal(seg, 6, "POC06 unit price")
        if code not in CHANGE_TYPES:
            self.problem(
                seg, f"{name}: change type {code} is not read (only {', '.join(CHANGE_TYPES)})"
            )
            return None
        if code == "AI":
            if quantity is None or quantity <= 0:
                self.problem(seg, f"{name}: an added line needs a quantity (POC03)")
                return None
            new = NewLine(ours, buyers, quantity, seg.element(5).strip() or "EA", price)
            part = ours or buyers
            self.add(
                seg, ChangeKind.ADD_LINE, None, "", f"{part} qty {fmt_qty(quantity)}", new, code
            )
            return None
        line = self.match(seg, number, ours, buyers)
        if line is None:
            return None
        if code == "DI":
            if line.shipped > 0:
                self.problem(
                    seg,
                    f"{name}: {fmt_qty(line.shipped)} already shipped; the line cannot be deleted",
                )
            else:
                self.add(
                    seg,
                    ChangeKind.DELETE_LINE,
                    line.line_no,
                    f"{line.part_number} qty {fmt_qty(line.quantity)}",
                    "deleted",
                    None,
                    code,
                )
            return line
        if code in ("QI", "QD", "CA", "RZ"):
            self.quantity(seg, line, code, quantity)
        if code in ("PC", "CA", "RZ"):
            self.price(seg, line, code, price)
        return line

    def quantity(self, seg: Segment, line: OrderLineNow, code: str, new: Decimal | None) -> None:
        name = f"POC line {seg.element(1).strip() or line.line_no}"
        if new is None:
            if code in ("QI", "QD"):
                self.problem(seg, f"{name}: {code} without the new quantity (POC03)")
            return
        if new == line.quantity:
            if code in ("QI", "QD"):
                self.problem(seg, f"{name}: {code} but the quantity is already {fmt_qty(new)}")
            return
        if (code == "QI" and new < line.quantity) or (code == "QD" and new > line.quantity):
            self.problem(
                seg,
                f"{name}: {code} ({CHANGE_TYPES[code]}) to {fmt_qty(new)}, but "
                f"the line has {fmt_qty(line.quantity)}",
            )
            return
        if new < line.shipped:
            self.problem(
                seg,
                f"{name}: {fmt_qty(line.shipped)} already shipped; the "
                f"quantity cannot go to {fmt_qty(new)}",
            )
            return
        self.add(
            seg, ChangeKind.QUANTITY, line.line_no, fmt_qty(line.quantity), fmt_qty(new), new, code
        )

    def price(self, seg: Segment, line: OrderLineNow, code: str, new: Decimal | None) -> None:
        if new is None:
            if code == "PC":
                self.problem(seg, f"POC line {line.line_no}: PC without the new price (POC06)")
            return
        if new == line.unit_price:
            if code == "PC":
                self.problem(
                    seg,
                    f"POC line {line.line_no}: PC but the price is already "
                    f"{format_price(new, self.order.currency)}",
                )
            return
        currency = self.order.currency
        self.add(
            seg,
            ChangeKind.PRICE,
            line.line_no,
            format_price(line.unit_price, currency),
            format_price(new, currency),
            new,
            code,
        )

    def line_date(self, seg: Segment, line: OrderLineNow) -> None:
        if seg.element(1).strip() not in ("002", "010"):
            return
        new = _date(seg, 2)
        if new != line.requested_date:
            self.add(
                seg,
                ChangeKind.LINE_DATE,
                line.line_no,
                _day(line.requested_date),
                _day(new),
                new,
                f"DTM*{seg.element(1).strip()}",
            )


def map_860(tset: TransactionSet, order: OrderNow) -> ChangeRequest:
    """The changes `tset` (an 860) asks of `order`, and its problems. A required element
    missing or unreadable (BCH, a date, a number) raises `X12Error` naming it."""
    return _Mapper(tset, order).run()
