"""Running a write transaction again when PostgreSQL aborted it for losing a race, or when the
connection broke under it (a PostgreSQL restart).

Two terminals' transactions can still deadlock (PostgreSQL then aborts one of them with
SQLSTATE 40P01) or, under a stricter isolation level, fail to serialize (40001), even though
the services lock rows in one order. Neither is the user's fault and nothing of the aborted
transaction was written, so the work is run again, from the start, after a short random pause
(jitter, so that the two losers do not collide again in step). Each retry is logged on this
module's logger: bench/terminals.py counts them. SQLite never raises these (its writers take
the database lock up front with BEGIN IMMEDIATE).

A PostgreSQL restart (or a dropped network) breaks the connections of the transactions under
way. One that broke before its COMMIT was rolled back by the server, so it is run once more as
soon as the database answers again (a fast restart takes a second or two); if it still cannot
run, the action is refused with `DatabaseAway` (nothing saved, do it again). One that broke
during the COMMIT is not run again: store.CommitUncertain says so.
"""

import logging
import random
import time
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from orderdesk_tui.errors import StoreError
from orderdesk_tui.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

#: SQLSTATEs of a transaction aborted for a race it lost: serialization failure, deadlock.
RETRYABLE = frozenset({"40001", "40P01"})
ATTEMPTS = 4
#: Upper bound of the first pause, in seconds; it doubles with every attempt.
FIRST_PAUSE_S = 0.02
#: SQLSTATEs of a server going away or not there yet: admin/crash shutdown, starting up.
SERVER_GONE = frozenset({"57P01", "57P02", "57P03"})
#: How long the one run after a lost connection waits for the database to answer again.
RECONNECT_WAIT_S = 10.0


class DatabaseAway(StoreError):
    """The connection to the database was lost and the action could not be run again."""


def lost_race(error: DBAPIError) -> bool:
    """Whether the database aborted the transaction for a deadlock or a serialization failure."""
    return getattr(error.orig, "sqlstate", None) in RETRYABLE


def connection_lost(error: DBAPIError) -> bool:
    """Whether the connection broke (or could not be made): the server restarted, stopped or
    cannot be reached. Raised from a store session's work, before its commit (store._commit
    turns a break during the commit into CommitUncertain), so nothing of it was saved."""
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is None:  # refused or reset before the server said anything
        return isinstance(error, OperationalError)
    return sqlstate in SERVER_GONE or sqlstate.startswith("08")


def _wait_until_answering(store: Store, seconds: float) -> None:
    """Until `store` answers a query again (the pool then holds fresh connections) or
    `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with store.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        except DBAPIError:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.25)


def run_again_on_conflict(work: Callable[[], T], *, what: str, store: Store | None = None) -> T:
    """`work()` (one whole transaction), run again up to ATTEMPTS times in all if PostgreSQL
    aborts it for a deadlock or a serialization failure, and (given the `store`) once more if
    the connection broke before it committed; any other error is raised at once."""
    attempt, reconnected = 1, False
    while True:
        try:
            return work()
        except DBAPIError as error:
            if store is not None and not store.is_sqlite and connection_lost(error):
                if reconnected:
                    raise DatabaseAway(
                        "the connection to the database was lost (a restart?): nothing was saved"
                    ) from error
                reconnected = True
                log.warning("%s: the connection broke, running it again", what, exc_info=error)
                _wait_until_answering(store, RECONNECT_WAIT_S)
                continue
            if not lost_race(error) or attempt >= ATTEMPTS:
                raise
            pause = random.uniform(0, FIRST_PAUSE_S * 2 ** (attempt - 1))
            attempt += 1
            log.info(
                "%s: %s, running it again in %.0f ms (attempt %d of %d)",
                what,
                getattr(error.orig, "sqlstate", "?"),
                pause * 1000,
                attempt,
                ATTEMPTS,
            )
            time.sleep(pause)


def survives_restart(
    action: Callable[Concatenate[Store, P], T],
) -> Callable[Concatenate[Store, P], T]:
    """A service action (one transaction on its first argument, the store) run once more if
    the connection broke under it before it committed (see run_again_on_conflict)."""

    @wraps(action)
    def run(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return run_again_on_conflict(
            lambda: action(store, *args, **kwargs), what=action.__name__, store=store
        )

    return run
