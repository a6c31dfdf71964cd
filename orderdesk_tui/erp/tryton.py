"""The Tryton 8.2 connector: REST (`/<db>/rest/model/<model>[/<id>[/<action>]]`) on one shared
`httpx.AsyncClient`, authenticated by the bearer key of a `res.user.application` ("rest").

Mapping (Tryton side, all through REST; JSON-RPC is not needed):
- customer -> `party.party` with `code` = our customer code; an address -> `party.address`,
  found again through a `party.identifier` (no type) whose code is our address code;
- item -> `product.product` with `code` = our part number (inactive products are unknown);
- order -> `sale.sale` with `reference` = our order number, `description` = the customer PO,
  `comment` = the notes, `shipping_date` = the requested date (when not in the past), lines with
  `sequence` = our line number, `quantity` and `unit_price` sent as Decimals;
  quoted, then confirmed (with no queue worker, Tryton processes the sale in the confirm
  request: shipment and draft invoice exist when it returns, the sale is `processing`).
- warehouses -> `stock.location` of type warehouse, by code; a sale is placed in the default
  warehouse (the constructor's `warehouse` code, else the first warehouse Tryton lists).

Customer master: `push_customer` creates the party (found by `code`, inactive ones included)
or writes its name and `active`, and keeps one tax identifier (`party.identifier` of the
type mapped from our tax id kind); `push_address` writes the address found through its
identifier (creating it, and the party, when missing). Deactivation is `active: false`; an
inactive customer or address Tryton never had is not created.

Idempotency: `push_order` first looks for a sale with our reference; one in `draft` or
`quotation` (an earlier attempt stopped half-way) is completed, one further on is returned as
is, so a retry never creates a second sale. A customer and an address are created once.

Changes and cancellations: a sale can be changed while it is `draft`, `quotation` or
`confirmed` (it is reset to draft, rewritten, and brought back to the state it had). A
`processing` sale is changed through one `sale.amendment` (module sale_amendment), created with
a line per difference and validated (its `validate_amendment` button): per sale line (matched by
sequence = our line number, then product) product, unit, quantity, unit price, description; the
party and addresses; the payment term; the comment is written directly. Validating deletes the
sale's draft moves and draft invoice lines and processes the sale again, which makes them anew.
An amendment cannot add or delete a line: a line we dropped goes to quantity 0, a new line is a
PermanentErpError, as are a changed customer PO, currency or requested date, a changed line
with a move past draft (packed, shipped, done), and any change while a shipment is assigned or
picked (its draft outgoing moves would be deleted). Only the difference is amended, so a retry
after a lost answer amends nothing, and a draft amendment a stopped attempt left is deleted
first. A `done` sale cannot be changed (PermanentErpError). A cancel
of a draft/quotation/confirmed sale uses Tryton's `cancel`; of a processed sale it cancels its
shipments and draft invoices, marks them ignored on the sale (what Tryton's "handle exception"
wizards do) and lets Tryton finish the sale: it ends `done` with nothing shipped or invoiced,
reported by `order_state` as "cancelled". A shipment already shipped or an invoice already
posted makes the cancel a PermanentErpError.

Pulls are incremental on `write_date` (or `create_date` for never-written records), with an
opaque cursor that remembers the last stamp and the records already returned in a short window
before it, so records committed slightly out of order are still seen and nothing is returned
twice. Stock is `product.quantity` per warehouse (the warehouse as `locations` in the context)
for the products whose stock moves changed; the first pull reports every product everywhere.

Errors: transport errors, timeouts and 5xx are TransientErpError (429/503 carry Retry-After);
401 is ErpAuthError, other 4xx PermanentErpError with Tryton's message. The key is never part of
an exception text, a log line or a repr.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from orderdesk_tui.config import ErpSettings
from orderdesk_tui.erp.connector import (
    AddressPayload,
    CustomerPayload,
    ErpCustomer,
    ErpItem,
    ErpOrderRef,
    ErpOrderState,
    ErpStock,
    OrderLinePayload,
    OrderPayload,
    PermanentErpError,
    PostalAddress,
    PullPage,
    TransientErpError,
)
from orderdesk_tui.masking import mask

log = logging.getLogger(__name__)

#: Tryton unit of measure symbol -> ours (the demo's EA/FT/LB/GAL; BX and PK are the same).
UOM_FROM_TRYTON = {"u": "EA", "ft": "FT", "lb": "LB", "gal": "GAL"}
#: Our tax id kinds -> Tryton's `party.identifier` types (Tryton checks the number again).
TAX_ID_TYPES = {"EIN": "us_ein", "VAT": "eu_vat", "BN": "ca_bn", "RFC": "mx_rfc"}
#: Sale states in which the connector may still rewrite a sale (a `processing` one is amended).
CHANGEABLE_STATES = ("draft", "quotation", "confirmed")
#: Shipment states in which the warehouse is preparing the goods while the outgoing moves are
#: still drafts: an amendment would delete those moves from under it.
PREPARING_STATES = ("assigned", "picked")
#: What `_amend` reads of a processing sale.
AMEND_READ = (
    "number",
    "description",
    "currency",
    "shipping_date",
    "comment",
    "party",
    "invoice_address",
    "shipment_address",
    "payment_term",
    *(f"lines.{f}" for f in ("type", "sequence", "product", "unit", "quantity", "unit_price")),
    *(f"lines.{f}" for f in ("description", "moves_ignored", "moves_recreated", "moves.state")),
    "shipments.number",
    "shipments.state",
    "shipments.moves",
)


class ErpAuthError(PermanentErpError):
    """Tryton refused the application key (HTTP 401)."""


# --------------------------------------------------------------------------- Tryton's JSON


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return {
            "__class__": "datetime",
            "year": value.year,
            "month": value.month,
            "day": value.day,
            "hour": value.hour,
            "minute": value.minute,
            "second": value.second,
            "microsecond": value.microsecond,
        }
    if isinstance(value, date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot send a {type(value).__name__} to Tryton")


def _decode(obj: dict[str, Any]) -> Any:
    kind = obj.get("__class__")
    if kind == "Decimal":
        return Decimal(obj["decimal"])
    if kind == "datetime":
        return datetime(
            obj["year"],
            obj["month"],
            obj["day"],
            obj["hour"],
            obj["minute"],
            obj["second"],
            obj["microsecond"],
        )
    if kind == "date":
        return date(obj["year"], obj["month"], obj["day"])
    return obj


def dumps(value: Any) -> str:
    return json.dumps(value, default=_encode, separators=(",", ":"))


def loads(data: bytes | str) -> Any:
    return json.loads(data, object_hook=_decode)


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(dumps(value).encode()).decode()


# --------------------------------------------------------------------------- pull cursors


def _stamp(*values: Any) -> datetime:
    """The latest of the write/create dates given (Tryton leaves write_date null until the
    first write)."""
    stamps = [v for v in values if isinstance(v, datetime)]
    return max(stamps) if stamps else datetime(1970, 1, 1)


@dataclass
class _Cursor:
    """Where a pull stopped: the latest stamp returned, the (id, stamp) pairs already returned
    within `lag` before it, and for the first stock pull the product id reached so far."""

    stamp: datetime | None = None
    seen: dict[int, datetime] = field(default_factory=dict)
    after_id: int | None = None  # stock: full pass in progress, products with id > after_id

    @classmethod
    def decode(cls, text: str | None) -> _Cursor:
        if not text:
            return cls()
        try:
            prefix, payload = text.split(".", 1)
            if prefix != "t1":
                raise ValueError(prefix)
            data = json.loads(zlib.decompress(base64.urlsafe_b64decode(payload.encode())))
            seen = {
                int(i): datetime.fromisoformat(stamp)
                for stamp, ids in data.get("seen", {}).items()
                for i in ids
            }
            stamp = datetime.fromisoformat(data["t"]) if data.get("t") else None
            return cls(stamp=stamp, seen=seen, after_id=data.get("after"))
        except (ValueError, KeyError, TypeError, zlib.error) as exc:
            raise PermanentErpError(f"not a Tryton pull cursor: {text[:40]!r}") from exc

    def encode(self) -> str:
        by_stamp: dict[str, list[int]] = {}
        for record_id, stamp in sorted(self.seen.items()):
            by_stamp.setdefault(stamp.isoformat(), []).append(record_id)
        data: dict[str, Any] = {"t": self.stamp.isoformat() if self.stamp else None}
        if by_stamp:
            data["seen"] = by_stamp
        if self.after_id is not None:
            data["after"] = self.after_id
        raw = json.dumps(data, separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(zlib.compress(raw, 9))
        return "t1." + payload.decode()

    def since(self, lag: timedelta) -> datetime | None:
        return None if self.stamp is None else self.stamp - lag

    def advance(self, returned: Iterable[tuple[int, datetime]], lag: timedelta) -> _Cursor:
        seen = dict(self.seen)
        seen.update(returned)
        stamp = max([*seen.values(), *([self.stamp] if self.stamp else [])], default=None)
        if stamp is not None:
            seen = {i: s for i, s in seen.items() if s >= stamp - lag}
        return _Cursor(stamp=stamp, seen=seen, after_id=self.after_id)


def _changed_domain(since: datetime | None, paths: Sequence[str]) -> list[Any]:
    if since is None:
        return []
    clauses: list[Any] = ["OR"]
    for path in paths:
        prefix = f"{path}." if path else ""
        clauses.append([f"{prefix}write_date", ">=", since])
        clauses.append([f"{prefix}create_date", ">=", since])
    return [clauses]


# --------------------------------------------------------------------------- the connector


class _TtlCache:
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._data: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any) -> Any:
        hit = self._data.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, key: Any, value: Any) -> None:
        self._data[key] = (time.monotonic() + self.ttl_s, value)

    def drop(self, key: Any) -> None:
        self._data.pop(key, None)


class TrytonConnector:
    """A Tryton 8.2 server as the sync engine sees it (see the module docstring)."""

    name = "tryton"

    def __init__(
        self,
        settings: ErpSettings,
        *,
        warehouse: str | None = None,
        confirm: bool = True,
        page_size: int = 500,
        cursor_lag_s: float = 300.0,
        cache_ttl_s: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not settings.url or not settings.database:
            raise PermanentErpError("the Tryton connector needs erp.url and erp.database")
        self.url = settings.url.rstrip("/")
        self.database = settings.database
        self.timeout_s = settings.timeout_s
        self._secret = settings.key.get_secret_value()
        self._warehouse_code = warehouse
        self._confirm = confirm
        self._page_size = page_size
        self._lag = timedelta(seconds=cursor_lag_s)
        self._client = httpx.AsyncClient(
            base_url=f"{self.url}/{quote(self.database, safe='')}/rest/model/",
            timeout=httpx.Timeout(settings.timeout_s),
            headers={
                "Authorization": f"Bearer {self._secret}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
            transport=transport,
        )
        self._company: int | None = None
        self._company_parties: set[int] = set()
        self._warehouses: dict[str, int] | None = None
        self._refs: dict[tuple[str, str], int | None] = {}  # (model, code) -> id, stable refs
        self._party_cache = _TtlCache(cache_ttl_s)  # customer code -> party id
        self._address_cache = _TtlCache(cache_ttl_s)  # (party id, address code) -> address id
        self._product_cache = _TtlCache(cache_ttl_s)  # part number -> (product id, unit id)
        self._locks: dict[Any, asyncio.Lock] = {}

    def __repr__(self) -> str:
        return f"TrytonConnector(url={self.url!r}, database={self.database!r})"

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> TrytonConnector:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ HTTP

    def _scrub(self, text: str) -> str:
        """The key, and the password of a URL with one (`http://user:pw@erp`), masked."""
        return mask(text.replace(self._secret, "***") if self._secret else text)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        context: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        company: bool = True,
    ) -> Any:
        ctx: dict[str, Any] = {}
        if company:
            ctx["company"] = await self._company_id()
        ctx.update(context or {})
        send_headers = {"X-Tryton-Context": _b64(ctx), **(headers or {})}
        content = dumps(body) if body is not None else ("{}" if method == "POST" else None)
        what = f"{method} {path.split('?')[0]}"
        try:
            response = await self._client.request(
                method, path, params=params, content=content, headers=send_headers
            )
        except httpx.TimeoutException as exc:
            raise TransientErpError(
                self._scrub(
                    f"Tryton at {self.url} did not answer {what} within {self.timeout_s:g} s "
                    f"({type(exc).__name__})"
                )
            ) from None
        except httpx.HTTPError as exc:
            raise TransientErpError(
                self._scrub(f"cannot reach Tryton at {self.url} ({type(exc).__name__}: {exc})")
            ) from None
        log.debug("tryton %s -> %s", what, response.status_code)
        if response.status_code >= 400:
            raise self._error(response, what)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return loads(response.content)
        except ValueError:
            raise TransientErpError(
                f"Tryton answered {what} with something that is not JSON"
            ) from None

    def _error(self, response: httpx.Response, what: str) -> Exception:
        status = response.status_code
        message = _tryton_message(response)
        text = self._scrub(f"Tryton {what}: HTTP {status}: {message}")
        if status in (429, 503):
            return TransientErpError(text, retry_after=_retry_after(response))
        if status >= 500 or status == 408:
            return TransientErpError(text)
        if status == 401:
            return ErpAuthError(
                self._scrub(
                    f"Tryton at {self.url} refused the application key for database "
                    f"{self.database!r} (HTTP 401): check erp.key / ORDERDESK_ERP_KEY"
                )
            )
        if status == 403:
            return PermanentErpError(
                self._scrub(f"Tryton {what}: access denied (HTTP 403): {message}")
            )
        if status == 404:
            return PermanentErpError(self._scrub(f"Tryton {what}: not found (HTTP 404)"))
        return PermanentErpError(self._scrub(f"Tryton refused {what}: {message}"))

    async def _search(
        self,
        model: str,
        domain: list[Any],
        fields: Sequence[str],
        *,
        order: list[list[str]] | None = None,
        limit: int | None = None,
        offset: int = 0,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"d": _b64(domain), "f": list(fields)}
        if order:
            params["o"] = _b64(order)
        if limit is not None:
            params["s"] = limit
        if offset:
            params["p"] = offset
        return await self._call("GET", model, params=params, context=context) or []

    async def _search_all(
        self,
        model: str,
        domain: list[Any],
        fields: Sequence[str],
        *,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        while True:
            page = await self._search(
                model,
                domain,
                fields,
                order=[["id", "ASC"]],
                limit=self._page_size * 4,
                offset=len(rows),
                context=context,
            )
            rows.extend(page)
            if len(page) < self._page_size * 4:
                return rows

    async def _read_ids(
        self,
        model: str,
        ids: Sequence[int],
        fields: Sequence[str],
        *,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for start in range(0, len(ids), self._page_size):
            chunk = list(ids[start : start + self._page_size])
            rows += await self._search(model, [["id", "in", chunk]], fields, context=context)
        return rows

    def _lock(self, key: Any) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    # ------------------------------------------------------------------ reference data

    async def _company_id(self) -> int:
        if self._company is None:
            async with self._lock("company"):
                if self._company is None:
                    rows = await self._call(
                        "GET",
                        "company.company",
                        params={"f": ["party"], "o": _b64([["id", "ASC"]])},
                        company=False,
                    )
                    if not rows:
                        raise PermanentErpError("Tryton has no company: it is not set up")
                    self._company_parties = {r["party"] for r in rows}
                    self._company = rows[0]["id"]
        return self._company

    async def _ref(self, model: str, code: str, domain: list[Any] | None = None) -> int | None:
        """The id of a rarely changing record (currency, country, payment term) by code."""
        key = (model, code)
        if key not in self._refs:
            rows = await self._search(model, domain or [["code", "=", code]], ["id"], limit=1)
            self._refs[key] = rows[0]["id"] if rows else None
        return self._refs[key]

    async def warehouses(self) -> dict[str, int]:
        """Warehouse code -> stock.location id, in Tryton's order."""
        if self._warehouses is None:
            rows = await self._search(
                "stock.location", [["type", "=", "warehouse"]], ["code"], order=[["id", "ASC"]]
            )
            self._warehouses = {r["code"] or str(r["id"]): r["id"] for r in rows}
        return self._warehouses

    async def _default_warehouse(self) -> int:
        warehouses = await self.warehouses()
        if not warehouses:
            raise PermanentErpError("Tryton has no warehouse")
        if self._warehouse_code is None:
            return next(iter(warehouses.values()))
        if self._warehouse_code not in warehouses:
            raise PermanentErpError(
                f"Tryton has no warehouse with code {self._warehouse_code!r} "
                f"(it has {', '.join(warehouses)})"
            )
        return warehouses[self._warehouse_code]

    # ------------------------------------------------------------------ parties

    async def _party(self, code: str, name: str) -> int:
        """The party of our customer `code`, created (named `name`) when Tryton has none."""
        if (cached := self._party_cache.get(code)) is not None:
            return cached
        async with self._lock(("party", code)):
            if (cached := self._party_cache.get(code)) is not None:
                return cached
            party_id = await self._find_party(code)
            if party_id is None:
                party_id = await self._create_party({"code": code, "name": name})
            self._party_cache.put(code, party_id)
            return party_id

    async def _create_party(self, values: dict[str, Any]) -> int:
        try:
            party_id = (await self._call("POST", "party.party", body=values))["id"]
        except PermanentErpError:
            # created meanwhile by someone else (the code is unique): use theirs
            party_id = await self._find_party(values["code"])
            if party_id is None:
                raise
        log.info("tryton: created party %s for customer %s", party_id, values["code"])
        return party_id

    async def _find_party(self, code: str) -> int | None:
        rows = await self._search(
            "party.party", [["code", "=", code]], ["id"], context={"active_test": False}
        )
        return rows[0]["id"] if rows else None

    async def _address(self, party_id: int, address: PostalAddress, *, invoice: bool) -> int:
        key = (party_id, address.code)
        if (cached := self._address_cache.get(key)) is not None:
            return cached
        async with self._lock(("address", party_id)):
            if (cached := self._address_cache.get(key)) is not None:
                return cached
            found = await self._find_address(party_id, address.code)
            if found is not None:
                address_id = found
            else:
                values = await self._address_values(address, invoice=invoice)
                # An address left without its identifier by an interrupted earlier attempt is
                # taken again rather than duplicated.
                fields = ["party_name", "street", "city", "postal_code", "identifiers"]
                same = [
                    r["id"]
                    for r in await self._search("party.address", [["party", "=", party_id]], fields)
                    if not r["identifiers"] and all(r[f] == values[f] for f in fields[:-1])
                ]
                if same:
                    address_id = same[0]
                else:
                    values["party"] = party_id
                    address_id = (await self._call("POST", "party.address", body=values))["id"]
                    log.info("tryton: created address %s of party %s", address_id, party_id)
                # Not nested in the address: Tryton restricts an address's own identifiers
                # to a few official types, while a party's identifier may point at an address.
                await self._call(
                    "POST",
                    "party.identifier",
                    body={"party": party_id, "address": address_id, "code": address.code},
                )
            self._address_cache.put(key, address_id)
            return address_id

    async def _find_address(self, party_id: int, code: str) -> int | None:
        rows = await self._search(
            "party.identifier",
            [["party", "=", party_id], ["code", "=", code], ["address", "!=", None]],
            ["address"],
        )
        return rows[0]["address"] if rows else None

    async def _recode_address(self, party_id: int, old: str, new: str) -> int | None:
        """The address known by our `old` code, now identified by `new` (renamed here)."""
        rows = await self._search(
            "party.identifier",
            [["party", "=", party_id], ["code", "=", old], ["address", "!=", None]],
            ["address"],
        )
        if not rows:
            return None
        await self._call("PUT", f"party.identifier/{rows[0]['id']}", body={"code": new})
        self._address_cache.drop((party_id, old))
        return rows[0]["address"]

    async def _address_values(self, address: PostalAddress, *, invoice: bool) -> dict[str, Any]:
        country = await self._ref("country.country", address.country) if address.country else None
        subdivision = None
        if country is not None and address.region:
            code = f"{address.country}-{address.region}"
            subdivision = await self._ref("country.subdivision", code)
        return {
            "party_name": address.name,
            "street": address.street,
            "city": address.city,
            "postal_code": address.postal_code,
            "country": country,
            "subdivision": subdivision,
            "invoice": invoice,
            "delivery": not invoice,
        }

    async def _default_address(self, party_id: int, *, invoice: bool) -> int:
        flag = "invoice" if invoice else "delivery"
        rows = await self._search(
            "party.address", [["party", "=", party_id]], [flag], order=[["id", "ASC"]]
        )
        if not rows:
            raise PermanentErpError(
                "the customer has no address in Tryton and the order gives none"
            )
        flagged = [r for r in rows if r.get(flag)]
        return (flagged or rows)[0]["id"]

    async def push_customer(self, customer: CustomerPayload) -> None:
        async with self._lock(("party", customer.code)):
            party_id = await self._find_party(customer.code)
            if party_id is None:
                if not customer.active:
                    return  # never reached Tryton: nothing to deactivate
                values = {"code": customer.code, "name": customer.name}
                party_id = await self._create_party(values)
            else:
                values = {"active": customer.active}
                if customer.name:  # a deleted customer is only deactivated
                    values["name"] = customer.name
                await self._call("PUT", f"party.party/{party_id}", body=values)
            self._party_cache.put(customer.code, party_id)
        if customer.name:
            await self._tax_identifier(party_id, customer)

    async def _tax_identifier(self, party_id: int, customer: CustomerPayload) -> None:
        """Keep the party's one tax identifier as our tax id (removed when ours is blank)."""
        rows = await self._search(
            "party.identifier",
            [["party", "=", party_id], ["type", "in", sorted(set(TAX_ID_TYPES.values()))]],
            ["type", "code"],
        )
        kind = TAX_ID_TYPES.get(customer.tax_id_type.upper())
        wanted = (kind, customer.tax_id) if customer.tax_id and kind else None
        for row in rows:
            if wanted is not None and (row["type"], row["code"]) == wanted:
                wanted = None
            else:
                await self._call("DELETE", f"party.identifier/{row['id']}")
        if wanted is not None:
            await self._call(
                "POST",
                "party.identifier",
                body={"party": party_id, "type": wanted[0], "code": wanted[1]},
            )

    async def push_address(self, address: AddressPayload) -> None:
        owner = address.customer
        party_id = await self._find_party(owner.code)
        if party_id is None and not (address.active and owner.active):
            return  # nothing to deactivate, or a party Tryton should not get
        if party_id is None:
            party_id = await self._party(owner.code, owner.name)
        postal = address.address
        found = await self._find_address(party_id, postal.code)
        if found is None and address.previous_code:
            found = await self._recode_address(party_id, address.previous_code, postal.code)
        if found is None:
            if address.active:
                await self._address(party_id, postal, invoice=address.invoice)
            return
        values = await self._address_values(postal, invoice=address.invoice)
        values["active"] = address.active
        await self._call("PUT", f"party.address/{found}", body=values)
        if not address.active:
            self._address_cache.drop((party_id, postal.code))

    # ------------------------------------------------------------------ products

    async def _products(self, lines: Sequence[OrderLinePayload]) -> dict[str, tuple[int, int]]:
        """Part number -> (product id, sale unit id); unknown parts are a PermanentErpError."""
        found: dict[str, tuple[int, int]] = {}
        wanted = []
        for line in lines:
            if (cached := self._product_cache.get(line.part_number)) is not None:
                found[line.part_number] = cached
            elif line.part_number not in wanted:
                wanted.append(line.part_number)
        if wanted:
            rows = await self._search(
                "product.product", [["code", "in", wanted]], ["code", "sale_uom"]
            )
            for row in rows:
                value = (row["id"], row["sale_uom"])
                self._product_cache.put(row["code"], value)
                found[row["code"]] = value
        missing = [line for line in lines if line.part_number not in found]
        if missing:
            listed = ", ".join(f"{m.part_number!r} (line {m.line_no})" for m in missing)
            raise PermanentErpError(f"Tryton has no active product with code {listed}")
        return found

    # ------------------------------------------------------------------ sales

    async def _sale_values(self, order: OrderPayload) -> dict[str, Any]:
        party_id = await self._party(order.customer_code, order.customer_name)
        if order.bill_to is not None:
            invoice_address = await self._address(party_id, order.bill_to, invoice=True)
        else:
            invoice_address = await self._default_address(party_id, invoice=True)
        if order.ship_to is not None:
            shipment_address = await self._address(party_id, order.ship_to, invoice=False)
        else:
            shipment_address = await self._default_address(party_id, invoice=False)
        products = await self._products(order.lines)
        currency = await self._ref("currency.currency", order.currency)
        if currency is None:
            raise PermanentErpError(f"Tryton has no currency {order.currency}")
        values: dict[str, Any] = {
            "party": party_id,
            "invoice_address": invoice_address,
            "shipment_address": shipment_address,
            "warehouse": await self._default_warehouse(),
            "currency": currency,
            "reference": order.number,
            "description": order.customer_po or None,
            "comment": order.notes or None,
            "shipping_date": (
                order.requested_date
                if order.requested_date and order.requested_date >= date.today()
                else None
            ),
        }
        if order.payment_terms:
            term = await self._ref(
                "account.invoice.payment_term",
                order.payment_terms,
                [["name", "=", order.payment_terms]],
            )
            if term is not None:
                values["payment_term"] = term
        values["lines"] = [
            {
                "type": "line",
                "sequence": line.line_no,
                "product": products[line.part_number][0],
                "unit": products[line.part_number][1],
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "description": line.description or None,
            }
            for line in order.lines
        ]
        return values

    async def _sale(self, sale_id: int | str, fields: Sequence[str]) -> dict[str, Any]:
        return await self._call("GET", f"sale.sale/{int(sale_id)}", params={"f": list(fields)})

    async def _action(self, sale_id: int, action: str) -> dict[str, Any]:
        return await self._call(
            "POST", f"sale.sale/{sale_id}/{action}", params={"f": ["number", "state"]}
        )

    async def _advance(self, sale_id: int, state: str, target: str) -> dict[str, Any]:
        """Quote and (if `target` is confirmed) confirm a sale from `state`."""
        sale: dict[str, Any] = {"id": sale_id, "state": state}
        if state == "draft" and target in ("quotation", "confirmed"):
            sale = await self._action(sale_id, "quote")
        if sale["state"] == "quotation" and target == "confirmed":
            sale = await self._action(sale_id, "confirm")
        return sale

    async def _find_sales(self, reference: str) -> list[dict[str, Any]]:
        return await self._search(
            "sale.sale", [["reference", "=", reference]], ["number", "state"], order=[["id", "ASC"]]
        )

    @property
    def _unfinished(self) -> tuple[str, ...]:
        """States of a sale that a push left half-way (push_order finishes it)."""
        return ("draft", "quotation") if self._confirm else ("draft",)

    async def find_order(self, reference: str) -> ErpOrderRef | None:
        """The sale pushed for our order number, if a push got it through. A sale an
        interrupted push left in draft (or quotation) is not returned: the retry's push_order
        finishes it. A live sale is preferred to a cancelled one."""
        rows = [r for r in await self._find_sales(reference) if r["state"] not in self._unfinished]
        if not rows:
            return None
        live = [r for r in rows if r["state"] != "cancelled"]
        row = (live or rows)[-1]
        return ErpOrderRef(str(row["id"]), row.get("number") or "")

    async def push_order(self, order: OrderPayload) -> ErpOrderRef:
        if not order.lines:
            raise PermanentErpError(f"order {order.number} has no lines")
        target = "confirmed" if self._confirm else "quotation"
        live = [r for r in await self._find_sales(order.number) if r["state"] != "cancelled"]
        if live:  # an earlier attempt got this far: finish it rather than create a second
            existing = live[-1]
            log.info("tryton: sale %s for %s exists already", existing["id"], order.number)
            ref = ErpOrderRef(str(existing["id"]), existing.get("number") or "")
            if existing["state"] in self._unfinished:  # rewrite it from the current order
                return await self._rewrite(ref, order, target)
            return ref
        values = await self._sale_values(order)
        values["lines"] = [["create", values["lines"]]]
        created = await self._call("POST", "sale.sale", body=values, params={"f": ["state"]})
        sale = await self._advance(created["id"], created["state"], target)
        return ErpOrderRef(str(created["id"]), sale.get("number") or "")

    async def push_change(self, ref: ErpOrderRef, order: OrderPayload) -> ErpOrderRef:
        if not order.lines:
            raise PermanentErpError(f"order {order.number} has no lines")
        sale = await self._sale(ref.erp_id, ["state"])
        if sale["state"] == "processing":
            return await self._amend(int(ref.erp_id), order)
        return await self._rewrite(ref, order, None)

    async def _amend(self, sale_id: int, order: OrderPayload) -> ErpOrderRef:
        """Bring a processing sale to the order through one validated `sale.amendment`: only
        the difference between the sale and the order is amended, so a retry after a lost
        answer finds nothing left to do."""
        sale = await self._sale(sale_id, AMEND_READ)
        number = sale.get("number") or str(sale_id)
        values = await self._sale_values(order)
        fixed = [
            name
            for name, field_name in (("customer PO", "description"), ("currency", "currency"))
            if (values[field_name] or None) != (sale[field_name] or None)
        ]
        if values["shipping_date"] is not None and values["shipping_date"] != sale["shipping_date"]:
            fixed.append("requested date")
        if fixed:
            raise PermanentErpError(
                f"Tryton sale {number} is processing: its {' and '.join(fixed)} can no longer "
                "be changed from orderdesk (lines, addresses, payment terms and notes can); "
                "change it in Tryton"
            )
        plan = _amendment_plan(number, sale, values)
        if plan:
            await self._apply_amendment(sale_id, number, order.number, plan)
        if (values["comment"] or None) != (sale.get("comment") or None):
            await self._call("PUT", f"sale.sale/{sale_id}", body={"comment": values["comment"]})
        return ErpOrderRef(str(sale_id), sale.get("number") or "")

    async def _apply_amendment(
        self, sale_id: int, number: str, reference: str, plan: list[tuple[str, dict[str, Any]]]
    ) -> None:
        marker = f"orderdesk change of {reference}"
        # A draft an attempt left when it stopped before validating: validated later in
        # Tryton it would bring back the values it holds.
        stale = await self._search(
            "sale.amendment",
            [["sale", "=", sale_id], ["state", "=", "draft"], ["description", "=", marker]],
            ["id"],
        )
        for row in stale:
            await self._call("DELETE", f"sale.amendment/{row['id']}")
        what = ", ".join(subject for subject, _ in plan)
        lines = [values for _, values in plan]
        try:
            body = {"sale": sale_id, "description": marker, "lines": [["create", lines]]}
            amendment = await self._call("POST", "sale.amendment", body=body)
            await self._call("POST", f"sale.amendment/{amendment['id']}/validate_amendment")
        except ErpAuthError:
            raise
        except PermanentErpError as exc:
            raise PermanentErpError(
                f"Tryton sale {number} refused the amendment of {what}: {exc}"
            ) from None
        log.info("tryton: amended sale %s (%s)", number, what)

    async def _rewrite(
        self, ref: ErpOrderRef, order: OrderPayload, target: str | None
    ) -> ErpOrderRef:
        """Reset the sale to draft, write the order over it, and bring it to `target` (None:
        back to the state it had)."""
        sale_id = int(ref.erp_id)
        sale = await self._sale(sale_id, ["number", "state", "lines"])
        state = sale["state"]
        if state not in CHANGEABLE_STATES:
            raise PermanentErpError(
                f"Tryton sale {sale.get('number') or sale_id} is {state}: it can no longer be "
                "changed from orderdesk; change it in Tryton"
            )
        values = await self._sale_values(order)
        if state != "draft":
            await self._action(sale_id, "draft")
        new_lines = values.pop("lines")
        values["lines"] = [["delete", sale["lines"]], ["create", new_lines]]
        await self._call("PUT", f"sale.sale/{sale_id}", body=values, params={"f": ["state"]})
        result = await self._advance(sale_id, "draft", target or state)
        return ErpOrderRef(str(sale_id), result.get("number") or sale.get("number") or "")

    async def push_cancel(self, ref: ErpOrderRef, reason: str) -> None:
        sale_id = int(ref.erp_id)
        fields = ["number", "state", "comment", "shipments.state", "invoices.state"]
        fields += ["lines.moves.state", "lines.moves_ignored", "invoices_ignored"]
        fields += ["shipment_returns.state"]
        sale = await self._sale(sale_id, fields)
        state, number = sale["state"], sale.get("number") or str(sale_id)
        if state == "cancelled" or _cancelled_after_processing(sale):
            return
        note = f"Cancelled from orderdesk: {reason}".strip()
        comment = sale.get("comment") or ""
        if note not in comment:
            comment = "\n".join(filter(None, [comment, note]))
        if state in CHANGEABLE_STATES:
            if state == "confirmed":
                await self._action(sale_id, "draft")
            await self._call("PUT", f"sale.sale/{sale_id}", body={"comment": comment})
            await self._action(sale_id, "cancel")
            return
        shipped = [s for s in sale["shipments"] if s["state"] in ("shipped", "done")]
        if shipped or sale.get("shipment_returns"):
            raise PermanentErpError(
                f"Tryton sale {number} has shipped goods: it cannot be cancelled; "
                "return the goods in Tryton"
            )
        posted = [
            i for i in sale["invoices"] if i["state"] not in ("draft", "validated", "cancelled")
        ]
        if posted:
            raise PermanentErpError(
                f"Tryton sale {number} is invoiced (invoice {posted[0]['state']}): it cannot "
                "be cancelled; credit the invoice in Tryton"
            )
        for shipment in sale["shipments"]:
            if shipment["state"] != "cancelled":
                await self._call("POST", f"stock.shipment.out/{shipment['id']}/cancel")
        for invoice in sale["invoices"]:
            if invoice["state"] != "cancelled":
                await self._call("POST", f"account.invoice/{invoice['id']}/cancel")
        # What Tryton's "handle shipment/invoice exception" wizards do: ignore what was
        # cancelled, so that processing the sale finishes it instead of flagging an exception.
        line_writes: list[Any] = []
        for line in sale["lines"]:
            ignored = set(line.get("moves_ignored") or [])
            moves = [m["id"] for m in line.get("moves") or [] if m["id"] not in ignored]
            if moves:
                line_writes.append(["write", [line["id"]], {"moves_ignored": [["add", moves]]}])
        invoices = [i["id"] for i in sale["invoices"] if i["id"] not in sale["invoices_ignored"]]
        values: dict[str, Any] = {"comment": comment}
        if line_writes:
            values["lines"] = line_writes
        if invoices:
            values["invoices_ignored"] = [["add", invoices]]
        await self._call("PUT", f"sale.sale/{sale_id}", body=values)
        await self._call("POST", f"sale.sale/{sale_id}/process")

    async def order_state(self, ref: ErpOrderRef) -> ErpOrderState:
        fields = ["number", "state", "write_date", "create_date", "shipments.state"]
        fields += ["invoices.state", "lines.moves.state"]
        sale = await self._sale(ref.erp_id, fields)
        state = "cancelled" if _cancelled_after_processing(sale) else sale["state"]
        changed = _stamp(sale.get("write_date"), sale.get("create_date")).replace(tzinfo=UTC)
        return ErpOrderState(
            ErpOrderRef(str(sale["id"]), sale.get("number") or ref.erp_number), state, changed
        )

    # ------------------------------------------------------------------ pulls

    async def _changed(
        self,
        model: str,
        cursor: _Cursor,
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
            model, domain + _changed_domain(since, ["", *paths]), fields, context=context
        )
        stamped = []
        for row in rows:
            values = [row.get("write_date"), row.get("create_date")]
            for path in paths:
                values += _dig(row, path)
            stamp = _stamp(*values)
            if since is not None and stamp < since:
                continue
            if cursor.seen.get(row["id"]) == stamp:
                continue
            stamped.append((row["id"], stamp))
        stamped.sort(key=lambda pair: (pair[1], pair[0]))
        return stamped[: self._page_size]

    async def pull_customers(self, cursor: str | None) -> PullPage[ErpCustomer]:
        current = _Cursor.decode(cursor)
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
        current = _Cursor.decode(cursor)
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
        current = _Cursor.decode(cursor)
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

    async def _pull_stock_full(self, current: _Cursor, warehouses: dict[str, int]) -> PullPage:
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
            stamps = [_stamp(r.get("write_date"), r.get("create_date")) for r in latest]
            stamp = max(stamps, default=datetime(1970, 1, 1))
            # the moves of the last `lag` are in the quantities read below: seen already
            window = await self._search_all(
                "stock.move",
                _changed_domain(stamp - self._lag, [""]),
                ["write_date", "create_date"],
            )
            seen = {r["id"]: _stamp(r.get("write_date"), r.get("create_date")) for r in window}
            current = _Cursor(stamp=stamp, seen=seen, after_id=0)
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
        cursor = _Cursor(stamp=current.stamp, seen=current.seen, after_id=after)
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
                    quantity = _decimal(row.get("quantity") or 0)
                    records.append(ErpStock(row["code"], code, quantity))
        return records


