"""The SQL statements a piece of code sends to the store, for tests that bound them."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from orderdesk_tui.store import Store


@contextmanager
def recorded_statements(store: Store, *kinds: str) -> Iterator[list[str]]:
    """Every statement sent to `store` inside the block (only those starting with one of
    `kinds`, e.g. "SELECT", when given), in the order sent."""
    statements: list[str] = []
    wanted = tuple(kind.upper() for kind in kinds)

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not wanted or statement.lstrip().upper().startswith(wanted):
            statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
