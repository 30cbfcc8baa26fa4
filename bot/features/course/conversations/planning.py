"""Course leaders and coordinators see a group's sessions, and move or cancel one.

```mermaid
stateDiagram-v2
    [*] --> groups: /planning (leaders: their groups; coordinators: all groups)
    groups --> sessions: a group button (list of its sessions)
    sessions --> leaders: "Course leader" (coordinators; handlers/leaders.py)
    sessions --> session: a session button ("Move" / "Cancel session")
    session --> moving: "Move"
    moving --> moving: not a day and time, or a time that does not exist / happens twice
    moving --> confirm_move: a new local day and time ("14-3-2027 19:30")
    confirm_move --> [*]: "Yes, move" (participants told at once, reminders rescheduled)
    confirm_move --> [*]: a time the rules refuse (forged or passed): "This button no longer works"
    session --> confirm_cancel: "Cancel session"
    confirm_cancel --> [*]: "Yes, cancel" (participants told, silently at night)
```
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

from aiogram import F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.course.callbacks import PlanAction, PlanCb
from bot.features.course.common import programme_setup, session_line, session_title, when
from bot.features.course.conversations.state import MoveData
from bot.features.course.handlers import leaders
from bot.features.course.notify import announce_change
from bot.kit.callbacks import stale_button
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.course.settings import parse_moment
from domain.local_time import LocalTimeError, local_to_utc
from domain.roles import Role
from storage import people
from storage.course import queries as course
from storage.course.models import Cohort, CourseSession


class MoveSession(StatesGroup):
    typing = State()


MOVE_HORIZON = dt.timedelta(days=2 * 365)
"""A session moves to a moment at most this far ahead (a year typed wrong is no plan)."""


class MoveProblem(StrEnum):
    """Why a new start is refused (the same rules for a typed time and a tapped button)."""

    NONEXISTENT = "nonexistent"
    AMBIGUOUS = "ambiguous"
    PASSED = "passed"
    TOO_FAR = "too_far"


def new_start(local: dt.datetime, tz: ZoneInfo, now: dt.datetime) -> dt.datetime | MoveProblem:
    """The UTC moment of a typed local day and time, or why a session cannot move there."""
    moment = local_to_utc(local, tz)
    if moment is LocalTimeError.NONEXISTENT:
        return MoveProblem.NONEXISTENT
    if moment is LocalTimeError.AMBIGUOUS:
        return MoveProblem.AMBIGUOUS
    assert isinstance(moment, dt.datetime)
    if moment <= now:
        return MoveProblem.PASSED
    if moment > now + MOVE_HORIZON:
        return MoveProblem.TOO_FAR
    return moment


def tapped_start(seconds: int, tz: ZoneInfo, now: dt.datetime) -> dt.datetime | None:
    """The new start a "Yes, move" button carries, when the rules still allow it; None for a
    forged or garbled number (range-checked before it becomes a datetime) or a passed time."""
    if not now.timestamp() < seconds <= (now + MOVE_HORIZON).timestamp() or seconds % 60:
        return None
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    local = moment.astimezone(tz).replace(tzinfo=None)
    return moment if new_start(local, tz, now) == moment else None


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(groups, Command("planning"))
    router.callback_query.register(show_group, PlanCb.filter(F.action == PlanAction.GROUP))
    router.callback_query.register(show_session, PlanCb.filter(F.action == PlanAction.SESSION))
    router.callback_query.register(ask_move, PlanCb.filter(F.action == PlanAction.MOVE))
    router.message.register(got_moment, MoveSession.typing, F.text)
    router.message.register(not_text, MoveSession.typing)
    router.callback_query.register(do_move, PlanCb.filter(F.action == PlanAction.CONFIRM_MOVE))
    router.callback_query.register(ask_cancel, PlanCb.filter(F.action == PlanAction.CANCEL))
    router.callback_query.register(do_cancel, PlanCb.filter(F.action == PlanAction.CONFIRM_CANCEL))
    return router


async def may_plan(db: AsyncSession, member: people.Member | None, cohort: Cohort | None) -> bool:
    """A coordinator of the group's programme, or a course leader there who leads this group."""
    if member is None or cohort is None:
        return False
    if member.may(cohort.programme_id, Role.COORDINATOR):
        return True
    return member.may(cohort.programme_id, Role.COURSE_LEADER) and member.person.id in (
        await course.leaders_of(db, cohort.id)
    )


