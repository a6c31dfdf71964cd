"""Re-acknowledgements and order-status mails against a real SMTP server on loopback: a
revision's acknowledgement is queued in the change's transaction and mailed marked with its
revision, an untried earlier one becomes it, an EDI partner's change is recorded as a pending
855 for EDI out, the queue shows a re-ack the customer has not got, a mail refused for some of
its recipients is a queue item naming them and never reaches the others twice, and the
promise-moved and shipped mails arrive with what they must say."""

# ruff: noqa: F811 - the SMTP server fixtures (port, smtp) are test_mail's, imported

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from sqlmodel import select

from orderdesk_tui.config import MailSettings
from orderdesk_tui.documents.acknowledgement.load import load_acknowledgement
from orderdesk_tui.documents.acknowledgement.pdf import render_pdf
from orderdesk_tui.models import (
    Contact,
    Customer,
    EDIDocument,
    Hold,
    Item,
    MailOutbox,
    Package,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
    User,
    Warehouse,
)
from orderdesk_tui.models.base import OrderState, Role
from orderdesk_tui.models.revision import OrderRevision
from orderdesk_tui.services.mail_outbox import enqueue_reacknowledgement, retry_mail
from orderdesk_tui.services.mail_sender import MailSender
from orderdesk_tui.services.status_mail import notify_promise_moved, notify_shipped
from orderdesk_tui.store import Store
from tests.test_acknowledgement import _build
from tests.test_mail import (  # noqa: F401 - port and smtp are fixtures used by name
    BUYER,
    Clock,
    Recorder,
    _mail_settings,
    _mails,
    _queue_reasons,
    _submitted,
    _undated,
    port,
    smtp,
)

LATE = timedelta(days=30)  # the ack SLA long past


