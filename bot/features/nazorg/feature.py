"""The nazorg feature (issue 7): nudges to quiet Citytrainers, their answers, /instellingen,
/opvolgen, /nazorgcijfers and the coordinators' weekly digest (see bot.nazorg_sweep)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.features.nazorg.conversations import followup
from bot.features.nazorg.handlers import nudges, settings
from bot.features.nazorg.sweep import nazorg_sweeps
from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature, FeatureDeps
from bot.kit.sweep import Sweep
from domain.roles import Role

COORDINATOR = frozenset({Role.COORDINATOR})


def _routers() -> list[Router]:
    return [followup.create_router(), nudges.create_router(), settings.create_router()]


def _sweeps(_deps: FeatureDeps) -> list[Sweep]:
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
