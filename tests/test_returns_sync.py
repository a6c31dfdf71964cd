"""RMA and credit memo outbox entries wait for a connector that maps them: the sync engine
neither sends nor fails them, and never holds an order because of them."""

from sqlmodel import select

from orderdesk_tui.models import SyncOutbox
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.returns import NOT_MAPPED, PUSH_CREDIT_MEMO, PUSH_RMA
from orderdesk_tui.store import Store
from tests.test_sync_engine import Clock, FakeConnector, engine_for, make_order, open_holds


async def test_engine_leaves_rma_entries_pending_and_sends_orders(store: Store) -> None:
    order_id = make_order(store, 1, quantity=2)
    with store.session() as session:
        # the RMA and the credit memo carry the id of the order, as a careless engine would
        # read them: a failure would put an ERP hold on that order
        for entity, operation in (("rmas", PUSH_RMA), ("invoices", PUSH_CREDIT_MEMO)):
            entry = enqueue(session, entity=entity, entity_id=order_id, operation=operation,
                            payload={"number": "X"})  # fmt: skip
            entry.last_error = NOT_MAPPED
    erp = FakeConnector(Clock())
    report = await engine_for(store, erp).push_once()
    assert (report.done, report.failed, report.retried) == (1, 0, 0)
    with store.session() as session:
        waiting = session.exec(select(SyncOutbox).where(SyncOutbox.entity != "sales_orders")).all()
    assert [(e.operation, e.state, e.attempts) for e in waiting] == [
        (PUSH_RMA, "pending", 0),
        (PUSH_CREDIT_MEMO, "pending", 0),
    ]
    assert all("sale_complaint" in e.last_error for e in waiting)
    assert open_holds(store, order_id) == []
