"""The signup's questions and the Dutch labels of its answers and statuses (shared by the
signup's modules)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from domain.signup.group_mix import NOT_ANSWERED
from domain.signup.status import SignupStatus


class Step(StrEnum):
    """One question of the signup, in the order asked (its value is the key of the answer)."""

    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    BIRTH_DATE = "birth_date"
    DUTCH = "dutch"
    TRACK = "track"
    MOTIVATION = "motivation"
    POSTCODE = "postcode"
    GENDER = "gender"
    SCHOOL = "school"
    HEARD = "heard"
    CONTACT = "contact"
    PRIVACY = "privacy"
    PARENT_NAME = "parent_name"
    PARENT_CONTACT = "parent_contact"


SKIP = "skip"
CHOICES: dict[str, tuple[tuple[str, LazyProxy], ...]] = {
    Step.DUTCH: (("yes", __("Yes")), ("no", __("No"))),
    Step.TRACK: (
        ("sport", __("I train my city (sport)")),
        ("culture", __("I make my city (culture)")),
        ("unknown", __("I don't know yet")),
    ),
    Step.GENDER: (
        ("female", __("Girl / woman")),
        ("male", __("Boy / man")),
        ("other", __("Other")),
        (SKIP, __("I'd rather not say")),
    ),
    Step.SCHOOL: (
        ("vmbo", __("vmbo")),
        ("havo_vwo", __("havo / vwo")),
        ("mbo", __("mbo")),
        ("hbo_wo", __("hbo / university")),
        ("other", __("Other / working")),
        (SKIP, __("I'd rather not say")),
    ),
    Step.HEARD: (
        ("school", __("At school")),
        ("club", __("Sports club or association")),
        ("culture", __("Cultural institution")),
        ("buurt", __("In my neighbourhood")),
        ("friends", __("Friends or family")),
        ("social", __("Social media")),
        ("other", __("Other")),
        (SKIP, __("I'd rather not say")),
    ),
    Step.CONTACT: (
        ("chat", __("Here in the chat")),
        ("phone", __("Call me (we ask your number in the chat)")),
    ),
    Step.PRIVACY: (("yes", __("I agree")), ("no", __("I do not agree"))),
}

STEP_NAMES: dict[str, LazyProxy] = {
    Step.FIRST_NAME: __("First name"),
    Step.LAST_NAME: __("Last name"),
    Step.BIRTH_DATE: __("Date of birth"),
    Step.DUTCH: __("Dutch"),
    Step.TRACK: __("Track"),
    Step.MOTIVATION: __("What you want to organise"),
    Step.POSTCODE: __("Postcode"),
    Step.GENDER: __("Gender"),
    Step.SCHOOL: __("School"),
    Step.HEARD: __("Heard of us via"),
    Step.CONTACT: __("Contact"),
    Step.PRIVACY: __("Privacy statement"),
    Step.PARENT_NAME: __("Parent or guardian"),
    Step.PARENT_CONTACT: __("Reaching your parent"),
}

STATUS: dict[str, LazyProxy] = {
    SignupStatus.AWAITING_CONSENT: __("waiting for permission from a parent"),
    SignupStatus.SUBMITTED: __("received, the coordinator will decide soon"),
    SignupStatus.PLACED: __("placed in a group"),
    SignupStatus.WAITING: __("on the waiting list"),
    SignupStatus.DECLINED: __("not accepted"),
    SignupStatus.WITHDRAWN: __("stopped"),
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
