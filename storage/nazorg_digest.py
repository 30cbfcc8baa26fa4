"""The coordinator's weekly digest (issue 7): one query per item, against the other features'
tables as they exist. Each item is a function returning short lines (at most `LIMIT`) and a
count; an item whose module is missing returns None and is left out of the digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import nazorg
from storage.models import Person

LIMIT = 10
WAITING_DAYS = 7
CLOSING_DAYS = 7


@dataclass(frozen=True)
class Item:
    count: int
    rows: list[tuple[str, dt.datetime | None]]
    """(label, moment) of the first `LIMIT` entries."""


async def follow_up(
    session: AsyncSession,
    programme_id: int,
    now: dt.datetime,
    week: tuple[dt.datetime, dt.datetime],
) -> Item | None:
    entries = await nazorg.follow_up_list(session, programme_id)
    return Item(len(entries), [(e.name, e.added_at) for e in entries[:LIMIT]])


async def signups(
    session: AsyncSession,
    programme_id: int,
    now: dt.datetime,
    week: tuple[dt.datetime, dt.datetime],
) -> Item | None:
    """Signups waiting for the coordinator's decision (status submitted)."""
    try:
        from storage.signup_models import Signup
    except ImportError:  # pragma: no cover
        return None
    cond = (
        Signup.programme_id == programme_id,
        Signup.status == "submitted",
        Signup.anonymised_at.is_(None),
    )
    count = await session.scalar(select(func.count()).select_from(Signup).where(*cond))
    rows = await session.execute(
        select(Person.first_name, Signup.submitted_at)
        .join(Person, Person.id == Signup.person_id)
        .where(*cond)
        .order_by(Signup.submitted_at, Signup.id)
        .limit(LIMIT)
    )
    return Item(int(count or 0), [(n or "?", at) for n, at in rows.all()])


async def hours(
    session: AsyncSession,
    programme_id: int,
    now: dt.datetime,
    week: tuple[dt.datetime, dt.datetime],
) -> Item | None:
    """Hours waiting for a supervisor for more than 7 days."""
    try:
        from storage.hours_models import PracticeHours
    except ImportError:  # pragma: no cover
        return None
    cond = (
        PracticeHours.programme_id == programme_id,
        PracticeHours.status == "pending",
        PracticeHours.created_at < now - dt.timedelta(days=WAITING_DAYS),
    )
    count = await session.scalar(select(func.count()).select_from(PracticeHours).where(*cond))
    rows = await session.execute(
        select(Person.first_name, PracticeHours.created_at)
        .join(Person, Person.id == PracticeHours.person_id)
        .where(*cond)
        .order_by(PracticeHours.created_at)
        .limit(LIMIT)
    )
    return Item(int(count or 0), [(n or "?", at) for n, at in rows.all()])


async def proposals(
    session: AsyncSession,
    programme_id: int,
    now: dt.datetime,
    week: tuple[dt.datetime, dt.datetime],
) -> Item | None:
    """Activity proposals waiting for a decision."""
    try:
        from storage.opportunity_models import Activity
    except ImportError:  # pragma: no cover
        return None
    cond = (Activity.programme_id == programme_id, Activity.status == "submitted")
    count = await session.scalar(select(func.count()).select_from(Activity).where(*cond))
    rows = await session.execute(
        select(Activity.title, Activity.created_at).where(*cond).order_by(Activity.id).limit(LIMIT)
    )
    return Item(int(count or 0), [(t, at) for t, at in rows.all()])


async def closing(
    session: AsyncSession,
    programme_id: int,
    now: dt.datetime,
    week: tuple[dt.datetime, dt.datetime],
) -> Item | None:
    """Open opportunities with free places whose sign-up deadline is within 7 days."""
    try:
        from storage.opportunity_models import Opportunity
    except ImportError:  # pragma: no cover
        return None
    cond = (
        Opportunity.programme_id == programme_id,
        Opportunity.status == "open",
        Opportunity.deadline.is_not(None),
        Opportunity.deadline > now,
        Opportunity.deadline <= now + dt.timedelta(days=CLOSING_DAYS),
        Opportunity.places_taken < Opportunity.places,
    )
    count = await session.scalar(select(func.count()).select_from(Opportunity).where(*cond))
    rows = await session.execute(
        select(Opportunity.title, Opportunity.deadline)
        .where(*cond)
        .order_by(Opportunity.deadline)
        .limit(LIMIT)
    )
    return Item(int(count or 0), [(t, at) for t, at in rows.all()])


async def sessions(
    session: AsyncSession,
    programme_id: int,
    now: dt.datetime,
    week: tuple[dt.datetime, dt.datetime],
) -> Item | None:
    """This week's course sessions (not cancelled)."""
    try:
        from storage.course_models import Cohort, CourseSession
    except ImportError:  # pragma: no cover
        return None
    cond = (
        CourseSession.programme_id == programme_id,
        CourseSession.cancelled_at.is_(None),
        CourseSession.starts_at >= week[0],
        CourseSession.starts_at < week[1],
    )
    count = await session.scalar(select(func.count()).select_from(CourseSession).where(*cond))
    rows = await session.execute(
        select(Cohort.name, CourseSession.starts_at)
        .join(Cohort, Cohort.id == CourseSession.cohort_id)
        .where(*cond)
        .order_by(CourseSession.starts_at)
        .limit(LIMIT)
    )
    return Item(int(count or 0), [(n, at) for n, at in rows.all()])


ItemQuery = Callable[
    [AsyncSession, int, dt.datetime, tuple[dt.datetime, dt.datetime]], Awaitable[Item | None]
]
ITEMS: dict[str, ItemQuery] = {
    "followup": follow_up,
    "signups": signups,
    "hours": hours,
    "proposals": proposals,
    "closing": closing,
    "sessions": sessions,
}
