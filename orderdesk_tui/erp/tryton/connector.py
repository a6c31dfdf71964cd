"""The Tryton 8.2 connector: Tryton's REST API only (JSON-RPC is not needed), on one shared
`httpx.AsyncClient` authenticated by the bearer key of a `res.user.application` ("rest").

`TrytonConnector` is the whole connector; its parts, one module each:
- `rest`: the REST client, errors (transient, permanent, ErpAuthError for a refused key) and
  the reference data looked up once (company, currencies, countries, payment terms,
  warehouses: a sale is placed in the default warehouse, the constructor's `warehouse` code,
  else the first warehouse Tryton lists);
- `parties`: customers -> `party.party` by `code`, addresses -> `party.address` by identifier;
- `sales`: orders -> `sale.sale` by `reference`: pushed, found, changed, cancelled, read back;
- `amendments`: a change of a processing sale as one `sale.amendment`;
- `purchases`: our POs -> `purchase.purchase` by `description`: pushed, confirmed, cancelled;
- `pulls` (with `cursor`): customers, items and stock changed since a cursor;
- `codec`: Tryton's JSON (Decimals, dates).
"""

from typing import Self

from orderdesk_tui.erp.tryton.pulls import MasterDataPulls
from orderdesk_tui.erp.tryton.purchases import PurchaseOrders
from orderdesk_tui.erp.tryton.sales import SaleOrders


class TrytonConnector(SaleOrders, PurchaseOrders, MasterDataPulls):
    """A Tryton 8.2 server as the sync engine sees it (see the module docstring)."""

    name = "tryton"

    def __repr__(self) -> str:
        return f"TrytonConnector(url={self.url!r}, database={self.database!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
