"""One error handler: log the exception with the update's context, apologise in Dutch."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

from bot.kit import callbacks
from bot.kit.metrics import Metrics

log = logging.getLogger(__name__)


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router


async def on_error(event: ErrorEvent, metrics: Metrics) -> bool:
    update = event.update
    user = getattr(update.event, "from_user", None)
    metrics.errors.inc()
    log.error(
        "handler failed: update_id=%s type=%s user_id=%s",
        update.update_id,
        update.event_type,
        getattr(user, "id", None),
        exc_info=event.exception,
    )
    text = _(
        "Sorry, something went wrong on our side. Please try again in a moment, "
        "or type /help. What you had saved before is still there."
    )
    try:
        query = update.callback_query
        if query is not None and not callbacks.is_answered(query.id):
            await query.answer(text, show_alert=True)
        elif query is not None and query.message is not None:
            await query.message.answer(text)
        elif update.message is not None:
            await update.message.answer(text)
    except TelegramAPIError:
        log.warning("could not send the apology for update %s", update.update_id)
    return True
