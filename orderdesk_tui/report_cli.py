"""`orderdesk report NAME --from --to [filters] [--csv FILE]`: any report, headless.

For a scheduler: the report prints as aligned text, or with `--csv` streams to FILE (one line
per row as it is built) and prints one line saying where. `report returns` keeps its `--by`
(reason, item or customer) and its own columns.
"""

import argparse
from datetime import UTC, datetime
from typing import Any

from orderdesk_tui.config import Settings
from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.reports.catalog import REPORTS, build_report
from orderdesk_tui.reports.context import ReportContext
from orderdesk_tui.reports.table import text_lines, write_csv
from orderdesk_tui.services.kpi_queries import FILTERS, Filters, Period

DATE_HELP = "a date: 2026-11-01, 11/1, t, -30 (the entry shorthands)"


def add_report_parsers(report_sub: "argparse._SubParsersAction[Any]") -> None:
    for kind in REPORTS:
        if kind.name == "returns":
            continue  # its own parser (cli.py), with --by
        parser = report_sub.add_parser(kind.name, help=kind.title.lower())
        parser.add_argument("--from", dest="start", required=True, metavar="DATE", help=DATE_HELP)
        parser.add_argument("--to", dest="end", required=True, metavar="DATE", help=DATE_HELP)
        for name in FILTERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=f"filter_{name}", default="")
        parser.add_argument("--csv", metavar="FILE", help="write the rows as CSV to FILE")


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from orderdesk_tui.startup import open_for_use

    now = datetime.now(UTC)
    today = now.date()
    period = Period.parse(f"{args.start} {args.end}", today)
    filters = Filters(**{name: getattr(args, f"filter_{name}") for name in FILTERS})
    store = open_for_use(args.db, settings, demo_on_first_run=False, create=args.create).store
    ctx = ReportContext(store, settings, period, filters, today, now)
    report = build_report(args.report_command, ctx, reuse=False)
    if args.csv:
        try:
            path, count = write_csv(report, args.csv)
        except OSError as exc:
            raise OrderdeskError(f"--csv {args.csv}: {exc.strerror}") from None
        print(f"{report.title}: {count} rows written to {path}")
    else:
        for line in text_lines(report):
            print(line)
    return 0
