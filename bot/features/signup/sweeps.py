"""Time-driven work of the signup: consent reminders and expiry, waiting-list offers, retention.

Each sweep only decides what is due and writes outbox rows with idempotency keys.
"""

from __future__ import annotations

import datetime as dt

from aiogram import html
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup import keys, notices
from bot.features.signup.callbacks import OfferAnswer, OfferCb
from bot.features.signup.labels import local_when
from bot.kit import notify
from bot.kit.feature import FeatureDeps
from bot.kit.keyboards import inline_choices
from bot.kit.sweep import Sweep
from domain.signup.status import ON_WAITING_LIST, ConsentRoute
from storage.course.models import Cohort
from storage.models import Person, Programme
from storage.signup import groups as signup_groups
from storage.signup import privacy as signup_privacy
from storage.signup import queries as signups
from storage.signup.models import Enrolment, Signup


async def consent_reminders_and_expiry(session: AsyncSession, now: dt.datetime) -> None:
    for signup, token in await signups.awaiting_consent(session):
        rules = await signups.settings_for(session, signup.programme_id)
        if token.expires_at <= now:
            await notices.to_participant(
                session,
                signup,
                _(
                    "Your parent or guardian did not give permission in time, so your signup "
                    "has stopped and we deleted your answers. You can sign up again with "
                    "/aanmelden."
                ),
                key=keys.consent_expired(signup.id),
                now=now,
            )
            await signups.delete_signup_data(session, signup)
            continue
        due = token.created_at + dt.timedelta(days=rules.consent_reminder_days)
        if (
            token.reminded_at is None
            and token.used_at is None
            and token.revoked_at is None
            and now >= due
        ):
            token.reminded_at = now
            parent = html.quote(signup.parent_name or "")
            if token.route is ConsentRoute.EMAIL:
                text = _(
                    "Reminder: we are still waiting for permission from {parent}. We sent an "
                    "e-mail to {email}. No e-mail received? Type /toestemming to send it again."
                ).format(parent=parent, email=html.quote(signup.parent_contact or ""))
            else:
                text = _(
                    "Reminder: we are still waiting for permission from {parent}. Did you "
                    "forward the link? Type /toestemming for a new link."
                ).format(parent=parent)
            await notices.to_participant(
                session,
                signup,
                text,
                key=keys.consent_reminder(signup.id, token.id),
                now=now,
            )


async def offer_free_places(session: AsyncSession, now: dt.datetime) -> None:
    """Per programme: lapse expired offers, offer freed places to the next in line of the track.

    The waiting list is first come, first served per track across the programme's groups (see
    `domain.capacity`): someone waiting for sport group A may be offered a place in sport group B.
    """
    programme_ids = set(
        await session.scalars(
            select(Enrolment.programme_id).where(Enrolment.status.in_(ON_WAITING_LIST))
        )
    )
    for programme_id in sorted(programme_ids):
        rules = await signups.settings_for(session, programme_id)
        changes = await signup_groups.move_up(session, programme_id, now, rules.waiting)
        for enrolment in changes.lapsed:
            await _tell_lapsed(session, enrolment, now)
        for enrolment in changes.offered:
            await _offer(session, enrolment, changes.waited_in.get(enrolment.id), now)


async def _tell_lapsed(session: AsyncSession, enrolment: Enrolment, now: dt.datetime) -> None:
    cohort = await session.get(Cohort, enrolment.cohort_id)
    signup = await _signup_of(session, enrolment.person_id)
    if cohort is None or signup is None:
        return
    await notices.to_participant(
        session,
        signup,
        _("You did not answer in time, so the place in {group} went to someone else.").format(
            group=html.quote(cohort.name)
        ),
        key=keys.offer_lapsed(enrolment.id, enrolment.offered_at),
        now=now,
    )
    person = await session.get(Person, enrolment.person_id)
    await notify.to_coordinators(
        session,
        enrolment.programme_id,
        notify.message_payload(
            _(
                "{name} did not answer the offer of a place in group {group} in time. "
                "The place goes to the next person on the waiting list."
            ).format(
                name=html.quote((person.first_name if person else None) or "?"),
                group=html.quote(cohort.name),
            )
        ),
        key=keys.offer_lapsed_to_coordinators(enrolment.id, enrolment.offered_at),
        now=now,
    )


async def _offer(
    session: AsyncSession, enrolment: Enrolment, waited_in: int | None, now: dt.datetime
) -> None:
    cohort = await session.get(Cohort, enrolment.cohort_id)
    signup = await _signup_of(session, enrolment.person_id)
    if cohort is None or signup is None:
        return
    until = local_when(
        enrolment.offer_expires_at or now, await notices._zone(session, cohort.programme_id)
    )
    text = _(
        "Good news: a place is free in group {group}! Do you want it? Answer before {until}."
    ).format(group=html.quote(cohort.name), until=until)
    own = await session.get(Cohort, waited_in) if waited_in is not None else None
    if own is not None:
        text += "\n\n" + _(
            "You are on the waiting list of {own}, but this group has a place first. "
            "Do you say no? Then you stay on the waiting list of {own}."
        ).format(own=html.quote(own.name))
    await notices.to_participant(
        session,
        signup,
        text,
        key=keys.offer(enrolment.id, enrolment.offered_at),
        now=now,
        markup=inline_choices(
            [
                (
                    _("Yes, I want the place"),
                    OfferCb(action=OfferAnswer.ACCEPT, enrolment=enrolment.id).pack(),
                ),
                (
                    _("No, thank you"),
                    OfferCb(action=OfferAnswer.DECLINE, enrolment=enrolment.id).pack(),
                ),
            ]
        ),
    )


async def _signup_of(session: AsyncSession, person_id: int) -> Signup | None:
    return await session.scalar(
        select(Signup).where(Signup.person_id == person_id).order_by(Signup.id.desc()).limit(1)
    )


async def retention(session: AsyncSession, now: dt.datetime) -> None:
    programmes = list(await session.scalars(select(Programme)))
    for programme in programmes:
        rules = await signups.settings_for(session, programme.id)
        before = now - dt.timedelta(days=rules.retention_days)
        for signup in await signup_privacy.retention_candidates(session, before):
            if signup.programme_id != programme.id:
                continue
            if await signup_privacy.has_place(session, signup.person_id):
                continue
            await signup_privacy.anonymise_signups(session, signup.person_id, now)
            person = await session.get(Person, signup.person_id)
            if person is not None:
                person.last_name = person.postcode = None
                person.birth_date = None


def signup_sweeps(deps: FeatureDeps) -> list[Sweep]:
    return [
        Sweep("signup_consent", consent_reminders_and_expiry),
        Sweep("signup_offers", offer_free_places),
        Sweep("signup_retention", retention),
    ]
