"""Storage of hours done at opportunities, on SQLite and PostgreSQL: who is asked, attendance,
opportunity logs and which totals they count in."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.hours.practice import LogStatus
from domain.opportunities.matching import Track
from domain.opportunities.status import OpportunityStatus
from domain.roles import Role
from storage import migrate, people
from storage.course import queries as course
from storage.db import create_session_factory
from storage.hours import queries as hours
from storage.opportunities import queries as opportunities
from storage.opportunities.models import Opportunity

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(engine)
    yield create_session_factory(engine)


async def test_attendance_and_opportunity_logs(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as s:
        prog = await people.ensure_programme(s, "Den Bosch", "Europe/Amsterdam", T0)
        ids = []
        for n in range(4):
            m = await people.create_member(
                s,
                programme_id=prog.id,
                channel="telegram",
                external_id=str(n),
                chat_id=str(n),
                display_name=None,
                first_name=f"P{n}",
                now=T0,
            )
            # the opportunities here are for trainees: only people with a role may join
            await people.grant_role(s, m.person.id, prog.id, Role.PARTICIPANT, T0)
            ids.append(m.person.id)
        opps = []
        for title, starts in (
            ("Past", T0 + dt.timedelta(hours=2)),
            ("Later", T0 + dt.timedelta(days=9)),
        ):
            opp = Opportunity(
                programme_id=prog.id,
                title=title,
                starts_at=starts,
                places=2,
                track=Track.BOTH,
                status=OpportunityStatus.OPEN,
                created_at=T0,
                for_trainees=True,
            )
            s.add(opp)
            await s.flush()
            opps.append(opp.id)
        past, later = opps
        for pid in ids[:3]:  # two places, the third waits
            await opportunities.join(s, past, pid, T0)
        await opportunities.join(s, later, ids[3], T0)

    day_after = T0 + dt.timedelta(days=1)
    async with sessions.begin() as s:
        due = await opportunities.attendance_candidates(
            s, day_after - dt.timedelta(days=14), day_after
        )
        assert sorted(sig.person_id for sig, _opp in due) == ids[:2]
        assert {opp.id for _sig, opp in due} == {past}
        await opportunities.record_attendance(s, due[0][0], True, day_after)
        await opportunities.record_attendance(s, due[1][0], False, day_after)
        assert await opportunities.titles(s, [past, past, later]) == {past: "Past", later: "Later"}

    async with sessions.begin() as s:
        assert await opportunities.attendance_candidates(s, T0, day_after) == []
        first = await opportunities.signup_of(s, past, ids[0])
        assert first is not None and first.attended is True and first.attended_at == day_after
        logs = []
        for pid, kind in ((ids[0], hours.PRACTICE), (ids[1], hours.VOLUNTEER)):
            logs.append(
                await hours.add_opportunity_log(
                    s,
                    programme_id=prog.id,
                    person_id=pid,
                    organisation_id=None,
                    opportunity_id=past,
                    work_date=T0.date(),
                    minutes=150,
                    description=None,
                    kind=kind,
                    now=day_after,
                )
            )
        assert (await hours.opportunity_log(s, ids[0], past)) is logs[0]
        assert await hours.opportunity_log(s, ids[0], later) is None
        assert [c.new_status for c in await hours.history(s, logs[0].id)] == [LogStatus.PENDING]
        for entry in logs:
            await hours.decide(
                s, entry.id, status=LogStatus.CONFIRMED, minutes=None, by=ids[3], now=day_after
            )

    async with sessions() as s:
        assert await hours.counted_minutes(s, ids[0]) == 150
        assert await hours.counted_minutes(s, ids[1]) == 0  # volunteer hours: not of the 15
        assert await course.practice_minutes(s, ids[0]) == 150
        assert await course.practice_minutes(s, ids[1]) == 0
