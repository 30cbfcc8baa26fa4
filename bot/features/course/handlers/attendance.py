"""The attendance checklist: one message whose buttons toggle present/absent/excused, saved once.

/aanwezigheid lists the leader's sessions that have begun (last 14 days); the checklist also
arrives by itself when a session starts (bot.course_sweeps). Saving checks completion.
"""

from __future__ import annotations

import datetime as dt

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.course.callbacks import AttendanceAction, AttendanceCb
from bot.features.course.common import programme_setup, session_line
from bot.features.course.notify import (
    check_completion,
    checklist_buttons,
    checklist_text,
    effective_statuses,
)
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.course.rules import next_attendance
from domain.roles import Role
from storage import people
from storage.course import queries as course
from storage.course.models import Cohort, CourseSession


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(choose, Command("aanwezigheid"))
    router.callback_query.register(
        open_list, AttendanceCb.filter(F.action == AttendanceAction.OPEN)
    )
    router.callback_query.register(toggle, AttendanceCb.filter(F.action == AttendanceAction.TOGGLE))
    router.callback_query.register(save, AttendanceCb.filter(F.action == AttendanceAction.SAVE))
    return router


async def _leads(
    db: AsyncSession, member: people.Member | None, item: CourseSession | None
) -> Cohort | None:
    """The session's group, when the sender coordinates its programme or leads it there."""
    if member is None or item is None:
        return None
    cohort = await db.get(Cohort, item.cohort_id)
    if cohort is None:
        return None
    if member.may(cohort.programme_id, Role.COORDINATOR):
        return cohort
    if not member.may(cohort.programme_id, Role.COURSE_LEADER):
        return None
    return cohort if member.person.id in await course.leaders_of(db, cohort.id) else None


async def choose(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member | None
) -> None:
    if member is None or not member.may(member.programme_id, Role.COORDINATOR, Role.COURSE_LEADER):
        await message.answer(_("Only course leaders register attendance."))
        return
    now = clock.now()
    leader = None if member.may(member.programme_id, Role.COORDINATOR) else member.person.id
    cohorts = await course.cohorts_for(db, member.programme_id, leader)
    tz, _settings = await programme_setup(db, member.programme_id)
    items = [
        s
        for c in cohorts
        for s in await course.sessions_of(db, c.id)
        if s.cancelled_at is None and now - dt.timedelta(days=14) <= s.starts_at <= now
    ]
    if not items:
        await message.answer(_("No session of your groups has begun in the last two weeks."))
        return
    items.sort(key=lambda s: s.starts_at, reverse=True)
    await message.answer(
        _("Which session?"),
        reply_markup=inline_choices(
            [
                (
                    session_line(s, tz),
                    AttendanceCb(action=AttendanceAction.OPEN, session=s.id).pack(),
                )
                for s in items[:10]
            ]
        ),
    )


async def open_list(
    query: CallbackQuery,
    callback_data: AttendanceCb,
    db: AsyncSession,
    member: people.Member | None,
) -> None:
    item = await course.get_session(db, callback_data.session)
    cohort = await _leads(db, member, item)
    if cohort is None or item is None:
        await query.answer(_("You do not lead this group."), show_alert=True)
        return
    tz, _settings = await programme_setup(db, cohort.programme_id)
    group = await course.participants(db, cohort.id)
    statuses = await effective_statuses(db, item, group)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            checklist_text(item, cohort, group, statuses, tz),
            reply_markup=checklist_buttons(item, group, statuses),
        )


async def toggle(
    query: CallbackQuery,
    callback_data: AttendanceCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    item = await course.get_session(db, callback_data.session)
    cohort = await _leads(db, member, item)
    if cohort is None or item is None or member is None:
        await query.answer(_("You do not lead this group."), show_alert=True)
        return
    group = await course.participants(db, cohort.id)
    statuses = await effective_statuses(db, item, group)
    if callback_data.person not in statuses:
        await query.answer(_("This person is no longer in the group."), show_alert=True)
        return
    new = next_attendance(statuses[callback_data.person])
    statuses[callback_data.person] = new
    await course.set_attendance(
        db, item.id, callback_data.person, new, member.person.id, clock.now()
    )
    tz, _settings = await programme_setup(db, cohort.programme_id)
    await query.answer()
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(
                checklist_text(item, cohort, group, statuses, tz),
                reply_markup=checklist_buttons(item, group, statuses),
            )
        except TelegramBadRequest as exc:
            if "not modified" not in str(exc):
                raise


async def save(
    query: CallbackQuery,
    callback_data: AttendanceCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    item = await course.get_session(db, callback_data.session)
    cohort = await _leads(db, member, item)
    if cohort is None or item is None or member is None:
        await query.answer(_("You do not lead this group."), show_alert=True)
        return
    now = clock.now()
    if item.starts_at > now:
        await query.answer(_("This session has not begun yet."), show_alert=True)
        return
    group = await course.participants(db, cohort.id)
    statuses = await effective_statuses(db, item, group)
    for person_id, status in statuses.items():
        await course.set_attendance(db, item.id, person_id, status, member.person.id, now)
    item.attendance_saved_at = now
    for person_id in statuses:
        await check_completion(db, person_id, cohort.id, now)
    tz, _settings = await programme_setup(db, cohort.programme_id)
    await query.answer(_("List saved"))
    if isinstance(query.message, Message):
        text = checklist_text(item, cohort, group, statuses, tz)
        text += "\n\n" + _("Saved. You can still change it: tap a name and save again.")
        try:
            await query.message.edit_text(
                text, reply_markup=checklist_buttons(item, group, statuses)
            )
        except TelegramBadRequest as exc:
            if "not modified" not in str(exc):
                raise
