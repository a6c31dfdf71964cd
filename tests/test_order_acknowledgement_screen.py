"""The order view's acknowledgement key: the acknowledgement of the order's current revision
on screen, its PDF written under the data directory."""

import os
from pathlib import Path

from sqlmodel import select
from textual.widgets import Static

from orderdesk_tui.models import SalesOrder, SalesOrderLine
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.models.revision import OrderRevision
from orderdesk_tui.store import Store
from screens.dialogs import TextDialog
from screens.order_view import OrderViewScreen
from tests.test_app import open_order_by_po, order_with
from tests.ui import SIZE, make_app, wait_for


def _revised(store: Store) -> tuple[SalesOrder, int]:
    """An acknowledged order whose line 1 a change touched: revision 1."""
    order = order_with(store, state=OrderState.ACKNOWLEDGED)
    with store.session() as s:
        stored = s.get(SalesOrder, order.id)
        assert stored is not None
        line = s.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order.id)
            .order_by(SalesOrderLine.line_no)  # type: ignore[arg-type]
        ).first()
        assert line is not None
        stored.revision = 1
        s.add(stored)
        s.add(
            OrderRevision(
                order_id=order.id or 0,
                revision_no=1,
                actor="alice",
                summary=f"line {line.line_no} requested moved a week later",
                changed_lines=str(line.line_no),
                reacknowledge=True,
            )
        )
        return stored, line.line_no


async def test_the_order_views_key_shows_the_current_revisions_acknowledgement(
    demo_store: Store,
) -> None:
    order, line_no = _revised(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_order_by_po(pilot, app, order.customer_po)
        await pilot.press("ctrl+a")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        dialog = app.screen
        shown = str(dialog.query_one(".dialog-body Static", Static).render())
        assert "ORDER ACKNOWLEDGEMENT - REVISION 1" in shown
        assert f"line {line_no} requested moved a week later" in shown
        assert any(row.startswith(f" *{line_no} ") for row in shown.splitlines())
        footer = str(dialog.query(".dialog-help").last(Static).render())
        pdf = Path(os.environ["ORDERDESK_DATA_DIR"]) / "acknowledgements" / f"{order.number}-r1.pdf"
        assert str(pdf) in footer
        assert pdf.read_bytes().startswith(b"%PDF")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is view)
        assert isinstance(app.screen, OrderViewScreen)
