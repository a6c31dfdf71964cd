"""Writing one revision of an entered order (models.revision) that is not an order change
(services.order_change has its own): a rush, a cancel of what remains. The changes are
`order_diff.FieldDiff`s, summarised as a change's are.

Runs in the caller's transaction, which holds the order row: the revision number is the
order's `revision` + 1, written to the order (audited) with the revision row.
"""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from orderdesk_tui.models import OrderRevision, SalesOrder
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.services import order_diff
from orderdesk_tui.services.audit import apply_update
from orderdesk_tui.services.order_diff import FieldDiff


def revision_values(
    order_id: int,
    revision_no: int,
    changes: Sequence[FieldDiff],
    *,
    actor: str,
    source: str,
    reason: str,
    reacknowledge: bool,
    approved_by: str = "",
) -> dict[str, Any]:
    """The columns of the revision holding `changes` (in the order given), for one INSERT of
    many revisions; the caller writes the order's `revision` number."""
    return {
        "order_id": order_id,
        "revision_no": revision_no,
        "created_at": utcnow(),
        "actor": actor,
        "approved_by": approved_by,
        "reason": reason[:400],
        "source": source,
        "summary": order_diff.summary(changes),
        "diff": order_diff.diff_json(changes),
        "changed_lines": order_diff.changed_lines(changes)[:400],
        "reacknowledge": reacknowledge,
    }


def add_revision(
    session: Session,
    order: SalesOrder,
    changes: Sequence[FieldDiff],
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
