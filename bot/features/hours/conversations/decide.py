"""Supervisors (and coordinators) decide on logged hours: buttons, replies, digest.

```mermaid
stateDiagram-v2
    [*] --> [*]: "Confirm" / reply "ok", "ja", "akkoord", "klopt", 👍 / reply "1,5" (adjusted)
    [*] --> adjusting: "Adjust"
    adjusting --> [*]: the right hours (parsed like the trainee's)
    [*] --> rejecting: "Reject"
    rejecting --> [*]: a short reason
    [*] --> [*]: "Confirm all" (digest): every pending log up to the digest's last one
```
Every button is signed (`bot.features.hours.common.signed`); forged data is refused and logged.
Rights are checked in the database; a decision is a conditional update, so only one decision
wins.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.hours import keys
from bot.features.hours.callbacks import DecisionAction, DecisionCb
from bot.features.hours.common import already_text, apply_decision, log_card, may_decide, valid
from bot.features.hours.conversations.log_hours import hours_error_text
from bot.features.hours.conversations.state import DecisionDraft
from bot.kit.clock import Clock
from bot.kit.config import Settings
from domain.hours.amounts import HoursError, parse_hours
from domain.hours.practice import LogStatus
from storage import people
from storage.hours import queries as hours

log = logging.getLogger(__name__)
YES = {"ok", "oke", "oké", "okay", "ja", "akkoord", "klopt", "prima", "goed", "👍", "✅", "yes"}


class Deciding(StatesGroup):
    adjusting = State()
    rejecting = State()


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_button, DecisionCb.filter())
    router.message.register(got_adjusted, Deciding.adjusting, F.text)
    router.message.register(got_reason, Deciding.rejecting, F.text)
    router.message.register(not_text, Deciding.adjusting)
    router.message.register(not_text, Deciding.rejecting)
    return router


async def on_button(
    query: CallbackQuery,
    callback_data: DecisionCb,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member | None,
    clock: Clock,
    settings: Settings,
) -> None:
    if not valid(settings, callback_data) or member is None:
        log.warning(
            "hours: refused forged callback %r from user %s", query.data, query.from_user.id
        )
        await query.answer(_("This button is not valid."), show_alert=True)
        return
    if not member.person.first_name:  # e.g. a coordinator made from the admin list
        member.person.first_name = query.from_user.first_name[:64]
    if callback_data.action is DecisionAction.CONFIRM_ALL:
        await confirm_all(query, callback_data.log_id, db, member, clock)
        return
    entry = await hours.get_log(db, callback_data.log_id)
    if entry is None:
        await query.answer(_("These hours no longer exist."), show_alert=True)
        return
    if not await may_decide(db, member, entry):
        log.warning("hours %s: refused button by person %s", entry.id, member.person.id)
        await query.answer(_("You cannot decide on these hours."), show_alert=True)
        return
    if entry.status != LogStatus.PENDING:
        await query.answer(await already_text(db, entry), show_alert=True)
        return
    if callback_data.action is DecisionAction.CONFIRM:
        changed, text = await apply_decision(db, member, entry.id, LogStatus.CONFIRMED, clock.now())
        await query.answer(text, show_alert=not changed)
        if changed and isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
            await query.message.answer(text)
        return
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await DecisionDraft(log=entry.id).save(state)
    card = await log_card(db, entry)
    if callback_data.action is DecisionAction.ADJUST:
        await state.set_state(Deciding.adjusting)
        await query.message.answer(
            card + "\n\n" + _("How many hours are right? For example <i>1,5</i> or <i>2:15</i>.")
        )
    else:
        await state.set_state(Deciding.rejecting)
        await query.message.answer(
            card + "\n\n" + _("Why do you reject these hours? The trainee reads your reason.")
        )


async def got_adjusted(
    message: Message, state: FSMContext, db: AsyncSession, member: people.Member, clock: Clock
) -> None:
    minutes = parse_hours(message.text or "")
    if isinstance(minutes, HoursError):
        await message.answer(hours_error_text(minutes))
        return
    log_id = (await DecisionDraft.load(state)).log
    await state.clear()
    if log_id is None:
        await message.answer(_("These hours no longer exist."))
        return
    await _decide_minutes(message, db, member, clock, log_id, minutes)


async def _decide_minutes(
    message: Message,
    db: AsyncSession,
    member: people.Member,
    clock: Clock,
    log_id: int,
    minutes: int,
) -> None:
    entry = await hours.get_log(db, log_id)
    same = entry is not None and minutes == (entry.logged_minutes or entry.minutes)
    status = LogStatus.CONFIRMED if same else LogStatus.CORRECTED
    _changed, text = await apply_decision(
        db, member, log_id, status, clock.now(), minutes=None if same else minutes
    )
    await message.answer(text)


async def got_reason(
    message: Message, state: FSMContext, db: AsyncSession, member: people.Member, clock: Clock
) -> None:
    reason = (message.text or "").strip()
    if len(reason) < 2 or len(reason) > 300:
        await message.answer(_("Type a short reason (at most 300 characters)."))
        return
    log_id = (await DecisionDraft.load(state)).log
    await state.clear()
    if log_id is None:
        await message.answer(_("These hours no longer exist."))
        return
    _changed, text = await apply_decision(
        db, member, log_id, LogStatus.REJECTED, clock.now(), reason=reason
    )
    await message.answer(text)


async def not_text(message: Message) -> None:
    await message.answer(_("Please type your answer as text."))


async def confirm_all(
    query: CallbackQuery, last_id: int, db: AsyncSession, member: people.Member, clock: Clock
) -> None:
    pending = [
        e for e in await hours.pending_for_supervisor(db, member.person.id) if e.id <= last_id
    ]
    done = 0
    for entry in pending:
        changed, _text = await apply_decision(
            db, member, entry.id, LogStatus.CONFIRMED, clock.now()
        )
        done += changed
    text = _("Confirmed: {count} log(s). Thank you!").format(count=done)
    await query.answer(text)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(text)


async def answer_by_reply(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member, ident: str
) -> None:
    """A supervisor (or coordinator) replied to a log's message."""
    log_id = keys.log_id_of(ident)
    if log_id is None:
        await message.answer(
            _("I cannot link this reply to anything. Type /help to see what you can do.")
        )
        return
    if not member.person.first_name and message.from_user is not None:
        member.person.first_name = message.from_user.first_name[:64]
    text = (message.text or "").strip()
    normal = text.lower().rstrip("!.").strip()
    if normal in YES or text.startswith("👍"):
        _changed, answer = await apply_decision(
            db, member, log_id, LogStatus.CONFIRMED, clock.now()
        )
        await message.answer(answer)
        return
    minutes = parse_hours(text)
    if not isinstance(minutes, HoursError):
        await _decide_minutes(message, db, member, clock, log_id, minutes)
        return
    if minutes is not HoursError.UNREADABLE:
        await message.answer(hours_error_text(minutes))
        return
    if normal == "nee":
        await message.answer(
            _(
                "Do you want to reject these hours? Tap <b>Reject</b> under the message and "
                "give a short reason."
            )
        )
        return
    await message.answer(
        _(
            "What do you mean? Reply <i>ok</i> to confirm, or the right number of hours "
            "(for example <i>1,5</i>). To reject, tap <b>Reject</b> under the message."
        )
    )
