"""The order acknowledgement: what we tell the customer we will ship, when, and for how much.

`load_acknowledgement` reads the order and everything it needs in one session into a frozen
`Acknowledgement` of plain values; `render_text` turns it into fixed-width text (at most 100
columns, for the screen and e-mail bodies) and `render_pdf` into an A4 or Letter PDF (fpdf2, core
Helvetica only, so every character is first made latin-1 safe). `write_acknowledgement` does all
three and files the PDF under the data directory.

Holds are told to the customer in customer words ("Credit review"), never with the internal
reason the desk wrote on the hold.
"""

import os
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from sqlmodel import Session, col, select

from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import format_money, format_price
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import (
    Address,
    Customer,
    Hold,
    Item,
    ItemCrossReference,
    SalesOrder,
    SalesOrderLine,
)
from orderdesk_tui.models.base import AddressKind, CrossRefKind, FreightTerms, HoldKind
from orderdesk_tui.paths import data_dir
from orderdesk_tui.store import Store

TITLE = "Order Acknowledgement"
#: Widest line `render_text` produces.
TEXT_WIDTH = 100

PageFormat = Literal["A4", "Letter"]


@dataclass(frozen=True)
class Company:
    """Who sends the acknowledgement: our name, address and the standing terms note."""

    name: str
    address_lines: tuple[str, ...]
    phone: str = ""
    email: str = ""
    terms_note: str = (
        "Please check this acknowledgement against your purchase order and tell us of any "
        "difference within two business days. Promised dates are our best estimate from current "
        "stock and supplier commitments. All sales are subject to our standard terms and "
        "conditions of sale."
    )


DEFAULT_COMPANY = Company(
    name="Midwest Industrial Supply Co.",
    address_lines=("1400 Commerce Drive", "Peoria, IL 61602", "USA"),
    phone="+1 309 555 0140",
    email="orders@midwestindustrial.example",
)


@dataclass(frozen=True)
class AckLine:
    line_no: int
    part_number: str
    customer_part_number: str
    description: str
    quantity: Decimal
    uom: str
    unit_price: Decimal
    extended: Decimal
    #: When the whole line is expected to ship (the current promise).
    promised_date: date | None
    #: Allocated from stock: ships now.
    ship_now: Decimal
    backordered: Decimal
    #: When the backordered quantity is expected (None: to be confirmed).
    backorder_date: date | None
    drop_ship: bool = False
    hazmat_un_number: str = ""
    hazmat_class: str = ""


@dataclass(frozen=True)
class AckHold:
    """An open hold as the customer reads it."""

    kind: str
    label: str
    notice: str


@dataclass(frozen=True)
class Acknowledgement:
    company: Company
    order_number: str
    order_date: date
    issued_on: date
    customer_code: str
    customer_name: str
    customer_po: str
    bill_to: tuple[str, ...]
    ship_to: tuple[str, ...]
    ship_to_code: str
    payment_terms: str
    freight_terms: str
    incoterm: str
    incoterm_place: str
    ship_via: str
    requested_date: date | None
    ship_complete: bool
    lines: tuple[AckLine, ...]
    subtotal: Decimal
    freight: Decimal
    tax: Decimal
    total: Decimal
    currency: str
    holds: tuple[AckHold, ...]
    notes: str

    @property
    def incoterm_text(self) -> str:
        return " ".join(p for p in (self.incoterm, self.incoterm_place) if p)


# -- loading ---------------------------------------------------------------------------------

#: Hold kinds in customer words: (label, notice). Internal reasons never reach the customer.
HOLD_NOTICES: dict[str, tuple[str, str]] = {
    HoldKind.CREDIT: (
        "Credit review",
        "Our credit department is completing a routine review of your account.",
    ),
    HoldKind.PRICE: ("Price confirmation", "We are confirming the prices on this order."),
    HoldKind.STOCK: (
        "Availability review",
        "We are confirming stock and ship dates for some items.",
    ),
    HoldKind.COMPLIANCE: (
        "Export compliance review",
        "A routine trade-compliance check is in progress.",
    ),
    HoldKind.ADDRESS: ("Address verification", "We are verifying the delivery address."),
    HoldKind.EDI: (
        "Order data check",
        "We are checking details received with your electronic order.",
    ),
    HoldKind.ERP: ("Order processing", "Your order is being entered in our systems."),
}
_OTHER_HOLD = ("Order review", "Your order is being reviewed before release.")

