"""A return request (an RMA in state requested): what it asks for, checked against the rules
before anything is written (`assess_request`), and recorded with a request number RQ… in one
transaction (`create_rma`). The steps after it: `services.returns`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.domain import returns as rules
from orderdesk_tui.domain.money import round_money
from orderdesk_tui.domain.returns import Refusal, RmaState
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import RMA, Customer, Note, RMALine, SalesOrderLine, User
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.services.audit import record
from orderdesk_tui.services.numbering import next_number
from orderdesk_tui.services.returnable import ReturnableLine, lot_shipped_on, returnable_lines
from orderdesk_tui.services.returns import policy_from, refused_as_violation, today_or_now
from orderdesk_tui.services.rma_detail import RMAS
from orderdesk_tui.services.users import Approval, approve
from orderdesk_tui.store import Store


@dataclass(frozen=True)
class LineRequest:
    order_line_id: int
    quantity: Decimal
    #: Empty: the RMA's reason.
    reason: str = ""
    lot_serial: str = ""


@dataclass(frozen=True)
class RmaRequest:
    customer_id: int
    reason: str
    lines: tuple[LineRequest, ...]
    attachments: tuple[str, ...] = ()
    comment: str = ""


@dataclass(frozen=True)
class Assessment:
    """What a request would be: its value, the rules a supervisor must approve, vendor lines."""

    value: Decimal
    supervisor_rules: tuple[str, ...]
    vendor_recovery: tuple[str, ...] = field(default=())


def check_attachments(paths: Iterable[str]) -> tuple[str, ...]:
    """Attachment paths, each an existing file (expanded and made absolute)."""
    out = []
    for raw in paths:
        if not raw.strip():
            continue
        path = Path(raw.strip()).expanduser()
        if not path.is_file():
            raise RuleViolation(f"attachment: rule rma.attachment_exists: no file at {path}")
        out.append(str(path.resolve()))
    joined = "\n".join(out)
    if len(joined) > 1000:
        raise RuleViolation("attachment: rule rma.attachments: at most 1000 characters of paths")
    return tuple(out)


def _assess(
    session: Session, request: RmaRequest, policy: rules.ReturnPolicy, today: date
) -> tuple[Assessment, list[tuple[LineRequest, ReturnableLine, bool]]]:
    rules.parse_reason(request.reason)
    if not request.lines:
        raise Refusal("rule rma.lines: pick at least one line to return")
    ids = [line.order_line_id for line in request.lines]
    if len(set(ids)) != len(ids):
        raise Refusal("rule rma.lines: each order line once per RMA")
    found = {
        line.order_line_id: line
        for line in returnable_lines(session, [col(SalesOrderLine.id).in_(ids)])
    }
    customer = session.get(Customer, request.customer_id)
    if customer is None:
        raise Refusal(f"rule rma.customer: customer {request.customer_id} does not exist")
    value = Decimal(0)
    supervisor: list[str] = []
    vendor: list[str] = []
    picked = []
    for wanted in request.lines:
        source = found.get(wanted.order_line_id)
        if source is None:
            raise Refusal(
                f"rule rma.shipped: order line {wanted.order_line_id} has not shipped or does "
                "not exist"
            )
        label = f"{source.order_number}/{source.line_no} {source.part_number}"
        if source.customer_id != request.customer_id:
            raise Refusal(
                f"rule rma.customer: {label} was sold to {source.customer_code}, not to "
                f"{customer.code}"
            )
        rules.check_quantity(label, wanted.quantity, source.shipped, source.returned)
        reason = wanted.reason or request.reason
        shipped_on = source.shipped_on
        if wanted.lot_serial.strip():
            shipped_on = lot_shipped_on(session, source.order_line_id, wanted.lot_serial)
            if shipped_on is None:
                raise Refusal(
                    f"rule rma.lot_serial: {label}: serial/lot {wanted.lot_serial.strip()} did "
                    "not ship on this line"
                )
        window = rules.window_check(
            policy,
            reason,
            shipped_on=shipped_on,
            today=today,
            warranty_months=source.warranty_months,
            vendor_warranted=source.vendor_warranted,
            vendor_name=source.vendor_name,
        )
        if not window.inside:
            supervisor.append(f"{label}: {window.rule}")
        if window.vendor_recovery:
            vendor.append(f"{label}: vendor {source.vendor_name or 'warranty'}")
        value += round_money(wanted.quantity * source.unit_price, customer.currency)
        picked.append((wanted, source, window.vendor_recovery))
    return Assessment(value, tuple(supervisor), tuple(vendor)), picked


def assess_request(
    store: Store, request: RmaRequest, *, settings: Settings, today: date | None = None
) -> Assessment:
    """Check a request without writing: refusals raise, approvals are listed."""
    with store.session() as session, refused_as_violation():
        assessment, _ = _assess(
            session, request, policy_from(settings.returns), today_or_now(today)
        )
    return assessment


def create_rma(
    store: Store,
    request: RmaRequest,
    *,
    actor: User,
    settings: Settings,
    approval: Approval | None = None,
    today: date | None = None,
) -> RMA:
    """Record a return request (state requested, a request number RQ…)."""
    attachments = check_attachments(request.attachments)
    policy = policy_from(settings.returns)
    with store.immediate() as session:
        # two terminals returning the same line: the second waits here, then sees the first
        session.exec(
            select(SalesOrderLine.id)
            .where(col(SalesOrderLine.id).in_(sorted(ln.order_line_id for ln in request.lines)))
            .order_by(col(SalesOrderLine.id))
            .with_for_update()
        ).all()
        with refused_as_violation():
            assessment, picked = _assess(session, request, policy, today_or_now(today))
        approved = ""
        if assessment.supervisor_rules:
            approved = approve(
                session, actor.name, approval, "; ".join(assessment.supervisor_rules)
            )
        orders = {source.order_id for _, source, _ in picked}
        invoices = {source.invoice_id for _, source, _ in picked}
        reason = rules.parse_reason(request.reason).value
        rma = RMA(
            number=next_number(session, "rma_req"),
            customer_id=request.customer_id,
            order_id=next(iter(orders)) if len(orders) == 1 else None,
            invoice_id=next(iter(invoices)) if len(invoices) == 1 else None,
            kind="warranty" if reason == rules.Reason.WARRANTY else "return",
            state=RmaState.REQUESTED,
            reason_code=reason,
            attachments="\n".join(attachments),
            created_by=actor.name,
            state_changed_at=utcnow(),
        )
        session.add(rma)
        session.flush()
        assert rma.id is not None
        for wanted, source, vendor in picked:
            session.add(
                RMALine(
                    rma_id=rma.id,
                    order_line_id=source.order_line_id,
                    invoice_line_id=source.invoice_line_id,
                    item_id=source.item_id,
                    lot_serial=wanted.lot_serial.strip()[:40],
                    reason_code=rules.parse_reason(wanted.reason or reason).value,
                    quantity_requested=wanted.quantity,
                    vendor_recovery=vendor,
                )
            )
        record(
            session,
            actor=actor.name,
            approved_by=approved,
            entity=RMAS,
            entity_id=rma.id,
            order_id=rma.order_id,
            action="rma.requested",
            changes={
                "number": (None, rma.number),
                "value": (None, assessment.value),
                "lines": (None, len(picked)),
            },
            reason="; ".join((reason, *assessment.supervisor_rules)),
        )
        if request.comment.strip():
            session.add(
                Note(
                    customer_id=request.customer_id,
                    order_id=rma.order_id,
                    rma_id=rma.id,
                    body=request.comment.strip(),
                    author=actor.name,
                )
            )
        session.flush()
        return rma
