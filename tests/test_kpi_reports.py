"""The reports on the hand-made store of tests/kpi_data.py (figures worked out there), on both
stores; filters, periods, drill-down ids, CSV, and `orderdesk report` as a subprocess."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orderdesk_tui.config import Settings
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import Invoice, SalesOrder
from orderdesk_tui.reports.catalog import NAMES, build_report
from orderdesk_tui.reports.context import ReportContext
from orderdesk_tui.reports.table import Report, materialised, write_csv
from orderdesk_tui.services.kpi_queries import Filters, Period, orders_by_id
from orderdesk_tui.store import Store
from tests.kpi_data import NOW, TODAY, build
from tests.test_cli import run

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
D = Decimal


def report(store: Store, name: str, filters: Filters | None = None) -> Report:
    filters = filters or Filters()
    return build_report(name, ReportContext(store, Settings(), NOVEMBER, filters, TODAY, NOW))


def rows_of(found: Report) -> dict[str, tuple[object, ...]]:
    return {str(row.cells[0]): (*row.cells[1:], row.orders) for row in materialised(found)}


def test_fill_rate_perfect_order_and_accuracy_on_the_hand_made_store(store: Store) -> None:
    """See tests/kpi_data.py: LFR first-time 3/4, UFR 19/29 first-time and 25/29 after,
    OFR 2/3; the line and order missing are SO-2's; perfect 1/3; accuracy 1/3."""
    ids = build(store)
    fill = rows_of(report(store, "fill-rate"))
    assert fill["Line fill rate"][:5] == (D("75.0"), D("100.0") * 3 / 4, 3, 3, 4)
    assert fill["Line fill rate"][-1] == (ids["SO-2"],)
    assert fill["Unit fill rate"][:2] == (D("65.5"), D("86.2"))
    assert fill["Order fill rate"][:2] == (D("66.7"), D("66.7"))
    assert fill["Value fill rate"][-2] == "USD"
    assert fill["Backorder rate (lines)"][0] == D("25.0")
    perfect = rows_of(report(store, "perfect-order"))
    assert perfect["Perfect order"][:3] == (D("33.3"), 1, 3)
    assert set(perfect["Perfect order"][-1]) == {ids["SO-2"], ids["SO-3"]}  # type: ignore[arg-type]
    assert perfect["Perfect condition"][0] == D("66.7")
    assert perfect["Documentation accurate"][0] == D("66.7")
    accuracy = rows_of(report(store, "accuracy"))
    assert accuracy["Order accuracy"][:3] == (D("33.3"), 1, 3)
    assert accuracy["damaged"][-1] == (ids["SO-3"],)
    assert accuracy["wrong price"][-1] == (ids["SO-2"],)


def test_on_time_backorders_holds_and_activity(store: Store) -> None:
    """On-time to first promise: SO-1's two lines and SO-3 on time, SO-2 late: 3/4 lines,
    OTIF 2/3 orders. SO-2's 4 units on backorder, 19 days past 11-08 as of 11-27 (15-30), slip
    12 days, value 40.00. One credit hold. Order history: the 4 real orders entered 11-02 with 5
    lines (the draft is not one); alice entered 3 of 4 lines, bob 1 with an error."""
    ids = build(store)
    on_time = {
        (str(r.cells[0]), str(r.cells[1])): r for r in materialised(report(store, "on-time"))
    }
    assert on_time[("On-time shipment (lines)", "first promised")].cells[2:] == (D("75.0"), 3, 4)
    assert on_time[("OTIF (orders)", "first promised")].cells[2:] == (D("66.7"), 2, 3)
    (row,) = materialised(report(store, "backorders"))
    assert row.cells == ("15-30 days", "USD", 1, 1, D(4), D("40.00"), D("12.0"))
    assert row.orders == (ids["SO-2"],)
    (hold,) = materialised(report(store, "holds"))
    assert hold.cells[:3] == ("credit", 1, 0) and hold.orders == (ids["SO-2"],)
    (week,) = materialised(report(store, "order-history"))
    assert week.cells[1:3] == (4, 5)
    coordinators = rows_of(report(store, "coordinators"))
    assert coordinators["alice"][:2] == (3, 4) and coordinators["bob"][2:4] == (1, D("0.0"))
    open_orders = rows_of(report(store, "open-orders"))
    assert set(open_orders) == {"partially_shipped", "released"}


