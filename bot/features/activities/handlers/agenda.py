"""/agenda: upcoming approved activities and dated opportunities; asking for helpers.

The agenda is paged like /kansen (one message, edited). "Helpers vragen" turns an approved
activity into an opportunity (`Opportunity.activity_id`) and broadcasts it with part 1's
machinery (storage.opportunities.start_broadcast: outbox broadcast lane, progress message).
"""

from __future__ import annotations

import datetime as dt

from aiogram import F, Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.activities.callbacks import (
    AgendaAction,
    AgendaPageCb,
    HelperCount,
    HelpersAction,
    HelpersCb,
)
from bot.features.activities.texts import kind_text
from bot.features.opportunities.broadcast import progress_text
from bot.features.opportunities.texts import PAGE_SIZE, card, offer_buttons, when_text
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.local_time import AMSTERDAM, local_to_utc
from domain.opportunities.matching import Track
from domain.opportunities.status import OpportunityStatus
from storage import people
from storage.activities import queries as activities
from storage.activities.models import Activity, ActivityKind, ActivityStatus
from storage.models import OutboxStatus
from storage.opportunities import queries as opportunities
from storage.opportunities.models import Opportunity

HELPER_COUNTS: tuple[HelperCount, ...] = tuple(HelperCount)
"""The helper counts in the order of their buttons."""


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show, Command("agenda"))
    router.callback_query.register(page, AgendaPageCb.filter(F.action == AgendaAction.PAGE))
    router.callback_query.register(ask_count, HelpersCb.filter(F.action == HelpersAction.ASK))
    router.callback_query.register(ask_helpers, HelpersCb.filter(F.action == HelpersAction.COUNT))
    return router


def _track(kind: str) -> Track:
    """The opportunity track of an activity's helpers: its own kind, or both for social."""
    return Track(kind) if kind in (ActivityKind.SPORT, ActivityKind.CULTURE) else Track.BOTH


async def _lines(db: AsyncSession, member: people.Member, now: dt.datetime) -> list[str]:
    today = now.astimezone(AMSTERDAM).date()
    entries: list[tuple[dt.date, str]] = []
    for activity in await activities.upcoming(db, member.programme_id, today):
        assert activity.planned_date is not None
        entries.append(
            (
                activity.planned_date,
                _("{when}: <b>{title}</b> ({kind}, own activity in {area})").format(
                    when=html.quote(activity.when_text or ""),
                    title=html.quote(activity.title),
                    kind=kind_text(activity.kind),
                    area=html.quote(activity.neighbourhood or "-"),
                ),
            )
        )
    for opp in await activities.dated_opportunities(db, member.programme_id, now):
        if opp.activity_id is not None:
            continue  # the activity itself is listed
        assert opp.starts_at is not None
        entries.append(
            (
                opp.starts_at.astimezone(AMSTERDAM).date(),
                _("{when}: <b>{title}</b> (opportunity, see /kansen)").format(
                    when=when_text(opp.starts_at), title=html.quote(opp.title)
                ),
            )
        )
    return [text for _day, text in sorted(entries, key=lambda e: e[0])]


def _render(lines: list[str], index: int) -> tuple[str, InlineKeyboardMarkup | None]:
    if not lines:
        return _("The agenda is empty for now. Have an idea? Propose it with /voorstel."), None
    last = min(index + PAGE_SIZE, len(lines))
    text = _("Agenda ({first}-{last} of {total}):").format(
        first=index + 1, last=last, total=len(lines)
    )
    text += "\n\n" + "\n".join(lines[index:last])
    nav = []
    if index > 0:
        previous = AgendaPageCb(action=AgendaAction.PAGE, index=max(index - PAGE_SIZE, 0))
        nav.append((_("« Previous"), previous.pack()))
    if last < len(lines):
        nav.append((_("Next »"), AgendaPageCb(action=AgendaAction.PAGE, index=last).pack()))
    return text, inline_choices(nav, columns=2) if nav else None


