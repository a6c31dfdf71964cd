"""Acknowledgements by e-mail against a real SMTP server on loopback (aiosmtpd): a submit queues
the mail in its transaction, the sender delivers it once (headers, body, the PDF's bytes), a
refusal (550) becomes the order's queue item with the server's answer and is not sent again
until a coordinator says so, a server that times out or is down keeps the mail queued with the
reason and gets it when it is back, and the password shows in no log, reason or doctor line."""

import logging
import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import text
from sqlmodel import select

from orderdesk_tui.config import MailSettings, Settings, SlaSettings, load_settings
from orderdesk_tui.doctor import run_doctor
from orderdesk_tui.documents.acknowledgement.load import load_acknowledgement
from orderdesk_tui.documents.acknowledgement.pdf import render_pdf
from orderdesk_tui.errors import ConfigError
from orderdesk_tui.models import Contact, MailOutbox, SalesOrder, User
from orderdesk_tui.models.base import Role
from orderdesk_tui.services import drafts
from orderdesk_tui.services.mail_outbox import retry_mail
from orderdesk_tui.services.mail_sender import MailSender
from orderdesk_tui.services.queue import load_queue
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.store import Store

ACTOR = "alice"
BUYER = "buyer@customer.example"
PASSWORD = "mail-pw-never-logged-7731"