# --------------------------------------------------------------------------- helpers


def _decimal(value: float | int | Decimal) -> Decimal:
    """A float quantity from Tryton as a plain Decimal: 21700.0 -> 21700, 2.5 -> 2.5."""
    result = Decimal(str(value))
    if result == result.to_integral_value():
        return result.quantize(Decimal(1))
    return result.normalize()


def _tryton_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        text = response.text
        if "<p>" in text:  # werkzeug's HTML error page
            text = text.split("<p>", 1)[1].split("</p>", 1)[0]
        return " ".join(text.split())[:300] or response.reason_phrase
    if isinstance(data, dict) and data.get("message"):
        message = str(data["message"])
        if data.get("description"):
            message += f" ({data['description']})"
        return message
    return str(data)[:300]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _dig(row: Any, path: str) -> list[Any]:
    """The write/create dates found under a dotted path of a REST row (lists flattened)."""
    nodes = [row]
    for part in path.split("."):
        nxt: list[Any] = []
        for node in nodes:
            value = node.get(part) if isinstance(node, dict) else None
            if isinstance(value, list):
                nxt.extend(value)
            elif value is not None:
                nxt.append(value)
        nodes = nxt
    return [n.get(k) for n in nodes if isinstance(n, dict) for k in ("write_date", "create_date")]


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


