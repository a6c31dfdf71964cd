"""The log file: tracebacks of unexpected errors (and warnings), secrets masked.

A user sees one line; the traceback goes to `orderdesk.log` in the user log dir (rotating,
`orderdesk doctor` prints its path). Every record passes through `MaskSecrets` on its way to
the file, message and traceback alike.
"""

import logging
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from orderdesk_tui.masking import mask
from orderdesk_tui.paths import log_dir

LOGGER = logging.getLogger("orderdesk")
#: Size at which the log rotates, and how many old logs are kept.
MAX_BYTES = 1_000_000
BACKUPS = 3


def log_path() -> Path:
    return log_dir() / "orderdesk.log"


class MaskSecrets(logging.Filter):
    """Masks secrets in the record's message, traceback and stack before any handler sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


class _LogFile(RotatingFileHandler):
    """Creates the log dir only when something is logged; a log that cannot be written is
    skipped quietly (the user still gets the one line)."""

    def _open(self) -> Any:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def setup_logging() -> None:
    """Send warnings and errors of every library, and orderdesk's own info, to the log file."""
    root = logging.getLogger()
    if any(isinstance(h, _LogFile) for h in root.handlers):
        return
    handler = _LogFile(
        log_path(), maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
    )
    handler.addFilter(MaskSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    LOGGER.setLevel(logging.INFO)


def log_unexpected(error: BaseException) -> str:
    """Log `error` with its traceback; the one line to show the user (secrets masked)."""
    LOGGER.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    detail = str(error).strip().splitlines()
    what = f"{type(error).__name__}: {detail[0]}" if detail else type(error).__name__
    return mask(f"unexpected error ({what}); the traceback is in {log_path()}")
