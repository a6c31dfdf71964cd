"""What the desk says when something fails, in one line, and which typed text it refuses.

No input and no store or ERP failure closes the desk: the screens turn any error into a line
naming the action and what failed (the traceback goes to the log), and keep what was typed so
that the action can be tried again. These are the words for it; the catching is in
screens/failures.py.
"""

import unicodedata

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError, SQLAlchemyError

from orderdesk_tui.erp.connector import ErpError
from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.masking import mask

#: A notice longer than this is cut: it must stay one readable line.
MAX_REASON = 160


def _first_line(text: str) -> str:
    """The first line, secrets masked (a driver may quote its connection string)."""
    line = mask(next((part.strip() for part in text.splitlines() if part.strip()), ""))
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 1] + "…"


def _from_httpx(error: BaseException) -> bool:
    """An httpx error, told without importing httpx (kept off the desk's start-up path)."""
    return any(kind.__module__.startswith("httpx") for kind in type(error).__mro__)


def store_reason(error: BaseException) -> str:
    """The driver's own words for a failed statement (not SQLAlchemy's wrapping), on one line,
    secrets masked: `database is locked`."""
    orig = error.orig if isinstance(error, DBAPIError) else None
    return _first_line(str(orig) if orig is not None else str(error)) or type(error).__name__


def describe_failure(error: BaseException) -> str:
    """One line on what failed: the store, the ERP, or (for a bug) the error's kind."""
    if isinstance(error, OrderdeskError):
        return _first_line(str(error))
    if isinstance(error, DBAPIError):
        reason = store_reason(error)
        if isinstance(error, OperationalError) or error.connection_invalidated:
            return f"the store did not answer ({reason})"
        return f"the store refused it ({reason})"
    if isinstance(error, DisconnectionError | SQLAlchemyError):
        return f"the store did not answer ({_first_line(str(error))})"
    if isinstance(error, ErpError) or _from_httpx(error):
        reason = _first_line(str(error)) or type(error).__name__
        return f"the ERP did not answer ({reason})"
    reason = _first_line(str(error))
    return f"{type(error).__name__}: {reason}" if reason else type(error).__name__


def refused_text(text: str) -> str | None:
    """Why `text` cannot be typed or pasted into the desk, or None when it can.

    A NUL cannot be stored (PostgreSQL refuses it in text) and a lone surrogate cannot be
    encoded; both only arrive by accident (a binary paste, a broken terminal)."""
    for char in text:
        if char == "\x00":
            return "it holds a NUL character (\\x00)"
        if unicodedata.category(char) == "Cs":
            return f"it holds an invalid character (lone surrogate \\u{ord(char):04x})"
    return None