def _cancelled_after_processing(sale: dict[str, Any]) -> bool:
    """A processed sale whose every move and invoice was cancelled (see push_cancel)."""
    if sale.get("state") != "done":
        return False
    moves = [m for line in sale.get("lines") or [] for m in line.get("moves") or []]
    invoices = sale.get("invoices") or []
    return (
        bool(moves)
        and all(m.get("state") == "cancelled" for m in moves)
        and all(i.get("state") == "cancelled" for i in invoices)
    )


def _amendment_plan(
    number: str, sale: dict[str, Any], values: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """The `sale.amendment.line`s (what each changes, its values) that make the processing
    `sale` what `values` (from `_sale_values`) say. Our lines are matched to the sale's by
    sequence (= our line number), preferring the same product; a sale line we no longer have
    goes to quantity 0 (an amendment can neither delete nor add a line). Raises
    PermanentErpError, before anything is sent, for a new line, for a changed line with goods
    past a draft move, and for any change while a shipment is being prepared."""
    plan: list[tuple[str, dict[str, Any]]] = []
    parties = ("party", "invoice_address", "shipment_address")
    if any(values[f] != sale[f] for f in parties):
        plan.append(("the addresses", {"action": "party", **{f: values[f] for f in parties}}))
    if "payment_term" in values and values["payment_term"] != sale["payment_term"]:
        term = {"action": "payment_term", "payment_term": values["payment_term"]}
        plan.append(("the payment term", term))
    free = [line for line in sale["lines"] if line["type"] == "line"]
    wanted: list[tuple[dict[str, Any], dict[str, Any]]] = []
    new: list[str] = []
    for ours in values["lines"]:
        same_no = [line for line in free if line["sequence"] == ours["sequence"]]
        if not same_no:
            new.append(str(ours["sequence"]))
            continue
        match = next((x for x in same_no if x["product"] == ours["product"]), same_no[0])
        free.remove(match)
        wanted.append((match, ours))
    if new:
        raise PermanentErpError(
            f"Tryton sale {number} is processing: line {', '.join(new)} is new, and Tryton "
            "cannot add a line to a processed sale; enter it on a new order"
        )
    wanted += [(line, {**line, "quantity": 0}) for line in free]
    shipment_of = {m: s for s in sale["shipments"] for m in s["moves"]}
    for line, target in wanted:
        if not _line_differs(line, target):
            continue
        skip = set(line["moves_ignored"]) | set(line["moves_recreated"])
        for move in line["moves"]:
            if move["id"] in skip or move["state"] in ("draft", "staging", "cancelled"):
                continue
            shipment = shipment_of.get(move["id"])
            where = f" (shipment {shipment['number']} is {shipment['state']})" if shipment else ""
            raise PermanentErpError(
                f"Tryton sale {number} line {line['sequence']}: its goods are already "
                f"{move['state']}{where}, so the line can no longer be changed from orderdesk; "
                "change it in Tryton"
            )
        fields = ("product", "unit", "quantity", "unit_price", "description")
        amended = {"action": "line", "line": line["id"], **{f: target[f] for f in fields}}
        plan.append((f"line {line['sequence']}", amended))
    preparing = [s for s in sale["shipments"] if s["state"] in PREPARING_STATES]
    if plan and preparing:
        # Validating any amendment deletes the sale's draft moves, these shipments' too.
        shipment = preparing[0]
        raise PermanentErpError(
            f"Tryton sale {number}: shipment {shipment['number']} is {shipment['state']} in "
            "the warehouse, and amending the sale would take its moves away; finish or reset "
            "the shipment in Tryton, then retry"
        )
    return plan


def _line_differs(line: dict[str, Any], target: dict[str, Any]) -> bool:
    return (
        line["product"] != target["product"]
        or line["unit"] != target["unit"]
        or _decimal(line["quantity"]) != Decimal(target["quantity"])
        or line["unit_price"] != target["unit_price"]
        or (line.get("description") or None) != (target.get("description") or None)
    )
