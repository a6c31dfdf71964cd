"""Return authorisation and credit memo documents, as text and as PDF, from the demo store."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from orderdesk_tui.config import Settings
from orderdesk_tui.documents import rma as docs
from orderdesk_tui.documents.company import DEFAULT_COMPANY
from orderdesk_tui.domain.money import format_money
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import RMA, Address, Customer, SalesOrder
from orderdesk_tui.services import returnable, returns, rma_detail, rma_request
from orderdesk_tui.services import rma_settlement as settlement
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store
from tests.pdf_text import embedded_fonts, pdf_lines


def _rma_id(store: Store, state: str) -> int:
    with store.session() as session:
        rid = session.exec(select(RMA.id).where(RMA.state == state)).first()
    assert rid is not None
    return rid


def test_return_authorisation_text_and_pdf(demo_store: Store, tmp_path: Path) -> None:
    rid = _rma_id(demo_store, "authorised")
    text, pdf = docs.write_return_authorisation(demo_store, rid, directory=tmp_path, compress=False)
    number = rma_detail.load_rma(demo_store, rid).rma.number
    assert number.startswith("RMA")
    assert "RETURN AUTHORISATION" in text and f"RMA no.      {number}" in text
    assert f"Write {number} clearly on every carton" in text
    assert "Return to" in text and "Returned by" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    data = pdf.read_bytes()
    assert pdf.name == f"{number}.pdf" and data.startswith(b"%PDF")
    shown = pdf_lines(data)
    assert number in shown and "Mark every carton with this number" in shown


def test_no_instructions_before_authorisation(demo_store: Store) -> None:
    with pytest.raises(RuleViolation, match=r"rule rma\.documents: RQ\d+ is not authorised"):
        docs.load_return_authorisation(demo_store, _rma_id(demo_store, "requested"))


def test_credit_memo_document(demo_store: Store, tmp_path: Path) -> None:
    sam = ensure_user(demo_store, "sam")
    line = next(
        ln
        for ln in returnable.find_returnable(demo_store, "SO0000194")
        if ln.part_number == "6208-2RS"
    )
    request = rma_request.RmaRequest(
        line.customer_id, "excess", (rma_request.LineRequest(line.order_line_id, Decimal(2)),)
    )
    settings, today = Settings(), date(2026, 11, 27)
    rma = rma_request.create_rma(demo_store, request, actor=sam, settings=settings, today=today)
    rid = rma.id or 0
    rma = returns.authorise(demo_store, rid, expected_version=rma.version, actor=sam,
                            settings=settings)  # fmt: skip
    lid = rma_detail.load_rma(demo_store, rid).lines[0].id
    rma = returns.receive(demo_store, rid, {lid: Decimal(2)}, expected_version=rma.version,
                          actor=sam)  # fmt: skip
    rma = returns.inspect(demo_store, rid, {lid: "unused"}, expected_version=rma.version,
                          actor=sam)  # fmt: skip
    rma = returns.disposition(demo_store, rid, lid, "scrap", expected_version=rma.version,
                              actor=sam)  # fmt: skip
    memo = settlement.credit(demo_store, rid, expected_version=rma.version, actor=sam,
                          settings=settings, today=today)  # fmt: skip
    text, pdf = docs.write_credit_memo(demo_store, memo.id or 0, directory=tmp_path, compress=False)
    assert "CREDIT MEMO" in text and memo.number in text and rma.number in text
    assert "Restocking fee" in text and f"{memo.total:,.2f}" in text
    shown = pdf_lines(pdf.read_bytes())
    assert memo.number in shown and format_money(memo.total, memo.currency) in shown
    paths = docs.rma_documents(demo_store, rid, directory=tmp_path)
    assert [p.name for p in paths] == [f"{rma.number}.pdf", f"{memo.number}.pdf"]


def test_return_authorisation_prints_a_polish_ship_from_and_a_japanese_name_as_typed(
    demo_store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rid = _rma_id(demo_store, "authorised")
    with demo_store.session() as s:
        rma = s.get(RMA, rid)
        assert rma is not None and rma.order_id is not None
        customer = s.get(Customer, rma.customer_id)
        order = s.get(SalesOrder, rma.order_id)
        assert customer is not None and order is not None and order.ship_to_id is not None
        ship = s.get(Address, order.ship_to_id)
        assert ship is not None
        customer.name = "日本精工 Europe"
        ship.name, ship.line1, ship.line2 = "日本精工 Polska", "ul. Piotrkowska 1, Łódź", ""
        ship.city, ship.region, ship.postal_code, ship.country = "", "", "", "PL"
        code = customer.code
    with caplog.at_level("WARNING", logger="fpdf"):
        text, pdf = docs.write_return_authorisation(
            demo_store, rid, directory=tmp_path, compress=False
        )
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    shown = pdf_lines(pdf.read_bytes())
    for typed in ("ul. Piotrkowska 1, Łódź", "日本精工 Polska", f"{code} 日本精工 Europe"):
        assert typed in text
        assert typed in shown
    assert "NotoSansCJKJP" in embedded_fonts(pdf.read_bytes())


def test_credit_memo_in_euro_with_a_polish_bill_to_and_a_japanese_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Built by hand: a credit in EUR whose line says € and whose bill-to is in Łódź."""
    doc = docs.ReturnDocument(
        title=docs.CREDIT_TITLE,
        number="CM0000042",
        company=DEFAULT_COMPANY,
        fields=(("Credit memo", "CM0000042"), ("Customer", "JP01 日本精工 Europe")),
        left_heading="Bill to",
        left=("日本精工 Polska", "ul. Piotrkowska 1, Łódź", "PL"),
        right_heading="",
        right=(),
        lines=(
            docs.DocLine(
                part="",
                description="Bearing 6204 \u2013 restocking fee €12.50 off",
                quantity=Decimal(10),
                uom="",
                unit_price=Decimal("7.4500"),
                extended=Decimal("62.00"),
            ),
        ),
        totals=(("Goods less fees", Decimal("62.00")), ("Credit EUR", Decimal("1234.5"))),
        currency="EUR",
        paragraphs=("Applied to your account.",),
    )
    text = docs.render_text(doc)
    with caplog.at_level("WARNING", logger="fpdf"):
        raw = docs.render_pdf(doc, tmp_path / "cm.pdf", compress=False).read_bytes()
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    shown = pdf_lines(raw)
    for typed in (
        "JP01 日本精工 Europe",
        "ul. Piotrkowska 1, Łódź",
        "Bearing 6204 \u2013 restocking fee €12.50 off",
        "Credit EUR",
        "1,234.50",
        "7.45",
    ):
        assert typed in text
        assert typed in shown
    assert not any("\x00" in line for line in shown)
