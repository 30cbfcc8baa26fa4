"""The sweep on both databases: run twice, and two workers at once (PostgreSQL), each nudge once;
a person without a reachable chat goes straight to the follow-up list; figures per wording."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.app.i18n import build_i18n
from bot.features.nazorg.sweep import nudge_sweep_run, run_nudges
from domain.nazorg.engagement import NudgeStep, ReplyAnswer, Wording
from domain.roles import Role
from storage import migrate, people
from storage.db import create_session_factory
from storage.models import OutboxMessage, Programme, RoleGrant
from storage.nazorg import queries as nazorg
from storage.nazorg.models import NazorgNudge, NazorgReply

NOW = dt.datetime(2026, 5, 5, 15, 0, tzinfo=dt.UTC)  # Tuesday 17:00 in Amsterdam


async def seed(session: AsyncSession, n: int, *, reachable: bool = True) -> Programme:
    programme = await people.ensure_programme(session, "Testdorp", "Europe/Amsterdam", NOW)
    for i in range(n):
        member = await people.create_member(
            session,
            programme_id=programme.id,
            channel=people.TELEGRAM,
            external_id=str(1000 + i),
            chat_id=str(1000 + i),
            display_name=f"Ct{i}",
            first_name=f"Ct{i}",
            now=NOW,
        )
        member.identity.reachable = reachable
        session.add(
            RoleGrant(
                person_id=member.person.id,
                programme_id=programme.id,
                role=Role.CITYTRAINER.value,
                granted_at=NOW - dt.timedelta(weeks=10),
            )
        )
    await session.flush()
    return programme


async def counts(session: AsyncSession) -> tuple[int, int]:
    nudges = await session.scalar(select(func.count()).select_from(NazorgNudge))
    messages = await session.scalar(select(func.count()).select_from(OutboxMessage))
    return int(nudges or 0), int(messages or 0)


async def test_sweep_run_twice_nudges_once(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    i18n = build_i18n()
    async with sessions.begin() as session:
        await seed(session, 25)
    with i18n.context(), i18n.use_locale("nl"):
        for _ in range(2):
            async with sessions.begin() as session:
                await nudge_sweep_run(session, NOW)
        # also without the daily claim: the unique constraint keeps it at one
        async with sessions.begin() as session:
            programme = await session.scalar(select(Programme))
            assert programme is not None
            settings = nazorg.settings_of(programme)
            again = await run_nudges(session, programme, NOW, settings, batch=7)
            assert again == {step: 0 for step in NudgeStep}
    async with sessions() as session:
        assert await counts(session) == (25, 25)
        row = await session.scalar(select(OutboxMessage))
        assert row is not None and "Hoi Ct" in row.payload["text"]


async def test_two_workers_at_once_nudge_once(pg_engine: AsyncEngine) -> None:
    await migrate.upgrade(pg_engine)
    sessions = create_session_factory(pg_engine)
    i18n = build_i18n()
    async with sessions.begin() as session:
        await seed(session, 120)

    async def worker(seed_value: int, claim: bool) -> None:
        with i18n.context(), i18n.use_locale("nl"):
            async with sessions.begin() as session:
                if claim:
                    await nudge_sweep_run(session, NOW)
                    return
                programme = await session.scalar(select(Programme))
                assert programme is not None
                await run_nudges(
                    session,
                    programme,
                    NOW,
                    nazorg.settings_of(programme),
                    rng=random.Random(seed_value),
                    batch=50,
                )

    # the whole sweep twice at once (the daily claim decides), then the nudge core twice at once
    await asyncio.gather(worker(1, True), worker(2, True))
    async with sessions() as session:
        assert await counts(session) == (120, 120)
    async with sessions.begin() as session:
        await session.execute(OutboxMessage.__table__.delete())
        await session.execute(NazorgNudge.__table__.delete())
    await asyncio.gather(*(worker(n, False) for n in range(3)))
    async with sessions() as session:
        assert await counts(session) == (120, 120)
        keys = await session.scalar(
            select(func.count(func.distinct(OutboxMessage.idempotency_key)))
        )
        assert keys == 120


async def test_unreachable_people_go_to_the_follow_up_list(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    i18n = build_i18n()
    async with sessions.begin() as session:
        programme = await seed(session, 3, reachable=False)
    with i18n.context(), i18n.use_locale("nl"):
        async with sessions.begin() as session:
            await nudge_sweep_run(session, NOW)
    async with sessions() as session:
        assert await counts(session) == (3, 0)
        entries = await nazorg.follow_up_list(session, programme.id)
        assert [e.name for e in entries] == ["Ct0", "Ct1", "Ct2"]
        assert entries[0].history[0][0] is NudgeStep.FOLLOW_UP


@pytest.mark.parametrize("answer", [ReplyAnswer.AGAIN])
async def test_nudge_outcomes_count_comebacks(engine: AsyncEngine, answer: ReplyAnswer) -> None:
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    i18n = build_i18n()
    async with sessions.begin() as session:
        await seed(session, 4)
    with i18n.context(), i18n.use_locale("nl"):
        async with sessions.begin() as session:
            await nudge_sweep_run(session, NOW)
    async with sessions.begin() as session:
        ids = list(await session.scalars(select(NazorgNudge.person_id).order_by(NazorgNudge.id)))
        session.add(NazorgReply(person_id=ids[0], answer=answer, at=NOW + dt.timedelta(days=3)))
        session.add(
            NazorgReply(person_id=ids[1], answer=ReplyAnswer.LATER, at=NOW + dt.timedelta(days=3))
        )
    async with sessions() as session:
        programme = await session.scalar(select(Programme))
        assert programme is not None
        outcomes = await nazorg.nudge_outcomes(session, programme.id)
    assert all(isinstance(o[0], NudgeStep) and o[1] in tuple(Wording) for o in outcomes)
    backs = sorted(o[3] is not None for o in outcomes)
    assert backs == [False, False, False, True]
    assert all(o[3] is None or o[3] == NOW + dt.timedelta(days=3) for o in outcomes)
