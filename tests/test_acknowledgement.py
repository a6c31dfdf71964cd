"""The order acknowledgement, read from both stores and rendered as text and as a PDF."""

import re
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from orderdesk_tui.documents.acknowledgement import write_acknowledgement
from orderdesk_tui.documents.acknowledgement.load import load_acknowledgement
from orderdesk_tui.documents.acknowledgement.model import AckLine, Acknowledgement
from orderdesk_tui.documents.acknowledgement.pdf import render_pdf
from orderdesk_tui.documents.acknowledgement.text import render_text
from orderdesk_tui.documents.company import DEFAULT_COMPANY, Company
from orderdesk_tui.documents.pdf import pdf_filename
from orderdesk_tui.documents.plain_text import TEXT_WIDTH
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
from orderdesk_tui.store import Store
from tests.pdf_text import embedded_fonts, pdf_lines, pdf_pages

NUMBER = "SO0100245"
PO = "PO-4471/B"
HOLD_REASON = "over limit by 1,204.50; 2 invoices 45+ days past due"


@dataclass(frozen=True)
class Built:
    order_id: int


def _build(
    store: Store,
    *,
    customer_name: str = "Acme Tooling Inc.",
    notes: str = "Dock 4, call ahead.",
    extra_lines: int = 0,
) -> Built:
    with store.session() as s:
        customer = Customer(
            code="ACME01",
            name=customer_name,
            payment_terms="NET30",
            freight_terms=FreightTerms.PREPAID_ADD,
        )
        s.add(customer)
        s.flush()
        assert customer.id is not None
        bill = Address(
            customer_id=customer.id,
            code="AP",
            kind=AddressKind.BILL_TO,
            name=f"{customer_name} - Accounts Payable",
            line1="PO Box 2210",
            city="Cleveland",
            region="OH",
            postal_code="44101",
            is_default=True,
        )
        ship = Address(
            customer_id=customer.id,
            code="PLANT2",
            kind=AddressKind.SHIP_TO,
            name="Acme Plant 2",
            line1="88 Foundry Road",
            line2="Receiving, door 4",
            city="Windsor",
            region="ON",
            postal_code="N9A 1A1",
            country="CA",
        )
        bearing = Item(
            part_number="BRG-6204-2RS",
            description="Deep groove ball bearing 20x47x14 sealed",
            list_price=Decimal("7.4500"),
        )
        bolt = Item(
            part_number="HXB-M8X40-ZP",
            description="Hex bolt M8 x 40 zinc plated, class 8.8",
            list_price=Decimal("0.1825"),
        )
        paint = Item(
            part_number="PNT-ENML-GAL",
            description="Industrial enamel, safety yellow, 1 gal",
            uom="GAL",
            list_price=Decimal("48.9000"),
            hazmat_un_number="UN1263",
            hazmat_class="3",
        )
        s.add_all([bill, ship, bearing, bolt, paint])
        s.flush()
        assert bearing.id and bolt.id and paint.id
        s.add(
            ItemCrossReference(
                item_id=bearing.id,
                kind=CrossRefKind.CUSTOMER_PART,
                customer_id=customer.id,
                reference="ACME-77310",
            )
        )
        order = SalesOrder(
            number=NUMBER,
            customer_id=customer.id,
            customer_po=PO,
            bill_to_id=bill.id,
            ship_to_id=ship.id,
            state="on_hold",
            ship_via="UPS Ground",
            freight_terms=FreightTerms.PREPAID_ADD,
            incoterm="DAP",
            incoterm_place="Windsor ON",
            payment_terms="NET30",
            notes=notes,
            entered_at=datetime(2025, 3, 3, 14, 5, tzinfo=UTC),
            requested_date=date(2025, 3, 10),
            subtotal=Decimal("12345.67"),
            freight=Decimal("85.00"),
            tax=Decimal("0.00"),
            total=Decimal("12430.67"),
        )
        s.add(order)
        s.flush()
        assert order.id is not None
        lines = [
            SalesOrderLine(
                order_id=order.id,
                line_no=1,
                item_id=bearing.id,
                part_number=bearing.part_number,
                description=bearing.description,
                quantity=Decimal("1200"),
                unit_price=Decimal("7.1000"),
                extended=Decimal("8520.00"),
                quantity_allocated=Decimal("1200"),
                last_promised_date=date(2025, 3, 5),
            ),
            SalesOrderLine(
                order_id=order.id,
                line_no=2,
                item_id=bolt.id,
                part_number=bolt.part_number,
                customer_part_number="B-M8-40",
                description=bolt.description,
                quantity=Decimal("5000"),
                unit_price=Decimal("0.1825"),
                extended=Decimal("912.50"),
                quantity_allocated=Decimal("3000"),
                quantity_backordered=Decimal("2000"),
                first_promised_date=date(2025, 3, 24),
                last_promised_date=date(2025, 3, 24),
            ),
            SalesOrderLine(
                order_id=order.id,
                line_no=3,
                item_id=paint.id,
                part_number=paint.part_number,
                description=paint.description,
                quantity=Decimal("60"),
                uom="GAL",
                unit_price=Decimal("48.5195"),
                extended=Decimal("2911.17"),
                quantity_allocated=Decimal("60"),
                last_promised_date=date(2025, 3, 5),
            ),
        ]
        for n in range(extra_lines):
            lines.append(
                SalesOrderLine(
                    order_id=order.id,
                    line_no=4 + n,
                    item_id=bolt.id,
                    part_number=f"EXTRA-{4 + n:03d}",
                    description=f"Filler part {4 + n}",
                    quantity=Decimal("1"),
                    unit_price=Decimal("1.0000"),
                    extended=Decimal("1.00"),
                    quantity_allocated=Decimal("1"),
                )
            )
        s.add_all(lines)
        s.add(Hold(order_id=order.id, kind=HoldKind.CREDIT, reason=HOLD_REASON, raised_by="system"))
        s.add(
            Hold(
                order_id=order.id,
                kind=HoldKind.PRICE,
                reason="released already",
                raised_by="system",
                released_by="sup",
                released_at=datetime(2025, 3, 3, 15, 0, tzinfo=UTC),
            )
        )
        return Built(order.id)


