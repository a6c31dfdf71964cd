"""Return authorisation and credit memo documents, as text and as PDF, from the demo store."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from orderdesk_tui.config import Settings
from orderdesk_tui.documents import rma as docs
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import RMA
from orderdesk_tui.services import returnable, returns
from orderdesk_tui.services import rma_settlement as settlement
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store


def _rma_id(store: Store, state: str) -> int:
    with store.session() as session:
        rid = session.exec(select(RMA.id).where(RMA.state == state)).first()
    assert rid is not None
    return rid


def test_return_authorisation_text_and_pdf(demo_store: Store, tmp_path: Path) -> None:
    rid = _rma_id(demo_store, "authorised")
    text, pdf = docs.write_return_authorisation(demo_store, rid, directory=tmp_path, compress=False)
    number = returns.load_rma(demo_store, rid).rma.number
    assert number.startswith("RMA")
    assert "RETURN AUTHORISATION" in text and f"RMA no.      {number}" in text
    assert f"Write {number} clearly on every carton" in text
    assert "Return to" in text and "Returned by" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    data = pdf.read_bytes()
    assert pdf.name == f"{number}.pdf" and data.startswith(b"%PDF")
    assert number.encode() in data and b"Mark every carton" in data


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
    request = returns.RmaRequest(
        line.customer_id, "excess", (returns.LineRequest(line.order_line_id, Decimal(2)),)
    )
    settings, today = Settings(), date(2026, 11, 27)
    rma = returns.create_rma(demo_store, request, actor=sam, settings=settings, today=today)
    rid = rma.id or 0
    rma = returns.authorise(demo_store, rid, expected_version=rma.version, actor=sam,
                            settings=settings)  # fmt: skip
    lid = returns.load_rma(demo_store, rid).lines[0].id
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
    assert pdf.read_bytes().startswith(b"%PDF")
    paths = docs.rma_documents(demo_store, rid, directory=tmp_path)
    assert [p.name for p in paths] == [f"{rma.number}.pdf", f"{memo.number}.pdf"]
