"""The desk's one money formatter: the currency's minor unit (CLDR via Babel), half-up, grouped."""

from decimal import Decimal

import pytest

from orderdesk_tui.domain.money import currency_places, format_money, format_price, round_money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("12345.6", "USD", "12,345.60"),
        ("1234.5", "JPY", "1,235"),
        ("1.2345", "BHD", "1.235"),
        ("1.2344", "KWD", "1.234"),
        ("-1234567.125", "EUR", "-1,234,567.13"),
        ("0", "CAD", "0.00"),
        ("0.005", "USD", "0.01"),
    ],
)
def test_amounts_use_the_currency_minor_unit(amount: str, currency: str, shown: str) -> None:
    assert format_money(Decimal(amount), currency) == shown
    assert format_money(Decimal(amount), currency, code=True) == f"{shown} {currency}"


def test_rounding_and_formatting_agree() -> None:
    """What is shown is what is stored: the formatter rounds exactly as round_money does."""
    for currency in ("USD", "JPY", "BHD"):
        amount = Decimal("2.5005")
        assert Decimal(format_money(amount, currency).replace(",", "")) == round_money(
            amount, currency
        )
    assert currency_places("jpy") == 0
    assert currency_places("XXZ") == 2  # a code CLDR does not know


@pytest.mark.parametrize(
    ("price", "currency", "shown"),
    [
        ("12.5", "USD", "12.50"),
        ("0.0125", "USD", "0.0125"),
        ("1500", "JPY", "1,500"),
        ("1.23456", "USD", "1.2346"),
    ],
)
def test_unit_prices_keep_their_agreed_places(price: str, currency: str, shown: str) -> None:
    assert format_price(Decimal(price), currency) == shown


def test_float_is_refused() -> None:
    with pytest.raises(TypeError):
        format_money(1.5, "USD")  # type: ignore[arg-type]
