"""Shared pieces of the course feature: texts of sessions, programme settings.

The callback data of the buttons is in `bot.features.course.callbacks`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from domain.course.rules import SessionKind
from domain.course.settings import CourseSettings, course_settings
from domain.dates import age_on, local_today
from domain.local_time import AMSTERDAM, to_local
from storage.course.models import CourseSession
from storage.models import Person, Programme


async def programme_setup(db: AsyncSession, programme_id: int) -> tuple[ZoneInfo, CourseSettings]:
    """The programme's time zone and course settings."""
    programme = await db.get(Programme, programme_id)
    if programme is None:
        return AMSTERDAM, CourseSettings()
    try:
        tz = ZoneInfo(programme.timezone)
    except (KeyError, ValueError):
        tz = AMSTERDAM
    return tz, course_settings(programme.settings)


def age_of(person: Person, now: dt.datetime, tz: ZoneInfo) -> int | None:
    """Age today, None when unknown (treated as a minor for quiet hours)."""
    if person.birth_date is None:
        return None
    return age_on(person.birth_date, local_today(now, tz))


def when(moment: dt.datetime, tz: ZoneInfo) -> str:
    """A moment in Dutch local time: "dinsdag 3 maart 2026 om 19:00"."""
    local = to_local(moment, tz).replace(tzinfo=None)
    return format_datetime(local, "EEEE d MMMM yyyy 'om' HH:mm", locale="nl")


def session_title(course_session: CourseSession) -> str:
    kind = course_session.kind
    if kind == SessionKind.MEETING:
        return _("Meeting {number}").format(number=course_session.seq)
    if kind == SessionKind.FOLLOW_UP_DAY:
        return _("Follow-up day {number}").format(number=course_session.seq)
    return _("Final presentation")


def session_line(course_session: CourseSession, tz: ZoneInfo) -> str:
    """One line about a session: title and local time (and "cancelled")."""
    line = _("{title}: {when}").format(
        title=session_title(course_session), when=when(course_session.starts_at, tz)
    )
    if course_session.cancelled_at is not None:
        line = _("{line} (cancelled)").format(line=line)
    return line


def person_name(person: Person) -> str:
    name = " ".join(p for p in (person.first_name, person.last_name) if p)
    return name or _("participant {id}").format(id=person.id)
