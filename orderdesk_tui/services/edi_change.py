"""A customer's change request (an inbound EDI 860) reviewed, then applied or rejected.

`review` reads the 860 and its order and proposes the changes (edi.po_change), or says why it
cannot be read (the reader's error, with segment and element) or applied (the order shipped or
was cancelled). `reject` answers the whole request with a reason. Either way the 860 leaves the
queue (state `acknowledged`, as queue_actions.change_handled) and `edi_documents.decision`
records what was decided — each change accepted or declined, the reason, who, when, the order
revision — for the 865 the buyer is sent (issue 19).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.edi.po_change import (
    ChangeKind,
    ChangeProblem,
    ChangeRequest,
    NewLine,
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
from orderdesk_tui.services import lookup, order_actions, order_diff
from orderdesk_tui.services.audit import record
from orderdesk_tui.services.change_plan import LineChange, OrderChange
from orderdesk_tui.services.contention import run_again_on_conflict
from orderdesk_tui.services.order_change import apply_change_in, change_refusal
from orderdesk_tui.services.order_diff import OrderSnapshot
from orderdesk_tui.services.queue_reads import CHANGE_SET, CHANGE_WAITING
from orderdesk_tui.services.users import Approval
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
    #: The order as reviewed: a change made to it meanwhile on another terminal is shown
    #: field by field (services.order_change).
    base: OrderSnapshot | None = None
    #: Index of an added line's change → the item it names.
    items: dict[int, int] = field(default_factory=dict)

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


def _order_now(session: Session, order: SalesOrder) -> OrderNow:
    lines = session.exec(
        select(SalesOrderLine)
        .where(SalesOrderLine.order_id == order.id)
        .order_by(col(SalesOrderLine.line_no))
    ).all()
    addresses = session.exec(
        select(Address).where(Address.customer_id == order.customer_id, col(Address.active))
    ).all()
    ship_to = next((a.code for a in addresses if a.id == order.ship_to_id), "")
    return OrderNow(
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
        locked=change_refusal(order.state) or "",
    )


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
        base |= {
            "order_id": order.id,
            "order_number": order.number,
            "order_version": order.version,
            "base": order_diff.snapshot_in(session, order),
        }
        try:
            request = map_860(tset, _order_now(session, order))
        except X12Error as exc:
            return ChangeReview(**base, error=f"unreadable: {exc}")
    items = _added_items(store, request, order.customer_id)
    return ChangeReview(**base, request=request, items=items)


def _added_items(store: Store, request: ChangeRequest, customer_id: int) -> dict[int, int]:
    """The item each added line (POC AI) names, by our part number else the buyer's; an added
    line whose part we do not know becomes a problem instead of a change."""
    items: dict[int, int] = {}
    kept: list[ProposedChange] = []
    for change in request.changes:
        if change.kind == ChangeKind.ADD_LINE:
            assert isinstance(change.value, NewLine)
            new = change.value
            found = None
            for part in (new.part_number, new.customer_part):
                if part and found is None:
                    found = lookup.exact_part(store, part, customer_id=customer_id)
            if found is None:
                part = new.part_number or new.customer_part
                message = f"POC add line: part {part} is not an item we sell"
                request.problems.append(ChangeProblem(change.position, message))
                continue
            items[len(kept)] = found
        kept.append(change)
    request.changes = kept
    return items


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


@dataclass(frozen=True)
class Applied:
    number: str
    #: The order's new revision (None when the 860 cancelled the order).
    revision_no: int | None
    summary: str
    holds: tuple[str, ...] = ()

    @property
    def said(self) -> str:
        what = f"revision {self.revision_no}: " if self.revision_no is not None else ""
        held = f" (on hold: {'; '.join(self.holds)})" if self.holds else ""
        return f"{self.number} changed from the 860, {what}{self.summary}{held}"


def _order_change(checked: ChangeReview, accepted: Sequence[int], reason: str) -> OrderChange:
    """The accepted changes as one change of the order (services.order_change)."""
    header: dict[str, Any] = {}
    lines: dict[int, dict[str, Any]] = {}
    added: list[LineChange] = []
    for index in accepted:
        change = checked.changes[index]
        per_line = lines.setdefault(change.line_no or 0, {})
        if change.kind == ChangeKind.REQUESTED_DATE:
            header["requested_date"] = change.value
        elif change.kind == ChangeKind.SHIP_TO:
            header["ship_to_id"] = change.value
        elif change.kind == ChangeKind.QUANTITY:
            per_line["quantity"] = change.value
        elif change.kind == ChangeKind.PRICE:
            per_line["unit_price"] = change.value
            per_line["override_reason"] = f"buyer's price, {reason}"[:200]
        elif change.kind == ChangeKind.LINE_DATE:
            per_line["requested_date"] = change.value
        elif change.kind == ChangeKind.DELETE_LINE:
            per_line["remove"] = True
        elif change.kind == ChangeKind.ADD_LINE:
            assert isinstance(change.value, NewLine)
            added.append(
                LineChange(None, quantity=change.value.quantity, item_id=checked.items[index])
            )
    return OrderChange(
        header=header,
        lines=(
            *(LineChange(line_no, **values) for line_no, values in lines.items() if line_no),
            *added,
        ),
    )


def _ship_to_ids(session: Session, checked: ChangeReview, change: OrderChange) -> OrderChange:
    """The ship-to code an N1*ST gave as the address id the order takes."""
    code = change.header.get("ship_to_id")
    if code is None:
        return change
    order = session.get(SalesOrder, checked.order_id)
    assert order is not None
    address = session.exec(
        select(Address).where(Address.customer_id == order.customer_id, Address.code == code)
    ).first()
    if address is None:
        raise RuleViolation(f"ship-to {code} is no longer an address of the customer")
    return OrderChange(header={**change.header, "ship_to_id": address.id}, lines=change.lines)


def apply(
    store: Store,
    checked: ChangeReview,
    accepted: Sequence[int],
    reason: str,
    *,
    actor: User,
    settings: Settings,
    approval: Approval | None = None,
) -> Applied:
    """Apply the changes of `checked` at `accepted` (indexes in `checked.changes`) to the order
    as one change (one revision, source `edi_860`) and mark the 860 handled with the decision,
    in one transaction. A cancellation (BCH*01) cancels the order (services.order_actions), then
    marks the 860. The order change's refusals (rules, another terminal's change, a supervisor
    needed) raise and nothing is written."""
    reason = reason.strip()
    if not reason:
        raise RuleViolation("changes are applied with a reason")
    if checked.refusal:
        raise RuleViolation(checked.refusal)
    if not accepted:
        raise RuleViolation("no change accepted: reject the request instead")
    assert checked.order_id is not None
    taken = set(accepted)
    decision = Decision(
        "applied",
        reason,
        actor.name,
        utcnow(),
        [(c, n in taken) for n, c in enumerate(checked.changes)],
    )
    if any(checked.changes[n].kind == ChangeKind.CANCEL_ORDER for n in accepted):
        return _cancel(store, checked, decision, actor=actor, approval=approval)
    change = _order_change(checked, accepted, reason)

    def once() -> Applied:
        with store.immediate() as session:
            doc = locked_waiting(session, checked.doc_id)
            if doc is None:
                raise RuleViolation(f"860 {checked.control} was handled meanwhile")
            assert checked.order_id is not None
            result = apply_change_in(
                session,
                checked.order_id,
                _ship_to_ids(session, checked, change),
                expected_version=checked.order_version,
                actor=actor,
                reason=reason,
                settings=settings,
                source=SOURCE,
                approval=approval,
                base=checked.base,
            )
            done = Decision(**{**decision.__dict__, "revision": result.revision_no})
            mark_handled(
                session,
                doc,
                actor=actor.name,
                action="edi.change_applied",
                decision=done,
                reason=reason,
            )
            return Applied(result.number, result.revision_no, result.summary, result.holds)

    return run_again_on_conflict(once, what=f"860 {checked.control}")


def _cancel(
    store: Store,
    checked: ChangeReview,
    decision: Decision,
    *,
    actor: User,
    approval: Approval | None,
) -> Applied:
    assert checked.order_id is not None
    order = order_actions.cancel_order(
        store,
        checked.order_id,
        expected_version=checked.order_version,
        actor=actor,
        reason=decision.reason,
        approval=approval,
    )
    try:
        with store.immediate() as session:
            doc = locked_waiting(session, checked.doc_id)
            if doc is not None:
                mark_handled(
                    session,
                    doc,
                    actor=actor.name,
                    action="edi.change_applied",
                    decision=decision,
                    reason=decision.reason,
                )
    except Exception as exc:
        raise RuleViolation(
            f"{order.number} cancelled, but the 860 could not be marked handled ({exc}): "
            "F10 in the queue marks it"
        ) from exc
    return Applied(order.number, None, "order cancelled")
