"""The work queue: everything needing a person, gathered in a handful of set-based reads.

Sources (one query each, never a query per order; `services.queue_reads`): orders in draft, on
hold, not acknowledged, rush or with a late backorder, with their open holds; RMAs waiting for
a step; callbacks due from the communication log; customers' change requests (inbound EDI 860s
nobody has handled yet, or could not read); and the queue's own per-item state (who took it,
snoozes, escalations). Each item then gets its SLA clock and priority (`services.queue_builder`),
and the list is sorted most urgent first. This module keeps a screen's queue current: it reads
again and rebuilds only the items that changed (`QueueReader`).

A change request is worked like an acknowledgement: its clock is the acknowledgement SLA of the
customer's tier, from when the 860 was received. It leaves the queue when the EDI document is
marked handled (state `acknowledged`), not through a queue action.
"""

import gc
import threading
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from heapq import heappop, heappush
from typing import Any

from orderdesk_tui.config import SlaSettings
from orderdesk_tui.domain.queue_filter import Context, QueueFilter
from orderdesk_tui.domain.queue_items import QueueItem, ReasonKind, Subject
from orderdesk_tui.services.queue_builder import ItemBuilder
from orderdesk_tui.services.queue_reads import MAX_CHANGED, QueueRows, money_reader, read_rows
from orderdesk_tui.services.sla_clock import sla_policy
from orderdesk_tui.store import Store


@dataclass
class QueueSnapshot:
    """The whole queue as read at `now`, most urgent first (snoozed items included)."""

    items: list[QueueItem]
    now: datetime
    warn_s: int

    def visible(self, flt: QueueFilter, user: str) -> list[QueueItem]:
        ctx = Context(user=user, now=self.now, warn_s=self.warn_s)
        return flt.select(self.items, ctx)


ORDER, RMA_ITEM, NOTE, CHANGE = Subject.ORDER, Subject.RMA, Subject.NOTE, Subject.CHANGE


