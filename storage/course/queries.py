"""Queries of the course: groups, sessions, leaders and their invites, answers, attendance and
certificates."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Select, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.course.plan_import import ImportedSession
from domain.course.rules import (
    AttendanceStatus,
    CourseRecord,
    CourseTrack,
    PlannedSession,
    ReminderAnswer,
    SessionKind,
)
from domain.hours.practice import HoursKind, LogStatus
from domain.roles import Role
from storage import people
from storage.course.models import (
    Attendance,
    Cohort,
    CohortLeader,
    CourseCertificate,
    CourseLeaderInvite,
    CourseSession,
    SessionAnswer,
)
from storage.hours.models import PracticeHours
from storage.models import OutboxMessage, OutboxStatus, Person, RoleGrant
from storage.signup.models import Enrolment
from storage.types import valid_id

PLACED = "placed"
"""`Enrolment.status` of a participant in a group (a column of the signup feature)."""
CONFIRMED_HOURS = (LogStatus.CONFIRMED, LogStatus.CORRECTED)
REMINDER_KEY = "reminder"
"""First part of a reminder's idempotency key, `reminder:<session id>:...` (built by
`bot.features.course.keys.reminder_key`); the queries below find a session's reminders by it."""
LEADER_INVITE_PREFIX = "l-"
"""The deep-link payload of a course-leader invite, `l-<token>` (signup has `c-` and `g-`,
hours `s-`)."""
LEADER_INVITE_TTL = dt.timedelta(days=7)


def reminder_session(key: str) -> int | None:
    """The session id in a reminder's idempotency key, or None when the key is not one."""
    kind, _sep, rest = key.partition(":")
    ident = rest.partition(":")[0]
    return int(ident) if kind == REMINDER_KEY and ident.isdigit() and ident.isascii() else None


