"""Load who sent the update (person, channel identity, roles) from the update's session.

One query per update, no upsert: a person is created only when a flow needs one (`/start`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, User

from storage import people

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class MemberMiddleware(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        private = chat is not None and chat.type == ChatType.PRIVATE
        member = None
        if user is not None and not user.is_bot:
            member = await people.find_member(data["db"], people.TELEGRAM, str(user.id))
            # only a message in their own chat shows the bot can reach them again; a post in a
            # group does not
            if member is not None and private and not member.identity.reachable:
                await people.mark_reachable(data["db"], member.identity)
            if member is not None and private and member.person.first_name is None:
                # bootstrap coordinators are created before we know their name
                member.person.first_name = user.first_name[:64]
        data["member"] = member
        data["roles"] = member.roles if member else frozenset()
        return await handler(event, data)
