"""The coordinator's weekly digest (issue 7): one query per item against the features' tables.

Each item counts what waits and lists the first `LIMIT` entries as (label, moment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.hours.practice import LogStatus
from domain.nazorg.settings import DigestItem
from storage.activities.models import Activity
from storage.course.models import Cohort, CourseSession
from storage.hours.models import PracticeHours
from storage.models import Person
from storage.nazorg import queries as nazorg
from storage.opportunities.models import Opportunity
from storage.signup.models import Signup

LIMIT = 10
WAITING_DAYS = 7
CLOSING_DAYS = 7
Week = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Item:
    count: int
    rows: list[tuple[str, dt.datetime | None]]
    """(label, moment) of the first `LIMIT` entries."""


async def _item(
    session: AsyncSession,
    conditions: tuple[ColumnElement[bool], ...],
    listing: Select[Any, Any],
    counted: Any,
) -> Item:
    """Count the rows meeting `conditions` and list the first ones with `listing`."""
    count = await session.scalar(select(func.count()).select_from(counted).where(*conditions))
    rows = await session.execute(listing.where(*conditions).limit(LIMIT))
    return Item(int(count or 0), [(label or "?", at) for label, at in rows.all()])


async def follow_up(session: AsyncSession, programme_id: int, now: dt.datetime, week: Week) -> Item:
    entries = await nazorg.follow_up_list(session, programme_id)
    return Item(len(entries), [(e.name, e.added_at) for e in entries[:LIMIT]])


async def signups(session: AsyncSession, programme_id: int, now: dt.datetime, week: Week) -> Item:
    """Signups waiting for the coordinator's decision (status submitted)."""
    return await _item(
        session,
        (
            Signup.programme_id == programme_id,
            Signup.status == "submitted",
            Signup.anonymised_at.is_(None),
        ),
        select(Person.first_name, Signup.submitted_at)
        .join(Person, Person.id == Signup.person_id)
        .order_by(Signup.submitted_at, Signup.id),
        Signup,
    )


async def hours(session: AsyncSession, programme_id: int, now: dt.datetime, week: Week) -> Item:
    """Hours waiting for a supervisor for more than 7 days."""
    return await _item(
        session,
        (
            PracticeHours.programme_id == programme_id,
            PracticeHours.status == LogStatus.PENDING,
            PracticeHours.created_at < now - dt.timedelta(days=WAITING_DAYS),
        ),
        select(Person.first_name, PracticeHours.created_at)
        .join(Person, Person.id == PracticeHours.person_id)
        .order_by(PracticeHours.created_at),
        PracticeHours,
    )


async def proposals(session: AsyncSession, programme_id: int, now: dt.datetime, week: Week) -> Item:
    """Activity proposals waiting for a decision."""
    return await _item(
        session,
        (Activity.programme_id == programme_id, Activity.status == "submitted"),
        select(Activity.title, Activity.created_at).order_by(Activity.id),
        Activity,
    )


async def closing(session: AsyncSession, programme_id: int, now: dt.datetime, week: Week) -> Item:
    """Open opportunities with free places whose sign-up deadline is within 7 days."""
    return await _item(
        session,
        (
            Opportunity.programme_id == programme_id,
            Opportunity.status == "open",
            Opportunity.deadline.is_not(None),
            Opportunity.deadline > now,
            Opportunity.deadline <= now + dt.timedelta(days=CLOSING_DAYS),
            Opportunity.places_taken < Opportunity.places,
        ),
        select(Opportunity.title, Opportunity.deadline).order_by(Opportunity.deadline),
        Opportunity,
    )


async def sessions(session: AsyncSession, programme_id: int, now: dt.datetime, week: Week) -> Item:
    """This week's course sessions (not cancelled)."""
    return await _item(
        session,
        (
            CourseSession.programme_id == programme_id,
            CourseSession.cancelled_at.is_(None),
            CourseSession.starts_at >= week[0],
            CourseSession.starts_at < week[1],
        ),
        select(Cohort.name, CourseSession.starts_at)
        .join(Cohort, Cohort.id == CourseSession.cohort_id)
        .order_by(CourseSession.starts_at),
        CourseSession,
    )


ItemQuery = Callable[[AsyncSession, int, dt.datetime, Week], Awaitable[Item | None]]
ITEMS: dict[DigestItem, ItemQuery] = {
    DigestItem.FOLLOW_UP: follow_up,
    DigestItem.SIGNUPS: signups,
    DigestItem.HOURS: hours,
    DigestItem.PROPOSALS: proposals,
    DigestItem.CLOSING: closing,
    DigestItem.SESSIONS: sessions,
}
"""One query per digest item, in the order the digest shows them."""
