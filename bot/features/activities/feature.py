"""Citytrainers' own activities: /voorstel, the coordinators' decision, /agenda, helpers, the
after-activity report (a sweep) and the programme's figures (/cijfers)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.app.scheduler import Sweep
from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature, FeatureDeps, ReplyHandler
from domain.roles import Role

COORDINATOR = frozenset({Role.COORDINATOR})
CITYTRAINER = frozenset({Role.CITYTRAINER})


def _routers() -> list[Router]:
    from bot.features.activities.conversations import proposal
    from bot.features.activities.conversations import report as activity_report
    from bot.features.activities.handlers import agenda
    from bot.features.activities.handlers import decisions as activity_decisions
    from bot.features.impact import handlers as figures

    return [
        proposal.create_router(),
        activity_decisions.create_router(),
        activity_report.create_router(),
        agenda.create_router(),
        figures.create_router(),
    ]


def _sweeps(_deps: FeatureDeps) -> list[Sweep]:
    from bot.features.activities.conversations import report as activity_report

    return activity_report.sweeps()


def _replies() -> dict[str, ReplyHandler]:
    from bot.features.activities.handlers.thread import by_reply

    return {"proposal": by_reply}


FEATURE = Feature(
    name="activities",
    routers=_routers,
    commands=(
        CommandSpec("agenda", __("Upcoming activities")),
        CommandSpec("voorstel", __("Propose your own activity"), CITYTRAINER),
        CommandSpec("cijfers", __("The programme's figures"), COORDINATOR),
    ),
    sweeps=_sweeps,
    replies=_replies(),
)
