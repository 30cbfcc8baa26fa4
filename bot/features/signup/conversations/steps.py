"""The questions of the signup, how each answer is checked, and what comes next.

`check_answer` turns a typed text or a button value into one of three outcomes: the answer is
stored (`Store`), asked again with a Dutch explanation (`Retry`), or the signup ends kindly with
nothing stored (`Stop`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from aiogram.utils.i18n import gettext as _

from bot.features.signup.labels import CHOICES, SKIP
from domain.dates import DateError, parse_birth_date
from domain.names import NameProblem, clean_name
from domain.postcodes import PostcodeError, parse_postcode
from domain.signup.eligibility import EligibilityStatus, check_eligibility
from domain.signup.settings import ContactProblem, SignupSettings, clean_contact, motivation_ok

STEPS = (
    "first_name",
    "last_name",
    "birth_date",
    "dutch",
    "track",
    "motivation",
    "postcode",
    "gender",
    "school",
    "heard",
    "contact",
    "privacy",
    "parent_name",
    "parent_contact",
)
PARENT_STEPS = ("parent_name", "parent_contact")


@dataclass(frozen=True)
class Store:
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Retry:
    text: str


@dataclass(frozen=True)
class Stop:
    text: str


def active_steps(data: dict[str, Any]) -> list[str]:
    needs = bool(data.get("needs_consent"))
    return [s for s in STEPS if needs or s not in PARENT_STEPS]


def next_step(data: dict[str, Any]) -> str | None:
    """The first question not answered yet, or None when all are (then: the summary)."""
    answers = data.get("answers", {})
    return next((s for s in active_steps(data) if s not in answers), None)


def previous_step(data: dict[str, Any], step: str) -> str:
    steps = active_steps(data)
    index = steps.index(step) if step in steps else 0
    return steps[max(index - 1, 0)]


def question(step: str, data: dict[str, Any]) -> str:
    answers = data.get("answers", {})
    texts = {
        "first_name": _("What is your first name?"),
        "last_name": _("And what is your last name? You may skip this."),
        "birth_date": _(
            "What is your date of birth?\nFor example: <i>14-03-2011</i> or <i>14 maart 2011</i>."
        ),
        "dutch": _(
            "The course is in Dutch. Do you speak and understand Dutch well enough to take part?"
        ),
        "track": _(
            "Which track suits you best?\n"
            "<b>I train my city</b>: sport activities.\n"
            "<b>I make my city</b>: culture activities, like music, dance or art."
        ),
        "motivation": _(
            "What would you like to organise? Tell us in a few sentences.\n"
            "For example: <i>A football tournament for the kids in my street.</i>"
        ),
        "postcode": _("What is your postcode? For example: <i>5211 AB</i>."),
        "gender": _("Are you a girl, a boy or something else? This question is optional."),
        "school": _("Which school type do you follow, or did you follow last? Optional."),
        "heard": _("Where did you hear about Citytrainers? Optional."),
        "contact": _("How would you like the coordinator to contact you?"),
        "privacy": _(
            "We store your answers only to arrange the course. Read what we store and why: "
            "/privacy\n\nDo you agree with the privacy statement?"
        ),
        "parent_name": _(
            "You are younger than 16. Then a parent or guardian must give permission.\n"
            "What is the name of your parent or guardian?"
        ),
        "parent_contact": _(
            "How can we reach {parent}? Type a phone number or e-mail address.\n"
            "For example: <i>06 12345678</i>"
        ).format(parent=_escape(str(answers.get("parent_name", "")))),
    }
    return texts[step]


def _escape(text: str) -> str:
    from aiogram import html

    return html.quote(text)


def _date_retry(problem: DateError) -> Retry:
    reason = {
        DateError.IMPOSSIBLE: _("That date does not exist."),
        DateError.IN_FUTURE: _("That date is in the future."),
        DateError.TOO_OLD_TO_BE_REAL: _("That date is too long ago."),
        DateError.UNREADABLE: _("I cannot read that date."),
    }[problem]
    return Retry(
        reason
        + " "
        + _("Type your date of birth like this: <i>14-03-2011</i> or <i>14 maart 2011</i>.")
    )


def _name_retry(problem: NameProblem) -> Retry:
    reason = {
        NameProblem.EMPTY: _("I did not get a name."),
        NameProblem.TOO_LONG: _("That name is too long: at most 64 characters."),
        NameProblem.NO_LETTER: _("A name needs at least one letter."),
        NameProblem.CONTROL_CHARACTERS: _("That name has characters I cannot use."),
        NameProblem.FORBIDDEN_CHARACTERS: _("A name cannot contain &lt; or &gt;."),
    }[problem]
    return Retry(reason + " " + _("For example: <i>Sanne</i>."))


def check_answer(
    step: str, raw: str, today: dt.date, rules: SignupSettings, now: dt.datetime
) -> Store | Retry | Stop:
    """Check one answer (typed text, or the value of a tapped button)."""
    if step in ("first_name", "parent_name"):
        name = clean_name(raw)
        return _name_retry(name) if isinstance(name, NameProblem) else Store({step: name})
    if step == "last_name":
        if raw == SKIP:
            return Store({step: ""})
        name = clean_name(raw)
        return _name_retry(name) if isinstance(name, NameProblem) else Store({step: name})
    if step == "birth_date":
        return _check_birth_date(raw, today, rules)
    if step == "motivation":
        if not motivation_ok(raw):
            return Retry(
                _(
                    "Please use 10 to 1000 characters. "
                    "For example: <i>A dance workshop in the community centre.</i>"
                )
            )
        return Store({step: raw.strip()})
    if step == "postcode":
        code = parse_postcode(raw)
        if isinstance(code, PostcodeError):
            return Retry(
                _("That is not a Dutch postcode. Type 4 digits and 2 letters, like <i>5211 AB</i>.")
            )
        if not rules.area.allows(code):
            return Stop(
                _(
                    "Thank you! Sadly Citytrainers here is only for people who live in our "
                    "municipality. Ask your own municipality or a local sports or culture "
                    "association whether they have something similar."
                )
            )
        return Store({step: code})
    if step == "parent_contact":
        contact = clean_contact(raw)
        if isinstance(contact, ContactProblem) or "<" in raw or ">" in raw:
            return Retry(
                _(
                    "I cannot read that as a phone number or e-mail address. "
                    "For example: <i>06 12345678</i> or <i>naam@voorbeeld.nl</i>."
                )
            )
        return Store({step: contact})
    if step == "dutch" and raw == "no":
        return Stop(
            _(
                "Thank you for your honest answer. The course is in Dutch, so we cannot "
                "sign you up now. Do you want to know what is possible? Ask the coordinator "
                "with /vraag. We have not stored your answers."
            )
        )
    if step == "privacy":
        if raw != "yes":
            return Stop(
                _(
                    "OK. Without your agreement we cannot sign you up, so we have not stored "
                    "your answers. Questions? Type /vraag."
                )
            )
        return Store({step: now.isoformat()})
    if step in CHOICES:
        return Store({step: raw})
    raise ValueError(step)


def _check_birth_date(raw: str, today: dt.date, rules: SignupSettings) -> Store | Retry | Stop:
    born = parse_birth_date(raw, today)
    if isinstance(born, DateError):
        return _date_retry(born)
    result = check_eligibility(born, today, rules.eligibility)
    if result.status is EligibilityStatus.TOO_YOUNG:
        assert result.may_sign_up_from is not None
        return Stop(
            _(
                "Thank you for your interest! You can sign up from your {age}th birthday, on "
                "{day}. Until then you can already join activities in your neighbourhood. "
                "Come back then! We have not stored your answers."
            ).format(
                age=rules.eligibility.min_age,
                day=result.may_sign_up_from.strftime("%d-%m-%Y"),
            )
        )
    if result.status is EligibilityStatus.TOO_OLD:
        return Stop(
            _(
                "Thank you for your interest! This course is for people up to {age} years old, "
                "so we cannot sign you up. Questions? Type /vraag. "
                "We have not stored your answers."
            ).format(age=rules.eligibility.max_age)
        )
    needs = result.status is EligibilityStatus.NEEDS_CONSENT
    return Store({"birth_date": born.isoformat(), "needs_consent": needs, "age": result.age})


def match_choice(step: str, text: str) -> str | None:
    """A typed text that is one of the step's button labels (or values)."""
    wanted = text.strip().casefold()
    for value, shown in CHOICES.get(step, ()):
        if wanted in (value.casefold(), str(shown).casefold()):
            return value
    if step == "last_name" and wanted in ("-", "geen", "overslaan"):
        return SKIP
    return None
