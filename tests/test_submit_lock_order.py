"""Submit takes the contended row locks late (issue 16) without changing what it checks: the
compliance check still runs after the allocation, so a hazmat part allocated in a warehouse
that may not hold it (TOR in the demo) still puts the order on a compliance hold."""

from decimal import Decimal

from sqlalchemy import text

from orderdesk_tui.config import Settings
from orderdesk_tui.services import drafts
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.store import Store
from tests.test_submit_statements import ACTOR, _orderable

#: BAT-LI-18V-5AH, UN3480: stocked in CHI and RNO in the demo.
HAZMAT_ITEM = 510


def test_a_hazmat_part_allocated_in_a_warehouse_that_may_not_hold_it_is_held(
    demo_store: Store,
) -> None:
    customer, _ = _orderable(demo_store)
    with demo_store.session() as session:  # its only stock is in TOR, not hazmat-capable
        conn = session.connection()
        conn.execute(
            text("DELETE FROM stock_levels WHERE item_id = :i AND warehouse_id = 2"),
            {"i": HAZMAT_ITEM},
        )
        conn.execute(
            text("UPDATE stock_levels SET warehouse_id = 3 WHERE item_id = :i"), {"i": HAZMAT_ITEM}
        )
    order = drafts.create_draft(demo_store, actor=ACTOR, customer_id=customer)
    assert order.id is not None
    drafts.update_header(demo_store, order.id, {"customer_po": "HAZ-1"}, actor=ACTOR)
    drafts.save_line(
        demo_store, order.id, 1, {"item_id": HAZMAT_ITEM, "quantity": Decimal(1)}, actor=ACTOR
    )
    result = submit_order(demo_store, order.id, actor=ACTOR, settings=Settings())
    compliance = [h for h in result.holds if h.startswith("compliance")]
    assert compliance and "TOR" in compliance[0], result.holds
