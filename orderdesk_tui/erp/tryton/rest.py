"""Tryton's REST API (`/<db>/rest/model/<model>[/<id>[/<action>]]`) as the connector uses it:
one shared `httpx.AsyncClient` authenticated by the bearer key of a `res.user.application`
("rest"), searches paged, and the reference data that rarely changes (the company, currencies,
countries, payment terms, warehouses) looked up once.

Errors: transport errors, timeouts and 5xx are TransientErpError (429/503 carry Retry-After);
401 is ErpAuthError, other 4xx PermanentErpError with Tryton's message. The key is never part of
an exception text, a log line or a repr.
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

from orderdesk_tui.config import ErpSettings
from orderdesk_tui.erp.connector import PermanentErpError, TransientErpError
from orderdesk_tui.erp.tryton.codec import b64, dumps, loads
from orderdesk_tui.masking import mask

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")


class ErpAuthError(PermanentErpError):
    """Tryton refused the application key (HTTP 401)."""


class TtlCache(Generic[K, V]):
    """Values kept for `ttl_s` seconds (ids of records that are rarely renamed or deleted)."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._data: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        hit = self._data.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, key: K, value: V) -> None:
        self._data[key] = (time.monotonic() + self.ttl_s, value)

    def drop(self, key: K) -> None:
        self._data.pop(key, None)


class TrytonRest:
    """The connection to one Tryton database and its settings; see the module docstring.
    `connector.TrytonConnector` builds on it."""

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
        #: customer code -> party id
        self._party_cache = TtlCache[str, int](cache_ttl_s)
        #: (party id, address code) -> address id
        self._address_cache = TtlCache[tuple[int, str], int](cache_ttl_s)
        #: part number -> (product id, sale unit id)
        self._product_cache = TtlCache[str, tuple[int, int]](cache_ttl_s)
        self._locks: dict[Any, asyncio.Lock] = {}

    async def aclose(self) -> None:
        await self._client.aclose()

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
        send_headers = {"X-Tryton-Context": b64(ctx), **(headers or {})}
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
        params: dict[str, Any] = {"d": b64(domain), "f": list(fields)}
        if order:
            params["o"] = b64(order)
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
                        params={"f": ["party"], "o": b64([["id", "ASC"]])},
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
