"""Storage of the hours feature on SQLite and PostgreSQL: invites, decisions racing, totals."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.hours.places import OrganisationKind, PlacementTrack
from domain.hours.practice import LogStatus
from storage import migrate, people
from storage.db import create_session_factory
from storage.hours import queries as hours

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(engine)
    yield create_session_factory(engine)


async def _setup(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int, int, int]:
    """(log id, trainee id, supervisor id, second supervisor id)."""
    async with sessions.begin() as s:
        prog = await people.ensure_programme(s, "Den Bosch", "Europe/Amsterdam", T0)
        ids = []
        for n in range(3):
            m = await people.create_member(
                s,
                programme_id=prog.id,
                channel="telegram",
                external_id=str(n),
                chat_id=str(n),
                display_name=None,
                first_name=f"P{n}",
                now=T0,
            )
            ids.append(m.person.id)
        org = await hours.add_organisation(
            s,
            prog.id,
            name="Club",
            kind=OrganisationKind.SPORT,
            neighbourhood=None,
            contact=None,
            now=T0,
        )
        placement = await hours.add_placement(
            s,
            programme_id=prog.id,
            person_id=ids[0],
            organisation_id=org.id,
            supervisor_id=ids[1],
            track=PlacementTrack.SPORT,
            motivation=None,
            created_by=None,
            now=T0,
        )
        log = await hours.add_log(
            s, placement=placement, work_date=T0.date(), minutes=120, description="x", now=T0
        )
        return log.id, ids[0], ids[1], ids[2]


async def test_invite_is_single_use_expiring_and_hashed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _log, _trainee, sup, other = await _setup(sessions)
    async with sessions.begin() as s:
        org = (await hours.organisations(s, 1))[0]
        payload = await hours.create_invite(s, org, None, T0)
        late = await hours.create_invite(s, org, None, T0)
    token, late_token = payload[2:], late[2:]
    async with sessions.begin() as s:
        assert await hours.redeem_invite(s, "nonsense", sup, T0) is None
        used = await hours.redeem_invite(s, token, sup, T0)
        assert used is not None and used.token_hash == hours.hash_token(token)
    async with sessions.begin() as s:
        assert await hours.redeem_invite(s, token, other, T0) is None
        assert await hours.redeem_invite(s, late_token, other, T0 + dt.timedelta(days=8)) is None


async def test_racing_decisions_exactly_one_wins(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    log_id, trainee, sup, other = await _setup(sessions)

    async def decide(by: int, status: LogStatus) -> hours.Outcome:
        async with sessions.begin() as s:
            decision = await hours.decide(
                s, log_id, status=status, minutes=None, by=by, now=T0, reason=None
            )
            assert decision is not None
            return decision.outcome

    outcomes = await asyncio.gather(
        decide(sup, LogStatus.CONFIRMED),
        decide(other, LogStatus.REJECTED),
        decide(sup, LogStatus.CONFIRMED),
    )
    assert sorted(outcomes) == ["already", "already", "done"]
    async with sessions() as s:
        changes = await hours.history(s, log_id)
        assert len(changes) == 2
        log = await hours.get_log(s, log_id)
        assert log is not None and log.status == changes[-1].new_status
        counted = await hours.counted_minutes(s, trainee)
        assert counted == (120 if log.status is LogStatus.CONFIRMED else 0)


async def test_correction_keeps_history_and_totals(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    log_id, trainee, sup, other = await _setup(sessions)
    async with sessions.begin() as s:
        await hours.decide(s, log_id, status=LogStatus.CONFIRMED, minutes=None, by=sup, now=T0)
    async with sessions.begin() as s:
        log = await hours.get_log(s, log_id)
        assert log is not None
        await hours.correct_decided(s, log, minutes=45, by=other, now=T0, reason="te veel")
    async with sessions() as s:
        assert await hours.counted_minutes(s, trainee) == 45
        assert await hours.day_minutes(s, trainee, T0.date()) == [45]
        assert [c.new_status for c in await hours.history(s, log_id)] == [
            LogStatus.PENDING,
            LogStatus.CONFIRMED,
            LogStatus.CORRECTED,
        ]
        assert await hours.pending_for_supervisor(s, sup) == []
