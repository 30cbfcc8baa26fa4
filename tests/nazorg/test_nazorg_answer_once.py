"""A nudge answer is bound to the tapper's own nudge and recorded once: a second answer to the
same nudge, or a forged answer from someone without a nudge waiting, changes nothing (no reply
row, no preference, nothing to the coordinators) and gets a kind word."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.nazorg.engagement import NudgeStep, ReplyAnswer, Wording
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage import migrate, people
from storage.db import create_session_factory
from storage.nazorg import queries as nazorg
from storage.nazorg.models import NazorgNudge, NazorgPreference, NazorgReply
from storage.opportunities.models import OpportunityPreference
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.nazorg.nazorg_helpers import T0, citytrainer, count, first_nudge

ANSWERED = "al beantwoord"


async def forged_message(harness: BotHarness, user: TestUser, payloads: list[str]) -> BotMessage:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=p, callback_data=p)] for p in payloads]
    )
    await harness.app.bot.send_message(user.id, "Knoppen", reply_markup=markup)
    return await user.expect_message()


async def test_a_nudge_is_answered_once(
    harness: BotHarness, emu: EmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    _clock, cor, sanne, pid, nudge = await first_nudge(harness, emu)
    await sanne.tap(nudge, "Ik wil weer iets doen")
    assert "/voorstel" in (await sanne.expect_message()).text
    assert "wil weer iets doen" in (await cor.expect_message()).text
    await eventually(lambda: count(harness, NazorgReply), lambda n: n == 1)
    # the same buttons again (an old copy of the nudge, or a modified client)
    for payload in ("nz:again:0", "nz:later:0", "nz:pause:3", "nz:stop:0", "nz:stopok:0"):
        again = await forged_message(harness, sanne, [payload])
        answer = await sanne.tap(again, callback_data=payload)
        assert answer is not None and ANSWERED in (answer.text or ""), (payload, answer)
    await sanne.expect_no_message(within=0.3)
    await cor.expect_no_message(within=0.3)
    assert await count(harness, NazorgReply) == 1
    async with harness.app.sessions() as session:
        pref = await session.get(NazorgPreference, pid)
        assert pref is None or (pref.paused_until is None and pref.stopped_at is None)
        opp = await session.get(OpportunityPreference, pid)
        assert opp is None or opp.opportunity_messages is not False
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_an_answer_without_a_nudge_of_ones_own_changes_nothing(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    _clock, cor, sanne, sanne_id, nudge = await first_nudge(harness, emu)
    # Eva is a Citytrainer who got no nudge (she was not there when the sweep ran)
    eva = await emu.create_user("Eva")
    eva_id = await citytrainer(harness, eva, T0)
    for payload in ("nz:again:0", "nz:pause:6", "nz:stopok:0", "nz:stop:0"):
        made_up = await forged_message(harness, eva, [payload])
        answer = await eva.tap(made_up, callback_data=payload)
        assert answer is not None and ANSWERED in (answer.text or ""), (payload, answer)
    await cor.expect_no_message(within=0.3)
    async with harness.app.sessions() as session:
        assert list(await session.scalars(select(NazorgReply))) == []
        assert await session.get(NazorgPreference, eva_id) is None
        opp = await session.get(OpportunityPreference, eva_id)
        assert opp is None or opp.opportunity_messages is not False
    # Sanne's own nudge is untouched and still takes her answer
    await sanne.tap(nudge, "Ik wil stoppen")
    confirm = await sanne.expect_message()
    await sanne.tap(confirm, "Ja, ik stop")
    assert "geen berichten meer" in (await sanne.expect_message()).text
    rows = await eventually(
        lambda: _replies(harness), lambda found: len(found) == 1 and found[0][0] == sanne_id
    )
    assert rows[0][1] is not None


async def _replies(harness: BotHarness) -> list[tuple[int, int | None]]:
    async with harness.app.sessions() as session:
        rows = await session.execute(select(NazorgReply.person_id, NazorgReply.nudge_id))
        return [(p, n) for p, n in rows.all()]


async def test_answer_nudge_binds_to_the_own_open_nudge_once(engine: AsyncEngine) -> None:
    now = dt.datetime(2026, 5, 5, 15, 0, tzinfo=dt.UTC)
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        programme = await people.ensure_programme(session, "Testdorp", "Europe/Amsterdam", now)
        ids = []
        for n in (1, 2, 3):
            member = await people.create_member(
                session, programme_id=programme.id, channel=people.TELEGRAM,
                external_id=str(1000 + n), chat_id=str(1000 + n), display_name="Ct",
                first_name="Ct", now=now,
            )  # fmt: skip
            ids.append(member.person.id)
        sanne, eva, fee = ids

        def nudge(person_id: int, step: NudgeStep, wording: Wording | None) -> NazorgNudge:
            return NazorgNudge(
                programme_id=programme.id, person_id=person_id, cycle_start=now, step=step,
                wording=wording, created_at=now,
            )  # fmt: skip

        own = nudge(sanne, NudgeStep.FIRST, Wording.A)
        session.add_all([own, nudge(fee, NudgeStep.FOLLOW_UP, None)])
        await session.flush()
        # Eva has no nudge, Fee only a follow-up entry (no message, no buttons): nothing to answer
        assert await nazorg.answer_nudge(session, eva, ReplyAnswer.AGAIN, now) is None
        assert await nazorg.answer_nudge(session, fee, ReplyAnswer.STOP, now) is None
        reply = await nazorg.answer_nudge(session, sanne, ReplyAnswer.LATER, now, months=3)
        assert reply is not None and reply.nudge_id == own.id and reply.person_id == sanne
        assert await nazorg.answer_nudge(session, sanne, ReplyAnswer.STOP, now) is None
        assert await nazorg.open_nudge(session, sanne) is None
    async with sessions() as session:
        rows = list(await session.scalars(select(NazorgReply)))
        assert [(r.person_id, r.nudge_id, r.answer) for r in rows] == [
            (sanne, own.id, ReplyAnswer.LATER)
        ]
