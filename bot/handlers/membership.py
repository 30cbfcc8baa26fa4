"""A person blocks or unblocks the bot (`my_chat_member`): stop or resume messages at once."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatMemberStatus
from aiogram.types import ChatMemberUpdated
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit.clock import Clock
from storage import outbox, people


def create_router() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.register(on_membership)
    return router


async def on_membership(
    event: ChatMemberUpdated, db: AsyncSession, clock: Clock, member: people.Member | None
) -> None:
    if member is None or event.chat.type != "private":
        return
    status = event.new_chat_member.status
    if status in (ChatMemberStatus.KICKED, ChatMemberStatus.LEFT):
        await people.mark_unreachable(db, people.TELEGRAM, str(event.chat.id), clock.now())
        await outbox.drop_pending_for_chat(db, str(event.chat.id), "the person blocked the bot")
    elif status == ChatMemberStatus.MEMBER:
        await people.mark_reachable(db, member.identity)
