"""The command menu, per role: what /help lists and what setMyCommands shows.

Features declare their commands (`Feature.commands`) and the registry orders them; coordinator
commands are shown only in coordinators' chats (BotCommandScopeChat).
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


def commands_for(specs: Iterable[CommandSpec], roles: Iterable[Role]) -> list[CommandSpec]:
    held = set(roles)
    return [c for c in specs if c.roles is None or held & c.roles]


def _bot_commands(specs: list[CommandSpec]) -> list[BotCommand]:
    return [BotCommand(command=c.command, description=str(c.description)) for c in specs]


async def publish_default_commands(bot: Bot, i18n: I18n, specs: Iterable[CommandSpec]) -> None:
    with i18n.context(), i18n.use_locale(i18n.default_locale):
        await bot.set_my_commands(
            _bot_commands(commands_for(specs, ())), scope=BotCommandScopeDefault()
        )


async def publish_commands_for_chat(
    bot: Bot, i18n: I18n, specs: Iterable[CommandSpec], chat_id: int, roles: Iterable[Role]
) -> None:
    """Give a staff member's chat the commands of their roles (best effort)."""
    mine = commands_for(specs, roles)
    if not any(c.roles for c in mine):
        return
    try:
        with i18n.context(), i18n.use_locale(i18n.default_locale):
            await bot.set_my_commands(
                _bot_commands(mine), scope=BotCommandScopeChat(chat_id=chat_id)
            )
    except TelegramAPIError as exc:
        log.warning("could not set commands for chat %s: %s", chat_id, exc)


def help_lines(specs: Iterable[CommandSpec], roles: Iterable[Role]) -> list[str]:
    return [f"/{c.command} – {c.description}" for c in commands_for(specs, roles)]
