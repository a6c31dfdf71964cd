"""Settings: defaults, config.toml, ORDERDESK_* overrides, and bad input named precisely."""

from decimal import Decimal
from pathlib import Path

import pytest

from orderdesk_tui.config import Settings, config_path, load_settings, save_setting
from orderdesk_tui.errors import ConfigError


def _write(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path | None = None, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={} if environ is None else environ)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_defaults_without_file_or_environment(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent.toml", environ={})
    assert settings == Settings()
    assert settings.store.url == ""
    assert settings.store.busy_timeout_s == 10.0
    assert settings.erp.kind == "tryton"
    assert not settings.erp.configured
    assert settings.erp.key.get_secret_value() == ""
    assert settings.desk.currency == "USD"
    assert settings.desk.margin_floor_percent == Decimal("8")
    assert settings.desk.pin_max_attempts == 5
    assert settings.desk.page_size == 200


def test_config_path_is_in_the_config_dir(tmp_path: Path) -> None:
    assert config_path() == tmp_path / "config" / "config.toml"


def test_values_from_config_toml() -> None:
    _write(
        """
[store]
url = "postgresql+psycopg://od@db.example/orderdesk"
busy_timeout_s = 3.5

[erp]
url = "https://erp.example.com"
database = "prod"
key = "abc123"
timeout_s = 20

[desk]
user = "pat"
currency = "CAD"
margin_floor_percent = "12.5"
pin_max_attempts = 3
page_size = 500
"""
    )
    settings = load_settings(environ={})
    assert settings.store.url == "postgresql+psycopg://od@db.example/orderdesk"
    assert settings.store.busy_timeout_s == 3.5
    assert settings.erp.configured
    assert settings.erp.url == "https://erp.example.com"
    assert settings.erp.database == "prod"
    assert settings.erp.key.get_secret_value() == "abc123"
    assert settings.erp.timeout_s == 20.0
    assert settings.desk.user == "pat"
    assert settings.desk.currency == "CAD"
    assert settings.desk.margin_floor_percent == Decimal("12.5")
    assert settings.desk.pin_max_attempts == 3
    assert settings.desk.page_size == 500


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    _write('[store]\nurl = "/from/file.sqlite3"\n[erp]\ntimeout_s = 20\n[desk]\npage_size = 500\n')
    monkeypatch.setenv("ORDERDESK_DB", "/from/env.sqlite3")
    monkeypatch.setenv("ORDERDESK_USER", "lee")
    monkeypatch.setenv("ORDERDESK_ERP_TIMEOUT_S", "2.5")
    monkeypatch.setenv("ORDERDESK_ERP_URL", "http://erp.local:8000")
    monkeypatch.setenv("ORDERDESK_DESK_PAGE_SIZE", "50")
    settings = load_settings()  # reads os.environ
    assert settings.store.url == "/from/env.sqlite3"
    assert settings.desk.user == "lee"
    assert settings.erp.timeout_s == 2.5
    assert settings.erp.url == "http://erp.local:8000"
    assert settings.desk.page_size == 50


def test_full_environment_names_work_too() -> None:
    settings = load_settings(
        Path("/nonexistent/config.toml"),
        environ={"ORDERDESK_STORE_URL": "/x.sqlite3", "ORDERDESK_DESK_CURRENCY": "EUR"},
    )
    assert settings.store.url == "/x.sqlite3"
    assert settings.desk.currency == "EUR"


def test_unknown_key_suggests_the_right_one() -> None:
    path = _write("[desk]\npage_sise = 100\n")
    message = _error()
    assert str(path) in message
    assert "unknown setting 'desk.page_sise'" in message
    assert "did you mean 'page_size'" in message


def test_unknown_section_suggests_the_right_one() -> None:
    _write('[stor]\nurl = "x"\n')
    assert "did you mean 'store'" in _error()


@pytest.mark.parametrize(
    ("toml", "key", "what"),
    [
        ('[desk]\npage_size = "x"\n', "desk.page_size", "integer"),
        ("[desk]\npage_size = 5\n", "desk.page_size", "greater than or equal to 20"),
        ("[erp]\ntimeout_s = -1\n", "erp.timeout_s", "greater than 0"),
        ('[desk]\ncurrency = "dollars"\n', "desk.currency", "pattern"),
        ('[erp]\nkind = "sap"\n', "erp.kind", "pattern"),
        ("[store]\nbusy_timeout_s = 0\n", "store.busy_timeout_s", "greater than 0"),
    ],
)
def test_bad_value_names_the_key(toml: str, key: str, what: str) -> None:
    path = _write(toml)
    message = _error()
    assert str(path) in message
    assert f"'{key}'" in message
    assert what in message


def test_bad_environment_value_names_the_variable() -> None:
    message = _error(environ={"ORDERDESK_ERP_TIMEOUT_S": "soon"})
    assert "ORDERDESK_ERP_TIMEOUT_S" in message
    assert "erp.timeout_s" in message
    message = _error(environ={"ORDERDESK_DESK_PAGE_SIZE": "0"})
    assert "ORDERDESK_DESK_PAGE_SIZE" in message


def test_corrupt_toml_names_the_file() -> None:
    path = _write('[desk\npage_size = = 3\n"unterminated')
    message = _error()
    assert message.startswith(str(path))
    assert "not valid TOML" in message


def test_config_that_is_a_directory_names_the_file() -> None:
    path = config_path()
    path.mkdir(parents=True)
    message = _error()
    assert str(path) in message


def test_erp_key_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    _write('[erp]\nurl = "http://erp"\nkey = "file-s3cr3t"\n')
    settings = load_settings(environ={})
    assert settings.erp.key.get_secret_value() == "file-s3cr3t"
    for shown in (repr(settings), str(settings), repr(settings.erp), settings.model_dump_json()):
        assert "file-s3cr3t" not in shown
    monkeypatch.setenv("ORDERDESK_ERP_KEY", "env-s3cr3t")
    settings = load_settings()
    assert settings.erp.key.get_secret_value() == "env-s3cr3t"
    assert "env-s3cr3t" not in repr(settings) and "env-s3cr3t" not in str(settings)


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[desk]\npin_max_attempts = true\n", "desk.pin_max_attempts"),
        ('[desk]\npage_size = "200"\n', "desk.page_size"),
        ("[desk]\nmargin_floor_percent = false\n", "desk.margin_floor_percent"),
        ("[desk]\ncustomer_code_autoskip = 1\n", "desk.customer_code_autoskip"),
        ('[desk]\ncustomer_code_autoskip = "no"\n', "desk.customer_code_autoskip"),
        ("[erp]\ntimeout_s = true\n", "erp.timeout_s"),
    ],
)
def test_the_file_is_read_strictly(toml: str, key: str) -> None:
    """`true` is not a number and `"200"` not an integer in config.toml (pydantic would coerce)."""
    path = _write(toml)
    message = _error()
    assert str(path) in message and f"'{key}'" in message


