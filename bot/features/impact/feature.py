"""The programme's impact figures for coordinators (/cijfers), computed from the data."""

from __future__ import annotations

from aiogram.utils.i18n import lazy_gettext as __

from bot.features.impact import handlers
from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature
from domain.roles import Role

FEATURE = Feature(
    name="impact",
    routers=lambda: [handlers.create_router()],
    commands=(
        CommandSpec("cijfers", __("The programme's figures"), frozenset({Role.COORDINATOR})),
    ),
)
