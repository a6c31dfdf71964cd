"""Writing the notes coordinators left on customers and orders to the store."""

from datetime import datetime, timedelta

from orderdesk_tui.models import Note
from orderdesk_tui.models.base import NoteChannel, OrderSource, OrderState, Priority
from orderdesk_tui.seed.demo.constants import COORDINATORS, SUPERVISOR
from orderdesk_tui.seed.demo.records import CustomerPlan, OrderPlan
from orderdesk_tui.seed.demo.state import LoaderState


class NoteInserts(LoaderState):
    """Inserts order and customer notes."""

    def _insert_notes(self) -> None:
        rng = self.rng
        notes: list[Note] = []

        def add(
            order: OrderPlan | None,
            channel: NoteChannel,
            body: str,
            author: str,
            at: datetime,
            *,
            customer: CustomerPlan | None = None,
            callback_at: datetime | None = None,
            done: bool = False,
        ) -> None:
            cust = order.cust if order is not None else customer
            assert cust is not None
            notes.append(
                Note(
                    customer_id=cust.row.id,
                    order_id=order.row.id if order is not None and order.row else None,
                    channel=channel,
                    body=body,
                    author=author,
                    created_at=at,
                    callback_at=callback_at,
                    callback_done=done,
                )
            )

        def contact(o: OrderPlan) -> str:
            return o.cust.contacts[0].name if o.cust.contacts else "the buyer"

        for order in self.orders:
            assert order.row is not None
            if order.source == OrderSource.EMAIL and rng.random() < 0.25:
                add(
                    order,
                    NoteChannel.EMAIL,
                    f"PO {order.customer_po} received by email from {contact(order)}; keyed as "
                    f"{order.row.number}.",
                    order.entered_by,
                    order.entered_at,
                )
            if order.acknowledged_at and order.source != OrderSource.EDI and rng.random() < 0.1:
                email = order.cust.contacts[0].email if order.cust.contacts else ""
                add(
                    order,
                    NoteChannel.EMAIL,
                    f"Order acknowledgement sent to {email}.",
                    order.entered_by,
                    order.acknowledged_at,
                )
            if any(ln.backordered > 0 for ln in order.lines) and rng.random() < 0.5:
                at = self._before_now(order.entered_at + timedelta(days=2), order.entered_at)
                add(
                    order,
                    NoteChannel.PHONE,
                    f"{contact(order)} called for an ETA on the backordered lines; told we "
                    "would confirm once the supplier acknowledges our PO.",
                    rng.choice(COORDINATORS),
                    at,
                )
            if order.priority == Priority.RUSH and order.state == OrderState.RELEASED:
                add(
                    order,
                    NoteChannel.INTERNAL,
                    "Rush: asked the DC to pick before the 15:00 carrier cutoff.",
                    rng.choice(COORDINATORS),
                    order.released_at or order.entered_at,
                )
        waiting = [
            o
            for o in self.orders
            if o.state != OrderState.CANCELLED and any(ln.backordered > 0 for ln in o.lines)
        ]
        due = (
            (self.now - timedelta(minutes=25), "alice"),
            (self.now + timedelta(minutes=95), "bob"),
            (self.now + timedelta(days=1, hours=1), "alice"),
        )
        for (at, who), order in zip(due, waiting[-3:], strict=False):
            add(
                order,
                NoteChannel.PHONE,
                f"Promised to call {contact(order)} back with the ETA for "
                f"{order.lines[-1].item.part_number}.",
                who,
                self.now - timedelta(hours=3),
                callback_at=at,
            )
        for order in waiting[:4]:
            at = self._before_now(order.entered_at + timedelta(days=1), order.entered_at)
            add(
                order,
                NoteChannel.PHONE,
                f"Called {contact(order)} back with the ETA; accepted.",
                "bob",
                at - timedelta(hours=2),
                callback_at=at,
                done=True,
            )
        c = self.customers
        stamp = self.now - timedelta(days=6)
        add(
            None,
            NoteChannel.PHONE,
            "AR: spoke with their controller about the three past-due invoices; promised a "
            "check by Friday. Keep on credit hold.",
            SUPERVISOR,
            stamp,
            customer=c["BAYO01"],
        )
        add(
            None,
            NoteChannel.INTERNAL,
            "Credit: close to the limit. Anything more needs a payment first or a supervisor "
            "release.",
            SUPERVISOR,
            stamp + timedelta(days=3),
            customer=c["SUMM01"],
        )
        add(
            None,
            NoteChannel.INTERNAL,
            "Compliance: the name is close to an SDN entry. Ask for the end-use statement and "
            "the ultimate consignee before anything ships.",
            SUPERVISOR,
            stamp + timedelta(days=4),
            customer=c["TIDE01"],
        )
        self.session.add_all(notes)
        self.session.flush()
        self.summary.notes = len(notes)
