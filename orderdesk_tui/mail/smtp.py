"""One mail handed to the SMTP server (stdlib smtplib), and what its answer means.

`deliver` connects as `[mail]` says (STARTTLS, implicit TLS or plain), logs in when a user is
set, sends, and disconnects. It returns the recipients the server refused while accepting the
mail for others, and raises `MailNotSent` otherwise: `permanent` for a 5xx answer (an unknown
mailbox, a refused login, a policy), not for a 4xx, a timeout, a dropped connection or a server
that is down. The password is given by the caller (read from the environment) and appears in
no message: the reasons are the server's own answers and the exception names.
"""

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr

from orderdesk_tui.config import MailSettings


class MailNotSent(Exception):
    """The server did not accept the mail; `permanent` when trying again cannot help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Mail:
    """What is sent: the same bytes at every attempt, the Message-ID included."""

    message_id: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    created_at: datetime
    attachment_name: str = ""
    attachment: bytes | None = None


def build_message(mail: Mail, settings: MailSettings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.from_address
    message["To"] = ", ".join(mail.recipients)
    if settings.reply_to:
        message["Reply-To"] = settings.reply_to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = mail.message_id
    message.set_content(mail.body)
    if mail.attachment is not None:
        message.add_attachment(
            mail.attachment, maintype="application", subtype="pdf", filename=mail.attachment_name
        )
    return message


def _answer(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(said.split())}"


def deliver(mail: Mail, settings: MailSettings, password: str | None) -> dict[str, str]:
    """Send `mail`; the recipients refused while others accepted it (address -> answer)."""
    message = build_message(mail, settings)
    to = [address for _, address in getaddresses(list(mail.recipients)) if address]
    sender = parseaddr(settings.from_address)[1]
    try:
        smtp: smtplib.SMTP
        if settings.security == "tls":
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout_s, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, password or "")
            refused = smtp.send_message(message, from_addr=sender, to_addrs=to)
    except smtplib.SMTPRecipientsRefused as exc:
        answers = {addr: _answer(code, text) for addr, (code, text) in exc.recipients.items()}
        permanent = all(code >= 500 for code, _ in exc.recipients.values())
        said = "; ".join(f"{addr}: {answer}" for addr, answer in answers.items())
        raise MailNotSent(f"recipients refused: {said}", permanent=permanent) from None
    except smtplib.SMTPResponseException as exc:
        step = type(exc).__name__.removeprefix("SMTP").removesuffix("Error")
        raise MailNotSent(
            f"{step}: {_answer(exc.smtp_code, exc.smtp_error)}", permanent=exc.smtp_code >= 500
        ) from None
    except smtplib.SMTPNotSupportedError as exc:  # e.g. no STARTTLS: a setting to fix
        raise MailNotSent(f"server does not support it: {exc}", permanent=True) from None
    except (smtplib.SMTPException, OSError) as exc:
        what = str(exc) or type(exc).__name__
        if isinstance(exc, TimeoutError) or what.endswith("timed out"):  # smtplib wraps reads'
            raise MailNotSent(
                f"no answer from {settings.host}:{settings.port} within {settings.timeout_s:g} s",
                permanent=False,
            ) from None
        raise MailNotSent(
            f"{settings.host}:{settings.port}: {type(exc).__name__}: {what}", permanent=False
        ) from None
    return {addr: _answer(code, text) for addr, (code, text) in refused.items()}
