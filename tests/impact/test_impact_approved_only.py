"""/cijfers counts only approved and confirmed data (issue 11, point 5), on SQLite and
PostgreSQL: a report of a submitted, declined or future activity, attendance on a cancelled or
waiting sign-up or at an opportunity that has not started, and absurd counts do not inflate the
figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.activities.status import ActivityKind, ActivityStatus
from domain.impact.figures import (
    MAX_PARTICIPANTS,
    ActivityRecord,
    CitytrainerRecord,
    EffortRecord,
    Period,
    impact_figures,
    plausible_minutes,
    plausible_participants,
)
from domain.opportunities.matching import Track
from domain.opportunities.status import OpportunityStatus, SignupStatus
from domain.roles import Role
from storage import migrate, people
from storage.activities.models import Activity
from storage.db import create_session_factory
from storage.impact import queries as impact
from storage.models import Person, RoleGrant
from storage.opportunities.models import Opportunity, OpportunitySignup

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
YEAR = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
PAST = dt.date(2026, 5, 1)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(engine)
    yield create_session_factory(engine)


def _activity(prog: int, title: str, **extra: object) -> dict[str, object]:
    return {
        "programme_id": prog,
        "person_id": 1,
        "title": title,
        "kind": ActivityKind.SPORT,
        "status": ActivityStatus.APPROVED,
        "planned_date": PAST,
        "participants": 20,
        "minutes": 120,
        "happened": True,
        "reported_at": NOW - dt.timedelta(days=30),
        "created_at": NOW - dt.timedelta(days=60),
    } | extra


async def _seed(session: AsyncSession) -> int:
    prog = (await people.ensure_programme(session, "Den Bosch", "Europe/Amsterdam", NOW)).id
    since = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    await session.execute(
        insert(Person), [{"id": i, "programme_id": prog, "created_at": since} for i in (1, 2, 3)]
    )
    await session.execute(
        insert(RoleGrant),
        [
            {"person_id": i, "programme_id": prog, "role": Role.CITYTRAINER, "granted_at": since}
            for i in (1, 2, 3)
        ],
    )
    await session.execute(
        insert(Activity),
        [
            _activity(prog, "Counts"),
            _activity(prog, "Submitted", status=ActivityStatus.SUBMITTED, participants=500),
            _activity(prog, "Declined", status=ActivityStatus.DECLINED, participants=500),
            _activity(prog, "Future", planned_date=dt.date(2026, 9, 1), participants=500),
            _activity(prog, "Not reported", reported_at=None, participants=500),
            _activity(prog, "Huge", participants=50_000, minutes=None),
            _activity(prog, "Negative", participants=-5, minutes=None),
            _activity(prog, "Endless", participants=10, minutes=10_000_000, person_id=2),
        ],
    )
    opp = {
        "programme_id": prog,
        "places": 5,
        "track": Track.BOTH,
        "status": OpportunityStatus.OPEN,
        "created_at": NOW - dt.timedelta(days=90),
        "minutes": 180,
    }
    await session.execute(
        insert(Opportunity),
        [
            opp | {"id": 1, "title": "Past", "starts_at": NOW - dt.timedelta(days=20)},
            opp | {"id": 2, "title": "Later", "starts_at": NOW + dt.timedelta(days=20)},
        ],
    )
    signup = {"joined_at": NOW - dt.timedelta(days=60), "attended": True, "attended_at": NOW}
    await session.execute(
        insert(OpportunitySignup),
        [
            signup | {"opportunity_id": 1, "person_id": 1, "status": SignupStatus.PLACED},
            signup | {"opportunity_id": 1, "person_id": 2, "status": SignupStatus.CANCELLED},
            signup | {"opportunity_id": 1, "person_id": 3, "status": SignupStatus.WAITING},
            signup | {"opportunity_id": 2, "person_id": 3, "status": SignupStatus.PLACED},
        ],
    )
    return prog


async def test_only_approved_and_confirmed_data_counts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        prog = await _seed(session)
    async with sessions.begin() as session:
        figures = await impact.figures(session, prog, YEAR, now=NOW)
    # Counts (20) + Huge and Negative (their counts ignored, 0) + Endless (10)
    assert figures.participations == 30
    assert figures.activities_organised == 4
    # person 1: Counts' 120 minutes and the 180 of the opportunity; person 2's endless minutes
    # and cancelled place, person 3's waiting place and place at a later opportunity: nothing
    assert figures.occasional_minutes_per_year + figures.structural_minutes_per_year == 300
    assert figures.active == 2  # person 2 organised an activity that took place


def test_plausible_counts_rule() -> None:
    assert plausible_participants(25) == 25 and plausible_participants(MAX_PARTICIPANTS) == 10_000
    assert plausible_participants(MAX_PARTICIPANTS + 1) == 0 and plausible_participants(-1) == 0
    assert plausible_minutes(0) and plausible_minutes(200 * 60)
    assert not plausible_minutes(200 * 60 + 1) and not plausible_minutes(-60)
    day = dt.date(2026, 5, 1)
    figures = impact_figures(
        YEAR,
        [CitytrainerRecord(1, dt.date(2020, 1, 1))],
        [EffortRecord(1, day, 60), EffortRecord(1, day, -600), EffortRecord(1, day, 10**7)],
        [ActivityRecord(frozenset({1}), day, 40), ActivityRecord(frozenset({1}), day, 99_999)],
    )
    assert figures.participations == 40 and figures.activities_organised == 2
    assert figures.occasional_minutes_per_year == 60


def test_the_period_ends_today() -> None:
    assert YEAR.up_to(dt.date(2026, 6, 15)) == Period(dt.date(2026, 1, 1), dt.date(2026, 6, 15))
    assert YEAR.up_to(dt.date(2027, 2, 1)) == YEAR
