"""After an opportunity: "Heb je meegedaan?", and the hours done there, confirmed like /uren's.

```mermaid
stateDiagram-v2
    [*] --> asked: sweep, the day after the start from 10:00 local (outbox, once a sign-up)
    asked --> [*]: "No" (saved: not attended)
    asked --> amount: "Yes" (saved: attended, now)
    amount --> amount: unreadable / out of range / day above 24 h (explained, with examples)
    amount --> what: 0,25-12 hours
    what --> confirm: a short description, or "Skip"
    confirm --> [*]: "Save": a pending log (practice for a trainee, volunteer for a Citytrainer)
    confirm --> amount: "Start again"
```
The log goes to the organisation's supervisors like a placement log (`send_for_decision`: to
the coordinators when there is no supervisor) and is then decided, reminded and escalated by
the hours feature. Volunteer hours do not count towards the 15 practice hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from aiogram import F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.hours.common import day_text, send_for_decision
from bot.features.hours.conversations.log_hours import MAX_WHAT, hours_error_text
from bot.features.opportunities import keys
from bot.features.opportunities.callbacks import (
    AttendanceAnswer,
    AttendanceCallback,
    HoursAction,
    HoursCallback,
)
from bot.features.opportunities.conversations.state import HoursData, load_hours, save_hours
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.config import Settings
from bot.kit.keyboards import inline_choices
from bot.kit.sweep import Sweep
from domain.dates import age_on
from domain.hours.amounts import HoursError, check_day_total, format_hours, parse_hours
from domain.local_time import at_local, to_local
from domain.reminders import deliver_at
from domain.roles import Role
from storage import people
from storage.hours import queries as hours
from storage.models import Person
from storage.opportunities import queries as opportunities
from storage.opportunities.models import Opportunity, OpportunitySignup

ASK_AT = dt.time(10, 0)
"""Local time, the day after the opportunity's start, from which the question is sent."""
ASK_WITHIN = dt.timedelta(days=14)
"""Sign-ups of opportunities that started longer ago are not asked any more."""


class OppHours(StatesGroup):
    amount = State()
    what = State()
    confirm = State()


def create_router() -> Router:
    router = Router(name=__name__)
    attended = AttendanceCallback.filter
    router.callback_query.register(said_yes, attended(F.answer == AttendanceAnswer.YES))
    router.callback_query.register(said_no, attended(F.answer == AttendanceAnswer.NO))
    router.message.register(got_amount, OppHours.amount, F.text)
    router.message.register(got_what, OppHours.what, F.text)
    button = HoursCallback.filter
    router.callback_query.register(
        skip_what, OppHours.what, button(F.action == HoursAction.SKIP_WHAT)
    )
    router.callback_query.register(save, OppHours.confirm, button(F.action == HoursAction.SAVE))
    router.callback_query.register(
        again, OppHours.confirm, button(F.action == HoursAction.START_AGAIN)
    )
    router.message.register(use_buttons, OppHours.confirm)
    router.message.register(not_text, OppHours.amount)
    router.message.register(not_text, OppHours.what)
    router.callback_query.register(stale, button())  # any of them, out of its step
    return router


# --- the question, the day after ----------------------------------------------------------


async def local_date(session: AsyncSession, opp: Opportunity) -> dt.date:
    assert opp.starts_at is not None
    tz = ZoneInfo(await hours.timezone_of(session, opp.programme_id))
    return to_local(opp.starts_at, tz).date()


def _attended(answer: AttendanceAnswer, signup_id: int) -> str:
    return AttendanceCallback(answer=answer, signup_id=signup_id).pack()


