"""A 429 for a chat holds back every direct answer to that chat until `retry_after` has passed
(issue 12: several answers went to a chat before Telegram's pause was over)."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, SendMessage, TelegramMethod

from bot.app.retry import ChatPauses, InteractiveRequestMiddleware
from tests.conftest import TOKEN


class FakeTelegram:
    """Answers 429 for a chat until the (fake) time its pause ends; records every call."""

    def __init__(self) -> None:
        self.now = 100.0
        self.paused_until: dict[str, float] = {}
        self.calls: list[tuple[float, str]] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def __call__(self, bot: Bot, method: TelegramMethod[Any]) -> Response[Any]:
        chat = str(getattr(method, "chat_id", ""))
        self.calls.append((self.now, chat))
        until = self.paused_until.get(chat, 0.0)
        if self.now < until:
            raise TelegramRetryAfter(
                method=method, message="Too Many Requests", retry_after=int(until - self.now)
            )
        return Response[Any](ok=True, result=True)


@pytest.fixture
def telegram() -> FakeTelegram:
    return FakeTelegram()


async def test_no_answer_reaches_a_paused_chat_before_its_pause_ends(telegram: FakeTelegram):
    pauses = ChatPauses(telegram.monotonic)
    middleware = InteractiveRequestMiddleware(pauses=pauses, sleep=telegram.sleep)
    bot = Bot(TOKEN)
    telegram.paused_until["7"] = telegram.now + 3
    await middleware(telegram, bot, SendMessage(chat_id=7, text="first"))
    # the first answer met the 429, waited 3 s and went through
    assert [round(t - 100.0, 3) for t, _ in telegram.calls] == [0.0, 3.0]
    # a pause another answer met is respected before the call, not discovered by a second 429
    pauses.pause(8, 2)
    await middleware(telegram, bot, SendMessage(chat_id=8, text="second"))
    assert telegram.calls[-1] == (105.0, "8") and len(telegram.calls) == 3
    await middleware(telegram, bot, SendMessage(chat_id=9, text="other chat"))
    assert telegram.calls[-1] == (105.0, "9")  # other chats are not held up
    await bot.session.close()


async def test_a_long_pause_is_not_waited_out_in_a_handler(telegram: FakeTelegram):
    pauses = ChatPauses(telegram.monotonic)
    middleware = InteractiveRequestMiddleware(pauses=pauses, sleep=telegram.sleep)
    bot = Bot(TOKEN)
    pauses.pause(7, 30)
    with pytest.raises(TelegramRetryAfter) as raised:
        await middleware(telegram, bot, SendMessage(chat_id=7, text="hallo"))
    assert raised.value.retry_after == 30 and telegram.calls == []  # Telegram is not asked
    await bot.session.close()
