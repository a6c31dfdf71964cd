"""`orderdesk sync pull|push|status|retry|run`: the sync engine from the command line.

- `status`: outbox counts, last success and last error, the failed entries one a line, and
  how to retry them (reads the store only; works with no ERP configured).
- `retry ORDER` / `retry --customer CODE`: the failed entries back to pending (store only, so
  it works offline too); exit 0 when something was re-queued, 1 when nothing had failed, 2 for
  an unknown order or customer.
- `push` / `pull`: one pass; a summary line, then every failure on its own line (stderr);
  exit 0 when everything went, 1 when something failed or waits for a retry.
- `run`: push and pull until Ctrl+C or SIGTERM; one line whenever the counts change.

Every ERP or store failure ends as one line, and neither the ERP key nor a URL's password is
printed: messages pass through `redact` whatever their origin.
"""

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from datetime import datetime
from typing import Any

from sqlalchemy import and_
from sqlmodel import col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.erp.connector import ErpError
from orderdesk_tui.erp.factory import connector_from_settings, engine_from_settings
from orderdesk_tui.erp.sync.engine import SyncEngine
from orderdesk_tui.erp.sync.outbox import CUSTOMERS, FAILED, ORDERS
from orderdesk_tui.erp.sync.status import SyncStatus, read_status
from orderdesk_tui.errors import OrderdeskError, RuleViolation
from orderdesk_tui.keymap.loading import load_keymap
from orderdesk_tui.masking import mask, register_secret
from orderdesk_tui.models import SalesOrder, SyncOutbox
from orderdesk_tui.paths import bundled, config_dir
from orderdesk_tui.services.erp_retry import NothingFailed, retry_customer, retry_order_number
from orderdesk_tui.signin import acting_user
from orderdesk_tui.store import Store

EXIT_OK, EXIT_INCOMPLETE, EXIT_PROBLEM = 0, 1, 2
#: Failed entries listed by `status` (the rest are counted).
FAILED_SHOWN = 20


def redact(text: str, settings: Settings) -> str:
    """`text` with the ERP key and any URL password masked, one line."""
    register_secret(settings.erp.key.get_secret_value())
    return " ".join(mask(text).split())


def _say(text: str, settings: Settings, *, err: bool = False) -> None:
    print(redact(text, settings), file=sys.stderr if err else sys.stdout, flush=True)


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "never"


def _status_lines(store: Store, status: SyncStatus) -> list[str]:
    lines = [
        f"outbox: {status.pending} pending, {status.failed} failed, {status.done_today} done today",
        f"last success: {_when(status.last_success_at)}",
        f"last pull: {_when(status.last_pull_at)}",
    ]
    if status.last_error:
        lines.append(f"last error ({_when(status.last_error_at)}): {status.last_error}")
    if status.failed:
        with store.session() as session:
            rows = session.exec(
                select(SyncOutbox, SalesOrder.number)
                .join(
                    SalesOrder,
                    and_(
                        col(SalesOrder.id) == SyncOutbox.entity_id, col(SyncOutbox.entity) == ORDERS
                    ),
                    isouter=True,
                )
                .where(SyncOutbox.state == FAILED)
                .order_by(col(SyncOutbox.id))
                .limit(FAILED_SHOWN)
            ).all()
        for entry, number in rows:
            lines.append(f"failed: {_entry_label(entry, number)}: {entry.last_error}")
        if status.failed > len(rows):
            lines.append(f"... and {status.failed - len(rows)} more failed")
        lines.append(
            "once fixed, send them again: orderdesk sync retry ORDER (or --customer CODE);"
            f" {_retry_key()} in the order view does the same"
        )
    return lines


def _retry_key() -> str:
    """The order view's retry key as this user has it (the default if their bindings.toml
    cannot be read: `doctor` reports that)."""
    try:
        keymap = load_keymap(bundled("bindings.toml"), config_dir() / "bindings.toml")
    except OrderdeskError:
        keymap = load_keymap(bundled("bindings.toml"), None)
    return keymap.key_display("order.erp_retry")


