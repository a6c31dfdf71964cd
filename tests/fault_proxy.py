"""A fault-injecting HTTP proxy on 127.0.0.1, between orderdesk and an ERP, for the fault tests.

Each request that comes in is matched against the scripted faults (in order, the first that
matches and has uses left wins) and then against the random rates; what can happen to it:

- ``drop``: the connection is reset before anything is forwarded (the ERP never sees it);
- ``slow``: forwarded at once, the ERP's answer is held ``delay_s`` (longer than the client's
  timeout), then sent (by then the client has usually given up; the ERP has committed);
- ``slow_request``: held ``delay_s`` before it is forwarded (the ERP commits late, after the
  client gave up: what a retry must wait out);
- ``error``: answered ``status`` (500 by default) without forwarding;
- ``throttle``: answered 429 with ``Retry-After: <retry_after>`` without forwarding;
- ``lost``: forwarded, the ERP answers (and has committed), then the connection is reset
  instead of the answer: the lost response.

The proxy runs its own asyncio loop in a daemon thread, forwards with httpx, and is bounded:
it stops by itself after ``lifetime_s`` and refuses connections past ``max_requests``.

    with FaultProxy("http://127.0.0.1:8000", rates={"drop": 0.05, "lost": 0.05}) as proxy:
        client.get(proxy.url + "/db/rest/model/sale.sale")
        proxy.stats  # Counter of what happened
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

KINDS = ("drop", "slow", "slow_request", "error", "throttle", "lost")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "host",
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")


@dataclass
class Fault:
    kind: str
    #: Which requests it applies to (all when None).
    match: Callable[[Request], bool] | None = None
    #: How many requests it applies to.
    times: int = 1
    delay_s: float = 1.0
    status: int = 500
    retry_after: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; one of {', '.join(KINDS)}")


class FaultProxy:
    def __init__(
        self,
        target: str,
        *,
        faults: list[Fault] | None = None,
        rates: dict[str, float] | None = None,
        match: Callable[[Request], bool] | None = None,
        seed: int = 0,
        delay_s: float = 1.0,
        retry_after: float = 0.2,
        upstream_timeout_s: float = 60.0,
        lifetime_s: float = 300.0,
        max_requests: int = 100_000,
    ) -> None:
        parts = urlsplit(target)
        self.target = f"{parts.scheme}://{parts.netloc}"
        self.faults = list(faults or [])
        self.rates = dict(rates or {})
        for kind in self.rates:
            Fault(kind)  # validates the name
        self.match = match
        self.rng = random.Random(seed)
        self.delay_s = delay_s
        self.retry_after = retry_after
        self.upstream_timeout_s = upstream_timeout_s
        self.lifetime_s = lifetime_s
        self.max_requests = max_requests
        self.stats: Counter[str] = Counter()
        #: Requests by method and path (query string and ids left out).
        self.paths: Counter[str] = Counter()
        self.requests = 0
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._error: BaseException | None = None

    # -- control ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault proxy did not start")
        if self._error is not None:
            raise RuntimeError(f"fault proxy did not start: {self._error}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None and self._loop.is_running():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the server -------------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
        async with httpx.AsyncClient(
            base_url=self.target, timeout=self.upstream_timeout_s, limits=limits
        ) as upstream:
            self._upstream = upstream
            server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            self._loop.call_later(self.lifetime_s, self._stopped.set)
            async with server:
                await self._stopped.wait()
                server.close()
                for task in [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
                    task.cancel()

    def _choose(self, request: Request) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and (fault.match is None or fault.match(request)):
                    fault.times -= 1
                    return fault
            if self.rates and (self.match is None or self.match(request)):
                roll = self.rng.random()
                for kind, rate in self.rates.items():
                    if roll < rate:
                        return Fault(kind, delay_s=self.delay_s, retry_after=self.retry_after)
                    roll -= rate
        return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                with self._lock:
                    self.requests += 1
                    path = request.path.split("?")[0]
                    shape = "/".join("<id>" if p.isdigit() else p for p in path.split("/"))
                    self.paths[f"{request.method} {shape}"] += 1
                    over = self.requests > self.max_requests
                if over:
                    self.stats["refused"] += 1
                    return
                fault = self._choose(request)
                kind = fault.kind if fault else "ok"
                self.stats[kind] += 1
                if fault is not None and fault.kind == "drop":
                    writer.transport.abort()
                    return
                if fault is not None and fault.kind == "error":
                    await _respond(writer, fault.status, [], b'{"message": "injected"}')
                    return
                if fault is not None and fault.kind == "throttle":
                    headers = [("Retry-After", _seconds(fault.retry_after))]
                    await _respond(writer, 429, headers, b'{"message": "slow down"}')
                    return
                if fault is not None and fault.kind == "slow_request":
                    await asyncio.sleep(fault.delay_s)
                response = await self._forward(request)
                if response is None:
                    await _respond(writer, 502, [], b'{"message": "upstream unreachable"}')
                    return
                if fault is not None and fault.kind == "lost":
                    writer.transport.abort()
                    return
                if fault is not None and fault.kind == "slow":
                    await asyncio.sleep(fault.delay_s)
                status, headers, body = response
                await _respond(writer, status, headers, body, keep_alive=True)
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:  # the proxy is stopping
            writer.transport.abort()
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _forward(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes] | None:
        headers = [(k, v) for k, v in request.headers if k.lower() not in HOP_BY_HOP]
        try:
            answer = await self._upstream.request(
                request.method, request.path, headers=headers, content=request.body
            )
        except httpx.HTTPError:
            self.stats["upstream_error"] += 1
            return None
        out = [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in HOP_BY_HOP]
        out = [(k, v) for k, v in out if k.lower() != "content-encoding"]
        return answer.status_code, out, answer.content


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = tuple(
        (name.strip(), value.strip())
        for name, _, value in (line.partition(":") for line in lines[1:] if line)
    )
    length = int(next((v for k, v in headers if k.lower() == "content-length"), "0") or 0)
    body = await reader.readexactly(length) if length else b""
    return Request(method, path, headers, body)


async def _respond(
    writer: asyncio.StreamWriter,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    keep_alive: bool = False,
) -> None:
    reason = {200: "OK", 429: "Too Many Requests", 500: "Internal Server Error"}.get(status, "-")
    out = [f"HTTP/1.1 {status} {reason}"]
    out += [f"{k}: {v}" for k, v in headers]
    out.append(f"Content-Length: {len(body)}")
    out.append(f"Connection: {'keep-alive' if keep_alive else 'close'}")
    if not any(k.lower() == "content-type" for k, _ in headers):
        out.append("Content-Type: application/json")
    writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()