async def ask_attendance(session: AsyncSession, now: dt.datetime) -> None:
    """Ask everyone with a place at a dated opportunity that took place, once a sign-up."""
    zones: dict[int, ZoneInfo] = {}
    for signup, opp in await opportunities.attendance_candidates(session, now - ASK_WITHIN, now):
        assert opp.starts_at is not None
        if opp.programme_id not in zones:
            zones[opp.programme_id] = ZoneInfo(await hours.timezone_of(session, opp.programme_id))
        tz = zones[opp.programme_id]
        day = to_local(opp.starts_at, tz).date()
        if now < at_local(day + dt.timedelta(days=1), ASK_AT, tz):
            continue
        person = await session.get(Person, signup.person_id)
        if person is None or person.anonymised_at is not None:
            continue
        age = age_on(person.birth_date, now.date()) if person.birth_date else None
        await notify.to_person(
            session,
            signup.person_id,
            notify.message_payload(
                _("Did you take part in <b>{title}</b> on {date}?").format(
                    title=html.quote(opp.title), date=day_text(day)
                ),
                inline_choices(
                    [
                        (_("Yes"), _attended(AttendanceAnswer.YES, signup.id)),
                        (_("No"), _attended(AttendanceAnswer.NO, signup.id)),
                    ],
                    columns=2,
                ),
            ),
            key=keys.attendance_key(signup.id),
            now=now,
            ref=keys.opportunity_ref(opp.id),
            not_before=deliver_at(now, age, tz=tz),
        )


def sweeps() -> list[Sweep]:
    return [Sweep("opportunity-attendance", ask_attendance)]


# --- the answers -----------------------------------------------------------------------------


async def _own_signup(
    query: CallbackQuery, db: AsyncSession, member: people.Member | None, signup_id: int
) -> tuple[OpportunitySignup, Opportunity] | None:
    signup = await opportunities.get_signup(db, signup_id)
    if signup is None or member is None or signup.person_id != member.person.id:
        await query.answer(_("This question is not for you."), show_alert=True)
        return None
    opp = await opportunities.get(db, signup.opportunity_id)
    if opp is None or opp.starts_at is None:
        await query.answer(_("This opportunity no longer exists."), show_alert=True)
        return None
    if await hours.opportunity_log(db, signup.person_id, opp.id) is not None:
        await query.answer(_("You already logged your hours for this. See /uren."), show_alert=True)
        return None
    return signup, opp


async def said_no(
    query: CallbackQuery,
    callback_data: AttendanceCallback,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    found = await _own_signup(query, db, member, callback_data.signup_id)
    if found is None:
        return
    await opportunities.record_attendance(db, found[0], False, clock.now())
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _("Thanks for letting us know. See other opportunities with /kansen.")
        )


async def said_yes(
    query: CallbackQuery,
    callback_data: AttendanceCallback,
    db: AsyncSession,
    state: FSMContext,
    clock: Clock,
    member: people.Member | None,
) -> None:
    found = await _own_signup(query, db, member, callback_data.signup_id)
    if found is None or not isinstance(query.message, Message):
        return
    signup, opp = found
    await opportunities.record_attendance(db, signup, True, clock.now())
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    await state.set_state(OppHours.amount)
    await save_hours(state, HoursData(signup_id=signup.id, day=await local_date(db, opp)))
    await _ask_amount(query.message, opp.title)


async def _ask_amount(message: Message, title: str) -> None:
    await message.answer(
        _(
            "Great! How many hours did you do at <b>{title}</b>? For example <i>2</i>, "
            "<i>2,5</i>, <i>2:30</i> or <i>90 min</i>."
        ).format(title=html.quote(title))
    )


async def got_amount(
    message: Message, state: FSMContext, db: AsyncSession, member: people.Member
) -> None:
    minutes = parse_hours(message.text or "")
    if isinstance(minutes, HoursError):
        await message.answer(hours_error_text(minutes))
        return
    data = await load_hours(state)
    if data.day is None:
        await _lost(message, state)
        return
    error = check_day_total(await hours.day_minutes(db, member.person.id, data.day), minutes)
    if error is not None:
        await message.answer(hours_error_text(error))
        return
    await save_hours(state, replace(data, minutes=minutes))
    await state.set_state(OppHours.what)
    skip = HoursCallback(action=HoursAction.SKIP_WHAT).pack()
    await message.answer(
        _("What did you do? In a few words, for example <i>Helped at the games</i>. Or tap Skip."),
        reply_markup=inline_choices([(_("Skip"), skip)]),
    )


async def _lost(message: Message, state: FSMContext) -> None:
    """The flow's state lacks what it needs (saved by an older version, or damaged): stop."""
    await state.clear()
    await message.answer(_("This opportunity no longer exists."))


async def got_what(
    message: Message, state: FSMContext, db: AsyncSession, roles: frozenset[Role]
) -> None:
    what = (message.text or "").strip()
    if len(what) < 3:
        await message.answer(_("That is a bit short. What did you do, in a few words?"))
        return
    if len(what) > MAX_WHAT:
        await message.answer(_("That is too long: at most 500 characters."))
        return
    await _summary(message, state, db, roles, what)


