"""A small real HTTP ERP on 127.0.0.1 that stores sales by reference, and its connector.

`ErpStub` speaks a REST shape like Tryton's (`/<db>/rest/model/sale.sale[/<id>[/<action>]]`,
bearer key, `{"message": ...}` on a 400) through the stdlib threading HTTP server: every create
is committed before the answer is written, so a lost answer leaves a committed sale behind, as
a real ERP would. It never refuses a second sale with the same reference: counting sales per
reference on this side is how the fault tests see duplicates. Customers are `party.party`
records (a second one with the same code is refused, as Tryton does) and their addresses
`party.address` records found by party and address code; POs are `purchase.purchase` records
found by our PO number.

`StubConnector` is the `Connector` for it on `httpx.AsyncClient`, mapping transport errors,
timeouts, 5xx and 429 (with Retry-After) to TransientErpError and 4xx to PermanentErpError.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from orderdesk_tui.erp.connector import (
    AddressPayload,
    CustomerPayload,
    ErpCustomer,
    ErpItem,
    ErpOrderRef,
    ErpOrderState,
    ErpStock,
    OrderPayload,
    PermanentErpError,
    PullPage,
    PurchasePayload,
    TransientErpError,
)

DATABASE = "stub"
MODELS = f"/{DATABASE}/rest/model/"
MODEL = f"{MODELS}sale.sale"
#: The customer master models: records are plain dicts with an "id".
PARTY, ADDRESS = "party.party", "party.address"
#: Our POs, found by `description` = our PO number (as the Tryton connector does).
PURCHASE = "purchase.purchase"


@dataclass
class StubSale:
    id: int
    number: str
    reference: str
    party: str
    lines: list[dict[str, str]]
    state: str = "processing"
    write_date: str = ""
    cancel_reason: str = ""


class ErpStub:
    """The ERP: `with ErpStub(key="k") as erp: erp.url ...; erp.count_by_reference()`."""

    def __init__(
        self,
        *,
        key: str = "stub-key",
        create_latency_s: float = 0.0,
        unknown_products: frozenset[str] = frozenset(),
    ) -> None:
        self.key = key
        self.create_latency_s = create_latency_s
        self.unknown_products = unknown_products
        self.sales: list[StubSale] = []
        self.records: dict[str, list[dict[str, Any]]] = {PARTY: [], ADDRESS: [], PURCHASE: []}
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> ErpStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # one send per answer (headers and body together), no Nagle: no 40 ms stalls
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                stub._dispatch(self, "GET")

            def do_POST(self) -> None:
                stub._dispatch(self, "POST")

            def do_PUT(self) -> None:
                stub._dispatch(self, "PUT")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> ErpStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the tests count ---------------------------------------------------------------

    def count_by_reference(self) -> Counter[str]:
        with self._lock:
            return Counter(s.reference for s in self.sales)

    def find(self, model: str, **values: Any) -> list[dict[str, Any]]:
        with self._lock:
            return [
                dict(r)
                for r in self.records[model]
                if all(r.get(k) == v for k, v in values.items())
            ]

    # -- the REST side ----------------------------------------------------------------------

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"null") if length else None
        if handler.headers.get("Authorization") != f"Bearer {self.key}":
            return _send(handler, 401, {"message": "invalid application key"})
        url = urlsplit(handler.path)
        model = url.path.removeprefix(MODELS).split("/")[0]
        if model in self.records:
            self.requests[f"{method} {model}"] += 1
            return self._master(handler, method, model, url, body)
        parts = url.path.removeprefix(MODEL).strip("/").split("/")
        self.requests[f"{method} {'/'.join(p for p in parts if not p.isdigit()) or '-'}"] += 1
        try:
            if not url.path.startswith(MODEL):
                return _send(handler, 404, {"message": "no such model"})
            if method == "GET" and parts == [""]:
                reference = parse_qs(url.query).get("reference", [""])[0]
                return _send(handler, 200, self._search(reference))
            if method == "POST" and parts == [""]:
                return self._create(handler, body or {})
            sale = self._get(int(parts[0]))
            if sale is None:
                return _send(handler, 404, {"message": f"sale {parts[0]} does not exist"})
            if method == "GET" and len(parts) == 1:
                return _send(handler, 200, _record(sale))
            if method == "PUT" and len(parts) == 1:
                refused = self._unknown((body or {}).get("lines", []))
                if refused is not None:  # as a create: the change names the product
                    return _send(handler, 400, {"message": refused})
                with self._lock:
                    sale.lines = list((body or {}).get("lines", sale.lines))
                    sale.write_date = _now()
                return _send(handler, 200, _record(sale))
            if method == "POST" and parts[1:] == ["cancel"]:
                with self._lock:
                    if sale.state != "cancelled":
                        sale.state, sale.write_date = "cancelled", _now()
                        sale.cancel_reason = (body or {}).get("reason", "")
                return _send(handler, 200, _record(sale))
            return _send(handler, 404, {"message": "no such route"})
        except (BrokenPipeError, ConnectionResetError):
            return None

    def _master(
        self, handler: BaseHTTPRequestHandler, method: str, model: str, url: Any, body: Any
    ) -> None:
        """Search by query values, create (a party's code is unique), write by id."""
        record_id = url.path.removeprefix(f"{MODELS}{model}").strip("/")
        with self._lock:
            rows = self.records[model]
            if method == "GET" and not record_id:
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                found = [r for r in rows if all(str(r.get(k)) == v for k, v in query.items())]
                return _send(handler, 200, found)
            if method == "POST" and not record_id:
                if model == PARTY and any(r["code"] == body.get("code") for r in rows):
                    return _send(handler, 400, {"message": "The code of the party must be unique."})
                row = {**body, "id": len(rows) + 1}
                rows.append(row)  # committed before the answer leaves
                return _send(handler, 201, row)
            row = next((r for r in rows if str(r["id"]) == record_id), None)
            if method == "PUT" and row is not None:
                row.update(body or {})
                return _send(handler, 200, row)
        return _send(handler, 404, {"message": f"{model} {record_id or '-'}: no such record"})

    def _search(self, reference: str) -> list[dict[str, Any]]:
        with self._lock:
            return [_record(s) for s in self.sales if s.reference == reference]

    def _get(self, sale_id: int) -> StubSale | None:
        with self._lock:
            return next((s for s in self.sales if s.id == sale_id), None)

    def _unknown(self, lines: list[dict[str, Any]]) -> str | None:
        """The refusal of the first line whose product this ERP does not sell, if any."""
        for line in lines:
            if line.get("product") in self.unknown_products:
                return f'The product "{line["product"]}" is not salable.'
        return None

    def _create(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        refused = self._unknown(body.get("lines", []))
        if refused is not None:
            return _send(handler, 400, {"message": refused})
        if self.create_latency_s:
            time.sleep(self.create_latency_s)
        with self._lock:
            n = len(self.sales) + 1
            sale = StubSale(
                id=n,
                number=f"S{n:05d}",
                reference=str(body.get("reference", "")),
                party=str(body.get("party", "")),
                lines=list(body.get("lines", [])),
                write_date=_now(),
            )
            self.sales.append(sale)  # committed before the answer leaves
        return _send(handler, 201, {"id": sale.id, "number": sale.number})


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _record(sale: StubSale) -> dict[str, Any]:
    return {
        "id": sale.id,
        "number": sale.number,
        "reference": sale.reference,
        "state": sale.state,
        "write_date": sale.write_date,
    }


def _send(handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
    data = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class StubConnector:
    """The Connector for `ErpStub` (any base URL: the stub itself or a proxy in front)."""

    name = "stub"

    def __init__(self, url: str, key: str, *, timeout_s: float = 5.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=url.rstrip("/"),
            timeout=timeout_s,
            headers={"Authorization": f"Bearer {key}"},
        )

    async def _call(self, method: str, path: str, *, model: str = MODEL, **kwargs: Any) -> Any:
        try:
            response = await self._client.request(method, model + path, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientErpError(f"stub ERP timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise TransientErpError(f"stub ERP unreachable ({type(exc).__name__})") from None
        if response.status_code in (429, 503):
            retry_after = response.headers.get("Retry-After")
            raise TransientErpError(
                f"stub ERP busy (HTTP {response.status_code})",
                retry_after=float(retry_after) if retry_after else None,
            )
        if response.status_code >= 500:
            raise TransientErpError(f"stub ERP error (HTTP {response.status_code})")
        if response.status_code >= 400:
            try:
                message = response.json().get("message", "")
            except ValueError:
                message = response.text[:200]
            raise PermanentErpError(message or f"HTTP {response.status_code}")
        return response.json()

    async def find_order(self, reference: str) -> ErpOrderRef | None:
        found = await self._call("GET", "", params={"reference": reference})
        if not found:
            return None
        first = min(found, key=lambda r: r["id"])
        return ErpOrderRef(str(first["id"]), first["number"])

    @staticmethod
    def _body(order: OrderPayload) -> dict[str, Any]:
        return {
            "reference": order.number,
            "party": order.customer_code,
            "lines": [
                {
                    "product": line.part_number,
                    "quantity": str(line.quantity),
                    "unit_price": str(line.unit_price),
                }
                for line in order.lines
            ],
        }

    async def push_order(self, order: OrderPayload) -> ErpOrderRef:
        created = await self._call("POST", "", json=self._body(order))
        return ErpOrderRef(str(created["id"]), created["number"])

    async def push_change(self, ref: ErpOrderRef, order: OrderPayload) -> ErpOrderRef:
        await self._call("PUT", f"/{ref.erp_id}", json=self._body(order))
        return ref

    async def push_cancel(self, ref: ErpOrderRef, reason: str) -> None:
        await self._call("POST", f"/{ref.erp_id}/cancel", json={"reason": reason})

    async def order_state(self, ref: ErpOrderRef) -> ErpOrderState:
        record = await self._call("GET", f"/{ref.erp_id}")
        changed = datetime.fromisoformat(record["write_date"]) if record["write_date"] else None
        return ErpOrderState(ref=ref, state=record["state"], changed_at=changed)

    async def _master(self, method: str, path: str, **kwargs: Any) -> Any:
        return await self._call(method, path, model=MODELS, **kwargs)

    async def _find_party(self, code: str) -> int | None:
        found = await self._master("GET", PARTY, params={"code": code})
        return found[0]["id"] if found else None

    async def push_customer(self, customer: CustomerPayload) -> None:
        party_id = await self._find_party(customer.code)
        values: dict[str, Any] = {"active": customer.active}
        if customer.name:  # a deleted customer is only deactivated
            values.update(name=customer.name, tax_id=customer.tax_id)
        if party_id is not None:
            await self._master("PUT", f"{PARTY}/{party_id}", json=values)
        elif customer.active:
            await self._master("POST", PARTY, json={"code": customer.code, **values})

    async def push_address(self, address: AddressPayload) -> None:
        party_id = await self._find_party(address.customer.code)
        if party_id is None and not (address.active and address.customer.active):
            return
        if party_id is None:
            await self.push_customer(address.customer)
            party_id = await self._find_party(address.customer.code)
        postal = address.address
        found = await self._master("GET", ADDRESS, params={"party": party_id, "code": postal.code})
        if not found and address.previous_code:  # renamed here: the same address, new code
            query = {"party": party_id, "code": address.previous_code}
            found = await self._master("GET", ADDRESS, params=query)
        values = {
            "code": postal.code,
            "name": postal.name,
            "street": postal.street,
            "city": postal.city,
            "postal_code": postal.postal_code,
            "country": postal.country,
            "invoice": address.invoice,
            "active": address.active,
        }
        if found:
            await self._master("PUT", f"{ADDRESS}/{found[0]['id']}", json=values)
        elif address.active:
            await self._master(
                "POST", ADDRESS, json={"party": party_id, "code": postal.code, **values}
            )

    async def push_purchase(self, purchase: PurchasePayload) -> ErpOrderRef:
        found = await self._master("GET", PURCHASE, params={"description": purchase.number})
        state = (
            "cancelled"
            if purchase.cancelled
            else "confirmed"
            if purchase.confirmed
            else ("quotation")
        )
        values = {
            "description": purchase.number,
            "party": purchase.vendor_code,
            "state": state,
            "reference": purchase.vendor_reference,
            "ship_to": purchase.ship_to.code if purchase.ship_to else "",
            "lines": [[ln.part_number, str(ln.quantity)] for ln in purchase.lines],
        }
        if found:
            row = await self._master("PUT", f"{PURCHASE}/{found[0]['id']}", json=values)
        else:
            row = await self._master("POST", PURCHASE, json=values)
        return ErpOrderRef(str(row["id"]), f"P{row['id']:05d}")

    async def pull_customers(self, cursor: str | None) -> PullPage[ErpCustomer]:
        return PullPage((), cursor)

    async def pull_items(self, cursor: str | None) -> PullPage[ErpItem]:
        return PullPage((), cursor)

    async def pull_stock(self, cursor: str | None) -> PullPage[ErpStock]:
        return PullPage((), cursor)

    async def aclose(self) -> None:
        await self._client.aclose()


def as_decimal(value: str) -> Decimal:
    return Decimal(value)
