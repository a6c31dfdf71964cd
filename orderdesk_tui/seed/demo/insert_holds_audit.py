"""Writing holds, the ERP pushes they stopped and the audit trail to the store."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import Session

from orderdesk_tui.models import Hold, SalesOrder
from orderdesk_tui.models.base import HoldKind, OrderSource, OrderState
from orderdesk_tui.seed.demo.constants import COORDINATORS, SUPERVISOR, SYSTEM
from orderdesk_tui.seed.demo.records import HoldPlan, OrderPlan
from orderdesk_tui.seed.demo.state import LoaderState
from orderdesk_tui.services.audit import record
from orderdesk_tui.services.outbox import enqueue


class HoldAndAuditInserts(LoaderState):
    """Inserts holds, refused pushes and audit events."""

    @staticmethod
    def _refused_push(s: Session, order: SalesOrder, hold: Hold) -> None:
        """The push the ERP refused, behind an open ERP hold: failed in the outbox with the
        ERP's answer, so the coordinator can retry it (F11) once the ERP side is fixed."""
        assert order.id is not None
        entry = enqueue(
            s,
            entity="sales_orders",
            entity_id=order.id,
            operation="push_order",
            payload={"number": order.number, "customer_po": order.customer_po},
        )
        entry.state = "failed"
        entry.attempts = 1
        entry.last_error = hold.reason
        entry.created_at = entry.next_attempt_at = hold.raised_at

    def _insert_holds_and_audit(self) -> None:
        s, rng = self.session, self.rng
        n_holds = 0
        n_events = 0

        def event(at: datetime, **kw: Any) -> None:
            nonlocal n_events
            ev = record(s, **kw)
            ev.at = at
            n_events += 1

        hold_rows: list[tuple[Hold, HoldPlan, OrderPlan]] = []
        for order in self.orders:
            assert order.row is not None and order.row.id is not None
            for h in order.holds:
                hold_rows.append(
                    (
                        Hold(
                            order_id=order.row.id,
                            kind=h.kind,
                            reason=h.reason[:400],
                            raised_by=h.raised_by,
                            raised_at=h.raised_at,
                            released_by=h.released_by,
                            released_at=h.released_at,
                            release_reason=h.release_reason,
                            version=2 if h.released_at else 1,
                        ),
                        h,
                        order,
                    )
                )
        s.add_all([h for h, *_ in hold_rows])
        s.flush()
        n_holds = len(hold_rows)
        holds_by_order: dict[int, list[Hold]] = defaultdict(list)
        for hold, _, order in hold_rows:
            assert order.row is not None and order.row.id is not None
            holds_by_order[order.row.id].append(hold)
            if hold.kind == HoldKind.ERP and hold.released_at is None:
                self._refused_push(s, order.row, hold)

        for order in self.orders:
            row = order.row
            assert row is not None and row.id is not None
            oid = row.id
            first = OrderState.DRAFT if order.state == OrderState.DRAFT else OrderState.ENTERED
            event(
                order.entered_at,
                actor=order.entered_by,
                entity="sales_orders",
                entity_id=oid,
                action="order.created",
                changes={"state": (None, first), "number": (None, row.number)},
                order_id=oid,
                reason=f"{order.source} order, customer PO {order.customer_po}",
            )
            state = first
            for hold in holds_by_order.get(oid, []):
                assert hold.id is not None
                event(
                    hold.raised_at,
                    actor=SYSTEM,
                    entity="holds",
                    entity_id=hold.id,
                    action="hold.raised",
                    changes={"kind": (None, hold.kind)},
                    order_id=oid,
                    reason=hold.reason,
                )
                if state != OrderState.ON_HOLD:
                    event(
                        hold.raised_at,
                        actor=SYSTEM,
                        entity="sales_orders",
                        entity_id=oid,
                        action="order.state",
                        changes={"state": (state, OrderState.ON_HOLD)},
                        order_id=oid,
                        reason=f"{hold.kind} hold",
                    )
                    state = OrderState.ON_HOLD
            for hold in holds_by_order.get(oid, []):
                if hold.released_at is None:
                    continue
                assert hold.id is not None
                supervisor_kind = hold.kind in (
                    HoldKind.CREDIT,
                    HoldKind.PRICE,
                    HoldKind.COMPLIANCE,
                )
                event(
                    hold.released_at,
                    actor=hold.released_by,
                    entity="holds",
                    entity_id=hold.id,
                    action="hold.released",
                    changes={"released_by": ("", hold.released_by)},
                    order_id=oid,
                    reason=hold.release_reason,
                    approved_by=SUPERVISOR
                    if supervisor_kind and hold.released_by != SUPERVISOR
                    else "",
                )
            if state == OrderState.ON_HOLD and order.state != OrderState.ON_HOLD:
                released = [h.released_at for h in holds_by_order[oid] if h.released_at]
                if order.state != OrderState.CANCELLED and released:
                    event(
                        max(released),
                        actor=SYSTEM,
                        entity="sales_orders",
                        entity_id=oid,
                        action="order.state",
                        changes={"state": (OrderState.ON_HOLD, OrderState.ENTERED)},
                        order_id=oid,
                        reason="last hold released",
                    )
                    state = OrderState.ENTERED
            steps: list[tuple[datetime | None, OrderState, str]] = [
                (order.acknowledged_at, OrderState.ACKNOWLEDGED,
                 SYSTEM if order.source == OrderSource.EDI else order.entered_by),
                (order.released_at, OrderState.RELEASED, rng.choice(COORDINATORS)),
            ]  # fmt: skip
            if order.state == OrderState.PARTIALLY_SHIPPED and order.ships:
                steps.append((order.ships[0].shipped_at, OrderState.PARTIALLY_SHIPPED, SYSTEM))
            elif order.shipped_at is not None:
                if len(order.ships) > 1:
                    steps.append((order.ships[0].shipped_at, OrderState.PARTIALLY_SHIPPED, SYSTEM))
                steps.append((order.shipped_at, OrderState.SHIPPED, SYSTEM))
            steps.append((order.invoiced_at, OrderState.INVOICED, SYSTEM))
            steps.append((order.closed_at, OrderState.CLOSED, SYSTEM))
            for at, new, actor in steps:
                if at is None:
                    continue
                event(
                    at,
                    actor=actor,
                    entity="sales_orders",
                    entity_id=oid,
                    action="order.state",
                    changes={"state": (state, new)},
                    order_id=oid,
                )
                state = new
            if order.cancelled_at is not None:
                by_sup = state == OrderState.RELEASED
                actor = rng.choice(COORDINATORS)
                event(
                    order.cancelled_at,
                    actor=actor,
                    entity="sales_orders",
                    entity_id=oid,
                    action="order.cancelled",
                    changes={"state": (state, OrderState.CANCELLED)},
                    order_id=oid,
                    reason=order.cancel_reason,
                    approved_by=SUPERVISOR if by_sup else "",
                )
        for rma, _, order, _state in self._rmas:
            assert rma.id is not None and order.row is not None
            event(
                rma.requested_at,
                actor=rma.created_by,
                entity="rmas",
                entity_id=rma.id,
                action="rma.created",
                changes={"state": (None, "requested")},
                order_id=order.row.id,
                reason=rma.reason_code,
            )
            if rma.state != "requested":
                event(
                    rma.closed_at or rma.received_at or rma.authorised_at or rma.requested_at,
                    actor=SUPERVISOR,
                    entity="rmas",
                    entity_id=rma.id,
                    action="rma.state",
                    changes={"state": ("requested", rma.state)},
                    order_id=order.row.id,
                )
        s.flush()
        self.summary.holds = n_holds
        self.summary.audit_events = n_events
