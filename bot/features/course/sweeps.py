"""Time-driven work of the course: reminders, the attendance checklist, the day-after nudge to
the leader, and certificate requests once practice hours are confirmed.

Every sweep compares with `now` and writes outbox rows with idempotency keys, so running it
twice, or again after a restart, sends nothing twice. A reminder is written when its delivery
moment (`domain.reminders.deliver_at`: quiet hours for minors) has come and its session has not
begun; when several reminders of one session are due at once (after downtime) only the latest
is sent. The key contains the session's start, so a moved session gets new reminders.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.course.callbacks import AttendanceAction, AttendanceCb
from bot.features.course.common import age_of, programme_setup, session_title, when
from bot.features.course.keys import attendance_missing_key, attendance_open_key, reminder_key
from bot.features.course.notify import check_completion, reminder_buttons, reminder_text
from bot.kit import notify
from bot.kit.feature import FeatureDeps
from bot.kit.keyboards import inline_choices
from bot.kit.sweep import Sweep
from domain.course.settings import CourseSettings
from domain.local_time import at_local, to_local
from domain.reminders import deliver_at, reminder_still_useful, reminder_times
from storage.course import queries as course
from storage.course.models import Cohort
from storage.outbox import Priority

LOOKAHEAD = dt.timedelta(days=3)
ATTENDANCE_LOOKBACK = dt.timedelta(days=14)
DAY_AFTER_AT = dt.time(10, 0)


async def send_reminders(db: AsyncSession, now: dt.datetime) -> None:
    await course.cancel_reminders_of_begun(db, now)
    setups: dict[int, tuple[ZoneInfo, CourseSettings]] = {}
    for item in await course.sessions_starting_between(db, now, now + LOOKAHEAD):
        if not reminder_still_useful(item.starts_at, now):
            continue
        if item.programme_id not in setups:
            setups[item.programme_id] = await programme_setup(db, item.programme_id)
        tz, settings = setups[item.programme_id]
        cohort = await db.get(Cohort, item.cohort_id)
        if cohort is None:
            continue
        planned = reminder_times(item.starts_at, tz, settings.reminders)
        for person in await course.participants(db, item.cohort_id):
            age = age_of(person, now, tz)
            due = [
                r
                for r in planned
                if deliver_at(r.at, age, item.starts_at, tz, settings.reminders) <= now
            ]
            if not due:
                continue
            latest = due[-1]  # the others are no longer useful
            await notify.to_person(
                db,
                person.id,
                notify.message_payload(
                    reminder_text(item, cohort, latest.kind, tz), reminder_buttons(item.id)
                ),
                key=reminder_key(item.id, person.id, latest.kind, item.starts_at),
                now=now,
                priority=Priority.REMINDER,
            )


async def attendance_nudges(db: AsyncSession, now: dt.datetime) -> None:
    """At the start: the checklist to the leaders; the day after: a reminder when missing."""
    for item in await course.sessions_missing_attendance(db, now - ATTENDANCE_LOOKBACK, now):
        tz, _settings = await programme_setup(db, item.programme_id)
        cohort = await db.get(Cohort, item.cohort_id)
        if cohort is None:
            continue
        day_after = at_local(to_local(item.starts_at, tz).date() + dt.timedelta(days=1),
                             DAY_AFTER_AT, tz)  # fmt: skip
        button = inline_choices(
            [
                (
                    _("Fill in attendance"),
                    AttendanceCb(action=AttendanceAction.OPEN, session=item.id).pack(),
                )
            ]
        )
        for leader in await course.leaders_of(db, item.cohort_id):
            await notify.to_person(
                db,
                leader,
                notify.message_payload(
                    _("{title} of {group} has started ({when}). Fill in who is there.").format(
                        title=session_title(item),
                        group=html.quote(cohort.name),
                        when=when(item.starts_at, tz),
                    ),
                    button,
                ),
                key=attendance_open_key(item.id, leader, item.starts_at),
                now=now,
            )
            if now >= day_after:
                await notify.to_person(
                    db,
                    leader,
                    notify.message_payload(
                        _(
                            "The attendance of {title} of {group} ({when}) is still missing. "
                            "Please fill it in now."
                        ).format(
                            title=session_title(item),
                            group=html.quote(cohort.name),
                            when=when(item.starts_at, tz),
                        ),
                        button,
                    ),
                    key=attendance_missing_key(item.id, leader),
                    now=now,
                    priority=Priority.REMINDER,
                )


async def certificate_requests(db: AsyncSession, now: dt.datetime) -> None:
    """Participation done and now enough confirmed practice: ask the coordinator."""
    for cert in await course.certificates_waiting_for_practice(db):
        if cert.cohort_id is not None:
            await check_completion(db, cert.person_id, cert.cohort_id, now)


def course_sweeps(deps: FeatureDeps) -> list[Sweep]:
    return [
        Sweep("course_reminders", send_reminders),
        Sweep("course_attendance", attendance_nudges),
        Sweep("course_certificates", certificate_requests),
    ]