FREIGHT_TERMS_TEXT: dict[str, str] = {
    FreightTerms.PREPAID: "Prepaid",
    FreightTerms.COLLECT: "Collect",
    FreightTerms.PREPAID_ADD: "Prepaid & add",
    FreightTerms.THIRD_PARTY: "Third party",
}


def customer_hold(kind: str) -> AckHold:
    label, notice = HOLD_NOTICES.get(kind, _OTHER_HOLD)
    return AckHold(kind=kind, label=label, notice=notice)


def address_lines(address: Address | None) -> tuple[str, ...]:
    if address is None:
        return ()
    city = ", ".join(p for p in (address.city, f"{address.region} {address.postal_code}") if p)
    lines = [address.name, address.line1, address.line2, city.strip(" ,")]
    if address.country and address.country != "US":
        lines.append(address.country)
    return tuple(line.strip() for line in lines if line and line.strip())


def _address(
    session: Session, address_id: int | None, customer_id: int, kind: str
) -> Address | None:
    """The order's address, else the customer's default one of that kind."""
    if address_id is not None:
        return session.get(Address, address_id)
    return session.exec(
        select(Address)
        .where(Address.customer_id == customer_id, Address.kind == kind, col(Address.active))
        .order_by(col(Address.is_default).desc(), col(Address.id))
        .limit(1)
    ).first()


