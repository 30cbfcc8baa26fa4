"""The nudge cycle end to end: quiet -> nudge 1 -> nudge 2 -> follow-up list -> "benaderd"."""

from __future__ import annotations

import datetime as dt

from bot.kit.clock import ManualClock
from domain.nazorg.engagement import NudgeStep, Wording
from simulator.client import EmulatorClient
from storage.nazorg.models import NazorgNudge
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.nazorg.nazorg_helpers import AFTERNOON, T0, citytrainer, fast, nudges, set_nazorg

WEEK = dt.timedelta(weeks=1)


async def test_quiet_citytrainer_gets_two_nudges_then_lands_on_the_follow_up_list(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    await fast(emu)
    clock = ManualClock(T0)
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=clock)
    await set_nazorg(harness)
    sanne = await emu.create_user("Sanne")
    pid = await citytrainer(harness, sanne, T0 - 7 * WEEK)
    # 7 weeks quiet at 16:30: nothing yet
    clock.set(AFTERNOON)
    await harness.app.sweeper.run_all()
    await sanne.expect_no_message(within=0.3)
    # 8 weeks, but before 16:00: nothing; from 16:00: nudge 1
    clock.set(AFTERNOON + WEEK - dt.timedelta(hours=2))
    await harness.app.sweeper.run_all()
    await sanne.expect_no_message(within=0.3)
    clock.set(AFTERNOON + WEEK)
    await harness.app.sweeper.run_all()
    first = await sanne.expect_message()
    assert "Hoi Sanne" in first.text
    assert first.buttons == ["Ik wil weer iets doen", "Nu even niet", "Ik wil stoppen"]
    # the same day again: nothing new
    clock.advance(dt.timedelta(hours=1))
    await harness.app.sweeper.run_all()
    await sanne.expect_no_message(within=0.3)
    # 4 weeks later: nudge 2 (a different text)
    clock.set(AFTERNOON + 5 * WEEK)
    await harness.app.sweeper.run_all()
    second = await sanne.expect_message()
    assert "Sanne" in second.text and second.text != first.text
    assert "Ik wil stoppen" in second.buttons
    # 4 weeks later: the follow-up list, no more messages to Sanne
    clock.set(AFTERNOON + 9 * WEEK)
    await harness.app.sweeper.run_all()
    await sanne.expect_no_message(within=0.3)
    clock.set(AFTERNOON + 15 * WEEK)
    await harness.app.sweeper.run_all()
    await sanne.expect_no_message(within=0.3)
    rows = await nudges(harness, pid)
    assert [r.step for r in rows] == [NudgeStep.FIRST, NudgeStep.SECOND, NudgeStep.FOLLOW_UP]
    assert all(r.wording in (Wording.A, Wording.B) for r in rows[:2]) and rows[2].wording is None

    await cor.send("/opvolgen")
    listing = await cor.expect_message()
    assert "Persoonlijk benaderen" in listing.text and "Sanne" in listing.text
    assert "herinnering 1" in listing.text and "herinnering 2" in listing.text
    await cor.tap(listing, "Benaderd: Sanne")
    ask = await cor.expect_message()
    assert "korte notitie" in ask.text
    await cor.send_sticker()
    assert "als tekst" in (await cor.expect_message()).text
    await cor.send("Gebeld, doet mee met de sportdag.")
    assert "Opgeslagen: benaderd" in (await cor.expect_message()).text

    async def contacted() -> NazorgNudge:
        return (await nudges(harness, pid))[2]

    row = await eventually(contacted, lambda r: r.contacted_at is not None)
    assert row.note == "Gebeld, doet mee met de sportdag."
    await cor.send("/opvolgen")
    assert "niemand op de opvolglijst" in (await cor.expect_message()).text


async def test_trainees_are_not_nudged(harness: BotHarness, emu: EmulatorClient) -> None:
    from domain.roles import Role

    clock = ManualClock(T0)
    await harness.start(clock=clock)
    await set_nazorg(harness)
    tim = await emu.create_user("Tim")
    await citytrainer(harness, tim, T0 - 20 * WEEK, role=Role.PARTICIPANT)
    clock.set(AFTERNOON)
    await harness.app.sweeper.run_all()
    await tim.expect_no_message(within=0.3)
