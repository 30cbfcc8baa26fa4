"""The course feature: groups, sessions, reminders, absence, attendance, progress, certificates."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature
from domain.roles import Role

STAFF = frozenset({Role.COORDINATOR, Role.COURSE_LEADER})


def _routers() -> list[Router]:
    from bot.features.course.conversations import absence as course_absence
    from bot.features.course.conversations import group_create
    from bot.features.course.conversations import planning as course_planning
    from bot.features.course.handlers import attendance, certificate
    from bot.features.course.handlers import schedule as course_handlers

    return [
        group_create.create_router(),
        course_planning.create_router(),
        course_absence.create_router(),
        attendance.create_router(),
        course_handlers.create_router(),
        certificate.create_router(),
    ]


def _sweeps(deps):  # type: ignore[no-untyped-def]
    from bot.features.course.sweeps import course_sweeps

    return course_sweeps(deps)


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
    sweeps=_sweeps,
)