async def create_cohort(
    session: AsyncSession,
    *,
    programme_id: int,
    name: str,
    track: CourseTrack,
    start_date: dt.date | None,
    location: str | None,
    leader_ids: Iterable[int],
    planned: Sequence[PlannedSession],
    now: dt.datetime,
    capacity: int = 15,
) -> Cohort:
    """A cohort with its leaders and its dated sessions."""
    cohort = Cohort(
        programme_id=programme_id,
        name=name,
        track=track,
        capacity=capacity,
        start_date=start_date,
        location=location,
        created_at=now,
    )
    session.add(cohort)
    await session.flush()
    for person_id in set(leader_ids):
        session.add(CohortLeader(cohort_id=cohort.id, person_id=person_id, created_at=now))
    for item in planned:
        session.add(
            CourseSession(
                programme_id=programme_id,
                cohort_id=cohort.id,
                kind=item.kind,
                seq=item.number,
                starts_at=item.starts_at,
                duration_minutes=int((item.ends_at - item.starts_at).total_seconds() // 60),
                location=location,
            )
        )
    await session.flush()
    return cohort


async def get_cohort(session: AsyncSession, cohort_id: int) -> Cohort | None:
    return await session.get(Cohort, cohort_id) if valid_id(cohort_id) else None


async def get_session(session: AsyncSession, session_id: int) -> CourseSession | None:
    return await session.get(CourseSession, session_id) if valid_id(session_id) else None


async def cohorts_for(
    session: AsyncSession, programme_id: int, leader_id: int | None = None
) -> list[Cohort]:
    """The programme's cohorts (only those led by `leader_id` when given), newest first."""
    query = select(Cohort).where(Cohort.programme_id == programme_id)
    if leader_id is not None:
        query = query.join(CohortLeader, CohortLeader.cohort_id == Cohort.id).where(
            CohortLeader.person_id == leader_id
        )
    return list(await session.scalars(query.order_by(Cohort.id.desc())))


async def sessions_of(session: AsyncSession, cohort_id: int) -> list[CourseSession]:
    return list(
        await session.scalars(
            select(CourseSession)
            .where(CourseSession.cohort_id == cohort_id)
            .order_by(CourseSession.starts_at, CourseSession.id)
        )
    )


async def leaders_of(session: AsyncSession, cohort_id: int) -> list[int]:
    """The group's leaders who hold an active course-leader (or coordinator) role in the
    group's programme: a listed person of another programme hears nothing of the group."""
    return list(
        await session.scalars(
            select(CohortLeader.person_id)
            .join(Cohort, Cohort.id == CohortLeader.cohort_id)
            .where(
                CohortLeader.cohort_id == cohort_id,
                CohortLeader.person_id.in_(
                    select(RoleGrant.person_id).where(
                        RoleGrant.programme_id == Cohort.programme_id,
                        RoleGrant.role.in_([Role.COURSE_LEADER.value, Role.COORDINATOR.value]),
                        people.active_grant(),
                    )
                ),
            )
            .order_by(CohortLeader.id)
        )
    )


async def listed_leaders(session: AsyncSession, cohort_id: int) -> list[int]:
    """Everyone listed as the group's leader, with a role or not (for managing the list;
    `leaders_of` for whom to tell or let act)."""
    return list(
        await session.scalars(
            select(CohortLeader.person_id)
            .where(CohortLeader.cohort_id == cohort_id)
            .order_by(CohortLeader.id)
        )
    )


async def add_leader(
    session: AsyncSession, cohort_id: int, person_id: int, now: dt.datetime
) -> bool:
    """The person leads the cohort (too); True when they did not yet."""
    if person_id in await listed_leaders(session, cohort_id):
        return False
    session.add(CohortLeader(cohort_id=cohort_id, person_id=person_id, created_at=now))
    await session.flush()
    return True


async def remove_leader(session: AsyncSession, cohort_id: int, person_id: int) -> bool:
    """The person no longer leads the cohort (their course-leader role stays); True when they
    did."""
    result = await session.execute(
        delete(CohortLeader).where(
            CohortLeader.cohort_id == cohort_id, CohortLeader.person_id == person_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_leader_invite(
    session: AsyncSession, cohort: Cohort, created_by: int | None, now: dt.datetime
) -> str:
    """A new course-leader invite for `cohort`: the deep-link payload (`l-<token>`), single use,
    valid for LEADER_INVITE_TTL; only the token's hash is stored."""
    token = secrets.token_urlsafe(24)
    session.add(
        CourseLeaderInvite(
            programme_id=cohort.programme_id,
            cohort_id=cohort.id,
            token_hash=hash_token(token),
            created_by=created_by,
            created_at=now,
            expires_at=now + LEADER_INVITE_TTL,
        )
    )
    await session.flush()
    return LEADER_INVITE_PREFIX + token


def _usable(token: str, now: dt.datetime) -> list[ColumnElement[bool]]:
    return [
        CourseLeaderInvite.token_hash == hash_token(token),
        CourseLeaderInvite.used_at.is_(None),
        CourseLeaderInvite.expires_at > now,
    ]


async def usable_leader_invite(
    session: AsyncSession, token: str, now: dt.datetime
) -> CourseLeaderInvite | None:
    """The invite of `token` when it can still be used (changes nothing); None when unknown,
    expired or used."""
    return await session.scalar(select(CourseLeaderInvite).where(*_usable(token, now)))


async def redeem_leader_invite(
    session: AsyncSession, token: str, person_id: int, now: dt.datetime
) -> CourseLeaderInvite | None:
    """Use an invite once: None when unknown, expired or used (a conditional update, so of two
    people opening the link at the same time exactly one gets it)."""
    result = await session.execute(
        update(CourseLeaderInvite)
        .where(*_usable(token, now))
        .values(used_at=now, used_by=person_id)
        .returning(CourseLeaderInvite.id)
    )
    invite_id = result.scalar_one_or_none()
    if invite_id is None:
        return None
    return await session.get(CourseLeaderInvite, invite_id, populate_existing=True)


def _course_leaders(programme_id: int) -> Select[Person]:
    """People of the programme, not anonymised, with an active course-leader role in it."""
    return (
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(
            Person.programme_id == programme_id,
            Person.anonymised_at.is_(None),
            RoleGrant.programme_id == programme_id,
            RoleGrant.role == Role.COURSE_LEADER.value,
            people.active_grant(),
        )
    )


async def course_leaders(session: AsyncSession, programme_id: int) -> list[Person]:
    """People with an active course-leader role in the programme (the leader buttons)."""
    return list(await session.scalars(_course_leaders(programme_id).distinct().order_by(Person.id)))


async def may_lead(
    session: AsyncSession, programme_id: int, person_id: int, coordinator_id: int
) -> bool:
    """Whether a tapped leader id is one the group flow offers: a course leader of the
    programme, or the coordinator `coordinator_id` (of this programme) who creates the group."""
    if not valid_id(person_id):
        return False
    if person_id == coordinator_id:
        person = await session.get(Person, person_id)
        return person is not None and person.programme_id == programme_id
    found = await session.scalar(_course_leaders(programme_id).where(Person.id == person_id))
    return found is not None


async def participants(session: AsyncSession, cohort_id: int) -> list[Person]:
    """Placed participants of a cohort, by first name."""
    return list(
        await session.scalars(
            select(Person)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(Enrolment.cohort_id == cohort_id, Enrolment.status == PLACED)
            .order_by(Person.first_name, Person.id)
        )
    )


async def cohorts_of_participant(session: AsyncSession, person_id: int) -> list[Cohort]:
    return list(
        await session.scalars(
            select(Cohort)
            .join(Enrolment, Enrolment.cohort_id == Cohort.id)
            .where(Enrolment.person_id == person_id, Enrolment.status == PLACED)
            .order_by(Cohort.id)
        )
    )


async def upcoming_for_person(
    session: AsyncSession, person_id: int, now: dt.datetime, limit: int = 12
) -> list[CourseSession]:
    """Sessions not yet ended of the cohorts the person is placed in or leads."""
    placed = select(Enrolment.cohort_id).where(
        Enrolment.person_id == person_id, Enrolment.status == PLACED
    )
    led = select(CohortLeader.cohort_id).where(CohortLeader.person_id == person_id)
    rows = await session.scalars(
        select(CourseSession)
        .where(
            CourseSession.cohort_id.in_(placed.union(led)),
            CourseSession.cancelled_at.is_(None),
            CourseSession.starts_at > now - dt.timedelta(hours=5),
        )
        .order_by(CourseSession.starts_at)
    )
    return [s for s in rows if s.starts_at + dt.timedelta(minutes=s.duration_minutes) > now][:limit]


async def sessions_starting_between(
    session: AsyncSession, start: dt.datetime, end: dt.datetime
) -> list[CourseSession]:
    return list(
        await session.scalars(
            select(CourseSession)
            .where(
                CourseSession.cancelled_at.is_(None),
                CourseSession.starts_at > start,
                CourseSession.starts_at <= end,
            )
            .order_by(CourseSession.starts_at)
        )
    )


async def sessions_missing_attendance(
    session: AsyncSession, since: dt.datetime, until: dt.datetime
) -> list[CourseSession]:
    """Not cancelled sessions that started in [since, until) without saved attendance."""
    return list(
        await session.scalars(
            select(CourseSession).where(
                CourseSession.cancelled_at.is_(None),
                CourseSession.attendance_saved_at.is_(None),
                CourseSession.starts_at >= since,
                CourseSession.starts_at < until,
            )
        )
    )


async def cancel_pending_reminders(session: AsyncSession, session_id: int) -> int:
    """Stop reminders of a session that were queued but not sent (it moved or was cancelled)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.idempotency_key.like(f"{REMINDER_KEY}:{session_id}:%"),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.CANCELLED, last_error="session moved or cancelled")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def cancel_reminders_of_begun(session: AsyncSession, now: dt.datetime) -> int:
    """Pending reminders whose session has begun (after downtime) are no longer useful."""
    rows = (
        await session.execute(
            select(OutboxMessage.id, OutboxMessage.idempotency_key).where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.idempotency_key.like(f"{REMINDER_KEY}:%"),
            )
        )
    ).all()
    by_session: dict[int, list[int]] = {}
    for row_id, key in rows:
        session_id = reminder_session(key)
        if session_id is not None:
            by_session.setdefault(session_id, []).append(row_id)
    if not by_session:
        return 0
    begun = set(
        await session.scalars(
            select(CourseSession.id).where(
                CourseSession.id.in_(by_session), CourseSession.starts_at <= now
            )
        )
    )
    stale = [row_id for sid in begun for row_id in by_session[sid]]
    if stale:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(stale), OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.CANCELLED, last_error="session already began")
        )
    return len(stale)


async def set_answer(
    session: AsyncSession,
    session_id: int,
    person_id: int,
    answer: ReminderAnswer,
    now: dt.datetime,
    reason: str | None = None,
) -> SessionAnswer:
    row = await session.scalar(
        select(SessionAnswer).where(
            SessionAnswer.session_id == session_id, SessionAnswer.person_id == person_id
        )
    )
    if row is None:
        row = SessionAnswer(session_id=session_id, person_id=person_id, answer=answer)
        session.add(row)
    row.answer = answer
    row.reason = reason
    row.answered_at = now
    await session.flush()
    return row


async def answers_for(session: AsyncSession, session_id: int) -> dict[int, SessionAnswer]:
    rows = await session.scalars(
        select(SessionAnswer).where(SessionAnswer.session_id == session_id)
    )
    return {row.person_id: row for row in rows}


async def attendance_for(session: AsyncSession, session_id: int) -> dict[int, AttendanceStatus]:
    rows = await session.execute(
        select(Attendance.person_id, Attendance.status).where(Attendance.session_id == session_id)
    )
    return {person_id: status for person_id, status in rows.all()}


async def set_attendance(
    session: AsyncSession,
    session_id: int,
    person_id: int,
    status: AttendanceStatus,
    recorded_by: int | None,
    now: dt.datetime,
) -> None:
    row = await session.scalar(
        select(Attendance).where(
            Attendance.session_id == session_id, Attendance.person_id == person_id
        )
    )
    if row is None:
        row = Attendance(session_id=session_id, person_id=person_id, status=status)
        session.add(row)
    row.status = status
    row.recorded_by = recorded_by
    row.recorded_at = now
    await session.flush()


async def practice_minutes(session: AsyncSession, person_id: int) -> int:
    """Confirmed (or corrected) practice minutes of a person (volunteer hours do not count)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(PracticeHours.minutes), 0)).where(
            PracticeHours.person_id == person_id,
            PracticeHours.status.in_(CONFIRMED_HOURS),
            PracticeHours.kind == HoursKind.PRACTICE,
        )
    )
    return int(total or 0)


