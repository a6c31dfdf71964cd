"""An applied change reaches the ERP as a push_change (the real sync engine against the stub
ERP on loopback), and a change the ERP refuses becomes an ERP hold naming what it refused."""

from decimal import Decimal

from sqlmodel import col, select

from orderdesk_tui.erp.sync.engine import SyncEngine
from orderdesk_tui.models import Hold, SalesOrder, SyncOutbox
from orderdesk_tui.models.base import HoldKind
from orderdesk_tui.services.order_change import LineChange, OrderChange, apply_order_change
from orderdesk_tui.store import Store
from tests.erp_stub import ErpStub, StubConnector
from tests.order_change_world import COORDINATOR, SETTINGS, build_world, submitted


async def _push(store: Store, erp: ErpStub) -> None:
    engine = SyncEngine(store, StubConnector(erp.url, erp.key), settle_s=0.0)
    try:
        await engine.push_once()
    finally:
        await engine.connector.aclose()


def _change(store: Store, order_id: int, change: OrderChange) -> bool:
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        assert order is not None
        version = order.version
    result = apply_order_change(
        store,
        order_id,
        change,
        expected_version=version,
        actor=COORDINATOR,
        reason="customer called",
        settings=SETTINGS,
    )
    return result.push_change


def _outbox(store: Store, order_id: int) -> list[tuple[str, str]]:
    with store.session() as session:
        return [
            (e.operation, e.state)
            for e in session.exec(
                select(SyncOutbox)
                .where(SyncOutbox.entity_id == order_id)
                .order_by(col(SyncOutbox.id))
            )
        ]


async def test_a_change_goes_to_the_erp_and_a_refusal_holds_the_order(store: Store) -> None:
    world = build_world(store)
    order_id = submitted(store, world, [("BRG-100", "10")])
    with ErpStub(unknown_products=frozenset({"SEAL-300"})) as erp:
        await _push(store, erp)
        assert _outbox(store, order_id) == [("push_order", "done")]
        assert _change(store, order_id, OrderChange(lines=(LineChange(1, quantity=Decimal(12)),)))
        await _push(store, erp)
        (sale,) = erp.sales
        assert [(ln["product"], Decimal(ln["quantity"])) for ln in sale.lines] == [("BRG-100", 12)]

        added = LineChange(None, item_id=world.items["SEAL-300"], quantity=Decimal(3))
        assert _change(store, order_id, OrderChange(lines=(added,)))
        await _push(store, erp)
    assert _outbox(store, order_id)[-1] == ("push_change", "failed")
    with store.session() as session:
        hold = session.exec(
            select(Hold).where(Hold.order_id == order_id, Hold.kind == HoldKind.ERP)
        ).one()
    assert "SEAL-300" in hold.reason and "not salable" in hold.reason
