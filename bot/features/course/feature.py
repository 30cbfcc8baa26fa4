"""The course feature: groups, sessions, reminders, absence, attendance, progress, certificates."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.features.course import cli
from bot.features.course.conversations import absence, group_create, planning
from bot.features.course.handlers import (
    attendance,
    certificate,
    leader_invite,
    leaders,
    schedule,
)
from bot.features.course.sweeps import course_sweeps
from bot.kit.commands import CommandSpec
from bot.kit.feature import CliCommand, Feature
from domain.roles import Role

STAFF = frozenset({Role.COORDINATOR, Role.COURSE_LEADER})


def _routers() -> list[Router]:
    return [
        leader_invite.create_router(),  # `/start l-<token>`, also in the middle of a flow
        group_create.create_router(),
        planning.create_router(),
        absence.create_router(),
        attendance.create_router(),
        schedule.create_router(),
        certificate.create_router(),
        leaders.create_router(),
    ]


FEATURE = Feature(
    name="course",
    routers=_routers,
    commands=(
        CommandSpec("rooster", __("Your course sessions")),
        CommandSpec("voortgang", __("Your progress in the course")),
        CommandSpec("planning", __("Plan a group's sessions"), STAFF),
        CommandSpec("aanwezigheid", __("Register attendance"), STAFF),
        CommandSpec("nieuwegroep", __("Create a training group"), frozenset({Role.COORDINATOR})),
    ),
    sweeps=course_sweeps,
    cli=(CliCommand("course", cli.add_parser, cli.run),),
)
