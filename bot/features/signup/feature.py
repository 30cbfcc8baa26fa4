"""The signup feature as plugged into the registry (bot.features)."""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import lazy_gettext as __

from bot.features.signup import keys, web
from bot.features.signup.conversations import consent, signup
from bot.features.signup.handlers import decisions, offers, overview, privacy, replies
from bot.features.signup.sweeps import signup_sweeps
from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature, MenuItem
from domain.roles import Role


def routers() -> list[Router]:
    return [
        consent.create_router(),
        signup.create_router(),
        offers.create_router(),
        privacy.create_router(),
        decisions.create_router(),
        overview.create_router(),
    ]


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
    sweeps=signup_sweeps,
    replies={keys.SIGNUP: replies.answer_to_coordinator},
    web=web.add_routes,
)
