"""storage.impact on SQLite and PostgreSQL: data shaped like the seed gives the seed's table."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.hours.amounts import format_hours
from domain.hours.practice import HoursKind, LogStatus
from domain.impact.figures import Period
from domain.roles import Role
from storage import migrate, people
from storage.activities.models import Activity, ActivityKind, ActivityStatus
from storage.db import create_session_factory
from storage.hours.models import PracticeHours
from storage.impact import queries as impact
from storage.models import Person, RoleGrant

T0 = dt.datetime(2015, 1, 10, 12, 0, tzinfo=dt.UTC)
SEED_PERIOD = Period(dt.date(2007, 1, 1), dt.date(2014, 12, 31))


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(engine)
    yield create_session_factory(engine)


def _hours(prog: int, pid: int, day: dt.date, minutes: int, kind: HoursKind) -> dict[str, object]:
    return {
        "programme_id": prog,
        "person_id": pid,
        "work_date": day,
        "minutes": minutes,
        "status": LogStatus.CONFIRMED,
        "kind": kind,
        "created_at": T0,
    }


async def _seed_like(session: AsyncSession) -> int:
    """200 Citytrainers 2007-2014 at 15 practice hours; in 2014 100 give 12 h, 28 give 80 h."""
    prog = (await people.ensure_programme(session, "Den Bosch", "Europe/Amsterdam", T0)).id
    ids = range(1, 202)  # 201: still in training
    await session.execute(
        insert(Person), [{"id": i, "programme_id": prog, "created_at": T0} for i in ids]
    )
    await session.execute(
        insert(RoleGrant),
        [
            {
                "person_id": i,
                "programme_id": prog,
                "role": Role.CITYTRAINER.value,
                "granted_at": dt.datetime(2007, 3, 1, 12, tzinfo=dt.UTC)
                + dt.timedelta(days=i * 13),
            }
            for i in range(1, 201)
        ],
    )
    practice, volunteer = HoursKind.PRACTICE, HoursKind.VOLUNTEER
    rows = [_hours(prog, i, dt.date(2007, 1, 1), 15 * 60, practice) for i in ids]
    rejected = {"status": LogStatus.REJECTED}
    rows.append(_hours(prog, 1, dt.date(2007, 1, 2), 60, practice) | rejected)
    for i in range(1, 101):  # occasionally active: 12 h in 2014
        rows += [_hours(prog, i, dt.date(2014, m, 10), 4 * 60, volunteer) for m in (2, 6, 11)]
    for i in range(101, 129):  # structurally active: 2 h a week, 40 weeks
        rows += [
            _hours(prog, i, dt.date(2014, 1, 6) + dt.timedelta(weeks=w), 120, volunteer)
            for w in range(40)
        ]
    rows += [_hours(prog, i, dt.date(2012, 5, 1), 180, volunteer) for i in range(129, 201)]
    await session.execute(insert(PracticeHours), rows)
    await session.execute(
        insert(Activity),
        [
            {
                "programme_id": prog,
                "person_id": n % 128 + 1,
                "title": f"Activiteit {n}",
                "kind": ActivityKind.SPORT,
                "status": ActivityStatus.APPROVED,
                "planned_date": dt.date(2008, 1, 1) + dt.timedelta(days=n * 8),
                "participants": 27,
                "happened": n < 300,  # the last one did not happen
                "reported_at": T0,
                "created_at": T0,
            }
            for n in range(301)
        ],
    )
    return prog


async def test_seed_table_comes_out_of_the_data(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        prog = await _seed_like(session)
    async with sessions.begin() as session:
        figures = await impact.figures(session, prog, SEED_PERIOD)
    assert figures.trained == 200
    assert format_hours(figures.practice_minutes_in_training) == "3000"
    assert (figures.occasionally_active, figures.share(figures.occasionally_active)) == (100, 0.5)
    assert format_hours(figures.occasional_minutes_per_year) == "1200"
    assert (figures.structurally_active, figures.share(figures.structurally_active)) == (28, 0.14)
    assert format_hours(figures.structural_minutes_per_year) == "2240"
    assert format_hours(figures.total_effort_minutes_per_year) == "3440"
    assert figures.participations == 8100
    assert figures.activities_organised == 300
    async with sessions.begin() as session:
        half_2015 = await impact.figures(
            session, prog, Period(dt.date(2015, 1, 1), dt.date(2015, 6, 30))
        )
    assert half_2015.trained == 0 and half_2015.trained_to_date == 200
