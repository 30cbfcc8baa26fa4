"""Every button tap is answered exactly once, whatever the handler does (bot.kit.callbacks)."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.features import all_features
from bot.kit.feature import Feature
from simulator.client import EmulatorClient, TestUser
from tests.conftest import BotHarness


def _router() -> Router:
    router = Router(name="answers-test")

    @router.message(Command("knoppen"))
    async def show(message: Message) -> None:
        buttons = [
            [InlineKeyboardButton(text=name, callback_data=f"tt:{name}")]
            for name in ("silent", "self", "boom")
        ]
        await message.answer("Kies", reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons))

    @router.callback_query(F.data == "tt:silent")
    async def silent(query: CallbackQuery) -> None:
        assert query.message is not None
        await query.message.answer("Gedaan zonder antwoord")

    @router.callback_query(F.data == "tt:self")
    async def answers_itself(query: CallbackQuery) -> None:
        await query.answer("Zelf beantwoord")

    @router.callback_query(F.data == "tt:boom")
    async def answers_then_fails(query: CallbackQuery) -> None:
        await query.answer("Even kijken")
        raise RuntimeError("a bug after the answer")

    return router


TEST_FEATURE = Feature(name="answers_test", routers=lambda: [_router()])


async def _answers(user: TestUser) -> list[dict[str, Any]]:
    events = await user.client.events(user.id, 0, 0.0)
    return [e for e in events if e["type"] == "callback_answer"]


async def test_every_tap_is_answered_exactly_once(harness: BotHarness, emu: EmulatorClient):
    await harness.start(features=(*all_features(), TEST_FEATURE))
    tess = await emu.create_user("Tess")
    await tess.send("/knoppen")
    menu = await tess.expect_message()

    answer = await tess.tap(menu, "silent")
    assert answer is not None and not answer.text  # answered by the runtime, without text
    assert (await tess.expect_message()).text == "Gedaan zonder antwoord"

    answer = await tess.tap(menu, "self")
    assert answer is not None and answer.text == "Zelf beantwoord"

    answer = await tess.tap(menu, "boom")
    assert answer is not None and answer.text == "Even kijken"
    apology = await tess.expect_message()  # the error handler writes, it cannot answer again
    assert "Sorry, er ging bij ons iets mis" in apology.text

    answered = await _answers(tess)
    assert len(answered) == 3
    assert len({a["callback_query_id"] for a in answered}) == 3
    assert harness.app.metrics.errors._value.get() == 1  # only the planted bug
