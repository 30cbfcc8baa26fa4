"""Ids a coordinator or course leader taps are checked again against what the bot offered:
a forged leader in /nieuwegroep, a forged or passed new time in /planning. A forged button gets
"Deze knop werkt niet meer" and changes nothing; nothing is logged as an error."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.kit.clock import ManualClock
from domain.roles import Role
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage import migrate, people
from storage.course import queries as course
from storage.course.models import Cohort, CohortLeader, CourseSession
from storage.db import create_session_factory
from storage.models import RoleGrant
from tests.conftest import BotHarness
from tests.course.conftest import make_world
from tests.e2e.helpers import eventually

UTC = dt.UTC
ADULT = dt.date(1990, 5, 1)
STALE = "Deze knop werkt niet meer"


async def forged_message(harness: BotHarness, user: TestUser, payloads: list[str]) -> BotMessage:
    """Buttons with made-up data, as a modified client can send them."""
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=p, callback_data=p)] for p in payloads]
    )
    await harness.app.bot.send_message(user.id, "Knoppen", reply_markup=markup)
    return await user.expect_message()


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_leader_that_was_not_offered_is_refused(
    harness: BotHarness, emu: EmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    clock = ManualClock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    cor = await emu.create_user("Cor")
    await harness.start(clock=clock, admin_telegram_ids=[cor.id])
    lotte, anna = await emu.create_user("Lotte"), await emu.create_user("Anna")
    async with harness.app.sessions.begin() as session:
        world = await make_world(
            session, starts=[dt.datetime(2026, 3, 10, 18, 0, tzinfo=UTC)], leader_tg=lotte.id,
            participants=[(anna.id, "Anna", ADULT)], now=clock.now(),
        )  # fmt: skip
        # a course leader of another municipality
        other = await people.ensure_programme(session, "Anderdorp", "Europe/Amsterdam", clock.now())
        otto = await people.create_member(
            session, programme_id=other.id, channel=people.TELEGRAM, external_id="777001",
            chat_id="777001", display_name="Otto", first_name="Otto", now=clock.now(),
        )  # fmt: skip
        await people.grant_role(session, otto.person.id, other.id, Role.COURSE_LEADER, clock.now())
        otto_id = otto.person.id
    anna_id = world.participant_ids[0]
    await cor.send("/nieuwegroep")
    await cor.expect_message()
    await cor.send("Voorjaar Noord")
    await cor.tap(await cor.expect_message(), "Sport: Ik train mijn stad")
    await cor.expect_message()
    await cor.send("10-3-2026")
    await cor.expect_message()
    await cor.send("Wijkhuis De Poort")
    leaders = await cor.expect_message()
    assert "Lotte" in leaders.buttons and "Anna" not in leaders.buttons
    forged = [
        f"cs:lead:{anna_id}:0",  # a participant: may not lead
        f"cs:lead:{otto_id}:0",  # a course leader of another programme
        f"cs:lead:{2**31 - 1}:0",  # nobody
        f"cs:lead:{10**30}:0",  # not even a possible id
        "cs:lead:-5:0",
    ]
    made_up = await forged_message(harness, cor, forged)
    for payload in forged:
        answer = await cor.tap(made_up, callback_data=payload)
        assert answer is not None and answer.show_alert, payload
        assert STALE in (answer.text or ""), (payload, answer)
    await cor.expect_no_message(within=0.3)
    # the offered buttons still work: Lotte leads the new group
    await cor.tap(leaders, "Lotte")
    confirm = await cor.expect_message()
    await cor.tap(confirm, "Maken")
    assert "is gemaakt" in (await cor.expect_message()).text

    async def leads() -> list[tuple[int, int]]:
        async with harness.app.sessions() as session:
            rows = await session.execute(
                select(Cohort.id, CohortLeader.person_id)
                .join(CohortLeader, CohortLeader.cohort_id == Cohort.id)
                .where(Cohort.name == "Voorjaar Noord")
            )
            return [(c, p) for c, p in rows.all()]

    found = await eventually(leads, lambda r: len(r) == 1)
    assert found[0][1] == world.leader_id
    async with harness.app.sessions() as session:
        granted = set(
            await session.scalars(
                select(RoleGrant.person_id).where(RoleGrant.role == Role.COURSE_LEADER.value)
            )
        )
    assert anna_id not in granted
    assert errors(caplog) == []


async def test_a_move_to_a_time_that_was_not_offered_is_refused(
    harness: BotHarness, emu: EmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    clock = ManualClock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    await harness.start(clock=clock)
    lotte, anna = await emu.create_user("Lotte"), await emu.create_user("Anna")
    old = dt.datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    async with harness.app.sessions.begin() as session:
        world = await make_world(
            session, starts=[old], leader_tg=lotte.id,
            participants=[(anna.id, "Anna", ADULT)], now=clock.now(),
        )  # fmt: skip
    sid = world.session_ids[0]
    past = int(dt.datetime(2026, 3, 1, 18, 0, tzinfo=UTC).timestamp())
    far = int(dt.datetime(2031, 3, 1, 18, 0, tzinfo=UTC).timestamp())
    odd = int(dt.datetime(2026, 3, 12, 18, 30, 17, tzinfo=UTC).timestamp())
    ambiguous = int(dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC).timestamp())  # 02:30 twice
    forged = [
        f"cs:mvok:{sid}:99999999999999999999",  # no moment at all
        f"cs:mvok:{sid}:-99999999999999999999",
        f"cs:mvok:{sid}:{past}",  # in the past
        f"cs:mvok:{sid}:{far}",  # years ahead
        f"cs:mvok:{sid}:{odd}",  # not a whole minute: never typed
        f"cs:mvok:{sid}:{ambiguous}",  # a local time that happens twice
        f"cs:ses:{10**30}:0",  # not even a possible id
        f"cs:mvok:{10**30}:{past}",
    ]
    made_up = await forged_message(harness, lotte, forged)
    for payload in forged:
        answer = await lotte.tap(made_up, callback_data=payload)
        assert answer is not None and answer.show_alert, payload
        if payload.startswith(f"cs:mvok:{sid}:"):
            assert STALE in (answer.text or ""), (payload, answer)
        else:
            assert "Sorry" not in (answer.text or ""), (payload, answer)
    await anna.expect_no_message(within=0.3)
    async with harness.app.sessions() as session:
        item = await session.get(CourseSession, sid)
        assert item is not None and item.starts_at == old
    assert errors(caplog) == []
    # a time that was offered still moves the session
    await lotte.send("/planning")
    await lotte.tap(await lotte.expect_message(), "Groep <Noord>")
    await lotte.tap(await lotte.expect_message(), "Bijeenkomst 1")
    await lotte.tap(await lotte.expect_message(), "Verplaatsen")
    await lotte.expect_message()
    await lotte.send("31-12-2030 19:30")
    assert "twee jaar" in (await lotte.expect_message()).text
    await lotte.send("12-3-2026 19:30")
    confirm = await lotte.expect_message()
    await lotte.tap(confirm, "Ja, verplaatsen")
    assert "1 deelnemers krijgen bericht" in (await lotte.expect_message()).text

    async def start() -> dt.datetime | None:
        async with harness.app.sessions() as session:
            moved = await session.get(CourseSession, sid)
            return moved.starts_at if moved else None

    await eventually(start, lambda at: at == dt.datetime(2026, 3, 12, 18, 30, tzinfo=UTC))


async def test_may_lead_and_ids_out_of_range_on_both_databases(engine: AsyncEngine) -> None:
    now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        here = await people.ensure_programme(session, "Testdorp", "Europe/Amsterdam", now)
        there = await people.ensure_programme(session, "Anderdorp", "Europe/Amsterdam", now)
        made = []
        for n, programme in enumerate((here, here, here, there)):
            member = await people.create_member(
                session, programme_id=programme.id, channel=people.TELEGRAM,
                external_id=str(2000 + n), chat_id=str(2000 + n), display_name="P",
                first_name="P", now=now,
            )  # fmt: skip
            made.append(member.person.id)
        cor, lotte, anna, otto = made
        await people.grant_role(session, lotte, here.id, Role.COURSE_LEADER, now)
        await people.grant_role(session, otto, there.id, Role.COURSE_LEADER, now)
        # a grant outside Otto's programme (grant_role refuses it; written as an old version did)
        session.add(
            RoleGrant(
                person_id=otto, programme_id=here.id, role=Role.COURSE_LEADER.value, granted_at=now
            )
        )
        await session.flush()
        assert await course.may_lead(session, here.id, lotte, cor)
        assert await course.may_lead(session, here.id, cor, cor)  # "I lead it myself"
        assert not await course.may_lead(session, here.id, anna, cor)
        assert not await course.may_lead(session, here.id, otto, cor)  # of another programme
        assert not await course.may_lead(session, there.id, cor, cor)
        for forged in (0, -1, 2**31, 10**30):
            assert not await course.may_lead(session, here.id, forged, cor)
            assert await course.get_session(session, forged) is None
            assert await course.get_cohort(session, forged) is None
        assert [p.id for p in await course.course_leaders(session, here.id)] == [lotte]
