"""A coordinator corrects a locked (decided) log, with a reason; the history is kept.

```mermaid
stateDiagram-v2
    [*] --> amount: /corrigeer <log number> (shows the log and its history)
    amount --> amount: unreadable or out of range (explained)
    amount --> reason: the right hours
    reason --> [*]: a reason: corrected, the trainee is told (outbox)
```
"""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from aiogram import F, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.hours.common import check_complete, log_card, name_of, notify_trainee, status_text
from bot.features.hours.conversations.log_hours import hours_error_text
from bot.features.hours.conversations.state import CorrectionDraft
from bot.kit.clock import Clock
from bot.kit.filters import HasRole
from domain.hours.amounts import HoursError, format_hours, parse_hours
from domain.hours.practice import LogStatus
from domain.roles import Role
from storage import people
from storage.hours import queries as hours


class Correcting(StatesGroup):
    amount = State()
    reason = State()


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(begin, Command("corrigeer"), HasRole(Role.COORDINATOR))
    router.message.register(got_amount, Correcting.amount, F.text)
    router.message.register(got_reason, Correcting.reason, F.text)
    return router


async def begin(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member,
) -> None:
    arg = (command.args or "").strip().lstrip("#")
    entry = await hours.get_log(db, int(arg)) if arg.isdigit() else None
    if entry is None or not member.may(entry.programme_id, Role.COORDINATOR):
        await message.answer(
            _("Type /corrigeer with the number of the log, for example <code>/corrigeer 12</code>.")
        )
        return
    if entry.status == LogStatus.PENDING:
        await message.answer(
            _("These hours are still waiting. Decide with the buttons under their message.")
        )
        return
    tz = ZoneInfo(await hours.timezone_of(db, member.programme_id))
    lines = [
        _("{when} {name}: {status}, {hours} h {reason}").format(
            when=change.changed_at.astimezone(tz).strftime("%d-%m %H:%M"),
            name=await name_of(db, change.changed_by),
            status=status_text(change.new_status),
            hours=format_hours(change.new_minutes),
            reason=html.quote(f"({change.reason})" if change.reason else ""),
        )
        for change in await hours.history(db, entry.id)
    ]
    await state.set_state(Correcting.amount)
    await CorrectionDraft(log=entry.id).save(state)
    await message.answer(
        _(
            "{card}\nNow: {status}, {hours} h\n\n<b>History</b>\n{history}\n\n"
            "How many hours are right?"
        ).format(
            card=await log_card(db, entry),
            status=status_text(entry.status),
            hours=format_hours(entry.minutes),
            history="\n".join(lines),
        )
    )


async def got_amount(message: Message, state: FSMContext) -> None:
    minutes = parse_hours(message.text or "")
    if isinstance(minutes, HoursError):
        await message.answer(hours_error_text(minutes))
        return
    await replace(await CorrectionDraft.load(state), minutes=minutes).save(state)
    await state.set_state(Correcting.reason)
    await message.answer(_("Why do you correct it? The trainee reads your reason."))


async def got_reason(
    message: Message, state: FSMContext, db: AsyncSession, member: people.Member, clock: Clock
) -> None:
    reason = (message.text or "").strip()
    if len(reason) < 2 or len(reason) > 300:
        await message.answer(_("Type a short reason (at most 300 characters)."))
        return
    draft = await CorrectionDraft.load(state)
    await state.clear()
    if draft.log is None or draft.minutes is None:
        await message.answer(
            _("Type /corrigeer with the number of the log, for example <code>/corrigeer 12</code>.")
        )
        return
    entry = await hours.get_log(db, draft.log)
    if entry is None:
        await message.answer(_("These hours no longer exist."))
        return
    now = clock.now()
    before = await hours.counted_minutes(db, entry.person_id)
    await hours.correct_decided(
        db, entry, minutes=draft.minutes, by=member.person.id, now=now, reason=reason
    )
    await notify_trainee(db, entry, now)
    await check_complete(db, entry, before, now)
    await message.answer(
        _("Corrected to {hours} hours. {name} gets a message.").format(
            hours=format_hours(entry.minutes), name=await name_of(db, entry.person_id)
        )
    )
