"""Fixtures of the opportunities tests: people seeded straight into the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from domain.roles import Role
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage import people
from storage.models import Programme
from tests.conftest import BotHarness

Seed = Callable[[list[TestUser], Role], Awaitable[list[int]]]


@pytest.fixture
def seed(harness: BotHarness) -> Seed:
    """Make emulator users known people with a role (as if they had signed up long ago)."""

    async def _seed(users: list[TestUser], role: Role = Role.CITYTRAINER) -> list[int]:
        now = dt.datetime.now(dt.UTC)
        ids = []
        async with harness.app.sessions.begin() as session:
            programme = await session.scalar(select(Programme).order_by(Programme.id))
            assert programme is not None
            for user in users:
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
                        now=now,
                    )
                await people.grant_role(session, member.person.id, programme.id, role, now)
                ids.append(member.person.id)
        return ids

    return _seed


async def post_opportunity(
    cor: TestUser,
    *,
    title: str = "Sportdag Noord",
    places: int = 10,
    when: str = "doorlopend",
    deadline: str | None = None,
) -> BotMessage:
    """Cor posts an opportunity through /kans and publishes it; returns the progress message."""
    answers = [
        title,
        "Sportclub Noord",
        "Je helpt kinderen bij de spellen op het veld.",
        when,
        "Sportpark Noord, Den Bosch",
        "3",
        str(places),
    ]
    await cor.send("/kans")
    assert "kans plaatsen" in (await cor.expect_message()).text
    for index, answer in enumerate(answers):
        await cor.send(answer)
        if index < len(answers) - 1:
            await cor.expect_message()
    question = await cor.expect_message()  # track
    await cor.tap(question, "Beide")
    question = await cor.expect_message()  # for trainees
    await cor.tap(question, "Nee, alleen Citytrainers")
    question = await cor.expect_message()  # minimum age
    await cor.tap(question, "Geen minimumleeftijd")
    question = await cor.expect_message()  # neighbourhoods
    await cor.tap(question, "Overal")
    question = await cor.expect_message()  # deadline
    if deadline is None:
        await cor.tap(question, "Geen deadline")
    else:
        await cor.send(deadline)
    preview = await cor.expect_message()
    assert title in preview.text and "Publiceren" in preview.buttons
    await cor.tap(preview, "Publiceren")
    return await cor.expect_message()


async def many_users(emu: EmulatorClient, count: int, prefix: str = "Ct") -> list[TestUser]:
    return [await emu.create_user(f"{prefix}{n}") for n in range(count)]
