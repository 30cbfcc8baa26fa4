"""The inputs of `domain.impact` for one programme, aggregated in SQL and streamed.

Where the figures come from (the rules themselves are in `domain.impact`):
- certified on: `CourseCertificate.citytrainer_since` when the course recorded it, else the
  date of the person's first Citytrainer role grant (`RoleGrant.granted_at`, UTC date).
- practice minutes in training: confirmed or corrected `PracticeHours` of kind "practice",
  summed per person in SQL.
- effort: confirmed or corrected `PracticeHours` of kind "volunteer" (summed per person and day
  in SQL), the minutes of opportunities a person attended (a place, not a cancelled or waiting
  sign-up, at an opportunity that has started), and the minutes of approved activities a person
  organised that happened and were reported. Only rows from a little before the activity window
  are read.
- activities: approved activities reported as happened (participants, organiser, planned date).
Only approved and confirmed data counts, and nothing after `now` (the period is cut at today);
implausible counts are left out by the domain rules (`plausible_participants`,
`plausible_minutes`).
Rows are streamed (`session.stream`): no ORM objects, one small record a person, day or
activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import cast

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.activities.status import ActivityStatus
from domain.hours.practice import HoursKind, LogStatus
from domain.impact.figures import (
    ActivityRecord,
    CitytrainerRecord,
    EffortRecord,
    ImpactFigures,
    ImpactRules,
    Period,
    impact_figures,
)
from domain.local_time import AMSTERDAM
from domain.opportunities.status import SignupStatus
from domain.roles import Role
from storage import people
from storage.activities.models import Activity
from storage.course.models import CourseCertificate
from storage.hours.models import PracticeHours
from storage.hours.queries import COUNTED
from storage.models import RoleGrant
from storage.opportunities.models import Opportunity, OpportunitySignup


def _as_date(value: object) -> dt.date:
    """A date from what the database gives back (SQLite may give text)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(AMSTERDAM).date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


async def citytrainers(session: AsyncSession, programme_id: int) -> list[CitytrainerRecord]:
    """Everyone who ever held the Citytrainer role, with certification date and practice."""
    granted = (
        select(RoleGrant.person_id, func.min(RoleGrant.granted_at).label("since"))
        .where(
            RoleGrant.programme_id == programme_id,
            RoleGrant.role == Role.CITYTRAINER.value,
            people.in_own_programme(),
        )
        .group_by(RoleGrant.person_id)
        .subquery()
    )
    practice = (
        select(PracticeHours.person_id, func.sum(PracticeHours.minutes).label("minutes"))
        .where(
            PracticeHours.programme_id == programme_id,
            PracticeHours.kind == HoursKind.PRACTICE,
            PracticeHours.status.in_(COUNTED),
        )
        .group_by(PracticeHours.person_id)
        .subquery()
    )
    query = (
        select(
            granted.c.person_id,
            granted.c.since,
            CourseCertificate.citytrainer_since,
            practice.c.minutes,
        )
        .outerjoin(CourseCertificate, CourseCertificate.person_id == granted.c.person_id)
        .outerjoin(practice, practice.c.person_id == granted.c.person_id)
    )
    records = []
    async for pid, since, course_since, minutes in await session.stream(query):
        certified = _as_date(course_since) if course_since is not None else _as_date(since)
        records.append(CitytrainerRecord(cast(int, pid), certified, cast(int, minutes or 0)))
    return records


def _approved_and_reported() -> list[ColumnElement[bool]]:
    """An activity that counts: approved, reported, and it happened."""
    return [
        Activity.status == ActivityStatus.APPROVED,
        Activity.reported_at.is_not(None),
        Activity.happened.is_(True),
    ]


