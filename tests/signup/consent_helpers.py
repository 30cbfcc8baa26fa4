"""Helpers for the tests of a parent's permission (issue 11): a 14-year-old who gives an
e-mail address or a phone number of her parent, and the links she or the parent gets."""

from __future__ import annotations

import re

from simulator.client import BotMessage, TestUser
from tests.signup.signup_helpers import answer, tap

PUBLIC = "https://citytrainers.example"
"""PUBLIC_BASE_URL in these tests: a public https address, as production needs."""


async def sign_up_minor(user: TestUser, parent_contact: str = "06 12345678") -> BotMessage:
    """A 14-year-old walks the signup up to the summary, with this contact of her parent."""
    intro = await answer(user, "/aanmelden", "Aanmelden voor Citytrainers")
    q = await tap(user, intro, "Beginnen", "Vraag 1 van")
    q = await answer(user, user.first_name, "achternaam")
    q = await tap(user, q, "Overslaan", "geboortedatum")
    q = await answer(user, "14-03-2011", "Nederlands")
    q = await tap(user, q, "Ja", "richting")
    q = await tap(user, q, "Ik train mijn stad (sport)", "organiseren")
    q = await answer(user, "Een voetbaltoernooi in mijn straat", "postcode")
    q = await answer(user, "5211ab", "meisje")
    q = await tap(user, q, "Meisje / vrouw", "school")
    q = await tap(user, q, "havo / vwo", "gehoord")
    q = await tap(user, q, "Op school", "contact")
    q = await tap(user, q, "Hier in de chat", "privacyverklaring")
    q = await tap(user, q, "Ik ga akkoord", "ouder of voogd")
    q = await answer(user, "Karin Jansen", "bereiken")
    return await answer(user, parent_contact, "Klopt alles?")


def deep_link_token(text: str) -> str | None:
    found = re.search(r"start=c-([A-Za-z0-9_-]+)", text)
    return found.group(1) if found else None


def page_token(text: str) -> str | None:
    found = re.search(r"/toestemming/([A-Za-z0-9_-]+)", text)
    return found.group(1) if found else None
