"""`orderdesk wallboard --serve`: the wallboard in browsers (textual-serve), guarded.

- Any address that is not loopback needs a token: `[wallboard] token`, or a random one made at
  start and printed with the URL to open (`http://host:port/?token=...`). The page and the
  websocket both check it before a board starts; a loopback address needs none unless set.
- At most `[wallboard] max_viewers` browsers watch at once; one more is refused (HTTP 503)
  before anything starts.
- textual-serve runs one app process per browser (its AppService is one subprocess per
  websocket, fed that browser's size and keys) and has no way to send one app's screen to
  several browsers, so boards cannot share a process or a read of the store. The cap bounds
  what that costs, and each board is `exec`ed so that it is one process, not a shell and a
  Python.
"""

import hmac
import ipaddress
import logging
import os
import secrets
import shlex
import socket
import sys
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

from orderdesk_tui.config import Settings
from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.masking import register_secret


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(host: str, port: int) -> None:
    """Refuse, in one line, an address this machine cannot listen on (`256.1.1.1`)."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OrderdeskError(
            f"wallboard --host {host}: not an address to listen on ({reason})"
        ) from None


class WallboardServer(Server):
    """textual-serve's server with a token check and a viewer cap in front of each board."""

    def __init__(
        self, command: str, *, host: str, port: int, token: str | None, max_viewers: int
    ) -> None:
        super().__init__(command, host=host, port=port, title="orderdesk wallboard")
        self.token = token
        self.max_viewers = max_viewers
        self.viewers = 0

    def initialize_logging(self) -> None:
        """textual-serve's own logging prints tracebacks with locals on the console; its
        records go to our log file instead (secrets masked there)."""
        logging.getLogger("textual-serve").setLevel(logging.INFO)

    def _check_token(self, request: web.Request) -> None:
        if self.token is None:
            return
        given = request.match_info.get("token") or request.query.get("token", "")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise web.HTTPUnauthorized(
                text="orderdesk wallboard: open the URL with ?token=... as printed at start\n"
            )

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        # textual.js adds "?width=..&height=.." to the websocket URL: the token goes in the path
        app.router.add_get("/ws/{token}", self.handle_websocket)
        return app

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """textual-serve's page, with URLs from the address the browser used (not 0.0.0.0)."""
        self._check_token(request)
        base = f"{request.scheme}://{request.host}"
        socket_url = f"{'wss' if request.scheme == 'https' else 'ws'}://{request.host}/ws"
        if self.token is not None:
            socket_url += f"/{self.token}"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": socket_url,
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        self._check_token(request)
        if self.viewers >= self.max_viewers:
            raise web.HTTPServiceUnavailable(
                text=f"orderdesk wallboard: {self.max_viewers} viewers already (max_viewers)\n"
            )
        self.viewers += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.viewers -= 1

    async def on_startup(self, app: web.Application) -> None:
        query = f"?token={self.token}" if self.token is not None else ""
        print(
            f"orderdesk wallboard: open http://{self.host}:{self.port}/{query} "
            f"(at most {self.max_viewers} viewers; Ctrl+C stops)",
            flush=True,
        )


def serve(store_url: str, settings: Settings, *, host: str, port: int, rotate: float) -> int:
    """Serve boards until Ctrl+C; each is `orderdesk wallboard` on the same store."""
    token = settings.wallboard.token.get_secret_value() or None
    if token is None and not is_loopback(host):
        token = secrets.token_urlsafe(16)
    register_secret(token)
    # the store URL goes to each board through the environment, not the process list
    os.environ["ORDERDESK_DB"] = store_url
    command = [sys.executable, "-m", "orderdesk_tui.cli", "wallboard", "--rotate", str(rotate)]
    server = WallboardServer(
        "exec " + shlex.join(command),
        host=host,
        port=port,
        token=token,
        max_viewers=settings.wallboard.max_viewers,
    )
    try:
        server.serve()
    except OSError as exc:
        raise OrderdeskError(
            f"wallboard --serve: cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None
    return 0
