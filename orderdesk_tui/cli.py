"""The `orderdesk` command line.

Every failure ends as one line on stderr and a non-zero exit, never a traceback: a bad
argument, a problem the user can act on, and an unexpected error too (its traceback goes to the
log file, `orderdesk doctor` says where). Secrets (URL passwords, the ERP key, the wallboard
token) are masked in both. Textual is imported only when the TUI starts, so the other commands
stay quick.

Run as the program (`orderdesk`, `python -m orderdesk_tui.cli`), this module pauses the garbage
collector before its imports: start-up only creates objects that live as long as the process
(modules, classes, mappers, the first screen), and the collector's passes over them were ~13%
of the time to first paint. `main` resumes it at once for every command but the TUI, whose app
freezes what start-up made and resumes it after the first paint (`OrderDeskApp.on_ready`).
Imported by other code (tests), it leaves the collector alone.
"""

import gc
import os
import sys

if __name__ == "__main__" or os.path.basename(sys.argv[0]) == "orderdesk":
    gc.disable()

# isort: split
import argparse
import getpass
import time
from collections.abc import Sequence
from importlib.metadata import version

from sqlalchemy.exc import DBAPIError

from orderdesk_tui.cli_args import (
    OneLineParser,
    leaf_parsers,
    port_number,
    seconds,
    store_options,
)
from orderdesk_tui.config import MAIL_PASSWORD_VARIABLE, Settings, load_settings
from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.logfile import LOGGER, log_unexpected, setup_logging
from orderdesk_tui.masking import mask, register_secret, register_url
from orderdesk_tui.models.base import Role

EXIT_PROBLEM = 2


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="orderdesk", description="Keyboard-first order desk. With no command: start the TUI."
    )
    parser.add_argument("--version", action="version", version=f"orderdesk {version('orderdesk')}")
    store_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = sub.add_parser("db", help="store schema")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="create the store or upgrade it to this version's schema")

    seed = sub.add_parser("seed", help="fill an empty store")
    which = seed.add_mutually_exclusive_group(required=True)
    which.add_argument("--demo", action="store_true", help="the bundled demo data set")
    which.add_argument("--scale", type=int, metavar="N", help="N parts, N/10 customers, N lines")
    seed.add_argument("--seed", type=int, default=1, help="random seed for --scale (default 1)")

    sub.add_parser("doctor", help="check config, store, keymap and ERP; non-zero on a problem")

    user = sub.add_parser("user", help="users and roles")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_sub.add_parser("add", help="add a user (admins)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--pin", action="store_true", help="set an override PIN (asked for)")
    add.add_argument("--password", action="store_true", help="set a desk password (asked for)")
    pin = user_sub.add_parser("pin", help="set your override PIN, or (admins) a user's")
    pin.add_argument("name", nargs="?", help="default: yourself")
    password = user_sub.add_parser("password", help="set your desk password, or (admins) a user's")
    password.add_argument("name", nargs="?", help="default: yourself")
    role = user_sub.add_parser("role", help="change a user's role (admins)")
    role.add_argument("name")
    role.add_argument("role", choices=[r.value for r in Role])
    user_sub.add_parser("list", help="list users and roles")

    report = sub.add_parser("report", help="reports for a period, on screen or as CSV")
    report_sub = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    returns = report_sub.add_parser("returns", help="returns by reason, item or customer")
    returns.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    returns.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    returns.add_argument("--by", choices=("reason", "item", "customer"), default="reason")
    returns.add_argument("--csv", metavar="FILE", help="write the rows as CSV to FILE")
    from orderdesk_tui.report_cli import add_report_parsers

    add_report_parsers(report_sub)
    board = sub.add_parser("wallboard", help="the supervisors' read-only wall display")
    board.add_argument("--serve", action="store_true", help="serve it to browsers (textual-serve)")
    board.add_argument("--host", default="localhost", help="with --serve: address to listen on")
    board.add_argument(
        "--port", type=port_number, default=8000, help="with --serve: port (default 8000)"
    )
    board.add_argument(
        "--rotate", type=seconds, default=12.0, metavar="S", help="seconds per pane (default 12)"
    )

    sync = sub.add_parser("sync", help="ERP sync: push the outbox, pull master data")
    actions = sync.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    actions.add_parser("push", help="send the due outbox entries once")
    actions.add_parser("pull", help="pull customers, items and stock changed since last time")
    actions.add_parser("status", help="outbox counts, last success and error, failed entries")
    retry = actions.add_parser(
        "retry", help="send again what the ERP refused for an order (or a customer), once fixed"
    )
    which_retry = retry.add_mutually_exclusive_group(required=True)
    which_retry.add_argument("number", nargs="?", metavar="ORDER", help="the order number")
    which_retry.add_argument("--customer", metavar="CODE", help="a customer's failed entries")
    run = actions.add_parser("run", help="push and pull until Ctrl+C or SIGTERM")
    run.add_argument("--interval", type=seconds, metavar="S", help="seconds between passes")
    for leaf in leaf_parsers(parser):
        if leaf is not parser:
            store_options(leaf, on_command=True)
    return parser


