"""The questions of the signup and how each answer is checked.

`check_answer` turns a typed text or a button value into one of three outcomes: the answer is
stored (`Store`), asked again with a Dutch explanation (`Retry`), or the signup ends kindly with
nothing stored (`Stop`). Which question comes next is decided on the flow's data
(`conversations.state.SignupData`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from aiogram.utils.i18n import gettext as _

from bot.features.signup.labels import CHOICES, SKIP, Step
from domain.dates import DateError, parse_birth_date
from domain.names import NameProblem, clean_name
from domain.postcodes import PostcodeError, parse_postcode
from domain.signup.eligibility import EligibilityStatus, check_eligibility
from domain.signup.settings import ContactProblem, SignupSettings, clean_contact, motivation_ok

STEPS: tuple[Step, ...] = tuple(Step)
PARENT_STEPS: tuple[Step, ...] = (Step.PARENT_NAME, Step.PARENT_CONTACT)
"""Only asked when a parent must give permission (under 16)."""


def parse_step(value: object) -> Step | None:
    """The step named `value`, or None when it is not one (never raises)."""
    if not isinstance(value, str):
        return None
    try:
        return Step(value)
    except ValueError:
        return None


def choice_values(step: str) -> tuple[str, ...]:
    """The values of the step's buttons (empty for a typed answer)."""
    return tuple(value for value, _text in CHOICES.get(step, ()))


@dataclass(frozen=True)
class Store:
    """Keep `answer` for the step; the birth date also says whether consent is needed."""

    answer: str
    needs_consent: bool | None = None
    age: int | None = None


@dataclass(frozen=True)
class Retry:
    text: str


@dataclass(frozen=True)
class Stop:
    text: str


def question(step: Step, answers: Mapping[str, str]) -> str:
    texts = {
        Step.FIRST_NAME: _("What is your first name?"),
        Step.LAST_NAME: _("And what is your last name? You may skip this."),
        Step.BIRTH_DATE: _(
            "What is your date of birth?\nFor example: <i>14-03-2011</i> or <i>14 maart 2011</i>."
        ),
        Step.DUTCH: _(
            "The course is in Dutch. Do you speak and understand Dutch well enough to take part?"
        ),
        Step.TRACK: _(
            "Which track suits you best?\n"
            "<b>I train my city</b>: sport activities.\n"
            "<b>I make my city</b>: culture activities, like music, dance or art."
        ),
        Step.MOTIVATION: _(
            "What would you like to organise? Tell us in a few sentences.\n"
            "For example: <i>A football tournament for the kids in my street.</i>"
        ),
        Step.POSTCODE: _("What is your postcode? For example: <i>5211 AB</i>."),
        Step.GENDER: _("Are you a girl, a boy or something else? This question is optional."),
        Step.SCHOOL: _("Which school type do you follow, or did you follow last? Optional."),
        Step.HEARD: _("Where did you hear about Citytrainers? Optional."),
        Step.CONTACT: _("How would you like the coordinator to contact you?"),
        Step.PRIVACY: _(
            "We store your answers only to arrange the course. Read what we store and why: "
            "/privacy\n\nDo you agree with the privacy statement?"
        ),
        Step.PARENT_NAME: _(
            "You are younger than 16. Then a parent or guardian must give permission.\n"
            "What is the name of your parent or guardian?"
        ),
        Step.PARENT_CONTACT: _(
            "How can we reach {parent}? Type a phone number or e-mail address.\n"
            "For example: <i>06 12345678</i>"
        ).format(parent=_escape(str(answers.get(Step.PARENT_NAME, "")))),
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
    step: Step, raw: str, today: dt.date, rules: SignupSettings, now: dt.datetime
) -> Store | Retry | Stop:
    """Check one answer (typed text, or the value of a tapped button).

    A button value that is not one of the step's buttons (a forged or outdated button) is asked
    again, like a typed answer that matches no button.
    """
    if step in CHOICES and raw not in choice_values(step):
        return Retry(_("Please choose one of the buttons below the question."))
    if step in (Step.FIRST_NAME, Step.PARENT_NAME):
        name = clean_name(raw)
        return _name_retry(name) if isinstance(name, NameProblem) else Store(name)
    if step == Step.LAST_NAME:
        if raw == SKIP:
            return Store("")
        name = clean_name(raw)
        return _name_retry(name) if isinstance(name, NameProblem) else Store(name)
    if step == Step.BIRTH_DATE:
        return _check_birth_date(raw, today, rules)
    if step == Step.MOTIVATION:
        if not motivation_ok(raw):
            return Retry(
                _(
                    "Please use 10 to 1000 characters. "
                    "For example: <i>A dance workshop in the community centre.</i>"
                )
            )
        return Store(raw.strip())
    if step == Step.POSTCODE:
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
        return Store(code)
    if step == Step.PARENT_CONTACT:
        contact = clean_contact(raw)
        if isinstance(contact, ContactProblem) or "<" in raw or ">" in raw:
            return Retry(
                _(
                    "I cannot read that as a phone number or e-mail address. "
                    "For example: <i>06 12345678</i> or <i>naam@voorbeeld.nl</i>."
                )
            )
        return Store(contact)
    if step == Step.DUTCH and raw == "no":
        return Stop(
            _(
                "Thank you for your honest answer. The course is in Dutch, so we cannot "
                "sign you up now. Do you want to know what is possible? Ask the coordinator "
                "with /vraag. We have not stored your answers."
            )
        )
    if step == Step.PRIVACY:
        if raw != "yes":
            return Stop(
                _(
                    "OK. Without your agreement we cannot sign you up, so we have not stored "
                    "your answers. Questions? Type /vraag."
                )
            )
        return Store(now.isoformat())
    if step in CHOICES:
        return Store(raw)
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
    return Store(born.isoformat(), needs_consent=needs, age=result.age)


def match_choice(step: str, text: str) -> str | None:
    """A typed text that is one of the step's button labels (or values)."""
    wanted = text.strip().casefold()
    for value, shown in CHOICES.get(step, ()):
        if wanted in (value.casefold(), str(shown).casefold()):
            return value
    if step == Step.LAST_NAME and wanted in ("-", "geen", "overslaan"):
        return SKIP
    return None
