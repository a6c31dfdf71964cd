"""Settings: `config.toml` in the config dir, then `ORDERDESK_*` variables, validated by pydantic.

Unknown keys are refused with a "did you mean" hint, and a bad value names its key, so a typo in
the file never silently falls back to a default. The file is read strictly (`true` is not a
number, `"5"` is not an integer); environment values are text and are converted. An
`ORDERDESK_*` variable that is neither a setting nor one of `OTHER_VARIABLES` is refused too.
"""

import difflib
import email.utils
import os
import tomllib
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomlkit
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from orderdesk_tui.errors import ConfigError
from orderdesk_tui.paths import config_dir


def _number(value: Any) -> Any:
    """A Decimal from a TOML number or a numeric string; `true` is refused."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    return value


#: A Decimal setting: TOML has no decimal type, so 8, 8.5 and "8.5" are all taken.
Number = Annotated[Decimal, BeforeValidator(_number)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    #: SQLAlchemy URL or a file path; empty means the SQLite file in the data dir.
    url: str = ""
    #: Seconds a writer waits for a SQLite lock held by another terminal.
    busy_timeout_s: float = Field(default=10.0, gt=0, le=300)
    #: Streaming replicas of a PostgreSQL store (one URL, or a list): wallboards, the queue's
    #: first load, reports, exports and lookups read from one; writes, and the reads a write
    #: depends on, go to `url`. Empty: everything reads `url`.
    read_url: list[str] = Field(default_factory=list)
    #: The wallboard shows how far its replica is behind once it is this many seconds behind.
    replica_lag_warn_s: float = Field(default=10.0, gt=0, le=3600)

    @field_validator("read_url", mode="before")
    @classmethod
    def _one_or_several(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("read_url")
    @classmethod
    def _postgresql_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("postgresql://", "postgresql+psycopg://")):
                raise ValueError(
                    f"'{url.split('@')[-1]}' is not a PostgreSQL URL (postgresql://host/db): "
                    "read replicas are PostgreSQL streaming replicas"
                )
        if len(set(urls)) < len(urls):
            raise ValueError("a replica is named twice")
        return urls


class ErpSettings(_Section):
    kind: str = Field(default="tryton", pattern="^(tryton)$")
    url: str = ""
    database: str = ""
    key: SecretStr = SecretStr("")
    timeout_s: float = Field(default=10.0, gt=0, le=300)

    @property
    def configured(self) -> bool:
        return bool(self.url)


class DeskSettings(_Section):
    user: str = ""
    currency: str = Field(default="USD", pattern="^[A-Z]{3}$")
    #: A price under cost plus this margin puts the order on a price hold.
    margin_floor_percent: Number = Field(default=Decimal("8"), ge=0, le=100)
    #: Wrong PINs in a row before a supervisor's override is locked.
    pin_max_attempts: int = Field(default=5, ge=1, le=20)
    pin_lockout_minutes: int = Field(default=15, ge=1, le=1440)
    #: Rows fetched per page by the order list.
    page_size: int = Field(default=200, ge=20, le=5000)
    #: Typing a whole customer code moves on to the PO at once (green-screen auto-skip), when
    #: every customer code has the same length; an Enter typed right after it is ignored.
    customer_code_autoskip: bool = True
    #: The screen the desk opens on: the order list, a new order (for those who enter orders
    #: all day), or the work queue. The order list is always under it (Esc, F2).
    start_screen: Literal["orders", "entry", "queue"] = "orders"
    #: The colour theme, one of Textual's built-in themes (textual-dark, textual-light, nord,
    #: gruvbox, solarized-light ...). The palette's "Theme" command writes it here; the app
    #: checks the name at start (this module does not import Textual).
    theme: str = Field(default="textual-dark", pattern="^[a-z0-9][a-z0-9-]*$")


class PricingSettings(_Section):
    #: Freight estimate: rate per kg of shipped weight, and the least a shipment costs.
    freight_rate_per_kg: Number = Field(default=Decimal("1.85"), ge=0)
    freight_minimum: Number = Field(default=Decimal("12.50"), ge=0)


class ComplianceSettings(_Section):
    #: A denied-party list in the US Consolidated Screening List CSV format; empty = the
    #: small demo list bundled in data/.
    denied_party_list: str = ""
    #: ISO 3166 alpha-2 codes no order may ship to.
    embargoed_countries: list[str] = Field(default_factory=lambda: ["CU", "IR", "KP", "SY"])
    #: Fuzzy match score (0-100) from which a name counts as a possible denied party.
    match_threshold: int = Field(default=88, ge=50, le=100)


_REASONS = ("wrong_item", "damaged", "defective", "ordered_in_error", "warranty", "excess")
_TIERS = ("platinum", "gold", "silver", "standard")


def _only_keys(values: dict[str, Any], known: tuple[str, ...], what: str) -> dict[str, Any]:
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"'{unknown[0]}' is not a {what} (one of {', '.join(known)})")
    return values


class ReturnsSettings(_Section):
    """Return (RMA) policy: windows, restocking fees, freight credit and approvals."""

    #: Days after shipment a return is accepted, per reason (warranty: the item's warranty).
    window_days: dict[str, int] = Field(
        default_factory=lambda: {
            "wrong_item": 60,
            "damaged": 15,
            "defective": 90,
            "ordered_in_error": 30,
            "excess": 60,
        }
    )
    #: Restocking fee in percent of the returned value, per reason.
    restocking_fee_percent: dict[str, Number] = Field(
        default_factory=lambda: {"ordered_in_error": Decimal("15"), "excess": Decimal("20")}
    )
    #: Share of the restocking fee each customer tier pays, in percent (0 waives it).
    tier_fee_share_percent: dict[str, Number] = Field(
        default_factory=lambda: {
            "platinum": Decimal("0"),
            "gold": Decimal("50"),
            "silver": Decimal("100"),
            "standard": Decimal("100"),
        }
    )
    #: Reasons that are our fault: the original freight is credited back with the goods.
    freight_credit_reasons: list[str] = Field(
        default_factory=lambda: ["wrong_item", "damaged", "defective", "warranty"]
    )
    #: An authorisation above this value (returned goods at invoice price) needs a supervisor.
    authorise_supervisor_above: Number = Field(default=Decimal("1000"), ge=0)
    #: Credit memos need a supervisor (the issue's rule; a site may relax it).
    credit_needs_supervisor: bool = True

    @field_validator("window_days")
    @classmethod
    def _window_reasons(cls, value: dict[str, int]) -> dict[str, int]:
        if any(days < 0 for days in value.values()):
            raise ValueError("a return window is 0 days or more")
        return _only_keys(value, _REASONS, "reason code")

    @field_validator("restocking_fee_percent")
    @classmethod
    def _fee_reasons(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if any(not 0 <= pct <= 100 for pct in value.values()):
            raise ValueError("a restocking fee is 0 to 100 percent")
        return _only_keys(value, _REASONS, "reason code")

    @field_validator("tier_fee_share_percent")
    @classmethod
    def _fee_tiers(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if any(not 0 <= pct <= 100 for pct in value.values()):
            raise ValueError("a tier's share of the fee is 0 to 100 percent")
        return _only_keys(value, _TIERS, "customer tier")

    @field_validator("freight_credit_reasons")
    @classmethod
    def _freight_reasons(cls, value: list[str]) -> list[str]:
        _only_keys(dict.fromkeys(value), _REASONS, "reason code")
        return value


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TierSla(_Section):
    """Business hours a customer tier gets: from receipt to entry, from entry to acknowledgement."""

    entry_hours: float = Field(gt=0, le=720)
    ack_hours: float = Field(gt=0, le=720)


def _default_tiers() -> dict[str, TierSla]:
    return {
        "platinum": TierSla(entry_hours=1, ack_hours=2),
        "gold": TierSla(entry_hours=2, ack_hours=4),
        "silver": TierSla(entry_hours=4, ack_hours=8),
        "standard": TierSla(entry_hours=8, ack_hours=16),
    }


class SlaSettings(_Section):
    """The queue's SLA clock: a business calendar and the SLAs per customer service tier."""

    #: IANA zone the desk's business hours are in; empty = this machine's local zone.
    timezone: str = ""
    work_days: list[str] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    opens: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    closes: str = Field(default="17:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    #: Days the desk is closed, besides the public holidays of `holiday_country`.
    holidays: list[date] = Field(default_factory=list)
    #: ISO 3166 code whose public holidays close the desk (e.g. "US"); empty = none.
    holiday_country: str = Field(default="", pattern="^([A-Z]{2})?$")
    #: A state or province of that country, for its own holidays (e.g. "TX").
    holiday_subdivision: str = ""
    #: An item whose SLA ends within this many business minutes shows as "due soon".
    warn_minutes: int = Field(default=60, ge=0, le=1440)
    #: Business hours a rush order has, from being marked rush (or entered rush), until it is
    #: released to the warehouse: the queue's rush SLA, whatever the customer's tier.
    rush_hours: float = Field(default=2, gt=0, le=720)
    tiers: dict[str, TierSla] = Field(default_factory=_default_tiers)

    @field_validator("tiers", mode="before")
    @classmethod
    def _over_defaults(cls, tiers: Any) -> Any:
        """A tier in the file changes that tier; the others keep their defaults."""
        if isinstance(tiers, dict):
            defaults = {name: t.model_dump() for name, t in _default_tiers().items()}
            return defaults | tiers
        return tiers

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"'{name}' is not a time zone (e.g. America/Chicago)") from None
        return name

    @field_validator("work_days")
    @classmethod
    def _known_days(cls, days: list[str]) -> list[str]:
        wrong = [d for d in days if d not in WEEKDAYS]
        if wrong:
            raise ValueError(f"{wrong[0]!r} is not a day; use {', '.join(WEEKDAYS)}")
        if not days:
            raise ValueError("at least one work day is needed")
        return days

    @model_validator(mode="after")
    def _sane(self) -> "SlaSettings":
        if self.opens >= self.closes:
            raise ValueError(f"opens ({self.opens}) must be before closes ({self.closes})")
        if "standard" not in self.tiers:
            raise ValueError("tiers must include 'standard' (used for customers without a tier)")
        return self


