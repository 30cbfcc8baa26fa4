"""After the activity date the Citytrainer is asked how it went (the after-activity report).

```mermaid
stateDiagram-v2
    [*] --> asked: sweep, the day after the (last) planned date (outbox, once)
    asked --> [*]: "No, it did not happen" (saved: happened = no)
    asked --> participants: "Yes, it happened"
    participants --> hours: a whole number (bad input explained)
    hours --> story: hours like 3 or 2,5
    story --> [*]: a short text, a photo with or without a caption, or "Skip" (saved)
```
Saved on the activity: happened, participants, minutes, story, photo_file_id (Telegram's file
id only), reported_at. The coordinators get a short note. The figures use these. The answers so
far are in the FSM data, typed as `state.ReportData`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from aiogram import F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.activities.callbacks import ReportAction, ReportCb
from bot.features.activities.conversations.state import ReportData, load_report, save_report
from bot.features.activities.keys import report_asked_key, report_saved_key
from bot.features.activities.texts import report_buttons
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from bot.kit.sweep import Sweep
from domain.dates import age_on
from domain.hours.amounts import format_hours, parse_hours
from domain.local_time import AMSTERDAM
from domain.opportunities.input import parse_count
from domain.reminders import deliver_at
from storage import people
from storage.activities import queries as activities
from storage.activities.models import Activity
from storage.models import Person

MAX_STORY = 1000
MAX_MINUTES = 200 * 60


class Report(StatesGroup):
    participants = State()
    hours = State()
    story = State()


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(happened, ReportCb.filter(F.action == ReportAction.HAPPENED))
    router.callback_query.register(
        not_happened, ReportCb.filter(F.action == ReportAction.NOT_HAPPENED)
    )
    router.message.register(participants, Report.participants, F.text)
    router.message.register(hours, Report.hours, F.text)
    router.message.register(story, Report.story, F.text | F.photo)
    router.callback_query.register(
        skip_story, Report.story, ReportCb.filter(F.action == ReportAction.SKIP_STORY)
    )
    router.message.register(not_text, Report.participants)
    router.message.register(not_text, Report.hours)
    router.message.register(not_text, Report.story)
    return router


async def ask_reports(session: AsyncSession, now: dt.datetime) -> None:
    """Ask the organiser of every approved activity whose date has passed, once."""
    today = now.astimezone(AMSTERDAM).date()
    for activity in await activities.due_for_report(session, today):
        assert activity.person_id is not None
        person = await session.get(Person, activity.person_id)
        age = age_on(person.birth_date, today) if person and person.birth_date else None
        activity.report_asked_at = now
        await notify.to_person(
            session,
            activity.person_id,
            notify.message_payload(
                _("How did your activity #{id} <b>{title}</b> ({when}) go? Did it happen?").format(
                    id=activity.id,
                    title=html.quote(activity.title),
                    when=html.quote(activity.when_text or ""),
                ),
                report_buttons(activity.id),
            ),
            key=report_asked_key(activity.id),
            now=now,
            not_before=deliver_at(now, age),
        )


def sweeps() -> list[Sweep]:
    return [Sweep("activity-reports", ask_reports)]


async def _reportable(
    query: CallbackQuery, db: AsyncSession, member: people.Member | None, activity_id: int
) -> Activity | None:
    activity = await activities.get(db, activity_id)
    if activity is None or member is None or activity.person_id != member.person.id:
        await query.answer(_("This activity is not yours."), show_alert=True)
        return None
    if activity.reported_at is not None:
        await query.answer(_("You already told us how it went. Thanks!"), show_alert=True)
        return None
    return activity


async def happened(
    query: CallbackQuery,
    callback_data: ReportCb,
    db: AsyncSession,
    state: FSMContext,
    member: people.Member | None,
) -> None:
    activity = await _reportable(query, db, member, callback_data.activity_id)
    if activity is None or not isinstance(query.message, Message):
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    await state.set_state(Report.participants)
    await save_report(state, ReportData(activity=activity.id))
    await query.message.answer(
        _("Great! How many participants were there? Type a number, for example <i>25</i>.")
    )


async def not_happened(
    query: CallbackQuery,
    callback_data: ReportCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    activity = await _reportable(query, db, member, callback_data.activity_id)
    if activity is None or not isinstance(query.message, Message):
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    await _save(db, clock, activity, False, None, None, None, None)
    await query.message.answer(
        _("Thanks for letting us know. A new idea? Propose it with /voorstel.")
    )


async def participants(message: Message, state: FSMContext) -> None:
    count = parse_count(message.text or "", 0, 100000)
    if count is None:
        await message.answer(_("Type the number of participants, for example <i>25</i>."))
        return
    await save_report(state, replace(await load_report(state), participants=count))
    await state.set_state(Report.hours)
    await message.answer(
        _(
            "How many hours did you spend on it, with the preparation? "
            "For example <i>6</i> or <i>4,5</i>."
        )
    )


async def hours(message: Message, state: FSMContext) -> None:
    minutes = parse_hours(message.text or "")
    if isinstance(minutes, str) and (message.text or "").strip().isdigit():
        minutes = int((message.text or "").strip()) * 60  # more than a day's hours is fine here
    if isinstance(minutes, str) or not 0 < minutes <= MAX_MINUTES:
        await message.answer(_("Type the hours as a number, for example <i>6</i> or <i>4,5</i>."))
        return
    await save_report(state, replace(await load_report(state), minutes=minutes))
    await state.set_state(Report.story)
    await message.answer(
        _(
            "Last question: tell us in a few sentences how it went. You may send a photo "
            "with your story as its caption. Or tap <b>Skip</b>."
        ),
        reply_markup=inline_choices([(_("Skip"), ReportCb(action=ReportAction.SKIP_STORY).pack())]),
    )


async def story(message: Message, state: FSMContext, db: AsyncSession, clock: Clock) -> None:
    text = (message.caption if message.photo else message.text) or ""
    if len(text) > MAX_STORY:
        await message.answer(_("That is too long: at most {max} characters.").format(max=MAX_STORY))
        return
    photo = message.photo[-1].file_id if message.photo else None
    await _finish(message, state, db, clock, text.strip() or None, photo)


async def skip_story(
    query: CallbackQuery, state: FSMContext, db: AsyncSession, clock: Clock
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await _finish(query.message, state, db, clock, None, None)


async def _finish(
    target: Message,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    text: str | None,
    photo: str | None,
) -> None:
    data = await load_report(state)
    await state.clear()
    activity = await activities.get(db, data.activity)
    if activity is None:
        return
    minutes, count = data.minutes, data.participants
    await _save(db, clock, activity, True, count, minutes, text, photo)
    await target.answer(
        _(
            "Thank you! Saved: {count} participants and {hours} hours. "
            "This counts in the programme's figures."
        ).format(count=count, hours=format_hours(minutes))
    )


async def _save(
    db: AsyncSession,
    clock: Clock,
    activity: Activity,
    did_happen: bool,
    count: int | None,
    minutes: int | None,
    text: str | None,
    photo: str | None,
) -> None:
    now = clock.now()
    saved = await activities.save_report(
        db,
        activity.id,
        happened=did_happen,
        participants=count,
        minutes=minutes,
        story=text,
        photo_file_id=photo,
        now=now,
    )
    if not saved:
        return
    if did_happen:
        note = _(
            "Report of activity #{id} <b>{title}</b>: it happened, {count} participants, "
            "{hours} hours."
        ).format(
            id=activity.id,
            title=html.quote(activity.title),
            count=count,
            hours=format_hours(minutes or 0),
        )
        if text:
            note += "\n\n" + html.quote(text)
    else:
        note = _("Report of activity #{id} <b>{title}</b>: it did not happen.").format(
            id=activity.id, title=html.quote(activity.title)
        )
    await notify.to_coordinators(
        db,
        activity.programme_id,
        notify.message_payload(note),
        key=report_saved_key(activity.id),
        now=now,
    )


async def not_text(message: Message) -> None:
    await message.answer(_("Please type your answer as text. Stop? Type /cancel."))
