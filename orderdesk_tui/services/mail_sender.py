"""The mail sender: hands the mail outbox to the SMTP server, off the UI thread.

A pass claims the mails that are due (state queued, or sending whose claim ran out) by a
conditional UPDATE, so two terminals never send the same mail at once; renders an
acknowledgement's text and PDF at its first attempt and keeps them, so every attempt sends the
same bytes; sends each (orderdesk_tui.mail.smtp) and records the answer:

- accepted: `sent` (the ack SLA of its order is met from now);
- accepted for some recipients and refused for others: the accepted ones count as sent (the
  SLA is met, `accepted` lists them and no retry reaches them again); the mail stays for the
  refused ones, `failed` with their answers on the order's queue item when any refusal is
  permanent (5xx), else `queued` again for them after the backoff;
- refused for good (5xx): `failed` with the server's answer, shown on the order's queue item,
  until a coordinator sends it again (services.mail_outbox.retry_mail);
- deferred (4xx, timeout, no server): `queued` again with the reason, after a backoff that
  doubles from 30 s up to an hour; after `[mail] max_attempts` it is `failed`.

The guarantee is at-least-once: a mail the server accepted but whose answer was lost (the
connection dropped after the data, or this process died before recording it) is sent again
when its claim runs out, with the same Message-ID, so the customer's mail client shows it once.
"""

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from orderdesk_tui.config import MAIL_PASSWORD_VARIABLE, MailSettings
from orderdesk_tui.documents.acknowledgement.load import load_acknowledgement
from orderdesk_tui.documents.acknowledgement.pdf import ack_pdf_filename, render_pdf
from orderdesk_tui.documents.acknowledgement.text import render_text
from orderdesk_tui.mail.smtp import Mail, MailNotSent, deliver
from orderdesk_tui.masking import mask
from orderdesk_tui.models import MailOutbox
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.services.mail_outbox import (
    ACKNOWLEDGEMENTS,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    addresses,
)
from orderdesk_tui.store import Store

log = logging.getLogger(__name__)

#: A claimed mail whose sender vanished is sent again after this long.
CLAIM_S = 600
FIRST_BACKOFF_S = 30
MAX_BACKOFF_S = 3600
#: Mails claimed in one pass.
BATCH = 20

ACK_INTRO = (
    "Thank you for your order. Its acknowledgement follows and is attached as a PDF.\n"
    "Please reply to this mail if anything differs from your purchase order.\n\n"
)
REACK_INTRO = (
    "Your order has changed. Its revised acknowledgement (revision {revision}) follows and is\n"
    "attached as a PDF: the changes are listed first, and changed lines are marked *.\n"
    "Please reply to this mail if anything differs from what you asked for.\n\n"
)


def _intro(revision: int) -> str:
    return REACK_INTRO.format(revision=revision) if revision else ACK_INTRO


