"""Answers to a nudge (buttons under it), and the coordinator's /nazorgcijfers and digest buttons.

- "Ik wil weer iets doen": recorded (counts as activity), matching opportunities shown with the
  opportunities feature's buttons, the proposal flow pointed to (/voorstel), coordinators told.
- "Nu even niet": asks 1, 3 or 6 months, then pauses nudges until that local date.
- "Ik wil stoppen": asks to confirm; then nudges stop, opportunity messages go off, coordinators
  are told and /verwijderen is offered.

Every answer is bound to the tapper's own open nudge (`storage.nazorg.queries.open_nudge`) and
recorded once: a forged `nz:` payload, or a second answer to the same nudge, changes nothing and
gets a kind word.
"""

from __future__ import annotations

import datetime as dt

from aiogram import F, Router, html
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.nazorg.callbacks import DigestAction, DigestItem, Nudge, NudgeAction
from bot.features.nazorg.digest import item_details
from bot.features.nazorg.keys import reply_key
from bot.features.nazorg.texts import day_text
from bot.features.opportunities import texts
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.filters import HasRole
from bot.kit.keyboards import inline_choices
from domain.local_time import AMSTERDAM
from domain.nazorg.engagement import NudgeStep, ReplyAnswer
from domain.nazorg.nudge_stats import NudgeOutcome, comeback_stats
from domain.nazorg.settings import PAUSE_MONTHS, add_months
from domain.roles import Role
from storage import people
from storage.models import Programme
from storage.nazorg import queries as nazorg
from storage.opportunities import queries as opportunities


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(again, Nudge.filter(F.action == NudgeAction.AGAIN))
    router.callback_query.register(later, Nudge.filter(F.action == NudgeAction.LATER))
    router.callback_query.register(pause, Nudge.filter(F.action == NudgeAction.PAUSE))
    router.callback_query.register(stop, Nudge.filter(F.action == NudgeAction.STOP))
    router.callback_query.register(
        stop_confirmed, Nudge.filter(F.action == NudgeAction.STOP_CONFIRMED)
    )
    router.callback_query.register(
        stop_cancelled, Nudge.filter(F.action == NudgeAction.STOP_CANCELLED)
    )
    router.message.register(figures, Command("nazorgcijfers"), HasRole(Role.COORDINATOR))
    router.callback_query.register(digest_item, DigestAction.filter(), HasRole(Role.COORDINATOR))
    return router


async def _done(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


async def _answered(query: CallbackQuery) -> None:
    """A tap on a nudge that is already answered (or none waits for an answer): nothing changes."""
    await query.answer(
        _("This message is already answered. Want to change your choice? Use /instellingen."),
        show_alert=True,
    )
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


async def _tell_coordinators(
    db: AsyncSession, member: people.Member, text: str, key: str, now: dt.datetime
) -> None:
    await notify.to_coordinators(
        db, member.programme_id, notify.message_payload(text), key=key, now=now
    )


async def again(
    query: CallbackQuery, db: AsyncSession, clock: Clock, member: people.Member | None
) -> None:
    if member is None:
        await query.answer(_("Type /start first."), show_alert=True)
        return
    now = clock.now()
    reply = await nazorg.answer_nudge(db, member.person.id, ReplyAnswer.AGAIN, now)
    if reply is None:
        await _answered(query)
        return
    await _done(query)
    chat = query.from_user.id
    bot = query.bot
    assert bot is not None
    found = (await opportunities.open_for_person(db, member.person, now))[:3]
    if found:
        await bot.send_message(chat, _("Great! These opportunities are open for you:"))
        for opp in found:
            await bot.send_message(chat, texts.card(opp), reply_markup=texts.offer_buttons(opp.id))
        await bot.send_message(
            chat, _("Or organise something yourself: type /voorstel and tell us your idea.")
        )
    else:
        await bot.send_message(
            chat,
            _(
                "Great! There is no open opportunity for you right now; we let you know "
                "when there is. Or organise something yourself: type /voorstel and tell us "
                "your idea."
            ),
        )
    name = html.quote(member.person.first_name or query.from_user.first_name)
    await _tell_coordinators(
        db,
        member,
        _("{name} answered a nudge: wants to do something again.").format(name=name),
        reply_key(reply.id),
        now,
    )


def _pause(months: int) -> str:
    return Nudge(action=NudgeAction.PAUSE, months=months).pack()


async def later(query: CallbackQuery, db: AsyncSession, member: people.Member | None) -> None:
    if member is None or await nazorg.open_nudge(db, member.person.id) is None:
        await _answered(query)
        return
    await _done(query)
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id,
        _("No problem. How long shall we leave you alone?"),
        reply_markup=inline_choices(
            [
                (_("1 month"), _pause(1)),
                (_("3 months"), _pause(3)),
                (_("6 months"), _pause(6)),
            ],
            columns=3,
        ),
    )


