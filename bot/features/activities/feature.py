"""Citytrainers' own activities: /voorstel, the coordinators' decision, /agenda, helpers and the
after-activity report (a sweep)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.features.activities.conversations import proposal, report
from bot.features.activities.handlers import agenda, decisions, thread
from bot.features.activities.keys import PROPOSAL
from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature, FeatureDeps
from bot.kit.sweep import Sweep
from domain.roles import Role

CITYTRAINER = frozenset({Role.CITYTRAINER})


def _routers() -> list[Router]:
    return [
        proposal.create_router(),
        decisions.create_router(),
        report.create_router(),
        agenda.create_router(),
    ]


def _sweeps(_deps: FeatureDeps) -> list[Sweep]:
    return report.sweeps()


FEATURE = Feature(
    name="activities",
    routers=_routers,
    commands=(
        CommandSpec("agenda", __("Upcoming activities")),
        CommandSpec("voorstel", __("Propose your own activity"), CITYTRAINER),
    ),
    sweeps=_sweeps,
    replies={PROPOSAL: thread.by_reply},
)