def backoff(attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`: 30 s, 1 min, 2 min ... at most an hour."""
    return timedelta(seconds=min(FIRST_BACKOFF_S * 2 ** max(attempts - 1, 0), MAX_BACKOFF_S))


@dataclass
class PassReport:
    sent: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


class MailSender:
    """Sends the mail outbox of `store` as `settings` says; `send_due` is one pass, `run`
    repeats it until stopped. `now` and `deliver` are replaceable for tests."""

    def __init__(
        self,
        store: Store,
        settings: MailSettings,
        *,
        password: str | None = None,
        now: Callable[[], datetime] = utcnow,
        poll_s: float = 5.0,
    ) -> None:
        self.store = store
        self.settings = settings
        self._password = (
            password if password is not None else os.environ.get(MAIL_PASSWORD_VARIABLE)
        )
        self._now = now
        self.poll_s = poll_s

    def run(self, stop: threading.Event) -> None:
        """Pass after pass until `stop` is set; store or server trouble is logged, never
        raised (the next pass tries again)."""
        while not stop.is_set():
            try:
                self.send_due()
            except Exception:
                log.exception("mail pass failed")
            stop.wait(self.poll_s)

    def send_due(self) -> PassReport:
        report = PassReport()
        for mail_id in self._claim():
            self._send_one(mail_id, report)
        return report

    def _claim(self) -> list[int]:
        now = self._now()
        due = (
            col(MailOutbox.state).in_((QUEUED, SENDING)),
            col(MailOutbox.next_attempt_at) <= now,
        )
        claimed = []
        with self.store.immediate() as session:
            ids = session.exec(
                select(MailOutbox.id).where(*due).order_by(col(MailOutbox.next_attempt_at))
            ).all()
            for mail_id in ids[:BATCH]:
                result = session.exec(
                    update(MailOutbox)
                    .where(col(MailOutbox.id) == mail_id, *due)
                    .values(
                        state=SENDING,
                        attempts=MailOutbox.attempts + 1,
                        next_attempt_at=now + timedelta(seconds=CLAIM_S),
                    )
                )
                if result.rowcount == 1 and mail_id is not None:
                    claimed.append(mail_id)
        return claimed

    def _render_ack(self, row: MailOutbox) -> None:
        """The acknowledgement of the row's revision, text and PDF, rendered once and kept on
        the row."""
        ack = load_acknowledgement(self.store, row.order_id, revision=row.revision_no)
        name = ack_pdf_filename(ack)
        with tempfile.TemporaryDirectory(prefix="orderdesk-mail-") as tmp:
            pdf = render_pdf(ack, Path(tmp) / name).read_bytes()
        body = _intro(row.revision_no) + render_text(ack)
        with self.store.session() as session:
            session.exec(
                update(MailOutbox)
                .where(col(MailOutbox.id) == row.id, col(MailOutbox.body) == "")
                .values(body=body, attachment=pdf, attachment_name=name)
            )
        row.body, row.attachment, row.attachment_name = body, pdf, name

    def _send_one(self, mail_id: int, report: PassReport) -> None:
        with self.store.session() as session:
            row = session.get(MailOutbox, mail_id)
        if row is None:
            return
        try:
            if row.kind in ACKNOWLEDGEMENTS and not row.body:
                self._render_ack(row)
            mail = Mail(
                message_id=row.message_id,
                recipients=tuple(addresses(row.recipients)),
                subject=row.subject,
                body=row.body,
                created_at=row.created_at,
                attachment_name=row.attachment_name,
                attachment=row.attachment,
            )
            refused = deliver(mail, self.settings, self._password)
        except MailNotSent as exc:
            self._not_sent(row, exc, report)
            return
        except Exception as exc:  # rendering or the store: deferred, and the log says why
            log.exception("mail %s not sent", row.message_id)
            self._not_sent(row, MailNotSent(f"not sent: {exc}", permanent=False), report)
            return
        if refused:
            self._partly_sent(row, refused, report)
            return
        self._record(mail_id, state=SENT, sent_at=self._sent_at(), last_error="")
        report.sent.append(mail_id)
        log.info("mail %s accepted for %s", row.message_id, row.recipients)

    def _sent_at(self) -> Any:
        """Now, unless the server accepted the mail for someone before (a partly refused one)."""
        return func.coalesce(MailOutbox.sent_at, self._now())

    def _partly_sent(self, row: MailOutbox, refused: dict[str, str], report: PassReport) -> None:
        """Accepted for some recipients, refused for the others: see the module docstring."""
        assert row.id is not None
        lower = {a.lower() for a in refused}
        sent_to = [a for a in addresses(row.recipients) if parseaddr(a)[1].lower() not in lower]
        accepted = ", ".join(dict.fromkeys([*addresses(row.accepted), *sent_to]))
        reason = mask(
            "; ".join(f"{a}: {why}" for a, why in refused.items()) + f" (accepted for {accepted})"
        )[:1000]
        left = ", ".join(refused)
        permanent = any(why[:1] == "5" for why in refused.values())
        common = {"sent_at": self._sent_at(), "accepted": accepted[:1000], "recipients": left}
        if permanent or row.attempts >= self.settings.max_attempts:
            self._record(row.id, state=FAILED, last_error=reason, **common)
            report.failed.append(row.id)
        else:
            self._record(
                row.id,
                state=QUEUED,
                last_error=reason,
                next_attempt_at=self._now() + backoff(row.attempts),
                **common,
            )
            report.deferred.append(row.id)
        log.warning("mail %s refused for some recipients: %s", row.message_id, reason)

    def _not_sent(self, row: MailOutbox, exc: MailNotSent, report: PassReport) -> None:
        assert row.id is not None
        reason = mask(exc.reason)
        if exc.permanent or row.attempts >= self.settings.max_attempts:
            if not exc.permanent:
                reason = f"gave up after {row.attempts} attempts: {reason}"
            self._record(row.id, state=FAILED, last_error=reason[:1000])
            report.failed.append(row.id)
            log.warning("mail %s failed: %s", row.message_id, reason)
            return
        self._record(
            row.id,
            state=QUEUED,
            last_error=reason[:1000],
            next_attempt_at=self._now() + backoff(row.attempts),
        )
        report.deferred.append(row.id)
        log.info("mail %s deferred: %s", row.message_id, reason)

    def _record(self, mail_id: int, **values: object) -> None:
        """The outcome, unless a coordinator moved the mail meanwhile (it is no longer ours)."""
        with self.store.session() as session:
            session.exec(
                update(MailOutbox)
                .where(col(MailOutbox.id) == mail_id, col(MailOutbox.state) == SENDING)
                .values(**values)
            )
