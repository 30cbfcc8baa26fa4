"""Quiet hours for a minor, the weekly digest with each kind of item, and /nazorgcijfers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.kit.clock import ManualClock
from domain.hours.practice import LogStatus
from domain.nazorg.engagement import NudgeStep
from simulator.client import EmulatorClient
from storage.activities.models import Activity, ActivityKind
from storage.course.models import Cohort, CourseSession
from storage.hours.models import PracticeHours
from storage.models import OutboxMessage, Programme
from storage.nazorg.models import NazorgNudge
from storage.opportunities.models import Opportunity
from storage.signup.models import Signup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.nazorg.nazorg_helpers import T0, citytrainer, fast, set_nazorg

WEEK = dt.timedelta(weeks=1)


async def test_a_minor_never_gets_a_nudge_between_21_and_8(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    await fast(emu)
    clock = ManualClock(T0)
    await harness.start(clock=clock)
    await set_nazorg(harness, sweep_time="21:30")
    mila = await emu.create_user("Mila")
    adam = await emu.create_user("Adam")
    await citytrainer(harness, mila, T0 - 9 * WEEK, birth_date=dt.date(2010, 6, 1))
    await citytrainer(harness, adam, T0 - 9 * WEEK, birth_date=dt.date(1990, 6, 1))
    clock.set(dt.datetime(2026, 3, 2, 20, 45, tzinfo=dt.UTC))  # 21:45 in Amsterdam
    await harness.app.sweeper.run_all()
    assert "Hoi Adam" in (await adam.expect_message()).text
    await mila.expect_no_message(within=0.5)

    async def row() -> OutboxMessage | None:
        async with harness.app.sessions() as session:
            return await session.scalar(
                select(OutboxMessage).where(OutboxMessage.chat_id == str(mila.id))
            )

    queued = await eventually(row, lambda r: r is not None)
    assert queued is not None
    assert queued.not_before == dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)  # 08:00 local
    clock.set(dt.datetime(2026, 3, 3, 6, 59, tzinfo=dt.UTC))
    await mila.expect_no_message(within=0.5)
    clock.set(dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC))
    harness.app.sender.wake.set()
    assert "Hoi Mila" in (await mila.expect_message()).text


async def test_weekly_digest_with_each_kind_of_item(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    await fast(emu)
    sunday = dt.datetime(2026, 3, 8, 10, 0, tzinfo=dt.UTC)
    clock = ManualClock(sunday)
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=clock)
    await set_nazorg(harness, digest_weekday=0, digest_time="09:00")
    sanne = await emu.create_user("Sanne")
    pid = await citytrainer(harness, sanne, sunday - 20 * WEEK)
    monday = dt.datetime(2026, 3, 9, 8, 30, tzinfo=dt.UTC)  # 09:30 in Amsterdam
    async with harness.app.sessions.begin() as session:
        programme = await session.scalar(select(Programme).order_by(Programme.id))
        assert programme is not None
        p = programme.id
        session.add(
            NazorgNudge(
                programme_id=p,
                person_id=pid,
                cycle_start=sunday - 20 * WEEK,
                step=NudgeStep.FOLLOW_UP,
                created_at=sunday - WEEK,
            )
        )
        session.add(
            Signup(
                programme_id=p,
                person_id=pid,
                status="submitted",
                track="sport",
                age_at_signup=16,
                needs_consent=False,
                privacy_version="2026-1",
                privacy_accepted_at=sunday,
                created_at=sunday,
                submitted_at=sunday,
            )
        )
        session.add(
            PracticeHours(
                programme_id=p,
                person_id=pid,
                work_date=dt.date(2026, 2, 25),
                minutes=90,
                status=LogStatus.PENDING,
                created_at=sunday - 8 * dt.timedelta(days=1),
            )
        )
        session.add(
            Activity(
                programme_id=p,
                person_id=pid,
                title="Dansmiddag Noord",
                kind=ActivityKind.SOCIAL,
                status="submitted",
                created_at=sunday,
            )
        )
        session.add(
            Opportunity(
                programme_id=p,
                title="Sportdag Zuid",
                places=10,
                places_taken=3,
                track="sport",
                status="open",
                deadline=monday + dt.timedelta(days=3),
                created_at=sunday,
            )
        )
        cohort = Cohort(programme_id=p, name="Groep Noord", track="sport", created_at=sunday)
        session.add(cohort)
        await session.flush()
        session.add(
            CourseSession(
                programme_id=p,
                cohort_id=cohort.id,
                kind="meeting",
                seq=1,
                starts_at=monday + dt.timedelta(days=2),
                duration_minutes=150,
            )
        )
    # Sunday: no digest; Monday before 09:00: none; Monday 09:30: one
    await harness.app.sweeper.run_all()
    clock.set(monday - dt.timedelta(hours=1))
    await harness.app.sweeper.run_all()
    await cor.expect_no_message(within=0.3)
    clock.set(monday)
    await harness.app.sweeper.run_all()
    digest = await cor.expect_message()
    assert "Jouw week bij Citytrainers" in digest.text
    expected = {
        "Opvolglijst (persoonlijk benaderen)": "Sanne",
        "Aanmeldingen die wachten op jouw besluit": "Sanne",
        "Uren die langer dan 7 dagen wachten op een begeleider": "Sanne",
        "Voorstellen die wachten": "Dansmiddag Noord",
        "Kansen met vrije plekken die bijna sluiten": "Sportdag Zuid",
        "Bijeenkomsten deze week": "Groep Noord",
    }
    for title in expected:
        assert f"{title}: 1" in digest.text, title
    assert digest.buttons == [f"{title} (1)" for title in expected]
    await harness.app.sweeper.run_all()
    await cor.expect_no_message(within=0.3)
    for title, detail in expected.items():
        await cor.tap(digest, f"{title} (1)")
        shown = await cor.expect_message()
        assert detail in shown.text, shown.text
    # a week later: the next digest
    clock.set(monday + WEEK)
    await harness.app.sweeper.run_all()
    texts = [(await cor.expect_message()).text for _ in range(2)]  # also the hours escalation
    assert any("Jouw week bij Citytrainers" in (t or "") for t in texts), texts


async def test_figures_per_step_and_wording(harness: BotHarness, emu: EmulatorClient) -> None:
    await fast(emu)
    clock = ManualClock(T0)
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=clock)
    await set_nazorg(harness)
    users = [await emu.create_user(f"Ct{i}") for i in range(4)]
    for user in users:
        await citytrainer(harness, user, T0 - 9 * WEEK)
    clock.set(dt.datetime(2026, 3, 3, 15, 30, tzinfo=dt.UTC))
    await harness.app.sweeper.run_all()
    for user in users[:2]:
        nudge = await user.expect_message()
        await user.tap(nudge, "Ik wil weer iets doen")
        await user.expect_message()
    for user in users[2:]:
        await user.expect_message()
    # the coordinator is told of both answers first (through the outbox, asynchronously)
    for _ in users[:2]:
        assert "heeft op een herinnering geantwoord" in (await cor.expect_message()).text
    clock.advance(5 * WEEK)
    await cor.send("/nazorgcijfers")
    figures = await cor.expect_message()
    assert "Welke herinnering mensen terugbrengt" in figures.text
    assert "Herinnering 1, tekst A" in figures.text and "Herinnering 2, tekst B" in figures.text
    assert "betrouwbaarheid 95%" in figures.text
    # not for Citytrainers
    await users[0].send("/nazorgcijfers")
    assert "Welke herinnering" not in ((await users[0].expect_message()).text or "")
