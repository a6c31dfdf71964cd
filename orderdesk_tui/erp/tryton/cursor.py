"""Where an incremental pull from Tryton stopped: an opaque cursor (`PullCursor`) on the
records' `write_date` (or `create_date` for never-written records) that remembers the last
stamp and the records already returned in a short window before it, so records committed
slightly out of order are still seen and nothing is returned twice; and the search domain and
stamps the pulls build from it."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from orderdesk_tui.erp.connector import PermanentErpError


def latest_stamp(*values: Any) -> datetime:
    """The latest of the write/create dates given (Tryton leaves write_date null until the
    first write)."""
    stamps = [v for v in values if isinstance(v, datetime)]
    return max(stamps) if stamps else datetime(1970, 1, 1)


@dataclass
class PullCursor:
    """Where a pull stopped: the latest stamp returned, the (id, stamp) pairs already returned
    within `lag` before it, and for the first stock pull the product id reached so far."""

    stamp: datetime | None = None
    seen: dict[int, datetime] = field(default_factory=dict)
    after_id: int | None = None  # stock: full pass in progress, products with id > after_id

    @classmethod
    def decode(cls, text: str | None) -> PullCursor:
        if not text:
            return cls()
        try:
            prefix, payload = text.split(".", 1)
            if prefix != "t1":
                raise ValueError(prefix)
            data = json.loads(zlib.decompress(base64.urlsafe_b64decode(payload.encode())))
            seen = {
                int(i): datetime.fromisoformat(stamp)
                for stamp, ids in data.get("seen", {}).items()
                for i in ids
            }
            stamp = datetime.fromisoformat(data["t"]) if data.get("t") else None
            return cls(stamp=stamp, seen=seen, after_id=data.get("after"))
        except (ValueError, KeyError, TypeError, zlib.error) as exc:
            raise PermanentErpError(f"not a Tryton pull cursor: {text[:40]!r}") from exc

    def encode(self) -> str:
        by_stamp: dict[str, list[int]] = {}
        for record_id, stamp in sorted(self.seen.items()):
            by_stamp.setdefault(stamp.isoformat(), []).append(record_id)
        data: dict[str, Any] = {"t": self.stamp.isoformat() if self.stamp else None}
        if by_stamp:
            data["seen"] = by_stamp
        if self.after_id is not None:
            data["after"] = self.after_id
        raw = json.dumps(data, separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(zlib.compress(raw, 9))
        return "t1." + payload.decode()

    def since(self, lag: timedelta) -> datetime | None:
        return None if self.stamp is None else self.stamp - lag

    def advance(self, returned: Iterable[tuple[int, datetime]], lag: timedelta) -> PullCursor:
        seen = dict(self.seen)
        seen.update(returned)
        stamp = max([*seen.values(), *([self.stamp] if self.stamp else [])], default=None)
        if stamp is not None:
            seen = {i: s for i, s in seen.items() if s >= stamp - lag}
        return PullCursor(stamp=stamp, seen=seen, after_id=self.after_id)


def changed_domain(since: datetime | None, paths: Sequence[str]) -> list[Any]:
    if since is None:
        return []
    clauses: list[Any] = ["OR"]
    for path in paths:
        prefix = f"{path}." if path else ""
        clauses.append([f"{prefix}write_date", ">=", since])
        clauses.append([f"{prefix}create_date", ">=", since])
    return [clauses]


def dates_under(row: Any, path: str) -> list[Any]:
    """The write/create dates found under a dotted path of a REST row (lists flattened)."""
    nodes = [row]
    for part in path.split("."):
        nxt: list[Any] = []
        for node in nodes:
            value = node.get(part) if isinstance(node, dict) else None
            if isinstance(value, list):
                nxt.extend(value)
            elif value is not None:
                nxt.append(value)
        nodes = nxt
    return [n.get(k) for n in nodes if isinstance(n, dict) for k in ("write_date", "create_date")]
