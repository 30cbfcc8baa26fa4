"""Every button tap is answered exactly once, in one place.

Telegram shows a spinner on a tapped button until the bot answers the callback query, and
refuses a second answer. Handlers answer with `query.answer(...)` when they have something to
say (a toast or an alert); whatever they leave unanswered is answered, empty, by the runtime
after the handler (`bot.app.middlewares.callbacks`). The bot's request middleware records every
`answerCallbackQuery` of the current update here, so nothing is answered twice, also not by the
error handler.
"""

from __future__ import annotations

from contextvars import ContextVar

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

_answered: ContextVar[set[str] | None] = ContextVar("answered_callback_queries", default=None)


def track() -> set[str]:
    """Start recording the callback queries answered while handling this update."""
    answered: set[str] = set()
    _answered.set(answered)
    return answered


def mark_answered(query_id: str) -> None:
    answered = _answered.get()
    if answered is not None:
        answered.add(query_id)


def is_answered(query_id: str) -> bool:
    answered = _answered.get()
    return answered is not None and query_id in answered


async def stale_button(query: CallbackQuery) -> None:
    """The answer to a button that no longer works: old, forged, or not for this person."""
    await query.answer(
        _("This button no longer works. Type /help to see what you can do."), show_alert=True
    )
