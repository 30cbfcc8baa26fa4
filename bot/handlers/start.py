"""/start: welcome, the menu for your roles, and deep links (`/start <payload>`).

Flows that own a deep link register `CommandStart(deep_link=True, magic=...)` in their own
router, which is included before this one; a payload nobody claimed lands here.
"""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit.clock import Clock
from bot.kit.feature import Registry
from storage import people


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, CommandStart(), F.from_user)
    return router


async def start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member | None,
    clock: Clock,
    bot: Bot,
    i18n: I18n,
    registry: Registry,
) -> None:
    user = message.from_user
    assert user is not None
    await state.clear()
    member = member or await people.ensure_telegram_member(
        db,
        user_id=user.id,
        chat_id=message.chat.id,
        first_name=user.first_name,
        display_name=user.full_name,
        now=clock.now(),
    )
    if command.args:
        await message.answer(
            _(
                "This link does not work (any more). It may have expired or been used already. "
                "Ask the person who sent it for a new link."
            )
        )
    name = html.quote(member.person.first_name or user.first_name)
    await message.answer(
        _(
            "Hi {name}! I am the Citytrainers bot.\n\n"
            "At Citytrainers you learn to organise sport and culture activities in your own "
            "neighbourhood. You are welcome from the age of 14, and taking part is free.\n\n"
            "What would you like to do? Choose below or type /help."
        ).format(name=name),
        reply_markup=registry.main_menu(member.roles),
    )
    if member.roles:
        await registry.publish_commands_for_chat(bot, i18n, message.chat.id, member.roles)
