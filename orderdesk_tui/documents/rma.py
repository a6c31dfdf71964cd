"""Return documents: the return authorisation (instructions and label for the customer) and
the credit memo, each as fixed-width text (the screen, e-mail bodies) and as a PDF.

Both are read from the store into a frozen `ReturnDocument` of plain values, then rendered by
one text and one PDF layout (the documents' Unicode fonts, as the acknowledgement).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace
from sqlmodel import col, select

from orderdesk_tui.documents.company import DEFAULT_COMPANY, Company
from orderdesk_tui.documents.formats import address_lines, fmt_date
from orderdesk_tui.documents.pdf import FONT, DocumentPDF, PageFormat, pdf_filename
from orderdesk_tui.documents.plain_text import TEXT_WIDTH, wrap
from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import format_money, format_price
from orderdesk_tui.domain.returns import REASON_LABELS
from orderdesk_tui.errors import FieldError, RuleViolation
from orderdesk_tui.models import (
    RMA,
    Address,
    Customer,
    Invoice,
    InvoiceLine,
    Item,
    RMALine,
    SalesOrder,
    SalesOrderLine,
    Warehouse,
)
from orderdesk_tui.models.base import AddressKind
from orderdesk_tui.paths import data_dir
from orderdesk_tui.store import Store

RETURN_TITLE = "Return Authorisation"
CREDIT_TITLE = "Credit Memo"
#: Days the customer has to send the goods once authorised.
SHIP_WITHIN_DAYS = 14


@dataclass(frozen=True)
class DocLine:
    part: str
    description: str
    quantity: Decimal
    uom: str
    detail: str = ""
    unit_price: Decimal | None = None
    extended: Decimal | None = None


@dataclass(frozen=True)
class ReturnDocument:
    title: str
    number: str
    company: Company
    fields: tuple[tuple[str, str], ...]
    left_heading: str
    left: tuple[str, ...]
    right_heading: str
    right: tuple[str, ...]
    lines: tuple[DocLine, ...]
    totals: tuple[tuple[str, Decimal], ...]
    currency: str
    paragraphs: tuple[str, ...]
    #: Printed large on the PDF for the carton (the RMA number), empty for none.
    label: str = ""


def _rma(store: Store, rma_id: int) -> RMA:
    with store.session() as session:
        rma = session.get(RMA, rma_id)
    if rma is None:
        raise FieldError("rma", f"no RMA with id {rma_id}")
    return rma


def load_return_authorisation(
    store: Store, rma_id: int, *, company: Company = DEFAULT_COMPANY
) -> ReturnDocument:
    """What the customer needs to send the goods back: the RMA number, what, where, how."""
    with store.session() as session:
        rma = session.get(RMA, rma_id)
        if rma is None:
            raise FieldError("rma", f"no RMA with id {rma_id}")
        if rma.authorised_at is None:
            raise RuleViolation(
                f"rule rma.documents: {rma.number} is not authorised; no return instructions yet"
            )
        customer = session.get(Customer, rma.customer_id)
        assert customer is not None
        order = session.get(SalesOrder, rma.order_id) if rma.order_id else None
        invoice = session.get(Invoice, rma.invoice_id) if rma.invoice_id else None
        rows = session.exec(
            select(RMALine, SalesOrderLine)
            .outerjoin(SalesOrderLine, col(SalesOrderLine.id) == col(RMALine.order_line_id))
            .where(RMALine.rma_id == rma_id)
            .order_by(col(RMALine.id))
        ).all()
        lines = []
        warehouse_id = None
        for rline, oline in rows:
            item = session.get(Item, rline.item_id)
            assert item is not None
            warehouse_id = warehouse_id or (oline.warehouse_id if oline else None)
            detail = "; ".join(
                p
                for p in (
                    f"serial/lot {rline.lot_serial}" if rline.lot_serial else "",
                    REASON_LABELS.get(rline.reason_code, rline.reason_code),
                )
                if p
            )
            lines.append(
                DocLine(
                    part=item.part_number,
                    description=(oline.description if oline else "") or item.description,
                    quantity=rline.quantity_requested,
                    uom=item.uom,
                    detail=detail,
                )
            )
        warehouse = session.get(Warehouse, warehouse_id) if warehouse_id else None
        warehouse = (
            warehouse
            or session.exec(
                select(Warehouse).where(col(Warehouse.active)).order_by(col(Warehouse.id))
            ).first()
        )
        ship_from = session.get(Address, order.ship_to_id) if order and order.ship_to_id else None
        dock = (
            (
                f"{company.name} - Returns",
                warehouse.name,
                warehouse.line1,
                f"{warehouse.city}, {warehouse.region} {warehouse.postal_code}".strip(", "),
                warehouse.country,
            )
            if warehouse
            else company.address_lines
        )
    authorised = rma.authorised_at.date()
    deadline = date.fromordinal(authorised.toordinal() + SHIP_WITHIN_DAYS)
    return ReturnDocument(
        title=RETURN_TITLE,
        number=rma.number,
        company=company,
        fields=(
            ("RMA no.", rma.number),
            ("Authorised", fmt_date(authorised)),
            ("Ship by", fmt_date(deadline)),
            ("Customer", f"{customer.code} {customer.name}"),
            ("Your PO", order.customer_po if order else ""),
            ("Our order", order.number if order else ""),
            ("Invoice", invoice.number if invoice else ""),
            ("Reason", REASON_LABELS.get(rma.reason_code, rma.reason_code)),
        ),
        left_heading="Return to",
        left=tuple(line for line in dock if line),
        right_heading="Returned by",
        right=address_lines(ship_from) or (customer.name,),
        lines=tuple(lines),
        totals=(),
        currency=customer.currency,
        paragraphs=(
            f"Write {rma.number} clearly on every carton and put a copy of this authorisation "
            "inside. Goods that arrive without the RMA number may be refused.",
            f"Please ship by {fmt_date(deadline)}. Return only the parts and quantities listed; "
            "anything else is sent back at your cost.",
            "Pack the goods as you received them, in their original packaging where you can. "
            "Credit or replacement follows our inspection; a restocking fee may apply to "
            "returns that are not our error, as our return policy sets out.",
        ),
        label=rma.number,
    )


def load_credit_memo(
    store: Store, invoice_id: int, *, company: Company = DEFAULT_COMPANY
) -> ReturnDocument:
    with store.session() as session:
        memo = session.get(Invoice, invoice_id)
        if memo is None or memo.kind != "credit_memo":
            raise FieldError("credit memo", f"no credit memo with id {invoice_id}")
        customer = session.get(Customer, memo.customer_id)
        assert customer is not None
        rma = session.exec(select(RMA).where(RMA.credit_memo_id == invoice_id)).first()
        order = session.get(SalesOrder, memo.order_id) if memo.order_id else None
        original = session.get(Invoice, rma.invoice_id) if rma and rma.invoice_id else None
        bill_to = session.exec(
            select(Address)
            .where(Address.customer_id == customer.id, Address.kind == AddressKind.BILL_TO)
            .order_by(col(Address.is_default).desc(), col(Address.id))
        ).first()
        rows = session.exec(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(col(InvoiceLine.id))
        ).all()
    lines = tuple(
        DocLine(
            part="",
            description=row.description,
            quantity=row.quantity,
            uom="",
            unit_price=row.unit_price,
            extended=row.extended,
        )
        for row in rows
    )
    return ReturnDocument(
        title=CREDIT_TITLE,
        number=memo.number,
        company=company,
        fields=(
            ("Credit memo", memo.number),
            ("Date", fmt_date(memo.invoice_date)),
            ("Customer", f"{customer.code} {customer.name}"),
            ("RMA", rma.number if rma else ""),
            ("Our order", order.number if order else ""),
            ("Your PO", order.customer_po if order else ""),
            ("Invoice", original.number if original else ""),
        ),
        left_heading="Bill to",
        left=address_lines(bill_to) or (customer.name,),
        right_heading="",
        right=(),
        lines=lines,
        totals=(
            ("Goods less fees", memo.subtotal),
            ("Freight", memo.freight),
            ("Tax", memo.tax),
            (f"Credit {memo.currency}", memo.total),
        ),
        currency=memo.currency,
        paragraphs=(
            "This credit is applied to your account and may be taken against any open invoice.",
        ),
    )


# -- text --------------------------------------------------------------------------------------


def render_text(doc: ReturnDocument) -> str:
    """The document as fixed-width text, no line wider than 100 columns."""
    out: list[str] = []
    title = doc.title.upper()
    name = doc.company.name[: TEXT_WIDTH - len(title) - 2]
    out.append(f"{name:<{TEXT_WIDTH - len(title)}}{title}")
    out.extend(wrap(" · ".join(doc.company.address_lines), TEXT_WIDTH))
    out.append("=" * TEXT_WIDTH)
    out.append("")
    for label, value in doc.fields:
        if value:
            out.extend(wrap(f"{label:<12} {value}", TEXT_WIDTH))
    out.append("")
    left = [doc.left_heading, *doc.left] if doc.left_heading else []
    right = [doc.right_heading, *doc.right] if doc.right_heading else []
    for i in range(max(len(left), len(right))):
        a = left[i][:48] if i < len(left) else ""
        b = right[i][:48] if i < len(right) else ""
        out.append(f"{a:<50}{b}".rstrip())
    out.append("")
    priced = any(line.extended is not None for line in doc.lines)
    if priced:
        out.append(f"{'Description':<52} {'Qty':>10} {'Unit price':>16} {'Amount':>18}")
    else:
        out.append(f"{'Part':<24} {'Description':<52} {'Qty':>10} {'UoM':<4}")
    out.append("-" * TEXT_WIDTH)
    for line in doc.lines:
        if priced:
            unit = format_price(line.unit_price or Decimal(0), doc.currency)
            extended = format_money(line.extended or Decimal(0), doc.currency)
            out.append(
                f"{line.description[:52]:<52} {fmt_qty(line.quantity):>10} {unit:>16} "
                f"{extended:>18}"
            )
        else:
            out.append(
                f"{line.part[:24]:<24} {line.description[:52]:<52} "
                f"{fmt_qty(line.quantity):>10} {line.uom:<4}".rstrip()
            )
        if line.detail:
            out.extend(wrap(line.detail, TEXT_WIDTH, indent="    "))
    out.append("-" * TEXT_WIDTH)
    for label, amount in doc.totals:
        out.append(f"{'':<{TEXT_WIDTH - 40}}{label:<22}{format_money(amount, doc.currency):>18}")
    if doc.totals:
        out.append("")
    for paragraph in doc.paragraphs:
        out.extend(wrap(paragraph, TEXT_WIDTH))
        out.append("")
    return "\n".join(line.rstrip() for line in out).rstrip() + "\n"


# -- PDF ---------------------------------------------------------------------------------------


_HEAD_FILL = (232, 232, 232)
_RULE = (200, 200, 200)


class _DocPDF(DocumentPDF):
    def __init__(self, doc: ReturnDocument, page_format: PageFormat) -> None:
        super().__init__(page_format, title=f"{doc.title} {doc.number}", author=doc.company.name)
        self.doc = doc
        self.set_margins(14, 14, 14)
        self.set_auto_page_break(True, margin=18)

    def para(self, text: str, h: float = 4.4) -> None:
        self.multi_cell(0, h, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def header(self) -> None:
        doc = self.doc
        self.set_font(FONT, "B", 13)
        self.cell(self.epw * 0.55, 6, doc.company.name)
        self.set_font(FONT, "B", 16)
        self.cell(self.epw * 0.45, 6, doc.title, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 8)
        self.cell(self.epw * 0.55, 4, " · ".join(doc.company.address_lines))
        self.set_font(FONT, "", 9)
        self.cell(
            self.epw * 0.45, 4, f"{doc.number} · Page {self.page_no()} of {{nb}}", align="R",
            new_x=XPos.LMARGIN, new_y=YPos.NEXT,
        )  # fmt: skip
        y = self.get_y() + 2
        self.line(self.l_margin, y, self.l_margin + self.epw, y)
        self.set_y(y + 3)

    def lines_table(self, doc: ReturnDocument) -> None:
        """The lines, priced (credit memo) or not (return authorisation), each with its detail
        (serial/lot, reason) spanning the row below it."""
        priced = any(line.extended is not None for line in doc.lines)
        columns: tuple[tuple[str, float, str], ...] = (
            (("Description", 95.0, "L"), ("Qty", 22.0, "R"), ("Unit price", 30.0, "R"),
             ("Amount", 35.0, "R"))
            if priced
            else (("Part", 45.0, "L"), ("Description", 100.0, "L"), ("Qty", 22.0, "R"),
                  ("UoM", 15.0, "L"))
        )  # fmt: skip
        self.set_font(FONT, "", 8.5)
        self.set_draw_color(*_RULE)
        with self.table(
            width=self.epw,
            col_widths=tuple(width for _, width, _ in columns),
            align="LEFT",
            borders_layout=TableBordersLayout.NONE,
            headings_style=FontFace(emphasis="BOLD", fill_color=_HEAD_FILL),
            line_height=5,
            padding=(0, 1.0),
            v_align="TOP",
        ) as table:
            head = table.row()
            for heading, _, align in columns:
                head.cell(heading, align=align)
            for line in doc.lines:
                if priced:
                    cells: tuple[str, ...] = (
                        line.description,
                        fmt_qty(line.quantity),
                        format_price(line.unit_price or Decimal(0), doc.currency),
                        format_money(line.extended or Decimal(0), doc.currency),
                    )
                else:
                    cells = (line.part, line.description, fmt_qty(line.quantity), line.uom)
                row = table.row()
                for text, (_, _, align) in zip(cells, columns, strict=True):
                    row.cell(text, align=align)
                if line.detail:
                    table.row(style=FontFace(size_pt=7.5)).cell(
                        f"    {line.detail}", align="L", colspan=len(columns)
                    )

    def totals(self, doc: ReturnDocument) -> None:
        """The totals right-aligned under the amounts; the last (the credit) in bold."""
        self.totals_table(doc.totals, doc.currency, label_width=45)


def build_pdf(doc: ReturnDocument, *, page_format: PageFormat = "A4") -> DocumentPDF:
    pdf = _DocPDF(doc, page_format)
    pdf.add_page()
    if doc.label:
        pdf.set_font(FONT, "B", 28)
        pdf.set_line_width(0.8)
        pdf.cell(0, 16, doc.label, border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_line_width(0.2)
        pdf.set_font(FONT, "", 8)
        pdf.cell(
            0, 5, "Mark every carton with this number", align="C",
            new_x=XPos.LMARGIN, new_y=YPos.NEXT,
        )  # fmt: skip
        pdf.ln(3)
    for label, value in doc.fields:
        if value:
            pdf.set_font(FONT, "B", 9)
            pdf.cell(30, 5, label)
            pdf.set_font(FONT, "", 9)
            pdf.cell(0, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    top = pdf.get_y()
    half = pdf.epw / 2
    bottom = top
    for x, heading, lines in (
        (pdf.l_margin, doc.left_heading, doc.left),
        (pdf.l_margin + half, doc.right_heading, doc.right),
    ):
        if not heading:
            continue
        pdf.set_xy(x, top)
        pdf.set_font(FONT, "B", 8.5)
        pdf.cell(half - 2, 4.6, heading.upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 9.5)
        for line in lines:
            pdf.set_x(x)
            pdf.cell(half - 2, 4.6, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom + 4)
    pdf.lines_table(doc)
    pdf.ln(2)
    if doc.totals:
        pdf.totals(doc)
    pdf.ln(4)
    pdf.set_font(FONT, "", 9)
    for paragraph in doc.paragraphs:
        pdf.para(paragraph)
        pdf.ln(1.5)
    return pdf


def render_pdf(
    doc: ReturnDocument, path: Path, *, page_format: PageFormat = "A4", compress: bool = True
) -> Path:
    return build_pdf(doc, page_format=page_format).write_to(path, compress=compress)


def _write(
    doc: ReturnDocument, folder: str, directory: Path | None, *, compress: bool
) -> tuple[str, Path]:
    target = directory if directory is not None else data_dir() / folder
    path = render_pdf(doc, target / pdf_filename(doc.number), compress=compress)
    return render_text(doc), path


def write_return_authorisation(
    store: Store, rma_id: int, *, directory: Path | None = None, compress: bool = True
) -> tuple[str, Path]:
    """The return instructions as text and as a PDF filed under `<data dir>/returns`."""
    return _write(load_return_authorisation(store, rma_id), "returns", directory, compress=compress)


def write_credit_memo(
    store: Store, invoice_id: int, *, directory: Path | None = None, compress: bool = True
) -> tuple[str, Path]:
    """The credit memo as text and as a PDF filed under `<data dir>/credit-memos`."""
    return _write(load_credit_memo(store, invoice_id), "credit-memos", directory, compress=compress)


def rma_documents(store: Store, rma_id: int, *, directory: Path | None = None) -> list[Path]:
    """Every document the RMA has so far (return instructions, credit memo), written again."""
    rma = _rma(store, rma_id)
    paths = []
    if rma.authorised_at is not None:
        paths.append(write_return_authorisation(store, rma_id, directory=directory)[1])
    if rma.credit_memo_id is not None:
        paths.append(write_credit_memo(store, rma.credit_memo_id, directory=directory)[1])
    return paths
