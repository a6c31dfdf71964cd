"""Returns (RMA) and warranty claims, step by step: request, authorise, receive, inspect,
disposition, close; reject at any open step. (What can come back: `services.returnable`;
credit or replacement: `services.rma_settlement`, which shares this module's helpers.)

Each step is one transaction (`store.immediate()`): the RMA, its lines, stock, the credit memo
or replacement order, the audit events and the ERP outbox entries land together or not at
all. Rules come from `domain.returns` (policy from `[returns]` in the settings); a refusal
names its rule. Steps a supervisor may allow (a late return, an out-of-warranty claim, a
large authorisation, any credit) take a supervisor's override, checked in the step's own
transaction (`users.approve`) unless the acting user is one; `assess_request` says beforehand
which rules need one.

The ERP hears of an authorised RMA (`push_rma`) and of each credit memo
(`push_credit_memo`) through the outbox. No connector maps them yet (Tryton's
`sale_complaint` is not installed in the test ERP), so the sync engine leaves these entries
pending, and each carries that reason.
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from orderdesk_tui.config import ReturnsSettings, Settings
from orderdesk_tui.domain import returns as rules
from orderdesk_tui.domain.money import round_money
from orderdesk_tui.domain.returns import Disposition, Refusal, RmaState
from orderdesk_tui.errors import RuleViolation, StaleEdit
from orderdesk_tui.models import (
    RMA,
    AuditEvent,
    Customer,
    Invoice,
    InvoiceLine,
    Item,
    Note,
    RMALine,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    User,
    Warehouse,
)
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.services.audit import apply_update, record
from orderdesk_tui.services.numbering import next_number
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.returnable import (
    ReturnableLine,
    lot_shipped_on,
    net_unit,
    returnable_lines,
)
from orderdesk_tui.services.users import Approval, approve
from orderdesk_tui.store import Store

RMAS = "rmas"
PUSH_RMA, PUSH_CREDIT_MEMO = "push_rma", "push_credit_memo"
#: Why RMA and credit memo outbox entries stay pending (see the module docstring).
NOT_MAPPED = (
    "waiting: no ERP connector maps RMAs or credit memos yet (Tryton sale_complaint is not "
    "wired); the sync engine leaves this entry pending"
)


def policy_from(settings: ReturnsSettings) -> rules.ReturnPolicy:
    return rules.ReturnPolicy(
        window_days=dict(settings.window_days),
        restocking_fee_percent=dict(settings.restocking_fee_percent),
        tier_fee_share_percent=dict(settings.tier_fee_share_percent),
        freight_credit_reasons=frozenset(settings.freight_credit_reasons),
        authorise_supervisor_above=settings.authorise_supervisor_above,
        credit_needs_supervisor=settings.credit_needs_supervisor,
    )


@contextmanager
def refused_as_violation() -> Iterator[None]:
    """A domain rule's Refusal becomes the RuleViolation services raise, its message as is."""
    try:
        yield
    except Refusal as refusal:
        raise RuleViolation(str(refusal)) from None


def today_or_now(today: date | None) -> date:
    return today or utcnow().date()


# -- the request -------------------------------------------------------------------------------


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
        value += round_money(wanted.quantity * source.unit_price)
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


# -- loading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RmaLineView:
    id: int
    version: int
    item_id: int
    order_line_id: int | None
    order_number: str
    line_no: int
    part_number: str
    description: str
    uom: str
    lot_serial: str
    reason: str
    unit_price: Decimal
    requested: Decimal
    received: Decimal
    findings: str
    disposition: str
    warehouse_code: str
    vendor_recovery: bool
    vendor_name: str

    @property
    def facts(self) -> rules.LineFacts:
        return rules.LineFacts(self.part_number, self.received, self.disposition, self.findings)


@dataclass(frozen=True)
class RmaDetail:
    rma: RMA
    customer: Customer
    lines: tuple[RmaLineView, ...]
    invoice_number: str
    credit_memo: Invoice | None
    replacement_number: str
    #: (when, who, approved by, action, what changed, reason), lines' events included.
    history: tuple[tuple[datetime, str, str, str, str, str], ...]
    notes: tuple[Note, ...] = ()

    @property
    def value(self) -> Decimal:
        return sum((round_money(ln.requested * ln.unit_price) for ln in self.lines), Decimal(0))


