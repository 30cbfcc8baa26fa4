"""Buttons already on people's phones, and forged ones, pressed through the emulator.

The signup's callback data is typed (`bot.features.signup.callbacks`). Data that no longer
parses (an unknown action, a wrong number of parts, an id that is not a number, a choice that
does not exist) must not raise: no filter matches and the fallback router answers that the
button no longer works. Old payloads that still parse keep doing what they did. The bot keeps
working afterwards.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.kit.clock import ManualClock
from domain.signup.status import SignupStatus
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage.signup.models import Signup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.signup.signup_helpers import (
    answer,
    expect_text,
    fast,
    first,
    make_cohort,
    sign_up,
    tap,
)

NO_LONGER_WORKS = "Deze knop werkt niet meer. Typ /help om te zien wat je kunt doen."


async def _buttons(harness: BotHarness, user: TestUser, payloads: list[str]) -> BotMessage:
    """A message of the bot with one button per payload (as if sent by an older version)."""
    rows = [
        [InlineKeyboardButton(text=f"knop {n}", callback_data=data)]
        for n, data in enumerate(payloads)
    ]
    await harness.app.bot.send_message(
        user.id, "Oude knoppen", reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )
    return await expect_text(user, "Oude knoppen")


async def _all_no_longer_work(user: TestUser, message: BotMessage, payloads: list[str]) -> None:
    for n, data in enumerate(payloads):
        reply = await user.tap(message, f"knop {n}")
        assert reply is not None, data
        assert reply.text == NO_LONGER_WORKS and reply.show_alert, data


async def test_unparsable_buttons_get_the_friendly_answer_and_the_bot_keeps_working(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    await make_cohort(harness)
    sara = await emu.create_user("Sara")
    await tap(sara, await sign_up(sara), "Klopt, versturen", "verstuurd")
    await expect_text(cor, "Nieuwe aanmelding")
    signup = await eventually(lambda: first(harness, Signup), lambda s: s is not None)
    sid = signup.id
    forged_for_coordinator = [
        f"sd:place:{sid}",  # a part missing
        f"sd:place:{sid}:0:1",  # a part too many
        f"sd:pg:{sid}:five",  # not a group id
        f"sd:nothing:{sid}:0",  # an action that does not exist
        "sd:invu:many:1",
        "sd",
    ]
    message = await _buttons(harness, cor, forged_for_coordinator)
    await _all_no_longer_work(cor, message, forged_for_coordinator)
    forged_for_participant = [
        "su:zz::",
        "su:oa:abc:",  # not an enrolment id
        "su:od::",
        "su:withdraw:x:",
        "su:pc:7:maybe",  # not a parent's choice
        "su:del:::",
        "su:a:nickname:Sara",  # a question that does not exist
    ]
    message = await _buttons(harness, sara, forged_for_participant)
    await _all_no_longer_work(sara, message, forged_for_participant)
    assert (await first(harness, Signup)).status == SignupStatus.SUBMITTED  # nothing decided
    # the bot keeps working, and an old button made by hand the old way still works
    message = await _buttons(harness, cor, [f"sd:place:{sid}:0"])
    await cor.tap(message, "knop 0")
    groups = await expect_text(cor, f"In welke groep plaats je aanmelding #{sid}?")
    await tap(cor, groups, groups.buttons[0], "is geplaatst in groep Groep A")
    await expect_text(sara, "plek in groep")
    await eventually(
        lambda: first(harness, Signup), lambda s: s is not None and s.status == SignupStatus.PLACED
    )
    await sara.send("/aanmelden")
    assert "Je bent al aangemeld" in (await sara.expect_message()).text


async def test_a_forged_answer_button_is_asked_again(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    """A button value that is not one of the question's buttons is not stored as the answer."""
    await harness.start(clock=manual_clock)
    await fast(emu)
    eva = await emu.create_user("Eva")
    intro = await answer(eva, "/aanmelden", "Aanmelden voor Citytrainers")
    await tap(eva, intro, "Beginnen", "voornaam")
    await answer(eva, "Eva", "achternaam")
    await answer(eva, "de Vries", "geboortedatum")
    q = await answer(eva, "01-05-2008", "Nederlands")
    q = await tap(eva, q, "Ja", "richting")
    forged = await _buttons(harness, eva, ["su:a:track:evil", "su:a:dutch:yes"])
    refused = await eva.tap(forged, "knop 1")  # a button of an earlier question
    assert refused is not None and "eerdere vraag" in (refused.text or "")
    await eva.tap(forged, "knop 0")
    await expect_text(eva, "Kies een van de knoppen onder de vraag.")
    again = await expect_text(eva, "richting")
    await tap(eva, again, "Ik train mijn stad (sport)", "organiseren")
    # an old summary button of a flow that is over says so
    message = await _buttons(harness, eva, ["su:ok::"])
    await eva.send("/cancel")
    await eva.expect_message()
    reply = await eva.tap(message, "knop 0")
    assert reply is not None and "Typ /aanmelden om je aan te melden" in (reply.text or "")