def _read_new_secret(what: str) -> str:
    """A new PIN or password: typed twice on a terminal, else one line of stdin (scripts)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"{what}: ")
    if getpass.getpass(f"{what} again: ") != first:
        raise OrderdeskError("the two entries differ; nothing was changed")
    return first


def _cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from orderdesk_tui.startup import store_target
    from orderdesk_tui.store import open_store

    store = open_store(
        store_target(args.db, settings), busy_timeout_s=settings.store.busy_timeout_s
    )
    before, after = store.upgrade()
    if before == after:
        print(f"{store.display_url}: schema {after} is current")
    else:
        print(f"{store.display_url}: schema {before or 'empty'} -> {after}")
    return 0


def _cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from orderdesk_tui.startup import open_for_use

    opened = open_for_use(args.db, settings, demo_on_first_run=False, create=True)
    started = time.perf_counter()
    if args.demo:
        from orderdesk_tui.seed.demo import load_demo

        loaded = str(load_demo(opened.store))
    else:
        from orderdesk_tui.seed.scale import seed_scale

        loaded = str(seed_scale(opened.store, args.scale, rng_seed=args.seed, progress=print))
    opened.store.ensure_statistics()  # the planner's row counts for what was just loaded
    print(f"{opened.store.display_url}: {loaded} in {time.perf_counter() - started:.1f} s")
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from orderdesk_tui.doctor import doctor_exit_code, run_doctor

    checks = run_doctor(args.db)
    for check in checks:
        print(check)
    return doctor_exit_code(checks)


def _cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    from orderdesk_tui.services import users
    from orderdesk_tui.services.credentials import Kind
    from orderdesk_tui.signin import acting_user
    from orderdesk_tui.startup import open_for_use

    store = open_for_use(args.db, settings, demo_on_first_run=False, create=args.create).store
    actor = acting_user(args.user, settings, store).name
    if args.user_command == "add":
        pin = _read_new_secret("PIN (6-12 digits)") if args.pin else None
        password = _read_new_secret("desk password") if args.password else None
        user = users.add_user(store, args.name, args.role, actor=actor, pin=pin, password=password)
        given = " and ".join(w for w, v in (("a PIN", pin), ("a password", password)) if v)
        print(f"added {user.name} ({user.role}){' with ' + given if given else ''}")
    elif args.user_command in ("pin", "password"):
        kind = Kind(args.user_command)
        label = "PIN (6-12 digits)" if kind == Kind.PIN else "desk password"
        name = args.name or actor
        users.set_secret(store, name, kind, _read_new_secret(label), actor=actor)
        print(f"{kind.label} set for {name}")
    elif args.user_command == "role":
        user = users.set_role(store, args.name, args.role, actor=actor)
        print(f"{user.name} is now {user.role}")
    else:
        for row in users.list_users(store):
            pin_state = "PIN" if row.has_pin else "-"
            password_state = "password" if row.has_password else "-"
            active = "" if row.active else "inactive"
            print(f"{row.name:<20} {row.role:<12} {pin_state:<4} {password_state:<8} {active}")
    return 0


def _cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from orderdesk_tui.reports.returns import parse_period, returns_report, write_csv
    from orderdesk_tui.startup import open_for_use

    if args.report_command != "returns":
        from orderdesk_tui.report_cli import cmd_report

        return cmd_report(args, settings)

    start, end = parse_period(args.start, args.end)
    store = open_for_use(args.db, settings, demo_on_first_run=False, create=args.create).store
    report = returns_report(store, start, end, args.by)
    if args.csv:
        try:
            path = write_csv(report, args.csv)
        except OSError as exc:
            raise OrderdeskError(f"--csv {args.csv}: {exc.strerror}") from None
        print(f"{report.title}: {len(report.rows)} rows written to {path}")
    else:
        print(report.title)
        print(report.text(), end="")
    return 0


def _cmd_tui(args: argparse.Namespace, settings: Settings) -> int:
    from orderdesk_tui.signin import acting_user
    from orderdesk_tui.startup import open_for_use

    if sys.stderr.isatty():  # progress for a person; piped, a failure stays one line
        print("orderdesk: opening the store…", file=sys.stderr, flush=True)
    opened = open_for_use(args.db, settings, demo_on_first_run=True, create=args.create)
    user = acting_user(args.user, settings, opened.store)
    from orderdesk_tui.app import OrderDeskApp

    app = OrderDeskApp(store=opened.store, settings=settings, user=user, notices=opened.events)
    app.run()
    if app.crash:  # logged with its traceback; the terminal gets one line
        raise OrderdeskError(app.crash)
    return app.return_code or 0


def _cmd_wallboard(args: argparse.Namespace, settings: Settings) -> int:
    """The wallboard in this terminal, or (--serve) one per browser that connects, each run as
    this same command without --serve."""
    from orderdesk_tui.startup import open_for_use

    if args.serve:
        from orderdesk_tui.wallboard_serve import check_address

        check_address(args.host, args.port)  # before the store: a typo costs nothing
    # the first start on the default store loads the demo, whichever command starts it
    opened = open_for_use(args.db, settings, demo_on_first_run=True, create=args.create)
    if args.serve:
        from orderdesk_tui.wallboard_serve import serve

        return serve(opened.store.url, settings, host=args.host, port=args.port, rotate=args.rotate)
    from screens.wallboard import WallboardApp

    app = WallboardApp(opened.store, settings, rotate_s=args.rotate)
    app.run()
    if app.crash:
        raise OrderdeskError(app.crash)
    return 0


def _db_reason(exc: DBAPIError) -> str:
    lines = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return lines[0] if lines else type(exc.orig or exc).__name__


def _register_secrets(settings: Settings) -> None:
    """Everything secret this process was given, masked from now on in output and the log."""
    register_url(settings.store.url)
    register_url(settings.erp.url)
    register_secret(settings.erp.key.get_secret_value())
    register_secret(settings.wallboard.token.get_secret_value())


def main(argv: Sequence[str] | None = None) -> int:
    setup_logging()
    for name in ("ORDERDESK_DB", "ORDERDESK_STORE_URL", "ORDERDESK_ERP_URL"):
        register_url(os.environ.get(name))
    register_secret(os.environ.get("ORDERDESK_ERP_KEY"))
    register_secret(os.environ.get(MAIL_PASSWORD_VARIABLE))
    try:
        args = _parser().parse_args(argv)
        if args.command is not None:  # not the TUI: nothing to gain from pausing the collector
            gc.enable()
        return _run(args)
    finally:
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    register_url(args.db)
    try:
        if args.command == "doctor":
            return _cmd_doctor(args)
        settings = load_settings()
        _register_secrets(settings)
        if args.command == "db":
            return _cmd_db_upgrade(args, settings)
        if args.command == "seed":
            return _cmd_seed(args, settings)
        if args.command == "user":
            return _cmd_user(args, settings)
        if args.command == "report":
            return _cmd_report(args, settings)
        if args.command == "wallboard":
            return _cmd_wallboard(args, settings)
        if args.command == "sync":
            from orderdesk_tui.sync_cli import cmd_sync

            return cmd_sync(args, settings)
        return _cmd_tui(args, settings)
    except OrderdeskError as exc:
        print(mask(f"orderdesk: {exc}"), file=sys.stderr)
        return EXIT_PROBLEM
    except DBAPIError as exc:
        # The store failed mid-command (locked past the busy timeout, server gone): one line.
        LOGGER.warning("store error", exc_info=exc)
        print(mask(f"orderdesk: store error: {_db_reason(exc)}"), file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print("orderdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug or a case nobody foresaw: the traceback goes to the log
        print(f"orderdesk: {log_unexpected(exc)}", file=sys.stderr)
        return EXIT_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
