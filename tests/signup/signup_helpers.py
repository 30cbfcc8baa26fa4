"""Helpers for the signup tests: walk the conversation, make groups, read the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from simulator.client import BotMessage, EmulatorClient, TestUser
from storage.course.models import Cohort, CourseSession
from storage.models import Person, Programme
from storage.signup.models import Enrolment
from tests.conftest import BotHarness

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


async def fast(emu: EmulatorClient) -> None:
    """People type slower than tests: lift the emulator's per-chat flood limit."""
    await emu.set_limits(global_per_second=1000, per_chat_burst=500, per_chat_refill_per_second=200)


async def answer(user: TestUser, text: str, expect: str | None = None) -> BotMessage:
    await user.send(text)
    msg = await user.expect_message()
    if expect is not None:
        assert expect in (msg.text or ""), msg.text
    return msg


async def tap(
    user: TestUser, msg: BotMessage, button: str, expect: str | None = None
) -> BotMessage:
    await user.tap(msg, button)
    if expect is not None:
        return await expect_text(user, expect, skip=2)
    return await user.expect_message()


async def sign_up(
    user: TestUser, *, birth: str = "01-05-2008", parent: bool = False, start: str = "/aanmelden"
) -> BotMessage:
    """Walk the whole conversation up to the summary; returns the summary message."""
    intro = await answer(user, start, "Aanmelden voor Citytrainers")
    q = await tap(user, intro, "Beginnen", "Vraag 1 van")
    q = await answer(user, user.first_name, "achternaam")
    q = await tap(user, q, "Overslaan", "geboortedatum")
    q = await answer(user, birth, "Nederlands")
    q = await tap(user, q, "Ja", "richting")
    q = await tap(user, q, "Ik train mijn stad (sport)", "organiseren")
    q = await answer(user, "Een voetbaltoernooi in mijn straat", "postcode")
    q = await answer(user, "5211ab", "meisje")
    q = await tap(user, q, "Meisje / vrouw", "school")
    q = await tap(user, q, "havo / vwo", "gehoord")
    q = await tap(user, q, "Op school", "contact")
    q = await tap(user, q, "Hier in de chat", "privacyverklaring")
    if parent:
        q = await tap(user, q, "Ik ga akkoord", "ouder of voogd")
        q = await answer(user, "Karin Jansen", "bereiken")
        return await answer(user, "06 12345678", "Klopt alles?")
    return await tap(user, q, "Ik ga akkoord", "Klopt alles?")


async def make_cohort(
    harness: BotHarness, name: str = "Groep A", capacity: int = 15, track: str = "sport"
) -> int:
    async with harness.app.sessions.begin() as session:
        programme = await session.scalar(select(Programme))
        assert programme is not None
        cohort = Cohort(
            programme_id=programme.id,
            name=name,
            track=track,
            capacity=capacity,
            location="Buurthuis De Boog",
            created_at=T0,
        )
        session.add(cohort)
        await session.flush()
        session.add(
            CourseSession(
                programme_id=programme.id,
                cohort_id=cohort.id,
                kind="meeting",
                seq=1,
                starts_at=dt.datetime(2026, 4, 7, 17, 0, tzinfo=dt.UTC),
                duration_minutes=150,
                location="Buurthuis De Boog",
            )
        )
        return cohort.id


async def fill(harness: BotHarness, cohort_id: int) -> None:
    """Give the cohort's last place to someone placed earlier (straight in the database)."""
    async with harness.app.sessions.begin() as session:
        cohort = await session.get(Cohort, cohort_id)
        assert cohort is not None
        person = Person(programme_id=cohort.programme_id, first_name="Eerder", created_at=T0)
        session.add(person)
        await session.flush()
        session.add(
            Enrolment(
                programme_id=cohort.programme_id,
                cohort_id=cohort_id,
                person_id=person.id,
                status="placed",
                track=cohort.track,
                created_at=T0,
            )
        )


async def count(harness: BotHarness, model: type, *where: Any) -> int:
    async with harness.app.sessions() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)
        return int(await session.scalar(query) or 0)


async def first(harness: BotHarness, model: type, *where: Any) -> Any:
    async with harness.app.sessions() as session:
        query = select(model)
        for condition in where:
            query = query.where(condition)
        return await session.scalar(query.order_by(model.id.desc()))  # type: ignore[attr-defined]


async def expect_text(user: TestUser, needle: str, skip: int = 3) -> BotMessage:
    """The next message containing `needle`, skipping a few from other features (digests)."""
    for _ in range(skip + 1):
        msg = await user.expect_message()
        if needle in (msg.text or ""):
            return msg
    raise AssertionError(f"no message with {needle!r}")