class Recorder:
    """An SMTP handler that keeps what it accepts, or refuses every recipient, or the ones in
    `refuse_only` with their answers."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse = False
        self.refuse_only: dict[str, str] = {}

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return f"550 5.1.1 <{address}>: no such user"
        if address in self.refuse_only:
            return self.refuse_only[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 2.0.0 accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def port() -> int:
    return _free_port()


@pytest.fixture
def smtp(port: int) -> Iterator[Recorder]:
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler
    controller.stop()


def _mail_settings(port: int, **extra: Any) -> MailSettings:
    return MailSettings(
        host="127.0.0.1",
        port=port,
        security="none",
        from_address="Order Desk <orders@desk.example>",
        reply_to="cs@desk.example",
        timeout_s=1,
        **extra,
    )


def _submitted(store: Store, mail: MailSettings) -> SalesOrder:
    """A new order of a customer in good standing whose primary contact is BUYER, submitted."""
    with store.session() as s:
        conn = s.connection()
        customer = conn.execute(
            text(
                "SELECT c.id FROM customers c WHERE c.active AND c.credit_status = 'ok' "
                "AND c.credit_limit > 10000 AND EXISTS (SELECT 1 FROM addresses a "
                "WHERE a.customer_id = c.id AND a.kind = 'ship_to' AND a.active) "
                "ORDER BY c.id LIMIT 1"
            )
        ).scalar_one()
        item = conn.execute(
            text(
                "SELECT i.id FROM items i WHERE i.status = 'active' AND i.moq = 1000 "
                "AND i.order_multiple = 1000 AND i.hazmat_un_number = '' AND i.eccn = 'EAR99' "
                "AND EXISTS (SELECT 1 FROM stock_levels s WHERE s.item_id = i.id "
                "AND s.on_hand - s.allocated >= 5000) ORDER BY i.id LIMIT 1"
            )
        ).scalar_one()
        for contact in s.exec(select(Contact).where(Contact.customer_id == customer)):
            contact.is_primary = False
            s.add(contact)
        s.add(Contact(customer_id=customer, name="Pat Buyer", email=BUYER, is_primary=True))
    order = drafts.create_draft(store, actor=ACTOR, customer_id=customer)
    assert order.id is not None
    drafts.update_header(store, order.id, {"customer_po": "PO-MAIL-1"}, actor=ACTOR)
    drafts.save_line(store, order.id, 1, {"item_id": item, "quantity": Decimal(2)}, actor=ACTOR)
    submit_order(store, order.id, actor=ACTOR, settings=Settings(mail=mail))
    with store.session() as s:
        stored = s.get(SalesOrder, order.id)
        assert stored is not None
        return stored


def _mails(store: Store) -> list[MailOutbox]:
    with store.session() as s:
        return list(s.exec(select(MailOutbox).order_by(MailOutbox.id)))  # type: ignore[arg-type]


def _queue_reasons(store: Store, order_id: int, now: datetime) -> list[str] | None:
    for item in load_queue(store, SlaSettings(), now).items:
        if item.order_id == order_id and item.subject == "order":
            return [r.label for r in item.reasons]
    return None


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_submit_queues_the_ack_and_the_sender_delivers_it_once(
    demo_store: Store, smtp: Recorder, port: int, tmp_path: Path
) -> None:
    mail = _mail_settings(port)
    order = _submitted(demo_store, mail)
    [queued] = _mails(demo_store)
    assert (queued.order_id, queued.kind, queued.state) == (order.id, "ack", "queued")
    assert queued.recipients == BUYER and queued.message_id.endswith("@desk.example>")
    late = datetime.now(UTC) + timedelta(days=30)  # the ack SLA long past
    assert "ack SLA late" in (_queue_reasons(demo_store, order.id or 0, late) or [])

    sender = MailSender(demo_store, mail, password="")
    assert len(sender.send_due().sent) == 1
    assert sender.send_due().sent == []  # nothing twice
    [(rcpt, raw)] = smtp.received
    assert rcpt == [BUYER]
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Message-ID"].strip() == queued.message_id  # folded: a long id
    assert message["To"] == BUYER
    assert message["From"] == "Order Desk <orders@desk.example>"
    assert message["Reply-To"] == "cs@desk.example"
    subject = f"Order acknowledgement {order.number} (your PO PO-MAIL-1)"
    assert message["Subject"].startswith(subject)
    body = message.get_body(("plain",))
    assert body is not None and order.number in body.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{order.number}.pdf"
    pdf = attachment.get_content()
    expected = render_pdf(load_acknowledgement(demo_store, order.id or 0), tmp_path / "a.pdf")
    # the same document: byte for byte, but for the moment of rendering (the creation date
    # and the file ID fpdf2 derives from it) when the two renders fall in different seconds
    assert _undated(pdf) == _undated(expected.read_bytes())
    [sent] = _mails(demo_store)
    assert sent.state == "sent" and sent.sent_at is not None and sent.attachment == pdf
    # accepted by the server: the ack SLA is met, the order leaves the queue
    assert _queue_reasons(demo_store, order.id or 0, late) is None


def test_a_refusal_becomes_a_queue_item_and_is_not_sent_again_in_a_loop(
    demo_store: Store, smtp: Recorder, port: int
) -> None:
    mail = _mail_settings(port)
    order = _submitted(demo_store, mail)
    smtp.refuse = True
    clock = Clock()
    sender = MailSender(demo_store, mail, password="", now=clock)
    assert len(sender.send_due().failed) == 1
    [failed] = _mails(demo_store)
    assert failed.state == "failed" and "550 5.1.1" in failed.last_error
    assert BUYER in failed.last_error
    reasons = _queue_reasons(demo_store, order.id or 0, clock.now) or []
    assert any(r.startswith("mail refused: recipients refused") and "550" in r for r in reasons)
    clock.now += timedelta(days=2)
    assert sender.send_due().sent == [] and smtp.received == []  # no loop

    # the coordinator fixes the address and sends it again (F11 in the queue)
    with demo_store.session() as s:
        contact = s.exec(select(Contact).where(Contact.email == BUYER)).one()
        contact.email = "right@customer.example"
        s.add(contact)
    smtp.refuse = False
    user = User(name="alice", full_name="Alice", role=Role.COORDINATOR)
    retried = retry_mail(demo_store, order.id or 0, actor=user)
    assert retried.recipients == "right@customer.example"
    assert len(sender.send_due().sent) == 1
    [(rcpt, raw)] = smtp.received
    assert rcpt == ["right@customer.example"]
    assert failed.message_id.encode() in raw  # the same message, the same Message-ID
    assert _queue_reasons(demo_store, order.id or 0, clock.now) is None


def test_a_server_that_times_out_or_is_down_keeps_the_mail_queued_until_it_is_back(
    demo_store: Store, port: int
) -> None:
    mail = _mail_settings(port, max_attempts=5)
    order = _submitted(demo_store, mail)
    clock = Clock()
    # a server that takes the connection and never answers
    silent = socket.socket()
    silent.bind(("127.0.0.1", port))
    silent.listen()
    sender = MailSender(demo_store, mail, password="", now=clock)
    try:
        assert len(sender.send_due().deferred) == 1
    finally:
        silent.close()
    [waiting] = _mails(demo_store)
    assert waiting.state == "queued" and "no answer from 127.0.0.1" in waiting.last_error
    reasons = _queue_reasons(demo_store, order.id or 0, clock.now) or []
    assert any(r.startswith("mail not sent: no answer") for r in reasons)
    assert sender.send_due().deferred == []  # backing off
    clock.now += timedelta(seconds=31)
    assert len(sender.send_due().deferred) == 1  # nobody listening now
    [waiting] = _mails(demo_store)
    assert waiting.state == "queued" and "ConnectionRefusedError" in waiting.last_error
    assert waiting.attempts == 2
    # the server is back
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.now += timedelta(minutes=5)
        assert len(sender.send_due().sent) == 1
    finally:
        controller.stop()
    assert len(handler.received) == 1
    [sent] = _mails(demo_store)
    assert sent.state == "sent"
    assert _queue_reasons(demo_store, order.id or 0, clock.now) is None


def test_a_lost_claim_is_sent_again_with_the_same_message_id(
    demo_store: Store, smtp: Recorder, port: int
) -> None:
    """A sender that died mid-send (the mail left `sending`) is taken over when its claim
    runs out: at least once, and the Message-ID lets the customer's client show it once."""
    mail = _mail_settings(port)
    _submitted(demo_store, mail)
    clock = Clock()
    sender = MailSender(demo_store, mail, password="", now=clock)
    assert sender._claim() != []  # claimed, then the process "dies"
    assert sender.send_due().sent == []  # still claimed
    clock.now += timedelta(minutes=11)
    assert len(sender.send_due().sent) == 1
    [mailed] = _mails(demo_store)
    assert mailed.attempts == 2 and len(smtp.received) == 1


