"""Buttons already on people's phones, and forged ones, pressed through the emulator.

The `pr` callback data is typed (`bot.features.activities.callbacks`,
`bot.features.impact.callbacks`); data that no longer parses (an unknown action or value, a
wrong number of parts, a number that is not one) must not raise: no filter matches and the
fallback router answers that the button no longer works. Old payloads that still parse work as
before, and the bot keeps working.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.kit.clock import ManualClock
from domain.roles import Role
from simulator.client import BotMessage, EmulatorClient, TestUser
from tests.conftest import BotHarness
from tests.opportunities.conftest import Seed

NO_LONGER_WORKS = "Deze knop werkt niet meer. Typ /help om te zien wat je kunt doen."
EMPTY_AGENDA = "De agenda is nu nog leeg. Heb je een idee? Stel het voor met /voorstel."

FORGED = [
    "pr:ok:5",  # a part missing
    "pr:ok:5::x",  # a part too many
    "pr:ok:five:",  # not a proposal number
    "pr:ry:1.5:",
    "pr:back:0:",  # an action that no longer exists
    "pr:zz:1:",
    "pr:hn:1:7",  # a helper count never offered
    "pr:need:8:pony",  # a need that does not exist
    "pr:fig:0:decade",  # a period that does not exist
    "pr",
]


async def _buttons(harness: BotHarness, user: TestUser, payloads: list[str]) -> BotMessage:
    """A message of the bot with one button per payload (as if sent by an older version)."""
    rows = [
        [InlineKeyboardButton(text=f"knop {n}", callback_data=data)]
        for n, data in enumerate(payloads)
    ]
    await harness.app.bot.send_message(
        user.id, "Oude knoppen", reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )
    message = await user.expect_message()
    assert message.text == "Oude knoppen"
    return message


async def test_forged_buttons_get_the_friendly_answer_and_old_ones_still_work(
    harness: BotHarness, emu: EmulatorClient, seed: Seed, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await cor.send("/start")  # the coordinator is known
    await cor.expect_message()
    sanne = await emu.create_user("Sanne")
    await seed([sanne], Role.CITYTRAINER)
    message = await _buttons(harness, sanne, FORGED)
    for n, data in enumerate(FORGED):
        answer = await sanne.tap(message, f"knop {n}")
        assert answer is not None, data
        assert answer.text == NO_LONGER_WORKS and answer.show_alert, data
    # payloads packed the old way still reach their handlers
    old = await _buttons(harness, sanne, ["pr:ok:99:", "pr:ag:0:"])
    answer = await sanne.tap(old, "knop 0")
    assert answer is not None and answer.text == "Alleen de coördinator beslist over dit voorstel."
    await sanne.tap(old, "knop 1")  # the agenda's page (the edit takes the buttons away)
    assert (await sanne.expect_edit(old)).text == EMPTY_AGENDA
    figures = await _buttons(harness, cor, ["pr:fig:0:last"])
    await cor.tap(figures, "knop 0")
    last_year = (await cor.expect_edit(figures)).text or ""
    assert "Cijfers 01-01-2025 tot en met 31-12-2025" in last_year
    # the bot keeps working
    await sanne.send("/agenda")
    assert (await sanne.expect_message()).text == EMPTY_AGENDA
