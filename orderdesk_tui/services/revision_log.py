"""Writing one revision of an entered order (models.revision): the readable diff of a change
made after submit, who, when, why, and whether the customer gets a new acknowledgement.

Runs in the caller's transaction, which holds the order row: the revision number is the
order's `revision` + 1, written to the order (audited) with the revision row.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from orderdesk_tui.models import OrderRevision, SalesOrder
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.services.audit import apply_update


@dataclass(frozen=True)
class Change:
    """One changed value: `line_no` None for the order's header."""

    line_no: int | None
    field: str
    old: str
    new: str

    @property
    def text(self) -> str:
        where = f"line {self.line_no} " if self.line_no is not None else ""
        return f"{where}{self.field} {self.old or '-'} → {self.new or '-'}"


def revision_values(
    order_id: int,
    revision_no: int,
    changes: Sequence[Change],
    *,
    actor: str,
    source: str,
    reason: str,
    reacknowledge: bool,
    approved_by: str = "",
) -> dict[str, Any]:
    """The columns of the revision holding `changes` (in the order given), for one INSERT of
    many revisions; the caller writes the order's `revision` number."""
    lines = sorted({c.line_no for c in changes if c.line_no is not None})
    return {
        "order_id": order_id,
        "revision_no": revision_no,
        "created_at": utcnow(),
        "actor": actor,
        "approved_by": approved_by,
        "reason": reason[:400],
        "source": source,
        "summary": "\n".join(c.text for c in changes),
        "diff": json.dumps(
            [{"line_no": c.line_no, "field": c.field, "old": c.old, "new": c.new} for c in changes]
        ),
        "changed_lines": ",".join(str(n) for n in lines)[:400],
        "reacknowledge": reacknowledge,
    }


def add_revision(
    session: Session,
    order: SalesOrder,
    changes: Sequence[Change],
    *,
    actor: str,
    source: str,
    reason: str,
    reacknowledge: bool,
    approved_by: str = "",
) -> OrderRevision:
    """The order's next revision, holding `changes` (in the order given)."""
    assert order.id is not None
    number = order.revision + 1
    revision = OrderRevision(
        **revision_values(
            order.id,
            number,
            changes,
            actor=actor,
            source=source,
            reason=reason,
            reacknowledge=reacknowledge,
            approved_by=approved_by,
        )
    )
    session.add(revision)
    apply_update(
        session,
        order,
        {"revision": number},
        expected_version=order.version,
        actor=actor,
        action="order.revised",
        order_id=order.id,
        reason=f"revision {number} ({source}): {reason}"[:400],
        approved_by=approved_by,
    )
    return revision
