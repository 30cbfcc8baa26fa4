"""Messages of the signup to others (always through the outbox) and the consent link text."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from zoneinfo import ZoneInfo

from aiogram import Bot, html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup import keys
from bot.features.signup.callbacks import DecisionAction, SignupDecision
from bot.features.signup.labels import label, local_when
from bot.kit import mail, notify
from bot.kit.config import Settings
from bot.kit.keyboards import inline_choices
from domain.dates import age_on
from domain.reminders import deliver_at
from domain.signup.consent import ConsentRefusal, request_route
from domain.signup.settings import SignupSettings
from domain.signup.status import ConsentMethod, ConsentRoute, SignupStatus
from storage.course.models import Cohort
from storage.models import Person, Programme
from storage.signup import groups as signup_groups
from storage.signup import queries as signups
from storage.signup.models import Consent, Signup


def consent_page_url(settings: Settings, token: str) -> str | None:
    """The link to the consent web page: the one place such links are built.

    Only from PUBLIC_BASE_URL (`Settings.link_base`): never the address the web server listens
    on, so a link never points at 127.0.0.1 or 0.0.0.0. None when there is no public address.
    """
    base = settings.link_base
    return f"{base}/toestemming/{token}" if base else None


def email_available(settings: Settings) -> bool:
    """E-mail to parents works: SMTP is configured and the e-mail can link to the web page."""
    return (
        settings.smtp_url is not None
        and settings.mail_from is not None
        and bool(settings.link_base)
    )


def request_text(person: Person, signup: Signup, programme: str) -> str:
    """What a parent is asked (Telegram, web page, e-mail): who, what, what we store."""
    name = " ".join(p for p in (person.first_name, person.last_name) if p)
    return _(
        "<b>Permission for Citytrainers</b>\n\n"
        "{name} ({age} years) wants to sign up for the free Citytrainers course in "
        "{programme} (track: {track}). In the course young people learn to organise sport and "
        "culture activities in their neighbourhood.\n\n"
        "<b>What we store:</b> name, date of birth, postcode, the answers to the signup "
        "questions, and your name and contact details. Only to arrange the course; figures "
        "never show names. You can withdraw your permission at any time.\n\n"
        "Do you give permission?"
    ).format(
        name=html.quote(name),
        age=signup.age_at_signup,
        programme=html.quote(programme),
        track=label("track", signup.track),
    )


def _plain(text: str) -> str:
    """Bot HTML (only <b> and escaped names) as plain text for an e-mail."""
    return unescape(re.sub(r"</?b>", "", text))


async def request_consent(
    session: AsyncSession, bot: Bot, settings: Settings, signup: Signup, now: dt.datetime
) -> list[str]:
    """Ask the parent for permission (at the signup, or again with /toestemming).

    With the parent's e-mail address the request goes straight to the parent: an e-mail through
    the outbox, in this transaction. With only a phone number the participant forwards a
    message written to the parent. Returns the messages for the participant, in order.
    """
    rules = await signups.settings_for(session, signup.programme_id)
    route = request_route(signup.parent_contact, email_available=email_available(settings))
    token = await signups.issue_consent_token(session, signup, now, rules.consent_valid_days, route)
    person = await session.get(Person, signup.person_id)
    programme = await session.get(Programme, signup.programme_id)
    assert person is not None
    where = programme.name if programme else ""
    parent = html.quote(signup.parent_name or "")
    if route is ConsentRoute.EMAIL:
        await _consent_email(session, settings, signup, person, where, token, rules, now)
        return [
            _(
                "Almost done! You are younger than 16, so {parent} must give permission.\n\n"
                "We have sent an e-mail with a link to {email}. Ask {parent} to look in the "
                "inbox (and in the spam folder). The link works for {days} days.\n\n"
                "No e-mail? Type /toestemming to send it again."
            ).format(
                parent=parent,
                email=html.quote(signup.parent_contact or ""),
                days=rules.consent_valid_days,
            )
        ]
    me = await bot.me()
    parts = [
        _("Dear {parent},").format(parent=parent),
        request_text(person, signup, where),
        _("Are you on Telegram? Then tap this link to answer:\n{link}").format(
            link=f"https://t.me/{me.username}?start=c-{token}"
        ),
    ]
    page = consent_page_url(settings, token)
    if page is not None:
        parts.append(_("Not on Telegram? Then open this page:\n{link}").format(link=page))
    parts.append(
        _(
            "The link works once and for {days} days. The coordinator will call you on "
            "{contact} to check that the permission comes from you."
        ).format(days=rules.consent_valid_days, contact=html.quote(signup.parent_contact or ""))
    )
    instruction = _(
        "Almost done! You are younger than 16, so {parent} must give permission.\n\n"
        "Forward the message above to {parent}. Only {parent} may answer it: you cannot give "
        "permission yourself, and the coordinator will call {parent} to check.\n\n"
        "Need a new link? Type /toestemming."
    ).format(parent=parent)
    return ["\n\n".join(parts), instruction]


async def _consent_email(
    session: AsyncSession,
    settings: Settings,
    signup: Signup,
    person: Person,
    programme: str,
    token: str,
    rules: SignupSettings,
    now: dt.datetime,
) -> None:
    page = consent_page_url(settings, token)
    assert page is not None  # email_available() checked it
    name = " ".join(p for p in (person.first_name, person.last_name) if p)
    text = "\n\n".join(
        (
            _("Dear {parent},").format(parent=signup.parent_name or ""),
            _plain(request_text(person, signup, programme)),
            _(
                "Give or refuse your permission on this page:\n{link}\n\n"
                "The link works once and for {days} days. Did you not expect this e-mail? "
                "Then you need not do anything: without permission the signup stops and we "
                "delete its answers.\n\nCitytrainers {programme}"
            ).format(link=page, days=rules.consent_valid_days, programme=programme),
        )
    )
    token_row = await signups.latest_token(session, signup.id)
    assert token_row is not None
    await mail.enqueue_email(
        session,
        to=signup.parent_contact or "",
        subject=_("Permission for Citytrainers: {name}").format(name=name),
        text=text,
        key=keys.consent_mail(signup.id, token_row.id),
        now=now,
        person_id=signup.person_id,
        programme_id=signup.programme_id,
    )


def refusal_text(refusal: ConsentRefusal, signup: Signup) -> str:
    """Why this account may not answer a parent's consent request (kindly, to a young person)."""
    if refusal is ConsentRefusal.OWN_ACCOUNT:
        return _(
            "Sorry, this link is for your parent or guardian. You cannot give permission for "
            "your own signup: {parent} does that, with their own Telegram account or on the "
            "web page."
        ).format(parent=html.quote(signup.parent_name or ""))
    return _(
        "Sorry, this account belongs to a young person who signed up for Citytrainers, so it "
        "cannot give permission for someone else. Only a parent or guardian can, with their "
        "own Telegram account or on the web page."
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


def decision_keyboard(signup_id: int, *, verify: bool = False) -> InlineKeyboardMarkup:
    """The coordinator's buttons on a signup; with `verify`, first "Called and confirmed"."""
    choices = [
        (_("Place in a group"), _decision(DecisionAction.PLACE, signup_id)),
        (_("Waiting list"), _decision(DecisionAction.WAIT, signup_id)),
        (_("Ask a question"), _decision(DecisionAction.ASK, signup_id)),
        (_("Decline"), _decision(DecisionAction.DECLINE, signup_id)),
    ]
    if verify:
        choices.insert(0, (_("Called and confirmed"), _decision(DecisionAction.VERIFY, signup_id)))
    return inline_choices(choices, columns=2)


def _route_label(consent: Consent) -> str:
    if consent.route is ConsentRoute.EMAIL:
        return _("through the link in the e-mail to the parent")
    if consent.route is ConsentRoute.PAPER or consent.method is ConsentMethod.PAPER:
        return _("on a paper form")
    if consent.method is ConsentMethod.WEB:
        return _("through the link the participant forwarded (web page)")
    return _("through the link the participant forwarded (Telegram)")


async def consent_lines(session: AsyncSession, signup: Signup) -> tuple[str, bool]:
    """What the coordinator's card says about the parent's permission, and whether it still
    needs a call ("Called and confirmed")."""
    consent = await signups.parental_consent(session, signup.id)
    if consent is None:
        return "", False
    zone = await _zone(session, signup.programme_id)
    lines = [
        _("A parent gave permission."),
        _("Permission: {name}, {route}, contact {contact}, on {when}.").format(
            name=html.quote(consent.given_by or "-"),
            route=_route_label(consent),
            contact=html.quote(consent.contact or "-"),
            when=local_when(consent.given_at, zone),
        ),
    ]
    if consent.verified_at is None:
        lines.append(
            _(
                "<b>Not checked yet.</b> Call {contact} and ask whether they gave permission. "
                "Then tap <b>Called and confirmed</b>; only then can you place the signup."
            ).format(contact=html.quote(consent.contact or "-"))
        )
        return "\n".join(lines), True
    if consent.verified_by is not None:
        who = await session.get(Person, consent.verified_by)
        lines.append(
            _("Checked by {who} on {when}.").format(
                who=html.quote((who.first_name if who else None) or "?"),
                when=local_when(consent.verified_at, zone),
            )
        )
    elif consent.route is ConsentRoute.EMAIL:
        lines.append(_("Checked: the link went to the parent's e-mail address."))
    return "\n".join(lines), False


async def signup_card(
    session: AsyncSession, signup: Signup, person: Person
) -> tuple[str, InlineKeyboardMarkup]:
    """A signup for the coordinator: the summary, the parent's permission, the buttons."""
    text = signup_summary(signup, person)
    consent, verify = await consent_lines(session, signup) if signup.needs_consent else ("", False)
    if consent:
        text += "\n" + consent
    return text, decision_keyboard(signup.id, verify=verify)


async def new_signup_to_coordinators(
    session: AsyncSession, signup: Signup, person: Person, now: dt.datetime
) -> int:
    text, keyboard = await signup_card(session, signup, person)
    if signup.cohort_id is not None:
        cohort = await session.get(Cohort, signup.cohort_id)
        if cohort is not None:
            text += "\n" + _("Came through the invitation for group {group}.").format(
                group=html.quote(cohort.name)
            )
    return await notify.to_coordinators(
        session,
        signup.programme_id,
        notify.message_payload(text, keyboard),
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
    report_to: int | None = None,
) -> bool:
    """A message to the person of a signup; for minors never during quiet hours. `report_to`:
    who hears of it if it is lost (the coordinator who wrote it)."""
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
        report_to=report_to,
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
