"""A 17-year-old signs up and is placed; a 13-year-old is refused with nothing stored."""

from __future__ import annotations

from sqlalchemy import select

from bot.kit.clock import ManualClock
from simulator.client import EmulatorClient
from storage.models import FsmRecord, Person, RoleGrant
from storage.signup.models import Consent, Enrolment, Signup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.signup.signup_helpers import count, expect_text, fast, first, make_cohort, sign_up, tap


async def test_a_17_year_old_signs_up_and_is_placed(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    cohort_id = await make_cohort(harness)
    sara = await emu.create_user("Sara")
    await sara.send("/start")
    welcome = await sara.expect_message()
    assert "Aanmelden" in welcome.buttons
    summary = await sign_up(sara)
    assert "Sara" in summary.text and "01-05-2008" in summary.text and "5211 AB" in summary.text
    done = await tap(sara, summary, "Klopt, versturen", "aanmelding is verstuurd")
    assert "Aanmelden" in done.buttons
    note = await expect_text(cor, "Nieuwe aanmelding")
    assert "Nieuwe aanmelding" in note.text and "17 jaar" in note.text
    await cor.tap(note, "Plaatsen in een groep")
    groups = await cor.expect_message()
    assert "Groep A (0/15)" in groups.buttons[0]
    await cor.tap(groups, groups.buttons[0])
    assert "is geplaatst in groep Groep A" in (await cor.expect_message()).text
    placed = await sara.expect_message()
    assert "plek in groep <b>Groep A</b>" in placed.raw.get("text", placed.text) or (
        "plek in groep Groep A" in placed.text
    )
    assert "07-04-2026 19:00" in placed.text and "Buurthuis De Boog" in placed.text
    enrolment = await eventually(
        lambda: first(harness, Enrolment), lambda e: e is not None and e.status == "placed"
    )
    assert enrolment.cohort_id == cohort_id
    assert await count(harness, RoleGrant, RoleGrant.role == "participant") == 1
    signup = await first(harness, Signup)
    assert signup.status == "placed" and signup.gender == "female" and signup.school == "havo_vwo"
    consent = await first(harness, Consent)
    assert consent.kind == "privacy" and consent.version
    # a second tap on an old button is refused kindly; /aanmelden again shows the status
    answer = await cor.tap(note, "Afwijzen")
    assert answer is not None and "Al besloten" in (answer.text or "")
    await sara.send("/aanmelden")
    assert "Je bent al aangemeld" in (await sara.expect_message()).text


async def test_a_13_year_old_is_refused_and_nothing_is_stored(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    await harness.start(clock=manual_clock)
    await fast(emu)
    tim = await emu.create_user("Tim")
    await tim.send("/aanmelden")
    intro = await tim.expect_message()
    q = await tap(tim, intro, "Beginnen")
    await tim.send("Tim")
    q = await tim.expect_message()
    await tim.send("de Boer")
    await tim.expect_message()
    await tim.send("15-06-2012")
    refusal = await tim.expect_message()
    assert "vanaf je 14e verjaardag, op 15-06-2026" in refusal.text
    assert "niet bewaard" in refusal.text
    await tim.send("hallo")
    await tim.expect_message()
    assert await count(harness, Signup) == 0
    assert await count(harness, Person, Person.birth_date.is_not(None)) == 0
    async with harness.app.sessions() as session:
        records = list(await session.scalars(select(FsmRecord)))
    assert all(not r.data for r in records) and all(r.state is None for r in records)
    assert q is not None
