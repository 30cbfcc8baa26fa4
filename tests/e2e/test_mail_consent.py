"""A parent's permission by e-mail (issue 11, point 1): with the parent's e-mail address the
request goes straight to the parent, through the outbox, to a real SMTP server (aiosmtpd, the
emulator's mailbox); the child never holds the link. The e-mail survives an SMTP server that is
down. Local mode catches the e-mails and shows them next to the web chat."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import aiohttp
from sqlalchemy import select

from bot.kit.clock import ManualClock
from bot.kit.config import LOCAL_BOT_TOKEN
from bot.kit.mail import Mailer, MailError, SmtpServer
from simulator.client import EmulatorClient
from simulator.mailbox import CaughtMail, Mailbox
from storage.models import OutboxMessage
from storage.signup.models import Consent, ConsentToken, Signup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.e2e.test_process import bot_env, free_port, read_until, start_bot, stop
from tests.signup.consent_helpers import PUBLIC, page_token, sign_up_minor
from tests.signup.signup_helpers import count, expect_text, fast, first, make_cohort

FROM = "Citytrainers <noreply@citytrainers.example>"


async def _email_rows(harness: BotHarness) -> list[OutboxMessage]:
    async with harness.app.sessions() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.channel == "email")
                .order_by(OutboxMessage.id)
            )
        )


def _token_of(mail: CaughtMail) -> str:
    token = page_token(mail.text)
    assert token is not None, mail.text
    assert f"{PUBLIC}/toestemming/{token}" in mail.text
    return token


async def _consent_on_the_page(port: int, token: str) -> None:
    url = f"http://127.0.0.1:{port}/toestemming/{token}"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as resp:
            page = await resp.text()
            assert resp.status == 200 and "Geeft u toestemming?" in page
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert csrf is not None
        async with http.post(url, data={"csrf": csrf.group(1), "choice": "yes"}) as resp:
            assert resp.status == 200 and "vastgelegd" in await resp.text()


async def test_the_request_goes_to_the_parents_e_mail_and_never_through_the_child(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    async with Mailbox() as mailbox:
        cor = await emu.create_user("Cor")
        runtime = await harness.start(
            admin_telegram_ids=[cor.id],
            clock=manual_clock,
            public_base_url=PUBLIC,
            smtp_url=mailbox.smtp_url,
            mail_from=FROM,
        )
        await fast(emu)
        await make_cohort(harness)
        noor = await emu.create_user("Noor")
        summary = await sign_up_minor(noor, "karin@example.nl")
        await noor.tap(summary, "Klopt, versturen")
        told = await noor.expect_message()
        assert "We hebben een e-mail met een link gestuurd naar karin@example.nl" in told.text
        assert "toestemming/" not in told.text and "start=" not in told.text
        await noor.expect_no_message(within=0.3)  # no message to forward: the child has no link

        mail = await mailbox.next_mail(timeout=10)
        assert mail.to == ["karin@example.nl"] and "noreply@citytrainers.example" in mail.mail_from
        assert mail.subject == "Toestemming voor Citytrainers: Noor"
        assert mail.text.startswith("Beste Karin Jansen,")
        assert "Noor (14 jaar)" in mail.text and "Geeft u toestemming?" in mail.text
        assert "<b>" not in mail.text and "één keer en 14 dagen" in mail.text
        first_token = _token_of(mail)
        rows = await eventually(
            lambda: _email_rows(harness), lambda r: len(r) == 1 and r[0].status == "sent"
        )
        assert rows[0].chat_id == "karin@example.nl" and rows[0].payload == {}  # text dropped
        assert rows[0].person_id is not None

        # /toestemming sends a new e-mail to the parent; the old link stops working
        await noor.send("/toestemming")
        offer = await noor.expect_message()
        wait = await noor.tap(offer, "Nieuwe link")  # not a flood of e-mails to an address
        assert wait is not None and "net een e-mail gestuurd" in (wait.text or "")
        manual_clock.advance(dt.timedelta(minutes=10))
        await noor.tap(offer, "Nieuwe link")
        again = await noor.expect_message()
        assert "e-mail" in again.text and "toestemming/" not in again.text
        token = _token_of(await mailbox.next_mail(timeout=10))
        assert token != first_token
        await eventually(
            lambda: count(harness, ConsentToken, ConsentToken.revoked_at.is_not(None)),
            lambda n: n == 1,
        )

        # the parent answers on the web page: verified by the e-mail to her address
        await _consent_on_the_page(runtime.web_port, token)
        consent = await eventually(
            lambda: first(harness, Consent, Consent.kind == "parental"), lambda c: c is not None
        )
        assert consent.route == "email" and consent.method == "web"
        assert consent.contact == "karin@example.nl" and consent.given_by == "Karin Jansen"
        assert consent.verified_at == manual_clock.now() and consent.verified_by is None
        card = await expect_text(cor, "Nieuwe aanmelding")
        assert "via de link in de e-mail aan de ouder" in card.text
        assert "Gecontroleerd: de link ging naar het e-mailadres van de ouder." in card.text
        assert "Nagebeld en bevestigd" not in card.buttons
        await cor.tap(card, "Plaatsen in een groep")
        assert "In welke groep" in (await expect_text(cor, "In welke groep")).text
        assert (await first(harness, Signup)).parent_telegram_id is None


async def test_an_e_mail_is_not_lost_while_the_smtp_server_is_down(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    port = free_port()  # nothing listens here yet
    await harness.start(
        clock=manual_clock,
        public_base_url=PUBLIC,
        smtp_url=f"smtp://127.0.0.1:{port}",
        mail_from=FROM,
    )
    await fast(emu)
    noor = await emu.create_user("Noor")
    summary = await sign_up_minor(noor, "karin@example.nl")
    await noor.tap(summary, "Klopt, versturen")
    assert "e-mail" in (await noor.expect_message()).text
    rows = await eventually(
        lambda: _email_rows(harness),
        lambda r: len(r) == 1 and r[0].status == "pending" and r[0].last_error is not None,
    )
    assert rows[0].attempts == 1 and rows[0].chat_id == "karin@example.nl"
    mailbox = Mailbox()
    await mailbox.start(port=port)
    try:
        manual_clock.advance(dt.timedelta(minutes=15))
        harness.app.sender.wake.set()
        mail = await mailbox.next_mail(timeout=10)
        assert mail.to == ["karin@example.nl"]
        await eventually(lambda: _email_rows(harness), lambda r: r[0].status == "sent")
        assert len(mailbox.mails) == 1
    finally:
        await mailbox.stop()


async def test_the_mailer_tells_a_server_that_is_down_from_a_refused_address() -> None:
    mailer = Mailer(SmtpServer.from_url(f"smtp://127.0.0.1:{free_port()}"), FROM, timeout=5)
    try:
        await mailer.send("karin@example.nl", {"subject": "s", "text": "t"})
    except MailError as exc:
        assert not exc.permanent  # retried later
    else:
        raise AssertionError("sent to a port where nothing listens")
    try:
        await mailer.send("karin,ouder@example.nl", {"subject": "s", "text": "t"})
    except MailError as exc:
        assert exc.permanent  # never retried
    else:
        raise AssertionError("sent to an address that is not one")
    server = SmtpServer.from_url("smtps://ct%40example.nl:ge%2Fheim@mail.example:2465")
    assert (server.host, server.port, server.use_tls) == ("mail.example", 2465, True)
    assert (server.username, server.password) == ("ct@example.nl", "ge/heim")


async def test_local_mode_catches_the_e_mails_and_shows_them_next_to_the_web_chat(
    tmp_path: Path,
) -> None:
    emulator_port, web_port = free_port(), free_port()
    env = bot_env(tmp_path, EMULATOR_PORT=str(emulator_port), WEB_PORT=str(web_port))
    proc = await start_bot(env, tmp_path)
    base = f"http://127.0.0.1:{emulator_port}"
    try:
        output = await read_until(proc, "Local mode: open")
        assert f"{base}/mailbox" in output
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/mailbox") as page:
                assert page.status == 200 and "E-mails van de bot" in await page.text()
            async with EmulatorClient(base, token=LOCAL_BOT_TOKEN) as emu:
                await fast(emu)
                noor = await emu.create_user("Noor")
                summary = await sign_up_minor(noor, "karin@example.nl")
                await noor.tap(summary, "Klopt, versturen")
                assert "e-mail" in (await noor.expect_message(timeout=10)).text

            async def caught() -> list[dict[str, object]]:
                async with http.get(base + "/mailbox/messages") as resp:
                    return list((await resp.json())["messages"])

            mails = await eventually(caught, lambda m: len(m) == 1, within=10)
            text = str(mails[0]["text"])
            link = re.search(rf"http://localhost:{web_port}/toestemming/([A-Za-z0-9_-]+)", text)
            assert link is not None, text
            async with http.get(base + "/mailbox") as page:
                assert link.group(0) in await page.text()
            async with http.get(f"http://127.0.0.1:{web_port}/toestemming/{link.group(1)}") as p:
                assert p.status == 200 and "Geeft u toestemming?" in await p.text()
    finally:
        code = await stop(proc)
    assert code == 0
