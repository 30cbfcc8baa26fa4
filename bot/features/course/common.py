"""Shared pieces of the course feature: callback data, texts of sessions, programme settings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from domain.course.rules import SessionKind
from domain.course.settings import CourseSettings, course_settings
from domain.dates import age_on, local_today
from domain.local_time import AMSTERDAM, to_local
from storage.course.models import CourseSession
from storage.models import Person, Programme


class PlanCb(CallbackData, prefix="cs"):
    """Course planning: `action` on a cohort or session `id` (see the flows for actions)."""

    action: str
    id: int = 0
    at: int = 0  # a new start (Unix seconds) when moving


class AttendanceCb(CallbackData, prefix="at"):
    action: str  # "open", "t" (toggle), "save"
    session: int
    person: int = 0


class ReminderCb(CallbackData, prefix="rm"):
    action: str  # "yes", "no", "skip"
    session: int


class CertificateCb(CallbackData, prefix="ce"):
    action: str  # "ok"
    cert: int


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
    if kind == SessionKind.MEETING.value:
        return _("Meeting {number}").format(number=course_session.seq)
    if kind == SessionKind.FOLLOW_UP_DAY.value:
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
