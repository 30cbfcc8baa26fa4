"""/rooster (upcoming sessions, each as an .ics calendar file) and /voortgang (progress)."""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.course.callbacks import PlanAction, PlanCb
from bot.features.course.common import programme_setup, session_line, session_title
from bot.features.course.docs import calendar_file
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.course.rules import course_progress
from storage import people
from storage.course import queries as course
from storage.course.models import Cohort


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(schedule, Command("rooster"))
    router.message.register(progress, Command("voortgang"))
    router.callback_query.register(ics, PlanCb.filter(F.action == PlanAction.ICS))
    return router


async def schedule(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member | None
) -> None:
    items = (
        []
        if member is None
        else await course.upcoming_for_person(db, member.person.id, clock.now())
    )
    if member is None or not items:
        await message.answer(_("You have no upcoming sessions. Questions? Type /vraag."))
        return
    tz, _settings = await programme_setup(db, member.programme_id)
    lines = [_("Your upcoming sessions:"), ""]
    for item in items:
        place = item.location or ""
        lines.append(session_line(item, tz) + (f" – {html.quote(place)}" if place else ""))
    lines += ["", _("Tap a session to add it to your calendar.")]
    buttons = [
        ("📅 " + session_title(s), PlanCb(action=PlanAction.ICS, ident=s.id).pack()) for s in items
    ]
    buttons.append((_("📅 All sessions"), PlanCb(action=PlanAction.ICS, ident=0).pack()))
    await message.answer("\n".join(lines), reply_markup=inline_choices(buttons, columns=2))


async def ics(
    query: CallbackQuery,
    callback_data: PlanCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    now = clock.now()
    items = (
        [] if member is None else await course.upcoming_for_person(db, member.person.id, now, 50)
    )
    if callback_data.ident:
        items = [s for s in items if s.id == callback_data.ident]
    if member is None or not items:
        await query.answer(_("This session is no longer planned. Type /rooster."), show_alert=True)
        return
    tz, _settings = await programme_setup(db, member.programme_id)
    entries = []
    for item in items:
        cohort = await db.get(Cohort, item.cohort_id)
        title = _("Citytrainers: {title} ({group})").format(
            title=session_title(item), group=cohort.name if cohort else ""
        )
        entries.append((item, title, item.location or (cohort.location if cohort else None)))
    data = calendar_file(entries, tz, now)
    name = f"citytrainers-{callback_data.ident}.ics" if callback_data.ident else "citytrainers.ics"
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer_document(
            BufferedInputFile(data, filename=name),
            caption=_("Open this file to add it to your calendar."),
        )


async def progress(message: Message, db: AsyncSession, member: people.Member | None) -> None:
    cohorts = [] if member is None else await course.cohorts_of_participant(db, member.person.id)
    if member is None or not cohorts:
        await message.answer(_("You are not in a training group yet. Questions? Type /vraag."))
        return
    cohort = cohorts[-1]
    _tz, settings = await programme_setup(db, cohort.programme_id)
    record = await course.course_record(db, member.person.id, cohort.id)
    p = course_progress(record, settings.completion, settings.template)
    yes, no = "✅", "⬜"
    lines = [
        _("Your progress in <b>{group}</b>:").format(group=html.quote(cohort.name)),
        "",
        _("{mark} Meetings: {done} of {total} (needed: {needed})").format(
            mark=yes if p.meetings_left == 0 else no,
            done=p.meetings_attended,
            total=p.meetings_total,
            needed=p.meetings_required,
        ),
        _("{mark} Follow-up days: {done} of {total}").format(
            mark=yes if p.followups_left == 0 else no,
            done=p.followups_attended,
            total=p.followups_required,
        ),
        _("{mark} Final presentation: {state}").format(
            mark=yes if not p.presentation_left else no,
            state=_("presentation done") if p.presentation_done else _("presentation not yet done"),
        ),
        _("{mark} Practice hours confirmed: {done} of {total}").format(
            mark=yes if p.practice_minutes_left == 0 else no,
            done=p.practice_minutes_confirmed // 60,
            total=p.practice_minutes_required // 60,
        ),
        "",
    ]
    left = []
    if p.meetings_left:
        left.append(_("{n} meeting(s)").format(n=p.meetings_left))
    if p.followups_left:
        left.append(_("{n} follow-up day(s)").format(n=p.followups_left))
    if p.presentation_left:
        left.append(_("the final presentation"))
    if p.practice_minutes_left:
        left.append(_("{hours} practice hour(s)").format(hours=-(-p.practice_minutes_left // 60)))
    if left:
        lines.append(_("Still to do: {items}.").format(items=", ".join(left)))
    else:
        lines.append(_("You have done everything. The coordinator will approve your certificate."))
    if p.too_many_meetings_missed:
        lines.append(
            _("You missed more meetings than allowed: ask your course leader about a catch-up.")
        )
    await message.answer("\n".join(lines))