async def course_record(session: AsyncSession, person_id: int, cohort_id: int) -> CourseRecord:
    """What the person did in the cohort: attended and missed sessions with saved attendance."""
    rows = (
        await session.execute(
            select(CourseSession.kind, Attendance.status)
            .join(
                Attendance,
                and_(Attendance.session_id == CourseSession.id, Attendance.person_id == person_id),
            )
            .where(
                CourseSession.cohort_id == cohort_id,
                CourseSession.cancelled_at.is_(None),
                CourseSession.attendance_saved_at.is_not(None),
            )
        )
    ).all()
    present = [kind for kind, status in rows if status == AttendanceStatus.PRESENT]
    missed = [kind for kind, status in rows if status != AttendanceStatus.PRESENT]
    return CourseRecord(
        meetings_attended=present.count(SessionKind.MEETING),
        meetings_missed=missed.count(SessionKind.MEETING),
        followups_attended=present.count(SessionKind.FOLLOW_UP_DAY),
        presentation_done=SessionKind.PRESENTATION in present,
        practice_minutes_confirmed=await practice_minutes(session, person_id),
    )


async def certificate_of(session: AsyncSession, person_id: int) -> CourseCertificate | None:
    return await session.scalar(
        select(CourseCertificate).where(CourseCertificate.person_id == person_id)
    )