def test_a_refused_login_fails_the_mail_and_the_password_shows_nowhere(
    demo_store: Store, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*_: Any) -> AuthResult:
        return AuthResult(success=False, handled=False)

    controller = Controller(
        Recorder(),
        hostname="127.0.0.1",
        port=port,
        auth_require_tls=False,
        authenticator=refuse,
    )
    controller.start()
    mail = _mail_settings(port, user="desk")
    _submitted(demo_store, mail)
    try:
        with caplog.at_level(logging.DEBUG):
            report = MailSender(demo_store, mail, password=PASSWORD).send_due()
    finally:
        controller.stop()
    assert len(report.failed) == 1
    [failed] = _mails(demo_store)
    assert failed.state == "failed" and "535" in failed.last_error
    assert PASSWORD not in caplog.text and PASSWORD not in failed.last_error


def test_the_password_comes_from_the_environment_only_and_doctor_never_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[mail]\nhost = "smtp.example"\nfrom_address = "o@x.example"\n')
    assert load_settings(config, {}).mail.configured
    config.write_text(f'[mail]\nhost = "smtp.example"\npassword = "{PASSWORD}"\n')
    with pytest.raises(ConfigError, match="ORDERDESK_MAIL_PASSWORD only"):
        load_settings(config, {})
    with pytest.raises(ConfigError, match="from_address is needed"):
        load_settings(tmp_path / "none.toml", {"ORDERDESK_MAIL_HOST": "smtp.example"})
    with pytest.raises(ConfigError, match=r"'mail\.security'"):
        load_settings(tmp_path / "none.toml", {"ORDERDESK_MAIL_SECURITY": "ssl"})

    config_dir = Path(str(tmp_path / "cfg"))
    config_dir.mkdir()
    (config_dir / "config.toml").write_text(
        '[mail]\nhost = "smtp.example"\nuser = "desk"\nfrom_address = "o@x.example"\n'
    )
    monkeypatch.setenv("ORDERDESK_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("ORDERDESK_MAIL_PASSWORD", PASSWORD)
    lines = [str(check) for check in run_doctor(str(tmp_path / "store.sqlite3"))]
    [mail_line] = [line for line in lines if " mail " in line]
    assert "smtp.example:587 starttls" in mail_line and "password" in mail_line
    assert mail_line.startswith("ok")
    assert all(PASSWORD not in line for line in lines)


def test_no_mail_is_queued_without_a_server_or_an_address(demo_store: Store) -> None:
    _submitted(demo_store, MailSettings())
    assert _mails(demo_store) == []


def test_the_sender_loop_stops_when_asked(demo_store: Store, smtp: Recorder, port: int) -> None:
    mail = _mail_settings(port)
    _submitted(demo_store, mail)
    stop = threading.Event()
    sender = MailSender(demo_store, mail, password="", poll_s=0.05)
    thread = threading.Thread(target=sender.run, args=(stop,))
    thread.start()
    for _ in range(100):
        if smtp.received:
            break
        stop.wait(0.05)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and len(smtp.received) == 1


def _undated(pdf: bytes) -> bytes:
    """`pdf` without its creation date and trailer ID, which name the second it was rendered."""
    pdf = re.sub(rb"/CreationDate \(D:[^)]*\)", b"/CreationDate ()", pdf)
    return re.sub(rb"/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"/ID []", pdf)
