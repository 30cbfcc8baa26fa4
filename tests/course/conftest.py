"""Helpers for the course tests: a programme with a group, a leader and participants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domain.course.rules import CourseTrack, PlannedSession, SessionKind
from domain.roles import Role
from storage import people
from storage.course import queries as course
from storage.models import Programme
from storage.signup.models import Enrolment


@dataclass
class World:
    cohort_id: int
    session_ids: list[int]
    leader_id: int
    participant_ids: list[int]


async def make_world(
    session: AsyncSession,
    *,
    starts: list[dt.datetime],
    leader_tg: int,
    participants: list[tuple[int, str, dt.date | None]],
    now: dt.datetime,
    kinds: list[tuple[SessionKind, int]] | None = None,
) -> World:
    programme = await people.default_programme(session)
    if programme is None:
        programme = await people.ensure_programme(session, "Testdorp", "Europe/Amsterdam", now)
    assert isinstance(programme, Programme)
    leader = await people.find_member(session, people.TELEGRAM, str(leader_tg))
    if leader is None:
        leader = await people.create_member(
            session,
            programme_id=programme.id,
            channel=people.TELEGRAM,
            external_id=str(leader_tg),
            chat_id=str(leader_tg),
            display_name="Leider",
            first_name="Lotte",
            now=now,
        )
    await people.grant_role(session, leader.person.id, programme.id, Role.COURSE_LEADER, now)
    kinds = kinds or [(SessionKind.MEETING, i + 1) for i in range(len(starts))]
    planned = [
        PlannedSession(kind, number, start, start + dt.timedelta(minutes=150))
        for (kind, number), start in zip(kinds, starts, strict=True)
    ]
    cohort = await course.create_cohort(
        session,
        programme_id=programme.id,
        name="Groep <Noord>",
        track=CourseTrack.SPORT,
        start_date=starts[0].date(),
        location="Wijkhuis De Poort",
        leader_ids=[leader.person.id],
        planned=planned,
        now=now,
    )
    ids = []
    for tg, name, birth in participants:
        member = await people.create_member(
            session,
            programme_id=programme.id,
            channel=people.TELEGRAM,
            external_id=str(tg),
            chat_id=str(tg),
            display_name=name,
            first_name=name,
            now=now,
        )
        member.person.birth_date = birth
        session.add(
            Enrolment(
                programme_id=programme.id,
                cohort_id=cohort.id,
                person_id=member.person.id,
                status="placed",
                created_at=now,
            )
        )
        ids.append(member.person.id)
    await session.flush()
    return World(
        cohort.id,
        [s.id for s in await course.sessions_of(session, cohort.id)],
        leader.person.id,
        ids,
    )