class WallboardSettings(_Section):
    """`orderdesk wallboard --serve`: who may watch, and how many at once."""

    #: Token a browser must give (`?token=`) to watch; empty: a random one is made and printed
    #: at start for a non-loopback address (a loopback address needs none unless set here).
    token: SecretStr = SecretStr("")
    #: Browsers watching at once; each runs its own board process (textual-serve).
    max_viewers: int = Field(default=8, ge=1, le=100)


#: The one place the SMTP password is read from (never the config file, never logged).
MAIL_PASSWORD_VARIABLE = "ORDERDESK_MAIL_PASSWORD"


class MailSettings(_Section):
    """Acknowledgements and order-status mails by SMTP (services.mail_outbox, mail_sender)."""

    #: The SMTP server; empty: no mail is queued or sent.
    host: str = ""
    port: int = Field(default=587, ge=1, le=65535)
    #: starttls (submission, port 587), tls (implicit TLS, port 465) or none (a local relay).
    security: Literal["starttls", "tls", "none"] = "starttls"
    #: Login name; empty: no AUTH. The password comes from ORDERDESK_MAIL_PASSWORD only.
    user: str = ""
    #: The sender, `orders@example.com` or `Order Desk <orders@example.com>`.
    from_address: str = ""
    #: Where customers' answers go, if not to `from_address`.
    reply_to: str = ""
    #: Seconds to wait for the server's answer to each step.
    timeout_s: float = Field(default=30.0, gt=0, le=300)
    #: Attempts after which a mail the server keeps deferring (4xx, timeouts) counts as failed.
    max_attempts: int = Field(default=8, ge=1, le=100)

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, values: Any) -> Any:
        if isinstance(values, dict) and "password" in values:
            raise ValueError(
                f"the mail password is read from {MAIL_PASSWORD_VARIABLE} only, "
                "never from the config file"
            )
        return values

    @field_validator("from_address", "reply_to")
    @classmethod
    def _address(cls, value: str) -> str:
        _, address = email.utils.parseaddr(value)
        if value and ("@" not in address or " " in address):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @model_validator(mode="after")
    def _sender(self) -> "MailSettings":
        if self.host and not self.from_address:
            raise ValueError("from_address is needed when host is set")
        return self

    @property
    def configured(self) -> bool:
        return bool(self.host)