def _page_count(raw: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", raw))


def test_load_reads_the_order_with_everything_it_needs(store: Store) -> None:
    built = _build(store)
    ack = load_acknowledgement(store, built.order_id, today=date(2025, 3, 4))
    assert ack.order_number == NUMBER
    assert ack.customer_po == PO
    assert ack.order_date == date(2025, 3, 3)
    assert ack.issued_on == date(2025, 3, 4)
    assert ack.bill_to[0] == "Acme Tooling Inc. - Accounts Payable"
    assert ack.ship_to == (
        "Acme Plant 2",
        "88 Foundry Road",
        "Receiving, door 4",
        "Windsor, ON N9A 1A1",
        "CA",
    )
    assert ack.ship_to_code == "PLANT2"
    assert ack.freight_terms == "Prepaid & add"
    assert [line.part_number for line in ack.lines] == [
        "BRG-6204-2RS",
        "HXB-M8X40-ZP",
        "PNT-ENML-GAL",
    ]
    bearing, bolt, paint = ack.lines
    assert bearing.customer_part_number == "ACME-77310"  # from the cross-reference
    assert bolt.customer_part_number == "B-M8-40"  # from the line
    assert (bolt.ship_now, bolt.backordered) == (Decimal("3000"), Decimal("2000"))
    assert bolt.backorder_date == date(2025, 3, 24)
    assert bearing.backorder_date is None
    assert (paint.hazmat_un_number, paint.hazmat_class) == ("UN1263", "3")
    assert ack.total == Decimal("12430.67")
    # Only the open hold, in customer words; the internal reason never appears.
    assert [(h.kind, h.label) for h in ack.holds] == [("credit", "Credit review")]
    assert HOLD_REASON not in repr(ack)


def test_text_rendering(store: Store) -> None:
    built = _build(store)
    text = render_text(load_acknowledgement(store, built.order_id))
    assert NUMBER in text
    assert PO in text
    for part in ("BRG-6204-2RS", "HXB-M8X40-ZP", "PNT-ENML-GAL", "ACME-77310", "B-M8-40"):
        assert part in text
    for amount in ("12,345.67", "85.00", "12,430.67", "8,520.00", "2,911.17"):
        assert amount in text
    assert "Total USD" in text
    assert "7.10 " in text and "0.1825" in text and "48.5195" in text  # unit prices
    assert "1,200" in text and "5,000" in text
    assert "Ships now 3,000 EA, backordered 2,000 EA, expected 2025-03-24" in text
    assert "UN1263, class 3" in text
    assert "Credit review" in text
    assert HOLD_REASON not in text and "over limit" not in text
    assert "Midwest Industrial Supply Co." in text
    assert "2025-03-03" in text and "2025-03-10" in text
    assert "DAP Windsor ON" in text
    assert "Dock 4, call ahead." in text
    assert max(len(line) for line in text.splitlines()) <= TEXT_WIDTH


def test_pdf_rendering(store: Store, tmp_path: Path) -> None:
    built = _build(store)
    ack = load_acknowledgement(store, built.order_id)
    path = render_pdf(ack, tmp_path / "out" / "ack.pdf", compress=False)
    raw = path.read_bytes()
    assert raw.startswith(b"%PDF")
    shown = "\n".join(pdf_lines(raw))
    assert NUMBER in shown
    assert PO in shown
    assert "Order Acknowledgement" in shown
    for part in ("BRG-6204-2RS", "HXB-M8X40-ZP", "PNT-ENML-GAL"):
        assert part in shown
    assert "12,430.67" in shown
    assert "UN1263" in shown
    assert "2025-03-24" in shown
    assert "Pending before release" in shown and "Credit review" in shown
    assert _page_count(raw) == 1
    assert "Page 1 of 1" in shown  # the {nb} alias was filled in
    # Nothing here needs the CJK face, so it is neither loaded nor embedded.
    assert embedded_fonts(raw) == {"DejaVuSansBook", "DejaVuSansBold"}


def test_compressed_pdf_is_smaller_and_still_a_pdf(sqlite_store: Store, tmp_path: Path) -> None:
    built = _build(sqlite_store, extra_lines=20)
    ack = load_acknowledgement(sqlite_store, built.order_id)
    plain = render_pdf(ack, tmp_path / "plain.pdf", compress=False).read_bytes()
    packed = render_pdf(ack, tmp_path / "packed.pdf").read_bytes()
    assert packed.startswith(b"%PDF") and b"/FlateDecode" in packed
    assert len(packed) < len(plain)


def test_write_acknowledgement_files_the_pdf_under_the_data_dir(
    store: Store, tmp_path: Path
) -> None:
    built = _build(store)
    text, path = write_acknowledgement(store, built.order_id)
    assert path == tmp_path / "data" / "acknowledgements" / f"{NUMBER}.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    assert NUMBER in text and PO in text
    assert not list(path.parent.glob(".*.tmp"))

    elsewhere = tmp_path / "outbox"
    company = Company(name="Lakeshore Bearing & Supply", address_lines=("1 Pier St",))
    text, path = write_acknowledgement(
        store, built.order_id, directory=elsewhere, company=company, compress=False
    )
    assert path == elsewhere / f"{NUMBER}.pdf"
    assert "Lakeshore Bearing & Supply" in text
    assert "Lakeshore Bearing & Supply" in pdf_lines(path.read_bytes())


def test_long_order_breaks_pages_and_repeats_the_table_header(store: Store, tmp_path: Path) -> None:
    built = _build(store, extra_lines=57)  # 60 lines
    ack = load_acknowledgement(store, built.order_id)
    assert len(ack.lines) == 60
    raw = render_pdf(ack, tmp_path / "long.pdf", compress=False).read_bytes()
    pages = _page_count(raw)
    assert pages > 1
    shown = pdf_pages(raw)
    assert len(shown) == pages
    assert all("Order Acknowledgement" in page for page in shown)  # the page header
    table_pages = [page for page in shown if any(t.startswith("EXTRA-") for t in page)]
    assert len(table_pages) >= 2
    assert all("Unit price" in page for page in table_pages)  # the headings, on each of them
    assert f"Order {NUMBER} · Page {pages} of {pages}" in shown[-1]
    for n in range(4, 61):
        assert f"EXTRA-{n:03d}" in pdf_lines(raw)
    text = render_text(ack)
    assert "EXTRA-060" in text
    assert max(len(line) for line in text.splitlines()) <= TEXT_WIDTH


def test_typographic_characters_print_as_typed(store: Store, tmp_path: Path) -> None:
    built = _build(
        store,
        customer_name="Société Générale d\u2019Équipement",
        notes="Ship to dock 2 → then call “Zoë” \u2013 24h notice… ≥ 2 pallets, 東京 ok",
    )
    ack = load_acknowledgement(store, built.order_id)
    text = render_text(ack)
    assert "Société Générale d\u2019Équipement" in text
    assert "→" in text
    raw = render_pdf(ack, tmp_path / "accents.pdf", compress=False).read_bytes()
    shown = pdf_lines(raw)
    assert "ACME01 Société Générale d\u2019Équipement" in shown
    assert "Ship to dock 2 → then call “Zoë” \u2013 24h notice… ≥ 2 pallets, 東京 ok" in shown


def _hand_built() -> Acknowledgement:
    """Letter-test values: JPY (no minor unit), a very long part number, no ship-to."""
    line = AckLine(
        line_no=1,
        part_number="X" * 40,
        customer_part_number="",
        description="A description long enough to wrap over several lines of its column "
        "in the PDF and in the text rendering as well, " * 2,
        quantity=Decimal("12.500"),
        uom="FT",
        unit_price=Decimal("1234.5000"),
        extended=Decimal("15431"),
        promised_date=None,
        ship_now=Decimal("0"),
        backordered=Decimal("12.5"),
        backorder_date=None,
    )
    return Acknowledgement(
        company=DEFAULT_COMPANY,
        order_number="SO/7 (test)",
        order_date=date(2025, 1, 2),
        issued_on=date(2025, 1, 2),
        customer_code="TOK01",
        customer_name="Tokyo Seiki K.K.",
        customer_po="",
        bill_to=("Tokyo Seiki K.K.",),
        ship_to=(),
        ship_to_code="",
        payment_terms="NET60",
        freight_terms="Collect",
        incoterm="",
        incoterm_place="",
        ship_via="",
        requested_date=None,
        ship_complete=True,
        lines=(line,),
        subtotal=Decimal("15431"),
        freight=Decimal("0"),
        tax=Decimal("0"),
        total=Decimal("15431"),
        currency="JPY",
        holds=(),
        notes="",
    )


def test_pdf_letter_and_edge_values(tmp_path: Path) -> None:
    """Built by hand: Letter paper, JPY (no minor unit), a very long part number, no ship-to."""
    ack = _hand_built()
    text = render_text(ack)
    assert "15,431" in text and "15,431.00" not in text
    assert " 1,234.5 " in text  # a price keeps its own decimals beyond the currency's
    assert "Backordered 12.5 FT, date to be confirmed" in text
    assert "X" * 18 in text and "To be confirmed" in text
    assert max(len(t) for t in text.splitlines()) <= TEXT_WIDTH
    path = render_pdf(ack, tmp_path / "letter.pdf", page_format="Letter", compress=False)
    raw = path.read_bytes()
    assert b"/MediaBox [0 0 612.00 792.00]" in raw
    assert "Order SO/7 (test) · Page 1 of 1" in pdf_lines(raw)


def test_polish_ship_to_japanese_customer_and_euro_print_as_typed(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing is stood in for: the PDF embeds DejaVu Sans and, for the kanji, Noto Sans CJK,
    and reading the page back gives the characters typed."""
    built = _build(store, customer_name="日本精工 Europe", notes="Surcharge €25 agreed")
    with store.session() as s:
        order = s.get(SalesOrder, built.order_id)
        assert order is not None and order.ship_to_id is not None
        ship = s.get(Address, order.ship_to_id)
        assert ship is not None
        ship.name, ship.line1, ship.line2 = "日本精工 Polska", "ul. Piotrkowska 1, Łódź", ""
        ship.city, ship.region, ship.postal_code, ship.country = "", "", "", "PL"
        order.currency = "EUR"
    ack = load_acknowledgement(store, built.order_id)
    assert ack.ship_to == ("日本精工 Polska", "ul. Piotrkowska 1, Łódź", "PL")

    text = render_text(ack)
    for typed in ("ul. Piotrkowska 1, Łódź", "日本精工 Polska", "ACME01 日本精工 Europe"):
        assert typed in text
    assert "Surcharge €25 agreed" in text and "Total EUR" in text

    with caplog.at_level("WARNING", logger="fpdf"):
        raw = render_pdf(ack, tmp_path / "unicode.pdf", compress=False).read_bytes()
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    assert {"DejaVuSansBook", "DejaVuSansBold", "NotoSansCJKJP"} <= embedded_fonts(raw)
    shown = pdf_lines(raw)
    for typed in (
        "ul. Piotrkowska 1, Łódź",
        "日本精工 Polska",
        "ACME01 日本精工 Europe",
        "Surcharge €25 agreed",
        "Total EUR",
        "12,430.67",
    ):
        assert typed in shown
    assert not any("\x00" in line for line in shown)  # no glyph went missing


def test_tabs_and_control_characters_do_not_reach_the_pdf(tmp_path: Path) -> None:
    ack = replace(_hand_built(), notes="tab\there\r\nbell\x07 end")
    shown = pdf_lines(render_pdf(ack, tmp_path / "ctl.pdf", compress=False).read_bytes())
    assert "tab    here" in shown and "bell end" in shown


def test_file_name_of_an_awkward_order_number() -> None:
    assert pdf_filename("SO0100245") == "SO0100245.pdf"
    assert pdf_filename("SO/7 (test)") == "SO_7__test_.pdf"
    assert pdf_filename("..") == "order.pdf"


def test_unknown_order_is_a_field_error(sqlite_store: Store) -> None:
    with pytest.raises(FieldError, match="no order with id 999"):
        load_acknowledgement(sqlite_store, 999)


def test_documents_do_not_load_textual() -> None:
    code = (
        "import sys, orderdesk_tui.documents.acknowledgement\n"
        "print(','.join(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
