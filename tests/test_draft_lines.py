"""Inserting a line into a draft (drafts.insert_line) and taking out a line inserted but never
filled (drafts.delete_line), on SQLite and PostgreSQL: the stored line numbers follow the
screen's, two lines never share a number, and each change is audited."""

import json
from decimal import Decimal

from sqlmodel import col, select

from orderdesk_tui.models import AuditEvent, Customer, SalesOrderLine
from orderdesk_tui.services import drafts
from orderdesk_tui.store import Store

ACTOR = "alice"


def _draft_of(store: Store, parts: list[str]) -> int:
    with store.session() as s:
        customer = Customer(code="C1", name="Customer 1")
        s.add(customer)
        s.flush()
        assert customer.id is not None
        customer_id = customer.id
    order = drafts.create_draft(store, actor=ACTOR, customer_id=customer_id)
    assert order.id is not None
    for n, part in enumerate(parts, start=1):
        values = {"part_number": part, "quantity": Decimal(n)}
        drafts.save_line(store, order.id, n, values, actor=ACTOR)
    return order.id


def _lines(store: Store, order_id: int) -> list[tuple[int, str]]:
    with store.session() as s:
        rows = s.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        return [(r.line_no, r.part_number) for r in rows]


def test_insert_moves_the_lines_below_down_and_an_unfilled_one_closes_again(
    store: Store,
) -> None:
    order_id = _draft_of(store, ["A", "B", "C", "D"])
    drafts.insert_line(store, order_id, 2, actor=ACTOR)
    assert _lines(store, order_id) == [(1, "A"), (3, "B"), (4, "C"), (5, "D")]
    drafts.save_line(store, order_id, 2, {"part_number": "N", "quantity": Decimal(9)}, actor=ACTOR)
    drafts.insert_line(store, order_id, 4, actor=ACTOR)
    assert _lines(store, order_id) == [(1, "A"), (2, "N"), (3, "B"), (5, "C"), (6, "D")]
    drafts.delete_line(store, order_id, 4, actor=ACTOR)  # left empty: the gap closes
    assert _lines(store, order_id) == [(1, "A"), (2, "N"), (3, "B"), (4, "C"), (5, "D")]
    drafts.delete_line(store, order_id, 6, actor=ACTOR)  # the empty last line: nothing moves
    with store.session() as s:
        events = s.exec(
            select(AuditEvent)
            .where(
                AuditEvent.order_id == order_id,
                col(AuditEvent.action).in_(["draft.line_inserted", "draft.line_removed"]),
            )
            .order_by(col(AuditEvent.id))
        ).all()
    assert [(e.action, json.loads(e.changes), e.actor) for e in events] == [
        ("draft.line_inserted", {"line_no": [None, 2]}, ACTOR),
        ("draft.line_inserted", {"line_no": [None, 4]}, ACTOR),
        ("draft.line_removed", {"line_no": [4, None]}, ACTOR),
    ]
