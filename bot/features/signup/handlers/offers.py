"""A person offered a freed place in a group accepts or declines it (buttons `su:oa` / `su:od`).

The offer may be for another group of the same track than the one whose list they are on (the
waiting list is per track, `domain.capacity`). Accepting places them and takes them off every
list; declining their own group's place takes them off the list; declining another group's place
keeps them on their own list. The coordinators are told either way.
"""

from __future__ import annotations

from aiogram import Router, html
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup import keys, notices
from bot.features.signup.callbacks import OfferAnswer, OfferCb
from bot.kit import notify
from bot.kit.clock import Clock
from domain.roles import Role
from storage import people
from storage.course.models import Cohort
from storage.signup import groups as signup_groups
from storage.signup.models import Enrolment


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(answer_offer, OfferCb.filter())
    return router


async def answer_offer(
    query: CallbackQuery,
    callback_data: OfferCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    enrolment = await db.get(Enrolment, callback_data.enrolment)
    if enrolment is None or member is None or enrolment.person_id != member.person.id:
        await query.answer(_("This button no longer works."), show_alert=True)
        return
    now = clock.now()
    cohort = await db.get(Cohort, enrolment.cohort_id)
    assert cohort is not None and query.bot is not None
    name = html.quote(member.person.first_name or "?")
    if callback_data.action == OfferAnswer.DECLINE:
        declined = await signup_groups.decline_offer(db, enrolment, now)
        if declined is None:
            await _expired(query)
            return
        await _close(query)
        await notify.to_coordinators(
            db,
            enrolment.programme_id,
            notify.message_payload(
                _("{name} declined the free place in group {group}.").format(
                    name=name, group=html.quote(cohort.name)
                )
            ),
            key=keys.offer_declined(enrolment.id, enrolment.offered_at),
            now=now,
        )
        text = _("OK, we give the place to someone else. Thank you for letting us know.")
        if declined.still_waiting_in is not None:
            text += " " + _("You stay on the waiting list of {group}.").format(
                group=html.quote(declined.still_waiting_in.name)
            )
        await query.bot.send_message(query.from_user.id, text)
        return
    if not await signup_groups.accept_offer(db, enrolment, now):
        await _expired(query)
        return
    await _close(query)
    await people.grant_role(db, member.person.id, enrolment.programme_id, Role.PARTICIPANT, now)
    await notify.to_coordinators(
        db,
        enrolment.programme_id,
        notify.message_payload(
            _("{name} accepted the free place in group {group}.").format(
                name=name, group=html.quote(cohort.name)
            )
        ),
        key=keys.offer_accepted(enrolment.id),
        now=now,
    )
    await query.bot.send_message(query.from_user.id, await notices.placed_text(db, cohort))


async def _expired(query: CallbackQuery) -> None:
    await query.answer(_("This offer has expired or was already answered."), show_alert=True)


async def _close(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
