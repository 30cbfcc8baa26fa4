"""The feature registry: the one visible place where every feature plugs into the bot.

A feature (a flow or a group of commands) declares its routers, its commands for the menu of
each role, its main-menu buttons, the periodic sweeps it needs, the replies it routes (replies
to bot messages whose outbox row has `ref="<kind>:<id>"`) and any web pages. Order matters:
routers are tried in the order of `all_features()`, before /start and the fallback.

Conventions, so features never collide: callback_data prefixes and deep-link payload prefixes
are listed in README.md ("How to add a flow"); each feature keeps its Dutch texts in its own
catalog `locales/nl/LC_MESSAGES/<feature>.po`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiohttp import web
from babel.support import LazyProxy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kit.clock import Clock
from bot.kit.metrics import Metrics
from domain.roles import Role

if TYPE_CHECKING:
    from bot.app.scheduler import Sweep
    from bot.kit.commands import CommandSpec
    from bot.kit.config import Settings
    from storage.people import Member


@dataclass(frozen=True)
class MenuItem:
    """A main-menu button; the feature's router handles `F.text == item.text`."""

    text: LazyProxy
    roles: frozenset[Role] | None = None  # only for these roles; None: everyone
    hide_for: frozenset[Role] = frozenset()  # not for these roles


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
class Feature:
    name: str
    routers: Callable[[], list[Router]]
    commands: tuple[CommandSpec, ...] = ()
    menu: tuple[MenuItem, ...] = ()
    sweeps: Callable[[FeatureDeps], list[Sweep]] | None = None
    replies: dict[str, ReplyHandler] = field(default_factory=dict)
    web: Callable[[web.Application, FeatureDeps], None] | None = None


def all_features() -> tuple[Feature, ...]:
    """Every feature, in the order its routers are tried."""
    from bot.conversations import question
    from bot.features.activities import feature as activity_feature
    from bot.features.course import feature as course_feature
    from bot.features.hours import feature as hours_feature
    from bot.features.nazorg import feature as nazorg_feature
    from bot.features.opportunities import feature as opportunity_feature
    from bot.features.signup import feature as signup_feature

    return (
        question.FEATURE,
        course_feature.FEATURE,
        hours_feature.FEATURE,
        opportunity_feature.FEATURE,
        activity_feature.FEATURE,
        signup_feature.FEATURE,
        nazorg_feature.FEATURE,
    )


def menu_items(roles: frozenset[Role]) -> list[MenuItem]:
    items = []
    for feature in all_features():
        for item in feature.menu:
            if item.roles is not None and not roles & item.roles:
                continue
            if roles & item.hide_for:
                continue
            items.append(item)
    return items


def reply_handlers() -> dict[str, ReplyHandler]:
    handlers: dict[str, ReplyHandler] = {}
    for feature in all_features():
        handlers.update(feature.replies)
    return handlers
