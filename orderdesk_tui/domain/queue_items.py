"""What the queue shows: one item per thing needing a person (an order, an RMA, a callback, a
customer's change request), with every reason it needs one, its SLA clock, its priority and who
has it.

Plain data built by services.queue from set-based reads; the screen, the filter language and
the wallboard all work on these.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from orderdesk_tui.domain.priority import PriorityScore
from orderdesk_tui.domain.sla import SlaClock


class Subject(StrEnum):
    ORDER = "order"
    RMA = "rma"
    NOTE = "note"
    #: An inbound EDI 860 (purchase order change request) not yet handled; subject_id is the
    #: EDI document's id.
    CHANGE = "change"


class ReasonKind(StrEnum):
    DRAFT = "draft"
    HOLD = "hold"
    SLA = "sla"
    BACKORDER = "backorder"
    RUSH = "rush"
    RMA = "rma"
    CALLBACK = "callback"
    CHANGE = "change"
    #: a mail to the customer the SMTP server refused or deferred (the detail says why)
    MAIL = "mail"


#: The step an RMA in each state waits for.
RMA_STEPS = {
    "requested": "needs authorisation",
    "received": "needs inspection",
    "inspected": "needs disposition",
    "dispositioned": "needs credit/replacement",
}


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    #: The hold kind, the RMA step, the late promise date, why a change request is unreadable…
    detail: str = ""

    @property
    def label(self) -> str:
        if self.kind == ReasonKind.HOLD:
            return f"{self.detail} hold"
        if self.kind == ReasonKind.SLA:
            return self.detail
        if self.kind == ReasonKind.RUSH:  # the marker a rush item is seen by, first in its row
            return f"RUSH {self.detail}".strip()
        name = "RMA" if self.kind == ReasonKind.RMA else str(self.kind)
        return f"{name} {self.detail}".strip()


#: Before an item is scored.
NO_PRIORITY = PriorityScore(0)


@dataclass(frozen=True)
class HoldRef:
    id: int
    kind: str
    reason: str
    version: int


@dataclass(slots=True)
class QueueItem:
    subject: Subject
    subject_id: int
    number: str
    customer_code: str
    customer_name: str
    tier: str
    value: Decimal
    currency: str
    #: Since when it has been waiting (receipt of a draft, entry, the hold, the callback time,
    #: receipt of a change request…).
    since: datetime
    reasons: list[Reason] = field(default_factory=list)
    order_id: int | None = None
    customer_id: int | None = None
    order_state: str = ""
    rush: bool = False
    holds: list[HoldRef] = field(default_factory=list)
    sla: SlaClock | None = None
    note_text: str = ""
    assignee: str = ""
    snoozed_until: datetime | None = None
    escalated: bool = False
    #: Version of the item's queue state row (0: nobody has touched it yet).
    state_version: int = 0
    priority: PriorityScore = NO_PRIORITY

    @property
    def key(self) -> tuple[Subject, int]:
        return self.subject, self.subject_id

    @property
    def is_draft(self) -> bool:
        return self.subject == Subject.ORDER and self.order_state == "draft"

    @property
    def reason_text(self) -> str:
        return ", ".join(r.label for r in self.reasons)

    @property
    def hold_kinds(self) -> frozenset[str]:
        return frozenset(h.kind for h in self.holds)

    def snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > now

    def search_text(self) -> str:
        """Everything a free word in the filter may match, lower case."""
        parts = [
            self.number,
            self.customer_code,
            self.customer_name,
            self.reason_text,
            self.assignee,
            self.note_text,
        ]
        return " ".join(parts).lower()
