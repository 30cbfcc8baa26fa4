"""Course queries on SQLite and PostgreSQL; course settings parsing."""

from __future__ import annotations

import datetime as dt
from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.features.course.keys import reminder_key
from domain.course.rules import AttendanceStatus
from domain.course.settings import course_settings, parse_moment
from domain.hours.practice import LogStatus
from domain.reminders import ReminderKind
from storage import migrate, outbox
from storage.course import queries as course
from storage.course.models import Attendance, CourseSession
from storage.db import create_session_factory
from storage.hours.models import PracticeHours
from storage.models import OutboxMessage, OutboxStatus
from tests.course.conftest import make_world

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


async def test_course_queries(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    starts = [T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=8)]
    async with sessions.begin() as db:
        world = await make_world(
            db, starts=starts, leader_tg=1, participants=[(2, "Anna", None)], now=T0
        )
        sid, pid = world.session_ids[0], world.participant_ids[0]
        assert [p.first_name for p in await course.participants(db, world.cohort_id)] == ["Anna"]
        assert len(await course.upcoming_for_person(db, pid, T0)) == 2
        for key in (
            reminder_key(sid, pid, ReminderKind.EVENING_BEFORE, starts[0]),
            reminder_key(world.session_ids[1], pid, ReminderKind.HOURS_BEFORE, starts[1]),
        ):
            await outbox.enqueue(db, chat_id="2", payload={"text": "x"}, key=key, now=T0)
        assert await course.cancel_pending_reminders(db, sid) == 1
        assert await course.cancel_reminders_of_begun(db, starts[1] + dt.timedelta(minutes=1)) == 1
        statuses = list(await db.scalars(select(OutboxMessage.status)))
        assert statuses == [OutboxStatus.CANCELLED, OutboxStatus.CANCELLED]
        item = await db.get(CourseSession, sid)
        assert item is not None
        item.attendance_saved_at = T0
        db.add(
            Attendance(
                session_id=sid, person_id=pid, status=AttendanceStatus.PRESENT, recorded_at=T0
            )
        )
        hours = ((600, LogStatus.CONFIRMED), (120, LogStatus.CORRECTED), (500, LogStatus.PENDING))
        for minutes, status in hours:
            db.add(PracticeHours(programme_id=1, person_id=pid, work_date=T0.date(),
                                 minutes=minutes, status=status, created_at=T0))  # fmt: skip
        await db.flush()
        record = await course.course_record(db, pid, world.cohort_id)
        assert record.meetings_attended == 1 and record.practice_minutes_confirmed == 720


def test_course_settings_and_typed_moments() -> None:
    settings = course_settings(
        {"course": {"meetings": 8, "evening_before": "18:30", "max_missed_meetings": "x"}}
    )
    assert settings.template.meetings == 8
    assert settings.reminders.evening_before == time(18, 30)
    assert settings.completion.max_missed_meetings == 1
    assert course_settings(None).template.meetings == 7
    assert parse_moment("14-3-2027 19:30") == dt.datetime(2027, 3, 14, 19, 30)
    assert parse_moment("31-2-2027 19:30") is None
    assert parse_moment("14-3-2027") is None
