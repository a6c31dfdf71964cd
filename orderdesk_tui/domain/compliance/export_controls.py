"""Export licensing reference data: the Commerce Country Chart (reasons for control marked X per
destination) and the reasons for control of each ECCN, read from their CSV files."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from orderdesk_tui.domain.compliance.names import ISO_COUNTRIES
from orderdesk_tui.domain.compliance.reference_files import (
    ReferenceDataError,
    read_records,
    split_list,
)

_REASON_COLUMN = re.compile(r"^[A-Z]{2}\d$")


@dataclass(frozen=True)
class CountryChart:
    """Reasons for control (NS1, AT1, ...) marked X per destination country."""

    columns: tuple[str, ...]
    marks: Mapping[str, frozenset[str]]
    names: Mapping[str, str] = field(default_factory=dict)

    def controlled(self, country: str, reasons: Iterable[str]) -> tuple[str, ...] | None:
        """The `reasons` marked X for `country`; None when the country is not in the chart."""
        row = self.marks.get(country)
        if row is None:
            return None
        return tuple(r for r in reasons if r in row)


def parse_country_chart(lines: Iterable[str], file: str) -> CountryChart:
    columns: tuple[str, ...] | None = None
    marks: dict[str, frozenset[str]] = {}
    names: dict[str, str] = {}
    for line, row in read_records(lines, file, ["country_code"]):
        if columns is None:
            columns = tuple(c for c in row if _REASON_COLUMN.match(c))
            if not columns:
                raise ReferenceDataError(file, line - 1, "no reason-for-control columns (NS1...)")
        code = row["country_code"].strip().upper()
        if code not in ISO_COUNTRIES:
            raise ReferenceDataError(file, line, f"'{row['country_code']}' is not a country code")
        if code in marks:
            raise ReferenceDataError(file, line, f"{code} appears twice")
        marked = set()
        for col in columns:
            value = row[col].strip().upper()
            if value not in ("", "X"):
                raise ReferenceDataError(file, line, f"{col} must be X or empty, not '{value}'")
            if value == "X":
                marked.add(col)
        marks[code] = frozenset(marked)
        names[code] = (row.get("country_name") or "").strip()
    return CountryChart(columns or (), marks, names)


ECCN_PATTERN = re.compile(r"^(\d[A-E]\d{3})(?:\.[a-z0-9.]+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class EccnControl:
    eccn: str
    reasons: tuple[str, ...]
    description: str = ""


def parse_eccn_controls(
    lines: Iterable[str], file: str, chart: CountryChart | None = None
) -> dict[str, EccnControl]:
    """ECCN -> its reasons for control; each reason must be a column of `chart` if given."""
    out: dict[str, EccnControl] = {}
    for line, row in read_records(lines, file, ["eccn", "reasons"]):
        eccn = row["eccn"].strip().upper()
        if not ECCN_PATTERN.match(eccn):
            raise ReferenceDataError(file, line, f"'{row['eccn']}' is not an ECCN (like 3A991)")
        reasons = tuple(r.upper() for r in split_list(row["reasons"]))
        if not reasons:
            raise ReferenceDataError(file, line, f"{eccn} has no reasons for control")
        for reason in reasons:
            if chart is not None and reason not in chart.columns:
                raise ReferenceDataError(
                    file, line, f"reason '{reason}' is not a column of the country chart"
                )
        out[eccn] = EccnControl(eccn, reasons, (row.get("description") or "").strip())
    return out
