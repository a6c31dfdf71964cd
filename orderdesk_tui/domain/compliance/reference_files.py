"""Reading the reference files the rules load (the screening list, the country chart, ECCN
controls, carriers): CSV with `#` comment lines before the header, columns by name, and an error
that names the file and line of whatever is malformed."""

import csv
from collections.abc import Iterable, Iterator, Sequence

from orderdesk_tui.errors import OrderdeskError


class ReferenceDataError(OrderdeskError):
    """A list or table file the rules load is malformed; names the file and line."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {problem}")


def split_list(value: str) -> tuple[str, ...]:
    """The `;`-separated values of a cell (alt names, addresses, programs), stripped."""
    return tuple(p.strip() for p in value.split(";") if p.strip())


def read_records(
    lines: Iterable[str], file: str, required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each record; `#` lines before the header are comments.

    Raises ReferenceDataError naming the file and line for bad CSV, a missing column, or a
    record with a different number of fields than the header."""
    it = iter(lines)
    skipped = 0
    first: str | None = None
    for raw in it:
        if raw.lstrip().startswith("#") or not raw.strip():
            skipped += 1
            continue
        first = raw
        break
    if first is None:
        raise ReferenceDataError(file, None, "the file is empty (no header line)")

    def rest() -> Iterator[str]:
        yield first
        yield from it

    reader = csv.reader(rest(), strict=True)
    done = 0  # physical lines of the records read so far
    try:
        header = [h.strip() for h in next(reader)]
        header_line = skipped + 1
        missing = [c for c in required if c not in header]
        if missing:
            raise ReferenceDataError(
                file, header_line, f"no '{missing[0]}' column in the header ({', '.join(header)})"
            )
        done = reader.line_num
        for row in reader:
            start = skipped + done + 1
            done = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                raise ReferenceDataError(
                    file, start, f"{len(row)} fields where the header has {len(header)}"
                )
            yield start, dict(zip(header, row, strict=True))
    except csv.Error as exc:
        # name the line the broken record starts on (where an unclosed quote opened)
        raise ReferenceDataError(file, skipped + done + 1, f"bad CSV: {exc}") from None


def yes_no(value: str, file: str, line: int, column: str) -> bool:
    v = value.strip().lower()
    if v in ("yes", "y", "true", "1"):
        return True
    if v in ("no", "n", "false", "0"):
        return False
    raise ReferenceDataError(file, line, f"{column} must be yes or no, not '{value}'")
