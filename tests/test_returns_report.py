"""Returns report by reason, item and customer for a period; CSV from the command line."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orderdesk_tui.cli import main
from orderdesk_tui.domain.money import round_money
from orderdesk_tui.errors import FieldError
from orderdesk_tui.reports.returns import (
    ReportRow,
    ReturnsReport,
    parse_period,
    returns_report,
    write_csv,
)
from orderdesk_tui.store import Store

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def test_by_reason_item_and_customer_agree_on_the_total(demo_store: Store) -> None:
    reports = {by: returns_report(demo_store, *YEAR, by) for by in ("reason", "item", "customer")}
    totals = {by: report.totals for by, report in reports.items()}
    assert totals["reason"] == totals["item"] == totals["customer"]
    by_reason = {row.key: row for row in reports["reason"].rows}
    # the demo: three warranty claims, one rejected excess return
    assert by_reason["warranty"].rmas == 3
    assert by_reason["excess"].rejected_lines == 1
    assert sum(r.rmas for r in reports["customer"].rows) == 8
    iron = next(r for r in reports["customer"].rows if r.key == "IRON01")
    assert iron.value == Decimal("599.19") and iron.currency == "USD"
    assert "Total" in reports["item"].text()


def test_a_period_without_returns_and_bad_periods(demo_store: Store) -> None:
    empty = returns_report(demo_store, date(2020, 1, 1), date(2020, 1, 31), "reason")
    assert empty.rows == () and "no returns requested" in empty.text()
    with pytest.raises(FieldError, match="to: 2026-01-01 is before 2026-02-01"):
        parse_period("2026-02-01", "2026-01-01")
    with pytest.raises(FieldError, match="by: 'week' is not one of"):
        returns_report(demo_store, *YEAR, "week")


def test_cli_writes_csv(
    demo_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "returns.csv"
    code = main(["--db", demo_store.url, "report", "returns", "--from", "2026-01-01", "--to",
                 "2026-12-31", "--by", "item", "--csv", str(out)])  # fmt: skip
    assert code == 0 and "rows written to" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and set(rows[0]) == {
        "key", "name", "rmas", "lines", "quantity", "value", "currency", "rejected_lines",
    }  # fmt: skip
    assert any(r["key"] == "MTR-5HP-184TC-TEFC" for r in rows)
    for r in rows:  # plain numbers in the currency's minor unit: no grouping, no symbol
        value = Decimal(r["value"])
        assert r["value"] == f"{round_money(value, r['currency']):f}"
    assert main(["--db", demo_store.url, "report", "returns", "--from", "2026-13-01", "--to",
                 "2026-12-31"]) == 2  # fmt: skip
    assert "from: '2026-13-01' is not a date" in capsys.readouterr().err


def test_values_in_each_currency_s_minor_unit_grouped_on_screen_plain_in_csv(
    tmp_path: Path,
) -> None:
    def row(key: str, value: str, currency: str) -> ReportRow:
        return ReportRow(key, key, 1, 1, Decimal(1), Decimal(value), currency, 0)

    report = ReturnsReport(
        *YEAR,
        "reason",
        (row("a", "1234567", "JPY"), row("b", "1234.567", "BHD"), row("c", "12345.60", "USD")),
    )
    text = report.text()
    assert " 1,234,567 JPY" in text and " 1,234.567 BHD" in text and " 12,345.60 USD" in text
    csv_rows = list(csv.DictReader(write_csv(report, tmp_path / "r.csv").open(encoding="utf-8")))
    assert [(r["value"], r["currency"]) for r in csv_rows] == [
        ("1234567", "JPY"),
        ("1234.567", "BHD"),
        ("12345.60", "USD"),
    ]
