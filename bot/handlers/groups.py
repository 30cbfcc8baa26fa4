"""Private chats only: the bot talks with one person at a time, never in a group.

Most people here are minors; what the bot says to someone (their data, their hours, their
/mijngegevens file) is for them alone. So `build_router` puts every handler of the bot behind one
filter, `PrivateChat`, and this module's router is the only one that sees a group, a supergroup
or a channel. There the bot stores nothing and says nothing personal: it posts at most once per
chat "praat privé met me" with a link to its private chat (an outbox row whose idempotency key is
`group-hint:<chat id>`, so the "once" survives restarts and replicas), and a tap on a button there
gets the same advice as a pop-up that only the tapper sees.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import Bot, Router, html
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.filters import Filter
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.notify import message_payload
from storage.refs import key

HINT_KEY = "group-hint"
# Observers that are not about a chat: the error handlers must see every error.
_NOT_CHAT_EVENTS = frozenset({"update", "error"})


class PrivateChat(Filter):
    """Passes only for an event in a private chat (aiogram resolves the chat of every update).

    Events without a chat (inline queries, polls) do not pass either: the bot has no use for
    them, and a feature that ever needs one must decide its privacy first.
    """

    async def __call__(
        self, event: TelegramObject, event_chat: Chat | None = None, **_: Any
    ) -> bool:
        return event_chat is not None and event_chat.type == ChatType.PRIVATE


def private_only(router: Router) -> Router:
    """Put `PrivateChat` on every chat event of `router` (so on all the routers inside it)."""
    for name, observer in router.observers.items():
        if name not in _NOT_CHAT_EVENTS:
            observer.filter(PrivateChat())
    return router


def hint_key(chat_id: int) -> str:
    return key(HINT_KEY, chat_id)


def create_router() -> Router:
    """What happens outside private chats: the hint, once per chat; nothing else."""
    router = Router(name=__name__)
    not_private = ~PrivateChat()
    router.message.register(hint_in_chat, not_private)
    router.callback_query.register(button_outside_private_chat, not_private)
    router.my_chat_member.register(added_to_chat, not_private)
    return router


async def hint_in_chat(message: Message, db: AsyncSession, clock: Clock, bot: Bot) -> None:
    await queue_hint(db, bot, message.chat, clock.now())


async def button_outside_private_chat(query: CallbackQuery) -> None:
    await query.answer(
        _("I only work in a private chat. Tap my name and then Start."), show_alert=True
    )


async def added_to_chat(event: ChatMemberUpdated, db: AsyncSession, clock: Clock, bot: Bot) -> None:
    joined = event.new_chat_member.status in (
        ChatMemberStatus.MEMBER,
        ChatMemberStatus.ADMINISTRATOR,
    )
    if joined and event.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        await queue_hint(db, bot, event.chat, clock.now())


async def queue_hint(db: AsyncSession, bot: Bot, chat: Chat, now: dt.datetime) -> bool:
    """Queue the hint for this chat unless it ever was before; True when it is queued now."""
    if chat.type == ChatType.PRIVATE:  # pragma: no cover - a programming error
        raise ValueError("the hint is only for chats other than private ones")
    me = await bot.me()
    link = f"https://t.me/{me.username}"
    text = _(
        "I only talk in private, so that nobody else sees your details. "
        "Talk to me in private: {link}"
    ).format(link=html.quote(link))
    button = InlineKeyboardButton(text=_("Talk to me in private"), url=link)
    return await notify.enqueue(
        db,
        chat_id=str(chat.id),
        payload=message_payload(text, InlineKeyboardMarkup(inline_keyboard=[[button]])),
        key=hint_key(chat.id),
        now=now,
    )
