"""Helpers for the nazorg tests: Citytrainers seeded straight into the database, settings,
and reading nudge rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from bot.kit.clock import ManualClock
from domain.roles import Role
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage import people
from storage.models import Programme, RoleGrant
from storage.nazorg.models import NazorgNudge
from tests.conftest import BotHarness

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # Monday 11:00 in Amsterdam
AFTERNOON = dt.datetime(2026, 3, 3, 15, 30, tzinfo=dt.UTC)  # Tuesday 16:30 in Amsterdam
WEEK = dt.timedelta(weeks=1)
NUDGE_DAY = AFTERNOON + WEEK  # 8 weeks after T0 - 7 weeks


async def fast(emu: EmulatorClient) -> None:
    await emu.set_limits(global_per_second=1000, per_chat_burst=500, per_chat_refill_per_second=200)


async def set_nazorg(harness: BotHarness, **values: Any) -> None:
    """Programme settings for nazorg (default here: digest on Sunday, out of the way)."""
    values.setdefault("digest_weekday", 6)
    async with harness.app.sessions.begin() as session:
        programme = await session.scalar(select(Programme).order_by(Programme.id))
        assert programme is not None
        settings = dict(programme.settings or {})
        settings["nazorg"] = values
        programme.settings = settings


async def citytrainer(
    harness: BotHarness,
    user: TestUser,
    certified_at: dt.datetime,
    *,
    birth_date: dt.date | None = None,
    role: Role = Role.CITYTRAINER,
) -> int:
    async with harness.app.sessions.begin() as session:
        programme = await session.scalar(select(Programme).order_by(Programme.id))
        assert programme is not None
        member = await people.find_member(session, people.TELEGRAM, str(user.id))
        if member is None:
            member = await people.create_member(
                session,
                programme_id=programme.id,
                channel=people.TELEGRAM,
                external_id=str(user.id),
                chat_id=str(user.id),
                display_name=user.first_name,
                first_name=user.first_name,
                now=certified_at,
            )
        member.person.birth_date = birth_date
        session.add(
            RoleGrant(
                person_id=member.person.id,
                programme_id=programme.id,
                role=role.value,
                granted_at=certified_at,
            )
        )
        return member.person.id


async def nudges(harness: BotHarness, person_id: int) -> list[NazorgNudge]:
    async with harness.app.sessions() as session:
        return list(
            await session.scalars(
                select(NazorgNudge)
                .where(NazorgNudge.person_id == person_id)
                .order_by(NazorgNudge.id)
            )
        )


async def count(harness: BotHarness, model: type, *where: Any) -> int:
    async with harness.app.sessions() as session:
        query = select(func.count()).select_from(model)
        if where:
            query = query.where(*where)
        return int(await session.scalar(query) or 0)


async def first_nudge(
    harness: BotHarness, emu: EmulatorClient, name: str = "Sanne"
) -> tuple[ManualClock, TestUser, TestUser, int, BotMessage]:
    """Start the bot with coordinator Cor; `name` is a Citytrainer who just got nudge 1."""
    await fast(emu)
    clock = ManualClock(T0)
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=clock)
    await set_nazorg(harness)
    user = await emu.create_user(name)
    pid = await citytrainer(harness, user, T0 - 7 * WEEK)
    clock.set(NUDGE_DAY)
    await harness.app.sweeper.run_all()
    nudge = await user.expect_message()
    assert "Ik wil weer iets doen" in nudge.buttons
    return clock, cor, user, pid, nudge
