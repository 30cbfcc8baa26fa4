"""The opportunities feature: /kans, /kansen, broadcasts, /voorstel, /agenda, /cijfers, and
the question after an opportunity (attended? hours: bot.opportunity_hours)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.app.scheduler import Sweep
from bot.features.opportunities.broadcast import install
from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature, FeatureDeps, MenuItem
from domain.roles import Role

COORDINATOR = frozenset({Role.COORDINATOR})


def _routers() -> list[Router]:
    from bot.features.opportunities import handlers as opportunities
    from bot.features.opportunities import hours as opportunity_hours
    from bot.features.opportunities.conversations import post as opportunity_post

    return [
        opportunity_post.create_router(),
        opportunities.create_router(),
        opportunity_hours.create_router(),
    ]


def _sweeps(deps: FeatureDeps) -> list[Sweep]:
    from bot.features.opportunities import hours as opportunity_hours

    return opportunity_hours.sweeps()


def _menu() -> tuple[MenuItem, ...]:
    from bot.features.opportunities.handlers import MENU_OPPORTUNITIES

    return (MenuItem(MENU_OPPORTUNITIES, roles=frozenset({Role.CITYTRAINER, Role.PARTICIPANT})),)


FEATURE = Feature(
    name="opportunities",
    routers=_routers,
    commands=(
        CommandSpec("kansen", __("Open opportunities for you")),
        CommandSpec("kans", __("Post an opportunity"), COORDINATOR),
    ),
    menu=_menu(),
    sweeps=_sweeps,
    web=install,
)
