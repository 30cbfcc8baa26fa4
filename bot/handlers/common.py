"""/help, /cancel and /privacy: available to everyone, in and outside a flow."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.kit.feature import Registry
from bot.kit.keyboards import MENU_HELP, MENU_PRIVACY
from domain.roles import Role


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_help, Command("help"))
    router.message.register(show_help, F.text == MENU_HELP)
    router.message.register(cancel, Command("cancel", "stop", "annuleer", "stoppen"))
    router.message.register(privacy, Command("privacy"))
    router.message.register(privacy, F.text == MENU_PRIVACY)
    return router


async def show_help(message: Message, roles: frozenset[Role], registry: Registry) -> None:
    lines = "\n".join(registry.help_lines(roles))
    await message.answer(
        _("This is what you can do here:\n\n{commands}\n\nTap a command or type it.").format(
            commands=lines
        ),
        reply_markup=registry.main_menu(roles),
    )


async def cancel(
    message: Message, state: FSMContext, roles: frozenset[Role], registry: Registry
) -> None:
    if await state.get_state() is None:
        text = _("You were not doing anything. Type /help to see what you can do.")
    else:
        text = _("OK, stopped. What you had already saved stays saved.")
    await state.clear()
    await message.answer(text, reply_markup=registry.main_menu(roles))


async def privacy(message: Message, roles: frozenset[Role], registry: Registry) -> None:
    await message.answer(
        _(
            "<b>Your privacy</b>\n\n"
            "<b>What we store:</b> your Telegram name and chat number, so the bot can send you "
            "messages. If you sign up, also what you tell us: your name, date of birth, "
            "postcode and your answers. Questions about gender or school are optional.\n\n"
            "<b>Why:</b> only to run the Citytrainers programme: your course, practice hours "
            "and activities. Figures about the programme never show names.\n\n"
            "<b>How long:</b> as long as you take part. A signup that never leads to a place "
            "is deleted after a while.\n\n"
            "<b>Your rights:</b> you may see your data at any time with /mijngegevens and "
            "delete it with /verwijderen. When we delete you, we only keep anonymous counts."
        ),
        reply_markup=registry.main_menu(roles),
    )
