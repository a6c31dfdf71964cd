"""What every part of the sync engine shares: its settings, its clock, the store run in a
thread, and its view of the ERP (`erp_state`). `push.Pusher` and `pull.Puller` build on it;
`engine.SyncEngine` is both."""

import asyncio
import random
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from orderdesk_tui.erp.connector import Connector, ErpError, TransientErpError
from orderdesk_tui.erp.sync.outbox import SYNC_ACTOR, aware, fit, put_state
from orderdesk_tui.erp.sync.retry import Backoff
from orderdesk_tui.errors import StaleEdit
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.store import Store

T = TypeVar("T")

#: ERP order states of an order created but not yet confirmed (an attempt stopped half-way);
#: a connector may say otherwise with an `incomplete_states` attribute.
INCOMPLETE_STATES = frozenset({"draft", "quotation"})


class EngineBase:
    """The engine's settings and shared helpers; see `engine.SyncEngine` for the whole."""

    def __init__(
        self,
        store: Store,
        connector: Connector,
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        concurrency: int = 4,
        backoff_base_s: float = 2.0,
        backoff_cap_s: float = 300.0,
        retry_after_cap_s: float = 3600.0,
        settle_s: float = 10.0,
        lease_s: float = 300.0,
        conflict_grace_s: float = 5.0,
        poll_interval_s: float = 2.0,
        pull_interval_s: float = 60.0,
        max_batch: int = 1000,
        max_pull_pages: int = 100,
        lookup_before_first_create: bool = False,
        actor: str = SYNC_ACTOR,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.store = store
        self.connector = connector
        self.clock = clock
        self.rng = rng or random.Random()
        self.concurrency = concurrency
        self.backoff = Backoff(backoff_base_s, backoff_cap_s, retry_after_cap_s)
        self.settle_s = settle_s
        self.lease_s = lease_s
        self.conflict_grace_s = conflict_grace_s
        self.poll_interval_s = poll_interval_s
        self.pull_interval_s = pull_interval_s
        self.max_batch = max_batch
        self.max_pull_pages = max_pull_pages
        self.lookup_before_first_create = lookup_before_first_create
        self.actor = actor
        self.incomplete_states: frozenset[str] = frozenset(
            getattr(connector, "incomplete_states", INCOMPLETE_STATES)
        )
        #: idle, syncing, online, unreachable, error, stopped: this engine's view of the ERP.
        self.erp_state = "idle"
        self._halted = False
        self._claim_stmt: Any = None

    def _now(self) -> datetime:
        now = self.clock()
        return aware(now) or utcnow()

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    def _with_retry(self, fn: Callable[[], T]) -> T:
        """Run a write transaction again when another terminal changed the row meanwhile."""
        for attempt in range(5):
            try:
                return fn()
            except StaleEdit:
                if attempt == 4:
                    raise
        raise AssertionError("unreachable")

    def _note_erp_error(self, exc: ErpError) -> None:
        self.erp_state = "unreachable" if isinstance(exc, TransientErpError) else "error"

    def _note_state(self, name: str, value: str) -> None:
        with self.store.session() as session:
            put_state(session, name, fit(value, 1000), self._now())
