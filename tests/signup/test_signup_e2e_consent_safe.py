"""A parent's permission that a child cannot give herself (issue 11, point 1), through the
emulator: the forwarded route (only a phone number), refusals for participants' accounts, the
unverified consent on the coordinator's card and "Nagebeld en bevestigd", and paper."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.kit.clock import ManualClock
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage.models import Person
from storage.signup.models import Consent, ConsentToken, Signup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.signup.consent_helpers import PUBLIC, deep_link_token, page_token, sign_up_minor
from tests.signup.signup_helpers import count, expect_text, fast, first, make_cohort, sign_up, tap


async def _buttons(harness: BotHarness, user: TestUser, payloads: list[str]) -> BotMessage:
    """A message with one button per payload: what a modified client can send anyway."""
    rows = [
        [InlineKeyboardButton(text=f"knop {n}", callback_data=data)]
        for n, data in enumerate(payloads)
    ]
    await harness.app.bot.send_message(
        user.id, "Knoppen", reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )
    return await expect_text(user, "Knoppen")


async def _noor_waits_for_consent(
    harness: BotHarness, emu: EmulatorClient
) -> tuple[TestUser, str, int]:
    """Noor (14) signs up with her mother's phone number: the forwarded route."""
    noor = await emu.create_user("Noor")
    summary = await sign_up_minor(noor, "06 12345678")
    await noor.tap(summary, "Klopt, versturen")
    to_parent = await noor.expect_message()
    to_noor = await noor.expect_message()
    # the message to forward is written to the parent ("u"), with the links ...
    assert "Beste Karin Jansen" in to_parent.text and "Zit u op Telegram?" in to_parent.text
    assert "Geeft u toestemming?" in to_parent.text and "belt u op 06 12345678" in to_parent.text
    token = deep_link_token(to_parent.text)
    assert token is not None and page_token(to_parent.text) == token
    assert f"{PUBLIC}/toestemming/{token}" in to_parent.text  # never 127.0.0.1 or 0.0.0.0
    # ... and the message to Noor ("je") is a separate one, without a link
    assert "Stuur het bericht hierboven door naar Karin Jansen" in to_noor.text
    assert "je kunt zelf geen toestemming geven" in to_noor.text
    assert "toestemming/" not in to_noor.text and "start=" not in to_noor.text
    signup = await eventually(
        lambda: first(harness, Signup, Signup.needs_consent.is_(True)), lambda s: s is not None
    )
    return noor, token, signup.id


