"""Buttons that no longer parse (an old or forged payload) get the friendly "this button no longer
works" answer from the fallback router, and the bot keeps working afterwards."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from simulator.client import BotMessage, EmulatorClient, TestUser
from storage.nazorg.models import NazorgReply
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.nazorg.nazorg_helpers import count, first_nudge

STALE = "Deze knop werkt niet meer"


async def old_message(harness: BotHarness, user: TestUser, payloads: list[str]) -> BotMessage:
    """A message as an older (or a tampered) version of the bot could have left on a phone."""
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=p, callback_data=p)] for p in payloads]
    )
    await harness.app.bot.send_message(user.id, "Een oud bericht", reply_markup=markup)
    return await user.expect_message()


async def test_payloads_that_no_longer_parse_get_a_friendly_answer(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    _clock, cor, sanne, _pid, nudge = await first_nudge(harness, emu)
    forged = [
        "nz:bogus:0",  # an action that does not exist
        "nz:again",  # a part missing
        "nz:again:0:1",  # a part too many
        "nz:pause:x",  # months not a number
        "st:volume:1",  # /instellingen: an unknown setting
    ]
    old = await old_message(harness, sanne, forged)
    for payload in forged:
        answer = await sanne.tap(old, callback_data=payload)
        assert answer is not None, payload
        assert answer.show_alert and STALE in (answer.text or ""), (payload, answer)
    coordinator = await old_message(harness, cor, ["nzd:nonsense", "nzf:done:abc"])
    for payload in ("nzd:nonsense", "nzf:done:abc"):
        answer = await cor.tap(coordinator, callback_data=payload)
        assert answer is not None and STALE in (answer.text or ""), (payload, answer)
    await sanne.expect_no_message(within=0.3)
    assert await count(harness, NazorgReply) == 0
    # the real buttons still work
    await sanne.tap(nudge, "Ik wil weer iets doen")
    assert "/voorstel" in ((await sanne.expect_message()).text or "")
    await eventually(lambda: count(harness, NazorgReply), lambda n: n == 1)
    await sanne.send("/instellingen")
    assert "Jouw instellingen" in ((await sanne.expect_message()).text or "")
