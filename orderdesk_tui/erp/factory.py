"""The ERP connector and sync engine for the configured ERP, or None when there is none.

Connectors are imported only here, and lazily, so that the desk starts without httpx clients
or ERP modules loaded, and a later connector (Business Central, NetSuite, ...) is one more
branch, not a change to the engine.
"""

from typing import Any

from orderdesk_tui.config import ErpSettings, Settings
from orderdesk_tui.erp.connector import Connector
from orderdesk_tui.erp.sync.engine import SyncEngine
from orderdesk_tui.store import Store


def _erp(settings: Settings | ErpSettings) -> ErpSettings:
    return settings.erp if isinstance(settings, Settings) else settings


def connector_from_settings(settings: Settings | ErpSettings) -> Connector | None:
    """A connector for `[erp]` (config or ORDERDESK_ERP_*), None when no ERP is configured."""
    erp = _erp(settings)
    if not erp.configured:
        return None
    if erp.kind == "tryton":
        from orderdesk_tui.erp.tryton.connector import TrytonConnector

        return TrytonConnector(erp)
    raise ValueError(f"ERP kind '{erp.kind}' has no connector")  # config validation stops it


def engine_options(settings: Settings | ErpSettings) -> dict[str, Any]:
    """SyncEngine keyword arguments that follow from the ERP settings.

    A create that timed out may still commit: a retry waits at least one request timeout
    before it looks again (`settle_s`); a lease outlasts a whole push (several requests).
    Settings the config does not have yet fall back to the engine's defaults.
    """
    erp = _erp(settings)
    options: dict[str, Any] = {
        "settle_s": erp.timeout_s,
        "lease_s": max(300.0, 20 * erp.timeout_s),
    }
    for name in ("concurrency", "poll_interval_s", "pull_interval_s"):
        value = getattr(erp, name, None)
        if value is not None:
            options[name] = value
    return options


def engine_from_settings(
    store: Store, settings: Settings | ErpSettings, connector: Connector, **overrides: Any
) -> SyncEngine:
    """A SyncEngine on `store` and `connector`, tuned from the settings."""
    return SyncEngine(store, connector, **{**engine_options(settings), **overrides})