def _day(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def load_acknowledgement(
    store: Store,
    order_id: int,
    *,
    company: Company = DEFAULT_COMPANY,
    today: date | None = None,
) -> Acknowledgement:
    """The acknowledgement of order `order_id`, read in one session.

    `today` is the issue date when the order has not been acknowledged yet (default: today)."""
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        if order is None:
            raise FieldError("order", f"no order with id {order_id}")
        customer = session.get(Customer, order.customer_id)
        if customer is None:  # pragma: no cover - the foreign key forbids it
            raise FieldError("customer", f"no customer with id {order.customer_id}")
        bill_to = _address(session, order.bill_to_id, customer.id or 0, AddressKind.BILL_TO)
        ship_to = _address(session, order.ship_to_id, customer.id or 0, AddressKind.SHIP_TO)
        rows = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        item_ids = {r.item_id for r in rows if r.item_id is not None}
        items: dict[int, Item] = {}
        their_parts: dict[int, str] = {}
        if item_ids:
            items = {
                i.id: i
                for i in session.exec(select(Item).where(col(Item.id).in_(item_ids)))
                if i.id is not None
            }
            missing = {r.item_id for r in rows if r.item_id and not r.customer_part_number}
            if missing:
                refs = session.exec(
                    select(ItemCrossReference)
                    .where(
                        ItemCrossReference.kind == CrossRefKind.CUSTOMER_PART,
                        ItemCrossReference.customer_id == customer.id,
                        col(ItemCrossReference.item_id).in_(missing),
                    )
                    .order_by(col(ItemCrossReference.id))
                ).all()
                for ref in refs:
                    their_parts.setdefault(ref.item_id, ref.reference)
        holds = session.exec(
            select(Hold)
            .where(Hold.order_id == order_id, col(Hold.released_at).is_(None))
            .order_by(col(Hold.raised_at), col(Hold.id))
        ).all()

        lines = []
        for r in rows:
            item = items.get(r.item_id) if r.item_id is not None else None
            backordered = r.quantity_backordered
            lines.append(
                AckLine(
                    line_no=r.line_no,
                    part_number=r.part_number or (item.part_number if item else ""),
                    customer_part_number=r.customer_part_number
                    or their_parts.get(r.item_id or 0, ""),
                    description=r.description or (item.description if item else ""),
                    quantity=r.quantity,
                    uom=r.uom,
                    unit_price=r.unit_price,
                    extended=r.extended,
                    promised_date=r.last_promised_date,
                    ship_now=r.quantity_allocated,
                    backordered=backordered,
                    backorder_date=r.last_promised_date if backordered > 0 else None,
                    drop_ship=r.drop_ship,
                    hazmat_un_number=item.hazmat_un_number if item else "",
                    hazmat_class=item.hazmat_class if item else "",
                )
            )
        seen: set[str] = set()
        ack_holds = []
        for hold in holds:
            if hold.kind not in seen:
                seen.add(hold.kind)
                ack_holds.append(customer_hold(hold.kind))

        order_date = _day(order.entered_at or order.received_at or order.created_at)
        assert order_date is not None
        return Acknowledgement(
            company=company,
            order_number=order.number,
            order_date=order_date,
            issued_on=_day(order.acknowledged_at) or today or date.today(),
            customer_code=customer.code,
            customer_name=customer.name,
            customer_po=order.customer_po,
            bill_to=address_lines(bill_to) or (customer.name,),
            ship_to=address_lines(ship_to),
            ship_to_code=ship_to.code if ship_to is not None else "",
            payment_terms=order.payment_terms or customer.payment_terms,
            freight_terms=FREIGHT_TERMS_TEXT.get(order.freight_terms, order.freight_terms),
            incoterm=order.incoterm,
            incoterm_place=order.incoterm_place,
            ship_via=order.ship_via,
            requested_date=order.requested_date,
            ship_complete=order.ship_complete,
            lines=tuple(lines),
            subtotal=order.subtotal,
            freight=order.freight,
            tax=order.tax,
            total=order.total,
            currency=order.currency or customer.currency,
            holds=tuple(ack_holds),
            notes=order.notes.strip(),
        )


# -- formatting ------------------------------------------------------------------------------


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def line_details(line: AckLine) -> list[str]:
    """What the line's columns do not say: their part number, the split between what ships now
    and what is backordered (nothing when it all ships now), hazmat."""
    out = []
    if line.customer_part_number:
        out.append(f"Your part no. {line.customer_part_number}")
    uom = f" {line.uom}" if line.uom else ""
    if line.drop_ship:
        out.append("Ships direct from the manufacturer")
    elif line.backordered > 0:
        when = (
            f"expected {fmt_date(line.backorder_date)}"
            if line.backorder_date
            else "date to be confirmed"
        )
        later = f"{fmt_qty(line.backordered)}{uom}, {when}"
        if line.ship_now > 0:
            out.append(f"Ships now {fmt_qty(line.ship_now)}{uom}, backordered {later}")
        else:
            out.append(f"Backordered {later}")
    elif 0 < line.ship_now < line.quantity:
        out.append(f"Ships now {fmt_qty(line.ship_now)}{uom}")
    if line.hazmat_un_number or line.hazmat_class:
        un = line.hazmat_un_number
        if un and not un.upper().startswith(("UN", "NA")):
            un = f"UN{un}"
        cls = f"class {line.hazmat_class}" if line.hazmat_class else ""
        out.append("Hazardous material " + ", ".join(p for p in (un, cls) if p))
    return out


def _hold_intro() -> str:
    return (
        "Your order is confirmed and will be released for shipment once the following is "
        "complete; we will contact you if we need anything from you."
    )


# -- text ------------------------------------------------------------------------------------

#: (heading, width, align) of the text table; with single spaces between they fill 100 columns.
_TEXT_COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("Ln", 3, ">"),
    ("Part", 18, "<"),
    ("Description", 25, "<"),
    ("Qty", 9, ">"),
    ("UoM", 4, "<"),
    ("Unit price", 11, ">"),
    ("Extended", 13, ">"),
    ("Promised", 10, "<"),
)


def _wrap(text: str, width: int, *, indent: str = "", hanging: str | None = None) -> list[str]:
    """`text` wrapped to `width`, paragraph by paragraph; long words are broken, never cut."""
    out: list[str] = []
    for paragraph in text.replace("\t", "    ").splitlines() or [""]:
        wrapped = textwrap.wrap(
            paragraph,
            width,
            initial_indent=indent,
            subsequent_indent=indent if hanging is None else hanging,
            break_on_hyphens=False,
        )
        out.extend(wrapped or [""])
    return out


