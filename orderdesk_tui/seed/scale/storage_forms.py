"""Values in the form the store keeps them: the clock's dates and timestamps, UPCs, and the
bijections that spread generated keys."""

from datetime import date
from math import gcd

DAY = 86_400
HOUR = 3_600
#: The data set's "now": today 22:00 UTC, seconds from today 00:00 UTC.
AS_OF = 22 * HOUR


class StorageClock:
    """Dates and timestamps in the form SQLModel's UTCDateTime / Date store them on SQLite.

    Times are whole seconds from `today` 00:00 UTC; text is 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC,
    no offset) and 'YYYY-MM-DD'. PostgreSQL reads the same text in a session set to UTC.
    """

    def __init__(self, today: date) -> None:
        self.base = today.toordinal()
        self._days: dict[int, str] = {}

    def day(self, offset: int) -> str:
        text = self._days.get(offset)
        if text is None:
            text = self._days[offset] = date.fromordinal(self.base + offset).isoformat()
        return text

    def ts(self, seconds: int) -> str:
        d, rest = divmod(seconds, DAY)
        h, rest = divmod(rest, HOUR)
        m, s = divmod(rest, 60)
        return f"{self.day(d)} {h:02d}:{m:02d}:{s:02d}.000000"

    def weekday(self, offset: int) -> int:
        return date.fromordinal(self.base + offset).weekday()


def make_upc(i: int) -> str:
    """A UPC-A with a valid check digit, distinct for every i < 10**11."""
    body = f"{(i * 7_368_787_279 + 30_000_000_000) % 10**11:011d}"
    odd = sum(int(c) for c in body[0::2])
    even = sum(int(c) for c in body[1::2])
    return body + str((10 - (odd * 3 + even) % 10) % 10)


def permutation(n: int, salt: int) -> tuple[int, int]:
    """(a, b) such that x -> (a*x + b) % n is a bijection of range(n)."""
    a = 1_000_003 + 2 * salt
    while gcd(a, n) != 1:
        a += 2
    return a, (salt * 7_919) % n