def line_views(session: Session, rma_id: int) -> list[RmaLineView]:
    rows = session.exec(
        select(RMALine, Item, SalesOrderLine, SalesOrder, InvoiceLine, Warehouse)
        .join(Item, col(Item.id) == col(RMALine.item_id))
        .outerjoin(SalesOrderLine, col(SalesOrderLine.id) == col(RMALine.order_line_id))
        .outerjoin(SalesOrder, col(SalesOrder.id) == col(SalesOrderLine.order_id))
        .outerjoin(InvoiceLine, col(InvoiceLine.id) == col(RMALine.invoice_line_id))
        .outerjoin(Warehouse, col(Warehouse.id) == col(RMALine.disposition_warehouse_id))
        .where(RMALine.rma_id == rma_id)
        .order_by(col(RMALine.id))
    ).all()
    out = []
    for line, item, order_line, order, inv_line, warehouse in rows:
        assert line.id is not None
        if inv_line is not None:
            price = inv_line.unit_price
        elif order_line is not None:
            price = net_unit(order_line)
        else:
            price = item.list_price
        out.append(
            RmaLineView(
                id=line.id,
                version=line.version,
                item_id=line.item_id,
                order_line_id=line.order_line_id,
                order_number=order.number if order else "",
                line_no=order_line.line_no if order_line else 0,
                part_number=item.part_number,
                description=(order_line.description if order_line else "") or item.description,
                uom=item.uom,
                lot_serial=line.lot_serial,
                reason=line.reason_code,
                unit_price=price,
                requested=line.quantity_requested,
                received=line.quantity_received,
                findings=line.findings,
                disposition=line.disposition,
                warehouse_code=warehouse.code if warehouse else "",
                vendor_recovery=line.vendor_recovery,
                vendor_name=item.vendor_name,
            )
        )
    return out


def _changes(raw: str) -> str:
    """An audit event's {field: [old, new]} as `field: old → new; ...`."""
    try:
        changes = json.loads(raw or "{}")
    except ValueError:
        return raw
    return "; ".join(f"{k}: {old} → {new}" for k, (old, new) in changes.items() if k != "version")


def load_rma(store: Store, rma_id: int) -> RmaDetail:
    with store.session() as session:
        rma = session.get(RMA, rma_id)
        if rma is None:
            raise RuleViolation(f"RMA {rma_id} does not exist")
        customer = session.get(Customer, rma.customer_id)
        assert customer is not None
        invoice = session.get(Invoice, rma.invoice_id) if rma.invoice_id else None
        memo = session.get(Invoice, rma.credit_memo_id) if rma.credit_memo_id else None
        replacement = (
            session.get(SalesOrder, rma.replacement_order_id) if rma.replacement_order_id else None
        )
        lines = line_views(session, rma_id)
        events = session.exec(
            select(AuditEvent)
            .where(
                or_(
                    and_(col(AuditEvent.entity) == RMAS, col(AuditEvent.entity_id) == rma_id),
                    and_(
                        col(AuditEvent.entity) == "rma_lines",
                        col(AuditEvent.entity_id).in_([ln.id for ln in lines]),
                    ),
                )
            )
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        ).all()
        return RmaDetail(
            rma=rma,
            customer=customer,
            lines=tuple(lines),
            invoice_number=invoice.number if invoice else "",
            credit_memo=memo,
            replacement_number=replacement.number if replacement else "",
            history=tuple(
                (e.at, e.actor, e.approved_by, e.action, _changes(e.changes), e.reason)
                for e in events
            ),
            notes=tuple(
                session.exec(
                    select(Note)
                    .where(Note.rma_id == rma_id)
                    .order_by(col(Note.created_at), col(Note.id))
                )
            ),
        )


# -- steps -------------------------------------------------------------------------------------


def locked_rma(session: Session, rma_id: int, expected_version: int) -> RMA:
    rma = session.get(RMA, rma_id, with_for_update=True, populate_existing=True)
    if rma is None:
        raise RuleViolation(f"RMA {rma_id} does not exist")
    if rma.version != expected_version:
        raise StaleEdit(RMAS, rma_id, expected_version, rma.version)
    return rma


def check_move(rma: RMA, target: RmaState) -> None:
    """Refuse a step the RMA's state does not allow (settlement checks it before any work)."""
    with refused_as_violation():
        rules.check_transition(rma.state, target)


def move_rma(
    session: Session,
    rma: RMA,
    target: RmaState,
    values: Mapping[str, object],
    *,
    actor: User,
    action: str,
    reason: str = "",
    approved_by: str = "",
) -> None:
    check_move(rma, target)
    apply_update(
        session,
        rma,
        {"state": target.value, "state_changed_at": utcnow(), **values},
        expected_version=rma.version,
        actor=actor.name,
        action=action,
        order_id=rma.order_id,
        reason=reason,
        approved_by=approved_by,
    )


def _rma_lines(session: Session, rma_id: int) -> list[RMALine]:
    return list(
        session.exec(select(RMALine).where(RMALine.rma_id == rma_id).order_by(col(RMALine.id)))
    )


