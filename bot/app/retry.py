"""A request middleware for the bot that answers people directly (not the outbox sender).

- A short 429 (`retry_after` up to a few seconds) is waited out and the call tried again, so a
  burst does not turn a reply into an apology; a longer one is raised (the error handler).
- Editing a message to identical content ("message is not modified") counts as success.
"""

from __future__ import annotations

import asyncio
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


class InteractiveRequestMiddleware(BaseRequestMiddleware):
    def __init__(self, max_wait_seconds: float = 5.0, attempts: int = 2) -> None:
        self.max_wait = max_wait_seconds
        self.attempts = attempts

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        for attempt in range(self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self.attempts or exc.retry_after > self.max_wait:
                    raise
                await asyncio.sleep(exc.retry_after)
            except TelegramBadRequest as exc:
                if isinstance(method, EDITS) and "message is not modified" in exc.message:
                    return Response[Any](ok=True, result=True)
                raise
        raise AssertionError("unreachable")  # pragma: no cover