async def show(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member | None
) -> None:
    if member is None:
        await message.answer(_("Type /start first, then try again."))
        return
    text, markup = _render(await _lines(db, member, clock.now()), 0)
    await message.answer(text, reply_markup=markup)


async def page(
    query: CallbackQuery,
    callback_data: AgendaPageCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    await query.answer()
    if member is None or not isinstance(query.message, Message):
        return
    lines = await _lines(db, member, clock.now())
    index = min(callback_data.index, max(len(lines) - 1, 0))
    text, markup = _render(lines, index - index % PAGE_SIZE)
    try:
        await query.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise


async def _helpable(
    query: CallbackQuery, db: AsyncSession, member: people.Member | None, activity_id: int
) -> Activity | None:
    activity = await activities.get(db, activity_id)
    if activity is None or member is None or activity.person_id != member.person.id:
        await query.answer(_("This activity is not yours."), show_alert=True)
        return None
    if activity.status != ActivityStatus.APPROVED:
        await query.answer(_("This activity is not approved (yet)."), show_alert=True)
        return None
    if await activities.helper_request(db, activity.id) is not None:
        await query.answer(_("You already asked for helpers for this activity."), show_alert=True)
        return None
    return activity


async def ask_count(
    query: CallbackQuery, callback_data: HelpersCb, db: AsyncSession, member: people.Member | None
) -> None:
    activity = await _helpable(query, db, member, callback_data.activity_id)
    if activity is None:
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _("How many helpers do you need for <b>{title}</b>?").format(
                title=html.quote(activity.title)
            ),
            reply_markup=inline_choices(
                [(n, _count_button(activity.id, n)) for n in HELPER_COUNTS],
                columns=5,
            ),
        )


def _count_button(activity_id: int, count: HelperCount) -> str:
    return HelpersCb(action=HelpersAction.COUNT, activity_id=activity_id, count=count).pack()


async def ask_helpers(
    query: CallbackQuery,
    callback_data: HelpersCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    activity = await _helpable(query, db, member, callback_data.activity_id)
    if activity is None or member is None or not isinstance(query.message, Message):
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    now = clock.now()
    assert activity.planned_date is not None
    starts = local_to_utc(dt.datetime.combine(activity.planned_date, dt.time(9, 0)), AMSTERDAM)
    name = member.person.first_name or "?"
    opp = Opportunity(
        programme_id=activity.programme_id,
        title=activity.title,
        organisation_name=_("Citytrainer {name}").format(name=name),
        description=_(
            "{name} organises this {kind} activity for {group} and needs help. When: {when}."
        ).format(
            name=name,
            kind=kind_text(activity.kind),
            group=activity.target_group or "-",
            when=activity.when_text or "-",
        ),
        starts_at=starts if isinstance(starts, dt.datetime) else None,
        place=", ".join(p for p in (activity.place, activity.neighbourhood) if p),
        minutes=None,
        places=int(callback_data.count) if callback_data.count is not None else 1,
        places_taken=0,
        track=_track(activity.kind),
        for_trainees=False,
        status=OpportunityStatus.OPEN,
        created_by=member.person.id,
        created_at=now,
        published_at=now,
        activity_id=activity.id,
    )
    db.add(opp)
    await db.flush()
    broadcast = await opportunities.start_broadcast(
        db,
        opp,
        requested_by=member.person.id,
        chat_id=str(query.message.chat.id),
        payload=notify.one_message_payload(card(opp), offer_buttons(opp.id)),
        now=now,
        exclude=member.person.id,
    )
    if broadcast.total == 0:
        opportunities.finish_broadcast(broadcast, now)
        await query.message.answer(
            _("Nobody matches right now; your request is listed in /kansen.")
        )
        return
    sent = await query.message.answer(
        progress_text(opp.title, broadcast.total, {OutboxStatus.PENDING: broadcast.total})
    )
    broadcast.progress_message_id = sent.message_id