class Settings(_Section):
    store: StoreSettings = StoreSettings()
    erp: ErpSettings = ErpSettings()
    desk: DeskSettings = DeskSettings()
    pricing: PricingSettings = PricingSettings()
    compliance: ComplianceSettings = ComplianceSettings()
    returns: ReturnsSettings = ReturnsSettings()
    sla: SlaSettings = SlaSettings()
    wallboard: WallboardSettings = WallboardSettings()
    mail: MailSettings = MailSettings()


#: Short environment names that people actually type, besides ORDERDESK_<SECTION>_<KEY>.
ENV_ALIASES = {"ORDERDESK_DB": ("store", "url"), "ORDERDESK_USER": ("desk", "user")}
#: ORDERDESK_* variables that are not settings: the dirs (paths.py), the mail password and the
#: test suite's own.
OTHER_VARIABLES = frozenset(
    {
        "ORDERDESK_CONFIG_DIR",
        "ORDERDESK_DATA_DIR",
        "ORDERDESK_LOG_DIR",
        MAIL_PASSWORD_VARIABLE,
        "ORDERDESK_TEST_PG",
        "ORDERDESK_TRYTON_CACHE",
        "ORDERDESK_TRYTON_FAULT_ORDERS",
    }
)


def config_path() -> Path:
    return config_dir() / "config.toml"