def _update_line(
    session: Session,
    rma: RMA,
    line: RMALine,
    values: Mapping[str, object],
    *,
    actor: User,
    action: str,
) -> None:
    """A line changes at the version just read: the RMA's row lock already serialises it."""
    apply_update(
        session,
        line,
        values,
        expected_version=line.version,
        actor=actor.name,
        action=action,
        order_id=rma.order_id,
    )


def authorise_needs_supervisor(detail: RmaDetail, settings: Settings) -> bool:
    return rules.authorise_needs_supervisor(policy_from(settings.returns), detail.value)


def authorise(
    store: Store,
    rma_id: int,
    *,
    expected_version: int,
    actor: User,
    settings: Settings,
    approval: Approval | None = None,
) -> RMA:
    """Authorise the return: the RMA number is drawn now, and the ERP hears of it."""
    policy = policy_from(settings.returns)
    with store.immediate() as session:
        rma = locked_rma(session, rma_id, expected_version)
        lines = line_views(session, rma_id)
        value = sum((round_money(ln.requested * ln.unit_price) for ln in lines), Decimal(0))
        approved = ""
        if rules.authorise_needs_supervisor(policy, value):
            approved = approve(
                session,
                actor.name,
                approval,
                f"rule rma.authorise_limit: authorising {value:,.2f} is above "
                f"{policy.authorise_supervisor_above:,.2f}",
            )
        number = next_number(session, "rma")
        move_rma(
            session,
            rma,
            RmaState.AUTHORISED,
            {"number": number, "authorised_at": utcnow(), "authorised_by": approved or actor.name},
            actor=actor,
            action="rma.authorised",
            approved_by=approved,
        )
        assert rma.id is not None
        customer = session.get(Customer, rma.customer_id)
        entry = enqueue(
            session,
            entity=RMAS,
            entity_id=rma.id,
            operation=PUSH_RMA,
            payload={
                "number": number,
                "customer": customer.code if customer else "",
                "reason": rma.reason_code,
                "kind": rma.kind,
                "lines": [
                    {"part": ln.part_number, "quantity": ln.requested, "order": ln.order_number}
                    for ln in lines
                ],
            },
        )
        entry.last_error = NOT_MAPPED
        return rma


def receive(
    store: Store,
    rma_id: int,
    received: Mapping[int, Decimal],
    *,
    expected_version: int,
    actor: User,
    lot_serials: Mapping[int, str] | None = None,
) -> RMA:
    """Record what actually arrived, per RMA line (lines not given: nothing arrived)."""
    with store.immediate() as session:
        rma = locked_rma(session, rma_id, expected_version)
        lines = _rma_lines(session, rma_id)
        unknown = set(received) - {ln.id for ln in lines}
        if unknown:
            raise RuleViolation(f"rule rma.lines: line {min(unknown)} is not on this RMA")
        for line in lines:
            assert line.id is not None
            quantity = received.get(line.id, Decimal(0))
            with refused_as_violation():
                rules.check_received(f"line {line.id}", quantity, line.quantity_requested)
            values: dict[str, object] = {"quantity_received": quantity}
            lot = (lot_serials or {}).get(line.id, "").strip()
            if lot:
                values["lot_serial"] = lot[:40]
            _update_line(session, rma, line, values, actor=actor, action="rma.line_received")
        move_rma(
            session,
            rma,
            RmaState.RECEIVED,
            {"received_at": utcnow()},
            actor=actor,
            action="rma.received",
        )
        return rma


def inspect(
    store: Store,
    rma_id: int,
    findings: Mapping[int, str],
    *,
    expected_version: int,
    actor: User,
) -> RMA:
    """Record what inspection found, for every line that arrived."""
    with store.immediate() as session:
        rma = locked_rma(session, rma_id, expected_version)
        lines = _rma_lines(session, rma_id)
        with refused_as_violation():
            rules.check_inspectable(
                rules.LineFacts(str(ln.id), ln.quantity_received) for ln in lines
            )
        for line in lines:
            assert line.id is not None
            text = findings.get(line.id, "").strip()
            if line.quantity_received > 0 and not text:
                raise RuleViolation(
                    f"findings: rule rma.findings: line {line.id} arrived; say what was found"
                )
            if text:
                _update_line(
                    session,
                    rma,
                    line,
                    {"findings": text[:1000]},
                    actor=actor,
                    action="rma.line_inspected",
                )
        move_rma(session, rma, RmaState.INSPECTED, {}, actor=actor, action="rma.inspected")
        return rma


