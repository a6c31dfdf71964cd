"""Who runs a command: `users.sign_in` with the desk password read the way a command line
should read it. Shared by `orderdesk` (cli.py) and `orderdesk sync` (sync_cli.py)."""

import getpass
import sys

from orderdesk_tui.config import Settings
from orderdesk_tui.models import User
from orderdesk_tui.services.users import sign_in
from orderdesk_tui.store import Store


def read_password(name: str) -> str:
    """`name`'s desk password: asked on the terminal, or one line of stdin when piped. Never
    from the command line or the environment, where other processes can read it."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(f"desk password for {name}: ")


def acting_user(as_user: str | None, settings: Settings, store: Store) -> User:
    """The proven user, or `as_user` (`--user`, ORDERDESK_USER, `[desk] user`) by password."""
    return sign_in(
        store,
        as_user or settings.desk.user or None,
        read_password,
        max_attempts=settings.desk.pin_max_attempts,
        lockout_minutes=settings.desk.pin_lockout_minutes,
    )
