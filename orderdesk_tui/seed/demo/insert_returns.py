"""Writing returns (RMAs) with their lines, receipts and credits to the store."""

from datetime import timedelta
from decimal import Decimal

from orderdesk_tui.domain import returns as returns_rules
from orderdesk_tui.models import RMA, Invoice, InvoiceLine, RMALine
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.seed.demo.constants import COORDINATORS, RETURN_POLICY, SUPERVISOR, ZERO
from orderdesk_tui.seed.demo.helpers import cents
from orderdesk_tui.seed.demo.money_and_dates import OrderMoneyAndDates
from orderdesk_tui.seed.demo.records import OrderPlan
from orderdesk_tui.services.numbering import next_number


class ReturnInserts(OrderMoneyAndDates):
    """Inserts RMAs for shipped orders."""

    def _insert_rmas(self) -> None:
        s, rng = self.session, self.rng
        cands = [
            o
            for o in self.orders
            if o.state in (OrderState.CLOSED, OrderState.INVOICED)
            and o.invoice is not None
            and o.cust.row.code not in ("BAYO01", "SUMM01", "TIDE01")
            and not o.tag.startswith("warranty")
        ]
        picks = rng.sample(cands, 7)
        picks.sort(key=lambda o: o.entered_at)
        original = next(o for o in self.orders if o.tag == "warranty_original")
        replacement = next(o for o in self.orders if o.tag == "warranty_replacement")
        specs = [
            ("return", "requested", "ordered_in_error", picks[0]),
            ("return", "authorised", "damaged", picks[1]),
            ("warranty", "received", "warranty", picks[2]),
            ("warranty", "inspected", "warranty", picks[3]),
            ("return", "credited", "excess", picks[4]),
            ("warranty", "replaced", "warranty", original),
            ("return", "rejected", "excess", picks[5]),
            ("return", "closed", "wrong_item", picks[6]),
        ]
        specs.sort(key=lambda sp: sp[3].entered_at)
        rmas: list[tuple[RMA, list[RMALine], OrderPlan, str]] = []
        for kind, state, reason, order in specs:
            assert order.row is not None and order.invoice is not None
            cust_id = order.cust.row.id
            assert cust_id is not None and order.shipped_at is not None
            if state == "replaced":
                requested = replacement.entered_at - timedelta(hours=rng.randint(3, 30))
            elif state == "rejected":
                requested = order.shipped_at + timedelta(days=140)
            else:
                gap = max((self.now - order.shipped_at).days - 2, 1)
                requested = order.shipped_at + timedelta(days=rng.randint(1, min(gap, 40)))
            requested = self._before_now(requested, order.shipped_at, 120)
            progressed = state not in ("requested", "rejected")
            authorised_at = requested + timedelta(hours=rng.randint(1, 30)) if progressed else None
            if authorised_at is not None:
                authorised_at = self._before_now(authorised_at, requested, 90)
            received_at = None
            if state in ("received", "inspected", "credited", "replaced", "closed"):
                assert authorised_at is not None
                received_at = self._before_now(
                    authorised_at + timedelta(days=rng.randint(3, 8)), authorised_at, 60
                )
            invoice_lines = self._invoice_lines[order.invoice.id]  # type: ignore[index]
            if kind == "warranty":
                chosen = [b for b in invoice_lines if b.line.item.warranty_months > 0][:1]
                chosen = chosen or invoice_lines[:1]
            else:
                chosen = invoice_lines[: rng.randint(1, min(2, len(invoice_lines)))]
            restock = ZERO
            returned = ZERO
            rlines: list[RMALine] = []
            for il in chosen:
                ln = il.line
                assert ln.row_id is not None and ln.item.id is not None
                qty = (
                    ln.item.order_multiple if ln.item.order_multiple < il.quantity else il.quantity
                )
                if kind == "warranty":
                    qty = Decimal(1)
                got = qty if received_at is not None else ZERO
                findings, disposition, wh = "", "", None
                if state in ("inspected", "replaced"):
                    findings = "bearing noise at 1800 rpm confirmed; drive-end bearing failed"
                    disposition = "replace" if state == "replaced" else ""
                elif state in ("credited", "closed"):
                    findings = "unused, original packaging"
                    disposition, wh = "restock", self.warehouses["CHI"].id
                returned += cents(qty * il.unit_price)
                rlines.append(
                    RMALine(
                        rma_id=0,
                        order_line_id=ln.row_id,
                        invoice_line_id=il.id,
                        item_id=ln.item.id,
                        lot_serial="",
                        reason_code=reason,
                        quantity_requested=qty,
                        quantity_received=got,
                        findings=findings,
                        disposition=disposition,
                        disposition_warehouse_id=wh,
                        vendor_recovery=kind == "warranty" and ln.item.vendor_warranted,
                    )
                )
            if state in ("credited", "closed"):
                restock = returns_rules.restocking_fee(
                    RETURN_POLICY,
                    reason,
                    order.cust.row.service_tier,
                    returned,
                    order.cust.row.currency,
                )
            rma = RMA(
                number=next_number(s, "rma_req" if state in ("requested", "rejected") else "rma"),
                customer_id=cust_id,
                order_id=order.row.id,
                invoice_id=order.invoice.id,
                kind=kind,
                state=state,
                reason_code=reason,
                requested_at=requested,
                authorised_at=authorised_at,
                authorised_by=SUPERVISOR if authorised_at else "",
                received_at=received_at,
                closed_at=(
                    self._before_now(received_at + timedelta(days=2), received_at, 30)
                    if state in ("closed", "replaced") and received_at
                    else (requested + timedelta(hours=4) if state == "rejected" else None)
                ),
                rejected_reason=(
                    "return requested 140 days after shipment; excess stock returns are accepted "
                    "for 60 days"
                    if state == "rejected"
                    else ""
                ),
                restocking_fee=restock,
                freight_credit=ZERO,
                credit_amount=ZERO,
                replacement_order_id=(
                    replacement.row.id if state == "replaced" and replacement.row else None
                ),
                created_by=rng.choice(COORDINATORS),
            )
            rma.state_changed_at = (
                rma.closed_at or rma.received_at or rma.authorised_at or rma.requested_at
            )
            rmas.append((rma, rlines, order, state))
        s.add_all([r for r, *_ in rmas])
        s.flush()
        memos: list[tuple[Invoice, list[InvoiceLine], RMA]] = []
        for rma, rlines, order, state in rmas:
            assert rma.id is not None
            for rl in rlines:
                rl.rma_id = rma.id
            s.add_all(rlines)
            if state in ("credited", "closed"):
                assert rma.received_at is not None and rma.customer_id is not None
                subtotal = sum(
                    (cents(rl.quantity_received * self._unit_price(order, rl)) for rl in rlines),
                    ZERO,
                )
                lines = [
                    InvoiceLine(
                        invoice_id=0,
                        order_line_id=rl.order_line_id,
                        item_id=rl.item_id,
                        description=f"Return {rma.number}",
                        quantity=rl.quantity_received,
                        unit_price=self._unit_price(order, rl),
                        extended=cents(rl.quantity_received * self._unit_price(order, rl)),
                    )
                    for rl in rlines
                ]
                lines.append(
                    InvoiceLine(
                        invoice_id=0,
                        description=f"Restocking fee ({rma.number})",
                        quantity=Decimal(1),
                        unit_price=-rma.restocking_fee,
                        extended=-rma.restocking_fee,
                    )
                )
                net = subtotal - rma.restocking_fee
                tax = self._tax(order, net, ZERO)
                credit_day = self._before_now(
                    rma.received_at + timedelta(days=1), rma.received_at, 30
                )
                memo = Invoice(
                    number=next_number(s, "credit"),
                    kind="credit_memo",
                    order_id=order.row.id if order.row else None,
                    customer_id=rma.customer_id,
                    invoice_date=credit_day.date(),
                    due_date=credit_day.date(),
                    state="paid" if state == "closed" else "open",
                    currency=order.cust.row.currency,
                    subtotal=net,
                    freight=ZERO,
                    tax=tax,
                    total=net + tax,
                    amount_paid=net + tax if state == "closed" else ZERO,
                    created_at=credit_day,
                )
                rma.credit_amount = memo.total
                if state == "credited":
                    rma.state_changed_at = credit_day
                memos.append((memo, lines, rma))
        s.add_all([m for m, *_ in memos])
        s.flush()
        for memo, lines, rma in memos:
            assert memo.id is not None
            rma.credit_memo_id = memo.id
            for memo_line in lines:
                memo_line.invoice_id = memo.id
            s.add_all(lines)
        s.flush()
        self.summary.rmas = len(rmas)
        self.summary.invoices += len(memos)
        self._rmas = rmas

    def _unit_price(self, order: OrderPlan, rl: RMALine) -> Decimal:
        return next(ln.unit_price for ln in order.lines if ln.row_id == rl.order_line_id)