def disposition(
    store: Store,
    rma_id: int,
    line_id: int,
    code: str,
    *,
    expected_version: int,
    actor: User,
    warehouse_id: int | None = None,
) -> RMA:
    """Decide what happens to one line's goods; restock puts them back on hand (audited).
    When every received line is decided, the RMA is dispositioned."""
    with store.immediate() as session:
        rma = locked_rma(session, rma_id, expected_version)
        if rma.state != RmaState.INSPECTED:
            raise RuleViolation(
                f"rule rma.disposition_after_inspection: the RMA is {rma.state}; goods are "
                "dispositioned after inspection"
            )
        lines = _rma_lines(session, rma_id)
        line = next((ln for ln in lines if ln.id == line_id), None)
        if line is None:
            raise RuleViolation(f"rule rma.lines: line {line_id} is not on this RMA")
        if line.disposition:
            raise RuleViolation(
                f"rule rma.disposition_once: line {line_id} is already {line.disposition}"
            )
        item = session.get(Item, line.item_id)
        assert item is not None
        facts = rules.LineFacts(item.part_number, line.quantity_received, "", line.findings)
        with refused_as_violation():
            decided = rules.check_disposition(facts, code, warehouse_id)
        values: dict[str, object] = {"disposition": decided.value}
        if decided == Disposition.RESTOCK:
            assert warehouse_id is not None
            if session.get(Warehouse, warehouse_id) is None:
                raise RuleViolation(f"warehouse: no warehouse {warehouse_id}")
            values["disposition_warehouse_id"] = warehouse_id
            _restock(session, rma, line, warehouse_id, actor)
        if decided == Disposition.RETURN_TO_VENDOR:
            values["vendor_recovery"] = True
        _update_line(session, rma, line, values, actor=actor, action="rma.line_dispositioned")
        facts_all = [
            rules.LineFacts(str(ln.id), ln.quantity_received, ln.disposition, ln.findings)
            for ln in lines
        ]
        if rules.all_dispositioned(facts_all):
            with refused_as_violation():
                rules.settlement(facts_all)
            move_rma(
                session, rma, RmaState.DISPOSITIONED, {}, actor=actor, action="rma.dispositioned"
            )
        else:
            apply_update(  # the RMA's version moves with its lines: other terminals reload
                session,
                rma,
                {},
                expected_version=rma.version,
                actor=actor.name,
                action="rma.line_decided",
                order_id=rma.order_id,
            )
        return rma


def _restock(session: Session, rma: RMA, line: RMALine, warehouse_id: int, actor: User) -> None:
    level = session.exec(
        select(StockLevel)
        .where(StockLevel.item_id == line.item_id, StockLevel.warehouse_id == warehouse_id)
        .with_for_update()
    ).first()
    if level is None:
        level = StockLevel(item_id=line.item_id, warehouse_id=warehouse_id)
        session.add(level)
        session.flush()
        assert level.id is not None
        record(
            session,
            actor=actor.name,
            entity="stock_levels",
            entity_id=level.id,
            action="stock.location_opened",
            order_id=rma.order_id,
            reason=f"restock from {rma.number}",
        )
    apply_update(
        session,
        level,
        {"on_hand": level.on_hand + line.quantity_received},
        expected_version=level.version,
        actor=actor.name,
        action="stock.returned",
        order_id=rma.order_id,
        reason=f"restock from {rma.number}",
    )


def settlement_of(session: Session, rma: RMA) -> str:
    """How the RMA is settled: credit, replace or none (domain.returns.settlement)."""
    assert rma.id is not None
    with refused_as_violation():
        return rules.settlement(ln.facts for ln in line_views(session, rma.id))


def close(store: Store, rma_id: int, *, expected_version: int, actor: User) -> RMA:
    """Close a credited or replaced RMA, or a dispositioned one whose goods were all repaired."""
    with store.immediate() as session:
        rma = locked_rma(session, rma_id, expected_version)
        if rma.state == RmaState.DISPOSITIONED and settlement_of(session, rma) != "none":
            raise RuleViolation(
                f"rule rma.settle_before_close: {rma.number} must be "
                f"{'credited' if settlement_of(session, rma) == 'credit' else 'replaced'} "
                "before it is closed"
            )
        move_rma(
            session, rma, RmaState.CLOSED, {"closed_at": utcnow()}, actor=actor, action="rma.closed"
        )
        return rma


def reject(store: Store, rma_id: int, reason: str, *, expected_version: int, actor: User) -> RMA:
    reason = reason.strip()
    if not reason:
        raise RuleViolation("reason: rule rma.reject_reason: an RMA is rejected with a reason")
    with store.immediate() as session:
        rma = locked_rma(session, rma_id, expected_version)
        move_rma(
            session,
            rma,
            RmaState.REJECTED,
            {"rejected_reason": reason[:400], "closed_at": utcnow()},
            actor=actor,
            action="rma.rejected",
            reason=reason,
        )
        return rma
