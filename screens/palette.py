"""Command palette providers: type an order number, a customer (code, name, phone ...), an
RMA or a PO number into the palette (Ctrl+P) and Enter opens it, as posting's palette opens a
request.

Each search runs in a thread (asyncio.to_thread) on an index-backed service — the order and RMA
number ranges of services/number_search.py and the desk lookup of services/customer_lookup.py —
after a short pause, so a burst of keys costs one search, not one per key; Textual cancels the
search of a query that was typed over. A query nothing matches gets Textual's "No matches found".
"""

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import Hit, Hits, Provider
from textual.content import Content

from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.number_search import (
    NumberHit,
    orders_by_number,
    purchases_by_number,
    rmas_by_number,
)
from orderdesk_tui.store import Store
from screens.base import DeskScreen
from screens.widgets.status_bar import DeskStatus

if TYPE_CHECKING:
    from orderdesk_tui.services.customer_lookup import LookupHit

#: Seconds a query must stand before the store is asked (keys typed meanwhile cancel it).
SETTLE_S = 0.12
#: Hits each provider offers.
LIMIT = 8


class _StoreProvider(Provider):
    """A provider that asks the store for what the palette's screen's desk holds."""

    @property
    def _desk(self) -> tuple[Desk, DeskStatus] | None:
        screen = self.screen
        return (screen.desk, screen.status) if isinstance(screen, DeskScreen) else None

    def _open(self, screen: str, subject_id: int) -> None:
        """Push the desk's screen for one order, RMA or customer (imported when first used)."""
        desk = self._desk
        if desk is None:
            return
        if screen == "order":
            from screens.order_view import OrderViewScreen

            self.app.push_screen(OrderViewScreen(*desk, subject_id))
        elif screen == "rma":
            from screens.rma import RmaScreen

            self.app.push_screen(RmaScreen(*desk, subject_id))
        elif screen == "purchase":
            from screens.purchase_order_view import PurchaseOrderViewScreen

            self.app.push_screen(PurchaseOrderViewScreen(*desk, subject_id))
        else:
            from screens.customer_view import CustomerViewScreen

            self.app.push_screen(CustomerViewScreen(*desk, subject_id))

    async def _settled(self, query: str, least: int) -> str | None:
        """The query once it has stood for SETTLE_S, or None when it is too short to ask."""
        query = " ".join(query.split())
        if len(query) < least or self._desk is None:
            return None
        await asyncio.sleep(SETTLE_S)
        return query


def _numbered(kind: str, hit: NumberHit) -> Content:
    return Content.from_markup(
        f"{kind} [b]$number[/b]  $code $name  [dim]$state[/]",
        number=hit.number,
        code=hit.customer_code,
        name=hit.customer_name,
        state=hit.state.replace("_", " "),
    )


class _NumberProvider(_StoreProvider):
    """Documents found by the start of their number (or its digits): one search, one screen."""

    #: Shown before the number, and the screen a hit opens ("order" or "rma").
    label = ""
    screen_kind = ""
    help_text = ""
    #: The best hit's score: orders rank just above RMAs of the same number.
    top = 1.0

    @staticmethod
    def find(store: Store, typed: str, *, limit: int) -> list[NumberHit]:
        raise NotImplementedError

    async def search(self, query: str) -> Hits:
        typed = await self._settled(query, 1)
        desk = self._desk
        if typed is None or desk is None:
            return
        hits = await asyncio.to_thread(self.find, desk[0].store, typed, limit=LIMIT)
        for rank, hit in enumerate(hits):
            yield Hit(
                self.top - rank / 100,
                _numbered(self.label, hit),
                partial(self._open, self.screen_kind, hit.id),
                text=f"{self.label} {hit.number}",
                help=self.help_text,
            )


class OrderNumbers(_NumberProvider):
    """Orders by number: SO0001234, SO00012 (the start of one) or 1234."""

    label, screen_kind, help_text, top = "Order", "order", "Open the order", 1.0
    find = staticmethod(orders_by_number)


class RmaNumbers(_NumberProvider):
    """RMAs and return requests by number: RMA000012, RQ000034 or 12."""

    label, screen_kind, help_text, top = "RMA", "rma", "Open the return", 0.99
    find = staticmethod(rmas_by_number)


class PurchaseNumbers(_NumberProvider):
    """Purchase orders by number: PO000012 or 12."""

    label, screen_kind, help_text, top = "PO", "purchase", "Open the purchase order", 0.98
    find = staticmethod(purchases_by_number)


class Customers(_StoreProvider):
    """Customers as the desk lookup finds them: code, name, phone, e-mail, ship-to, PO ..."""

    async def search(self, query: str) -> Hits:
        # imported here: it loads the migration that made its indexes (alembic), not wanted
        # on the start-up path
        from orderdesk_tui.services.customer_lookup import lookup

        typed = await self._settled(query, 2)
        desk = self._desk
        if typed is None or desk is None:
            return
        hits = await asyncio.to_thread(lookup, desk[0].store, typed, limit=LIMIT)
        for hit in hits:
            yield Hit(
                min(hit.score, 100) / 101,
                _customer(hit),
                partial(self._open, "customer", hit.customer_id),
                text=f"Customer {hit.code} {hit.name}",
                help=f"Open the customer (matched {hit.matched})",
            )


def _customer(hit: "LookupHit") -> Content:
    return Content.from_markup(
        "Customer [b]$code[/b]  $name  [dim]$city[/]",
        code=hit.code,
        name=hit.name + ("" if hit.active else " (inactive)"),
        city=hit.city,
    )


#: What OrderDeskApp.COMMANDS adds to Textual's own commands.
PROVIDERS = (OrderNumbers, Customers, RmaNumbers, PurchaseNumbers)
