"""Hours done at an opportunity: asked the day after, logged as practice (trainee) or volunteer
(Citytrainer) hours, confirmed by the organisation's supervisor by button or by reply."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.kit.clock import ManualClock
from domain.hours.practice import LogStatus
from domain.opportunities.matching import Track
from domain.opportunities.status import OpportunityStatus
from domain.roles import Role
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage import people
from storage.course import queries as course
from storage.hours import queries as hours
from storage.hours.models import PracticeHours
from storage.impact import queries as impact
from storage.models import OutboxMessage
from storage.nazorg.activity import hours_source
from storage.opportunities.models import Opportunity, OpportunitySignup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.hours.conftest import World

STARTS = dt.datetime(2026, 3, 4, 14, 0, tzinfo=dt.UTC)  # 15:00 in Den Bosch


@pytest.fixture
async def world(harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock) -> World:
    """Cor coordinates, Ans supervises Voetbalclub Rosmalen, Sam is a trainee."""
    await emu.set_limits(
        global_per_second=10_000, per_chat_burst=10_000, per_chat_refill_per_second=10_000
    )
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    w = World(harness, emu, manual_clock, cor, await emu.create_user("Ans"), None)  # type: ignore[arg-type]
    w.sam = await emu.create_user("Sam")
    await cor.send("/start")
    await cor.expect_message()
    async with harness.app.sessions.begin() as session:
        prog = await people.default_programme(session)
        assert prog is not None
        org = await hours.add_organisation(
            session,
            prog.id,
            name="Voetbalclub Rosmalen",
            kind="sport",
            neighbourhood=None,
            contact=None,
            now=manual_clock.now(),
        )
        w.org_id = org.id
    await w.make_supervisor(w.ans)
    return w


async def _member(w: World, user: TestUser, role: Role) -> int:
    await user.send("/start")
    await user.expect_message()
    pid = await w.person_id(user)
    async with w.harness.app.sessions.begin() as session:
        prog = await people.default_programme(session)
        assert prog is not None
        await people.grant_role(session, pid, prog.id, role, w.clock.now())
    return pid


async def _opportunity(w: World, *, organisation: bool = True) -> int:
    async with w.harness.app.sessions.begin() as session:
        prog = await people.default_programme(session)
        assert prog is not None
        opp = Opportunity(
            programme_id=prog.id,
            organisation_id=w.org_id if organisation else None,
            organisation_name="Voetbalclub Rosmalen" if organisation else None,
            title="Sportdag Noord",
            description="Je helpt kinderen bij de spellen.",
            starts_at=STARTS,
            place="Sportpark Noord",
            minutes=180,
            places=5,
            track=Track.BOTH,
            status=OpportunityStatus.OPEN,
            created_at=w.clock.now(),
            for_trainees=True,
        )
        session.add(opp)
        await session.flush()
        return opp.id


async def _join(user: TestUser) -> None:
    """Through /kansen: open the opportunity and tap "Ik doe mee"."""
    await user.send("/kansen")
    listing = await user.expect_message()
    await user.tap(listing, next(b for b in listing.buttons if b.startswith("Sportdag Noord")))
    opened = await user.expect_edit(listing)
    await user.tap(opened, "Ik doe mee")
    assert "Je doet mee met" in (await World.expect(user, "Sportdag Noord")).text


async def _signup(w: World, person_id: int) -> OpportunitySignup:
    async with w.harness.app.sessions() as session:
        found = await session.scalar(
            select(OpportunitySignup).where(OpportunitySignup.person_id == person_id)
        )
        assert found is not None
        return found


async def _log_of(w: World, person_id: int, status: LogStatus = LogStatus.PENDING) -> PracticeHours:
    async def probe() -> PracticeHours | None:
        async with w.harness.app.sessions() as session:
            return await session.scalar(
                select(PracticeHours).where(PracticeHours.person_id == person_id)
            )

    found = await eventually(probe, lambda e: e is not None and e.status == status)
    assert found is not None
    return found


async def _the_day_after(w: World) -> None:
    w.clock.set(dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC))  # 09:00: not yet
    await w.harness.app.sweeper.run_all()
    w.clock.set(dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC))  # 11:00: ask
    await w.harness.app.sweeper.run_all()
    await w.harness.app.sweeper.run_all()  # twice: asked once


async def _asked(user: TestUser) -> BotMessage:
    question = await World.expect(user, "Heb je meegedaan aan")
    assert "Sportdag Noord" in question.text and "04-03-2026" in question.text
    assert question.buttons == ["Ja", "Nee"]
    return question


async def test_trainee_and_citytrainer_log_hours_confirmed_by_button_and_reply(
    world: World,
) -> None:
    w = world
    cita, noor = await w.emu.create_user("Cita"), await w.emu.create_user("Noor")
    sam_id = await _member(w, w.sam, Role.PARTICIPANT)
    cita_id = await _member(w, cita, Role.CITYTRAINER)
    noor_id = await _member(w, noor, Role.CITYTRAINER)
    await _opportunity(w)
    for user in (w.sam, cita, noor):
        await _join(user)

    await _the_day_after(w)
    sam_q, cita_q, noor_q = [await _asked(u) for u in (w.sam, cita, noor)]

    # "Nee": not attended, nothing to log
    await noor.tap(noor_q, "Nee")
    assert "Bedankt" in (await noor.expect_message()).text
    assert (
        await eventually(lambda: _signup(w, noor_id), lambda s: s.attended is False)
    ).attended_at is None

    # the trainee: 2,5 uur, practice hours, after two wrong answers
    await w.sam.tap(sam_q, "Ja")
    assert "Hoeveel uur" in (await w.sam.expect_message()).text
    await w.sam.send("heel lang")
    assert "Bijvoorbeeld" in (await w.sam.expect_message()).text
    await w.sam.send("13")
    assert "te veel" in (await w.sam.expect_message()).text
    await w.sam.send("2,5")
    what = await w.sam.expect_message()
    assert "Wat heb je gedaan?" in what.text and what.buttons == ["Overslaan"]
    await w.sam.send("Geholpen bij de spellen")
    summary = await w.sam.expect_message()
    assert "praktijkuren" in summary.text and "2,5" in summary.text
    await w.sam.tap(summary, "Opslaan")
    assert "wacht op bevestiging" in (await w.sam.expect_message()).text
    sam_log = await _log_of(w, sam_id)
    assert (sam_log.kind, sam_log.minutes, sam_log.work_date) == (
        "practice",
        150,
        dt.date(2026, 3, 4),
    )
    assert sam_log.organisation_id == w.org_id and sam_log.opportunity_id is not None
    assert (await _signup(w, sam_id)).attended is True

    # the Citytrainer: 3 uur, no description, volunteer hours
    await cita.tap(cita_q, "Ja")
    await cita.expect_message()
    await cita.send("3")
    await cita.tap(await cita.expect_message(), "Overslaan")
    summary = await cita.expect_message()
    assert "vrijwilligersuren" in summary.text
    await cita.tap(summary, "Opslaan")
    assert "wacht op bevestiging" in (await cita.expect_message()).text
    cita_log = await _log_of(w, cita_id)
    assert (cita_log.kind, cita_log.minutes) == ("volunteer", 180)

    # the supervisor confirms the trainee's by button and the Citytrainer's by reply
    sam_note = await World.expect(w.ans, "Uren van Sam")
    assert "Sportdag Noord" in sam_note.text
    await w.ans.tap(sam_note, "Bevestigen")
    await w.log_status(sam_log.id, LogStatus.CONFIRMED)
    cita_note = await World.expect(w.ans, "Uren van Cita")
    assert "vrijwilligersuren" in cita_note.text
    await w.ans.reply(cita_note, "ok")
    await w.log_status(cita_log.id, LogStatus.CONFIRMED)
    assert "bevestigd" in (await World.expect(w.sam, "bevestigd")).text
    assert "bevestigd" in (await World.expect(cita, "bevestigd")).text

    # /uren: counts of 15 for the trainee, not for the Citytrainer
    await w.sam.send("/uren")
    overview = await World.expect(w.sam, "Bevestigd:")
    assert "Sportdag Noord" in overview.text and "Bevestigd: 2,5 van 15 uur" in overview.text
    await cita.send("/uren")
    overview = await World.expect(cita, "Bevestigd:")
    assert "Bevestigd: 0 van 15 uur" in overview.text
    assert "Vrijwilligersuren (tellen niet mee voor de 15): 3 bevestigd" in overview.text
    async with w.harness.app.sessions() as session:
        assert await hours.counted_minutes(session, sam_id) == 150
        assert await hours.counted_minutes(session, cita_id) == 0
        assert await course.practice_minutes(session, cita_id) == 0
        efforts = [
            e
            async for e in impact.efforts(
                session, sam_log.programme_id, dt.date(2026, 3, 1), dt.date(2026, 3, 31)
            )
        ]
        # the logged 3 hours count once: not again as the attended opportunity's minutes
        assert sum(e.minutes for e in efforts if e.person_id == cita_id) == 180
        source = hours_source()
        assert source is not None
        active = {row.person_id for row in await session.execute(source)}
        assert {sam_id, cita_id} <= active

    # nobody is asked twice: one question a sign-up
    await w.harness.app.sweeper.run_all()
    for user in (w.sam, cita, noor):
        await user.expect_no_message(within=0.3)
    async with w.harness.app.sessions() as session:
        keys = list(
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.like("opsignup:%")
                )
            )
        )
        assert len(keys) == 3 and len(set(keys)) == 3


async def test_without_organisation_coordinators_decide_and_get_reminders(world: World) -> None:
    w = world
    cita = await w.emu.create_user("Cita")
    cita_id = await _member(w, cita, Role.CITYTRAINER)
    await _opportunity(w, organisation=False)
    await _join(cita)
    await _the_day_after(w)
    await cita.tap(await _asked(cita), "Ja")
    await cita.expect_message()
    await cita.send("2")
    await cita.send("Limonade geschonken")
    await cita.expect_message()
    await cita.tap(await World.expect(cita, "Zal ik dit versturen?"), "Opslaan")
    log = await _log_of(w, cita_id)
    assert log.organisation_id is None and log.kind == "volunteer"
    note = await World.expect(w.cor, "Uren van Cita")
    assert note.buttons == ["Bevestigen", "Aanpassen", "Afwijzen"]
    # unanswered: after 3 days the reminder goes to the coordinators too
    w.clock.advance(dt.timedelta(days=3, hours=1))
    await w.harness.app.sweeper.run_all()
    reminder = await World.expect(w.cor, "Herinnering")
    assert "Uren van Cita" in reminder.text
    await w.cor.reply(reminder, "ok")
    await w.log_status(log.id, LogStatus.CONFIRMED)
