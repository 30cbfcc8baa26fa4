"""The opportunities feature: /kans, /kansen, broadcasts, /voorstel, /agenda, /cijfers, and
the question after an opportunity (attended? hours: bot.opportunity_hours)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.broadcast_progress import install
from bot.commands import CommandSpec
from bot.features import Feature, FeatureDeps, MenuItem
from bot.scheduler import Sweep
from domain.roles import Role

COORDINATOR = frozenset({Role.COORDINATOR})


def _routers() -> list[Router]:
    from bot import opportunity_hours
    from bot.conversations import opportunity_post
    from bot.handlers import opportunities

    return [
        opportunity_post.create_router(),
        opportunities.create_router(),
        opportunity_hours.create_router(),
    ]


def _sweeps(deps: FeatureDeps) -> list[Sweep]:
    from bot import opportunity_hours

    return opportunity_hours.sweeps()


def _menu() -> tuple[MenuItem, ...]:
    from bot.handlers.opportunities import MENU_OPPORTUNITIES

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
