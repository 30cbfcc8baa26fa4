"""The signup feature as plugged into the registry (bot.features)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.commands import CommandSpec
from bot.features import Feature, MenuItem
from domain.roles import Role


def routers() -> list[Router]:
    from bot.conversations import signup, signup_consent
    from bot.handlers import privacy_rights, signup_decisions, signup_offers, signup_overview

    return [
        signup_consent.create_router(),
        signup.create_router(),
        signup_offers.create_router(),
        privacy_rights.create_router(),
        signup_decisions.create_router(),
        signup_overview.create_router(),
    ]


def _web(app, deps):  # type: ignore[no-untyped-def]
    from bot.signup_web import add_routes

    add_routes(app, deps)


def _sweeps(deps):  # type: ignore[no-untyped-def]
    from bot.signup_sweeps import signup_sweeps

    return signup_sweeps(deps)


async def _reply(message, db, clock, member, ident):  # type: ignore[no-untyped-def]
    from bot.handlers.signup_replies import answer_to_coordinator

    await answer_to_coordinator(message, db, clock, member, ident)


COORDINATOR = frozenset({Role.COORDINATOR})
FEATURE = Feature(
    name="signup",
    routers=routers,
    commands=(
        CommandSpec("aanmelden", __("Sign up for the course")),
        CommandSpec("toestemming", __("Permission of a parent")),
        CommandSpec("mijngegevens", __("See what we store about you")),
        CommandSpec("verwijderen", __("Delete your data")),
        CommandSpec("aanmeldingen", __("Open signups"), COORDINATOR),
        CommandSpec("groepen", __("Groups and their mix"), COORDINATOR),
        CommandSpec("uitnodiging", __("Invitation link and QR code for a group"), COORDINATOR),
    ),
    menu=(MenuItem(__("Sign up"), hide_for=frozenset({Role.PARTICIPANT, Role.CITYTRAINER})),),
    sweeps=_sweeps,
    replies={"signup": _reply},
    web=_web,
)
