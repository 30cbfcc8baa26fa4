"""The signup feature as plugged into the registry (bot.features)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature, MenuItem
from domain.roles import Role


def routers() -> list[Router]:
    from bot.features.signup.conversations import consent as signup_consent
    from bot.features.signup.conversations import signup
    from bot.features.signup.handlers import decisions as signup_decisions
    from bot.features.signup.handlers import offers as signup_offers
    from bot.features.signup.handlers import overview as signup_overview
    from bot.features.signup.handlers import privacy as privacy_rights

    return [
        signup_consent.create_router(),
        signup.create_router(),
        signup_offers.create_router(),
        privacy_rights.create_router(),
        signup_decisions.create_router(),
        signup_overview.create_router(),
    ]


def _web(app, deps):  # type: ignore[no-untyped-def]
    from bot.features.signup.web import add_routes

    add_routes(app, deps)


def _sweeps(deps):  # type: ignore[no-untyped-def]
    from bot.features.signup.sweeps import signup_sweeps

    return signup_sweeps(deps)


async def _reply(message, db, clock, member, ident):  # type: ignore[no-untyped-def]
    from bot.features.signup.handlers.replies import answer_to_coordinator

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
