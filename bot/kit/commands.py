"""The command menu, per role: what /help lists and what setMyCommands shows.

Feature modules add their commands here; coordinator commands are shown only in
coordinators' chats (BotCommandScopeChat).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from domain.roles import Role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandSpec:
    command: str
    description: LazyProxy
    roles: frozenset[Role] | None = None  # None: everyone


CORE_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", __("Start and main menu")),
    CommandSpec("help", __("What you can do here")),
    CommandSpec("cancel", __("Stop what you are doing")),
    CommandSpec("privacy", __("What we store about you")),
    CommandSpec("status", __("How the bot is doing"), frozenset({Role.COORDINATOR})),
)


def all_commands() -> list[CommandSpec]:
    from bot.kit.feature import all_features

    specs = list(CORE_COMMANDS[:4])
    for feature in all_features():
        specs.extend(feature.commands)
    specs.extend(CORE_COMMANDS[4:])
    return specs


def commands_for(roles: Iterable[Role]) -> list[CommandSpec]:
    held = set(roles)
    return [c for c in all_commands() if c.roles is None or held & c.roles]


def _bot_commands(specs: list[CommandSpec]) -> list[BotCommand]:
    return [BotCommand(command=c.command, description=str(c.description)) for c in specs]


async def publish_default_commands(bot: Bot, i18n: I18n) -> None:
    with i18n.context(), i18n.use_locale(i18n.default_locale):
        await bot.set_my_commands(_bot_commands(commands_for(())), scope=BotCommandScopeDefault())


async def publish_commands_for_chat(
    bot: Bot, i18n: I18n, chat_id: int, roles: Iterable[Role]
) -> None:
    """Give a staff member's chat the commands of their roles (best effort)."""
    roles = frozenset(roles)
    if not any(c.roles for c in commands_for(roles)):
        return
    try:
        with i18n.context(), i18n.use_locale(i18n.default_locale):
            await bot.set_my_commands(
                _bot_commands(commands_for(roles)), scope=BotCommandScopeChat(chat_id=chat_id)
            )
    except TelegramAPIError as exc:
        log.warning("could not set commands for chat %s: %s", chat_id, exc)


def help_lines(roles: Iterable[Role]) -> list[str]:
    return [f"/{c.command} – {c.description}" for c in commands_for(roles)]