def _side_by_side(left: Sequence[str], right: Sequence[str], width: int = 50) -> list[str]:
    rows = max(len(left), len(right))
    return [
        (
            f"{left[i] if i < len(left) else '':<{width}}{right[i] if i < len(right) else ''}"
        ).rstrip()
        for i in range(rows)
    ]


def _fields(pairs: Iterable[tuple[str, str]], width: int = 48) -> list[str]:
    out = []
    for label, value in pairs:
        if value:
            out.extend(_wrap(value, width, indent=f"{label:<15}", hanging=" " * 15))
    return out


def _text_row(cells: Sequence[str]) -> list[str]:
    wrapped = [
        _wrap(text, width) if align == "<" else [text]
        for text, (_, width, align) in zip(cells, _TEXT_COLUMNS, strict=True)
    ]
    out = []
    for i in range(max(len(w) for w in wrapped)):
        parts = []
        for cell, (_, width, align) in zip(wrapped, _TEXT_COLUMNS, strict=True):
            parts.append(f"{cell[i] if i < len(cell) else '':{align}{width}}")
        out.append(" ".join(parts).rstrip())
    return out


def render_text(ack: Acknowledgement) -> str:
    """The acknowledgement as fixed-width text, no line wider than 100 columns."""
    cur = ack.currency
    company = ack.company
    out: list[str] = []
    title = TITLE.upper()
    out.append(f"{company.name[: TEXT_WIDTH - len(title) - 2]:<{TEXT_WIDTH - len(title)}}{title}")
    out.extend(_wrap(" · ".join(company.address_lines), TEXT_WIDTH))
    contact = " · ".join(p for p in (company.phone, company.email) if p)
    if contact:
        out.extend(_wrap(contact, TEXT_WIDTH))
    out.append("=" * TEXT_WIDTH)
    out.append("")

    incoterm = ack.incoterm_text
    left = _fields(
        [
            ("Order no.", ack.order_number),
            ("Order date", fmt_date(ack.order_date)),
            ("Issued", fmt_date(ack.issued_on)),
            ("Requested", fmt_date(ack.requested_date)),
            ("Ship via", ack.ship_via),
            ("Shipment", "Ship complete" if ack.ship_complete else ""),
        ]
    )
    right = _fields(
        [
            ("Customer", f"{ack.customer_code} {ack.customer_name}".strip()),
            ("Your PO", ack.customer_po),
            ("Payment terms", ack.payment_terms),
            ("Freight", ack.freight_terms),
            ("Incoterm", incoterm),
            ("Currency", cur),
        ]
    )
    out.extend(_side_by_side(left, right))
    out.append("")

    ship_heading = f"Ship to ({ack.ship_to_code})" if ack.ship_to_code else "Ship to"
    bill = ["Bill to", *(w for line in ack.bill_to for w in _wrap(line, 48))]
    ship = [ship_heading, *(w for line in ack.ship_to for w in _wrap(line, 48))]
    if not ack.ship_to:
        ship.append("To be confirmed")
    out.extend(_side_by_side(bill, ship))
    out.append("")

    out.append(" ".join(f"{h:{a}{w}}" for h, w, a in _TEXT_COLUMNS).rstrip())
    out.append(" ".join("-" * w for _, w, _ in _TEXT_COLUMNS))
    for line in ack.lines:
        out.extend(
            _text_row(
                [
                    str(line.line_no),
                    line.part_number,
                    line.description,
                    fmt_qty(line.quantity),
                    line.uom,
                    format_price(line.unit_price, cur),
                    format_money(line.extended, cur),
                    fmt_date(line.promised_date),
                ]
            )
        )
        for detail in line_details(line):
            out.extend(_wrap(detail, TEXT_WIDTH, indent=" " * 4, hanging=" " * 6))
    if not ack.lines:
        out.append("    (no lines)")
    out.append(" ".join("-" * w for _, w, _ in _TEXT_COLUMNS))

    for label, amount in (
        ("Subtotal", ack.subtotal),
        ("Freight", ack.freight),
        ("Tax", ack.tax),
        (f"Total {cur}", ack.total),
    ):
        out.append(f"{'':<{TEXT_WIDTH - 34}}{label:<16}{format_money(amount, cur):>18}")

    if ack.holds:
        out.append("")
        out.append("PENDING BEFORE RELEASE")
        out.extend(_wrap(_hold_intro(), TEXT_WIDTH))
        for hold in ack.holds:
            out.extend(
                _wrap(f"{hold.label}: {hold.notice}", TEXT_WIDTH, indent="  - ", hanging="    ")
            )
    if ack.notes:
        out.append("")
        out.append("NOTES")
        out.extend(_wrap(ack.notes, TEXT_WIDTH))

    out.append("")
    out.append("-" * TEXT_WIDTH)
    out.extend(_wrap(_terms_line(ack), TEXT_WIDTH))
    out.extend(_wrap(company.terms_note, TEXT_WIDTH))
    return "\n".join(line.rstrip() for line in out) + "\n"


