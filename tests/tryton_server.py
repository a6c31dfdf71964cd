"""A real Tryton 8.2 on loopback, seeded to match the demo data: for the tests and by hand.

Everything lives in the project's ignored cache folder `.cache/tryton/`:

- `venv/`: trytond 8.2 with the sale, stock, sale_amendment and purchase modules (and their
  dependencies: account, account_invoice, company, country, currency, party, product,
  sale_history) plus
  proteus for the seed script; made once, re-made when the requirement list changes.
- `template-<key>/orderdesk.sqlite`: a database initialised with those modules and seeded by
  `tests/tryton_seed.py` from `data/demo/*.csv`; the key hashes the requirements, the modules,
  the seed script and the demo files, so a change to any of them builds a new template.
- each server gets a fresh copy of the template in its own work folder, is started with
  `trytond -d orderdesk` on a free port of 127.0.0.1 and gets a new REST application key.

First run (install + init + seed) takes one to two minutes; later runs a few seconds. Any step
that fails raises `TrytonSetupError` with the tail of that step's log.

By hand (serves until Ctrl+C and prints the ORDERDESK_ERP_* settings to use):

    .venv/bin/python -m tests.tryton_server --serve [--port 8000]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("ORDERDESK_TRYTON_CACHE", ROOT / ".cache" / "tryton"))
VENV = CACHE / "venv"
SEED_SCRIPT = Path(__file__).with_name("tryton_seed.py")
DEMO = ROOT / "data" / "demo"
DEMO_FILES = ("customers.csv", "addresses.csv", "contacts.csv", "items.csv", "stock.csv")
DEMO_FILES += ("warehouses.csv",)
REQUIREMENTS = (
    "trytond>=8.2,<8.3",
    "trytond-sale>=8.2,<8.3",
    "trytond-stock>=8.2,<8.3",
    "trytond-sale-amendment>=8.2,<8.3",
    "trytond-purchase>=8.2,<8.3",
    "proteus>=8.2,<8.3",
)
MODULES = ("sale", "stock", "sale_amendment", "purchase")
DATABASE = "orderdesk"
ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin"
START_TIMEOUT_S = 90.0


class TrytonSetupError(RuntimeError):
    """The Tryton test server could not be installed, initialised, seeded or started."""


def _log(message: str) -> None:
    print(f"[tryton] {message}", file=sys.stderr, flush=True)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _run(cmd: list[str], log: Path, what: str, env: dict[str, str] | None = None) -> None:
    with log.open("ab") as out:
        rc = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=CACHE)
    if rc != 0:
        raise TrytonSetupError(f"{what} failed (exit {rc}); last lines of {log}:\n{_tail(log)}")


@contextlib.contextmanager
def _cache_lock() -> Iterator[None]:
    """One builder at a time (two xdist workers or pytest runs, or a test run and `--serve`)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
        h.update(b"\0")
    return h.hexdigest()[:12]


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv() -> Path:
    """The Tryton venv, installed if missing or made for another requirement list."""
    stamp = VENV / f".requirements-{_digest(*(r.encode() for r in REQUIREMENTS))}"
    if stamp.exists():
        return VENV
    started = time.monotonic()
    CACHE.mkdir(parents=True, exist_ok=True)
    log = CACHE / "install.log"
    log.write_text("")
    if VENV.exists():
        shutil.rmtree(VENV)
    _log(f"creating {VENV} with {' '.join(REQUIREMENTS)} (once)")
    _run([sys.executable, "-m", "venv", str(VENV)], log, "python -m venv")
    pip = [str(venv_python()), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    _run([*pip, *REQUIREMENTS], log, "pip install trytond")
    stamp.touch()
    _log(f"venv ready in {time.monotonic() - started:.0f} s")
    return VENV


def template_key() -> str:
    parts = [*(r.encode() for r in REQUIREMENTS), " ".join(MODULES).encode()]
    parts.append(SEED_SCRIPT.read_bytes())
    parts.extend((DEMO / name).read_bytes() for name in DEMO_FILES)
    return _digest(*parts)


def _write_config(workdir: Path, port: int | None = None) -> Path:
    conf = workdir / "trytond.conf"
    lines = [
        "[database]",
        "uri = sqlite://",
        f"path = {workdir / 'db'}",
        "list = False",
        "",
        "[session]",
        "max_attempt = 50",
    ]
    if port:
        lines += ["", "[web]", f"listen = 127.0.0.1:{port}"]
    conf.write_text("\n".join(lines) + "\n")
    return conf


def _checkpoint(db_file: Path) -> None:
    """Fold the WAL into the main file so a plain copy of it is complete."""
    with contextlib.closing(sqlite3.connect(db_file)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def ensure_template() -> Path:
    """The seeded template database file, built once per template key."""
    with _cache_lock():
        ensure_venv()
        key = template_key()
        target = CACHE / f"template-{key}" / f"{DATABASE}.sqlite"
        if target.exists():
            return target
        started = time.monotonic()
        for old in CACHE.glob("template-*"):
            shutil.rmtree(old, ignore_errors=True)
        build = Path(tempfile.mkdtemp(prefix="build-", dir=CACHE))
        try:
            (build / "db").mkdir()
            db_file = build / "db" / f"{DATABASE}.sqlite"
            db_file.touch()  # the SQLite backend wants the file to exist
            conf = _write_config(build)
            (build / "admin.pass").write_text(ADMIN_PASSWORD + "\n")
            env = {**os.environ, "TRYTONPASSFILE": str(build / "admin.pass")}
            log = CACHE / "build.log"
            log.write_text("")
            _log(f"initialising a template database with {' '.join(MODULES)} (once)")
            admin = [str(VENV / "bin" / "trytond-admin"), "-c", str(conf), "-d", DATABASE]
            admin += ["--email", "admin@example.com", "--activate-dependencies", "-u", *MODULES]
            _run(admin, log, "trytond-admin init", env=env)
            _log(f"initialised in {time.monotonic() - started:.0f} s; seeding the demo data")
            seed = [str(venv_python()), str(SEED_SCRIPT), "--config", str(conf)]
            seed += ["--database", DATABASE, "--demo", str(DEMO), "--out", str(build / "seed.json")]
            _run(seed, log, "tests/tryton_seed.py", env=env)
            _checkpoint(db_file)
            target.parent.mkdir(parents=True)
            shutil.copy(build / "seed.json", target.parent / "seed.json")
            shutil.copy(db_file, target.with_suffix(".tmp"))
            target.with_suffix(".tmp").rename(target)
        finally:
            shutil.rmtree(build, ignore_errors=True)
        _log(f"template ready in {time.monotonic() - started:.0f} s: {target}")
        return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@dataclass
class TrytonServer:
    """A running trytond with a fresh copy of the seeded database."""

    url: str  # http://127.0.0.1:<port>
    database: str
    key: str = field(repr=False)
    company: int
    warehouses: dict[str, int]
    workdir: Path
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def rest(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One REST call with the application key and the company in the context."""
        headers = {
            "Authorization": f"Bearer {self.key}",
            "X-Tryton-Context": _b64({"company": self.company}),
            **kwargs.pop("headers", {}),
        }
        url = f"{self.url}/{self.database}/rest/{path.lstrip('/')}"
        return httpx.request(method, url, headers=headers, timeout=60, **kwargs)

    def search(self, model: str, domain: list, fields: list[str]) -> list[dict[str, Any]]:
        r = self.rest("GET", f"model/{model}", params={"d": _b64(domain), "f": fields})
        r.raise_for_status()
        return r.json()

    def sales(self, reference_prefix: str) -> list[dict[str, Any]]:
        """Sales whose reference starts with the prefix (any state), oldest first."""
        domain = [["reference", "like", reference_prefix + "%"]]
        rows = self.search("sale.sale", domain, ["reference", "number", "state"])
        return sorted(rows, key=lambda r: r["id"])

    def count_sales(self, reference_prefix: str, *, include_cancelled: bool = True) -> int:
        rows = self.sales(reference_prefix)
        if not include_cancelled:
            rows = [r for r in rows if r["state"] != "cancelled"]
        return len(rows)

    def alive(self) -> bool:
        return self.process is None or self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def _rpc(client: httpx.Client, path: str, method: str, params: list[Any]) -> Any:
    r = client.post(path, json={"id": 1, "method": method, "params": params})
    r.raise_for_status()
    data = r.json()
    if data.get("error"):
        raise TrytonSetupError(f"{method}: {data['error']}")
    return data["result"]


def _create_key(url: str, database: str) -> str:
    """Log in as admin over JSON-RPC and create a validated REST application key."""
    with httpx.Client(base_url=url, timeout=60) as client:
        path = f"/{database}/rpc/"
        uid, session = _rpc(
            client, path, "common.db.login", [ADMIN_LOGIN, {"password": ADMIN_PASSWORD}, "en"]
        )[:2]
        token = base64.b64encode(f"{ADMIN_LOGIN}:{uid}:{session}".encode()).decode()
        client.headers["Authorization"] = f"Session {token}"
        ctx = _rpc(client, path, "model.res.user.get_preferences", [True, {}])
        (app_id,) = _rpc(
            client,
            path,
            "model.res.user.application.create",
            [[{"user": uid, "application": "rest"}], ctx],
        )
        (row,) = _rpc(
            client, path, "model.res.user.application.read", [[app_id], ["key", "state"], ctx]
        )
        _rpc(client, path, "common.db.logout", [])
        if row["state"] != "validated":
            raise TrytonSetupError(f"the new application key is {row['state']}, not validated")
        return row["key"]


def _wait_listening(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    body = {"id": 0, "method": "common.server.version", "params": []}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise TrytonSetupError(
                f"trytond exited with code {process.returncode} while starting; "
                f"last lines of {log}:\n{_tail(log)}"
            )
        try:
            if httpx.post(f"{url}/rpc/", json=body, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TrytonSetupError(
        f"trytond did not answer on {url} within {START_TIMEOUT_S:.0f} s; "
        f"last lines of {log}:\n{_tail(log)}"
    )


def start_server(workdir: Path, *, port: int | None = None, fresh: bool = True) -> TrytonServer:
    """Copy the template into `workdir` (unless `fresh` is false and a copy is there), start
    trytond on `port` (a free one if None), wait for it and create an application key."""
    started = time.monotonic()
    template = ensure_template()
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "db").mkdir(exist_ok=True)
    db_file = workdir / "db" / f"{DATABASE}.sqlite"
    if fresh or not db_file.exists():
        for stale in workdir.glob(f"db/{DATABASE}.sqlite*"):
            stale.unlink()
        shutil.copy(template, db_file)
    seed = json.loads((template.parent / "seed.json").read_text())
    last_error: TrytonSetupError | None = None
    for _attempt in range(3):
        chosen = port or free_port()
        conf = _write_config(workdir, chosen)
        log = workdir / "trytond.log"
        url = f"http://127.0.0.1:{chosen}"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [str(VENV / "bin" / "trytond"), "-c", str(conf), "-d", DATABASE],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=workdir,
                start_new_session=True,
            )
        server = TrytonServer(
            url=url,
            database=DATABASE,
            key="",
            company=seed["company"],
            warehouses=seed["warehouses"],
            workdir=workdir,
            log_path=log,
            process=process,
        )
        try:
            _wait_listening(url, process, log)
            server.key = _create_key(url, DATABASE)
        except (TrytonSetupError, httpx.HTTPError) as exc:
            server.stop()
            last_error = exc if isinstance(exc, TrytonSetupError) else TrytonSetupError(str(exc))
            if port is None and "Address already in use" in _tail(log):
                continue  # someone took the free port in between: try another
            raise last_error from None
        _log(f"trytond up on {url} (db {DATABASE}) in {time.monotonic() - started:.1f} s")
        return server
    assert last_error is not None
    raise last_error


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Start a local Tryton 8.2 seeded to match orderdesk's demo data."
    )
    parser.add_argument("--serve", action="store_true", help="start it and serve until Ctrl+C")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--dir", type=Path, default=CACHE / "serve", help="work folder")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database from the last --serve run"
    )
    args = parser.parse_args(argv)
    if not args.serve:
        ensure_template()
        print(f"template ready in {CACHE}; add --serve to start a server")
        return 0
    signal.signal(signal.SIGTERM, _interrupt)  # stop trytond on a plain `kill` too
    server = start_server(args.dir, port=args.port, fresh=not args.keep)
    print(
        "Tryton is running. Point orderdesk at it with:\n\n"
        f"  export ORDERDESK_ERP_URL={server.url}\n"
        f"  export ORDERDESK_ERP_DATABASE={server.database}\n"
        f"  export ORDERDESK_ERP_KEY={server.key}\n\n"
        f"Log: {server.log_path}. Ctrl+C stops it.",
        flush=True,
    )
    try:
        while server.alive():
            time.sleep(0.5)
        print(f"trytond exited; last lines of {server.log_path}:\n{_tail(server.log_path)}")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
