"""Answer every callback query exactly once (see `bot.kit.callbacks`).

`AnswerLeftCallbacks` wraps callback-query handlers: after a handler that did not answer, it
answers without text, so no button keeps spinning. `RecordCallbackAnswers` is a request
middleware on the bot that records each `answerCallbackQuery` made while handling the update.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import AnswerCallbackQuery, Response, TelegramMethod
from aiogram.types import CallbackQuery, TelegramObject

from bot.kit import callbacks

log = logging.getLogger(__name__)


class AnswerLeftCallbacks(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        callbacks.track()
        result = await handler(event, data)
        if isinstance(event, CallbackQuery) and not callbacks.is_answered(event.id):
            try:
                await event.answer()
            except TelegramAPIError as exc:  # too old, or Telegram busy: nothing to repair
                log.info("could not answer callback query %s: %s", event.id, exc)
        return result


class RecordCallbackAnswers(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        if isinstance(method, AnswerCallbackQuery):
            callbacks.mark_answered(method.callback_query_id)
        return await make_request(bot, method)
