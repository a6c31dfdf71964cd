"""The acknowledgement's sentences, said the same way in its text and in its PDF: what a line's
columns do not say, the notice above open holds, and the terms line."""

from orderdesk_tui.documents.acknowledgement.model import AckLine, Acknowledgement
from orderdesk_tui.documents.formats import fmt_date
from orderdesk_tui.domain.availability.quantities import fmt_qty

CHANGES_HEADING = "Changes in this revision"
CHANGED_NOTE = "Lines marked * changed in this revision."
REMOVED = "Removed from the order"

HOLD_INTRO = (
    "Your order is confirmed and will be released for shipment once the following is "
    "complete; we will contact you if we need anything from you."
)


def line_number(line: AckLine) -> str:
    """The line's number, marked `*` when the revision acknowledged changed it."""
    return f"*{line.line_no}" if line.changed else str(line.line_no)


def revision_changes(ack: Acknowledgement) -> list[str] | None:
    """What the revision changed, one change a line ([] when its summary is empty but lines
    are marked); None when there is nothing to say (revision 0)."""
    if not ack.revision or not (ack.changes or marks_lines(ack)):
        return None
    return list(ack.changes)


def marks_lines(ack: Acknowledgement) -> bool:
    """Whether the lines table has lines marked `*` (changed, or removed)."""
    return bool(ack.removed) or any(line.changed for line in ack.lines)


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


def terms_line(ack: Acknowledgement) -> str:
    parts = [
        f"Payment terms {ack.payment_terms}" if ack.payment_terms else "",
        f"Freight {ack.freight_terms}" if ack.freight_terms else "",
        f"Incoterm {ack.incoterm_text}" if ack.incoterm_text else "",
        f"Prices in {ack.currency}",
    ]
    return " · ".join(p for p in parts if p) + "."
