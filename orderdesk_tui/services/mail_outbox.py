"""Queueing mail to customers in the caller's transaction, and sending a failed mail again.

An order's acknowledgement is queued by the submit that acknowledges it (services.submit), in
the same transaction: the order is entered and its mail waits, or neither. Order-status mails
(a backorder date moved, a shipment with its tracking) go the same way (`enqueue_status_mail`).
The mail sender (services.mail_sender) sends them off the UI thread.

Recipients: the customer's primary contact (the contact form's "primary" field) when it has an
e-mail address, else the customer's own e-mail; a customer with neither gets no mail, and its
orders' ack SLA stays what it was (met when the order is acknowledged). Nothing is queued when
`[mail] host` is not set.
"""

from dataclasses import dataclass
from email.utils import make_msgid, parseaddr

from sqlmodel import Session, col, select

from orderdesk_tui.config import MailSettings
from orderdesk_tui.documents.company import DEFAULT_COMPANY
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import Contact, Customer, MailOutbox, SalesOrder, User
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.services.audit import record
from orderdesk_tui.store import Store

ACK = "ack"
STATUS = "status"
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
#: A mail in these states is not yet accepted by the server.
OPEN = (QUEUED, SENDING, FAILED)


def recipients_of(session: Session, customer_id: int) -> list[str]:
    """Where a customer's acknowledgements go (see the module docstring); [] for nowhere."""
    primary = session.exec(
        select(Contact.email)
        .where(Contact.customer_id == customer_id, col(Contact.is_primary), Contact.email != "")
        .order_by(col(Contact.id))
    ).all()
    if primary:
        return list(dict.fromkeys(primary))
    customer = session.get(Customer, customer_id)
    return [customer.email] if customer is not None and customer.email.strip() else []


def _message_id(settings: MailSettings, what: str) -> str:
    domain = parseaddr(settings.from_address)[1].rpartition("@")[2] or None
    return make_msgid(idstring=what, domain=domain)


def _queue(
    session: Session,
    settings: MailSettings,
    order: SalesOrder,
    kind: str,
    subject: str,
    body: str = "",
) -> MailOutbox | None:
    if not settings.configured or order.id is None:
        return None
    to = recipients_of(session, order.customer_id)
    if not to:
        return None
    mail = MailOutbox(
        order_id=order.id,
        kind=kind,
        message_id=_message_id(settings, f"{kind}.{order.number}"),
        recipients=", ".join(to),
        subject=subject[:200],
        body=body,
    )
    session.add(mail)
    return mail


def enqueue_acknowledgement(
    session: Session, settings: MailSettings, order: SalesOrder
) -> MailOutbox | None:
    """Queue order `order`'s acknowledgement (text body, PDF attached; both rendered by the
    sender at its first attempt, from the order as committed); None when no mail goes."""
    po = f" (your PO {order.customer_po})" if order.customer_po else ""
    subject = f"Order acknowledgement {order.number}{po} - {DEFAULT_COMPANY.name}"
    return _queue(session, settings, order, ACK, subject)


def enqueue_status_mail(
    session: Session, settings: MailSettings, order: SalesOrder, subject: str, body: str
) -> MailOutbox | None:
    """Queue an order-status mail (backorder date moved, shipped with tracking ...) written by
    the caller; None when no mail goes."""
    return _queue(session, settings, order, STATUS, subject, body)


@dataclass(frozen=True)
class MailRetried:
    number: str
    mails: int
    recipients: str

    @property
    def summary(self) -> str:
        noun = "mail" if self.mails == 1 else "mails"
        return f"{self.number}: {self.mails} {noun} queued again to {self.recipients}"


def retry_mail(store: Store, order_id: int, *, actor: User) -> MailRetried:
    """Send the order's failed or deferred mails again now, to the customer's recipients as they
    are now (a coordinator may have fixed the address), with the same Message-ID; audited."""
    now = utcnow()
    with store.immediate() as session:
        order = session.get(SalesOrder, order_id)
        if order is None:
            raise RuleViolation(f"order {order_id} no longer exists")
        mails = session.exec(
            select(MailOutbox)
            .where(
                MailOutbox.order_id == order_id,
                col(MailOutbox.state).in_((QUEUED, FAILED)),
                MailOutbox.last_error != "",
            )
            .with_for_update()
        ).all()
        if not mails:
            raise RuleViolation(f"{order.number} has no refused or deferred mail")
        to = ", ".join(recipients_of(session, order.customer_id))
        if not to:
            raise RuleViolation(f"{order.number}: the customer has no e-mail address to send to")
        for mail in mails:
            record(
                session,
                actor=actor.name,
                entity="mail_outbox",
                entity_id=mail.id or 0,
                action="mail.retry",
                changes={"state": (mail.state, QUEUED), "recipients": (mail.recipients, to)},
                order_id=order_id,
                reason=mail.last_error,
            )
            mail.state, mail.recipients, mail.attempts = QUEUED, to, 0
            mail.next_attempt_at, mail.last_error = now, ""
            session.add(mail)
        return MailRetried(order.number, len(mails), to)