async def groups(message: Message, db: AsyncSession, member: people.Member | None) -> None:
    """The groups of the sender's own programme: all of them for a coordinator, the ones they
    lead for a course leader."""
    if member is None or not member.may(member.programme_id, Role.COORDINATOR, Role.COURSE_LEADER):
        await message.answer(_("Only course leaders and coordinators can plan sessions."))
        return
    leader = None if member.may(member.programme_id, Role.COORDINATOR) else member.person.id
    found = await course.cohorts_for(db, member.programme_id, leader)
    if not found:
        await message.answer(
            _("There are no groups yet. A coordinator creates one with /nieuwegroep.")
        )
        return
    await message.answer(
        _("Which group?"),
        reply_markup=inline_choices(
            [(c.name, PlanCb(action=PlanAction.GROUP, ident=c.id).pack()) for c in found[:30]]
        ),
    )


async def show_group(
    query: CallbackQuery, callback_data: PlanCb, db: AsyncSession, member: people.Member | None
) -> None:
    cohort = await course.get_cohort(db, callback_data.ident)
    if not await may_plan(db, member, cohort) or cohort is None:
        await query.answer(_("You cannot plan this group."), show_alert=True)
        return
    tz, _settings = await programme_setup(db, cohort.programme_id)
    items = await course.sessions_of(db, cohort.id)
    lines = [_("Sessions of <b>{group}</b>:").format(group=html.quote(cohort.name)), ""]
    lines += [session_line(s, tz) for s in items]
    lines += ["", _("Tap a session to move or cancel it.")]
    markup = inline_choices(
        [
            (session_title(s), PlanCb(action=PlanAction.SESSION, ident=s.id).pack())
            for s in items
            if s.cancelled_at is None
        ],
        columns=2,
    )
    if member is not None and member.may(cohort.programme_id, Role.COORDINATOR):
        names = await leaders.leader_names(db, cohort)
        lines.insert(
            1,
            _("Course leader: {names}").format(names=names)
            if names
            else _("Course leader: nobody yet"),
        )
        text, data = leaders.leaders_button(cohort.id)
        markup.inline_keyboard.append([InlineKeyboardButton(text=text, callback_data=data)])
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer("\n".join(lines), reply_markup=markup)


async def _plannable(
    query: CallbackQuery, db: AsyncSession, member: people.Member | None, session_id: int
) -> CourseSession | None:
    item = await course.get_session(db, session_id)
    cohort = await course.get_cohort(db, item.cohort_id) if item else None
    if item is None or not await may_plan(db, member, cohort):
        await query.answer(_("You cannot plan this session."), show_alert=True)
        return None
    if item.cancelled_at is not None:
        await query.answer(_("This session is cancelled."), show_alert=True)
        return None
    return item


async def show_session(
    query: CallbackQuery, callback_data: PlanCb, db: AsyncSession, member: people.Member | None
) -> None:
    item = await _plannable(query, db, member, callback_data.ident)
    if item is None:
        return
    tz, _settings = await programme_setup(db, item.programme_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            session_line(item, tz),
            reply_markup=inline_choices(
                [
                    (_("Move session"), PlanCb(action=PlanAction.MOVE, ident=item.id).pack()),
                    (_("Cancel session"), PlanCb(action=PlanAction.CANCEL, ident=item.id).pack()),
                ],
                columns=2,
            ),
        )


async def ask_move(
    query: CallbackQuery,
    callback_data: PlanCb,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member | None,
) -> None:
    item = await _plannable(query, db, member, callback_data.ident)
    if item is None:
        return
    await state.set_state(MoveSession.typing)
    await MoveData(session=item.id).save(state)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            _(
                "To which day and time? Type it like <i>14-3-2027 19:30</i> "
                "(time in the Netherlands). Stop with /cancel."
            )
        )


