"""Per-item state of the work queue that the order, RMA and note rows do not carry.

One row per queue item (`subject` order, rma or note, and its id), created the first time
someone takes, snoozes or escalates it; versioned like every user-edited row, and each change is
audited (entity `queue_states`).
"""

from datetime import datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from orderdesk_tui.models.base import string, utcnow, version_field


class QueueState(SQLModel, table=True):
    __tablename__ = "queue_states"
    __table_args__ = (UniqueConstraint("subject", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    #: order, rma or note (a callback).
    subject: str = string(10)
    subject_id: int
    #: Who took it; empty when nobody has it.
    assignee: str = string(64, default="")
    taken_at: datetime | None = None
    snoozed_until: datetime | None = None
    snoozed_by: str = string(64, default="")
    escalated_at: datetime | None = None
    escalated_by: str = string(64, default="")
    escalation_reason: str = string(400, default="")
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()


class QueueChange(SQLModel, table=True):
    """What changed for the queue since a reader last looked: one row per order or customer
    (`kind` order, customer, or a queue state's subject), moved to a new `seq` by database
    triggers (migration 0009) on every write to the rows a queue item is read from.

    A refresh reads the rows past its mark and re-reads only those items. On SQLite writers
    commit one at a time, so `seq` is commit order; on PostgreSQL it is not, and `txid` (the
    writing transaction) is checked against the snapshot the last read was taken in.
    """

    __tablename__ = "queue_changes"
    __table_args__ = (UniqueConstraint("kind", "ref_id"), {"sqlite_autoincrement": True})

    seq: int | None = Field(default=None, primary_key=True)
    kind: str = string(10)
    ref_id: int
    txid: int | None = Field(default=None, sa_type=BigInteger, index=True)
