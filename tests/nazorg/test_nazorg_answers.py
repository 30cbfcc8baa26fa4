"""The three answers to a nudge, activity resetting the cycle, a pause expiring, /instellingen."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.kit.clock import ManualClock
from domain.hours.practice import LogStatus
from domain.nazorg.engagement import NudgeStep
from simulator.client import EmulatorClient
from storage.hours.models import PracticeHours
from storage.nazorg.models import NazorgPreference, NazorgReply
from storage.opportunities.models import OpportunityPreference
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.nazorg.nazorg_helpers import (
    NUDGE_DAY,
    T0,
    WEEK,
    citytrainer,
    count,
    fast,
    first_nudge,
    nudges,
    set_nazorg,
)


async def test_i_want_to_do_something_again(harness: BotHarness, emu: EmulatorClient) -> None:
    clock, cor, sanne, pid, nudge = await first_nudge(harness, emu)
    await sanne.tap(nudge, "Ik wil weer iets doen")
    answer = await sanne.expect_message()
    assert "/voorstel" in answer.text
    note = await cor.expect_message()
    assert "Sanne" in note.text and "wil weer iets doen" in note.text
    await eventually(lambda: count(harness, NazorgReply), lambda n: n == 1)
    # the answer counts as activity: no nudge 2 four weeks later, a new cycle after 8 quiet weeks
    clock.set(NUDGE_DAY + 4 * WEEK)
    await harness.app.sweeper.run_all()
    await sanne.expect_no_message(within=0.3)
    clock.set(NUDGE_DAY + 8 * WEEK)
    await harness.app.sweeper.run_all()
    again = await sanne.expect_message()
    assert "Hoi Sanne" in again.text
    rows = await nudges(harness, pid)
    assert [r.step for r in rows] == [NudgeStep.FIRST, NudgeStep.FIRST]
    assert rows[0].cycle_start != rows[1].cycle_start


async def test_not_right_now_pauses_until_the_pause_expires(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock, _cor, sanne, pid, nudge = await first_nudge(harness, emu)
    await sanne.tap(nudge, "Nu even niet")
    ask = await sanne.expect_message()
    assert ask.buttons == ["1 maand", "3 maanden", "6 maanden"]
    await sanne.tap(ask, "3 maanden")
    done = await sanne.expect_message()
    assert "sturen we je geen herinnering" in done.text

    async def paused() -> NazorgPreference | None:
        async with harness.app.sessions() as session:
            return await session.get(NazorgPreference, pid)

    pref = await eventually(paused, lambda p: p is not None and p.paused_until is not None)
    assert pref is not None and pref.paused_until == dt.date(2026, 6, 10)
    # during the pause: nothing, although quiet for more than 8 weeks again
    clock.set(NUDGE_DAY + 12 * WEEK)
    await harness.app.sweeper.run_all()
    await sanne.expect_no_message(within=0.3)
    # the day after the pause ends: a new first nudge
    clock.set(dt.datetime(2026, 6, 11, 15, 0, tzinfo=dt.UTC))
    await harness.app.sweeper.run_all()
    assert "Hoi Sanne" in (await sanne.expect_message()).text
    assert [r.step for r in await nudges(harness, pid)] == [NudgeStep.FIRST, NudgeStep.FIRST]


async def test_i_want_to_stop(harness: BotHarness, emu: EmulatorClient) -> None:
    clock, cor, sanne, pid, nudge = await first_nudge(harness, emu)
    await sanne.tap(nudge, "Ik wil stoppen")
    confirm = await sanne.expect_message()
    assert "Weet je het zeker?" in confirm.text
    await sanne.tap(confirm, "Ja, ik stop")
    done = await sanne.expect_message()
    assert "geen berichten meer" in done.text and "/verwijderen" in done.text
    note = await cor.expect_message()
    assert "wil stoppen" in note.text

    async def opp_pref() -> OpportunityPreference | None:
        async with harness.app.sessions() as session:
            return await session.get(OpportunityPreference, pid)

    pref = await eventually(opp_pref, lambda p: p is not None)
    assert pref is not None and pref.opportunity_messages is False
    for weeks in (4, 8, 16, 30):
        clock.set(NUDGE_DAY + weeks * WEEK)
        await harness.app.sweeper.run_all()
    await sanne.expect_no_message(within=0.3)
    assert [r.step for r in await nudges(harness, pid)] == [NudgeStep.FIRST]
    # what she asks for herself still works
    await sanne.send("/instellingen")
    settings = await sanne.expect_message()
    assert "Herinneringen als je een tijdje niet actief bent: uit" in settings.text


async def test_changing_my_mind_about_stopping(harness: BotHarness, emu: EmulatorClient) -> None:
    _clock, _cor, sanne, _pid, nudge = await first_nudge(harness, emu)
    await sanne.tap(nudge, "Ik wil stoppen")
    confirm = await sanne.expect_message()
    await sanne.tap(confirm, "Nee, ik blijf")
    assert "Fijn om te horen" in (await sanne.expect_message()).text


async def test_confirmed_hours_reset_the_cycle(harness: BotHarness, emu: EmulatorClient) -> None:
    clock, _cor, sanne, pid, _nudge = await first_nudge(harness, emu)
    async with harness.app.sessions.begin() as session:
        person = await session.get(__import__("storage.models").models.Person, pid)
        assert person is not None
        session.add(
            PracticeHours(
                programme_id=person.programme_id,
                person_id=pid,
                work_date=dt.date(2026, 5, 2),
                minutes=120,
                status=LogStatus.CONFIRMED,
                created_at=NUDGE_DAY + WEEK,
                decided_at=NUDGE_DAY + 2 * WEEK,
                kind="volunteer",
            )
        )
    # no nudge 2: she was active after nudge 1
    clock.set(NUDGE_DAY + 5 * WEEK)
    await harness.app.sweeper.run_all()
    await sanne.expect_no_message(within=0.3)
    # 8 weeks after the hours were confirmed: a new cycle starts with nudge 1
    clock.set(NUDGE_DAY + 10 * WEEK)
    await harness.app.sweeper.run_all()
    assert "Hoi Sanne" in (await sanne.expect_message()).text
    assert [r.step for r in await nudges(harness, pid)] == [NudgeStep.FIRST, NudgeStep.FIRST]


async def test_switching_nudges_and_opportunity_messages_off_in_instellingen(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    await fast(emu)
    clock = ManualClock(T0)
    await harness.start(clock=clock)
    await set_nazorg(harness)
    eva = await emu.create_user("Eva")
    pid = await citytrainer(harness, eva, T0 - 7 * WEEK)
    await eva.send("/instellingen")
    menu = await eva.expect_message()
    assert "Berichten over kansen: aan" in menu.text
    assert "Herinneringen als je een tijdje niet actief bent: aan" in menu.text
    await eva.tap(menu, "Herinneringen uit")
    menu = await eva.expect_edit(menu)
    assert "niet actief bent: uit" in menu.text
    await eva.tap(menu, "Berichten over kansen uit")
    menu = await eva.expect_edit(menu)
    assert "Berichten over kansen: uit" in menu.text
    clock.set(NUDGE_DAY)
    await harness.app.sweeper.run_all()
    await eva.expect_no_message(within=0.3)
    assert await nudges(harness, pid) == []
    async with harness.app.sessions() as session:
        opp = await session.scalar(
            select(OpportunityPreference).where(OpportunityPreference.person_id == pid)
        )
        assert opp is not None and opp.opportunity_messages is False
    # on again: the next day's sweep nudges her
    await eva.tap(menu, "Herinneringen aan")
    menu = await eva.expect_edit(menu)
    assert "niet actief bent: aan" in menu.text
    clock.advance(dt.timedelta(days=1))
    await harness.app.sweeper.run_all()
    assert "Hoi Eva" in (await eva.expect_message()).text
