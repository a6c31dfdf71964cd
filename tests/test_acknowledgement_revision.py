"""The acknowledgement of a revised order: "Revision N" in its title and header, the revision's
changes listed, changed lines marked `*`, removed lines named, in its text and in its PDF;
revision 0 is the acknowledgement as submitted."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import select

from orderdesk_tui.documents.acknowledgement.load import load_acknowledgement
from orderdesk_tui.documents.acknowledgement.model import AckRemovedLine
from orderdesk_tui.documents.acknowledgement.pdf import render_pdf
from orderdesk_tui.documents.acknowledgement.text import render_text
from orderdesk_tui.documents.plain_text import TEXT_WIDTH
from orderdesk_tui.models import SalesOrder, SalesOrderLine
from orderdesk_tui.models.revision import OrderRevision
from orderdesk_tui.store import Store
from tests.pdf_text import pdf_lines
from tests.test_acknowledgement import NUMBER, _build

SUMMARY = "line 2 qty 4,000 → 5,000\nline 2 requested 2025-03-20 → 2025-03-27\nline 4 removed"


def _revise(store: Store, order_id: int) -> None:
    """Revision 1: line 2 changed, line 4 (which the customer saw) removed."""
    with store.session() as s:
        s.add(
            OrderRevision(
                order_id=order_id,
                revision_no=1,
                created_at=datetime(2025, 3, 5, 10, 0, tzinfo=UTC),
                actor="alice",
                reason="customer called",
                summary=SUMMARY,
                diff=json.dumps(
                    [
                        {"line_no": 2, "field": "quantity", "old": "4000", "new": "5000"},
                        {"line_no": 4, "field": "part_number", "old": "OLD-9", "new": ""},
                        {"line_no": 4, "field": "quantity", "old": "7", "new": ""},
                    ]
                ),
                changed_lines="2,4",
                reacknowledge=True,
            )
        )
        order = s.get(SalesOrder, order_id)
        assert order is not None
        order.revision = 1
        s.add(order)


def test_a_revision_is_marked_in_the_text_with_its_changes_and_changed_lines(
    store: Store,
) -> None:
    built = _build(store, extra_lines=0)
    before = render_text(load_acknowledgement(store, built.order_id))
    _revise(store, built.order_id)

    # revision 0 asked for: the acknowledgement as submitted, word for word
    assert render_text(load_acknowledgement(store, built.order_id, revision=0)) == before
    ack = load_acknowledgement(store, built.order_id)  # the order's current revision
    assert ack.revision == 1 and ack.issued_on == date(2025, 3, 5)
    assert [line.changed for line in ack.lines] == [False, True, False]
    assert ack.removed == (AckRemovedLine(4, "OLD-9", "7"),)
    text = render_text(ack)
    lines = text.splitlines()
    assert lines[0].endswith("ORDER ACKNOWLEDGEMENT - REVISION 1")
    assert any(line.startswith("Revision       1") for line in lines)
    heading = lines.index("CHANGES IN THIS REVISION")
    assert lines[heading + 1 : heading + 5] == [
        "  - line 2 qty 4,000 → 5,000",
        "  - line 2 requested 2025-03-20 → 2025-03-27",
        "  - line 4 removed",
        "Lines marked * changed in this revision.",
    ]
    table = [line for line in lines if line[:3].strip() in ("1", "*2", "3", "*4")]
    assert [row.split()[0] for row in table] == ["1", "*2", "3", "*4"]
    assert "HXB-M8X40-ZP" in table[1]  # the changed line is the bolts'
    assert table[3].split() == ["*4", "OLD-9", "Removed", "from", "the", "order", "7"]
    assert heading < lines.index(table[0])  # the changes come before the lines
    assert max(len(line) for line in lines) <= TEXT_WIDTH
    assert "customer called" not in text  # the desk's reason stays on the desk


def test_a_revision_is_marked_in_the_pdf(store: Store, tmp_path: Path) -> None:
    built = _build(store)
    _revise(store, built.order_id)
    raw = render_pdf(
        load_acknowledgement(store, built.order_id), tmp_path / "r1.pdf", compress=False
    ).read_bytes()
    shown = pdf_lines(raw)
    joined = "\n".join(shown)
    assert f"Order {NUMBER} · Revision 1 · Page 1 of 1" in joined
    assert "Changes in this revision" in joined
    assert "line 2 qty 4,000 → 5,000" in joined
    assert "OLD-9" in shown and "Removed from the order" in joined
    assert "Lines marked * changed in this revision." in joined
    assert "*2" in shown and "1" in shown and "*1" not in shown
    assert b"Revision 1" in raw  # the document's title in its metadata too


def test_a_removed_line_without_a_diff_is_listed_by_its_number(store: Store) -> None:
    built = _build(store)
    with store.session() as s:
        s.add(
            OrderRevision(
                order_id=built.order_id,
                revision_no=2,
                actor="alice",
                summary="line 3 removed",
                changed_lines="3",
                reacknowledge=True,
            )
        )
        line = s.exec(
            select(SalesOrderLine).where(
                SalesOrderLine.order_id == built.order_id, SalesOrderLine.line_no == 3
            )
        ).one()
        s.delete(line)
    ack = load_acknowledgement(store, built.order_id, revision=2)
    assert ack.removed == (AckRemovedLine(3),)
    assert not any(line.changed for line in ack.lines)
    text = render_text(ack).splitlines()
    assert any(line.split()[:4] == ["*3", "Removed", "from", "the"] for line in text)
    heading = text.index("CHANGES IN THIS REVISION")
    assert text[heading + 1 : heading + 3] == [
        "  - line 3 removed",
        "Lines marked * changed in this revision.",
    ]


def test_a_revision_without_a_summary_still_explains_its_marks(store: Store) -> None:
    built = _build(store)
    with store.session() as s:
        s.add(OrderRevision(order_id=built.order_id, revision_no=1, actor="edi", changed_lines="1"))
    text = render_text(load_acknowledgement(store, built.order_id, revision=1)).splitlines()
    heading = text.index("CHANGES IN THIS REVISION")
    assert text[heading + 1] == "Lines marked * changed in this revision."
