"""Baseline for the sync engine: Tryton sales created, quoted and confirmed by direct REST calls.

    .venv/bin/python bench/erp_direct.py                       # starts its own seeded Tryton
    .venv/bin/python bench/erp_direct.py --sales 30 --concurrency 1,2,4
    ORDERDESK_ERP_URL=http://127.0.0.1:8000 ORDERDESK_ERP_DATABASE=orderdesk \
        ORDERDESK_ERP_KEY=... .venv/bin/python bench/erp_direct.py   # against a running one

Each sale is what the engine's bench pushes for a demo order: customer ACME01 with its
bill-to BT-01 and ship-to ST-01, `LINES` lines of EA items with Decimal prices, our number as
the reference; three REST calls per sale (POST sale.sale, POST .../quote, POST .../confirm) on
one shared `httpx.AsyncClient`, `N` sales in flight at once. The ids of the party, addresses,
warehouse and products are looked up once before timing (the connector caches them too).
Prints sales/s per N and per-sale p50/p95; `run_direct()` is importable so that the engine's
bench measures the baseline in the same run, on the same server.

Without ORDERDESK_ERP_URL the Tryton of tests/tryton_server.py is started on a free port with a
fresh copy of the seeded template (first run: about 1.5 min to build it), and stopped at the end.
"""

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LINES = 2
PARTS = ["HHCS-0250-20X050-ZP", "6204-ZZ", "6205", "HHCS-0250-20X100-ZP"]


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def _dec(value: Decimal) -> dict[str, str]:
    return {"__class__": "Decimal", "decimal": str(value)}


@dataclass
class Result:
    concurrency: int
    sales: int
    wall_s: float
    latencies_s: list[float]

    @property
    def sales_per_s(self) -> float:
        return self.sales / self.wall_s

    def line(self) -> str:
        lat = sorted(self.latencies_s)
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
        return (
            f"N={self.concurrency}: {self.sales} sales in {self.wall_s:5.1f} s = "
            f"{self.sales_per_s:4.2f} sales/s   per sale p50 {statistics.median(lat) * 1000:4.0f}"
            f" ms, p95 {p95 * 1000:4.0f} ms"
        )


class DirectClient:
    """Just enough REST to create and confirm sales."""

    def __init__(self, url: str, database: str, key: str, timeout_s: float = 120.0) -> None:
        self.http = httpx.AsyncClient(
            base_url=f"{url.rstrip('/')}/{database}/rest/model/",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            timeout=timeout_s,
            limits=httpx.Limits(max_connections=32),
        )
        self.context = ""

    async def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        r = await self.http.request(
            method,
            path,
            params=params or None,
            content=json.dumps(body if body is not None else {}) if method != "GET" else None,
            headers={"X-Tryton-Context": self.context} if self.context else None,
        )
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {r.status_code}: {r.text[:300]}")
        return r.json() if r.content else None

    async def search(self, model: str, domain: list[Any], fields: list[str]) -> list[Any]:
        return await self.call("GET", model, d=_b64(domain), f=fields)

    async def prepare(self) -> dict[str, Any]:
        (company,) = await self.call("GET", "company.company", f=["id"])
        self.context = _b64({"company": company["id"]})
        (party,) = await self.search("party.party", [["code", "=", "ACME01"]], ["id"])
        idents = await self.search(
            "party.identifier", [["party", "=", party["id"]]], ["code", "address"]
        )
        addresses = {i["code"]: i["address"] for i in idents}
        (warehouse,) = await self.search("stock.location", [["code", "=", "CHI"]], ["id"])
        products = await self.search(
            "product.product", [["code", "in", PARTS]], ["code", "sale_uom", "list_price_used"]
        )
        return {
            "party": party["id"],
            "invoice_address": addresses["BT-01"],
            "shipment_address": addresses["ST-01"],
            "warehouse": warehouse["id"],
            "products": sorted(products, key=lambda p: p["code"]),
        }

    async def one_sale(self, ids: dict[str, Any], reference: str, i: int) -> float:
        started = time.perf_counter()
        products = ids["products"]
        lines = []
        for n in range(LINES):
            p = products[(i + n) % len(products)]
            lines.append(
                {
                    "type": "line",
                    "sequence": n + 1,
                    "product": p["id"],
                    "unit": p["sale_uom"],
                    "quantity": _dec(Decimal(n + 1)),
                    "unit_price": p["list_price_used"],
                }
            )
        sale = await self.call(
            "POST",
            "sale.sale",
            {
                "party": ids["party"],
                "invoice_address": ids["invoice_address"],
                "shipment_address": ids["shipment_address"],
                "warehouse": ids["warehouse"],
                "reference": reference,
                "lines": [["create", lines]],
            },
        )
        await self.call("POST", f"sale.sale/{sale['id']}/quote")
        done = await self.call("POST", f"sale.sale/{sale['id']}/confirm", f=["state"])
        if done["state"] not in ("confirmed", "processing"):
            raise RuntimeError(f"sale {sale['id']} is {done['state']} after confirm")
        return time.perf_counter() - started

    async def count(self, prefix: str) -> int:
        return len(await self.search("sale.sale", [["reference", "like", prefix + "%"]], ["id"]))

    async def aclose(self) -> None:
        await self.http.aclose()


async def run_direct(
    url: str, database: str, key: str, concurrency: int, sales: int, *, warmup: int = 2
) -> Result:
    """`sales` sales with `concurrency` in flight; returns the timing (warm-up not counted)."""
    client = DirectClient(url, database, key)
    try:
        ids = await client.prepare()
        prefix = f"BENCH-{uuid.uuid4().hex[:6]}-N{concurrency}-"
        for w in range(warmup):
            await client.one_sale(ids, f"{prefix}W{w}", w)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(sales):
            queue.put_nowait(i)
        latencies: list[float] = []

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                latencies.append(await client.one_sale(ids, f"{prefix}{i:05d}", i))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
        made = await client.count(prefix) - warmup
        if made != sales:
            raise RuntimeError(f"expected {sales} sales with prefix {prefix}, Tryton has {made}")
        return Result(concurrency, sales, wall, latencies)
    finally:
        await client.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=20, help="sales per concurrency level")
    parser.add_argument("--concurrency", default="1,2,4", help="comma separated N values")
    args = parser.parse_args()
    levels = [int(n) for n in args.concurrency.split(",")]

    server = None
    url = os.environ.get("ORDERDESK_ERP_URL")
    if url:
        database = os.environ.get("ORDERDESK_ERP_DATABASE", "orderdesk")
        key = os.environ["ORDERDESK_ERP_KEY"]
    else:
        from tests.tryton_server import start_server

        server = start_server(Path(tempfile.mkdtemp(prefix="erp-direct-")))
        url, database, key = server.url, server.database, server.key
    try:
        print(f"Tryton at {url} (db {database}): create + quote + confirm, {LINES} lines a sale")
        for n in levels:
            print(asyncio.run(run_direct(url, database, key, n, args.sales)).line(), flush=True)
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
