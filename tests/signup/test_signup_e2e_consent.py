"""15-year-olds: a parent consents through the Telegram link or the web page; or consent expires."""

from __future__ import annotations

import datetime as dt
import re

import aiohttp

from bot.kit.clock import ManualClock
from simulator.client import EmulatorClient
from storage.models import OutboxMessage, Person
from storage.signup.models import Consent, ConsentToken, Signup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.signup.signup_helpers import count, expect_text, fast, first, sign_up, tap


async def test_a_15_year_old_whose_parent_consents_on_telegram(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    noor = await emu.create_user("Noor")
    summary = await sign_up(noor, birth="14 maart 2011", parent=True)
    assert "Karin Jansen" in summary.text
    links = await tap(noor, summary, "Klopt, versturen", "start=c-")
    await expect_text(noor, "Stuur het bericht hierboven door")
    payload = re.search(r"start=(c-[A-Za-z0-9_-]+)", links.text)
    assert payload is not None and len(payload.group(1)) <= 64
    token = payload.group(1)[2:]

    async def stored_token() -> object:
        async with harness.app.sessions() as session:
            return (await session.execute(ConsentToken.__table__.select())).first()

    stored = await eventually(stored_token, lambda row: row is not None)  # committed after
    assert token not in str(stored)  # only the hash is stored
    assert (
        await count(
            harness,
            OutboxMessage,
            OutboxMessage.chat_id == str(cor.id),
            OutboxMessage.idempotency_key.like("signup:%"),
        )
        == 0
    )  # coordinators wait for the consent
    karin = await emu.create_user("Karin")
    await karin.send(f"/start c-{token}")
    request = await karin.expect_message()
    assert "Noor (14 jaar)" in request.text and "Wat we bewaren" in request.text
    await karin.tap(request, "Ik geef toestemming")
    assert "toestemming is vastgelegd" in (await karin.expect_message()).text
    await expect_text(cor, "Nieuwe aanmelding")
    assert "ouder of voogd heeft toestemming" in (await noor.expect_message()).text
    consent = await eventually(
        lambda: first(harness, Consent, Consent.kind == "parental"), lambda c: c is not None
    )
    assert consent.method == "telegram" and "Karin Jansen" in (consent.given_by or "")
    # the link is single-use
    another = await emu.create_user("Piet")
    await another.send(f"/start c-{token}")
    assert "al gebruikt" in (await another.expect_message()).text
    # the parent withdraws consent later
    await karin.send("/toestemming")
    choice = await karin.expect_message()
    await karin.tap(choice, "Toestemming intrekken voor Noor")
    assert "ingetrokken" in (await karin.expect_message()).text
    signup = await eventually(
        lambda: first(harness, Signup), lambda s: s is not None and s.status == "withdrawn"
    )
    assert signup is not None


async def test_a_parent_consents_on_the_web_page_and_reissue_invalidates(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    runtime = await harness.start(
        admin_telegram_ids=[cor.id], clock=manual_clock, public_base_url="https://ct.example"
    )
    await fast(emu)
    noor = await emu.create_user("Noor")
    summary = await sign_up(noor, birth="2011-03-14", parent=True)
    links = await tap(noor, summary, "Klopt, versturen", "/toestemming/")
    await expect_text(noor, "Stuur het bericht hierboven door")
    old = re.search(r"/toestemming/([A-Za-z0-9_-]+)", links.text)
    assert old is not None
    await noor.send("/toestemming")
    offer = await noor.expect_message()
    fresh = await tap(noor, offer, "Nieuwe link", "/toestemming/")
    new = re.search(r"/toestemming/([A-Za-z0-9_-]+)", fresh.text)
    assert new is not None and new.group(1) != old.group(1)
    await eventually(
        lambda: count(harness, ConsentToken, ConsentToken.revoked_at.is_not(None)),
        lambda n: n == 1,
    )
    base = f"http://127.0.0.1:{runtime.web_port}/toestemming/"
    async with aiohttp.ClientSession() as http:
        async with http.get(base + old.group(1)) as resp:
            assert resp.status == 410 and "vervangen" in await resp.text()
        async with http.get(base + new.group(1)) as resp:
            page = await resp.text()
            assert resp.status == 200 and 'lang="nl"' in page and "Geeft u toestemming?" in page
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert csrf is not None
        async with http.post(base + new.group(1), data={"csrf": "wrong", "choice": "yes"}) as resp:
            assert resp.status == 403
        form = {"csrf": csrf.group(1), "choice": "yes"}
        async with http.post(base + new.group(1), data=form) as resp:
            assert resp.status == 200 and "vastgelegd" in await resp.text()
        async with http.post(base + new.group(1), data=form) as resp:
            assert resp.status == 410
    await expect_text(cor, "Nieuwe aanmelding")
    consent = await first(harness, Consent, Consent.kind == "parental")
    assert consent is not None and consent.method == "web"


async def test_a_15_year_old_whose_consent_expires_loses_the_data(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    await harness.start(clock=manual_clock)
    await fast(emu)
    noor = await emu.create_user("Noor")
    summary = await sign_up(noor, birth="14-03-2011", parent=True)
    await tap(noor, summary, "Klopt, versturen", "start=c-")
    await expect_text(noor, "Bijna klaar")
    await eventually(lambda: count(harness, Signup), lambda n: n == 1)
    manual_clock.advance(dt.timedelta(days=3, hours=1))
    await harness.app.sweeper.run_all()
    assert "Herinnering" in (await noor.expect_message()).text
    await harness.app.sweeper.run_all()
    await noor.expect_no_message(within=0.3)  # reminded once
    manual_clock.advance(dt.timedelta(days=11))
    await harness.app.sweeper.run_all()
    assert "niet op tijd toestemming" in (await noor.expect_message()).text
    assert await count(harness, Signup) == 0
    assert await count(harness, Consent) == 0
    assert await count(harness, Person, Person.birth_date.is_not(None)) == 0
