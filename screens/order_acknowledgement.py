"""The order view's acknowledgement key: the order's acknowledgement for its current revision
(as the customer gets it, "Revision N" with the changes marked once the order was changed),
shown as text and its PDF written under the data directory, in a thread.

Mixed into `OrderViewScreen` (screens/order_view.py); `view` is that screen, typed, so these
methods are checked against it (mypy takes no subclass as `self`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from orderdesk_tui.documents.acknowledgement import write_acknowledgement
from orderdesk_tui.models.base import OrderState
from screens.tabbed_detail import Document

if TYPE_CHECKING:
    from screens.order_view import OrderViewScreen


class OrderAcknowledgementActions:
    """The acknowledgement action of `OrderViewScreen`."""

    @property
    def view(self) -> OrderViewScreen:
        return cast("OrderViewScreen", self)

    def action_acknowledgement(self) -> None:
        view = self.view
        if view.detail is None:
            return
        order = view.detail.order
        if order.state == OrderState.DRAFT:
            view.notify(f"{order.number} is a draft: it has no acknowledgement yet")
            view.app.bell()
            return
        store, order_id = view.desk.store, view.order_id
        revised = f" revision {order.revision}" if order.revision else ""

        def document(written: tuple[str, Path]) -> Document:
            text, pdf = written
            return f"Acknowledgement {order.number}{revised}", text, f"PDF: {pdf} · Esc close"

        view.run_change(
            lambda: write_acknowledgement(store, order_id),
            lambda written: f"acknowledgement {order.number}{revised} written to {written[1]}",
            document=document,
            after=lambda: None,
        )
