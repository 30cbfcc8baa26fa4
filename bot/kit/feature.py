"""What a feature is, and the registry of the features one app is built with.

A feature (signup, course, hours, ...) declares its routers, its commands for the menu of each
role, its main-menu buttons, the periodic sweeps it needs, the replies it routes (replies to bot
messages whose outbox row has `ref="<kind>:<id>"`, see `storage.refs`), its web pages and its
command-line commands. The list of features lives in `bot.features` and is passed to the
composition root (`bot.app.factory.build_app`), which builds one `Registry` and injects it into
handlers as `registry`; nothing looks features up at run time.

Conventions, so features never collide: callback_data prefixes and deep-link payload prefixes
are listed in docs/architecture.md; each feature keeps its Dutch texts in its own catalog
`locales/nl/LC_MESSAGES/<feature>.po`.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Router
from aiogram.types import Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiohttp import web
from babel.support import LazyProxy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kit import commands as command_menu
from bot.kit import keyboards
from bot.kit.clock import Clock
from bot.kit.commands import CommandSpec
from bot.kit.config import Settings
from bot.kit.metrics import Metrics
from bot.kit.sweep import Sweep
from domain.roles import Role

if TYPE_CHECKING:
    from storage.people import Member


@dataclass(frozen=True)
class MenuItem:
    """A main-menu button; the feature's router handles `F.text == item.text`."""

    text: LazyProxy
    roles: frozenset[Role] | None = None  # only for these roles; None: everyone
    hide_for: frozenset[Role] = frozenset()  # not for these roles

    def shown_to(self, roles: frozenset[Role]) -> bool:
        if self.roles is not None and not roles & self.roles:
            return False
        return not roles & self.hide_for


@dataclass(frozen=True)
class FeatureDeps:
    """What a feature's sweeps and web pages may use (built once by the composition root)."""

    settings: Settings
    clock: Clock
    sessions: async_sessionmaker[AsyncSession]
    metrics: Metrics
    i18n: I18n


ReplyHandler = Callable[[Message, AsyncSession, Clock, "Member", str], Awaitable[None]]


@dataclass(frozen=True)
class CliCommand:
    """A `citytrainers-bot <name> ...` command of a feature."""

    name: str
    add_parser: Callable[[Any], None]  # gets argparse's subparsers action
    run: Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


@dataclass(frozen=True)
class Feature:
    name: str
    routers: Callable[[], list[Router]]
    commands: tuple[CommandSpec, ...] = ()
    menu: tuple[MenuItem, ...] = ()
    sweeps: Callable[[FeatureDeps], list[Sweep]] | None = None
    replies: dict[str, ReplyHandler] = field(default_factory=dict)
    web: Callable[[web.Application, FeatureDeps], None] | None = None
    cli: tuple[CliCommand, ...] = ()


class Registry:
    """The features of one app, in the order their routers are tried; built once."""

    def __init__(self, features: Sequence[Feature]) -> None:
        names = [feature.name for feature in features]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"feature registered twice: {', '.join(duplicates)}")
        self.features = tuple(features)
        self.replies: dict[str, ReplyHandler] = {}
        for feature in self.features:
            for kind, handler in feature.replies.items():
                if kind in self.replies:
                    raise ValueError(f"reply kind {kind!r} registered twice")
                self.replies[kind] = handler
        specs = list(command_menu.CORE_COMMANDS[:4])
        for feature in self.features:
            specs.extend(feature.commands)
        specs.extend(command_menu.CORE_COMMANDS[4:])
        self.commands: tuple[CommandSpec, ...] = tuple(specs)
        self.cli: dict[str, CliCommand] = {c.name: c for f in self.features for c in f.cli}

    def routers(self) -> list[Router]:
        return [router for feature in self.features for router in feature.routers()]

    def sweeps(self, deps: FeatureDeps) -> list[Sweep]:
        return [s for f in self.features if f.sweeps is not None for s in f.sweeps(deps)]

    def install_web(self, app: web.Application, deps: FeatureDeps) -> None:
        for feature in self.features:
            if feature.web is not None:
                feature.web(app, deps)

    def menu_items(self, roles: Iterable[Role]) -> list[MenuItem]:
        held = frozenset(roles)
        return [item for f in self.features for item in f.menu if item.shown_to(held)]

    def main_menu(self, roles: Iterable[Role]) -> ReplyKeyboardMarkup:
        """The persistent menu under the chat for someone with these roles."""
        held = frozenset(roles)
        return keyboards.main_menu([str(item.text) for item in self.menu_items(held)], held)

    def commands_for(self, roles: Iterable[Role]) -> list[CommandSpec]:
        return command_menu.commands_for(self.commands, roles)

    def help_lines(self, roles: Iterable[Role]) -> list[str]:
        return command_menu.help_lines(self.commands, roles)

    async def publish_default_commands(self, bot: Bot, i18n: I18n) -> None:
        await command_menu.publish_default_commands(bot, i18n, self.commands)

    async def publish_commands_for_chat(
        self, bot: Bot, i18n: I18n, chat_id: int, roles: Iterable[Role]
    ) -> None:
        await command_menu.publish_commands_for_chat(bot, i18n, self.commands, chat_id, roles)