@contextmanager
def _no_collection() -> Iterator[None]:
    """No garbage collection during a read: it allocates tens of thousands of tuples that are
    all kept, and the collector's passes over them doubled the slowest refreshes (125 -> 60 ms
    at p95 for 10,000 items, bench/queue_refresh.py). Collection resumes right after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class QueueReader:
    """Reads the queue for a screen again and again, rebuilding only the items that changed.

    The first read of the day runs the set-based queries over every open order (a few tens of
    ms for ten thousand items). Later reads ask the change feed (models.queue.QueueChange)
    which orders changed since and read only those again, plus the small sources (RMAs,
    call-backs, change requests) whole. An item whose rows are exactly as last time is reused
    as it was built, SLA clock and score included. An item whose clock runs (drafts,
    unacknowledged orders, change requests, and those not yet due) is built again from the
    rows already read once it is `RESCORE_S` old, so clocks and the items that fall due with
    time stay that current; the items built in one read get their next build spread over the
    second half of that time, so a later read rebuilds a share of them, never all at once.
    Everything else scores the same whatever the time. That keeps a refresh cheap however long
    the queue is.
    """

    RESCORE_S = 30.0

    def __init__(self, store: Store, sla: SlaSettings, *, replica_only: bool = False) -> None:
        """The first read (of the day) may come from a replica, the later ones (after a
        change notice, from the primary) come from the primary; `replica_only` (the
        wallboard): every read from a replica. The feed mark reads the same on either."""
        self.store = store
        self.sla = sla
        self.replica_only = replica_only
        self._lock = threading.Lock()
        self._built: dict[tuple[Subject, int], tuple[Any, QueueItem | None]] = {}
        self._rows: QueueRows | None = None
        self._today: date | None = None
        #: The items of the last read, most urgent first; what went and came since (a read).
        self._items: list[QueueItem] = []
        self._gone: list[QueueItem] = []
        self._added: list[QueueItem] = []
        #: Items whose clock runs: when each is due to be built again (a heap, and the
        #: current due per key: a heap entry for another time is stale), and those built in
        #: this read.
        self._due: list[tuple[datetime, int, tuple[Subject, int]]] = []
        self._due_at: dict[tuple[Subject, int], datetime] = {}
        self._clocked: list[tuple[Subject, int]] = []
        self._scheduled = 0
        #: The latest read, for a screen that opens to show at once while it reads again.
        self.last: QueueSnapshot | None = None

    def read(self, now: datetime | None = None) -> QueueSnapshot:
        now = now or datetime.now(UTC)
        policy = sla_policy(self.sla, now)
        with self._lock, _no_collection():
            today = now.astimezone(policy.calendar.tz).date()
            # a new day judges every backorder's promise anew: read everything
            before = self._rows if today == self._today else None
            reads = self.store.session
            if before is None or self.replica_only:
                reads = self.store.read_session
            with reads() as session:
                conn = session.connection()
                rows, only = read_rows(conn, self.store.is_sqlite, today, now, before)
            build = ItemBuilder(policy, now, money_reader(conn))
            self._gone, self._added, self._clocked = [], [], []
            built = self._built
            visit: Iterable[int] = rows.orders
            if only is not None:  # the other orders' items stand as built
                visit = only
            else:  # every order looked at: those no longer read have left the queue
                for key in [k for k in built if k[0] == ORDER and k[1] not in rows.orders]:
                    self._drop(key)
            for order_id in visit:
                key = (ORDER, order_id)
                if (row := rows.orders.get(order_id)) is None:
                    self._drop(key)
                    continue
                holds = rows.holds.get(order_id)
                state = rows.states.get((ORDER, order_id))
                mails = rows.mails.get(order_id)
                order_signature = (row, holds, state, mails)
                known = built.get(key)
                if known is None or known[0] != order_signature:
                    self._put(key, order_signature, build.order(row, holds, state, mails))
            seen: set[tuple[Subject, int]] = set()
            for subject, source, make in (
                (RMA_ITEM, rows.rmas, build.rma),
                (NOTE, rows.callbacks, build.callback),
                (CHANGE, rows.changes, build.change),
            ):
                for row in source:
                    key = (subject, row[0])
                    seen.add(key)
                    state = rows.states.get((subject, row[0]))
                    signature = (row, state)
                    known = built.get(key)
                    if known is None or known[0] != signature:
                        self._put(key, signature, make(row, state))
            for key in [k for k in built if k[0] != ORDER and k not in seen]:
                self._drop(key)
            self._rescore(now, build)
            self._schedule(now)
            self._rows = rows
            self._today = today
            self._items = self._ranked(resort=only is None)
        self.last = QueueSnapshot(list(self._items), now, policy.warn_s)
        return self.last

    def _put(self, key: tuple[Subject, int], signature: Any, item: QueueItem | None) -> None:
        self._drop(key)
        self._built[key] = (signature, item)
        if item is not None:
            self._added.append(item)
        if item is None or item.sla is not None:  # its clock runs
            self._clocked.append(key)

    def _drop(self, key: tuple[Subject, int]) -> None:
        self._due_at.pop(key, None)
        known = self._built.pop(key, None)
        if known is not None and known[1] is not None:
            self._gone.append(known[1])

    def _rescore(self, now: datetime, build: "ItemBuilder") -> None:
        """Build again, from the rows they were built from, the items whose time has come."""
        makers: dict[Subject, Callable[..., QueueItem | None]] = {
            ORDER: build.order,
            RMA_ITEM: build.rma,
            NOTE: build.callback,
            CHANGE: build.change,
        }
        due = self._due
        while due and due[0][0] <= now:
            at, _, key = heappop(due)
            if self._due_at.get(key) != at:  # built again or gone since it was scheduled
                continue
            signature = self._built[key][0]
            self._put(key, signature, makers[key[0]](*signature))

    def _schedule(self, now: datetime) -> None:
        """When the items built in this read are built again: spread over the second half of
        RESCORE_S, in the order they were built."""
        count = len(self._clocked)
        for n, key in enumerate(self._clocked, 1):
            at = now + timedelta(seconds=self.RESCORE_S * (0.5 + 0.5 * n / count))
            self._due_at[key] = at
            self._scheduled += 1
            heappush(self._due, (at, self._scheduled, key))

    def _ranked(self, resort: bool) -> list[QueueItem]:
        """The items most urgent first: the last list with the items that went taken out and
        the new ones put in their place (a few binary searches), or sorted again whole when
        much changed."""
        if not resort and len(self._gone) + len(self._added) <= MAX_CHANGED:
            items = list(self._items)  # the last snapshot keeps its own list
            for item in self._gone:
                at = bisect_left(items, _rank(item), key=_rank)
                while at < len(items) and items[at] is not item:  # equal ranks: find this one
                    at += 1
                if at == len(items):  # not where it should be: a read that failed half-way
                    break
                del items[at]
            else:
                for item in self._added:
                    insort(items, item, key=_rank)
                return items
        items = [item for _, item in self._built.values() if item is not None]
        items.sort(key=_rank)
        return items


def _rank(item: QueueItem) -> tuple[bool, int, datetime, str, int]:
    """Queue order: rush work first (a rush order not yet released jumps the queue), then
    highest score, then longest waiting; ties by subject and id, so the order is the same
    however the list was made."""
    rush_work = item.rush and any(r.kind == ReasonKind.RUSH for r in item.reasons)
    return not rush_work, -item.priority.score, item.since, item.subject, item.subject_id


def load_queue(store: Store, sla: SlaSettings, now: datetime | None = None) -> QueueSnapshot:
    """The queue read once, every item built as of `now`."""
    return QueueReader(store, sla).read(now)
