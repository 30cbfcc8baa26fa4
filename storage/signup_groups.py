"""Groups for the signup: places, the waiting list, offers of freed places and the group mix."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import capacity
from domain.capacity import PlacementError, WaitingEntry, WaitStatus
from domain.dates import age_on
from domain.group_mix import MixCell, age_band, mix
from storage.course_models import Cohort, CourseSession
from storage.models import Person
from storage.signup_models import Enrolment, Signup


@dataclass(frozen=True)
class GroupLoad:
    cohort: Cohort
    placed: int
    open_offers: int
    waiting: int

    @property
    def full(self) -> bool:
        return capacity.free_places(self.cohort.capacity, self.placed, self.open_offers) == 0


async def cohorts(session: AsyncSession, programme_id: int) -> list[Cohort]:
    return list(
        await session.scalars(
            select(Cohort).where(Cohort.programme_id == programme_id).order_by(Cohort.id)
        )
    )


async def load(session: AsyncSession, cohort: Cohort, now: dt.datetime) -> GroupLoad:
    rows = (
        await session.execute(
            select(Enrolment.status, Enrolment.offer_expires_at).where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.status.in_(("placed", "offered", "waiting")),
            )
        )
    ).all()
    placed = sum(1 for status, _ in rows if status == "placed")
    offers = sum(1 for status, until in rows if status == "offered" and until and until > now)
    waiting = sum(1 for status, _ in rows if status == "waiting")
    return GroupLoad(cohort, placed, offers, waiting)


async def _enrolment(session: AsyncSession, cohort_id: int, person_id: int) -> Enrolment | None:
    return await session.scalar(
        select(Enrolment).where(Enrolment.cohort_id == cohort_id, Enrolment.person_id == person_id)
    )


async def _upsert(
    session: AsyncSession, signup: Signup, cohort: Cohort, status: str, now: dt.datetime
) -> Enrolment:
    enrolment = await _enrolment(session, cohort.id, signup.person_id)
    if enrolment is None:
        enrolment = Enrolment(
            programme_id=cohort.programme_id,
            cohort_id=cohort.id,
            person_id=signup.person_id,
            created_at=now,
            status=status,
        )
        session.add(enrolment)
    enrolment.status = status
    enrolment.track = cohort.track
    enrolment.decided_at = now
    if status == "waiting":
        enrolment.created_at = now  # the back of the list
    await session.flush()
    return enrolment


async def place(
    session: AsyncSession, signup: Signup, cohort: Cohort, now: dt.datetime
) -> Enrolment | PlacementError:
    """Place the person of `signup` in `cohort`, refused when the group is full."""
    group = await load(session, cohort, now)
    error = capacity.check_can_place(cohort.capacity, group.placed, group.open_offers)
    if error is not None:
        return error
    enrolment = await _upsert(session, signup, cohort, "placed", now)
    signup.status = "placed"
    signup.decided_at = now
    return enrolment


async def put_on_waiting_list(
    session: AsyncSession, signup: Signup, cohort: Cohort, now: dt.datetime
) -> int:
    """Put the person on the cohort's waiting list; returns their position."""
    await _upsert(session, signup, cohort, "waiting", now)
    signup.status = "waiting"
    signup.decided_at = now
    entries = await waiting_entries(session, cohort.id)
    return capacity.waiting_position(entries, signup.person_id) or len(entries)


async def waiting_entries(session: AsyncSession, cohort_id: int) -> list[WaitingEntry]:
    rows = await session.scalars(
        select(Enrolment).where(
            Enrolment.cohort_id == cohort_id, Enrolment.status.in_(("waiting", "offered"))
        )
    )
    return [
        WaitingEntry(
            person_id=e.person_id,
            track=e.track or "",
            joined_at=e.created_at,
            sequence=e.id,
            status=WaitStatus.WAITING if e.status == "waiting" else WaitStatus.OFFERED,
            offer_expires_at=e.offer_expires_at,
        )
        for e in rows
    ]


@dataclass(frozen=True)
class OfferChanges:
    lapsed: list[Enrolment]
    offered: list[Enrolment]


async def move_up(
    session: AsyncSession, cohort: Cohort, now: dt.datetime, rules: capacity.WaitingListRules
) -> OfferChanges:
    """Lapse expired offers and offer free places to the next waiting people (idempotent)."""
    entries = await waiting_entries(session, cohort.id)
    group = await load(session, cohort, now)
    plan = capacity.plan_offers(entries, cohort.capacity, group.placed, now, rules=rules)
    lapsed, offered = [], []
    for person_id in plan.lapse:
        enrolment = await _enrolment(session, cohort.id, person_id)
        if enrolment is not None:
            enrolment.status = "withdrawn"
            enrolment.decided_at = now
            lapsed.append(enrolment)
            await _set_signup_status(session, person_id, "withdrawn", now)
    for person_id in plan.offer:
        enrolment = await _enrolment(session, cohort.id, person_id)
        if enrolment is not None:
            enrolment.status = "offered"
            enrolment.offered_at = now
            enrolment.offer_expires_at = plan.offers_expire_at
            offered.append(enrolment)
    await session.flush()
    return OfferChanges(lapsed, offered)


async def _set_signup_status(
    session: AsyncSession, person_id: int, status: str, now: dt.datetime
) -> None:
    signup = await session.scalar(
        select(Signup)
        .where(Signup.person_id == person_id, Signup.status.in_(("waiting", "submitted")))
        .order_by(Signup.id.desc())
        .limit(1)
    )
    if signup is not None:
        signup.status = status
        signup.decided_at = now


async def accept_offer(session: AsyncSession, enrolment: Enrolment, now: dt.datetime) -> bool:
    """Turn an open offer into a place; False when the offer is gone or expired."""
    if enrolment.status != "offered" or not enrolment.offer_expires_at:
        return False
    if enrolment.offer_expires_at <= now:
        return False
    enrolment.status = "placed"
    enrolment.decided_at = now
    await _set_signup_status(session, enrolment.person_id, "placed", now)
    return True


async def first_meeting(session: AsyncSession, cohort_id: int) -> CourseSession | None:
    return await session.scalar(
        select(CourseSession)
        .where(CourseSession.cohort_id == cohort_id, CourseSession.cancelled_at.is_(None))
        .order_by(CourseSession.starts_at)
        .limit(1)
    )


async def group_mix(
    session: AsyncSession, cohort_id: int, today: dt.date
) -> dict[str, tuple[MixCell, ...]]:
    """The mix of the placed participants: gender, age band, school type, track."""
    rows = (
        await session.execute(
            select(Signup, Person.birth_date)
            .join(Enrolment, Enrolment.person_id == Signup.person_id)
            .join(Person, Person.id == Signup.person_id)
            .where(
                Enrolment.cohort_id == cohort_id,
                Enrolment.status == "placed",
                Signup.status == "placed",
            )
        )
    ).all()
    ages = [age_on(born, today) if born else s.age_at_signup for s, born in rows]
    return {
        "gender": mix([s.gender for s, _ in rows], ("female", "male", "other")),
        "age": mix([age_band(a) for a in ages], ("14-15", "16-17", "18-23", "24+")),
        "school": mix([s.school for s, _ in rows]),
        "track": mix([s.track for s, _ in rows], ("sport", "culture", "unknown")),
    }


async def signup_counts(session: AsyncSession, programme_id: int) -> dict[str, int]:
    """Signups per outcome (anonymised ones included): the programme's figures."""
    rows = await session.execute(
        select(Signup.status, func.count())
        .where(Signup.programme_id == programme_id)
        .group_by(Signup.status)
    )
    return {status: int(count) for status, count in rows.all()}