def _setting_variables() -> set[str]:
    names = set(ENV_ALIASES)
    for section, model in Settings.model_fields.items():
        sub = model.annotation
        assert sub is not None
        keys = sub.model_fields
        names.update(f"ORDERDESK_{section}_{key}".upper() for key in keys)
    return names


def _refuse_unknown_variables(environ: dict[str, str]) -> None:
    known = _setting_variables() | OTHER_VARIABLES
    unknown = sorted(n for n in environ if n.startswith("ORDERDESK_") and n not in known)
    if unknown:
        hint = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        tail = f" (did you mean {hint[0]}?)" if hint else ""
        raise ConfigError(f"environment {unknown[0]}: not an orderdesk setting{tail}")


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, Any]]:
    _refuse_unknown_variables(environ)
    out: dict[str, dict[str, Any]] = {}
    for name, (section, key) in ENV_ALIASES.items():
        if environ.get(name):
            out.setdefault(section, {})[key] = environ[name]
    for section, model in Settings.model_fields.items():
        sub = model.annotation
        assert sub is not None
        for key, info in sub.model_fields.items():
            name = f"ORDERDESK_{section}_{key}".upper()
            if name in environ:
                value: str | list[str] = environ[name]
                if get_origin(info.annotation) is list:  # comma separated: CU,IR,KP
                    value = [part.strip() for part in environ[name].split(",") if part.strip()]
                out.setdefault(section, {})[key] = value
    return out


def _describe(err: ErrorDetails, origin: str) -> str:
    where = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        section, _, key = where.rpartition(".")
        known: list[str] = []
        if section in Settings.model_fields:
            sub = Settings.model_fields[section].annotation
            known = list(sub.model_fields) if sub is not None else []
        elif not section:
            known = list(Settings.model_fields)
        hint = difflib.get_close_matches(key, known, n=1)
        tail = f" (did you mean '{hint[0]}'?)" if hint else ""
        return f"{origin}: unknown setting '{where}'{tail}"
    return f"{origin}: setting '{where}': {err['msg']}"


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the config file (if any) and the environment; raise ConfigError naming the bad key."""
    path = path or config_path()
    environ = dict(os.environ) if environ is None else environ
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                f"{exc.start}); save it as UTF-8"
            ) from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        Settings.model_validate(data, strict=True)  # the file's values are typed: no coercion
    except ValidationError as exc:
        raise ConfigError(_describe(exc.errors()[0], str(path))) from None
    for section, values in _env_overrides(environ).items():
        data.setdefault(section, {}).update(values)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        env_name = "ORDERDESK_" + "_".join(str(p) for p in err["loc"]).upper()
        raise ConfigError(_describe(err, f"environment {env_name}")) from None


def save_setting(section: str, key: str, value: str, path: Path | None = None) -> None:
    """Write one setting into the config file, keeping the rest of the file (comments, order,
    other settings) as the user wrote it; the file is made if there is none.

    The file as it would be is validated as `load_settings` reads it before it is written, so a
    choice made in the app never leaves a file the next start refuses. The new file replaces
    the old one in one step: a crash while saving leaves the old file, never half of one."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if section not in doc:
        doc[section] = tomlkit.table()
    doc[section][key] = value
    try:
        Settings.model_validate(doc.unwrap(), strict=True)
    except ValidationError as exc:
        raise ConfigError(_describe(exc.errors()[0], str(path))) from None
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(tomlkit.dumps(doc), encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror}") from None
