"""A report as typed columns and rows that stream: for the screen, CSV and (later) XLSX.

Each column has a kind (text, int, qty, money, date, percent) so a writer can type its cells;
a money column names the column that holds its currency. Rows are an iterable, written one at
a time; each row carries the ids of the orders behind it (what `Enter` opens on the screen).
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from orderdesk_tui.domain.money import format_money, round_money


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    QTY = "qty"
    MONEY = "money"
    DATE = "date"
    PERCENT = "percent"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    #: For money: the name of the column holding the row's currency.
    currency: str = "Currency"


Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    #: The orders behind this row's figure (a drill-down lists them).
    orders: tuple[int, ...] = ()


@dataclass(frozen=True)
class Chart:
    """What to draw beside the table: a trend over time or a breakdown as bars."""

    kind: str  # "trend" or "bars"
    caption: str
    points: tuple[tuple[str, float], ...]


@dataclass
class Report:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: Iterable[Row]
    chart: Chart | None = None
    #: What the figures count and from which dates (shown under the table).
    note: str = ""


def _currency_of(report: Report, row: Row, column: Column) -> str:
    names = [c.name for c in report.columns]
    if column.currency in names:
        value = row.cells[names.index(column.currency)]
        return str(value or "USD")
    return "USD"


def cell_text(report: Report, row: Row, index: int) -> str:
    """A cell as the screen and the text output show it."""
    column, value = report.columns[index], row.cells[index]
    if value is None:
        return ""
    if column.kind == Kind.PERCENT:
        return f"{value}%"
    if column.kind == Kind.MONEY and isinstance(value, Decimal):
        return format_money(value, _currency_of(report, row, column))
    if column.kind == Kind.QTY and isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    if column.kind == Kind.INT and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(report: Report, row: Row, index: int) -> str:
    """A plain value a spreadsheet reads as a number (no grouping, no symbol, no %)."""
    column, value = report.columns[index], row.cells[index]
    if value is None:
        return ""
    if column.kind == Kind.MONEY and isinstance(value, Decimal):
        return f"{round_money(value, _currency_of(report, row, column)):f}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def materialised(report: Report) -> list[Row]:
    """The rows as a list (the screen shows them all; a writer streams `report.rows`)."""
    rows = report.rows if isinstance(report.rows, list) else list(report.rows)
    report.rows = rows
    return rows


def write_csv(report: Report, path: str | Path) -> tuple[Path, int]:
    """The report as CSV, a header row then one line per row as it streams; (path, rows)."""
    target = Path(path).expanduser()
    count = 0
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.name for c in report.columns])
        for row in report.rows:
            writer.writerow([csv_cell(report, row, i) for i in range(len(report.columns))])
            count += 1
    return target, count


def text_lines(report: Report) -> Iterator[str]:
    """The report as aligned text for a terminal (the CLI without --csv)."""
    rows = materialised(report)
    cells = [[cell_text(report, row, i) for i in range(len(report.columns))] for row in rows]
    widths = [max([len(c.name), *(len(r[i]) for r in cells)]) for i, c in enumerate(report.columns)]
    right = [c.kind != Kind.TEXT and c.kind != Kind.DATE for c in report.columns]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    yield report.title
    yield line([c.name for c in report.columns])
    yield "-" * (sum(widths) + 2 * (len(widths) - 1))
    for values in cells:
        yield line(values)
    if not cells:
        yield "(nothing in this period)"
    if report.note:
        yield ""
        yield report.note
