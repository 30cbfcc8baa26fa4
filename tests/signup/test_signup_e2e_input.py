"""Every wrong answer is explained and asked again; a restart in the middle loses nothing."""

from __future__ import annotations

from bot.kit.clock import ManualClock
from simulator.client import EmulatorClient
from storage.signup.models import Signup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.signup.signup_helpers import answer, count, fast, first, tap


async def test_bad_input_is_explained_and_restart_keeps_the_answers(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    await harness.start(clock=manual_clock)
    await fast(emu)
    eva = await emu.create_user("Eva")
    intro = await answer(eva, "/aanmelden", "Aanmelden voor Citytrainers")
    q = await tap(eva, intro, "Beginnen", "Vraag 1 van 12")
    await eva.send_sticker()
    assert "alleen tekst" in (await eva.expect_message()).text
    assert "voornaam" in (await eva.expect_message()).text
    await answer(eva, "😀🎉", "minstens één letter")
    await eva.expect_message()
    await answer(eva, "<b>Eva</b>", "&lt;" if False else "mag geen")
    await eva.expect_message()
    await answer(eva, "x" * 5000, "te lang")
    await eva.expect_message()
    await answer(eva, "  Eva  ", "Vraag 2 van 12")
    await answer(eva, "de Vries", "geboortedatum")
    await answer(eva, "31-02-2009", "bestaat niet")
    await eva.expect_message()
    await answer(eva, "14-03-2030", "toekomst")
    await eva.expect_message()
    await answer(eva, "gisteren", "kan die datum niet lezen")
    await eva.expect_message()
    await eva.send_photo()
    await eva.expect_message()
    await eva.expect_message()
    q = await answer(eva, "1 mei 2008", "Vraag 4 van 12")
    await harness.restart()
    await fast(emu)
    await answer(eva, "misschien", "Kies een van de knoppen")
    q = await eva.expect_message()
    q = await tap(eva, q, "Ja", "richting")
    await answer(eva, "terug", "Vraag 4 van 12")
    q = await answer(eva, "ja", "richting")
    q = await tap(eva, q, "Weet ik nog niet", "organiseren")
    await answer(eva, "kort", "10 tot 1000 tekens")
    await eva.expect_message()
    await answer(eva, "Een dansavond voor de buurt", "postcode")
    await answer(eva, "0211 AB", "geen Nederlandse postcode")
    await eva.expect_message()
    await answer(eva, "52111", "geen Nederlandse postcode")
    q = await eva.expect_message()
    q = await answer(eva, "5211-ab", "meisje")
    q = await tap(eva, q, "Zeg ik liever niet", "school")
    q = await tap(eva, q, "Zeg ik liever niet", "gehoord")
    q = await tap(eva, q, "Zeg ik liever niet", "contact")
    q = await tap(eva, q, "Hier in de chat", "privacyverklaring")
    await harness.restart()
    await fast(emu)
    summary = await tap(eva, q, "Ik ga akkoord", "Klopt alles?")
    assert "Eva" in summary.text and "de Vries" in summary.text and "5211 AB" in summary.text
    menu = await tap(eva, summary, "Aanpassen", "Wat wil je aanpassen?")
    await tap(eva, menu, "Postcode", "postcode")
    summary = await answer(eva, "5212 CD", "Klopt alles?")
    assert "5212 CD" in summary.text
    await tap(eva, summary, "Klopt, versturen", "verstuurd")
    signup = await eventually(lambda: first(harness, Signup), lambda s: s is not None)
    assert signup.track == "unknown" and signup.gender is None and signup.school is None
    assert await count(harness, Signup) == 1


async def test_no_dutch_or_no_privacy_agreement_stores_nothing(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    await harness.start(clock=manual_clock)
    await fast(emu)
    ali = await emu.create_user("Ali")
    intro = await answer(ali, "/aanmelden")
    await tap(ali, intro, "Beginnen")
    await answer(ali, "Ali")
    await answer(ali, "-")
    q = await answer(ali, "01-01-2000", "Nederlands")
    await tap(ali, q, "Nee", "niet bewaard")
    assert await count(harness, Signup) == 0
