"""The waiting list per track across a programme's groups, on SQLite and PostgreSQL.

A freed place in a group goes to the earliest waiting person of that group's track, whichever
group's list they joined; "weet ik nog niet" people wait for any track; a culture place never
goes to a sport waiter; placing, offering and accepting are race-free.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.signup.capacity import ANY_TRACK, PlacementError, WaitingEntry, WaitingListRules
from storage import migrate
from storage.course.models import Cohort
from storage.db import create_session_factory
from storage.models import Person, Programme
from storage.signup import groups as signup_groups
from storage.signup.models import Enrolment, Signup

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
RULES = WaitingListRules(offer_valid_hours=48)


def _at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


async def _programme(session: AsyncSession) -> Programme:
    programme = Programme(name="Breda", timezone="Europe/Amsterdam", settings={}, created_at=T0)
    session.add(programme)
    await session.flush()
    return programme


async def _group(session: AsyncSession, programme: Programme, name: str, track: str) -> Cohort:
    cohort = Cohort(programme_id=programme.id, name=name, track=track, capacity=1, created_at=T0)
    session.add(cohort)
    await session.flush()
    return cohort


async def _signup(session: AsyncSession, programme: Programme, track: str = "sport") -> Signup:
    person = Person(programme_id=programme.id, first_name="X", created_at=T0)
    session.add(person)
    await session.flush()
    signup = Signup(
        programme_id=programme.id, person_id=person.id, status="submitted", track=track,
        age_at_signup=17, needs_consent=False, privacy_version="2026-1",
        privacy_accepted_at=T0, created_at=T0,
    )  # fmt: skip
    session.add(signup)
    await session.flush()
    return signup


async def _row(session: AsyncSession, cohort: Cohort, signup: Signup) -> Enrolment:
    row = await signup_groups._enrolment(session, cohort.id, signup.person_id)
    assert row is not None
    return row


async def _offers(session: AsyncSession, now: dt.datetime) -> list[tuple[int, int]]:
    programme_id = await session.scalar(select(Programme.id))
    assert programme_id is not None
    changes = await signup_groups.move_up(session, programme_id, now, RULES)
    return [(e.cohort_id, e.person_id) for e in changes.offered]


async def test_a_freed_place_goes_to_the_first_of_the_track_across_groups(
    engine: AsyncEngine,
) -> None:
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        programme = await _programme(session)
        sport_a = await _group(session, programme, "Sport A", "sport")
        sport_b = await _group(session, programme, "Sport B", "sport")
        culture = await _group(session, programme, "Cultuur", "culture")
        placed_a, placed_b, placed_c = [await _signup(session, programme) for _ in range(3)]
        ann, bob = await _signup(session, programme), await _signup(session, programme)
        cas = await _signup(session, programme, track="unknown")
        for signup, group in ((placed_a, sport_a), (placed_b, sport_b), (placed_c, culture)):
            assert not isinstance(
                await signup_groups.place(session, signup, group, T0), PlacementError
            )
        # Ann waits for A, Bob for B (later), Cas ("weet ik nog niet") for the culture group
        assert await signup_groups.put_on_waiting_list(session, ann, sport_a, _at(1)) == 1
        assert await signup_groups.put_on_waiting_list(session, bob, sport_b, _at(2)) == 2
        assert await signup_groups.put_on_waiting_list(session, cas, culture, _at(3)) == 3
        assert (await _row(session, culture, cas)).track == ANY_TRACK
        assert await _offers(session, _at(4)) == []
        # a place in B is freed: it goes to Ann (first of the sport track), not Bob
        (await _row(session, sport_b, placed_b)).status = "withdrawn"
        assert await _offers(session, _at(5)) == [(sport_b.id, ann.person_id)]
        assert await _offers(session, _at(5)) == []  # the open offer holds the place
        assert (await _row(session, sport_a, ann)).status == "waiting"  # until she answers
        # Ann says no to B: she stays on A's list and is not offered B again; Bob gets B
        offer = await _row(session, sport_b, ann)
        declined = await signup_groups.decline_offer(session, offer, _at(6))
        assert declined is not None and declined.still_waiting_in is not None
        assert declined.still_waiting_in.id == sport_a.id
        assert await _offers(session, _at(6)) == [(sport_b.id, bob.person_id)]
        assert await signup_groups.accept_offer(session, await _row(session, sport_b, bob), _at(7))
        assert (await _row(session, sport_b, bob)).status == "placed"
        # a freed culture place never goes to a sport waiter, but to Cas (any track)
        (await _row(session, culture, placed_c)).status = "withdrawn"
        assert await _offers(session, _at(8)) == [(culture.id, cas.person_id)]
        # the offer lapses: Cas leaves the list, the place goes to nobody (Ann waits for sport)
        lapse = _at(8) + dt.timedelta(hours=48)
        changes = await signup_groups.move_up(session, programme.id, lapse, RULES)
        assert [e.person_id for e in changes.lapsed] == [cas.person_id]
        assert changes.offered == []
        assert (await _row(session, culture, cas)).status == "withdrawn"
        assert cas.status == "withdrawn"
        # placing in a full group is still refused; a place in A goes to Ann in her own group
        late = await _signup(session, programme)
        assert await signup_groups.place(session, late, sport_a, lapse) is PlacementError.GROUP_FULL
        (await _row(session, sport_a, placed_a)).status = "withdrawn"
        assert await _offers(session, lapse) == [(sport_a.id, ann.person_id)]
        own = await _row(session, sport_a, ann)
        declined = await signup_groups.decline_offer(session, own, lapse)
        assert declined is not None and declined.still_waiting_in is None
        assert ann.status == "withdrawn"


async def _placed_or_offered(sessions: async_sessionmaker[AsyncSession], cohort_id: int) -> int:
    async with sessions() as session:
        return int(
            await session.scalar(
                select(func.count()).where(
                    Enrolment.cohort_id == cohort_id,
                    Enrolment.status.in_(("placed", "offered")),
                )
            )
            or 0
        )


async def test_placing_and_offering_at_the_same_time_never_overfill_a_group(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        programme = await _programme(session)
        sport_a = await _group(session, programme, "Sport A", "sport")
        sport_b = await _group(session, programme, "Sport B", "sport")
        first = await _signup(session, programme)
        await signup_groups.place(session, first, sport_a, T0)
        waiters = [await _signup(session, programme) for _ in range(3)]
        for n, waiter in enumerate(waiters):
            await signup_groups.put_on_waiting_list(session, waiter, sport_a, _at(n))
        newcomer = await _signup(session, programme)
        ids = (programme.id, sport_b.id, newcomer.id)

    # widen the window between reading the counts and writing the decision
    read_entries, read_load = signup_groups.pool_entries, signup_groups.load

    async def slow_entries(session: AsyncSession, programme_id: int) -> list[WaitingEntry]:
        entries = await read_entries(session, programme_id)
        await asyncio.sleep(0.05)
        return entries

    async def slow_load(
        session: AsyncSession, cohort: Cohort, now: dt.datetime
    ) -> signup_groups.GroupLoad:
        group = await read_load(session, cohort, now)
        await asyncio.sleep(0.05)
        return group

    monkeypatch.setattr(signup_groups, "pool_entries", slow_entries)
    monkeypatch.setattr(signup_groups, "load", slow_load)

    async def sweep() -> int:
        async with sessions.begin() as session:
            changes = await signup_groups.move_up(session, ids[0], _at(10), RULES)
            return len(changes.offered)

    async def place() -> bool:
        async with sessions.begin() as session:
            signup, cohort = await session.get(Signup, ids[2]), await session.get(Cohort, ids[1])
            assert signup is not None and cohort is not None
            result = await signup_groups.place(session, signup, cohort, _at(10))
            return not isinstance(result, PlacementError)

    offered_a, placed, offered_b = await asyncio.gather(sweep(), place(), sweep())
    assert offered_a + offered_b + int(placed) == 1
    assert await _placed_or_offered(sessions, sport_b.id) == 1
    async with sessions() as session:
        offers = await session.scalar(select(func.count()).where(Enrolment.status == "offered"))
        assert offers == offered_a + offered_b