async def skip_what(
    query: CallbackQuery, state: FSMContext, db: AsyncSession, roles: frozenset[Role]
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await _summary(query.message, state, db, roles, None)


def kind_for(roles: frozenset[Role]) -> str:
    """Practice hours for a trainee (a participant who is not yet a Citytrainer), else volunteer
    hours."""
    if Role.PARTICIPANT in roles and Role.CITYTRAINER not in roles:
        return hours.PRACTICE
    return hours.VOLUNTEER


async def _summary(
    message: Message,
    state: FSMContext,
    db: AsyncSession,
    roles: frozenset[Role],
    what: str | None,
) -> None:
    data = replace(await load_hours(state), what=what)
    if data.day is None or data.minutes is None:
        await _lost(message, state)
        return
    await save_hours(state, data)
    await state.set_state(OppHours.confirm)
    opp = await _opportunity_of(db, data)
    kind = (
        _("These count as practice hours.")
        if kind_for(roles) == hours.PRACTICE
        else _("These count as volunteer hours (not as practice hours for the course).")
    )
    await message.answer(
        _(
            "{title}\nDate: {date}\nHours: {hours}\nWhat: {what}\n{kind}\n\nShall I send this?"
        ).format(
            title=html.quote(opp.title if opp else "-"),
            date=day_text(data.day),
            hours=format_hours(data.minutes),
            what=html.quote(what or "-"),
            kind=kind,
        ),
        reply_markup=inline_choices(
            [
                (_("Save"), HoursCallback(action=HoursAction.SAVE).pack()),
                (_("Start again"), HoursCallback(action=HoursAction.START_AGAIN).pack()),
            ],
            columns=2,
        ),
    )


async def _opportunity_of(db: AsyncSession, data: HoursData) -> Opportunity | None:
    signup = await opportunities.get_signup(db, data.signup_id) if data.signup_id else None
    return await opportunities.get(db, signup.opportunity_id) if signup else None


async def save(
    query: CallbackQuery,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member,
    roles: frozenset[Role],
    clock: Clock,
    settings: Settings,
) -> None:
    data = await load_hours(state)
    await state.clear()
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    signup = await opportunities.get_signup(db, data.signup_id) if data.signup_id else None
    opp = await opportunities.get(db, signup.opportunity_id) if signup else None
    day, minutes = data.day, data.minutes
    if (
        signup is None
        or opp is None
        or signup.person_id != member.person.id
        or day is None
        or minutes is None
    ):
        await query.message.answer(_("This opportunity no longer exists."))
        return
    if await hours.opportunity_log(db, member.person.id, opp.id) is not None:
        await query.message.answer(_("You already logged your hours for this. See /uren."))
        return
    if check_day_total(await hours.day_minutes(db, member.person.id, day), minutes):
        await query.message.answer(hours_error_text(HoursError.DAY_TOTAL_EXCEEDED))
        return
    now = clock.now()
    entry = await hours.add_opportunity_log(
        db,
        programme_id=opp.programme_id,
        person_id=member.person.id,
        organisation_id=opp.organisation_id,
        opportunity_id=opp.id,
        work_date=day,
        minutes=minutes,
        description=data.what,
        kind=kind_for(roles),
        now=now,
    )
    await send_for_decision(db, settings, entry, now)
    await query.message.answer(
        _(
            "Saved: {hours} hours at <b>{title}</b>, waiting for confirmation. You get a "
            "message when it has been decided. Type /uren for your overview."
        ).format(hours=format_hours(minutes), title=html.quote(opp.title))
    )


async def again(query: CallbackQuery, state: FSMContext, db: AsyncSession) -> None:
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    opp = await _opportunity_of(db, await load_hours(state))
    await state.set_state(OppHours.amount)
    await _ask_amount(query.message, opp.title if opp else "-")


async def use_buttons(message: Message) -> None:
    await message.answer(_("Tap one of the buttons above, or type /cancel to stop."))


async def not_text(message: Message) -> None:
    await message.answer(_("Please type your answer as text."))


async def stale(query: CallbackQuery) -> None:
    await query.answer(_("This question is closed."), show_alert=True)
