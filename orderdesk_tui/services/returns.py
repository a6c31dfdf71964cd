"""Returns (RMA) and warranty claims, step by step: request, authorise, receive, inspect,
disposition, close; reject at any open step. This module holds the steps after the request and
the helpers every step shares (the policy from the settings, the locked RMA, the state move).
What can come back: `services.returnable`; the request: `services.rma_request`; an RMA as read
for its screen: `services.rma_detail`; credit or replacement: `services.rma_settlement`.

Each step is one transaction (`store.immediate()`): the RMA, its lines, stock, the credit memo
or replacement order, the audit events and the ERP outbox entries land together or not at
all. Rules come from `domain.returns` (policy from `[returns]` in the settings); a refusal
names its rule. Steps a supervisor may allow (a late return, an out-of-warranty claim, a
large authorisation, any credit) take a supervisor's override, checked in the step's own
transaction (`users.approve`) unless the acting user is one; `rma_request.assess_request` says
beforehand which rules need one.

The ERP hears of an authorised RMA (`push_rma`) and of each credit memo
(`push_credit_memo`) through the outbox. No connector maps them yet (Tryton's
`sale_complaint` is not installed in the test ERP), so the sync engine leaves these entries
pending, and each carries that reason.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from orderdesk_tui.config import ReturnsSettings, Settings
from orderdesk_tui.domain import returns as rules
from orderdesk_tui.domain.money import format_money, round_money
from orderdesk_tui.domain.returns import Disposition, Refusal, RmaState
from orderdesk_tui.errors import RuleViolation, StaleEdit
from orderdesk_tui.models import RMA, Customer, Item, RMALine, StockLevel, User, Warehouse
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.services.audit import apply_update, record
from orderdesk_tui.services.numbering import next_number
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.rma_detail import RMAS, RmaDetail, line_views
from orderdesk_tui.services.users import Approval, approve
from orderdesk_tui.store import Store

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
    values: dict[str, object],
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
        customer = session.get(Customer, rma.customer_id)
        assert customer is not None  # the RMA's customer (a foreign key)
        value = sum(
            (round_money(ln.requested * ln.unit_price, customer.currency) for ln in lines),
            Decimal(0),
        )
        approved = ""
        if rules.authorise_needs_supervisor(policy, value):
            currency = customer.currency
            approved = approve(
                session,
                actor.name,
                approval,
                f"rule rma.authorise_limit: authorising {format_money(value, currency, code=True)}"
                f" is above {format_money(policy.authorise_supervisor_above, currency, code=True)}",
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
        entry = enqueue(
            session,
            entity=RMAS,
            entity_id=rma.id,
            operation=PUSH_RMA,
            payload={
                "number": number,
                "customer": customer.code,
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