async def ensure_certificate(
    session: AsyncSession, programme_id: int, person_id: int, cohort_id: int | None
) -> CourseCertificate:
    row = await certificate_of(session, person_id)
    if row is None:
        row = CourseCertificate(programme_id=programme_id, person_id=person_id, cohort_id=cohort_id)
        session.add(row)
        await session.flush()
    return row


async def certificates_waiting_for_practice(session: AsyncSession) -> list[CourseCertificate]:
    """Participation given, certificate not yet requested (practice hours may be missing)."""
    return list(
        await session.scalars(
            select(CourseCertificate).where(
                CourseCertificate.participation_at.is_not(None),
                CourseCertificate.requested_at.is_(None),
            )
        )
    )


async def replace_sessions(
    session: AsyncSession, cohort: Cohort, plan: Sequence[ImportedSession]
) -> int:
    """Put an imported plan in place of the group's sessions; queued reminders are cancelled.

    Sessions with registered attendance are history and stay; the others are replaced.
    """
    old = await sessions_of(session, cohort.id)
    for item in old:
        if item.attendance_saved_at is not None:
            continue
        await cancel_pending_reminders(session, item.id)
        await session.delete(item)
    await session.flush()
    for entry in plan:
        session.add(
            CourseSession(
                programme_id=cohort.programme_id,
                cohort_id=cohort.id,
                kind=entry.kind,
                seq=entry.seq,
                starts_at=entry.starts_at,
                duration_minutes=entry.duration_minutes,
                location=entry.location or cohort.location,
                bring=entry.bring,
            )
        )
    await session.flush()
    return len(plan)
