"""Citytrainers' own activities: /voorstel, the coordinators' decision, /agenda, helpers, the
after-activity report (a sweep) and the programme's figures (/cijfers)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.commands import CommandSpec
from bot.features import Feature, FeatureDeps, ReplyHandler
from bot.scheduler import Sweep
from domain.roles import Role

COORDINATOR = frozenset({Role.COORDINATOR})
CITYTRAINER = frozenset({Role.CITYTRAINER})


def _routers() -> list[Router]:
    from bot.conversations import activity_report, proposal
    from bot.handlers import activity_decisions, agenda, figures

    return [
        proposal.create_router(),
        activity_decisions.create_router(),
        activity_report.create_router(),
        agenda.create_router(),
        figures.create_router(),
    ]


def _sweeps(_deps: FeatureDeps) -> list[Sweep]:
    from bot.conversations import activity_report

    return activity_report.sweeps()


def _replies() -> dict[str, ReplyHandler]:
    from bot.handlers.activity_thread import by_reply

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
