"""Running a write transaction again when PostgreSQL aborted it for losing a race.

Two terminals' transactions can still deadlock (PostgreSQL then aborts one of them with
SQLSTATE 40P01) or, under a stricter isolation level, fail to serialize (40001), even though
the services lock rows in one order. Neither is the user's fault and nothing of the aborted
transaction was written, so the work is run again, from the start, after a short random pause
(jitter, so that the two losers do not collide again in step). Each retry is logged on this
module's logger: bench/terminals.py counts them. SQLite never raises these (its writers take
the database lock up front with BEGIN IMMEDIATE).
"""

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

T = TypeVar("T")

#: SQLSTATEs of a transaction aborted for a race it lost: serialization failure, deadlock.
RETRYABLE = frozenset({"40001", "40P01"})
ATTEMPTS = 4
#: Upper bound of the first pause, in seconds; it doubles with every attempt.
FIRST_PAUSE_S = 0.02


def lost_race(error: DBAPIError) -> bool:
    """Whether the database aborted the transaction for a deadlock or a serialization failure."""
    return getattr(error.orig, "sqlstate", None) in RETRYABLE


def run_again_on_conflict(work: Callable[[], T], *, what: str) -> T:
    """`work()` (one whole transaction), run again up to ATTEMPTS times in all if PostgreSQL
    aborts it for a deadlock or a serialization failure; any other error is raised at once."""
    for attempt in range(1, ATTEMPTS):
        try:
            return work()
        except DBAPIError as error:
            if not lost_race(error):
                raise
            pause = random.uniform(0, FIRST_PAUSE_S * 2 ** (attempt - 1))
            log.info(
                "%s: %s, running it again in %.0f ms (attempt %d of %d)",
                what,
                getattr(error.orig, "sqlstate", "?"),
                pause * 1000,
                attempt + 1,
                ATTEMPTS,
            )
            time.sleep(pause)
    return work()
