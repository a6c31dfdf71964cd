"""Settling a dispositioned RMA: the credit memo (goods less the restocking fee, freight per
policy, tax at the invoice's rate; a supervisor approves) or the no-charge replacement order
(priced at 0 with the RMA as the override reason, allocated, screened and sent to the ERP like
any order). Each in one transaction with the RMA's move, the audit events and the outbox.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.domain import returns as rules
from orderdesk_tui.domain.money import format_money, round_money
from orderdesk_tui.domain.returns import Disposition, RmaState
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import (
    RMA,
    Customer,
    Hold,
    Invoice,
    InvoiceLine,
    Item,
    SalesOrder,
    SalesOrderLine,
    User,
)
from orderdesk_tui.models.base import FreightTerms, OrderSource, OrderState, utcnow
from orderdesk_tui.services.allocation import allocate_in
from orderdesk_tui.services.audit import apply_update, record
from orderdesk_tui.services.compliance import apply_compliance_hold, load_rules, screen_order_in
from orderdesk_tui.services.drafts import customer_defaults
from orderdesk_tui.services.numbering import next_number
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.returns import (
    NOT_MAPPED,
    PUSH_CREDIT_MEMO,
    check_move,
    locked_rma,
    move_rma,
    policy_from,
    settlement_of,
    today_or_now,
)
from orderdesk_tui.services.rma_detail import RmaLineView, line_views
from orderdesk_tui.services.users import Approval, approve
from orderdesk_tui.store import Store


@dataclass(frozen=True)
class CreditQuote:
    """What the credit memo of a dispositioned RMA will say."""

    goods: Decimal
    restocking_fee: Decimal
    freight: Decimal
    tax: Decimal
    total: Decimal
    currency: str
    lines: tuple[tuple[RmaLineView, Decimal], ...]


def _quote(session: Session, rma: RMA, policy: rules.ReturnPolicy) -> CreditQuote:
    assert rma.id is not None
    lines = line_views(session, rma.id)
    customer = session.get(Customer, rma.customer_id)
    assert customer is not None
    invoice = session.get(Invoice, rma.invoice_id) if rma.invoice_id else None
    currency = invoice.currency if invoice else customer.currency
    credited = [
        (ln, round_money(ln.received * ln.unit_price, currency))
        for ln in lines
        if ln.received > 0 and ln.disposition in rules.CREDITED_DISPOSITIONS
    ]
    goods = sum((amount for _, amount in credited), Decimal(0))
    fee = sum(
        (
            rules.restocking_fee(
                policy, ln.reason or rma.reason_code, customer.service_tier, amount, currency
            )
            for ln, amount in credited
        ),
        Decimal(0),
    )
    freight = Decimal(0)
    tax = Decimal(0)
    if invoice is not None:
        freight = sum(
            (
                rules.freight_credit(
                    policy,
                    ln.reason or rma.reason_code,
                    invoice.freight,
                    amount,
                    invoice.subtotal,
                    currency,
                )
                for ln, amount in credited
            ),
            Decimal(0),
        )
        if invoice.subtotal + invoice.freight > 0 and invoice.tax:
            rate = invoice.tax / (invoice.subtotal + invoice.freight)
            tax = round_money((goods - fee + freight) * rate, currency)
    return CreditQuote(
        goods=goods,
        restocking_fee=fee,
        freight=freight,
        tax=tax,
        total=goods - fee + freight + tax,
        currency=currency,
        lines=tuple(credited),
    )


def quote_credit(store: Store, rma_id: int, *, settings: Settings) -> CreditQuote:
    with store.session() as session:
        rma = session.get(RMA, rma_id)
        if rma is None:
            raise RuleViolation(f"RMA {rma_id} does not exist")
        return _quote(session, rma, policy_from(settings.returns))


def credit(
    store: Store,
    rma_id: int,
    *,
    expected_version: int,
    actor: User,
    settings: Settings,
    approval: Approval | None = None,
    today: date | None = None,
) -> Invoice:
    """Issue the credit memo (goods less restocking fee, plus freight per policy, with tax)."""
    policy = policy_from(settings.returns)
    with store.immediate() as session:
        rma = locked_rma(session, rma_id, expected_version)
        check_move(rma, RmaState.CREDITED)
        how = settlement_of(session, rma)
        if how != "credit":
            raise RuleViolation(
                f"rule rma.settle_one_way: this RMA is settled by "
                f"{'a replacement order' if how == 'replace' else 'closing it (all repaired)'}"
            )
        quote = _quote(session, rma, policy)
        approved = ""
        if policy.credit_needs_supervisor:
            approved = approve(
                session,
                actor.name,
                approval,
                "rule rma.credit_approval: a credit of "
                f"{format_money(quote.total, quote.currency, code=True)} needs a supervisor",
            )
        day = today_or_now(today)
        memo = Invoice(
            number=next_number(session, "credit"),
            kind="credit_memo",
            order_id=rma.order_id,
            customer_id=rma.customer_id,
            invoice_date=day,
            due_date=day,
            state="open",
            currency=quote.currency,
            subtotal=quote.goods - quote.restocking_fee,
            freight=quote.freight,
            tax=quote.tax,
            total=quote.total,
        )
        session.add(memo)
        session.flush()
        assert memo.id is not None
        for ln, amount in quote.lines:
            session.add(
                InvoiceLine(
                    invoice_id=memo.id,
                    order_line_id=ln.order_line_id,
                    description=f"Return {rma.number} {ln.part_number}"[:200],
                    quantity=ln.received,
                    unit_price=ln.unit_price,
                    extended=amount,
                )
            )
        if quote.restocking_fee:
            session.add(
                InvoiceLine(
                    invoice_id=memo.id,
                    description=f"Restocking fee ({rma.number})",
                    quantity=Decimal(1),
                    unit_price=-quote.restocking_fee,
                    extended=-quote.restocking_fee,
                )
            )
        record(
            session,
            actor=actor.name,
            approved_by=approved,
            entity="invoices",
            entity_id=memo.id,
            order_id=rma.order_id,
            action="credit_memo.issued",
            changes={"number": (None, memo.number), "total": (None, memo.total)},
            reason=f"RMA {rma.number}",
        )
        move_rma(
            session,
            rma,
            RmaState.CREDITED,
            {
                "credit_memo_id": memo.id,
                "restocking_fee": quote.restocking_fee,
                "freight_credit": quote.freight,
                "credit_amount": quote.total,
            },
            actor=actor,
            action="rma.credited",
            approved_by=approved,
            reason=f"credit memo {memo.number}",
        )
        entry = enqueue(
            session,
            entity="invoices",
            entity_id=memo.id,
            operation=PUSH_CREDIT_MEMO,
            payload={"number": memo.number, "rma": rma.number, "total": memo.total},
        )
        entry.last_error = NOT_MAPPED
        return memo


def replace(
    store: Store,
    rma_id: int,
    *,
    expected_version: int,
    actor: User,
    settings: Settings,
    today: date | None = None,
) -> SalesOrder:
    """Enter a no-charge replacement order for the lines to replace, in the same transaction:
    priced at 0 with the RMA as the override reason, freight on us, allocated, screened, sent
    to the ERP like any order."""
    with store.immediate() as session:
        rma = locked_rma(session, rma_id, expected_version)
        check_move(rma, RmaState.REPLACED)
        if settlement_of(session, rma) != "replace":
            raise RuleViolation("rule rma.settle_one_way: no line of this RMA is to be replaced")
        customer = session.get(Customer, rma.customer_id)
        assert customer is not None and rma.id is not None
        original = session.get(SalesOrder, rma.order_id) if rma.order_id else None
        # the original order's terms and addresses; the customer's defaults when the RMA
        # spans several orders
        terms = customer_defaults(session, customer)
        if original is not None:
            terms.update(
                {k: getattr(original, k) for k in terms if getattr(original, k) is not None}
            )
        if terms["ship_to_id"] is None:
            raise RuleViolation(
                f"rule rma.replace_ship_to: {customer.code} has no ship-to address to send the "
                "replacement to"
            )
        terms["freight_terms"] = FreightTerms.PREPAID  # the replacement ships on us
        now = utcnow()
        order = SalesOrder(
            number=next_number(session, "order"),
            customer_po=f"{rma.number} replacement"[:40],
            **terms,
            state=OrderState.ENTERED,
            source=OrderSource.PHONE,
            notes=f"No-charge replacement under {rma.number}",
            received_at=now,
            entered_at=now,
            requested_date=today_or_now(today),
            entered_by=actor.name,
            assigned_to=actor.name,
        )
        session.add(order)
        session.flush()
        assert order.id is not None
        why = f"no-charge replacement under {rma.number}"
        line_no = 0
        for view in line_views(session, rma.id):
            if view.disposition != Disposition.REPLACE or view.received <= 0:
                continue
            line_no += 1
            item = session.get(Item, view.item_id)
            assert item is not None
            session.add(
                SalesOrderLine(
                    order_id=order.id,
                    line_no=line_no,
                    item_id=item.id,
                    part_number=item.part_number,
                    description=view.description,
                    quantity=view.received,
                    uom=item.uom,
                    list_price=item.list_price,
                    unit_price=Decimal(0),
                    price_source="override",
                    override_reason=why,
                    extended=Decimal(0),
                )
            )
        session.flush()
        record(
            session,
            actor=actor.name,
            entity="sales_orders",
            entity_id=order.id,
            order_id=order.id,
            action="order.submitted",
            changes={"state": (None, OrderState.ENTERED), "customer_po": (None, order.customer_po)},
            reason=why,
        )
        allocate_in(session, order, actor=actor.name, today=today)
        rules_c = load_rules(settings.compliance)
        apply_compliance_hold(session, order, screen_order_in(session, order, rules_c), actor.name)
        session.refresh(order)
        held = session.exec(
            select(Hold.id).where(Hold.order_id == order.id, col(Hold.released_at).is_(None))
        ).first()
        if held is None:
            apply_update(
                session,
                order,
                {"state": OrderState.ACKNOWLEDGED, "acknowledged_at": utcnow()},
                expected_version=order.version,
                actor=actor.name,
                action="order.acknowledged",
                order_id=order.id,
            )
        enqueue(
            session,
            entity="sales_orders",
            entity_id=order.id,
            operation="push_order",
            payload={"number": order.number, "customer_po": order.customer_po},
        )
        move_rma(
            session,
            rma,
            RmaState.REPLACED,
            {"replacement_order_id": order.id},
            actor=actor,
            action="rma.replaced",
            reason=f"replacement order {order.number}",
        )
        return order
