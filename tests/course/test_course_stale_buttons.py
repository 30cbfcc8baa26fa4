"""Course buttons whose data no longer parses (an old or forged payload) get the friendly "this
button no longer works" answer from the fallback router; old buttons that still parse keep
working, and so does the bot."""

from __future__ import annotations

import datetime as dt

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select

from bot.kit.clock import ManualClock
from domain.course.rules import ReminderAnswer
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage.course.models import SessionAnswer
from tests.conftest import BotHarness
from tests.course.conftest import make_world
from tests.e2e.helpers import eventually

UTC = dt.UTC
ADULT = dt.date(1990, 5, 1)
STALE = "Deze knop werkt niet meer"


async def old_message(harness: BotHarness, user: TestUser, payloads: list[str]) -> BotMessage:
    """A message as an older (or a tampered) version of the bot could have left on a phone."""
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=p, callback_data=p)] for p in payloads]
    )
    await harness.app.bot.send_message(user.id, "Een oud bericht", reply_markup=markup)
    return await user.expect_message()


async def test_course_payloads_that_no_longer_parse_get_a_friendly_answer(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    await harness.start(clock=clock)
    lotte, anna = await emu.create_user("Lotte"), await emu.create_user("Anna")
    start = dt.datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    async with harness.app.sessions.begin() as session:
        world = await make_world(
            session, starts=[start], leader_tg=lotte.id,
            participants=[(anna.id, "Anna", ADULT)], now=clock.now(),
        )  # fmt: skip
    sid = world.session_ids[0]
    forged = [
        f"rm:maybe:{sid}",  # an answer that does not exist
        f"rm:yes:{sid}:1",  # a part too many
        f"at:t:{sid}",  # a part missing
        f"cs:ics:{sid}",  # a part missing
        "cs:mvok:x:0",  # not a number
        "ce:ok:abc",  # not a number
    ]
    old = await old_message(harness, anna, [*forged, f"rm:yes:{sid}"])
    for payload in forged:
        answer = await anna.tap(old, callback_data=payload)
        assert answer is not None, payload
        assert answer.show_alert and STALE in (answer.text or ""), (payload, answer)
    await anna.expect_no_message(within=0.3)
    # an old button that still parses does what it always did
    answer = await anna.tap(old, callback_data=f"rm:yes:{sid}")
    assert answer is not None and STALE not in (answer.text or "")
    assert "je komt" in (await anna.expect_message()).text

    async def answers() -> list[SessionAnswer]:
        async with harness.app.sessions() as db:
            return list(await db.scalars(select(SessionAnswer)))

    rows = await eventually(answers, lambda r: len(r) == 1)
    assert rows[0].answer is ReminderAnswer.COMING
    # and the bot keeps working
    await anna.send("/rooster")
    assert "Bijeenkomst 1" in (await anna.expect_message()).text
    leader_view = await old_message(harness, lotte, ["at:open:x:0", f"cs:grp:{world.cohort_id}:0"])
    answer = await lotte.tap(leader_view, callback_data="at:open:x:0")
    assert answer is not None and STALE in (answer.text or "")
    answer = await lotte.tap(leader_view, callback_data=f"cs:grp:{world.cohort_id}:0")
    assert answer is not None and STALE not in (answer.text or "")
    assert "Bijeenkomst 1" in (await lotte.expect_message()).text
