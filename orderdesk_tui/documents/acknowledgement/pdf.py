"""The acknowledgement as an A4 or Letter PDF: a header and terms footer on every page, the order
and customer fields, the addresses, the lines and totals as fpdf2 tables (the lines' headings
repeat on each page they span), the holds notice and the notes."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf.enums import CellBordersLayout, MethodReturnValue, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from orderdesk_tui.documents.acknowledgement.model import TITLE, Acknowledgement
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
from orderdesk_tui.documents.pdf import FONT, DocumentPDF, PageFormat, pdf_filename
from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import format_money, format_price

#: The lines table: (heading, relative width, alignment); the widths fill the page's width.
_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("Ln", 8.0, "R"),
    ("Part", 31.0, "L"),
    ("Description", 52.0, "L"),
    ("Qty", 15.0, "R"),
    ("UoM", 11.0, "L"),
    ("Unit price", 21.0, "R"),
    ("Extended", 25.0, "R"),
    ("Promised", 21.0, "L"),
)
_GREY = (90, 90, 90)
_RULE = (200, 200, 200)
_HEAD_FILL = (232, 232, 232)
_LH = 4.2
#: Width of the fields' labels ("Payment terms" in bold).
_LABEL_WIDTH = 27.0
_RULE_BELOW = CellBordersLayout.BOTTOM
_NO_RULE = CellBordersLayout.NONE


class _AckPDF(DocumentPDF):
    def __init__(self, ack: Acknowledgement, page_format: PageFormat) -> None:
        super().__init__(
            page_format, title=f"{ack.title} {ack.order_number}", author=ack.company.name
        )
        self.ack = ack
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=26)

    def para(self, w: float, h: float, text: str, **kwargs: Any) -> Any:
        """A left-aligned (not justified) `multi_cell`."""
        return self.multi_cell(w, h, text, align="L", **kwargs)

    def header(self) -> None:
        ack, company = self.ack, self.ack.company
        top = self.t_margin
        self.set_text_color(0)
        self.set_xy(self.l_margin, top)
        self.set_font(FONT, "B", 13)
        self.cell(self.epw * 0.55, 6, company.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 8)
        self.set_text_color(*_GREY)
        for line in (
            *company.address_lines,
            " · ".join(p for p in (company.phone, company.email) if p),
        ):
            if line:
                self.cell(self.epw * 0.55, 3.8, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()

        self.set_text_color(0)
        self.set_xy(self.l_margin + self.epw * 0.45, top)
        self.set_font(FONT, "B", 16)
        self.cell(self.epw * 0.55, 7, TITLE, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(FONT, "", 9)
        revision = f" · Revision {ack.revision}" if ack.revision else ""
        self.cell(
            self.epw * 0.55,
            5,
            f"Order {ack.order_number}{revision} · Page {self.page_no()} of {{nb}}",
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
        self.set_font(FONT, "B", 7)
        self.set_text_color(*_GREY)
        self.para(0, 3, terms_line(ack), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 7)
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
            self.set_font(FONT, "B", 8.5)
            self.cell(_LABEL_WIDTH, 4.6, label)
            self.set_font(FONT, "", 8.5)
            self.set_xy(x + _LABEL_WIDTH, y)
            self.para(width - _LABEL_WIDTH, 4.6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            y = self.get_y()
        return y

    def address(self, heading: str, lines: Sequence[str], x: float, width: float) -> float:
        y = self.get_y()
        self.set_xy(x, y)
        self.set_font(FONT, "B", 8.5)
        self.set_text_color(*_GREY)
        self.cell(width, 4.6, heading.upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_text_color(0)
        for i, line in enumerate(lines or ("To be confirmed",)):
            self.set_font(FONT, "B" if i == 0 else "", 9.5)
            self.set_x(x)
            self.para(width, 4.6, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
        return self.get_y()

    def lines_table(self, ack: Acknowledgement) -> None:
        """One row a line, then (spanning all but the line number) what its columns do not say,
        a rule below both; the headings repeat on every page the table spans."""
        self.set_font(FONT, "", 8)
        self.set_draw_color(*_RULE)
        details_style = FontFace(size_pt=7, color=_GREY)
        with self.table(
            width=self.epw,
            col_widths=tuple(width for _, width, _ in _COLUMNS),
            align="LEFT",
            borders_layout=TableBordersLayout.NONE,
            headings_style=FontFace(emphasis="BOLD", size_pt=8, fill_color=_HEAD_FILL),
            line_height=_LH,
            padding=(0.8, 1.0),
            v_align="TOP",
        ) as table:
            head = table.row()
            for heading, _, align in _COLUMNS:
                head.cell(heading, align=align)
            for line in ack.lines:
                details = line_details(line)
                row = table.row()
                row.cell(
                    line_number(line),
                    align="R",
                    rowspan=2 if details else 1,
                    border=_RULE_BELOW,
                )
                cells = (
                    line.part_number,
                    line.description,
                    fmt_qty(line.quantity),
                    line.uom,
                    format_price(line.unit_price, ack.currency),
                    format_money(line.extended, ack.currency),
                    fmt_date(line.promised_date),
                )
                for text, (_, _, align) in zip(cells, _COLUMNS[1:], strict=True):
                    row.cell(text, align=align, border=_NO_RULE if details else _RULE_BELOW)
                if details:
                    table.row().cell(
                        "   ·   ".join(details),
                        align="L",
                        colspan=len(_COLUMNS) - 1,
                        style=details_style,
                        border=_RULE_BELOW,
                    )
            for removed in ack.removed:
                row = table.row(style=FontFace(color=_GREY))
                was = (f"*{removed.line_no}", removed.part_number, REMOVED, removed.quantity)
                for text, (_, _, align) in zip(was, _COLUMNS, strict=False):
                    row.cell(text, align=align, border=_RULE_BELOW)
                row.cell("", colspan=len(_COLUMNS) - len(was), border=_RULE_BELOW)
            if not ack.lines and not ack.removed:
                table.row().cell(
                    "(no lines)", align="L", colspan=len(_COLUMNS), style=FontFace(color=_GREY)
                )

    def changes(self, ack: Acknowledgement, changes: Sequence[str]) -> None:
        """What the revision changed, above the lines (whose changed ones are marked `*`)."""
        if self.will_page_break(14):
            self.add_page()
        self.set_font(FONT, "B", 9.5)
        self.cell(0, 5, CHANGES_HEADING, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 8.5)
        for change in changes:
            self.set_x(self.l_margin + 2)
            self.cell(4, 4.2, "•")
            self.para(self.epw - 6, 4.2, change, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if marks_lines(ack):
            self.set_text_color(*_GREY)
            self.cell(0, 4.6, CHANGED_NOTE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0)
        self.ln(3)

    def totals(self, ack: Acknowledgement) -> None:
        """Subtotal, freight, tax and the total, right-aligned under the amounts, kept on one
        page."""
        rows = (
            ("Subtotal", ack.subtotal),
            ("Freight", ack.freight),
            ("Tax", ack.tax),
            (f"Total {ack.currency}", ack.total),
        )
        if self.will_page_break(len(rows) * 5 + 4):
            self.add_page()
        self.ln(2)
        self.set_draw_color(0)
        self.totals_table(rows, ack.currency, label_width=40, rule_above_last=True)

    def holds_notice(self, ack: Acknowledgement) -> None:
        self.set_font(FONT, "", 8.5)
        paragraphs = [HOLD_INTRO, *(f"{h.label}: {h.notice}" for h in ack.holds)]
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
        self.set_font(FONT, "B", 9.5)
        self.cell(self.epw - 4, 5, "Pending before release", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(FONT, "", 8.5)
        self.para(self.epw - 4, 4.2, HOLD_INTRO, new_x=XPos.LEFT, new_y=YPos.NEXT)
        for hold in ack.holds:
            self.set_font(FONT, "B", 8.5)
            label = f"{hold.label}: "
            self.cell(self.get_string_width(label), 4.2, label)
            self.set_font(FONT, "", 8.5)
            self.para(0, 4.2, hold.notice, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_x(self.l_margin + 2)
        self.set_y(y + height)

    def notes(self, text: str) -> None:
        self.ln(4)
        if self.will_page_break(14):
            self.add_page()
        self.set_font(FONT, "B", 9.5)
        self.cell(0, 5, "Notes", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 8.5)
        self.para(0, 4.2, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def ack_pdf_filename(ack: Acknowledgement) -> str:
    """`SO0100245.pdf`, and `SO0100245-r2.pdf` for its revision 2."""
    return pdf_filename(f"{ack.order_number}-r{ack.revision}" if ack.revision else ack.order_number)


def build_pdf(ack: Acknowledgement, *, page_format: PageFormat = "A4") -> DocumentPDF:
    """The acknowledgement laid out on an FPDF document (not yet written)."""
    pdf = _AckPDF(ack, page_format)
    pdf.add_page()
    half = pdf.epw / 2
    left_x, right_x = pdf.l_margin, pdf.l_margin + half + 2
    top = pdf.get_y()
    bottom_left = pdf.fields(
        [
            ("Order no.", ack.order_number),
            ("Revision", str(ack.revision) if ack.revision else ""),
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
    bottom_left = pdf.address("Bill to", ack.bill_to, left_x, half - 2)
    pdf.set_y(top)
    bottom_right = pdf.address(ack.ship_to_heading, ack.ship_to, right_x, half - 2)
    pdf.set_y(max(bottom_left, bottom_right) + 5)

    if (changes := revision_changes(ack)) is not None:
        pdf.changes(ack, changes)
    pdf.lines_table(ack)
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
    file); returns `path`. `compress=False` leaves the content streams readable in the raw
    bytes."""
    return build_pdf(ack, page_format=page_format).write_to(path, compress=compress)
