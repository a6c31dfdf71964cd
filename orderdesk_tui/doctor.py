"""`orderdesk doctor`: what is in force and whether it works, one line a check.

Checks: the config, the store (URL, schema revision against the code's, a SQLite file's mode),
the keymap, the ERP, the mail settings, and where the log file is. Every line is masked (URL
passwords, the ERP key, the mail password), and the store is opened read-only: inspecting it
changes nothing, not even its journal mode.
"""

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from orderdesk_tui.config import MAIL_PASSWORD_VARIABLE, Settings, config_path, load_settings
from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.keymap.loading import load_keymap
from orderdesk_tui.logfile import log_path
from orderdesk_tui.masking import mask
from orderdesk_tui.paths import bundled, config_dir
from orderdesk_tui.startup import store_target
from orderdesk_tui.store import Store, resolve_url


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    text: str

    def __str__(self) -> str:
        return mask(f"{'ok  ' if self.ok else 'FAIL'} {self.name:<7} {self.text}")


def check_config() -> tuple[Check, Settings | None]:
    path = config_path()
    try:
        settings = load_settings(path)
    except OrderdeskError as exc:
        return Check("config", False, str(exc)), None
    where = str(path) if path.exists() else f"{path} (absent: defaults and ORDERDESK_* in force)"
    return Check("config", True, where), settings


def settings_in_force(settings: Settings) -> list[Check]:
    """Each settings section as one line; secrets only say whether they are set."""
    checks = []
    for section, values in settings.model_dump().items():
        shown = []
        for key, value in values.items():
            if isinstance(value, SecretStr):
                value = "set" if value.get_secret_value() else "not set"
            elif value in ("", None):
                value = "(default)" if key == "url" and section == "store" else "-"
            elif isinstance(value, list):
                value = ",".join(str(v) for v in value)
            shown.append(f"{key}={value}")
        checks.append(Check("setting", True, f"[{section}] " + " ".join(shown)))
    return checks


def check_store(cli_db: str | None, settings: Settings) -> Check:
    try:
        # a check must not create the store (or its directory) it looks at, nor change it
        store = Store(resolve_url(store_target(cli_db, settings)), read_only=True)
    except OrderdeskError as exc:
        return Check("store", False, str(exc))
    try:
        store.ping()
        current = store.check_not_newer()
        head = store.head_revision()
    except OrderdeskError as exc:
        return Check("store", False, str(exc))
    finally:
        store.dispose()
    if current is None:
        return Check("store", False, f"{store.display_url}: empty; run `orderdesk db upgrade`")
    if current != head:
        return Check(
            "store",
            False,
            f"{store.display_url}: schema {current}, code expects {head}; "
            "run `orderdesk db upgrade` (the app also upgrades on start)",
        )
    return Check("store", True, f"{store.display_url} schema {current} (current)")


def check_store_mode(cli_db: str | None, settings: Settings) -> Check | None:
    """A SQLite store holds PIN and password hashes: only its owner may read it or its dir."""
    url = make_url(resolve_url(store_target(cli_db, settings)))
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    path = Path(url.database)
    if not path.is_file():
        return None  # the store check says why
    wide = [
        f"{p} is {stat.S_IMODE(p.stat().st_mode):o}"
        for p, most in (
            (path.parent, 0o700),
            *((path.with_name(path.name + s), 0o600) for s in ("", "-wal", "-shm")),
        )
        if p.exists() and stat.S_IMODE(p.stat().st_mode) & ~most
    ]
    if not wide:
        return Check("perms", True, f"{path} and its directory are readable by their owner only")
    return Check(
        "perms",
        False,
        f"{'; '.join(wide)}: others can read the PIN and password hashes; "
        f"chmod 700 {path.parent} and chmod 600 {path}*",
    )


def check_keymap() -> list[Check]:
    user_file = config_dir() / "bindings.toml"
    try:
        keymap = load_keymap(bundled("bindings.toml"), user_file)
    except OrderdeskError as exc:
        return [Check("keymap", False, str(exc))]
    if not keymap.problems:
        source = str(user_file) if user_file.exists() else f"defaults ({user_file} absent)"
        return [Check("keymap", True, f"{source}: no problems")]
    return [Check("keymap", p.severity != "error", str(p)) for p in keymap.problems]


def check_erp(settings: Settings) -> Check:
    erp = settings.erp
    if not erp.configured:
        return Check("erp", True, "not configured: orders wait in the outbox (offline mode)")
    try:
        response = httpx.get(erp.url, timeout=min(erp.timeout_s, 5.0), follow_redirects=True)
    except httpx.HTTPError as exc:
        return Check("erp", False, f"{erp.kind} at {erp.url} unreachable: {type(exc).__name__}")
    if response.status_code >= 500:
        return Check("erp", False, f"{erp.kind} at {erp.url} answers {response.status_code}")
    key = "set" if erp.key.get_secret_value() else "NOT set"
    return Check(
        "erp",
        True,
        f"{erp.kind} at {erp.url} reachable (HTTP {response.status_code}), "
        f"database '{erp.database}', key {key}",
    )


def check_mail(settings: Settings) -> Check:
    """What mail would do; the password only says whether its variable is set (no connection:
    a server's refusal shows on the queue item of the mail it refused)."""
    mail = settings.mail
    if not mail.configured:
        return Check("mail", True, "not configured: acknowledgements are not mailed")
    login = "no login"
    if mail.user:
        password = "set" if os.environ.get(MAIL_PASSWORD_VARIABLE) else "NOT set"
        login = f"login {mail.user}, password ({MAIL_PASSWORD_VARIABLE}) {password}"
    ok = not mail.user or bool(os.environ.get(MAIL_PASSWORD_VARIABLE))
    return Check(
        "mail", ok, f"{mail.host}:{mail.port} {mail.security}, from {mail.from_address}, {login}"
    )


def run_doctor(cli_db: str | None) -> list[Check]:
    config_check, settings = check_config()
    checks = [config_check]
    if settings is None:
        settings = Settings()
    else:
        checks.extend(settings_in_force(settings))
    checks.append(check_store(cli_db, settings))
    if (mode := check_store_mode(cli_db, settings)) is not None:
        checks.append(mode)
    checks.extend(check_keymap())
    checks.append(check_erp(settings))
    checks.append(check_mail(settings))
    checks.append(Check("log", True, f"{log_path()} (tracebacks of unexpected errors)"))
    return checks


def doctor_exit_code(checks: list[Check]) -> int:
    return 0 if all(c.ok for c in checks) else 1