async def got_moment(message: Message, state: FSMContext, db: AsyncSession, clock: Clock) -> None:
    local = parse_moment(message.text or "")
    if local is None:
        await message.answer(
            _("I do not understand that. Type a day and time like <i>14-3-2027 19:30</i>.")
        )
        return
    data = await MoveData.load(state)
    item = await course.get_session(db, data.session)
    if item is None:
        await state.clear()
        await message.answer(_("This session no longer exists. Type /planning."))
        return
    tz, _settings = await programme_setup(db, item.programme_id)
    moment = new_start(local, tz, clock.now())
    if moment is MoveProblem.NONEXISTENT:
        await message.answer(
            _(
                "On that night the clocks go forward: {time} does not exist that day. "
                "Choose another time, for example an hour later."
            ).format(time=local.strftime("%H:%M"))
        )
        return
    if moment is MoveProblem.AMBIGUOUS:
        await message.answer(
            _(
                "On that night the clocks go back: {time} happens twice that day. "
                "Choose another time, for example 03:30."
            ).format(time=local.strftime("%H:%M"))
        )
        return
    if moment is MoveProblem.PASSED:
        await message.answer(_("That moment has passed. Type a day and time in the future."))
        return
    if moment is MoveProblem.TOO_FAR:
        await message.answer(
            _("That is more than two years from now. Type a day and time within two years.")
        )
        return
    assert isinstance(moment, dt.datetime)
    await state.clear()
    await message.answer(
        _("Move {title} from {old} to {new}?").format(
            title=session_title(item), old=when(item.starts_at, tz), new=when(moment, tz)
        ),
        reply_markup=inline_choices(
            [
                (
                    _("Yes, move"),
                    PlanCb(
                        action=PlanAction.CONFIRM_MOVE,
                        ident=item.id,
                        new_start=int(moment.timestamp()),
                    ).pack(),
                ),
            ]
        ),
    )


async def not_text(message: Message) -> None:
    await message.answer(_("Type a day and time like <i>14-3-2027 19:30</i>, or /cancel."))


async def do_move(
    query: CallbackQuery,
    callback_data: PlanCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    item = await _plannable(query, db, member, callback_data.ident)
    if item is None:
        return
    now = clock.now()
    tz, _settings = await programme_setup(db, item.programme_id)
    moved_to = tapped_start(callback_data.new_start, tz, now)
    if moved_to is None:
        await stale_button(query)
        return
    old = item.starts_at
    if moved_to == old:
        await query.answer(_("This session is already at that time."))
        return
    item.starts_at = moved_to
    item.attendance_saved_at = None
    await course.cancel_pending_reminders(db, item.id)
    reached = await announce_change(db, item, old, now, cancelled=False)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _(
                "Moved. {count} participants are told, and the reminders follow the new time."
            ).format(count=reached)
        )


async def ask_cancel(
    query: CallbackQuery, callback_data: PlanCb, db: AsyncSession, member: people.Member | None
) -> None:
    item = await _plannable(query, db, member, callback_data.ident)
    if item is None:
        return
    tz, _settings = await programme_setup(db, item.programme_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            _("Cancel {line}? All participants will be told.").format(line=session_line(item, tz)),
            reply_markup=inline_choices(
                [
                    (
                        _("Yes, cancel"),
                        PlanCb(action=PlanAction.CONFIRM_CANCEL, ident=item.id).pack(),
                    )
                ]
            ),
        )


async def do_cancel(
    query: CallbackQuery,
    callback_data: PlanCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    item = await _plannable(query, db, member, callback_data.ident)
    if item is None:
        return
    now = clock.now()
    item.cancelled_at = now
    await course.cancel_pending_reminders(db, item.id)
    reached = await announce_change(db, item, item.starts_at, now, cancelled=True)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _("Cancelled. {count} participants are told.").format(count=reached)
        )