def _entry_label(entry: SyncOutbox, number: str | None) -> str:
    """`SO0001234 push_order`, `customer ACME01 push_address ST-01`."""
    if number:
        return f"{number} {entry.operation}"
    payload = json.loads(entry.payload or "{}")
    if entry.entity == CUSTOMERS and payload.get("code"):
        address = f" {payload['address']}" if payload.get("address") else ""
        return f"customer {payload['code']} {entry.operation}{address}"
    return f"{entry.entity_id} {entry.operation}"


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    """Run `orderdesk sync <action>`; returns the exit code."""
    from orderdesk_tui.startup import open_for_use

    create = getattr(args, "create", False)
    store = open_for_use(args.db, settings, demo_on_first_run=False, create=create).store
    try:
        if args.sync_command == "status":
            for line in _status_lines(store, read_status(store)):
                _say(line, settings)
            erp = settings.erp
            where = (
                f"{erp.kind} at {erp.url}, database '{erp.database}'"
                if erp.configured
                else "not configured (offline: orders wait in the outbox)"
            )
            _say(f"erp: {where}", settings)
            return EXIT_OK
        if args.sync_command == "retry":
            return _retry(args, store, settings)
        try:
            connector = connector_from_settings(settings)
        except ErpError as exc:
            _say(f"orderdesk: ERP: {exc}", settings, err=True)
            return EXIT_PROBLEM
        if connector is None:
            pending = read_status(store).pending
            _say(
                "orderdesk: no ERP configured (set [erp] url, database and key in config.toml "
                f"or ORDERDESK_ERP_URL/_DATABASE/_KEY); {pending} outbox entries wait",
                settings,
                err=True,
            )
            return EXIT_PROBLEM
        overrides: dict[str, Any] = {}
        if getattr(args, "interval", None):
            overrides["poll_interval_s"] = args.interval
        engine = engine_from_settings(store, settings, connector, **overrides)
        return asyncio.run(_run_action(args.sync_command, engine, store, settings))
    finally:
        store.dispose()


def _retry(args: argparse.Namespace, store: Store, settings: Settings) -> int:
    """`sync retry`: what was re-queued with the ERP's earlier message, or why nothing was."""
    actor = acting_user(getattr(args, "user", None), settings, store)
    try:
        if args.customer:
            retried = retry_customer(store, args.customer, actor=actor)
        else:
            retried = retry_order_number(store, args.number, actor=actor)
    except NothingFailed as exc:
        _say(f"orderdesk: {exc}", settings, err=True)
        return EXIT_INCOMPLETE
    except RuleViolation as exc:
        _say(f"orderdesk: {exc}", settings, err=True)
        return EXIT_PROBLEM
    _say(f"retry: {retried.summary}", settings)
    for entry in retried.entries:
        _say(f"re-queued: {entry.operation} (the ERP said: {entry.error})", settings)
    _say("the next sync pass sends them: orderdesk sync push, or the app's sync", settings)
    return EXIT_OK


async def _run_action(action: str, engine: SyncEngine, store: Store, settings: Settings) -> int:
    try:
        if action == "push":
            report = await engine.push_once()
            _say(f"push: {report}; {read_status(store).pending} pending", settings)
            for error in report.errors:
                _say(f"push: {error}", settings, err=True)
            return EXIT_INCOMPLETE if report.errors else EXIT_OK
        if action == "pull":
            pulled = await engine.pull_once()
            _say(f"pull: {pulled}", settings)
            for error in pulled.errors:
                _say(error, settings, err=True)
            return EXIT_INCOMPLETE if pulled.errors else EXIT_OK
        return await _run_until_stopped(engine, settings)
    except ErpError as exc:
        _say(f"orderdesk: ERP: {exc}", settings, err=True)
        return EXIT_PROBLEM
    finally:
        with contextlib.suppress(Exception):
            await engine.connector.aclose()


async def _run_until_stopped(engine: SyncEngine, settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    last: tuple[Any, ...] | None = None

    def on_cycle(status: SyncStatus) -> None:
        nonlocal last
        shown = (status.pending, status.failed, status.done_today, status.erp_state)
        if shown != last:
            last = shown
            line = (
                f"{datetime.now():%H:%M:%S} ERP {status.erp_state}: {status.pending} pending, "
                f"{status.failed} failed, {status.done_today} done today"
            )
            if status.erp_state in {"unreachable", "error"} and status.last_error:
                line += f"; {status.last_error}"
            _say(line, settings)

    _say(
        f"sync: running against {settings.erp.kind} at {settings.erp.url}; Ctrl+C stops",
        settings,
    )
    try:
        await engine.run(stop, on_cycle=on_cycle)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
    _say("sync: stopped", settings)
    return EXIT_OK