async def efforts(
    session: AsyncSession,
    programme_id: int,
    since: dt.date,
    until: dt.date,
    now: dt.datetime | None = None,
) -> AsyncIterator[EffortRecord]:
    """Confirmed volunteer minutes, attended opportunities and organised activities.

    `now`: attendance at an opportunity that has not started by then does not count (default:
    the end of `until`).
    """
    volunteer = (
        select(PracticeHours.person_id, PracticeHours.work_date, func.sum(PracticeHours.minutes))
        .where(
            PracticeHours.programme_id == programme_id,
            PracticeHours.kind == HoursKind.VOLUNTEER,
            PracticeHours.status.in_(COUNTED),
            PracticeHours.work_date >= since,
            PracticeHours.work_date <= until,
        )
        .group_by(PracticeHours.person_id, PracticeHours.work_date)
    )
    async for pid, day, minutes in await session.stream(volunteer):
        yield EffortRecord(int(pid), _as_date(day), int(minutes or 0))
    moment = func.coalesce(Opportunity.starts_at, OpportunitySignup.attended_at)
    start = dt.datetime.combine(since, dt.time(), dt.UTC) - dt.timedelta(days=1)
    end = dt.datetime.combine(until, dt.time(), dt.UTC) + dt.timedelta(days=2)
    if now is not None:
        end = min(end, now)
    attended = (
        select(OpportunitySignup.person_id, moment, Opportunity.minutes)
        .join(Opportunity, Opportunity.id == OpportunitySignup.opportunity_id)
        .where(
            Opportunity.programme_id == programme_id,
            OpportunitySignup.status == SignupStatus.PLACED,
            OpportunitySignup.attended.is_(True),
            Opportunity.minutes.is_not(None),
            moment >= start,
            moment < end,
            # hours logged for the opportunity count through that log, not twice
            ~exists().where(
                PracticeHours.person_id == OpportunitySignup.person_id,
                PracticeHours.opportunity_id == OpportunitySignup.opportunity_id,
                PracticeHours.status != LogStatus.REJECTED,
            ),
        )
    )
    async for signer, when, opp_minutes in await session.stream(attended):
        yield EffortRecord(int(signer), _as_date(when), int(opp_minutes or 0))
    organised = select(Activity.person_id, Activity.planned_date, Activity.minutes).where(
        Activity.programme_id == programme_id,
        *_approved_and_reported(),
        Activity.minutes.is_not(None),
        Activity.person_id.is_not(None),
        Activity.planned_date >= since,
        Activity.planned_date <= until,
    )
    async for organiser, planned, act_minutes in await session.stream(organised):
        yield EffortRecord(int(organiser or 0), _as_date(planned), int(act_minutes or 0))


async def activities(
    session: AsyncSession, programme_id: int, since: dt.date, until: dt.date
) -> list[ActivityRecord]:
    """Approved activities reported as happened, planned from `since` to `until`."""
    query = select(Activity.person_id, Activity.planned_date, Activity.participants).where(
        Activity.programme_id == programme_id,
        *_approved_and_reported(),
        Activity.planned_date >= since,
        Activity.planned_date <= until,
    )
    return [
        ActivityRecord(
            frozenset({int(pid)} if pid is not None else set()),
            _as_date(day),
            int(participants or 0),
        )
        async for pid, day, participants in await session.stream(query)
    ]


async def figures(
    session: AsyncSession,
    programme_id: int,
    period: Period,
    rules: ImpactRules | None = None,
    *,
    now: dt.datetime | None = None,
) -> ImpactFigures:
    """The programme's figures for `period` up to `now` (see `domain.impact`).

    `now` defaults to the current time: nothing after today (Amsterdam) ever counts.
    """
    rules = rules or ImpactRules()
    now = now or dt.datetime.now(dt.UTC)
    period = period.up_to(now.astimezone(AMSTERDAM).date())
    # a little more than the activity window; the domain rule picks the exact days
    window_start = period.end - dt.timedelta(days=31 * (rules.active_window_months + 1))
    since = min(period.start, window_start)
    people = await citytrainers(session, programme_id)
    effort = [e async for e in efforts(session, programme_id, window_start, period.end, now)]
    organised = await activities(session, programme_id, since, period.end)
    return impact_figures(period, people, effort, organised, rules)