def test_numbers_of_every_toml_kind_for_decimal_settings() -> None:
    _write('[desk]\nmargin_floor_percent = 8\n[pricing]\nfreight_minimum = "12.5"\n')
    settings = load_settings(environ={})
    assert settings.desk.margin_floor_percent == Decimal("8")
    assert settings.pricing.freight_minimum == Decimal("12.5")


def test_environment_text_is_converted_but_checked() -> None:
    settings = load_settings(
        environ={"ORDERDESK_DESK_CUSTOMER_CODE_AUTOSKIP": "false", "ORDERDESK_DESK_PAGE_SIZE": "50"}
    )
    assert settings.desk.customer_code_autoskip is False and settings.desk.page_size == 50
    message = _error(environ={"ORDERDESK_DESK_PIN_MAX_ATTEMPTS": "true"})
    assert "ORDERDESK_DESK_PIN_MAX_ATTEMPTS" in message


def test_unknown_orderdesk_variable_is_refused_with_a_hint() -> None:
    message = _error(environ={"ORDERDESK_DESK_PAGESIZE": "50"})
    assert "ORDERDESK_DESK_PAGESIZE" in message
    assert "did you mean ORDERDESK_DESK_PAGE_SIZE" in message
    assert "not an orderdesk setting" in _error(environ={"ORDERDESK_COLOUR": "red"})
    for fine in ("ORDERDESK_CONFIG_DIR", "ORDERDESK_LOG_DIR", "ORDERDESK_TEST_PG", "OTHER_X"):
        load_settings(environ={fine: "x"})


def test_non_utf8_config_names_the_file() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'[desk]\nuser = "J\xfcrgen"\n')
    message = _error()
    assert str(path) in message and "not UTF-8" in message and "0xfc" in message


def test_wallboard_settings() -> None:
    _write('[wallboard]\ntoken = "wall-t0ken"\nmax_viewers = 3\n')
    settings = load_settings(environ={})
    assert settings.wallboard.token.get_secret_value() == "wall-t0ken"
    assert settings.wallboard.max_viewers == 3
    assert "wall-t0ken" not in repr(settings)
    _write("[wallboard]\nmax_viewers = 0\n")
    assert "'wallboard.max_viewers'" in _error()


def test_a_saved_setting_keeps_the_rest_of_the_file() -> None:
    path = _write(
        '# our desk\n[desk]\n# who signs in here\nuser = "alice"\n\n[pricing]\n'
        "freight_minimum = 9.5  # since May\n"
    )
    save_setting("desk", "theme", "nord")
    text = path.read_text(encoding="utf-8")
    assert text.startswith('# our desk\n[desk]\n# who signs in here\nuser = "alice"\n')
    assert "freight_minimum = 9.5  # since May" in text
    settings = load_settings(environ={})
    assert settings.desk.theme == "nord" and settings.desk.user == "alice"
    save_setting("desk", "theme", "gruvbox")  # again: the key is changed, not added twice
    assert load_settings(environ={}).desk.theme == "gruvbox"
    assert path.read_text(encoding="utf-8").count("theme =") == 1


def test_a_setting_is_saved_into_a_new_file() -> None:
    assert not config_path().exists()
    save_setting("desk", "theme", "textual-light")
    assert load_settings(environ={}).desk.theme == "textual-light"


def test_a_value_the_next_start_would_refuse_is_not_saved() -> None:
    path = _write('[desk]\nuser = "alice"\n')
    with pytest.raises(ConfigError, match=r"desk\.theme"):
        save_setting("desk", "theme", "Not A Theme")
    assert path.read_text(encoding="utf-8") == '[desk]\nuser = "alice"\n'
    assert not list(path.parent.glob("*.partial"))
