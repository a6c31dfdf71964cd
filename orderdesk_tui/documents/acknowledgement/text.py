"""The acknowledgement as fixed-width text, at most 100 columns wide: the screen and e-mail
bodies."""

from collections.abc import Iterable, Sequence

from orderdesk_tui.documents.acknowledgement.model import Acknowledgement
from orderdesk_tui.documents.acknowledgement.wording import (
    CHANGED_NOTE,
    CHANGES_HEADING,
    HOLD_INTRO,
    REMOVED,
    line_details,
    line_number,
    marks_lines,
    revision_changes,
    terms_line,
)
from orderdesk_tui.documents.formats import fmt_date
from orderdesk_tui.documents.plain_text import TEXT_WIDTH, side_by_side, wrap
from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import format_money, format_price

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


def _fields(pairs: Iterable[tuple[str, str]], width: int = 48) -> list[str]:
    out = []
    for label, value in pairs:
        if value:
            out.extend(wrap(value, width, indent=f"{label:<15}", hanging=" " * 15))
    return out


def _text_row(cells: Sequence[str]) -> list[str]:
    wrapped = [
        wrap(text, width) if align == "<" else [text]
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
    title = ack.title.upper()
    out.append(f"{company.name[: TEXT_WIDTH - len(title) - 2]:<{TEXT_WIDTH - len(title)}}{title}")
    out.extend(wrap(" · ".join(company.address_lines), TEXT_WIDTH))
    contact = " · ".join(p for p in (company.phone, company.email) if p)
    if contact:
        out.extend(wrap(contact, TEXT_WIDTH))
    out.append("=" * TEXT_WIDTH)
    out.append("")

    incoterm = ack.incoterm_text
    left = _fields(
        [
            ("Order no.", ack.order_number),
            ("Revision", str(ack.revision) if ack.revision else ""),
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
    out.extend(side_by_side(left, right))
    out.append("")

    bill = ["Bill to", *(w for line in ack.bill_to for w in wrap(line, 48))]
    ship = [ack.ship_to_heading, *(w for line in ack.ship_to for w in wrap(line, 48))]
    if not ack.ship_to:
        ship.append("To be confirmed")
    out.extend(side_by_side(bill, ship))
    out.append("")

    changes = revision_changes(ack)
    if changes is not None:
        out.append(CHANGES_HEADING.upper())
        for change in changes:
            out.extend(wrap(change, TEXT_WIDTH, indent="  - ", hanging="    "))
        if marks_lines(ack):
            out.append(CHANGED_NOTE)
        out.append("")

    out.append(" ".join(f"{h:{a}{w}}" for h, w, a in _TEXT_COLUMNS).rstrip())
    out.append(" ".join("-" * w for _, w, _ in _TEXT_COLUMNS))
    for line in ack.lines:
        out.extend(
            _text_row(
                [
                    line_number(line),
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
            out.extend(wrap(detail, TEXT_WIDTH, indent=" " * 4, hanging=" " * 6))
    for removed in ack.removed:
        cells = [f"*{removed.line_no}", removed.part_number, REMOVED, removed.quantity]
        out.extend(_text_row(cells + [""] * (len(_TEXT_COLUMNS) - len(cells))))
    if not ack.lines and not ack.removed:
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
        out.extend(wrap(HOLD_INTRO, TEXT_WIDTH))
        for hold in ack.holds:
            out.extend(
                wrap(f"{hold.label}: {hold.notice}", TEXT_WIDTH, indent="  - ", hanging="    ")
            )
    if ack.notes:
        out.append("")
        out.append("NOTES")
        out.extend(wrap(ack.notes, TEXT_WIDTH))

    out.append("")
    out.append("-" * TEXT_WIDTH)
    out.extend(wrap(terms_line(ack), TEXT_WIDTH))
    out.extend(wrap(company.terms_note, TEXT_WIDTH))
    return "\n".join(line.rstrip() for line in out) + "\n"
