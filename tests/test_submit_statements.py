"""Submit costs a fixed number of SQL statements, however many lines the order has (issue #4:
a 10-line order's submit was ~100 statements, one version-checked UPDATE, reload and audit
INSERT per line and per stock row). The lines, the stock rows and their audit events are each
written in one batch (services.audit.apply_updates)."""

import json
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.models import AuditEvent
from orderdesk_tui.services import drafts
from orderdesk_tui.services.submit import SubmitResult, submit_order
from orderdesk_tui.store import Store
from tests.sql_statements import recorded_statements

ACTOR = "alice"


def _orderable(store: Store) -> tuple[int, list[int]]:
    """A customer in good standing with a ship-to, and items with stock to allocate."""
    with store.session() as s:
        conn = s.connection()
        customer = conn.execute(
            text(
                "SELECT c.id FROM customers c WHERE c.active AND c.credit_status = 'ok' "
                "AND c.credit_limit > 10000 AND EXISTS (SELECT 1 FROM addresses a "
                "WHERE a.customer_id = c.id AND a.kind = 'ship_to' AND a.active) "
                "ORDER BY c.id LIMIT 1"
            )
        ).scalar_one()
        one = 1000 if store.is_sqlite else 1  # SQLite holds quantities as counts of 0.001
        items = list(
            conn.execute(
                text(
                    "SELECT i.id FROM items i WHERE i.status = 'active' AND i.moq = :one "
                    "AND i.order_multiple = :one AND i.hazmat_un_number = '' "
                    "AND i.eccn = 'EAR99' AND NOT i.fractional_uom AND EXISTS (SELECT 1 "
                    "FROM stock_levels s WHERE s.item_id = i.id AND s.on_hand - s.allocated "
                    ">= 5 * :one) ORDER BY i.id LIMIT 12"
                ),
                {"one": one},
            ).scalars()
        )
    assert len(items) == 12
    return customer, items


def _draft(store: Store, customer: int, items: list[int], po: str) -> int:
    order = drafts.create_draft(store, actor=ACTOR, customer_id=customer)
    assert order.id is not None
    drafts.update_header(store, order.id, {"customer_po": po}, actor=ACTOR)
    for n, item in enumerate(items, 1):
        drafts.save_line(store, order.id, n, {"item_id": item, "quantity": Decimal(1)}, actor=ACTOR)
    return order.id


def _submit(store: Store, order_id: int) -> tuple[SubmitResult, list[str]]:
    with recorded_statements(store) as statements:
        result = submit_order(store, order_id, actor=ACTOR, settings=Settings())
    return result, statements


def test_submit_statements_do_not_grow_with_the_lines(demo_store: Store) -> None:
    customer, items = _orderable(demo_store)
    two = _draft(demo_store, customer, items[:2], "STMT-2")
    ten = _draft(demo_store, customer, items[2:], "STMT-10")
    small, small_sql = _submit(demo_store, two)
    big, big_sql = _submit(demo_store, ten)
    assert (small.state, small.holds, big.state, big.holds) == (
        "acknowledged",
        (),
        "acknowledged",
        (),
    )
    assert len(big_sql) == len(small_sql), "\n".join(big_sql)
    assert len(big_sql) <= 40  # 37 when written; ~105 before
    # every line and stock row still gets its own audit event, in line order
    with demo_store.session() as s:
        events = list(
            s.exec(
                select(AuditEvent).where(AuditEvent.order_id == ten).order_by(col(AuditEvent.id))
            )
        )
    actions = [e.action for e in events]
    assert actions.count("line.allocated") == 10
    assert actions.count("stock.allocated") == 10
    allocated = [json.loads(e.changes) for e in events if e.action == "line.allocated"]
    assert all(c["quantity_allocated"][1] in ("1", "1.000") for c in allocated)
    assert actions[-1] == "order.acknowledged"
