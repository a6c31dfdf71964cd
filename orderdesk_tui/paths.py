"""Where orderdesk keeps its files, and where the bundled resources live.

The config dir holds `config.toml` and the user's `bindings.toml`; the data dir holds the default
SQLite store; the log dir holds `orderdesk.log`. `ORDERDESK_CONFIG_DIR` / `ORDERDESK_DATA_DIR` /
`ORDERDESK_LOG_DIR` move them (tests and kiosks use this).
Bundled resources (default `bindings.toml`, `data/`) sit at the repository root in a checkout and
under `orderdesk_tui/_bundled/` in an installed wheel.
"""

import os
from pathlib import Path

import platformdirs

APP_NAME = "orderdesk"
_PACKAGE_DIR = Path(__file__).resolve().parent


def config_dir() -> Path:
    return Path(os.environ.get("ORDERDESK_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return Path(os.environ.get("ORDERDESK_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def log_dir() -> Path:
    return Path(os.environ.get("ORDERDESK_LOG_DIR") or platformdirs.user_log_dir(APP_NAME))


def default_store_path() -> Path:
    return data_dir() / "orderdesk.sqlite3"


def bundled(name: str) -> Path:
    """Path of a bundled resource (`bindings.toml`, `data/...`), installed or in a checkout."""
    installed = _PACKAGE_DIR / "_bundled" / name
    if installed.exists():
        return installed
    return _PACKAGE_DIR.parent / name
