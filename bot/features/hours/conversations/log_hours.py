"""/uren: the trainee's overview of practice hours, and logging new hours.

```mermaid
stateDiagram-v2
    [*] --> overview: /uren or "My hours" (per log: date, hours, status; totals)
    overview --> place: "Log hours" (skipped with one placement)
    place --> day: a placement
    day --> hours: today / yesterday
    day --> typed_day: "Other day"
    typed_day --> hours: a date in the last 30 days (not in the future)
    hours --> hours: unreadable / out of range / day above 24 h (explained)
    hours --> what: 0,25-12 hours
    what --> confirm: a short description
    confirm --> [*]: "Save": waiting for confirmation; supervisors get a message (outbox)
    confirm --> day: "Start again"
```
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from aiogram import F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.hours.callbacks import LOG_ACTIONS, DayChoice, HoursAction, HoursCb
from bot.features.hours.common import RULES, day_text, send_to_supervisors, status_text
from bot.features.hours.conversations.state import LogDraft
from bot.kit.clock import Clock
from bot.kit.config import Settings
from bot.kit.keyboards import inline_choices
from domain.dates import local_today
from domain.hours.amounts import HoursError, check_day_total, format_hours, parse_hours
from domain.hours.dates import WorkDateError, parse_work_date
from domain.hours.practice import HoursKind, LogStatus, hours_totals
from storage import people
from storage.hours import queries as hours
from storage.opportunities import queries as opportunities

MENU_HOURS = __("My hours")
MAX_WHAT = 500


class LogHours(StatesGroup):
    place = State()
    day = State()
    typed_day = State()
    amount = State()
    what = State()
    confirm = State()


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(overview, Command("uren"))
    router.message.register(overview, F.text == MENU_HOURS)
    router.callback_query.register(begin, HoursCb.filter(F.action == HoursAction.LOG_START))
    router.callback_query.register(
        got_place, LogHours.place, HoursCb.filter(F.action == HoursAction.LOG_PLACE)
    )
    router.callback_query.register(
        got_day, LogHours.day, HoursCb.filter(F.action == HoursAction.LOG_DAY)
    )
    router.message.register(got_typed_day, LogHours.typed_day, F.text)
    router.message.register(got_amount, LogHours.amount, F.text)
    router.message.register(got_what, LogHours.what, F.text)
    router.callback_query.register(
        save, LogHours.confirm, HoursCb.filter(F.action == HoursAction.LOG_SAVE)
    )
    router.callback_query.register(
        again, LogHours.confirm, HoursCb.filter(F.action == HoursAction.LOG_AGAIN)
    )
    router.message.register(
        use_buttons, StateFilter(LogHours.place, LogHours.day, LogHours.confirm)
    )
    router.message.register(
        not_text, StateFilter(LogHours.typed_day, LogHours.amount, LogHours.what)
    )
    router.callback_query.register(stale, HoursCb.filter(F.action.in_(LOG_ACTIONS)))
    return router


async def overview(
    message: Message, state: FSMContext, db: AsyncSession, member: people.Member | None
) -> None:
    await state.clear()
    if member is None:
        await message.answer(_("You have no practice place yet. Type /start first."))
        return
    logs = await hours.logs_of(db, member.person.id)
    placements = await hours.active_placements(db, member.person.id)
    tz = ZoneInfo(await hours.timezone_of(db, member.programme_id))
    titles = await opportunities.titles(db, [e.opportunity_id for e in logs if e.opportunity_id])
    lines = []
    for entry in logs[-30:]:
        line = _("{date}: {hours} h, {status}").format(
            date=day_text(entry.work_date),
            hours=format_hours(entry.minutes),
            status=status_text(entry.status),
        )
        if entry.status == LogStatus.PENDING:
            line += " " + _("(since {date})").format(
                date=entry.created_at.astimezone(tz).strftime("%d-%m")
            )
        if entry.opportunity_id:
            line += " - " + html.quote(titles.get(entry.opportunity_id, "-"))
        if entry.kind == HoursKind.VOLUNTEER:
            line += " " + _("(volunteer hours)")
        lines.append(line)
    practice = [hours.as_logged(e) for e in logs if e.kind != HoursKind.VOLUNTEER]
    totals = hours_totals(practice, RULES)
    summary = _(
        "Confirmed: {confirmed} of {needed} hours\nWaiting for confirmation: {waiting} hours"
    ).format(
        confirmed=format_hours(totals.confirmed_minutes),
        needed=format_hours(totals.required_minutes),
        waiting=format_hours(totals.waiting_minutes),
    )
    volunteer = hours_totals([hours.as_logged(e) for e in logs if e.kind == HoursKind.VOLUNTEER])
    if volunteer.confirmed_minutes or volunteer.waiting_minutes:
        summary += "\n" + _(
            "Volunteer hours (not part of the 15): {confirmed} confirmed, {waiting} waiting"
        ).format(
            confirmed=format_hours(volunteer.confirmed_minutes),
            waiting=format_hours(volunteer.waiting_minutes),
        )
    head = _("<b>Your practice hours</b>")
    body = "\n".join(lines) if lines else _("No hours logged yet.")
    text = f"{head}\n\n{body}\n\n{summary}"
    if not placements:
        await message.answer(
            text + "\n\n" + _("You have no practice place yet. The coordinator places you.")
        )
        return
    await message.answer(
        text,
        reply_markup=inline_choices(
            [(_("Log hours"), HoursCb(action=HoursAction.LOG_START).pack())]
        ),
    )


async def begin(
    query: CallbackQuery, state: FSMContext, db: AsyncSession, member: people.Member | None
) -> None:
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    placements = await hours.active_placements(db, member.person.id) if member else []
    if not placements:
        await query.message.answer(_("You have no practice place yet. The coordinator places you."))
        return
    await state.clear()
    if len(placements) == 1:
        await _ask_day(query.message, state, placements[0][0].id)
        return
    await state.set_state(LogHours.place)
    await query.message.answer(
        _("Where did you work?"),
        reply_markup=inline_choices(
            [
                (org.name, HoursCb(action=HoursAction.LOG_PLACE, value=p.id).pack())
                for p, org in placements
            ]
        ),
    )


async def got_place(query: CallbackQuery, callback_data: HoursCb, state: FSMContext) -> None:
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    await _ask_day(query.message, state, callback_data.value)


async def _ask_day(message: Message, state: FSMContext, placement_id: int) -> None:
    await replace(await LogDraft.load(state), placement=placement_id).save(state)
    await state.set_state(LogHours.day)
    await message.answer(
        _("On which day?"),
        reply_markup=inline_choices(
            [
                (_("Today"), _day_button(DayChoice.TODAY)),
                (_("Yesterday"), _day_button(DayChoice.YESTERDAY)),
                (_("Other day"), _day_button(DayChoice.OTHER)),
            ],
            columns=3,
        ),
    )


def _day_button(choice: DayChoice) -> str:
    return HoursCb(action=HoursAction.LOG_DAY, value=choice).pack()


async def _today(db: AsyncSession, member: people.Member, clock: Clock) -> dt.date:
    return local_today(clock.now(), ZoneInfo(await hours.timezone_of(db, member.programme_id)))


async def got_day(
    query: CallbackQuery,
    callback_data: HoursCb,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member,
    clock: Clock,
) -> None:
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    if callback_data.value not in (DayChoice.TODAY, DayChoice.YESTERDAY):
        await state.set_state(LogHours.typed_day)
        await query.message.answer(
            _(
                "Type the date, for example <i>12-3</i> or <i>12 maart</i>. "
                "It can be up to 30 days ago."
            )
        )
        return
    day = await _today(db, member, clock) - dt.timedelta(days=callback_data.value)
    await _ask_amount(query.message, state, day)


async def got_typed_day(
    message: Message, state: FSMContext, db: AsyncSession, member: people.Member, clock: Clock
) -> None:
    day = parse_work_date(message.text or "", await _today(db, member, clock))
    if day is WorkDateError.FUTURE:
        await message.answer(_("That day has not been yet. Type a day in the past."))
    elif day is WorkDateError.TOO_OLD:
        await message.answer(_("That is more than 30 days ago. Ask the coordinator for help."))
    elif isinstance(day, WorkDateError):
        await message.answer(_("I do not understand that date. Type it like <i>12-3</i>."))
    else:
        await _ask_amount(message, state, day)


async def _ask_amount(message: Message, state: FSMContext, day: dt.date) -> None:
    await replace(await LogDraft.load(state), day=day).save(state)
    await state.set_state(LogHours.amount)
    await message.answer(
        _(
            "How many hours did you work on {date}? For example <i>2</i>, <i>1,5</i>, "
            "<i>2:30</i> or <i>90 min</i>."
        ).format(date=day_text(day))
    )


def hours_error_text(error: HoursError) -> str:
    examples = _(
        "For example: <i>2</i>, <i>2,5</i>, <i>2:30</i>, <i>2u30</i>, <i>90 min</i> "
        "or <i>anderhalf</i>."
    )
    texts = {
        HoursError.TOO_SMALL: _("That is too little: at least a quarter of an hour (0,25)."),
        HoursError.TOO_LARGE: _("That is too much: at most 12 hours at a time."),
        HoursError.NOT_QUARTER: _("Round to a quarter of an hour, like 1,25 or 1,5 or 1,75."),
        HoursError.DAY_TOTAL_EXCEEDED: _("With this you would have more than 24 hours that day."),
    }
    return texts.get(error, _("I do not understand that amount.")) + "\n" + examples


async def got_amount(
    message: Message, state: FSMContext, db: AsyncSession, member: people.Member
) -> None:
    minutes = parse_hours(message.text or "")
    if isinstance(minutes, HoursError):
        await message.answer(hours_error_text(minutes))
        return
    draft = await LogDraft.load(state)
    if draft.day is None:
        await _closed(message, state)
        return
    other = await hours.day_minutes(db, member.person.id, draft.day)
    if (error := check_day_total(other, minutes)) is not None:
        await message.answer(hours_error_text(error))
        return
    await replace(draft, minutes=minutes).save(state)
    await state.set_state(LogHours.what)
    await message.answer(
        _("What did you do? In a few words, for example <i>Helped with the youth training</i>.")
    )


async def got_what(message: Message, state: FSMContext, db: AsyncSession) -> None:
    what = (message.text or "").strip()
    if len(what) < 3:
        await message.answer(_("That is a bit short. What did you do, in a few words?"))
        return
    if len(what) > MAX_WHAT:
        await message.answer(_("That is too long: at most 500 characters."))
        return
    draft = await LogDraft.load(state)
    if draft.day is None or draft.minutes is None:
        await _closed(message, state)
        return
    await replace(draft, what=what).save(state)
    await state.set_state(LogHours.confirm)
    await message.answer(
        _(
            "Date: {date}\nHours: {hours}\nWhat: {what}\n\nShall I send this to your supervisor?"
        ).format(
            date=day_text(draft.day),
            hours=format_hours(draft.minutes),
            what=html.quote(what),
        ),
        reply_markup=inline_choices(
            [
                (_("Save"), HoursCb(action=HoursAction.LOG_SAVE).pack()),
                (_("Start again"), HoursCb(action=HoursAction.LOG_AGAIN).pack()),
            ],
            columns=2,
        ),
    )


async def save(
    query: CallbackQuery,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member,
    clock: Clock,
    settings: Settings,
) -> None:
    draft = await LogDraft.load(state)
    await state.clear()
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    placements = dict(await hours.active_placements(db, member.person.id))
    placement = next((p for p in placements if p.id == draft.placement), None)
    if placement is None:
        await query.message.answer(_("This practice place has ended. Type /uren to start again."))
        return
    day, minutes, what = draft.day, draft.minutes, draft.what
    if day is None or minutes is None or what is None:
        await _closed(query.message, state)
        return
    if check_day_total(await hours.day_minutes(db, member.person.id, day), minutes):
        await query.message.answer(hours_error_text(HoursError.DAY_TOTAL_EXCEEDED))
        return
    now = clock.now()
    entry = await hours.add_log(
        db,
        placement=placement,
        work_date=day,
        minutes=minutes,
        description=what,
        now=now,
    )
    await send_to_supervisors(db, settings, entry, now)
    await query.message.answer(
        _(
            "Saved: {hours} hours on {date}, waiting for confirmation. "
            "You get a message when your supervisor has decided. Type /uren for your overview."
        ).format(hours=format_hours(minutes), date=day_text(day))
    )


async def again(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    placement = (await LogDraft.load(state)).placement
    if placement is None:
        await _closed(query.message, state)
        return
    await _ask_day(query.message, state, placement)


async def use_buttons(message: Message) -> None:
    await message.answer(_("Tap one of the buttons above, or type /cancel to stop."))


async def not_text(message: Message) -> None:
    await message.answer(_("Please type your answer as text."))


async def stale(query: CallbackQuery) -> None:
    await query.answer(_("This question is closed. Type /uren to start again."), show_alert=True)


async def _closed(message: Message, state: FSMContext) -> None:
    """The flow's state lacks what this step needs (e.g. saved by an older version)."""
    await state.clear()
    await message.answer(_("This question is closed. Type /uren to start again."))
