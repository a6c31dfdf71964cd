"""Split shipments from the keyboard: F7's "split warehouses" at entry becomes a line in parts
after F9, and the order view shows each part under its line (warehouse, quantity, date, state)."""

from decimal import Decimal

from sqlmodel import col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.availability.results import AlternativeKind
from orderdesk_tui.models import (
    Customer,
    Item,
    OrderLinePart,
    SalesOrderLine,
    StockLevel,
    Warehouse,
)
from orderdesk_tui.services import drafts
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.store import Store
from screens.dialogs import PickDialog
from screens.order_list import OrderListScreen
from tests.test_app import open_order_by_po
from tests.test_order_entry import SIZE, open_entry, parts_in_stock, settle
from tests.ui import burst, make_app, wait_for

#: Free stock of the item in the first two warehouses; the line wants more than either has.
FREE = (Decimal(500), Decimal(400))
QUANTITY = Decimal(800)


def _stocked_in_two(store: Store) -> tuple[Item, tuple[int, int]]:
    """An orderable item with FREE units free in the first two warehouses, none elsewhere."""
    item = parts_in_stock(store, 1)[0]
    with store.session() as s:
        warehouses = [w.id for w in s.exec(select(Warehouse).order_by(col(Warehouse.id)))]
        rows = {
            r.warehouse_id: r
            for r in s.exec(select(StockLevel).where(StockLevel.item_id == item.id))
        }
        for n, wid in enumerate(warehouses):
            assert wid is not None and item.id is not None
            row = rows.get(wid) or StockLevel(item_id=item.id, warehouse_id=wid)
            row.on_hand = row.allocated + (FREE[n] if n < 2 else 0)
            s.add(row)
    assert warehouses[0] is not None and warehouses[1] is not None
    return item, (warehouses[0], warehouses[1])


def _parts(store: Store, order_id: int) -> list[tuple[int | None, Decimal, str]]:
    with store.session() as s:
        return [
            (p.warehouse_id, p.quantity, p.state)
            for p in s.exec(
                select(OrderLinePart)
                .where(OrderLinePart.order_id == order_id)
                .order_by(col(OrderLinePart.part_no))
            )
        ]


async def test_f7_split_warehouses_at_entry_becomes_parts_after_f9(demo_store: Store) -> None:
    item, (first, second) = _stocked_in_two(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, f"acme01\nPO-SPLIT-1\n\n{item.part_number}\n{QUANTITY}\n")
        await settle(pilot, screen, 0.5)
        line = screen.lines[0]
        await wait_for(pilot, lambda: line.stock is not None)
        assert line.stock is not None
        kinds = [alt.kind for alt in line.stock.alternatives]
        assert AlternativeKind.SPLIT_WAREHOUSES in kinds, kinds
        burst(app, "\n")  # leave the line, then back onto it for F7
        await settle(pilot, screen)
        screen._activate(line.row.part)
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.press(str(kinds.index(AlternativeKind.SPLIT_WAREHOUSES) + 1))
        await settle(pilot, screen)
        assert "split warehouses" in str(screen.query_one("#message").render())
        order_id = screen.draft.id
        assert order_id is not None
        await pilot.press("f9")
        await wait_for(pilot, lambda: app.screen is not screen, timeout=15)
    with demo_store.session() as s:
        stored = s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order_id)).one()
        assert stored.split_warehouses and stored.quantity_allocated == QUANTITY
    parts = _parts(demo_store, order_id)
    assert {p[0] for p in parts} == {first, second}, parts
    assert sum(p[1] for p in parts) == QUANTITY and {p[2] for p in parts} == {"allocated"}


async def test_the_order_view_shows_each_part_under_its_line(demo_store: Store) -> None:
    item, _ = _stocked_in_two(demo_store)
    order = drafts.create_draft(demo_store, actor="alice", customer_id=_acme(demo_store))
    assert order.id is not None
    drafts.update_header(demo_store, order.id, {"customer_po": "PO-SPLIT-VIEW"}, actor="alice")
    line = {"item_id": item.id, "quantity": QUANTITY, "split_warehouses": True}
    drafts.save_line(demo_store, order.id, 1, line, actor="alice")
    submit_order(demo_store, order.id, actor="alice", settings=Settings())
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, OrderListScreen))
        view = await open_order_by_po(pilot, app, "PO-SPLIT-VIEW")
        shown = [view.lines.render_line(y).text for y in range(view.lines.row_count)]
    assert len(shown) == 3, shown
    assert "└ 1/2" in shown[1] and "allocated" in shown[1] and "500" in shown[1]
    assert "└ 2/2" in shown[2] and "allocated" in shown[2] and "300" in shown[2]


def _acme(store: Store) -> int:
    with store.session() as s:
        found = s.exec(select(Customer.id).where(Customer.code == "ACME01")).one()
        assert found is not None
        return found
