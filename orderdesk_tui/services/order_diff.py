"""What a change of an entered order changes, as the coordinator and the customer read it.

An `OrderSnapshot` holds the fields a change can touch (the header's PO, ship-to, requested
date, freight terms, ship via, notes; each line's part, quantity, price and requested date),
as plain text, so two snapshots compare field by field. `diff(before, after)` gives the
`FieldDiff`s, each one line of a revision's summary: "line 3 qty 10 → 25",
"requested 12-10 → 12-17", "ship-to WH2 → DOCK5". A line's quantity is what is still ordered
(quantity less cancelled): a removed line goes to 0.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from orderdesk_tui.models import Address, SalesOrder, SalesOrderLine

#: Header fields, as the summary names them, in the order it lists them.
HEADER_LABELS = {
    "customer_po": "PO",
    "ship_to": "ship-to",
    "requested_date": "requested",
    "freight_terms": "freight",
    "ship_via": "ship via",
    "notes": "notes",
}
LINE_LABELS = {
    "part": "part",
    "quantity": "qty",
    "unit_price": "price",
    "requested_date": "requested",
}
#: A change to one of these is one the customer must hear of: a new acknowledgement.
REACKNOWLEDGE = frozenset({"quantity", "unit_price", "requested_date", "ship_to", "part"})


def plain(value: object) -> str:
    """A value as a snapshot holds it: a date as ISO, a number without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _short(field_name: str, value: str) -> str:
    """A value as the summary shows it: dates as MM-DD, long notes cut."""
    if not value:
        return "-"
    if field_name == "requested_date" and len(value) == 10:
        return value[5:]
    if field_name == "notes" and len(value) > 30:
        return value[:29] + "…"
    return value


@dataclass(frozen=True)
class FieldDiff:
    #: None for a header field.
    line_no: int | None
    field: str
    old: str
    new: str

    def text(self) -> str:
        if self.line_no is None:
            label = HEADER_LABELS.get(self.field, self.field)
            return f"{label} {_short(self.field, self.old)} → {_short(self.field, self.new)}"
        if self.field == "line" and not self.old:
            return f"line {self.line_no} added: {self.new}"
        if self.field == "line" and not self.new:
            return f"line {self.line_no} removed ({self.old})"
        label = LINE_LABELS.get(self.field, self.field)
        old, new = _short(self.field, self.old), _short(self.field, self.new)
        return f"line {self.line_no} {label} {old} → {new}"


@dataclass(frozen=True)
class OrderSnapshot:
    """The changeable fields of an order, as text: header {field: value}, lines by number."""

    header: dict[str, str] = field(default_factory=dict)
    lines: dict[int, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {"header": self.header, "lines": {str(k): v for k, v in self.lines.items()}}
        )

    @classmethod
    def from_json(cls, text: str) -> "OrderSnapshot":
        data = json.loads(text or "{}")
        lines = {int(k): dict(v) for k, v in data.get("lines", {}).items()}
        return cls(dict(data.get("header", {})), lines)


def line_values(line: SalesOrderLine) -> dict[str, str]:
    return {
        "part": line.part_number,
        "quantity": plain(line.quantity - line.quantity_cancelled),
        "unit_price": plain(line.unit_price),
        "requested_date": plain(line.requested_date),
    }


def snapshot(
    order: SalesOrder, lines: Iterable[SalesOrderLine], ship_to_code: str
) -> OrderSnapshot:
    header = {
        "customer_po": order.customer_po,
        "ship_to": ship_to_code,
        "requested_date": plain(order.requested_date),
        "freight_terms": order.freight_terms,
        "ship_via": order.ship_via,
        "notes": order.notes,
    }
    return OrderSnapshot(header, {line.line_no: line_values(line) for line in lines})


def snapshot_in(session: Session, order: SalesOrder) -> OrderSnapshot:
    """The order as stored now, read in the caller's session."""
    lines = session.exec(
        select(SalesOrderLine)
        .where(SalesOrderLine.order_id == order.id)
        .order_by(col(SalesOrderLine.line_no))
    ).all()
    ship_to = session.get(Address, order.ship_to_id) if order.ship_to_id else None
    return snapshot(order, lines, ship_to.code if ship_to else "")


def _line_text(values: dict[str, str]) -> str:
    return f"{values.get('part', '')} x {values.get('quantity', '')}"


def diff(before: OrderSnapshot, after: OrderSnapshot) -> list[FieldDiff]:
    """Every field that differs, the header first, then line by line."""
    out = [
        FieldDiff(None, name, before.header.get(name, ""), after.header.get(name, ""))
        for name in HEADER_LABELS
        if before.header.get(name, "") != after.header.get(name, "")
    ]
    for n in sorted(before.lines.keys() | after.lines.keys()):
        old, new = before.lines.get(n), after.lines.get(n)
        if old is None and new is not None:
            out.append(FieldDiff(n, "line", "", _line_text(new)))
        elif new is None and old is not None:
            out.append(FieldDiff(n, "line", _line_text(old), ""))
        elif old is not None and new is not None:
            out += [
                FieldDiff(n, name, old.get(name, ""), new.get(name, ""))
                for name in LINE_LABELS
                if old.get(name, "") != new.get(name, "")
            ]
    return out


def summary(diffs: Sequence[FieldDiff]) -> str:
    return "; ".join(d.text() for d in diffs)


def diff_json(diffs: Sequence[FieldDiff]) -> str:
    return json.dumps([asdict(d) for d in diffs], ensure_ascii=False)


def diffs_from_json(text: str) -> list[FieldDiff]:
    return [FieldDiff(**d) for d in json.loads(text or "[]")]


def changed_lines(diffs: Sequence[FieldDiff]) -> str:
    return ",".join(str(n) for n in sorted({d.line_no for d in diffs if d.line_no is not None}))


def reacknowledge(diffs: Sequence[FieldDiff]) -> bool:
    """Price, quantity, a date, the ship-to or a line added or removed: the customer hears."""
    return any(d.field in REACKNOWLEDGE or d.field == "line" for d in diffs)
