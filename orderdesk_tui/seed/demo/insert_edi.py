"""Writing the EDI trading partners' X12 documents (850, 860, 997) to the store."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import partial

from orderdesk_tui.models import Customer, EDIDocument
from orderdesk_tui.models.base import OrderSource, OrderState
from orderdesk_tui.seed.demo.constants import OUR_EDI_ID
from orderdesk_tui.seed.demo.helpers import fmt_qty
from orderdesk_tui.seed.demo.records import OrderPlan
from orderdesk_tui.seed.demo.state import LoaderState


def _inbound(
    order: "OrderPlan",
    transaction_set: str,
    icn: int,
    raw: str,
    state: str,
    received_at: datetime,
    processed_at: datetime | None = None,
) -> EDIDocument:
    """An X12 document the trading partner sent about `order` (interchange control `icn`)."""
    cust = order.cust.row
    assert order.row is not None
    return EDIDocument(
        direction="in",
        transaction_set=transaction_set,
        interchange_control=f"{icn:09d}",
        group_control=str(icn),
        transaction_control="0001",
        partner_id=cust.edi_partner_id,
        customer_id=cust.id,
        order_id=order.row.id,
        state=state,
        raw=raw,
        file_name=f"{cust.code}_{transaction_set}_{icn:09d}.edi",
        received_at=received_at,
        processed_at=processed_at,
    )


class EdiInserts(LoaderState):
    """Inserts the partners' 850s, 860s and our 997s."""

    def _insert_edi(self) -> None:
        s, rng = self.session, self.rng
        docs: list[EDIDocument] = []
        control = {"NSTR01": rng.randint(4100, 4900), "GLMS01": rng.randint(700, 1500)}
        ours = 100
        for order in self.orders:
            if order.source != OrderSource.EDI:
                continue
            cust = order.cust.row
            assert order.row is not None and cust.edi_partner_id
            control[cust.code] += 1
            icn = control[cust.code]
            raw = self._x12_850(order, icn)
            received, entered = order.received_at, order.entered_at
            docs.append(_inbound(order, "850", icn, raw, "acknowledged", received, entered))
            ours += 1
            docs.append(
                EDIDocument(
                    direction="out",
                    transaction_set="997",
                    interchange_control=f"{ours:09d}",
                    group_control=str(ours),
                    transaction_control="0001",
                    partner_id=cust.edi_partner_id,
                    customer_id=cust.id,
                    order_id=order.row.id,
                    state="sent",
                    raw=self._x12_997(cust, ours, icn, order.entered_at),
                    file_name=f"{cust.code}_997_{ours:09d}.edi",
                    received_at=order.entered_at,
                    processed_at=order.entered_at + timedelta(seconds=3),
                )
            )
        # Lately arrived: change requests not yet handled and one refused 850, numbered by each
        # partner in the order it sent them.
        waiting = [*self._change_requests(), self._duplicate_850()]
        for _at, order, make in sorted(waiting, key=lambda w: w[0]):
            code = order.cust.row.code
            control[code] += 1
            docs.append(make(control[code]))
        docs.sort(key=lambda d: d.received_at)
        s.add_all(docs)
        s.flush()
        self.summary.edi_documents = len(docs)

    def _duplicate_850(self) -> tuple[datetime, OrderPlan, Callable[[int], EDIDocument]]:
        """An 850 the desk refused: a duplicate of a PO already on order."""
        dup = next(o for o in reversed(self.orders) if o.cust.row.code == "NSTR01" and o.row)
        cust = dup.cust.row
        at = self.now - timedelta(minutes=42)
        assert dup.row is not None
        error = (
            f"BEG03 {dup.customer_po}: purchase order already on order "
            f"{dup.row.number}; not imported (duplicate)"
        )

        def make(icn: int) -> EDIDocument:
            return EDIDocument(
                direction="in",
                transaction_set="850",
                interchange_control=f"{icn:09d}",
                group_control=str(icn),
                transaction_control="0001",
                partner_id=cust.edi_partner_id,
                customer_id=cust.id,
                state="error",
                error=error,
                raw=self._x12_850(dup, icn, at=at),
                file_name=f"{cust.code}_850_{icn:09d}.edi",
                received_at=at,
                processed_at=at + timedelta(seconds=2),
            )

        return at, dup, make

    def _change_requests(self) -> list[tuple[datetime, OrderPlan, Callable[[int], EDIDocument]]]:
        """860s received for open orders, not yet handled: NSTR01 raises a line's quantity on
        its newest open order and moves the delivery date of the one before; GLMS01 halved a
        line of its newest open order yesterday."""

        def open_edi(code: str) -> list[OrderPlan]:
            return [
                o
                for o in self.orders
                if o.cust.row.code == code
                and o.source == OrderSource.EDI
                and o.row is not None
                and o.state in (OrderState.ACKNOWLEDGED, OrderState.RELEASED)
                and any(ln.quantity >= 2 and not ln.shipped for ln in o.lines)
            ]

        nstr, glms = open_edi("NSTR01"), open_edi("GLMS01")
        now = self.now
        plans: list[tuple[datetime, OrderPlan, str]] = [
            (now - timedelta(minutes=35), nstr[-1], "more"),
            (now - timedelta(hours=1, minutes=25), nstr[-2], "later"),
            (now - timedelta(hours=26), glms[-1], "less"),
        ]
        return [(at, o, partial(self._edi_860, o, at, change)) for at, o, change in plans]

    def _edi_860(self, order: OrderPlan, at: datetime, change: str, icn: int) -> EDIDocument:
        return _inbound(order, "860", icn, self._x12_860(order, icn, at, change), "received", at)

    def _isa(self, sender_q: str, sender: str, recv_q: str, recv: str, at: datetime, icn: int,
             fid: str) -> list[str]:  # fmt: skip
        return [
            f"ISA*00*{'':10}*00*{'':10}*{sender_q}*{sender:<15}*{recv_q}*{recv:<15}*"
            f"{at:%y%m%d}*{at:%H%M}*U*00401*{icn:09d}*0*P*>",
            f"GS*{fid}*{sender}*{recv}*{at:%Y%m%d}*{at:%H%M}*{icn}*X*004010",
        ]

    def _x12_850(self, order: OrderPlan, icn: int, *, at: datetime | None = None) -> str:
        cust = order.cust.row
        at = at or order.received_at
        body = [
            "ST*850*0001",
            f"BEG*00*SA*{order.customer_po}**{order.received_at:%Y%m%d}",
        ]
        if order.requested:
            body.append(f"DTM*002*{order.requested:%Y%m%d}")
        body.append(f"N1*ST*{order.ship_to.name[:60]}*92*{order.ship_to.code}")
        for no, ln in enumerate(order.lines, start=1):
            ids = f"*VP*{ln.item.part_number}"
            if ln.customer_part:
                ids = f"*BP*{ln.customer_part}" + ids
            uom = {"GAL": "GA"}.get(ln.item.uom, ln.item.uom)
            body.append(f"PO1*{no}*{fmt_qty(ln.quantity)}*{uom}*{fmt_qty(ln.unit_price)}*PE{ids}")
        body.append(f"CTT*{len(order.lines)}")
        body.append(f"SE*{len(body) + 1}*0001")
        segs = [
            *self._isa(cust.edi_qualifier, cust.edi_partner_id, "ZZ", OUR_EDI_ID, at, icn, "PO"),
            *body,
            f"GE*1*{icn}",
            f"IEA*1*{icn:09d}",
        ]
        return "~\n".join(segs) + "~\n"

    def _x12_860(self, order: OrderPlan, icn: int, at: datetime, change: str) -> str:
        """A buyer's change request: `later` moves the requested delivery a week out (DTM*002);
        `more` / `less` raise or halve the first unshipped line's quantity (POC QI / QD)."""
        cust = order.cust.row
        body = [
            "ST*860*0001",
            f"BCH*04*SA*{order.customer_po}**1*{order.received_at:%Y%m%d}",
        ]
        if change == "later":
            wanted = (order.requested or self.today) + timedelta(days=7)
            body.append(f"DTM*002*{wanted:%Y%m%d}")
        else:
            no, ln = next(
                (no, ln)
                for no, ln in enumerate(order.lines, start=1)
                if ln.quantity >= 2 and not ln.shipped
            )
            half = max(Decimal(1), (ln.quantity / 2).to_integral_value(ROUND_FLOOR))
            quantity, code = (ln.quantity + half, "QI") if change == "more" else (half, "QD")
            ids = f"*VP*{ln.item.part_number}"
            if ln.customer_part:
                ids = f"*BP*{ln.customer_part}" + ids
            uom = {"GAL": "GA"}.get(ln.item.uom, ln.item.uom)
            price = fmt_qty(ln.unit_price)
            body.append(
                f"POC*{no}*{code}*{fmt_qty(quantity)}*{fmt_qty(quantity)}*{uom}*{price}*PE{ids}"
            )
            body.append("CTT*1")
        body.append(f"SE*{len(body) + 1}*0001")
        segs = [
            *self._isa(cust.edi_qualifier, cust.edi_partner_id, "ZZ", OUR_EDI_ID, at, icn, "PC"),
            *body,
            f"GE*1*{icn}",
            f"IEA*1*{icn:09d}",
        ]
        return "~\n".join(segs) + "~\n"

    def _x12_997(self, cust: Customer, icn: int, their_group: int, at: datetime) -> str:
        body = [
            "ST*997*0001",
            f"AK1*PO*{their_group}",
            "AK2*850*0001",
            "AK5*A",
            "AK9*A*1*1*1",
        ]
        body.append(f"SE*{len(body) + 1}*0001")
        segs = [
            *self._isa("ZZ", OUR_EDI_ID, cust.edi_qualifier, cust.edi_partner_id, at, icn, "FA"),
            *body,
            f"GE*1*{icn}",
            f"IEA*1*{icn:09d}",
        ]
        return "~\n".join(segs) + "~\n"
