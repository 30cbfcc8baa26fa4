"""Messages of the signup to others (always through the outbox) and the consent link text."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiogram import Bot, html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup import keys
from bot.features.signup.callbacks import DecisionAction, SignupDecision
from bot.features.signup.labels import label, local_when
from bot.kit import notify
from bot.kit.config import Settings
from bot.kit.keyboards import inline_choices
from domain.dates import age_on
from domain.reminders import deliver_at
from domain.signup.settings import SignupSettings
from domain.signup.status import SignupStatus
from storage.course.models import Cohort
from storage.models import Person, Programme
from storage.signup import groups as signup_groups
from storage.signup.models import Signup


def web_base(settings: Settings) -> str:
    return settings.public_base_url or f"http://{settings.web_host}:{settings.web_port}"


async def consent_link_text(
    bot: Bot, settings: Settings, signup: Signup, token: str, rules: SignupSettings
) -> str:
    me = await bot.me()
    deep = f"https://t.me/{me.username}?start=c-{token}"
    web = f"{web_base(settings)}/toestemming/{token}"
    return _(
        "Almost done! You are younger than 16, so {parent} must give permission.\n\n"
        "Forward this message to {parent}. Is {parent} on Telegram? Then tap this link:\n"
        "{deep}\n\nNot on Telegram? Then open this page:\n{web}\n\n"
        "The link works once and for {days} days. Need a new link? Type /toestemming."
    ).format(
        parent=html.quote(signup.parent_name or ""),
        deep=deep,
        web=web,
        days=rules.consent_valid_days,
    )


def signup_summary(signup: Signup, person: Person) -> str:
    name = " ".join(p for p in (person.first_name, person.last_name) if p)
    return _(
        "<b>New signup #{id}</b>: {name}, {age} years, {postcode}\n"
        "Track: {track}\nWants to organise: {motivation}\n"
        "Gender: {gender}; school: {school}; heard of us via: {heard}\n"
        "Contact: {contact}"
    ).format(
        id=signup.id,
        name=html.quote(name),
        age=signup.age_at_signup,
        postcode=html.quote(person.postcode or "-"),
        track=label("track", signup.track),
        motivation=html.quote(signup.motivation or ""),
        gender=label("gender", signup.gender),
        school=label("school", signup.school),
        heard=label("heard", signup.heard_from),
        contact=label("contact", signup.contact),
    )


def _decision(action: DecisionAction, signup_id: int) -> str:
    return SignupDecision(action=action, signup=signup_id).pack()


def decision_keyboard(signup_id: int) -> InlineKeyboardMarkup:
    return inline_choices(
        [
            (_("Place in a group"), _decision(DecisionAction.PLACE, signup_id)),
            (_("Waiting list"), _decision(DecisionAction.WAIT, signup_id)),
            (_("Ask a question"), _decision(DecisionAction.ASK, signup_id)),
            (_("Decline"), _decision(DecisionAction.DECLINE, signup_id)),
        ],
        columns=2,
    )


async def new_signup_to_coordinators(
    session: AsyncSession, signup: Signup, person: Person, now: dt.datetime
) -> int:
    text = signup_summary(signup, person)
    if signup.needs_consent:
        text += "\n" + _("A parent gave permission.")
    if signup.cohort_id is not None:
        cohort = await session.get(Cohort, signup.cohort_id)
        if cohort is not None:
            text += "\n" + _("Came through the invitation for group {group}.").format(
                group=html.quote(cohort.name)
            )
    return await notify.to_coordinators(
        session,
        signup.programme_id,
        notify.message_payload(text, decision_keyboard(signup.id)),
        key=keys.new_signup(signup.id),
        now=now,
    )


async def _zone(session: AsyncSession, programme_id: int) -> ZoneInfo:
    programme = await session.get(Programme, programme_id)
    return ZoneInfo(programme.timezone if programme else "Europe/Amsterdam")


async def to_participant(
    session: AsyncSession,
    signup: Signup,
    text: str,
    *,
    key: str,
    now: dt.datetime,
    ref: str | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """A message to the person of a signup; for minors never during quiet hours."""
    person = await session.get(Person, signup.person_id)
    zone = await _zone(session, signup.programme_id)
    age = (
        age_on(person.birth_date, now.astimezone(zone).date())
        if person and person.birth_date
        else None
    )
    return await notify.to_person(
        session,
        signup.person_id,
        notify.message_payload(text, markup),
        key=key,
        now=now,
        ref=ref,
        not_before=deliver_at(now, age, tz=zone),
    )


async def placed_text(session: AsyncSession, cohort: Cohort) -> str:
    meeting = await signup_groups.first_meeting(session, cohort.id)
    zone = await _zone(session, cohort.programme_id)
    text = _("Good news: you have a place in group <b>{group}</b>!").format(
        group=html.quote(cohort.name)
    )
    if meeting is not None:
        where = meeting.location or cohort.location or ""
        text += "\n" + _("The first meeting is on {when} {where}.").format(
            when=local_when(meeting.starts_at, zone),
            where=(_("at {place}").format(place=html.quote(where)) if where else ""),
        ).replace(" .", ".")
    else:
        text += "\n" + _("We will tell you the date of the first meeting soon.")
    return text


async def parental_consent_done(session: AsyncSession, signup: Signup, now: dt.datetime) -> None:
    """A parent consented (link, web page or paper): the signup goes to the coordinators."""
    from storage.signup import queries as signups

    await signups.revoke_tokens(session, signup.id, now)
    signup.status = SignupStatus.SUBMITTED
    signup.submitted_at = now
    person = await session.get(Person, signup.person_id)
    assert person is not None
    await new_signup_to_coordinators(session, signup, person, now)
    await to_participant(
        session,
        signup,
        _(
            "Your parent or guardian gave permission. Your signup has been sent to the "
            "coordinator, who will let you know here."
        ),
        key=keys.consented(signup.id),
        now=now,
    )


async def parental_consent_refused(session: AsyncSession, signup: Signup, now: dt.datetime) -> None:
    """A parent said no: the signup and its answers are deleted; the person is told."""
    from storage.signup import queries as signups

    await to_participant(
        session,
        signup,
        _(
            "Your parent or guardian did not give permission, so we cannot sign you up. "
            "We have deleted your answers. Talk about it together; you can sign up again "
            "later with /aanmelden."
        ),
        key=keys.refused(signup.id),
        now=now,
    )
    await signups.delete_signup_data(session, signup)
