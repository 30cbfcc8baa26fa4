"""The nazorg feature (issue 7): nudges to quiet Citytrainers, their answers, /instellingen,
/opvolgen, /nazorgcijfers and the coordinators' weekly digest (see bot.nazorg_sweep)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.app.scheduler import Sweep
from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature, FeatureDeps
from domain.roles import Role

COORDINATOR = frozenset({Role.COORDINATOR})


def _routers() -> list[Router]:
    from bot.features.nazorg.conversations import followup as nazorg_followup
    from bot.features.nazorg.handlers import nudges as nazorg
    from bot.features.nazorg.handlers import settings

    return [nazorg_followup.create_router(), nazorg.create_router(), settings.create_router()]


def _sweeps(deps: FeatureDeps) -> list[Sweep]:
    from bot.features.nazorg.sweep import nazorg_sweeps

    return nazorg_sweeps()


FEATURE = Feature(
    name="nazorg",
    routers=_routers,
    commands=(
        CommandSpec("instellingen", __("Messages on or off")),
        CommandSpec("opvolgen", __("Citytrainers to approach personally"), COORDINATOR),
        CommandSpec("nazorgcijfers", __("Which nudge brings people back"), COORDINATOR),
    ),
    sweeps=_sweeps,
)
