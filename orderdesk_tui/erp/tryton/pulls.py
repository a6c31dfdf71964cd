"""Master data pulled from Tryton, incrementally on `write_date` (see `cursor.PullCursor`):
customers (parties other than the company's, with their addresses and the identifiers that
carry our address codes), items (products with a code) and stock. Stock is `product.quantity`
per warehouse (the warehouse as `locations` in the context) for the products whose stock moves
changed; the first pull reports every product everywhere."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from orderdesk_tui.erp.connector import ErpCustomer, ErpItem, ErpStock, PostalAddress, PullPage
from orderdesk_tui.erp.tryton.codec import plain_decimal
from orderdesk_tui.erp.tryton.cursor import PullCursor, changed_domain, dates_under, latest_stamp
from orderdesk_tui.erp.tryton.rest import TrytonRest

#: Tryton unit of measure symbol -> ours (the demo's EA/FT/LB/GAL; BX and PK are the same).
UOM_FROM_TRYTON = {"u": "EA", "ft": "FT", "lb": "LB", "gal": "GAL"}


class MasterDataPulls(TrytonRest):
    """`pull_customers`, `pull_items` and `pull_stock` (see the module docstring)."""

    async def _changed(
        self,
        model: str,
        cursor: PullCursor,
        paths: Sequence[str],
        domain: list[Any],
        context: dict[str, Any] | None = None,
    ) -> list[tuple[int, datetime]]:
        """(id, stamp) of the records changed since the cursor and not returned yet, oldest
        first, at most one page. A record's stamp is the latest write/create date of the
        record and of the related records named by `paths`."""
        since = cursor.since(self._lag)
        fields = ["write_date", "create_date"]
        for path in paths:
            if path:
                fields += [f"{path}.write_date", f"{path}.create_date"]
        rows = await self._search_all(
            model, domain + changed_domain(since, ["", *paths]), fields, context=context
        )
        stamped = []
        for row in rows:
            values = [row.get("write_date"), row.get("create_date")]
            for path in paths:
                values += dates_under(row, path)
            stamp = latest_stamp(*values)
            if since is not None and stamp < since:
                continue
            if cursor.seen.get(row["id"]) == stamp:
                continue
            stamped.append((row["id"], stamp))
        stamped.sort(key=lambda pair: (pair[1], pair[0]))
        return stamped[: self._page_size]

    async def pull_customers(self, cursor: str | None) -> PullPage[ErpCustomer]:
        current = PullCursor.decode(cursor)
        await self._company_id()
        paths = ["addresses", "identifiers"]
        domain = [["id", "not in", sorted(self._company_parties)]]
        ctx = {"active_test": False}
        changed = await self._changed("party.party", current, paths, domain, ctx)
        if not changed:
            return PullPage((), current.encode() if cursor else None)
        ids = [i for i, _ in changed]
        fields = ["code", "name", "active", "identifiers.code", "identifiers.address"]
        fields += [f"addresses.{f}" for f in ("party_name", "street", "city", "postal_code")]
        fields += ["addresses.country.code", "addresses.subdivision.code", "addresses.active"]
        rows = {r["id"]: r for r in await self._read_ids("party.party", ids, fields, context=ctx)}
        records = []
        for party_id in ids:
            row = rows.get(party_id)
            if row is None:
                continue
            codes = {i["address"]: i["code"] for i in row["identifiers"] if i.get("address")}
            addresses = tuple(
                _postal_address(a, codes.get(a["id"]), row["name"])
                for a in row["addresses"]
                if a.get("active", True)
            )
            records.append(
                ErpCustomer(
                    code=row.get("code") or f"TRYTON-{party_id}",
                    name=row["name"],
                    erp_id=str(party_id),
                    addresses=addresses,
                    active=bool(row.get("active", True)),
                )
            )
        return PullPage(tuple(records), current.advance(changed, self._lag).encode())

    async def pull_items(self, cursor: str | None) -> PullPage[ErpItem]:
        current = PullCursor.decode(cursor)
        paths = ["template", "template.list_prices", "cost_prices"]
        domain = [["code", "!=", None]]
        ctx = {"active_test": False}
        changed = await self._changed("product.product", current, paths, domain, ctx)
        if not changed:
            return PullPage((), current.encode() if cursor else None)
        ids = [i for i, _ in changed]
        fields = ["code", "name", "active", "sale_uom.symbol", "list_price_used", "cost_price"]
        rows = {
            r["id"]: r for r in await self._read_ids("product.product", ids, fields, context=ctx)
        }
        records = []
        for product_id in ids:
            row = rows.get(product_id)
            if row is None:
                continue
            symbol = (row.get("sale_uom") or {}).get("symbol") or ""
            records.append(
                ErpItem(
                    part_number=row["code"],
                    description=row.get("name") or "",
                    erp_id=str(product_id),
                    uom=UOM_FROM_TRYTON.get(symbol, symbol.upper() or "EA"),
                    list_price=row.get("list_price_used"),
                    cost=row.get("cost_price"),
                    active=bool(row.get("active", True)),
                )
            )
        return PullPage(tuple(records), current.advance(changed, self._lag).encode())

    async def pull_stock(self, cursor: str | None) -> PullPage[ErpStock]:
        current = PullCursor.decode(cursor)
        warehouses = await self.warehouses()
        if current.stamp is None or current.after_id is not None:
            return await self._pull_stock_full(current, warehouses)
        changed = await self._changed("stock.move", current, [], [])
        if not changed:
            return PullPage((), current.encode())
        moves = await self._read_ids("stock.move", [i for i, _ in changed], ["product"])
        product_ids = sorted({m["product"] for m in moves})
        records = await self._stock_for(product_ids, warehouses)
        return PullPage(tuple(records), current.advance(changed, self._lag).encode())

    async def _pull_stock_full(
        self, current: PullCursor, warehouses: dict[str, int]
    ) -> PullPage[ErpStock]:
        """First pull: every product in every warehouse, a page of products at a time; the
        move stamp taken before the first page is where the incremental pulls start."""
        if current.stamp is None:
            latest = await self._search(
                "stock.move",
                [],
                ["write_date", "create_date"],
                order=[["write_date", "DESC"]],
                limit=1,
            )
            latest += await self._search(
                "stock.move", [], ["create_date"], order=[["create_date", "DESC"]], limit=1
            )
            stamps = [latest_stamp(r.get("write_date"), r.get("create_date")) for r in latest]
            stamp = max(stamps, default=datetime(1970, 1, 1))
            # the moves of the last `lag` are in the quantities read below: seen already
            window = await self._search_all(
                "stock.move",
                changed_domain(stamp - self._lag, [""]),
                ["write_date", "create_date"],
            )
            seen = {
                r["id"]: latest_stamp(r.get("write_date"), r.get("create_date")) for r in window
            }
            current = PullCursor(stamp=stamp, seen=seen, after_id=0)
        rows = await self._search(
            "product.product",
            [["code", "!=", None], ["type", "=", "goods"], ["id", ">", current.after_id or 0]],
            ["id"],
            order=[["id", "ASC"]],
            limit=self._page_size,
        )
        product_ids = [r["id"] for r in rows]
        records = await self._stock_for(product_ids, warehouses)
        after = product_ids[-1] if len(product_ids) == self._page_size else None
        cursor = PullCursor(stamp=current.stamp, seen=current.seen, after_id=after)
        return PullPage(tuple(records), cursor.encode())

    async def _stock_for(
        self, product_ids: list[int], warehouses: dict[str, int]
    ) -> list[ErpStock]:
        records = []
        for code, location in warehouses.items():
            rows = await self._read_ids(
                "product.product",
                product_ids,
                ["code", "quantity"],
                context={"locations": [location], "active_test": False},
            )
            for row in sorted(rows, key=lambda r: r["id"]):
                if row.get("code"):
                    quantity = plain_decimal(row.get("quantity") or 0)
                    records.append(ErpStock(row["code"], code, quantity))
        return records


def _postal_address(row: dict[str, Any], code: str | None, party_name: str) -> PostalAddress:
    country = (row.get("country") or {}).get("code") or ""
    subdivision = (row.get("subdivision") or {}).get("code") or ""
    region = subdivision.split("-", 1)[1] if "-" in subdivision else subdivision
    return PostalAddress(
        code=code or f"TRYTON-{row['id']}",
        name=row.get("party_name") or party_name,
        street=row.get("street") or "",
        city=row.get("city") or "",
        postal_code=row.get("postal_code") or "",
        country=country,
        region=region,
    )