async def test_a_child_cannot_give_her_parents_permission_and_a_call_confirms_it(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock, public_base_url=PUBLIC)
    await fast(emu)
    cohort_id = await make_cohort(harness)
    sara = await emu.create_user("Sara")  # 17, signed up: a participant's account
    await tap(sara, await sign_up(sara), "Klopt, versturen", "verstuurd")
    await expect_text(cor, "Nieuwe aanmelding")
    noor, token, signup_id = await _noor_waits_for_consent(harness, emu)

    # Noor opens the link herself: refused kindly, nothing about the signup shown
    await noor.send(f"/start c-{token}")
    refused = await noor.expect_message()
    assert "Je kunt geen toestemming geven voor je eigen aanmelding" in refused.text
    assert "Wat we bewaren" not in refused.text
    # her friend Sara, who signed up herself, cannot either
    await sara.send(f"/start c-{token}")
    refused = await sara.expect_message()
    assert "dit account hoort bij een jongere" in refused.text
    assert "Noor" not in refused.text and "Wat we bewaren" not in refused.text
    # a forged "yes" from Noor's own account records nothing
    token_row = await first(harness, ConsentToken)
    forged = await _buttons(harness, noor, [f"su:pc:{token_row.id}:yes"])
    await noor.tap(forged, "knop 0")
    await noor.expect_no_message(within=0.3)
    assert await count(harness, Consent, Consent.kind == "parental") == 0
    assert (await first(harness, ConsentToken)).used_at is None  # the link still works

    # Karin, on her own account, gives permission: recorded, but unverified (a forwarded link)
    karin = await emu.create_user("Karin")
    await karin.send(f"/start c-{token}")
    request = await karin.expect_message()
    assert "Noor (14 jaar)" in request.text
    await karin.tap(request, "Ik geef toestemming")
    assert "toestemming is vastgelegd" in (await karin.expect_message()).text
    consent = await eventually(
        lambda: first(harness, Consent, Consent.kind == "parental"), lambda c: c is not None
    )
    assert consent.route == "forwarded" and consent.method == "telegram"
    assert consent.contact == "06 12345678" and "Karin Jansen" in (consent.given_by or "")
    assert consent.given_at == manual_clock.now() and consent.verified_at is None
    signup = await first(harness, Signup)
    assert signup.parent_telegram_id == str(karin.id)

    # the coordinator's card says it is not checked, and placing waits for the call
    card = await expect_text(cor, "Nieuwe aanmelding")
    assert "Nog niet gecontroleerd" in card.text and "Bel 06 12345678" in card.text
    assert "via de link die de deelnemer doorstuurde (Telegram)" in card.text
    assert "Nagebeld en bevestigd" in card.buttons
    answer = await cor.tap(card, "Plaatsen in een groep")
    assert answer is not None and answer.show_alert and "Bel eerst de ouder" in (answer.text or "")
    forged = await _buttons(harness, cor, [f"sd:pg:{signup_id}:{cohort_id}"])
    answer = await cor.tap(forged, "knop 0")
    assert answer is not None and "Bel eerst de ouder" in (answer.text or "")
    assert (await first(harness, Signup)).status == "submitted"

    # "Nagebeld en bevestigd": who and when are recorded; then the signup can be placed
    answer = await cor.tap(card, "Nagebeld en bevestigd")
    assert answer is not None and answer.text == "Bevestigd."
    confirmed = await expect_text(cor, "bevestigd")
    assert f"aanmelding #{signup_id}" in confirmed.text
    consent = await eventually(
        lambda: first(harness, Consent, Consent.kind == "parental"),
        lambda c: c is not None and c.verified_at is not None,
    )
    cor_person = await first(harness, Person, Person.first_name == "Cor")
    assert consent.verified_by == cor_person.id and consent.verified_at == manual_clock.now()
    again = await cor.tap(card, "Nagebeld en bevestigd")
    assert again is not None and "al bevestigd" in (again.text or "")
    await cor.tap(confirmed, "Plaatsen in een groep")
    groups = await expect_text(cor, "In welke groep")
    await tap(cor, groups, groups.buttons[0], "is geplaatst in groep Groep A")
    await eventually(lambda: first(harness, Signup), lambda s: s.status == "placed")


async def test_paper_consent_is_verified_by_the_coordinator_who_records_it(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock, public_base_url=PUBLIC)
    await fast(emu)
    _noor, _token, signup_id = await _noor_waits_for_consent(harness, emu)
    await cor.send("/aanmeldingen")
    overview = await expect_text(cor, "Open aanmeldingen")
    await cor.tap(overview, f"#{signup_id}: papieren toestemming")
    await expect_text(cor, "Typ de naam")
    await cor.send("Karin Jansen-de Wit")
    await expect_text(cor, "is vastgelegd")
    card = await expect_text(cor, "Nieuwe aanmelding")
    assert "op een papieren formulier" in card.text and "Gecontroleerd door Cor" in card.text
    assert "Nagebeld en bevestigd" not in card.buttons
    consent = await eventually(
        lambda: first(harness, Consent, Consent.kind == "parental"), lambda c: c is not None
    )
    cor_person = await first(harness, Person, Person.first_name == "Cor")
    assert consent.route == "paper" and consent.given_by == "Karin Jansen-de Wit"
    assert consent.verified_by == cor_person.id and consent.contact == "06 12345678"
