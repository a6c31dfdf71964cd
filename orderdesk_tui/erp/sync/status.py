"""What `orderdesk sync status` and the status bar show: the outbox counts and the engine's
latest outcomes, read from the store alone (no connector needed)."""

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import func
from sqlmodel import col, select

from orderdesk_tui.erp.sync.outbox import (
    DONE,
    FAILED,
    LAST_PULL_ERROR,
    LAST_PULL_OK,
    LAST_PUSH_ERROR,
    LAST_PUSH_OK,
    PENDING,
    aware,
)
from orderdesk_tui.models import SyncOutbox
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.models.sync_state import SyncCursor
from orderdesk_tui.store import Store


@dataclass(frozen=True)
class SyncStatus:
    """The outbox and the engine's latest outcomes, for `orderdesk sync status` and the bar."""

    pending: int
    failed: int
    done_today: int
    last_error: str
    last_error_at: datetime | None
    last_success_at: datetime | None
    last_pull_at: datetime | None
    #: idle, online, syncing, unreachable, error, stopped (the status bar shows it as is).
    erp_state: str


def read_status(store: Store, *, now: datetime | None = None, erp_state: str = "") -> SyncStatus:
    """Counts and latest outcomes from the store (no connector needed)."""
    now = now or utcnow()
    local_midnight = datetime.combine(now.astimezone().date(), time(), now.astimezone().tzinfo)
    with store.session() as session:
        counts = dict(
            session.exec(
                select(SyncOutbox.state, func.count())
                .where(col(SyncOutbox.state).in_([PENDING, FAILED]))
                .group_by(SyncOutbox.state)
            ).all()
        )
        done_today = session.exec(
            select(func.count())
            .select_from(SyncOutbox)
            .where(SyncOutbox.state == DONE, col(SyncOutbox.done_at) >= local_midnight)
        ).one()
        rows = {
            row.name: row
            for row in session.exec(
                select(SyncCursor).where(
                    col(SyncCursor.name).in_(
                        [LAST_PUSH_OK, LAST_PUSH_ERROR, LAST_PULL_OK, LAST_PULL_ERROR]
                    )
                )
            )
        }

    def at(name: str) -> datetime | None:
        return aware(rows[name].updated_at) if name in rows else None

    errors = [(at(n), rows[n].cursor) for n in (LAST_PUSH_ERROR, LAST_PULL_ERROR) if n in rows]
    errors.sort(key=lambda pair: pair[0] or datetime.min.replace(tzinfo=UTC))
    last_error_at, last_error = errors[-1] if errors else (None, "")
    successes = [t for t in (at(LAST_PUSH_OK), at(LAST_PULL_OK)) if t is not None]
    last_success_at = max(successes) if successes else None
    if not erp_state:
        if last_error_at and (last_success_at is None or last_error_at > last_success_at):
            erp_state = "error"
        elif last_success_at:
            erp_state = "online"
        else:
            erp_state = "idle"
    return SyncStatus(
        pending=int(counts.get(PENDING, 0)),
        failed=int(counts.get(FAILED, 0)),
        done_today=int(done_today),
        last_error=last_error,
        last_error_at=last_error_at,
        last_success_at=last_success_at,
        last_pull_at=at(LAST_PULL_OK),
        erp_state=erp_state,
    )
