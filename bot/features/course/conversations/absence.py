"""Answers to a session reminder: "ik kom" is recorded; "ik kan niet" asks an optional reason
and tells the course leader(s).

```mermaid
stateDiagram-v2
    [*] --> [*]: "I am coming" (recorded)
    [*] --> reason: "I cannot come" (recorded; pre-marks excused on the checklist)
    reason --> [*]: a reason (max. 500 characters) or "Skip" (leaders told via the outbox)
    reason --> [*]: /cancel (the answer stays recorded; leaders are not told)
```
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.course.callbacks import ReminderAction, ReminderCb
from bot.features.course.common import person_name, programme_setup, session_title, when
from bot.features.course.conversations.state import AbsenceData
from bot.features.course.keys import absence_key
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.course.rules import ReminderAnswer
from storage import people
from storage.course import queries as course
from storage.course.models import Cohort

MAX_REASON = 500


class Absence(StatesGroup):
    reason = State()


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(coming, ReminderCb.filter(F.action == ReminderAction.COMING))
    router.callback_query.register(cannot, ReminderCb.filter(F.action == ReminderAction.CANNOT))
    router.callback_query.register(
        skip, Absence.reason, ReminderCb.filter(F.action == ReminderAction.SKIP_REASON)
    )
    router.callback_query.register(
        stale_skip, ReminderCb.filter(F.action == ReminderAction.SKIP_REASON)
    )
    router.message.register(got_reason, Absence.reason, F.text)
    router.message.register(not_text, Absence.reason)
    return router


async def _placed_session(
    query: CallbackQuery, db: AsyncSession, member: people.Member | None, session_id: int
) -> tuple[int, int] | None:
    """(person id, session id) when the sender is placed in the session's group."""
    item = await course.get_session(db, session_id)
    if member is None or item is None:
        await query.answer(_("This session no longer exists."), show_alert=True)
        return None
    placed = {c.id for c in await course.cohorts_of_participant(db, member.person.id)}
    if item.cohort_id not in placed:
        await query.answer(_("You are not in this group."), show_alert=True)
        return None
    if item.cancelled_at is not None:
        await query.answer(_("This session is cancelled."), show_alert=True)
        return None
    return member.person.id, item.id


async def coming(
    query: CallbackQuery,
    callback_data: ReminderCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    found = await _placed_session(query, db, member, callback_data.session)
    if found is None:
        return
    await course.set_answer(db, found[1], found[0], ReminderAnswer.COMING, clock.now())
    await query.answer(_("Great, see you then!"))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(_("Noted: you are coming. See you then!"))


async def cannot(
    query: CallbackQuery,
    callback_data: ReminderCb,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    found = await _placed_session(query, db, member, callback_data.session)
    if found is None:
        return
    await course.set_answer(db, found[1], found[0], ReminderAnswer.CANNOT, clock.now())
    await state.set_state(Absence.reason)
    await AbsenceData(session=found[1]).save(state)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _(
                "Too bad! Do you want to tell your course leader why? Type it in one message, "
                "or tap Skip."
            ),
            reply_markup=inline_choices(
                [
                    (
                        _("Skip the reason"),
                        ReminderCb(action=ReminderAction.SKIP_REASON, session=found[1]).pack(),
                    )
                ]
            ),
        )


async def tell_leaders(
    db: AsyncSession, member: people.Member, session_id: int, reason: str | None, clock: Clock
) -> None:
    item = await course.get_session(db, session_id)
    if item is None:
        return
    cohort = await db.get(Cohort, item.cohort_id)
    tz, _settings = await programme_setup(db, item.programme_id)
    text = _("{name} cannot come to {title} of {group} ({when}).").format(
        name=html.quote(person_name(member.person)),
        title=session_title(item),
        group=html.quote(cohort.name if cohort else ""),
        when=when(item.starts_at, tz),
    )
    if reason:
        text += "\n" + _("Reason: {reason}").format(reason=html.quote(reason))
    for leader in await course.leaders_of(db, item.cohort_id):
        await notify.to_person(
            db,
            leader,
            notify.message_payload(text),
            key=absence_key(item.id, member.person.id, item.starts_at, leader),
            now=clock.now(),
        )


async def got_reason(
    message: Message, state: FSMContext, db: AsyncSession, clock: Clock, member: people.Member
) -> None:
    reason = (message.text or "").strip()
    if len(reason) > MAX_REASON:
        await message.answer(
            _("Your reason is too long: at most {max} characters.").format(max=MAX_REASON)
        )
        return
    data = await AbsenceData.load(state)
    if await course.get_session(db, data.session) is None:
        await state.clear()
        await message.answer(_("This session no longer exists."))
        return
    await course.set_answer(
        db, data.session, member.person.id, ReminderAnswer.CANNOT, clock.now(), reason
    )
    await tell_leaders(db, member, data.session, reason, clock)
    await state.clear()
    await message.answer(_("Thanks, your course leader knows. See you next time!"))


async def skip(
    query: CallbackQuery,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    data = await AbsenceData.load(state)
    await state.clear()
    await query.answer()
    if member is None:
        return
    await tell_leaders(db, member, data.session, None, clock)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(_("OK, your course leader knows. See you next time!"))


async def stale_skip(query: CallbackQuery) -> None:
    await query.answer(_("This was already passed on."))


async def not_text(message: Message) -> None:
    await message.answer(_("Type your reason as text, or tap Skip."))
