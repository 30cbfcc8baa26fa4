"""The opportunities feature: /kans, /kansen, broadcasts, /voorstel, /agenda, /cijfers, and
the question after an opportunity (attended? hours: bot.opportunity_hours)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.features.opportunities import handlers, hours
from bot.features.opportunities.broadcast import install
from bot.features.opportunities.conversations import post
from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature, FeatureDeps, MenuItem
from bot.kit.sweep import Sweep
from domain.roles import Role

COORDINATOR = frozenset({Role.COORDINATOR})


def _routers() -> list[Router]:
    return [post.create_router(), handlers.create_router(), hours.create_router()]


def _sweeps(_deps: FeatureDeps) -> list[Sweep]:
    return hours.sweeps()


FEATURE = Feature(
    name="opportunities",
    routers=_routers,
    commands=(
        CommandSpec("kansen", __("Open opportunities for you")),
        CommandSpec("kans", __("Post an opportunity"), COORDINATOR),
    ),
    menu=(
        MenuItem(
            handlers.MENU_OPPORTUNITIES, roles=frozenset({Role.CITYTRAINER, Role.PARTICIPANT})
        ),
    ),
    sweeps=_sweeps,
    web=install,
)
