"""Argument parsing details of the `orderdesk` command line (cli.py builds the commands).

- A bad argument ends as one line, like every other problem (argparse prints its usage).
- `--db`, `--user` and `--create` are accepted before the command and after it.
- Seconds and ports are checked where they are parsed: `nan`, `-1` and `inf` never reach a loop.
"""

import argparse
import math
from typing import Any, NoReturn

from orderdesk_tui.masking import mask

#: Exit code of a bad argument (argparse's own), as for every other problem.
EXIT_PROBLEM = 2
#: Longest --interval / --rotate: a day.
MAX_SECONDS = 86400.0


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments end as one line too (argparse prints the usage and exits 2)."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("orderdesk").strip()
        where = f"{command}: " if command else ""
        self.exit(EXIT_PROBLEM, mask(f"orderdesk: {where}{message} (see --help)") + "\n")


def seconds(text: str) -> float:
    """A number of seconds for --interval / --rotate: more than 0, at most a day, not nan."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a number of seconds from more than 0 to {MAX_SECONDS:g}"
        )
    return value


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port (1 to 65535)")
    return value


def store_options(parser: argparse.ArgumentParser, *, on_command: bool = False) -> None:
    """--db, --user and --create; on subcommands too (`orderdesk seed --scale 20 --db x`),
    where they default to SUPPRESS so that they do not reset what came before the command."""
    unset: Any = argparse.SUPPRESS if on_command else None
    parser.add_argument(
        "--db", metavar="URL_OR_PATH", default=unset, help="store: a SQLite path or a URL"
    )
    parser.add_argument(
        "--user",
        default=unset,
        help="act as this desk user (asks for their desk password; default: you)",
    )
    parser.add_argument(
        "--create",
        action="store_true",
        default=argparse.SUPPRESS if on_command else False,
        help="create the --db store if it does not exist (db upgrade and seed always do)",
    )


def leaf_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        return [parser]
    return [leaf for sub in subparsers for p in sub.choices.values() for leaf in leaf_parsers(p)]