def test_filters_select_orders_and_lines(store: Store) -> None:
    """BETA1 alone: SO-3, filled. Category belts: SO-1's belt and SO-3, both filled. Source
    edi: SO-2, not filled first-time."""
    build(store)
    beta = rows_of(report(store, "fill-rate", Filters(customer="beta1")))
    assert beta["Line fill rate"][:5] == (D("100.0"), D("100.0"), 1, 1, 1)
    belts = rows_of(report(store, "fill-rate", Filters(category="belts")))
    assert belts["Line fill rate"][2:5] == (2, 2, 2)
    edi = rows_of(report(store, "fill-rate", Filters(source="edi")))
    assert edi["Order fill rate"][0] == D("0.0")
    assert rows_of(report(store, "fill-rate", Filters(warehouse="MAIN")))["Line fill rate"][4] == 1


def test_every_report_builds_on_an_empty_store_and_drills_to_orders(store: Store) -> None:
    for name in NAMES:
        assert materialised(report(store, name)) is not None
    ids = build(store)
    found = orders_by_id(store, [ids["SO-2"], ids["SO-1"]])
    assert [o.number for o in found] == ["SO-1", "SO-2"]
    assert found[0].customer == "ACME1"


def test_periods_and_filters_parse_as_typed() -> None:
    today = date(2026, 12, 8)
    assert Period.parse("this", today) == Period(date(2026, 12, 1), date(2026, 12, 31))
    assert Period.parse("last month", today) == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert Period.parse("2026-02", today) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert Period.parse("11/1 t", today) == Period(date(2026, 11, 1), today)
    assert Period.parse("-30..t", today).start == date(2026, 11, 8)
    # a day without a year means the past here: 12/20 last December, 20 the 20th of November
    assert Period.parse("12/20 t", today).start == date(2025, 12, 20)
    assert Period.parse("20 t", today).start == date(2026, 11, 20)
    assert Period.parse("3 t", today).start == date(2026, 12, 3)
    with pytest.raises(FieldError, match="to: 2026-11-01 is before 2026-12-01"):
        Period.parse("2026-12-01 2026-11-01", today)
    with pytest.raises(FieldError, match="period"):
        Period.parse("soon", today)
    assert Filters.parse("customer=ACME1 source=edi") == Filters(customer="ACME1", source="edi")
    with pytest.raises(FieldError, match="filters: 'colour=red'"):
        Filters.parse("colour=red")


def test_a_report_asked_again_is_kept_until_the_data_moves(store: Store) -> None:
    """A new credit memo (wrong terms) on SO-1 moves the data version: accuracy is read again
    and falls from 1/3 to 0/3."""
    ids = build(store)
    first = report(store, "accuracy")
    assert report(store, "accuracy") is first
    with store.session() as s:
        order = s.get(SalesOrder, ids["SO-1"])
        assert order is not None
        s.add(Invoice(number="CM-2", kind="credit_memo", order_id=order.id,
                      customer_id=order.customer_id, invoice_date=date(2026, 11, 20),
                      due_date=date(2026, 11, 20), reason_code="wrong_terms"))  # fmt: skip
        s.commit()
    again = report(store, "accuracy")
    assert again is not first
    assert rows_of(again)["Order accuracy"][:3] == (D("0.0"), 0, 3)


def test_csv_streams_typed_plain_values(store: Store, tmp_path: Path) -> None:
    build(store)
    path, count = write_csv(report(store, "backorders"), tmp_path / "b.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert count == 1 and rows[0]["Value"] == "40.00" and rows[0]["Units"] == "4"


def test_cli_runs_any_report_headless(tmp_path: Path) -> None:
    db = tmp_path / "kpi.sqlite3"
    store = Store(f"sqlite:///{db}")
    store.upgrade()
    build(store)
    store.dispose()
    out = tmp_path / "fill.csv"
    result = run(tmp_path, "--db", f"sqlite:///{db}", "report", "fill-rate", "--from",
                 "2026-11-01", "--to", "2026-11-30", "--customer", "ACME1",
                 "--csv", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "rows written to" in result.stdout
    rows = {r["Measure"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["Line fill rate"]["First-time"] == "66.7"  # SO-1's 2 lines of SO-1 and SO-2's 3
    shown = run(tmp_path, "--db", f"sqlite:///{db}", "report", "top-customers", "--from",
                "2026-11-01", "--to", "2026-11-30")  # fmt: skip
    assert shown.returncode == 0 and "ACME1" in shown.stdout and "Acme Motors" in shown.stdout
    bad = run(tmp_path, "--db", f"sqlite:///{db}", "report", "sla", "--from", "soon", "--to", "t")
    assert bad.returncode != 0 and "from: 'soon' is not a date" in bad.stderr