async def pause(
    query: CallbackQuery,
    callback_data: Nudge,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    months = callback_data.months
    if member is None or months not in PAUSE_MONTHS:
        await query.answer(_("Type /start first."), show_alert=True)
        return
    now = clock.now()
    reply = await nazorg.answer_nudge(db, member.person.id, ReplyAnswer.LATER, now, months=months)
    if reply is None:
        await _answered(query)
        return
    until = add_months(now.astimezone(AMSTERDAM).date(), months)
    pref = await nazorg.preference(db, member.person.id, now)
    pref.paused_until, pref.updated_at = until, now
    await _done(query)
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id,
        _(
            "OK, we will not send you a reminder until {date}. Want to join earlier? Type /kansen."
        ).format(date=until.strftime("%d-%m-%Y")),
    )


async def stop(query: CallbackQuery, db: AsyncSession, member: people.Member | None) -> None:
    if member is None or await nazorg.open_nudge(db, member.person.id) is None:
        await _answered(query)
        return
    await _done(query)
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id,
        _(
            "Are you sure? Then you will no longer get messages from the programme, "
            "only answers to what you ask yourself."
        ),
        reply_markup=inline_choices(
            [
                (_("Yes, I stop"), Nudge(action=NudgeAction.STOP_CONFIRMED).pack()),
                (_("No, I stay"), Nudge(action=NudgeAction.STOP_CANCELLED).pack()),
            ],
            columns=2,
        ),
    )


async def stop_confirmed(
    query: CallbackQuery, db: AsyncSession, clock: Clock, member: people.Member | None
) -> None:
    if member is None:
        await query.answer(_("Type /start first."), show_alert=True)
        return
    now = clock.now()
    reply = await nazorg.answer_nudge(db, member.person.id, ReplyAnswer.STOP, now)
    if reply is None:
        await _answered(query)
        return
    pref = await nazorg.preference(db, member.person.id, now)
    pref.stopped_at, pref.updated_at = now, now
    await opportunities.set_opportunity_messages(db, member.person.id, False)
    await _done(query)
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id,
        _(
            "Done: you will no longer get messages from the programme. Thank you for "
            "everything you did as a Citytrainer!\n\n"
            "Want us to delete your data too? Type /verwijderen.\n"
            "Changed your mind later? Switch messages on again in /instellingen."
        ),
    )
    name = html.quote(member.person.first_name or query.from_user.first_name)
    await _tell_coordinators(
        db,
        member,
        _("{name} answered a nudge: wants to stop as a Citytrainer.").format(name=name),
        reply_key(reply.id),
        now,
    )


async def stop_cancelled(query: CallbackQuery) -> None:
    await _done(query)
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id, _("Good to hear! See what is open with /kansen.")
    )


async def figures(message: Message, db: AsyncSession, clock: Clock, member: people.Member) -> None:
    now = clock.now()
    programme = await db.get(Programme, member.programme_id)
    rules = nazorg.settings_of(programme).rules if programme else None
    outcomes = [
        NudgeOutcome(step, wording, sent, back)
        for step, wording, sent, back in await nazorg.nudge_outcomes(db, member.programme_id)
    ]
    stats = comeback_stats(outcomes, now, rules)
    lines = [
        _("<b>Which nudge brings people back</b> (active again within {weeks} weeks)").format(
            weeks=rules.comeback_window_weeks if rules else 4
        ),
        "",
    ]
    for row in stats:
        label = _("Nudge {n}, wording {w}").format(
            n=1 if row.step is NudgeStep.FIRST else 2, w=row.wording.value.upper()
        )
        if row.rate is None or row.interval is None:
            result = _("no results yet")
        else:
            result = _(
                "{back} of {nudged} back ({rate}%; interval {low}-{high}%, confidence 95%)"
            ).format(
                back=row.came_back,
                nudged=row.nudged,
                rate=round(row.rate * 100),
                low=round(row.interval.low * 100),
                high=round(row.interval.high * 100),
            )
        pending = _(", {n} still waiting").format(n=row.pending) if row.pending else ""
        lines.append(f"• {label}: {result}{pending}")
    lines += ["", _("Keep the wording that brings the most people back.")]
    await message.answer("\n".join(lines))


async def digest_item(
    query: CallbackQuery,
    callback_data: DigestAction,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    await query.answer()
    assert query.bot is not None and member is not None
    if callback_data.item is DigestItem.FOLLOW_UP:
        from bot.features.nazorg.conversations.followup import show_list

        await show_list(query.bot, query.from_user.id, db, member)
        return
    programme = await db.get(Programme, member.programme_id)
    text = await item_details(db, programme, callback_data.item, clock.now()) if programme else None
    await query.bot.send_message(
        query.from_user.id,
        text or _("This is not available (yet) for {date}.").format(date=day_text(clock.now())),
    )
