"""E-mail: messages written to the outbox for the "email" channel, and sending them over SMTP.

A feature never sends e-mail itself: `enqueue_email` writes an outbox row (channel "email",
the address as its chat id) in the update's transaction, so a request is never lost; the outbox
sender delivers it with a `Mailer` (`SMTP_URL`, `MAIL_FROM`). Errors are sorted into permanent
(a refused address: never retried) and temporary (the server is down: retried later).

`SMTP_URL`: `smtp://host:25` (STARTTLS when the server offers it; required when a user and
password are given), or `smtps://user:password@host:465` (TLS from the start).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit.config import Settings
from storage import outbox

log = logging.getLogger(__name__)

CHANNEL = "email"
"""The outbox channel of e-mail rows (`OutboxMessage.channel`)."""
METHOD = "sendEmail"
"""The outbox method of e-mail rows."""
TIMEOUT_SECONDS = 30.0


async def enqueue_email(
    session: AsyncSession,
    *,
    to: str,
    subject: str,
    text: str,
    key: str,
    now: dt.datetime,
    person_id: int | None = None,
    programme_id: int | None = None,
) -> bool:
    """An e-mail to `to`, sent by the outbox after this transaction commits (once per `key`).

    `person_id` is the person the e-mail is about (so deleting their data finds it).
    """
    return await outbox.enqueue(
        session,
        chat_id=to,
        payload={"subject": subject, "text": text},
        key=key,
        now=now,
        method=METHOD,
        person_id=person_id,
        programme_id=programme_id,
        channel=CHANNEL,
    )


class MailError(Exception):
    """An e-mail could not be sent; `permanent`: retrying will not help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand over e-mail (parsed from `SMTP_URL`)."""

    host: str
    port: int
    use_tls: bool
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("expected smtp://host:port or smtps://user:password@host:port")
        use_tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if use_tls else 25),
            use_tls=use_tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def build_message(sender: str, to: str, subject: str, text: str) -> EmailMessage:
    """A plain-text e-mail (UTF-8). Raises MailError (permanent) for an unusable address."""
    try:
        recipient = Address(addr_spec=to)
    except (ValueError, IndexError) as exc:
        raise MailError(f"not an e-mail address: {exc}", permanent=True) from None
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = email.utils.make_msgid(domain=_domain(sender))
    message.set_content(text)
    return message


def _domain(sender: str) -> str:
    address = email.utils.parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"


class Mailer:
    """Sends one e-mail at a time over SMTP (a new connection each time; e-mail is rare)."""

    def __init__(self, server: SmtpServer, sender: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.server = server
        self.sender = sender
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        """The mailer of SMTP_URL and MAIL_FROM, or None when e-mail is not configured."""
        if settings.smtp_url is None or settings.mail_from is None:
            return None
        return cls(SmtpServer.from_url(settings.smtp_url.get_secret_value()), settings.mail_from)

    async def send(self, to: str, payload: dict[str, Any]) -> None:
        """Send an outbox row's e-mail (`payload`: subject, text); raises MailError."""
        message = build_message(
            self.sender, to, str(payload.get("subject", "")), str(payload.get("text", ""))
        )
        server = self.server
        try:
            await aiosmtplib.send(
                message,
                recipients=[to],
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.use_tls,
                # never a password over a plain connection: STARTTLS is required with one
                start_tls=None if server.use_tls or server.username is None else True,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            raise MailError(f"recipient refused: {codes}", permanent=min(codes) >= 500) from None
        except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as exc:
            # this address or this message is refused for good (5xx), or for now (4xx)
            raise MailError(f"{exc.code} {exc.message}", permanent=exc.code >= 500) from None
        except aiosmtplib.SMTPResponseException as exc:
            # the server refuses us (login, sender): a setting to fix; the e-mail waits
            log.error("the SMTP server refused to send: %s %s", exc.code, exc.message)
            raise MailError(f"{exc.code} {exc.message}", permanent=False) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailError(f"{type(exc).__name__}: {exc}", permanent=False) from None