def _terms_line(ack: Acknowledgement) -> str:
    parts = [
        f"Payment terms {ack.payment_terms}" if ack.payment_terms else "",
        f"Freight {ack.freight_terms}" if ack.freight_terms else "",
        f"Incoterm {ack.incoterm_text}" if ack.incoterm_text else "",
        f"Prices in {ack.currency}",
    ]
    return " · ".join(p for p in parts if p) + "."


# -- PDF -------------------------------------------------------------------------------------

#: Characters core fonts cannot encode, and what stands in for them.
_LATIN1_STAND_INS = str.maketrans(
    {
        "\u2192": "->",  # rightwards arrow
        "\u2190": "<-",  # leftwards arrow
        "\u2194": "<->",  # left right arrow
        "\u21d2": "=>",  # rightwards double arrow
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2012": "-",  # figure dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark
        "\u201a": "'",  # single low-9 quotation mark
        "\u201b": "'",  # single high-reversed-9 quotation mark
        "\u2032": "'",  # prime
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9 quotation mark
        "\u201f": '"',  # double high-reversed-9 quotation mark
        "\u2033": '"',  # double prime
        "\u2039": "<",  # single left-pointing angle quotation mark
        "\u203a": ">",  # single right-pointing angle quotation mark
        "\u2026": "...",  # horizontal ellipsis
        "\u2022": "*",  # bullet
        "\u20ac": "EUR",  # euro sign
        "\u2122": "(TM)",  # trade mark sign
        "\u2264": "<=",  # less-than or equal to
        "\u2265": ">=",  # greater-than or equal to
        "\u2260": "!=",  # not equal to
        "\u2248": "~",  # almost equal to
        "\u0141": "L",  # latin capital letter l with stroke
        "\u0142": "l",  # latin small letter l with stroke
        "\u0110": "D",  # latin capital letter d with stroke
        "\u0111": "d",  # latin small letter d with stroke
        "\u0152": "OE",  # latin capital ligature oe
        "\u0153": "oe",  # latin small ligature oe
        "\u0131": "i",  # latin small letter dotless i
        "\u2009": " ",  # thin space
        "\u202f": " ",  # narrow no-break space
        "\u2007": " ",  # figure space
        "\u200b": "",  # zero width space
        "\ufeff": "",  # zero width no-break space
        "\t": "    ",
        "\r": "",
    }
)


def latin1_safe(text: str) -> str:
    """`text` with only characters the PDF core fonts encode (latin-1): known stand-ins first,
    then accents stripped ("ő" -> "o"), then "?"; control characters other than newline go."""
    text = text.translate(_LATIN1_STAND_INS)
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        out = []
        for ch in text:
            if ord(ch) < 256:
                out.append(ch)
                continue
            base = "".join(
                c
                for c in unicodedata.normalize("NFKD", ch)
                if ord(c) < 256 and not unicodedata.combining(c)
            )
            out.append(base or "?")
        text = "".join(out)
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")


_MM_TABLE = (8.0, 32.0, 56.0, 16.0, 11.0, 21.0, 24.0, 18.0)  # fills 186 mm (A4 less margins)
_TABLE_HEAD = ("Ln", "Part", "Description", "Qty", "UoM", "Unit price", "Extended", "Promised")
_TABLE_ALIGN = ("R", "L", "L", "R", "L", "R", "R", "L")
_GREY = (90, 90, 90)
_RULE = (200, 200, 200)
_LH = 4.2
_DETAIL_LH = 3.5


