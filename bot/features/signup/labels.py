"""Dutch labels of the signup's answers and statuses (shared by the signup's modules)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from domain.signup.group_mix import NOT_ANSWERED

SKIP = "skip"
CHOICES: dict[str, tuple[tuple[str, LazyProxy], ...]] = {
    "dutch": (("yes", __("Yes")), ("no", __("No"))),
    "track": (
        ("sport", __("I train my city (sport)")),
        ("culture", __("I make my city (culture)")),
        ("unknown", __("I don't know yet")),
    ),
    "gender": (
        ("female", __("Girl / woman")),
        ("male", __("Boy / man")),
        ("other", __("Other")),
        (SKIP, __("I'd rather not say")),
    ),
    "school": (
        ("vmbo", __("vmbo")),
        ("havo_vwo", __("havo / vwo")),
        ("mbo", __("mbo")),
        ("hbo_wo", __("hbo / university")),
        ("other", __("Other / working")),
        (SKIP, __("I'd rather not say")),
    ),
    "heard": (
        ("school", __("At school")),
        ("club", __("Sports club or association")),
        ("culture", __("Cultural institution")),
        ("buurt", __("In my neighbourhood")),
        ("friends", __("Friends or family")),
        ("social", __("Social media")),
        ("other", __("Other")),
        (SKIP, __("I'd rather not say")),
    ),
    "contact": (
        ("chat", __("Here in the chat")),
        ("phone", __("Call me (we ask your number in the chat)")),
    ),
    "privacy": (("yes", __("I agree")), ("no", __("I do not agree"))),
}

STEP_NAMES: dict[str, LazyProxy] = {
    "first_name": __("First name"),
    "last_name": __("Last name"),
    "birth_date": __("Date of birth"),
    "dutch": __("Dutch"),
    "track": __("Track"),
    "motivation": __("What you want to organise"),
    "postcode": __("Postcode"),
    "gender": __("Gender"),
    "school": __("School"),
    "heard": __("Heard of us via"),
    "contact": __("Contact"),
    "privacy": __("Privacy statement"),
    "parent_name": __("Parent or guardian"),
    "parent_contact": __("Reaching your parent"),
}

STATUS: dict[str, LazyProxy] = {
    "awaiting_consent": __("waiting for permission from a parent"),
    "submitted": __("received, the coordinator will decide soon"),
    "placed": __("placed in a group"),
    "waiting": __("on the waiting list"),
    "declined": __("not accepted"),
    "withdrawn": __("stopped"),
}

MIX_NAMES: dict[str, LazyProxy] = {
    "gender": __("Gender"),
    "age": __("Age"),
    "school": __("School"),
    "track": __("Track"),
}


def label(step: str, value: str | None) -> str:
    """The Dutch label of a stored answer."""
    if value is None or value in (SKIP, NOT_ANSWERED):
        return _("not answered")
    for key, text in CHOICES.get(step, ()):
        if key == value:
            return str(text)
    return value


def local_when(moment: dt.datetime, tz: ZoneInfo) -> str:
    """A moment as the programme's local date and time, e.g. 02-03-2026 19:00."""
    return moment.astimezone(tz).strftime("%d-%m-%Y %H:%M")
