"""Replies to the bot's own messages: the reply is routed by what that message was about.

Outbox rows carry a `ref` ("question:12"); when someone replies to the message we sent for
that row, the feature that registered the ref's kind (`Feature.replies`) takes the reply.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit.clock import Clock
from bot.kit.feature import Registry
from storage import people, questions
from storage.refs import parse_ref


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_reply, F.reply_to_message.from_user.is_bot, F.text)
    return router


async def on_reply(
    message: Message,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
    registry: Registry,
) -> None:
    assert message.reply_to_message is not None
    ref = await questions.ref_of_sent_message(
        db, str(message.chat.id), message.reply_to_message.message_id
    )
    if ref is None or member is None:
        await _not_routable(message)
        return
    parsed = parse_ref(ref)
    handler = registry.replies.get(parsed.kind) if parsed is not None else None
    if parsed is None or handler is None:
        await _not_routable(message)
        return
    await handler(message, db, clock, member, parsed.ident)


async def _not_routable(message: Message) -> None:
    await message.answer(
        _("I cannot link this reply to anything. Type /help to see what you can do.")
    )