def _message(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _body(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _revise(
    store: Store, order: SalesOrder, mail: MailSettings, *, reacknowledge: bool = True
) -> MailOutbox | None:
    """What the change does in its transaction: line 1's quantity 2 → 4, the revision row,
    the order's revision number, and the re-acknowledgement."""
    with store.session() as s:
        stored = s.get(SalesOrder, order.id)
        assert stored is not None
        line = s.exec(
            select(SalesOrderLine).where(
                SalesOrderLine.order_id == order.id, SalesOrderLine.line_no == 1
            )
        ).one()
        line.quantity = Decimal(4)
        s.add(line)
        stored.revision += 1
        s.add(stored)
        revision = OrderRevision(
            order_id=order.id or 0,
            revision_no=stored.revision,
            actor="alice",
            summary="line 1 qty 2 → 4",
            diff=json.dumps([{"line_no": 1, "field": "quantity", "old": "2", "new": "4"}]),
            changed_lines="1",
            reacknowledge=reacknowledge,
        )
        s.add(revision)
        s.flush()
        queued = enqueue_reacknowledgement(s, mail, stored, revision)
        if queued is not None:
            s.flush()
            s.expunge(queued)
        return queued


def test_a_revision_mails_its_acknowledgement_marked_with_the_revision(
    demo_store: Store, smtp: Recorder, port: int, tmp_path: Path
) -> None:
    mail = _mail_settings(port)
    order = _submitted(demo_store, mail)
    sender = MailSender(demo_store, mail, password="")
    assert len(sender.send_due().sent) == 1  # the acknowledgement as submitted
    [ack] = _mails(demo_store)
    now = datetime.now(UTC)
    assert _queue_reasons(demo_store, order.id or 0, now + LATE) is None

    reack = _revise(demo_store, order, mail)
    assert reack is not None and (reack.kind, reack.revision_no) == ("reack", 1)
    assert reack.message_id != ack.message_id  # a mail of its own, not a resend
    assert reack.subject.startswith(
        f"Order acknowledgement {order.number} revision 1 (your PO PO-MAIL-1)"
    )
    # the customer has not been told: a re-ack item once its ack SLA runs short, not before
    assert _queue_reasons(demo_store, order.id or 0, now) is None
    assert "re-ack late" in (_queue_reasons(demo_store, order.id or 0, now + LATE) or [])

    assert len(sender.send_due().sent) == 1
    [_, (rcpt, raw)] = smtp.received
    assert rcpt == [BUYER]
    message = _message(raw)
    assert message["Message-ID"].strip() == reack.message_id
    assert message["Subject"] == reack.subject
    body = _body(message)
    assert "revised acknowledgement (revision 1)" in body
    assert "ORDER ACKNOWLEDGEMENT - REVISION 1" in body
    assert "CHANGES IN THIS REVISION\n  - line 1 qty 2 → 4" in body
    assert any(line.startswith(" *1 ") for line in body.splitlines())
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"{order.number}-r1.pdf"
    expected = render_pdf(
        load_acknowledgement(demo_store, order.id or 0, revision=1), tmp_path / "r1.pdf"
    )
    assert _undated(attachment.get_content()) == _undated(expected.read_bytes())
    assert _queue_reasons(demo_store, order.id or 0, now + LATE) is None  # told: SLA met


def test_an_untried_acknowledgement_becomes_the_revisions_and_goes_once(
    demo_store: Store, smtp: Recorder, port: int
) -> None:
    mail = _mail_settings(port)
    order = _submitted(demo_store, mail)  # its acknowledgement queued, not yet tried
    [first] = _mails(demo_store)
    taken = _revise(demo_store, order, mail)
    assert taken is not None and taken.id == first.id
    # still the order's first acknowledgement (its SLA runs from entry), now of revision 1
    assert (taken.kind, taken.revision_no) == ("ack", 1)
    assert taken.message_id != first.message_id and "revision 1" in taken.subject
    assert "ack SLA late" in (
        _queue_reasons(demo_store, order.id or 0, datetime.now(UTC) + LATE) or []
    )
    assert len(MailSender(demo_store, mail, password="").send_due().sent) == 1
    [(_, raw)] = smtp.received
    assert "REVISION 1" in _body(_message(raw))


def test_a_revision_the_customer_need_not_hear_of_queues_nothing(
    demo_store: Store, smtp: Recorder, port: int
) -> None:
    mail = _mail_settings(port)
    order = _submitted(demo_store, mail)
    MailSender(demo_store, mail, password="").send_due()
    assert _revise(demo_store, order, mail, reacknowledge=False) is None
    assert len(_mails(demo_store)) == 1


def test_an_edi_partners_change_is_recorded_as_a_pending_855_for_edi_out(
    demo_store: Store, smtp: Recorder, port: int
) -> None:
    mail = _mail_settings(port)
    order = _submitted(demo_store, mail)
    MailSender(demo_store, mail, password="").send_due()
    with demo_store.session() as s:
        customer = s.get(Customer, order.customer_id)
        assert customer is not None
        customer.edi_partner_id = "NSTR01"
        s.add(customer)
    assert _revise(demo_store, order, mail) is not None  # the mail goes as for anyone
    assert _revise(demo_store, order, MailSettings()) is None  # no server: the 855 still
    with demo_store.session() as s:
        pending = s.exec(
            select(EDIDocument)
            .where(EDIDocument.order_id == order.id, EDIDocument.transaction_set == "855")
            .order_by(EDIDocument.id)  # type: ignore[arg-type]
        ).all()
    assert [(d.direction, d.state, d.partner_id, d.revision_no) for d in pending] == [
        ("out", "pending", "NSTR01", 1),
        ("out", "pending", "NSTR01", 2),
    ]


def test_a_mail_refused_for_some_recipients_is_a_queue_item_and_never_sent_twice(
    demo_store: Store, smtp: Recorder, port: int
) -> None:
    bad, fixed = "gone@customer.example", "new@customer.example"
    mail = _mail_settings(port)
    order = _submitted(demo_store, mail)
    with demo_store.session() as s:
        s.add(Contact(customer_id=order.customer_id, name="Gone", email=bad, is_primary=True))
    with demo_store.session() as s:  # the queued mail goes to both primary contacts
        queued = s.exec(select(MailOutbox)).one()
        queued.recipients = f"{BUYER}, {bad}"
        s.add(queued)
    smtp.refuse_only = {bad: f"550 5.1.1 <{bad}>: no such user"}
    clock = Clock()
    sender = MailSender(demo_store, mail, password="", now=clock)
    assert len(sender.send_due().failed) == 1
    [(rcpt, _)] = smtp.received
    assert rcpt == [BUYER]
    [partly] = _mails(demo_store)
    assert (partly.state, partly.accepted, partly.recipients) == ("failed", BUYER, bad)
    assert partly.sent_at is not None
    reasons = _queue_reasons(demo_store, order.id or 0, clock.now + LATE) or []
    [refusal] = [r for r in reasons if r.startswith("mail refused")]
    assert bad in refusal and "550 5.1.1" in refusal and f"accepted for {BUYER}" in refusal
    assert "ack SLA late" not in reasons  # the buyer has it: the ack SLA is met

    # the coordinator fixes the address and sends it again: to the new address only
    with demo_store.session() as s:
        contact = s.exec(select(Contact).where(Contact.email == bad)).one()
        contact.email = fixed
        s.add(contact)
    user = User(name="alice", full_name="Alice", role=Role.COORDINATOR)
    assert retry_mail(demo_store, order.id or 0, actor=user).recipients == fixed
    clock.now = datetime.now(UTC) + timedelta(seconds=1)
    assert len(sender.send_due().sent) == 1
    assert [rcpt for rcpt, _ in smtp.received] == [[BUYER], [fixed]]
    [sent] = _mails(demo_store)
    assert sent.state == "sent" and sent.sent_at == partly.sent_at
    assert _queue_reasons(demo_store, order.id or 0, clock.now + LATE) is None


def test_a_recipient_deferred_while_others_accepted_gets_it_alone_later(
    demo_store: Store, smtp: Recorder, port: int
) -> None:
    busy = "busy@customer.example"
    mail = _mail_settings(port)
    order = _submitted(demo_store, mail)
    with demo_store.session() as s:
        queued = s.exec(select(MailOutbox)).one()
        queued.recipients = f"{BUYER}, {busy}"
        s.add(queued)
    smtp.refuse_only = {busy: "450 4.2.1 mailbox busy"}
    clock = Clock()
    sender = MailSender(demo_store, mail, password="", now=clock)
    assert len(sender.send_due().deferred) == 1
    [waiting] = _mails(demo_store)
    assert (waiting.state, waiting.recipients, waiting.accepted) == ("queued", busy, BUYER)
    reasons = _queue_reasons(demo_store, order.id or 0, clock.now) or []
    assert any(r.startswith(f"mail not sent: {busy}: 450") for r in reasons)
    smtp.refuse_only = {}
    clock.now += timedelta(minutes=1)
    assert len(sender.send_due().sent) == 1
    assert [rcpt for rcpt, _ in smtp.received] == [[BUYER], [busy]]


def test_a_promise_moved_later_is_mailed_with_the_lines_and_dates(
    demo_store: Store, smtp: Recorder, port: int
) -> None:
    mail = _mail_settings(port)
    order = _submitted(demo_store, mail)
    MailSender(demo_store, mail, password="").send_due()
    was, now, sooner = date(2026, 12, 10), date(2026, 12, 17), date(2026, 12, 3)
    with demo_store.session() as s:
        stored = s.get(SalesOrder, order.id)
        assert stored is not None
        assert notify_promise_moved(s, mail, stored, [(2, "EARLY-1", was, sooner)]) is None
        queued = notify_promise_moved(
            s,
            mail,
            stored,
            [(1, "BRG-1", was, now), (2, "EARLY-1", was, sooner), (3, "X", was, None)],
        )
        assert queued is not None and queued.kind == "status"
    MailSender(demo_store, mail, password="").send_due()
    [_, (rcpt, raw)] = smtp.received
    message = _message(raw)
    assert rcpt == [BUYER]
    assert message["Subject"].startswith(
        f"Order {order.number} (your PO PO-MAIL-1): new expected date"
    )
    body = _body(message)
    assert f"your order {order.number} (your PO PO-MAIL-1) has moved" in body
    rows = [line.split() for line in body.splitlines()]
    assert ["1", "BRG-1", "2026-12-10", "2026-12-17"] in rows
    assert ["3", "X", "2026-12-10", "to", "be", "confirmed"] in rows
    assert not any("EARLY-1" in line for line in body.splitlines())  # sooner is no news
    assert list(message.iter_attachments()) == []


def test_a_shipment_is_mailed_with_its_carrier_tracking_and_lines(
    demo_store: Store, smtp: Recorder, port: int
) -> None:
    mail = _mail_settings(port)
    order = _submitted(demo_store, mail)
    MailSender(demo_store, mail, password="").send_due()
    with demo_store.session() as s:
        line = s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)).one()
        warehouse = line.warehouse_id or s.exec(select(Warehouse.id)).first()
        assert warehouse is not None and line.id is not None
        shipment = Shipment(
            number="SH-REACK-1",
            order_id=order.id or 0,
            warehouse_id=warehouse,
            state="shipped",
            carrier="UPS",
            service="Ground",
            tracking_number="1Z999AA10123456784",
            shipped_at=datetime(2026, 12, 8, 15, 0, tzinfo=UTC),
        )
        s.add(shipment)
        s.flush()
        assert shipment.id is not None
        first = Package(shipment_id=shipment.id, tracking_number="1Z999AA10123456784")
        second = Package(shipment_id=shipment.id, tracking_number="1Z999AA10123456795")
        s.add_all([first, second])
        s.flush()
        s.add(ShipmentLine(shipment_id=shipment.id, order_line_id=line.id, quantity=Decimal(1)))
        s.add(ShipmentLine(shipment_id=shipment.id, order_line_id=line.id, quantity=Decimal(1)))
        item = s.get(Item, line.item_id)
        assert item is not None
        part = item.part_number
        assert notify_shipped(s, mail, shipment) is not None
    MailSender(demo_store, mail, password="").send_due()
    [_, (_, raw)] = smtp.received
    message = _message(raw)
    assert message["Subject"].startswith(f"Order {order.number} (your PO PO-MAIL-1) has shipped")
    body = _body(message)
    assert "Shipment SH-REACK-1" in body and "left on 2026-12-08 with UPS Ground" in body
    assert body.count("1Z999AA10123456784") == 1 and "1Z999AA10123456795" in body
    [row] = [line.split() for line in body.splitlines() if part in line]
    assert row[0] == "1" and row[-2:] == ["2", line.uom]  # both parcels' units, one row