class _AckPDF(FPDF):
    def __init__(self, ack: Acknowledgement, page_format: PageFormat) -> None:
        super().__init__(orientation="portrait", unit="mm", format=page_format)
        self.ack = ack
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=26)
        scale = self.epw / sum(_MM_TABLE)
        self.col_widths = tuple(w * scale for w in _MM_TABLE)
        self.set_title(latin1_safe(f"{TITLE} {ack.order_number}"))
        self.set_author(latin1_safe(ack.company.name))
        self.set_creator("orderdesk")

    def txt(self, text: str) -> str:
        return latin1_safe(text)

    def para(self, w: float, h: float, text: str, **kwargs: Any) -> Any:
        """A left-aligned (not justified) `multi_cell` of latin-1 safe text."""
        return self.multi_cell(w, h, self.txt(text), align="L", **kwargs)

    def header(self) -> None:
        ack, company = self.ack, self.ack.company
        top = self.t_margin
        self.set_text_color(0)
        self.set_xy(self.l_margin, top)
        self.set_font("Helvetica", "B", 13)
        self.cell(self.epw * 0.55, 6, self.txt(company.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*_GREY)
        for line in (
            *company.address_lines,
            " · ".join(p for p in (company.phone, company.email) if p),
        ):
            if line:
                self.cell(self.epw * 0.55, 3.8, self.txt(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()

        self.set_text_color(0)
        self.set_xy(self.l_margin + self.epw * 0.45, top)
        self.set_font("Helvetica", "B", 16)
        self.cell(self.epw * 0.55, 7, TITLE, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 9)
        self.cell(
            self.epw * 0.55,
            5,
            self.txt(f"Order {ack.order_number} · Page {self.page_no()} of {{nb}}"),
            align="R",
        )
        y = max(left_bottom, top + 13) + 2
        self.set_draw_color(0)
        self.set_line_width(0.4)
        self.line(self.l_margin, y, self.l_margin + self.epw, y)
        self.set_line_width(0.2)
        self.set_y(y + 3)

    def footer(self) -> None:
        ack = self.ack
        self.set_y(-22)
        self.set_draw_color(*_RULE)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.epw, self.get_y())
        self.ln(1.2)
        self.set_font("Helvetica", "B", 7)
        self.set_text_color(*_GREY)
        self.para(0, 3, _terms_line(ack), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 7)
        self.para(0, 3, ack.company.terms_note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)

    # -- blocks ------------------------------------------------------------------------------

    def fields(self, pairs: Sequence[tuple[str, str]], x: float, width: float) -> float:
        """Label/value rows at `x`; returns the y below them."""
        y = self.get_y()
        for label, value in pairs:
            if not value:
                continue
            self.set_xy(x, y)
            self.set_font("Helvetica", "B", 8.5)
            self.cell(26, 4.6, self.txt(label))
            self.set_font("Helvetica", "", 8.5)
            self.set_xy(x + 26, y)
            self.para(width - 26, 4.6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            y = self.get_y()
        return y

    def address(self, heading: str, lines: Sequence[str], x: float, width: float) -> float:
        y = self.get_y()
        self.set_xy(x, y)
        self.set_font("Helvetica", "B", 8.5)
        self.set_text_color(*_GREY)
        self.cell(width, 4.6, self.txt(heading.upper()), new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.set_font("Helvetica", "", 9.5)
        for i, line in enumerate(lines or ("To be confirmed",)):
            self.set_font("Helvetica", "B" if i == 0 else "", 9.5)
            self.set_x(x)
            self.para(width, 4.6, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
        return self.get_y()

    def table_header(self) -> None:
        self.set_font("Helvetica", "B", 8)
        self.set_fill_color(232, 232, 232)
        self.set_x(self.l_margin)
        for head, width, align in zip(_TABLE_HEAD, self.col_widths, _TABLE_ALIGN, strict=True):
            self.cell(width, 6, head, align=align, fill=True)
        self.ln(6)
        self.ln(0.8)

    def _split(self, width: float, text: str) -> list[str]:
        lines = self.para(width, _LH, text, dry_run=True, output=MethodReturnValue.LINES)
        return [str(line) for line in lines] or [""]

    def table_row(self, line: AckLine, currency: str) -> None:
        widths = self.col_widths
        self.set_font("Helvetica", "", 8)
        part = self._split(widths[1], line.part_number)
        desc = self._split(widths[2], line.description)
        details = line_details(line)
        self.set_font("Helvetica", "", 7)
        detail_lines = self._split(sum(widths[1:]), "   ·   ".join(details)) if details else []
        main_rows = max(len(part), len(desc))
        height = main_rows * _LH + len(detail_lines) * _DETAIL_LH + 1.6
        if self.will_page_break(height):
            self.add_page()
            self.table_header()
        y0 = self.get_y()
        cells: list[list[str]] = [
            [str(line.line_no)],
            part,
            desc,
            [fmt_qty(line.quantity)],
            [line.uom],
            [format_price(line.unit_price, currency)],
            [format_money(line.extended, currency)],
            [fmt_date(line.promised_date)],
        ]
        x = self.l_margin
        self.set_font("Helvetica", "", 8)
        for texts, width, align in zip(cells, widths, _TABLE_ALIGN, strict=True):
            for i, text in enumerate(texts):
                self.set_xy(x, y0 + i * _LH)
                self.cell(width, _LH, self.txt(text), align=align)
            x += width
        y = y0 + main_rows * _LH
        if detail_lines:
            self.set_font("Helvetica", "", 7)
            self.set_text_color(*_GREY)
            for i, text in enumerate(detail_lines):
                self.set_xy(self.l_margin + widths[0], y + i * _DETAIL_LH)
                self.cell(sum(widths[1:]), _DETAIL_LH, text)
            self.set_text_color(0)
            y += len(detail_lines) * _DETAIL_LH
        y += 0.8
        self.set_draw_color(*_RULE)
        self.line(self.l_margin, y, self.l_margin + self.epw, y)
        self.set_xy(self.l_margin, y + 0.8)

    def totals(self, ack: Acknowledgement) -> None:
        rows = (
            ("Subtotal", ack.subtotal),
            ("Freight", ack.freight),
            ("Tax", ack.tax),
            (f"Total {ack.currency}", ack.total),
        )
        if self.will_page_break(len(rows) * 5 + 4):
            self.add_page()
        self.ln(2)
        x = self.l_margin + self.epw - 75
        for label, amount in rows:
            bold = label.startswith("Total")
            if bold:
                self.set_draw_color(0)
                self.line(x, self.get_y(), self.l_margin + self.epw, self.get_y())
            self.set_font("Helvetica", "B" if bold else "", 10 if bold else 9)
            self.set_x(x)
            self.cell(40, 5, self.txt(label), align="R")
            self.cell(35, 5, format_money(amount, ack.currency), align="R")
            self.ln(5)

    def holds_notice(self, ack: Acknowledgement) -> None:
        self.set_font("Helvetica", "", 8.5)
        paragraphs = [_hold_intro(), *(f"{h.label}: {h.notice}" for h in ack.holds)]
        lines = sum(
            len(self.para(self.epw - 4, 4.2, p, dry_run=True, output=MethodReturnValue.LINES))
            for p in paragraphs
        )
        height = 6 + lines * 4.2 + 3
        self.ln(4)
        if self.will_page_break(height):
            self.add_page()
        y = self.get_y()
        self.set_fill_color(255, 244, 214)
        self.set_draw_color(214, 170, 60)
        self.rect(self.l_margin, y, self.epw, height, style="DF")
        self.set_xy(self.l_margin + 2, y + 1.5)
        self.set_font("Helvetica", "B", 9.5)
        self.cell(self.epw - 4, 5, "Pending before release", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 8.5)
        self.para(self.epw - 4, 4.2, paragraphs[0], new_x=XPos.LEFT, new_y=YPos.NEXT)
        for hold in ack.holds:
            self.set_font("Helvetica", "B", 8.5)
            label = f"{hold.label}: "
            self.cell(self.get_string_width(self.txt(label)), 4.2, self.txt(label))
            self.set_font("Helvetica", "", 8.5)
            self.para(0, 4.2, hold.notice, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_x(self.l_margin + 2)
        self.set_y(y + height)

    def notes(self, text: str) -> None:
        self.ln(4)
        if self.will_page_break(14):
            self.add_page()
        self.set_font("Helvetica", "B", 9.5)
        self.cell(0, 5, "Notes", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 8.5)
        self.para(0, 4.2, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def build_pdf(ack: Acknowledgement, *, page_format: PageFormat = "A4") -> FPDF:
    """The acknowledgement laid out on an FPDF document (not yet written)."""
    pdf = _AckPDF(ack, page_format)
    pdf.add_page()
    half = pdf.epw / 2
    left_x, right_x = pdf.l_margin, pdf.l_margin + half + 2
    top = pdf.get_y()
    bottom_left = pdf.fields(
        [
            ("Order no.", ack.order_number),
            ("Order date", fmt_date(ack.order_date)),
            ("Issued", fmt_date(ack.issued_on)),
            ("Requested", fmt_date(ack.requested_date)),
            ("Ship via", ack.ship_via),
            ("Shipment", "Ship complete" if ack.ship_complete else ""),
        ],
        left_x,
        half - 2,
    )
    pdf.set_y(top)
    bottom_right = pdf.fields(
        [
            ("Customer", f"{ack.customer_code} {ack.customer_name}".strip()),
            ("Your PO", ack.customer_po),
            ("Payment terms", ack.payment_terms),
            ("Freight", ack.freight_terms),
            ("Incoterm", ack.incoterm_text),
            ("Currency", ack.currency),
        ],
        right_x,
        half - 2,
    )
    pdf.set_y(max(bottom_left, bottom_right) + 4)
    top = pdf.get_y()
    ship_heading = f"Ship to ({ack.ship_to_code})" if ack.ship_to_code else "Ship to"
    bottom_left = pdf.address("Bill to", ack.bill_to, left_x, half - 2)
    pdf.set_y(top)
    bottom_right = pdf.address(ship_heading, ack.ship_to, right_x, half - 2)
    pdf.set_y(max(bottom_left, bottom_right) + 5)

    pdf.table_header()
    for line in ack.lines:
        pdf.table_row(line, ack.currency)
    if not ack.lines:
        pdf.set_font("Helvetica", "I", 8)
        pdf.cell(0, 6, "(no lines)", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.totals(ack)
    if ack.holds:
        pdf.holds_notice(ack)
    if ack.notes:
        pdf.notes(ack.notes)
    return pdf


def render_pdf(
    ack: Acknowledgement,
    path: Path,
    *,
    page_format: PageFormat = "A4",
    compress: bool = True,
) -> Path:
    """Write the acknowledgement as a PDF at `path` (atomically: a reader never sees half a
    file); returns `path`. `compress=False` leaves the page text readable in the raw bytes."""
    pdf = build_pdf(ack, page_format=page_format)
    pdf.set_compression(compress)
    return write_atomic(path, bytes(pdf.output()))


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` at `path` so that a reader never sees half a file; returns `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def pdf_filename(order_number: str) -> str:
    """`<order number>.pdf`, with anything a file system might not take replaced by `_`."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", order_number).lstrip(".") or "order"
    return f"{stem}.pdf"


def write_acknowledgement(
    store: Store,
    order_id: int,
    *,
    directory: Path | None = None,
    company: Company = DEFAULT_COMPANY,
    page_format: PageFormat = "A4",
    compress: bool = True,
) -> tuple[str, Path]:
    """Render order `order_id`'s acknowledgement as text and as a PDF filed under `directory`
    (default: `<data dir>/acknowledgements`); returns (text, PDF path)."""
    ack = load_acknowledgement(store, order_id, company=company)
    target = directory if directory is not None else data_dir() / "acknowledgements"
    target.mkdir(parents=True, exist_ok=True)
    path = render_pdf(
        ack, target / pdf_filename(ack.order_number), page_format=page_format, compress=compress
    )
    return render_text(ack), path
