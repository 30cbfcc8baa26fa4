"""A request middleware that makes every direct answer a text Telegram accepts (issue 12).

Outbox rows are checked when they are queued (`bot.kit.notify`); this covers what handlers send
themselves (`message.answer`, `bot.send_message`, edits, captions), checked with the same
parser the emulator uses (`bot.kit.texts`):

- a message longer than 4096 characters goes as several messages, cut where no tag is open
  (`texts.split`; the keyboard on the last one, the reply on the first); the caller gets the
  last message back;
- an edit or a caption that is too long is cut short with "…" (it cannot become two);
- HTML that does not parse is a bug: it is logged as an error naming the method, and the text is
  sent escaped (the tags show as typed) rather than refused by Telegram and lost.

It is registered first on the bot's session, so each part passes the other middlewares (the
429 handling of `bot.app.retry`) on its own.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, html
from aiogram.client.default import Default
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.enums import ParseMode
from aiogram.methods import EditMessageText, Response, SendMessage, TelegramMethod

from bot.kit import texts

log = logging.getLogger(__name__)


def _html_mode(bot: Bot, method: TelegramMethod[Any]) -> bool:
    """Whether the method's text or caption is parsed as HTML (entities given: it is not)."""
    if getattr(method, "entities", None) or getattr(method, "caption_entities", None):
        return False
    mode = getattr(method, "parse_mode", None)
    if isinstance(mode, Default):
        mode = bot.default[mode.name]
    return isinstance(mode, str) and mode.lower() == ParseMode.HTML.lower()


def _valid(value: str, method: TelegramMethod[Any], field: str) -> str:
    """`value` when its HTML parses, else `value` escaped (and an error logged)."""
    try:
        texts.length(value)
    except texts.TelegramHTMLError as exc:
        name = method.__api_method__
        log.error("%s: the %s is not valid HTML (%s); sent escaped", name, field, exc)
        return html.quote(value)
    return value


def _capped(value: str, method: TelegramMethod[Any], field: str, limit: int) -> str:
    if texts.fits(value, limit):
        return value
    name = method.__api_method__
    log.warning("%s: the %s is too long for Telegram and was cut short", name, field)
    return texts.cap(value, limit)


class OutgoingTextMiddleware(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        if not _html_mode(bot, method):
            if isinstance(method, SendMessage) and not method.entities:
                return await self._send(make_request, bot, method, html.quote(method.text), False)
            return await make_request(bot, method)
        if isinstance(method, SendMessage):
            text = _valid(method.text, method, "text")
            return await self._send(make_request, bot, method, text, True)
        update: dict[str, str] = {}
        if isinstance(method, EditMessageText) and method.text is not None:
            text = _valid(method.text, method, "text")
            update["text"] = _capped(text, method, "text", texts.MESSAGE_LIMIT)
        caption = getattr(method, "caption", None)
        if isinstance(caption, str):
            caption = _valid(caption, method, "caption")
            update["caption"] = _capped(caption, method, "caption", texts.CAPTION_LIMIT)
        changed = {k: v for k, v in update.items() if v != getattr(method, k)}
        if changed:
            method = method.model_copy(update=changed)
        return await make_request(bot, method)

    @staticmethod
    async def _send(
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: SendMessage,
        text: str,
        html_mode: bool,
    ) -> Response[Any]:
        """Send `text` (HTML; escaped plain text when not `html_mode`) in as many messages as
        it takes."""
        chunks = texts.split(text)
        if not html_mode:
            chunks = [texts.visible(chunk) for chunk in chunks]
        if len(chunks) == 1:
            if chunks[0] != method.text:
                method = method.model_copy(update={"text": chunks[0]})
            return await make_request(bot, method)
        log.info("sendMessage: a text of %d characters went as %d messages", len(text), len(chunks))
        response: Response[Any] | None = None
        for number, chunk in enumerate(chunks, start=1):
            update: dict[str, Any] = {"text": chunk}
            if number > 1:  # the reply to the first part only
                update.update(reply_parameters=None, reply_to_message_id=None)
            if number < len(chunks):  # the keyboard under the last part only
                update["reply_markup"] = None
            response = await make_request(bot, method.model_copy(update=update))
        assert response is not None
        return response
