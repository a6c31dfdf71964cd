"""The figures the supervisors' wallboard shows, read in one go.

KPI definitions (shared/research ORDER_DESK_DEFINITIONS.md §1.1, §1.3), over the order lines
shipped today (the desk's local day):
  fill rate     first-time line fill rate: lines shipped complete (shipped ≥ ordered) ÷ lines
                shipped today;
  on-time rate  lines shipped on or before their *original* promise (first_promised_date,
                "original commit date") ÷ lines shipped today that had a promise.
A rate with no line to count is None (shown as "-"), never 0 % or 100 %.

Everything is read from a replica when the store has one (`Store.read_session`), with how far
behind it is; a read prompted by a change notice first lets the replica catch up.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import case, func, or_, select
from sqlmodel import col

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.queue_filter import QueueFilter
from orderdesk_tui.domain.queue_items import QueueItem
from orderdesk_tui.errors import StoreError
from orderdesk_tui.models import AuditEvent, Hold, SalesOrder, SalesOrderLine
from orderdesk_tui.models.base import Priority
from orderdesk_tui.services.queue import QueueReader
from orderdesk_tui.services.queue_reads import OPEN_STATES
from orderdesk_tui.services.sla_clock import desk_zone
from orderdesk_tui.store import Store

#: How many of the oldest waiting items and of the latest events the board shows.
OLDEST = 8
EVENTS = 15


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str
    action: str
    order_number: str
    reason: str


@dataclass(frozen=True)
class WallboardFigures:
    at: datetime
    open_orders: int
    holds_by_reason: dict[str, int]
    sla_breached: int
    due_within_hour: int
    queue_size: int
    oldest: list[QueueItem]
    #: Orders entered in each local hour of today, 0-23.
    entered_per_hour: list[int]
    fill_rate: Decimal | None
    on_time_rate: Decimal | None
    lines_shipped_today: int
    events: list[Event]
    #: Open rush orders (rush, or with a rush line; not yet shipped) and since when the oldest
    #: of them is rush (None: none open).
    rush_open: int = 0
    rush_oldest: datetime | None = None
    #: The replica the figures were read from (None: the primary) and how far behind it was.
    replica: str | None = None
    replica_lag_s: float | None = None
    #: Why the figures come from the primary though the store has replicas ("" if they don't).
    read_note: str = ""


def check_reachable(store: Store) -> None:
    """Raise StoreError if the store is gone. A SQLite file moved or deleted keeps answering
    through connections already open to it, so its path is checked first. A store with
    replicas is not asked: the board reads them while the primary is away."""
    if store.is_sqlite:
        database = store.engine.url.database
        if database and not Path(database).exists():
            store.engine.dispose()  # the next connection opens the file when it is back
            raise StoreError(f"store file {database} is not there")
    if not store.has_replicas:
        store.ping()


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


def read_wallboard(
    store: Store,
    settings: Settings,
    now: datetime | None = None,
    reader: QueueReader | None = None,
    *,
    after_change: bool = False,
) -> WallboardFigures:
    """The board's figures; pass the same `reader` (replica_only) each poll to rebuild only
    what changed, and `after_change` when a change notice prompted the read."""
    now = now or datetime.now(UTC)
    check_reachable(store)
    if after_change:
        store.catch_up_replica()
    zone = desk_zone(settings.sla)
    local_now = now.astimezone(zone)
    today = local_now.date()
    day_start = datetime.combine(today, time(0), tzinfo=zone)
    snapshot = (reader or QueueReader(store, settings.sla, replica_only=True)).read(now)
    waiting = snapshot.visible(QueueFilter(), "")
    with store.read_session() as session:
        open_orders = session.execute(
            select(func.count()).where(col(SalesOrder.state).in_(OPEN_STATES))
        ).scalar_one()
        holds: dict[str, int] = dict(
            session.execute(
                select(col(Hold.kind), func.count())
                .where(col(Hold.released_at).is_(None))
                .group_by(col(Hold.kind))
            ).all()
        )
        rush_open, rush_oldest = session.execute(
            select(
                func.count(),
                func.min(func.coalesce(SalesOrder.rushed_at, SalesOrder.entered_at)),
            ).where(
                col(SalesOrder.state).in_(OPEN_STATES),
                or_(
                    col(SalesOrder.priority) == Priority.RUSH,
                    col(SalesOrder.rushed_at).is_not(None),
                ),
            )
        ).one()
        entered = session.execute(
            select(col(SalesOrder.entered_at)).where(col(SalesOrder.entered_at) >= day_start)
        ).scalars()
        per_hour = Counter(moment.astimezone(zone).hour for moment in entered if moment is not None)
        line = SalesOrderLine
        shipped = session.execute(
            select(
                func.count(),
                func.sum(case((col(line.quantity_shipped) >= col(line.quantity), 1), else_=0)),
                func.count(col(line.first_promised_date)),
                func.sum(
                    case((col(line.shipped_date) <= col(line.first_promised_date), 1), else_=0)
                ),
            ).where(col(line.shipped_date) == today)
        ).one()
        rows = session.execute(
            select(
                col(AuditEvent.at),
                col(AuditEvent.actor),
                col(AuditEvent.action),
                col(SalesOrder.number),
                col(AuditEvent.reason),
            )
            .outerjoin(SalesOrder, col(SalesOrder.id) == col(AuditEvent.order_id))
            .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
            .limit(EVENTS)
        ).all()
        replica, lag = session.replica, store.replica_lag_s(session)
    lines, complete, promised, on_time = (int(v or 0) for v in shipped)
    return WallboardFigures(
        at=now,
        open_orders=int(open_orders),
        holds_by_reason=dict(sorted(holds.items(), key=lambda kv: -kv[1])),
        sla_breached=sum(1 for i in waiting if i.sla is not None and i.sla.breached),
        due_within_hour=sum(1 for i in waiting if i.sla is not None and i.sla.due_within(3600)),
        queue_size=len(waiting),
        oldest=sorted(waiting, key=lambda i: i.since)[:OLDEST],
        entered_per_hour=[per_hour.get(hour, 0) for hour in range(24)],
        fill_rate=_rate(complete, lines),
        on_time_rate=_rate(on_time, promised),
        lines_shipped_today=lines,
        events=[Event(at, who, action, number or "", why) for at, who, action, number, why in rows],
        replica=replica,
        replica_lag_s=lag,
        rush_open=int(rush_open),
        rush_oldest=rush_oldest,
        read_note=store.read_note,
    )
