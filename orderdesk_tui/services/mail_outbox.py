"""Queueing mail to customers in the caller's transaction, and sending a failed mail again.

An order's acknowledgement is queued by the submit that acknowledges it (services.submit), in
the same transaction: the order is entered and its mail waits, or neither. Order-status mails
(a backorder date moved, a shipment with its tracking) go the same way (`enqueue_status_mail`,
written by services.status_mail). The mail sender (services.mail_sender) sends them off the UI
thread.

A change after submit that the customer must hear of (price, quantity, a date, the ship-to:
`OrderRevision.reacknowledge`) queues the acknowledgement of that revision
(`enqueue_reacknowledgement`) in the change's transaction. A mail of the same order not yet
tried becomes the newer revision's instead of going too (the customer gets the order as it is,
once); for an EDI partner an 855 change is recorded for EDI out (#19) to send.

Recipients: the customer's primary contact (the contact form's "primary" field) when it has an
e-mail address, else the customer's own e-mail; a customer with neither gets no mail, and its
orders' ack SLA stays what it was (met when the order is acknowledged). Nothing is queued when
`[mail] host` is not set.
"""

from dataclasses import dataclass
from email.utils import make_msgid, parseaddr

from sqlalchemy import update
from sqlmodel import Session, col, select

from orderdesk_tui.config import MailSettings
from orderdesk_tui.documents.company import DEFAULT_COMPANY
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import Contact, Customer, EDIDocument, MailOutbox, SalesOrder, User
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.models.revision import OrderRevision
from orderdesk_tui.services.audit import record
from orderdesk_tui.store import Store

ACK = "ack"
#: A revised order's acknowledgement: its ack SLA runs from the change (the mail's queueing).
REACK = "reack"
STATUS = "status"
#: Kinds rendered by the sender from the order (an acknowledgement of `revision_no`).
ACKNOWLEDGEMENTS = (ACK, REACK)
#: An outbound EDI document recorded for EDI out (#19) to build and send.
EDI_PENDING = "pending"
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


def addresses(listed: str) -> list[str]:
    """The addresses of a comma-separated list (a mail's recipients or accepted)."""
    return [a.strip() for a in listed.split(",") if a.strip()]


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
    revision_no: int = 0,
) -> MailOutbox | None:
    if not settings.configured or order.id is None:
        return None
    to = recipients_of(session, order.customer_id)
    if not to:
        return None
    what = f"{kind}.{order.number}" + (f".r{revision_no}" if revision_no else "")
    mail = MailOutbox(
        order_id=order.id,
        kind=kind,
        revision_no=revision_no,
        message_id=_message_id(settings, what),
        recipients=", ".join(to),
        subject=subject[:200],
        body=body,
    )
    session.add(mail)
    return mail


def acknowledgement_subject(order: SalesOrder, revision_no: int = 0) -> str:
    po = f" (your PO {order.customer_po})" if order.customer_po else ""
    revised = f" revision {revision_no}" if revision_no else ""
    return f"Order acknowledgement {order.number}{revised}{po} - {DEFAULT_COMPANY.name}"


def enqueue_acknowledgement(
    session: Session, settings: MailSettings, order: SalesOrder
) -> MailOutbox | None:
    """Queue order `order`'s acknowledgement (text body, PDF attached; both rendered by the
    sender at its first attempt, from the order as committed); None when no mail goes."""
    return _queue(session, settings, order, ACK, acknowledgement_subject(order))


def _take_over_untried(
    session: Session, settings: MailSettings, order: SalesOrder, revision_no: int
) -> MailOutbox | None:
    """The order's acknowledgement mail not yet tried, made revision `revision_no`'s (its
    kind and so its SLA start stay: a customer never sent the first acknowledgement still
    waits since entry); None when there is none. A conditional UPDATE: a sender claiming the
    mail at the same moment wins, and then the revision gets a mail of its own."""
    candidates = session.exec(
        select(MailOutbox)
        .where(
            MailOutbox.order_id == order.id,
            col(MailOutbox.kind).in_(ACKNOWLEDGEMENTS),
            MailOutbox.state == QUEUED,
            MailOutbox.attempts == 0,
            MailOutbox.body == "",
            MailOutbox.accepted == "",
        )
        .order_by(col(MailOutbox.id))
    ).all()
    for mail in candidates:
        message_id = _message_id(settings, f"{mail.kind}.{order.number}.r{revision_no}")
        subject = acknowledgement_subject(order, revision_no)[:200]
        taken = session.exec(
            update(MailOutbox)
            .where(
                col(MailOutbox.id) == mail.id,
                col(MailOutbox.state) == QUEUED,
                col(MailOutbox.attempts) == 0,
            )
            .values(revision_no=revision_no, subject=subject, message_id=message_id)
        )
        if taken.rowcount == 1:
            session.refresh(mail)
            return mail
    return None


def record_855_change(
    session: Session, order: SalesOrder, revision: OrderRevision
) -> EDIDocument | None:
    """For an EDI partner's order: the 855 change of `revision`, recorded `pending` for EDI
    out (#19) to build and send (nothing sends it yet); None for other customers."""
    customer = session.get(Customer, order.customer_id)
    if customer is None or not customer.edi_partner_id.strip():
        return None
    document = EDIDocument(
        direction="out",
        transaction_set="855",
        partner_id=customer.edi_partner_id,
        customer_id=customer.id,
        order_id=order.id,
        revision_no=revision.revision_no,
        state=EDI_PENDING,
    )
    session.add(document)
    return document


def enqueue_reacknowledgement(
    session: Session, settings: MailSettings, order: SalesOrder, revision: OrderRevision
) -> MailOutbox | None:
    """Queue the acknowledgement of `revision` of `order` (marked "Revision N", its changes
    listed and changed lines flagged; rendered by the sender at its first attempt), in the
    caller's transaction; for an EDI partner also record the 855 change. Nothing for a
    revision the customer need not hear of (`reacknowledge` false). None when no mail goes."""
    if not revision.reacknowledge or order.id is None:
        return None
    record_855_change(session, order, revision)
    if not settings.configured:
        return None
    number = revision.revision_no
    taken = _take_over_untried(session, settings, order, number)
    if taken is not None:
        return taken
    return _queue(
        session, settings, order, REACK, acknowledgement_subject(order, number), "", number
    )


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
        everyone = recipients_of(session, order.customer_id)
        if not everyone:
            raise RuleViolation(f"{order.number}: the customer has no e-mail address to send to")
        sent_to: list[str] = []
        for mail in mails:
            got_it = set(addresses(mail.accepted))  # a partly refused mail: not to them again
            to = ", ".join(a for a in everyone if a not in got_it) or mail.recipients
            sent_to.append(to)
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
        return MailRetried(order.number, len(mails), "; ".join(dict.fromkeys(sent_to)))
