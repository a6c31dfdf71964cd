"""A customer's change request (an inbound EDI 860) reviewed, then applied or rejected.

`review` reads the 860 and its order and proposes the changes (edi.po_change), or says why it
cannot be read (the reader's error, with segment and element) or applied (the order shipped or
was cancelled). `reject` answers the whole request with a reason. Either way the 860 leaves the
queue (state `acknowledged`, as queue_actions.change_handled) and `edi_documents.decision`
records what was decided — each change accepted or declined, the reason, who, when, the order
revision — for the 865 the buyer is sent (issue 19).
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from orderdesk_tui.edi.po_change import (
    ChangeRequest,
    OrderLineNow,
    OrderNow,
    ProposedChange,
    map_860,
    po_number,
    read_860,
)
from orderdesk_tui.edi.x12 import X12Error
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import Customer, EDIDocument, SalesOrder, SalesOrderLine, User
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.models.customer import Address
from orderdesk_tui.services.audit import record
from orderdesk_tui.services.queue_reads import CHANGE_SET, CHANGE_WAITING
from orderdesk_tui.store import Store

#: The source an order revision made from an 860 carries.
SOURCE = "edi_860"


@dataclass(frozen=True)
class ChangeReview:
    """An 860 read against its order, as the coordinator reviews it."""

    doc_id: int
    #: ISA13 of the interchange that brought it, and who sent it (customer code, else the
    #: partner id).
    control: str
    partner: str
    order_id: int | None = None
    order_number: str = ""
    order_version: int = 0
    request: ChangeRequest | None = None
    #: Why the 860 cannot be read or matched to an order; it can only be rejected.
    error: str = ""
    #: Our line number → line id, for applying line changes.
    line_ids: dict[int, int] = field(default_factory=dict)

    @property
    def default_reason(self) -> str:
        return f"EDI 860 {self.control} from {self.partner}"

    @property
    def refusal(self) -> str:
        """Why nothing can be applied ("" when some of it can)."""
        if self.error:
            return self.error
        assert self.request is not None
        if self.request.refusal:
            return self.request.refusal
        if not self.request.changes:
            return "nothing in it differs from the order"
        return ""

    @property
    def changes(self) -> list[ProposedChange]:
        return self.request.changes if self.request is not None else []


def _order_now(session: Session, order: SalesOrder) -> tuple[OrderNow, dict[int, int]]:
    lines = session.exec(
        select(SalesOrderLine)
        .where(SalesOrderLine.order_id == order.id)
        .order_by(col(SalesOrderLine.line_no))
    ).all()
    addresses = session.exec(
        select(Address).where(Address.customer_id == order.customer_id, col(Address.active))
    ).all()
    ship_to = next((a.code for a in addresses if a.id == order.ship_to_id), "")
    now = OrderNow(
        number=order.number,
        customer_po=order.customer_po,
        state=order.state,
        currency=order.currency,
        requested_date=order.requested_date,
        ship_to_code=ship_to,
        lines=tuple(
            OrderLineNow(
                line_no=ln.line_no,
                part_number=ln.part_number,
                customer_part=ln.customer_part_number,
                quantity=ln.quantity,
                unit_price=ln.unit_price,
                uom=ln.uom,
                shipped=ln.quantity_shipped,
                requested_date=ln.requested_date,
            )
            for ln in lines
        ),
        ship_tos={a.code: a.name for a in addresses if a.kind == "ship_to"},
    )
    return now, {ln.line_no: ln.id or 0 for ln in lines}


def _find_order(session: Session, doc: EDIDocument, po: str) -> SalesOrder | None:
    if doc.order_id is not None:
        return session.get(SalesOrder, doc.order_id)
    if doc.customer_id is None:
        return None
    return session.exec(
        select(SalesOrder)
        .where(SalesOrder.customer_id == doc.customer_id, SalesOrder.customer_po == po)
        .order_by(col(SalesOrder.id).desc())
    ).first()


def _document(session: Session, doc_id: int) -> EDIDocument:
    doc = session.get(EDIDocument, doc_id)
    if doc is None or doc.transaction_set != CHANGE_SET or doc.direction != "in":
        raise RuleViolation(f"860 #{doc_id}: no such change request")
    return doc


def review(store: Store, doc_id: int) -> ChangeReview:
    """Read the 860 `doc_id` against its order."""
    with store.session() as session:
        doc = _document(session, doc_id)
        customer = session.get(Customer, doc.customer_id) if doc.customer_id else None
        base: dict[str, Any] = {
            "doc_id": doc_id,
            "control": doc.interchange_control or str(doc_id),
            "partner": customer.code if customer is not None else doc.partner_id,
        }
        try:
            tset = read_860(doc.raw)
            po = po_number(tset)
        except X12Error as exc:
            return ChangeReview(**base, order_id=doc.order_id, error=f"unreadable: {exc}")
        order = _find_order(session, doc, po)
        if order is None:
            return ChangeReview(**base, error=f"BCH03 PO {po}: no order of this customer has it")
        now, line_ids = _order_now(session, order)
        base |= {
            "order_id": order.id,
            "order_number": order.number,
            "order_version": order.version,
            "line_ids": line_ids,
        }
        try:
            request = map_860(tset, now)
        except X12Error as exc:
            return ChangeReview(**base, error=f"unreadable: {exc}")
        return ChangeReview(**base, request=request)


@dataclass(frozen=True)
class Decision:
    """What was decided on an 860, kept as JSON on the document."""

    outcome: str  # applied, rejected
    reason: str
    actor: str
    at: datetime
    #: Each proposed change and whether it was accepted.
    changes: list[tuple[ProposedChange, bool]] = field(default_factory=list)
    revision: int | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "outcome": self.outcome,
                "reason": self.reason,
                "by": self.actor,
                "at": self.at.isoformat(),
                "revision": self.revision,
                "changes": [
                    {
                        "position": c.position,
                        "code": c.code,
                        "kind": str(c.kind),
                        "line_no": c.line_no,
                        "old": c.old,
                        "new": c.new,
                        "accepted": accepted,
                    }
                    for c, accepted in self.changes
                ],
            }
        )


def mark_handled(
    session: Session,
    doc: EDIDocument,
    *,
    actor: str,
    action: str,
    decision: Decision | None = None,
    reason: str = "",
) -> None:
    """The 860 answered: it leaves the queue (`acknowledged`), with what was decided; audited.
    The caller has locked `doc` and checked it still waits."""
    before = doc.state
    doc.state, doc.processed_at = "acknowledged", utcnow()
    changes: dict[str, tuple[Any, Any]] = {"state": (before, doc.state)}
    if decision is not None:
        doc.decision = decision.to_json()
        changes["decision"] = ("", decision.outcome)
    session.add(doc)
    record(
        session,
        actor=actor,
        entity="edi_documents",
        entity_id=doc.id or 0,
        action=action,
        changes=changes,
        order_id=doc.order_id,
        reason=reason,
    )


def locked_waiting(session: Session, doc_id: int) -> EDIDocument | None:
    """The 860 `doc_id`, row-locked, if it still waits for a person; else None."""
    doc = session.exec(
        select(EDIDocument).where(EDIDocument.id == doc_id).with_for_update()
    ).first()
    return doc if doc is not None and doc.state in CHANGE_WAITING else None


def reject(store: Store, checked: ChangeReview, reason: str, *, actor: User) -> None:
    """Answer the whole change request no, with `reason` (required); it leaves the queue."""
    reason = reason.strip()
    if not reason:
        raise RuleViolation("a change request is rejected with a reason")
    with store.immediate() as session:
        doc = locked_waiting(session, checked.doc_id)
        if doc is None:
            raise RuleViolation(f"860 {checked.control} was handled meanwhile")
        decision = Decision(
            "rejected", reason, actor.name, utcnow(), [(c, False) for c in checked.changes]
        )
        mark_handled(
            session,
            doc,
            actor=actor.name,
            action="edi.change_rejected",
            decision=decision,
            reason=reason,
        )
