"""Last router: whatever nobody else handled gets a helpful hint, never silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.kit.callbacks import stale_button
from bot.kit.feature import Registry
from domain.roles import Role


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(unknown_text, F.text)
    router.message.register(not_text)
    router.callback_query.register(stale_button)
    return router


async def unknown_command(message: Message, roles: frozenset[Role], registry: Registry) -> None:
    await message.answer(
        _("I do not know that command. Type /help to see what you can do."),
        reply_markup=registry.main_menu(roles),
    )


async def unknown_text(message: Message, roles: frozenset[Role], registry: Registry) -> None:
    await message.answer(
        _("I did not quite get that. Choose something from the menu below or type /help."),
        reply_markup=registry.main_menu(roles),
    )


async def not_text(message: Message, roles: frozenset[Role], registry: Registry) -> None:
    await message.answer(
        _("I can only read text and buttons. Type /help to see what you can do."),
        reply_markup=registry.main_menu(roles),
    )
