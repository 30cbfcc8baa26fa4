"""A request middleware for the bot that answers people directly (not the outbox sender).

- A short 429 (`retry_after` up to a few seconds) is waited out and the call tried again, so a
  burst does not turn a reply into an apology; a longer one is raised (the error handler).
- A 429 pauses that chat for every sender of this process (`ChatPauses`, shared with the outbox
  sender): no other answer goes to the chat before `retry_after` has passed.
- Editing a message to identical content ("message is not modified") counts as success.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.methods import (
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    Response,
    TelegramMethod,
)

EDITS = (EditMessageText, EditMessageReplyMarkup, EditMessageCaption)


class ChatPauses:
    """Chats Telegram asked us to leave alone for a while (a 429's `retry_after`)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._until: dict[str, float] = {}

    def pause(self, chat_id: object, seconds: float) -> None:
        now = self._now()
        key = str(chat_id)
        self._until[key] = max(self._until.get(key, 0.0), now + seconds)
        if len(self._until) > 10_000:
            self._until = {c: t for c, t in self._until.items() if t > now}

    def remaining(self, chat_id: object) -> float:
        until = self._until.get(str(chat_id))
        return 0.0 if until is None else max(0.0, until - self._now())


def chat_of(method: TelegramMethod[Any]) -> object | None:
    return getattr(method, "chat_id", None)


class InteractiveRequestMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        max_wait_seconds: float = 5.0,
        attempts: int = 2,
        *,
        pauses: ChatPauses | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.max_wait = max_wait_seconds
        self.attempts = attempts
        self.pauses = pauses or ChatPauses()
        self._sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        chat = chat_of(method)
        for attempt in range(self.attempts + 1):
            if chat is not None and (wait := self.pauses.remaining(chat)) > 0:
                if wait > self.max_wait:  # as Telegram itself would answer now
                    raise TelegramRetryAfter(
                        method=method,
                        message="chat paused after a 429",
                        retry_after=math.ceil(wait),
                    )
                await self._sleep(wait)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if chat is not None:
                    self.pauses.pause(chat, exc.retry_after)
                if attempt == self.attempts or exc.retry_after > self.max_wait:
                    raise
            except TelegramBadRequest as exc:
                if isinstance(method, EDITS) and "message is not modified" in exc.message:
                    return Response[Any](ok=True, result=True)
                raise
        raise AssertionError("unreachable")  # pragma: no cover
