"""A local SMTP server that keeps every e-mail it receives, and a page that shows them.

Local mode (`citytrainers-bot run` without a token) starts one and points the bot's SMTP_URL at
it, so a demo can follow an e-mail to a parent: the emulator serves the caught mails at
`/mailbox` (HTML, next to the web chat) and `/mailbox/messages` (JSON). Tests use it as a real
SMTP server (aiosmtpd) and read the mails with `next_mail()`. Nothing is ever delivered.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import re
from dataclasses import asdict, dataclass
from html import escape
from typing import Any

from aiohttp import web

_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class CaughtMail:
    """One e-mail as the mailbox received it."""

    id: int
    received_at: str
    mail_from: str
    to: list[str]
    subject: str
    text: str


class _Handler:
    """aiosmtpd's handler: every message that arrives goes to the mailbox."""

    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._mailbox.receive(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        return "250 Message accepted for delivery"


class Mailbox:
    """An SMTP server on this machine that catches e-mail instead of delivering it."""

    def __init__(self) -> None:
        self.mails: list[CaughtMail] = []
        self._queue: asyncio.Queue[CaughtMail] = asyncio.Queue()
        self._server: asyncio.Server | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None

    @property
    def smtp_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the mailbox is not running")
        return f"smtp://{self._host}:{self._port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        from aiosmtpd.smtp import SMTP  # only where a mailbox runs (local mode, mail tests)

        loop = asyncio.get_running_loop()
        handler = _Handler(self)
        self._server = await loop.create_server(
            lambda: SMTP(handler, hostname="mailbox.local"), host, port
        )
        self._host = host
        self._port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self._port = None

    async def __aenter__(self) -> Mailbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def receive(self, mail_from: str, to: list[str], content: bytes | str) -> CaughtMail:
        raw = content if isinstance(content, bytes) else content.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
        mail = CaughtMail(
            id=len(self.mails) + 1,
            received_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            mail_from=mail_from,
            to=to,
            subject=str(message.get("Subject", "")),
            text=text,
        )
        self.mails.append(mail)
        self._queue.put_nowait(mail)
        return mail

    async def next_mail(self, timeout: float = 5.0) -> CaughtMail:  # noqa: ASYNC109
        """The next e-mail that arrives (or arrived and was not taken yet)."""
        async with asyncio.timeout(timeout):
            return await self._queue.get()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/mailbox", self._page)
        app.router.add_get("/mailbox/messages", self._json)

    async def _json(self, request: web.Request) -> web.Response:
        return web.json_response({"messages": [asdict(m) for m in reversed(self.mails)]})

    async def _page(self, request: web.Request) -> web.Response:
        items = "".join(_render(mail) for mail in reversed(self.mails)) or (
            "<p>Nog geen e-mails. Meld je in de webchat aan als iemand jonger dan 16 en geef "
            "het e-mailadres van een ouder op.</p>"
        )
        page = (
            '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta http-equiv="refresh" content="5">'
            "<title>Telegram-emulator – e-mails</title>"
            '<link rel="stylesheet" href="/static/style.css"></head><body>'
            '<header><h1>E-mails van de bot</h1><p><a href="/">Terug naar de webchat</a></p>'
            "</header><main>"
            f"{items}</main></body></html>"
        )
        return web.Response(text=page, content_type="text/html", charset="utf-8")


def _render(mail: CaughtMail) -> str:
    text = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escape(mail.text))
    return (
        f'<article aria-label="E-mail {mail.id}"><h2>{escape(mail.subject)}</h2>'
        f"<p>Aan: {escape(', '.join(mail.to))}<br>Van: {escape(mail.mail_from)}<br>"
        f"Ontvangen: {escape(mail.received_at)}</p>"
        f'<pre style="white-space:pre-wrap">{text}</pre></article><hr>'
    )
