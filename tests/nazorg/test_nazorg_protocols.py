"""Nazorg's typed protocols: callback data packs exactly as before (buttons already on phones keep
working), payloads that no longer parse never raise, idempotency keys keep their text, the
follow-up flow's state loads whatever was saved, and the enum columns store plain text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import CallbackQuery, User
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.features.nazorg.callbacks import (
    DigestAction,
    DigestItem,
    FollowUpAction,
    FollowUpChoice,
    Nudge,
    NudgeAction,
    SettingKind,
    SettingsAction,
)
from bot.features.nazorg.conversations.followup import FollowUpData, load, save
from bot.features.nazorg.keys import digest_key, nudge_key, reply_key
from domain.nazorg.engagement import NudgeStep, ReplyAnswer, Wording
from domain.nazorg.settings import RunKind
from storage import migrate, people
from storage.db import create_session_factory
from storage.nazorg import queries as nazorg
from storage.nazorg.models import NazorgNudge, NazorgReply

NOW = dt.datetime(2026, 5, 5, 15, 0, tzinfo=dt.UTC)

# What the buttons looked like before the fields got full names and enums.
PACKED: list[tuple[CallbackData, str]] = [
    (Nudge(action=NudgeAction.AGAIN), "nz:again:0"),
    (Nudge(action=NudgeAction.LATER), "nz:later:0"),
    (Nudge(action=NudgeAction.PAUSE, months=1), "nz:pause:1"),
    (Nudge(action=NudgeAction.PAUSE, months=3), "nz:pause:3"),
    (Nudge(action=NudgeAction.PAUSE, months=6), "nz:pause:6"),
    (Nudge(action=NudgeAction.STOP), "nz:stop:0"),
    (Nudge(action=NudgeAction.STOP_CONFIRMED), "nz:stopok:0"),
    (Nudge(action=NudgeAction.STOP_CANCELLED), "nz:stopno:0"),
    (FollowUpAction(action=FollowUpChoice.DONE, nudge_id=123456789), "nzf:done:123456789"),
    (FollowUpAction(action=FollowUpChoice.SKIP), "nzf:skip:0"),
    *((DigestAction(item=item), f"nzd:{item.value}") for item in DigestItem),
    (SettingsAction(setting=SettingKind.OPPORTUNITY_MESSAGES, on=True), "st:opp:1"),
    (SettingsAction(setting=SettingKind.NUDGES, on=False), "st:nudge:0"),
]


@pytest.mark.parametrize(("data", "packed"), PACKED, ids=[p for _, p in PACKED])
def test_callback_data_packs_as_before_and_back(data: CallbackData, packed: str) -> None:
    assert data.pack() == packed
    assert len(packed.encode()) <= 64
    assert type(data).unpack(packed) == data


def test_digest_item_values_are_the_old_keys() -> None:
    assert [i.value for i in DigestItem] == [
        "followup",
        "signups",
        "hours",
        "proposals",
        "closing",
        "sessions",
    ]


def _query(data: str) -> CallbackQuery:
    user = User(id=1, is_bot=False, first_name="Sanne")
    return CallbackQuery(id="1", from_user=user, chat_instance="1", data=data)


@pytest.mark.parametrize(
    ("cls", "data"),
    [
        (Nudge, "nz:bogus:0"),  # unknown action
        (Nudge, "nz:again"),  # too few parts
        (Nudge, "nz:again:0:1"),  # too many parts
        (Nudge, "nz:pause:x"),  # months not a number
        (FollowUpAction, "nzf:list:0"),  # documented once, never sent, never handled
        (FollowUpAction, "nzf:done:abc"),
        (DigestAction, "nzd:nonsense"),
        (SettingsAction, "st:volume:1"),
        (SettingsAction, "st:opp:maybe"),
    ],
)
async def test_a_payload_that_no_longer_parses_does_not_match(
    cls: type[CallbackData], data: str
) -> None:
    assert await cls.filter()(_query(data)) is False


def test_idempotency_keys_keep_their_text() -> None:
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    assert (
        nudge_key(7, start, NudgeStep.SECOND) == f"nazorg:nudge:7:{int(start.timestamp())}:second"
    )
    assert nudge_key(7, start, NudgeStep.FIRST) == "nazorg:nudge:7:1772445600:first"
    assert reply_key(42) == "nazorg:reply:42"
    assert digest_key("2026-W10", "555") == "nazorg:digest:2026-W10:555"


@pytest.mark.parametrize(
    ("saved", "nudge_id"),
    [
        ({"nudge_id": 12}, 12),
        ({}, 0),  # saved before the key existed
        ({"nudge_id": "12"}, 12),
        ({"nudge_id": None}, 0),
        ({"nudge_id": "twelve"}, 0),
        ({"nudge_id": True}, 0),
        ({"nudge_id": -3}, 0),
        ({"nudge_id": 5, "something_else": [1]}, 5),
    ],
)
async def test_follow_up_state_loads_whatever_was_saved(
    saved: dict[str, Any], nudge_id: int
) -> None:
    state = FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=2, user_id=2))
    await state.set_data(saved)
    assert await load(state) == FollowUpData(nudge_id=nudge_id)


async def test_follow_up_state_round_trip() -> None:
    state = FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=2, user_id=2))
    await save(state, FollowUpData(nudge_id=99))
    assert await state.get_data() == {"nudge_id": 99}
    assert (await load(state)).nudge_id == 99


async def test_enum_columns_store_plain_text_and_read_members(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        programme = await people.ensure_programme(session, "Testdorp", "Europe/Amsterdam", NOW)
        member = await people.create_member(
            session,
            programme_id=programme.id,
            channel=people.TELEGRAM,
            external_id="1000",
            chat_id="1000",
            display_name="Ct",
            first_name="Ct",
            now=NOW,
        )
        pid, prog = member.person.id, programme.id
        session.add(
            NazorgNudge(
                programme_id=prog,
                person_id=pid,
                cycle_start=NOW,
                step=NudgeStep.FIRST,
                wording=Wording.B,
                created_at=NOW,
            )
        )
        await session.flush()
        await nazorg.add_reply(session, pid, ReplyAnswer.LATER, NOW, months=3)
        assert await nazorg.claim_run(session, prog, RunKind.DIGEST, "2026-W19", NOW)
        assert not await nazorg.claim_run(session, prog, RunKind.DIGEST, "2026-W19", NOW)
    async with sessions() as session:
        raw = (
            await session.execute(
                text(
                    "SELECT n.step, n.wording, r.answer, s.kind FROM nazorg_nudge n, "
                    "nazorg_reply r, nazorg_sweep_run s"
                )
            )
        ).one()
        assert tuple(raw) == ("first", "b", "later", "digest")
        nudge = await session.scalar(select(NazorgNudge))
        reply = await session.scalar(select(NazorgReply))
        assert nudge is not None and reply is not None
        assert nudge.step is NudgeStep.FIRST and nudge.wording is Wording.B
        assert reply.answer is ReplyAnswer.LATER and reply.nudge_id == nudge.id
    with pytest.raises(Exception, match="frist"):
        async with sessions.begin() as session:
            session.add(
                NazorgNudge(
                    programme_id=prog,
                    person_id=pid,
                    cycle_start=NOW,
                    step="frist",
                    created_at=NOW,
                )
            )