def test_the_queue_clocks_a_re_ack_from_the_change_on_both_stores(store: Store) -> None:
    """An acknowledged order whose re-ack waits: `re-ack late` once the ack SLA from the
    change ran out, nothing while it has time; a mail accepted for some recipients only
    meets the SLA (the refusal alone is the item)."""
    built = _build(store)
    changed_at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday, desk hours
    with store.session() as s:
        order = s.get(SalesOrder, built.order_id)
        assert order is not None
        order.state, order.acknowledged_at = OrderState.RELEASED, changed_at - timedelta(days=7)
        s.add(order)
        for hold in s.exec(select(Hold).where(Hold.order_id == built.order_id)):
            hold.released_at = changed_at
            s.add(hold)
        s.add(
            MailOutbox(
                order_id=built.order_id,
                kind="reack",
                revision_no=1,
                message_id="<r1@desk.example>",
                recipients=BUYER,
                subject="Order acknowledgement revision 1",
                created_at=changed_at,
            )
        )

    def reasons(at: datetime) -> list[str]:  # its lines' backorders are long past: not ours
        found = _queue_reasons(store, built.order_id, at) or []
        return [r for r in found if not r.startswith("backorder")]

    assert reasons(changed_at + timedelta(minutes=5)) == []
    assert reasons(changed_at + LATE) == ["re-ack late"]
    with store.session() as s:
        mail = s.exec(select(MailOutbox)).one()
        mail.state, mail.sent_at, mail.accepted = "failed", changed_at, BUYER
        mail.recipients, mail.last_error = "gone@x.example", "gone@x.example: 550 no such user"
        s.add(mail)
    assert reasons(changed_at + LATE) == ["mail refused: gone@x.example: 550 no such user"]
